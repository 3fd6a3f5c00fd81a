// OutboxRelay: tells the scheduler and the prompt service what happened to
// couples and people.
//
// Pairing's Lua scripts append an event to "tend:pairing:outbox" in the same
// step as the change itself, so no formed or dissolved couple and no erased
// person goes unannounced even if the process dies right after. The relay
// sends the events in order, each with a service token:
//
//   formed      → scheduler SeedDefaultRituals (or, for a couple restored
//                 within the undo window, re-plans its rituals)
//   dissolved   → scheduler CancelCoupleSchedule, erasing at once when
//                 asked; when erasing, also prompt EraseCoupleData
//   changed     → scheduler RescheduleCouple (zones, windows, budgets)
//   user_erased → EraseUserData on both (DeleteMyData; it follows the
//                 dissolved events of the person's couples)
//
// An event leaves the outbox only after every peer it is for took it, or
// refused it for good (NOT_FOUND, INVALID_ARGUMENT, ...): while one peer is
// unavailable the event stays at the head and is sent to both again later.
// Every call is idempotent (erasing twice finds nothing the second time),
// so resending, or two replicas relaying the same event, is harmless. A
// prompt Peer that is not configured (development without the prompt
// service) receives nothing.
#ifndef TEND_SERVICES_PAIRING_OUTBOX_H_
#define TEND_SERVICES_PAIRING_OUTBOX_H_

#include <atomic>
#include <memory>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "engine/redis/redis_client.h"
#include "services/common/peer.h"
#include "tend/prompt/v1/prompt.grpc.pb.h"
#include "tend/scheduler/v1/scheduler.grpc.pb.h"

namespace tend::pairing {

// OutboxRelay
//
// Thread-safe.
class OutboxRelay {
 public:
  // `prompt` may be null: the prompt service is then not told.
  OutboxRelay(engine::RedisClient* redis, const services::Peer* scheduler,
              const services::Peer* prompt = nullptr);
  ~OutboxRelay();

  // RelayOnce()
  //
  // Sends events until the outbox is empty or a peer is unavailable.
  // Returns how many left the outbox.
  absl::StatusOr<int> RelayOnce();

  // Start() / Stop()
  //
  // A thread that relays every `interval`.
  void Start(absl::Duration interval = absl::Milliseconds(500));
  void Stop();

 private:
  absl::Status Send(const std::string& event);
  // The prompt service's part of an event; OK when it has none.
  absl::Status SendToPrompt(const std::string& kind, const std::string& couple,
                            const std::string& user, bool erase);

  engine::RedisClient* const redis_;
  const services::Peer* const scheduler_;
  const services::Peer* const prompt_;
  std::unique_ptr<scheduler::v1::SchedulerService::Stub> stub_;
  std::unique_ptr<prompt::v1::PromptService::Stub> prompt_stub_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace tend::pairing

#endif  // TEND_SERVICES_PAIRING_OUTBOX_H_
