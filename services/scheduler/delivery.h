// Delivery: where a due reminder goes.
//
// The dispatcher hands each reminder to every DeliverySink: the live gRPC
// stream now, push providers (FCM, APNs, webhooks) behind the same
// interface. The reminder's id is the idempotency key on every channel, so
// a retried send is recognisable and never shows twice.
#ifndef TEND_SERVICES_SCHEDULER_DELIVERY_H_
#define TEND_SERVICES_SCHEDULER_DELIVERY_H_

#include "absl/status/status.h"
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

}  // namespace tend::scheduler

#endif  // TEND_SERVICES_SCHEDULER_DELIVERY_H_
