// PushSink: a due reminder, pushed to every registered device of its
// recipient — FCM for Android, APNs for iOS, signed webhooks.
//
// The dispatcher calls Deliver() once per attempt. Each device is sent to
// until it is settled for the reminder's delivery key (push::DeliveryKey):
// delivered, or refused for good. A retry sends only to the devices still
// unsettled, so the receiver sees each reminder once per device; a device
// whose token the provider calls dead (FCM UNREGISTERED / 404, APNs 410 or
// BadDeviceToken, a webhook's 410) is forgotten and not retried. When any
// device failed transiently, Deliver() answers UNAVAILABLE carrying the
// longest Retry-After the providers asked for, and the dispatcher retries
// with backoff until the queue dead-letters the reminder with this error.
//
// Every attempt on every device is recorded (SchedulerStore::
// RecordDelivery: provider, outcome, HTTP status, latency, error). Nothing
// here logs a token or a reminder's words.
//
//   PushSink push(&store, &providers, clock, "scheduler-0");
//   Dispatcher dispatcher(&queue, &scheduler, {&live, &push}, ...);
#ifndef TEND_SERVICES_SCHEDULER_PUSH_SINK_H_
#define TEND_SERVICES_SCHEDULER_PUSH_SINK_H_

#include <string>

#include "engine/time/clock.h"
#include "services/scheduler/delivery.h"
#include "services/scheduler/push/push_config.h"
#include "services/scheduler/scheduler_store.h"

namespace tend::scheduler {

// PushSink
//
// Thread-safe; holds pointers only, which must outlive it.
class PushSink final : public DeliverySink {
 public:
  // `worker` names this replica in delivery records.
  PushSink(SchedulerStore* store, const push::ProviderSet* providers,
           const engine::Clock* clock, std::string worker);

  absl::Status Deliver(const v1::Reminder& reminder) override;

 private:
  SchedulerStore* const store_;
  const push::ProviderSet* const providers_;
  const engine::Clock* const clock_;
  const std::string worker_;
};

}  // namespace tend::scheduler

#endif  // TEND_SERVICES_SCHEDULER_PUSH_SINK_H_
