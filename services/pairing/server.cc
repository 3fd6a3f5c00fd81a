#include "services/pairing/server.h"

#include <atomic>

#include "absl/flags/flag.h"
#include "engine/base/log.h"
#include "engine/redis/redis_client.h"
#include "engine/redis/redis_clock.h"
#include "engine/time/clock.h"
#include "services/common/auth.h"
#include "services/common/flags.h"
#include "services/common/peer.h"
#include "services/common/periodic.h"
#include "services/common/server.h"
#include "services/pairing/outbox.h"
#include "services/pairing/pairing.h"
#include "services/pairing/pairing_service.h"
#include "services/pairing/peer_exports.h"

ABSL_FLAG(absl::Duration, invite_ttl, absl::Hours(24),
          "How long an invite code works before it expires.");
ABSL_FLAG(absl::Duration, undo_window, absl::Hours(24 * 7),
          "After Unpair, how long the shared history is kept (readable to "
          "nobody) so the two can re-pair and get it back.");

namespace tend::pairing {

int RunServer() {
  services::BlockTerminationSignals();
  absl::StatusOr<services::StartupFlags> flags = services::ReadStartupFlags();
  if (!flags.ok()) {
    return services::StartupFailure("pairing", flags.status().message());
  }
  engine::RedisClient redis(flags->redis);
  engine::RedisKeyClock test_clock(&redis);
  const engine::Clock* clock = services::ClockFromFlags(&test_clock);
  services::Authenticator auth(flags->auth, clock);
  PairingOptions options;
  options.invite_ttl = absl::GetFlag(FLAGS_invite_ttl);
  options.undo_window = absl::GetFlag(FLAGS_undo_window);
  Pairing pairing(&redis, clock, options);
  PairingServiceImpl service(&auth, &pairing);

  // Couple and erasure events reach the scheduler (and, when
  // --prompt_addr is set, the prompt service) through the outbox; the
  // same peers give ExportMyData their parts.
  std::unique_ptr<services::ServiceToken> token;
  std::unique_ptr<services::Peer> scheduler;
  std::unique_ptr<services::Peer> prompt;
  std::unique_ptr<PeerExports> exports;
  std::unique_ptr<OutboxRelay> relay;
  const std::string scheduler_addr = absl::GetFlag(FLAGS_scheduler_addr);
  const std::string prompt_addr = absl::GetFlag(FLAGS_prompt_addr);
  if (!scheduler_addr.empty() || !prompt_addr.empty()) {
    if (flags->auth.service_secret.empty()) {
      return services::StartupFailure(
          "pairing",
          "--scheduler_addr and --prompt_addr need --service_secret");
    }
    token = std::make_unique<services::ServiceToken>(
        flags->auth.service_secret, "pairing", clock);
    scheduler = std::make_unique<services::Peer>(scheduler_addr, token.get());
    prompt = std::make_unique<services::Peer>(prompt_addr, token.get());
    exports = std::make_unique<PeerExports>(prompt.get(), scheduler.get());
    pairing.UsePeerExports(exports.get());
  }
  if (!scheduler_addr.empty()) {
    if (prompt_addr.empty()) {
      Log(LogLevel::kWarning, "outbox.no_prompt",
          {{"detail",
            "without --prompt_addr, DeleteMyData and the undo "
            "window's purge do not reach the prompt service"}});
    }
    relay =
        std::make_unique<OutboxRelay>(&redis, scheduler.get(), prompt.get());
    relay->Start();
  }

  // Erases unpaired histories once their undo window has passed.
  services::PeriodicTask purge("purge", absl::Minutes(1), [&pairing] {
    return pairing.PurgeDissolved().status();
  });
  const int exit_code = services::ServeUntilSignal(
      services::ServerConfigFromFlags("pairing", {&service}, &redis));
  if (relay != nullptr) relay->Stop();
  return exit_code;
}

}  // namespace tend::pairing
