// Dispatcher: the workers that turn due queue items into sent reminders.
//
// Each worker loops: claim a batch of due items with a lease, then for
//   - a reminder: fill in its content, hand it to every DeliverySink, and
//     record it as delivered;
//   - a tick: settle the occurrence before it and plan the next one;
//   - a resume: resume the paused ritual;
//   - a sweep: forget the couple's records past the history retention
//     (every delivery queues the sweep of its record; SweepItem());
// and finally ack the batch and queue what the ticks planned in one atomic
// step per shard (DueQueue::Complete). The store's reads and writes are
// batched too: one read of every reminder's record and ritual, one write of
// the delivered records, and a few round trips for all the ticks
// (Scheduler::SettleAndPlanBatch), so a batch costs a handful of round
// trips whatever its size. Records are written before the ack: a worker
// killed between the two sends again under the same id. Quiet hours are judged
// again just before sending: a reminder whose recipient's quiet hours have
// begun is moved to their end instead (Scheduler::HoldForQuietHours). A failed
// item is nacked: retried with backoff (at least the provider's Retry-After,
// see delivery.h), then dead-lettered. A worker killed at any point loses
// nothing: its lease expires and another worker, in any replica, takes the
// items again; the reminder id lets every channel recognise a repeat.
#ifndef TEND_SERVICES_SCHEDULER_DISPATCHER_H_
#define TEND_SERVICES_SCHEDULER_DISPATCHER_H_

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/plan/planner.h"
#include "engine/queue/due_queue.h"
#include "engine/time/clock.h"
#include "services/scheduler/delivery.h"
#include "services/scheduler/scheduler.h"

namespace tend::scheduler {

// ContentSource
//
// What a reminder says. The prompt service fills it in; until it answers,
// the ritual's own words do.
class ContentSource {
 public:
  virtual ~ContentSource() = default;
  // Fill()
  //
  // Sets `reminder->content`. Fails when the source cannot answer now.
  virtual absl::Status Fill(const v1::Ritual& ritual,
                            v1::Reminder* reminder) = 0;
};

// RitualTextContent
//
// The ritual's title and description, and a kind default.
class RitualTextContent final : public ContentSource {
 public:
  absl::Status Fill(const v1::Ritual& ritual, v1::Reminder* reminder) override;
};

// DispatcherOptions
//
// How many workers and how they pace themselves.
struct DispatcherOptions {
  // Identifies this replica's leases, e.g. the pod name.
  std::string worker_id = "scheduler";
  int threads = 2;
  // Items claimed per round trip.
  int batch = 200;
  // The longest an idle worker waits before claiming again; it wakes
  // sooner when the queue says its next item falls due sooner.
  absl::Duration idle_wait = absl::Milliseconds(100);
  // Judge due-ness by the injected clock instead of Redis TIME (tests and
  // --test_clock).
  bool queue_uses_clock = false;
};

// Dispatcher
//
// Thread-safe. Owns its worker threads.
class Dispatcher {
 public:
  Dispatcher(engine::DueQueue* queue, Scheduler* scheduler,
             std::vector<DeliverySink*> sinks, ContentSource* content,
             const engine::Clock* clock, DispatcherOptions options);
  ~Dispatcher();

  // Start() / Stop()
  //
  // Stop() lets each worker finish its batch and joins them.
  void Start();
  void Stop();

  // RunOnce()
  //
  // Claims and processes one batch on the calling thread. Returns how many
  // items it claimed. Tests drive the dispatcher with it.
  absl::StatusOr<int> RunOnce();

 private:
  // One claimed item on its way through a batch.
  struct Job;

  void Work();
  // Claims and processes one batch; `idle_for` says how long to wait before
  // the next claim when nothing was due.
  absl::StatusOr<int> RunBatch(absl::Duration* idle_for);
  // Delivers the batch's reminders, with one read of their records and
  // rituals and one write of what became of them.
  void SendAll(std::vector<Job>& jobs,
               std::vector<engine::QueuedReminder>* next);
  // Delivers one reminder, given its record and ritual as read with the
  // batch; an error means "nack it". The record to save goes to `save`; a
  // reminder held for quiet hours adds its new queue item to `next`.
  absl::Status Send(const pairing::v1::Couple& couple,
                    const engine::Couple& people, v1::Reminder reminder,
                    const std::optional<RecordSummary>& record,
                    const std::optional<v1::Ritual>& ritual, int attempts,
                    std::optional<v1::Reminder>* save,
                    std::vector<engine::QueuedReminder>* next);
  // Settles and plans the batch's ticks (Scheduler::SettleAndPlanBatch).
  void PlanAll(std::vector<Job>& jobs,
               std::vector<engine::QueuedReminder>* next);
  // Runs the batch's sweeps: one read of each couple's records past the
  // retention and one write forgetting them. A couple with more left gets
  // another sweep, due now.
  void SweepAll(std::vector<Job>& jobs,
                std::vector<engine::QueuedReminder>* next);

  engine::DueQueue* const queue_;
  Scheduler* const scheduler_;
  const std::vector<DeliverySink*> sinks_;
  ContentSource* const content_;
  const engine::Clock* const clock_;
  const DispatcherOptions options_;
  std::atomic<bool> running_{false};
  absl::Mutex recovery_mu_;
  absl::Time last_recovery_ ABSL_GUARDED_BY(recovery_mu_) =
      absl::InfinitePast();
  // Sweep ids this replica has queued lately: a couple's many deliveries
  // in one slot ask the queue for its sweep once. Forgotten wholesale when
  // it grows large; the queue is idempotent on ids anyway.
  absl::Mutex sweeps_mu_;
  absl::flat_hash_set<std::string> sweeps_queued_ ABSL_GUARDED_BY(sweeps_mu_);
  std::vector<std::thread> threads_;
};

}  // namespace tend::scheduler

#endif  // TEND_SERVICES_SCHEDULER_DISPATCHER_H_
