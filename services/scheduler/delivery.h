// Delivery: where a due reminder goes.
//
// The dispatcher hands each reminder to every DeliverySink: the live gRPC
// stream (LiveHub) and push to the person's devices (PushSink: FCM, APNs,
// webhooks). The reminder's id is the idempotency key on every channel, so
// a retried send is recognisable and never shows twice.
//
// A sink reports a failure worth retrying as UNAVAILABLE (or another
// retryable code). When the provider said how long to wait (HTTP
// Retry-After), the status carries it, and the dispatcher's retry waits at
// least that long:
//
//   return WithRetryAfter(absl::UnavailableError("fcm: http 429"),
//                         absl::Seconds(30));
//   ...
//   queue->Nack(item, status.message(), RetryAfterOf(status), now);
#ifndef TEND_SERVICES_SCHEDULER_DELIVERY_H_
#define TEND_SERVICES_SCHEDULER_DELIVERY_H_

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "tend/scheduler/v1/scheduler.pb.h"

namespace tend::scheduler {

// DeliverySink
//
// Thread-safe. Deliver() answers UNAVAILABLE (or another retryable code)
// for a failure worth retrying; the dispatcher retries with backoff.
class DeliverySink {
 public:
  virtual ~DeliverySink() = default;

  // Deliver()
  //
  // Sends `reminder`, content filled in, to its recipient.
  virtual absl::Status Deliver(const v1::Reminder& reminder) = 0;
};

// DeliverToAll()
//
// Hands `reminder` to every sink, even when one fails: a retry resends only
// what a sink has not settled, and the reminder id makes repeats harmless.
// Returns the first failure, carrying the longest Retry-After of all.
absl::Status DeliverToAll(const std::vector<DeliverySink*>& sinks,
                          const v1::Reminder& reminder);

// WithRetryAfter()
//
// `status` (not OK) carrying the wait a provider asked for.
absl::Status WithRetryAfter(absl::Status status, absl::Duration wait);

// RetryAfterOf()
//
// The wait `status` carries, if any.
std::optional<absl::Duration> RetryAfterOf(const absl::Status& status);

}  // namespace tend::scheduler

#endif  // TEND_SERVICES_SCHEDULER_DELIVERY_H_
