// The scheduler's Prometheus metrics, on the process registry
// (engine/base/metrics.h), served on --metrics_listen:
//
//   tend_queue_depth{shard}             reminders waiting in each shard
//   tend_queue_due_unclaimed            due now and not yet claimed
//   tend_queue_oldest_overdue_seconds   age of the oldest due, unclaimed one
//   tend_dispatch_lateness_seconds      delivery time − due time
//   tend_deliveries_total{provider,outcome}
//   tend_delivery_retries_total         failed attempts sent back to wait
//   tend_dead_letters_total             reminders out of attempts
//   tend_lease_recoveries_total         items taken back from dead workers
//
// Queue gauges are sampled by QueueSampler from DueQueue::Stats(); the rest
// are counted where they happen.
#ifndef TEND_SERVICES_SCHEDULER_SCHEDULER_METRICS_H_
#define TEND_SERVICES_SCHEDULER_SCHEDULER_METRICS_H_

#include <string>
#include <thread>

#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "engine/queue/due_queue.h"

namespace tend::scheduler {

// RecordLateness(), RecordDelivery(), RecordRetry(), RecordDeadLetter(),
// RecordLeaseRecoveries()
//
// Count one event each.
void RecordLateness(absl::Duration lateness);
void RecordDelivery(absl::string_view provider, absl::string_view outcome);
void RecordRetry();
void RecordDeadLetter();
void RecordLeaseRecoveries(int count);

// QueueSampler
//
// A thread that samples the queue's depth every `interval`.
class QueueSampler {
 public:
  QueueSampler(engine::DueQueue* queue, absl::Duration interval);
  ~QueueSampler();

  // SampleOnce()
  //
  // Reads DueQueue::Stats() into the gauges now.
  void SampleOnce();

 private:
  engine::DueQueue* const queue_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace tend::scheduler

#endif  // TEND_SERVICES_SCHEDULER_SCHEDULER_METRICS_H_
