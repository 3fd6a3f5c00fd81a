#include "services/pairing/server.h"

#include <atomic>
#include <cstdio>

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
ABSL_FLAG(bool, test_clock, false,
          "Tests only: read the time from Redis key tend:test:clock (unix "
          "microseconds), as the scheduler's and the prompt service's "
          "--test_clock do, so invites, the undo window and the service "
          "tokens pairing sends its peers follow the same simulated time.");

namespace tend::pairing {

int RunServer() {
  services::BlockTerminationSignals();
  absl::StatusOr<engine::RedisOptions> redis_options =
      engine::ParseRedisUrl(absl::GetFlag(FLAGS_redis));
  absl::StatusOr<services::AuthOptions> auth_options =
      services::AuthOptionsFromFlags();
  for (const absl::Status& s :
       {redis_options.status(), auth_options.status()}) {
    if (!s.ok()) {
      std::fprintf(stderr, "tend-pairing: %s\n",
                   std::string(s.message()).c_str());
      return 2;
    }
  }
  engine::RedisClient redis(*redis_options);
  engine::RedisKeyClock test_clock(&redis);
  const engine::Clock* clock =
      absl::GetFlag(FLAGS_test_clock)
          ? static_cast<const engine::Clock*>(&test_clock)
          : engine::RealClock::Get();
  services::Authenticator auth(*auth_options, clock);
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
    if (auth_options->service_secret.empty()) {
      std::fprintf(stderr,
                   "tend-pairing: --scheduler_addr and --prompt_addr need "
                   "--service_secret\n");
      return 2;
    }
    token = std::make_unique<services::ServiceToken>(
        auth_options->service_secret, "pairing", clock);
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
  services::ServerConfig config;
  config.name = "pairing";
  config.listen = absl::GetFlag(FLAGS_listen);
  config.services = {&service};
  config.redis = &redis;
  const int exit_code = services::ServeUntilSignal(std::move(config));
  if (relay != nullptr) relay->Stop();
  return exit_code;
}

}  // namespace tend::pairing
