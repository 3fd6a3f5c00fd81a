// OutboxRelay: tells the scheduler what happened to couples.
//
// Pairing's Lua scripts append an event to "tend:pairing:outbox" in the same
// step as the change itself, so no formed or dissolved couple goes
// unannounced even if the process dies right after. The relay sends the
// events in order, each with a service token:
//
//   formed    → SeedDefaultRituals (or, for a couple restored within the
//               undo window, re-plans its rituals)
//   dissolved → CancelCoupleSchedule, erasing at once when asked
//   changed   → RescheduleCouple (zones, windows, budgets changed)
//
// An event leaves the outbox only after the scheduler took it, or refused
// it for good (NOT_FOUND, INVALID_ARGUMENT, ...). Every call is idempotent,
// so two replicas relaying the same event is harmless.
#ifndef TEND_SERVICES_PAIRING_OUTBOX_H_
#define TEND_SERVICES_PAIRING_OUTBOX_H_

#include <atomic>
#include <memory>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "engine/redis/redis_client.h"
#include "services/common/peer.h"
#include "tend/scheduler/v1/scheduler.grpc.pb.h"

namespace tend::pairing {

// OutboxRelay
//
// Thread-safe.
class OutboxRelay {
 public:
  OutboxRelay(engine::RedisClient* redis, const services::Peer* scheduler);
  ~OutboxRelay();

  // RelayOnce()
  //
  // Sends events until the outbox is empty or the scheduler is unavailable.
  // Returns how many left the outbox.
  absl::StatusOr<int> RelayOnce();

  // Start() / Stop()
  //
  // A thread that relays every `interval`.
  void Start(absl::Duration interval = absl::Milliseconds(500));
  void Stop();

 private:
  absl::Status Send(const std::string& event);

  engine::RedisClient* const redis_;
  const services::Peer* const scheduler_;
  std::unique_ptr<scheduler::v1::SchedulerService::Stub> stub_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace tend::pairing

#endif  // TEND_SERVICES_PAIRING_OUTBOX_H_
