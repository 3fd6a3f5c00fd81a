#include "services/prompt/server.h"

#include <memory>

#include "absl/flags/flag.h"
#include "engine/base/log.h"
#include "engine/redis/redis_client.h"
#include "engine/redis/redis_clock.h"
#include "engine/time/clock.h"
#include "services/common/auth.h"
#include "services/common/couple_directory.h"
#include "services/common/flags.h"
#include "services/common/peer.h"
#include "services/common/periodic.h"
#include "services/common/server.h"
#include "services/prompt/catalog.h"
#include "services/prompt/peers.h"
#include "services/prompt/prompt.h"
#include "services/prompt/prompt_service.h"

ABSL_FLAG(std::string, catalog_dir, "",
          "Read the catalog from this directory's *.textproto files instead "
          "of the copy compiled into the binary, e.g. to try edits to "
          "services/prompt/catalog without a rebuild. Every file is checked "
          "as at start-up; a bad one stops the service.");

namespace tend::prompt {
namespace {

// How often couple scores the scheduler has not taken are sent again.
constexpr absl::Duration kRelayInterval = absl::Seconds(30);

int Fail(absl::string_view message) {
  return services::StartupFailure("prompt", message);
}

}  // namespace

int RunServer() {
  services::BlockTerminationSignals();
  absl::StatusOr<services::StartupFlags> flags =
      services::ReadStartupFlags("pairing");
  if (!flags.ok()) return Fail(flags.status().message());
  if (absl::GetFlag(FLAGS_pairing_addr).empty()) {
    return Fail("--pairing_addr is required: couples live in pairing");
  }
  const std::string catalog_dir = absl::GetFlag(FLAGS_catalog_dir);
  absl::StatusOr<std::unique_ptr<Catalog>> catalog =
      catalog_dir.empty() ? Catalog::Embedded()
                          : Catalog::FromDirectory(catalog_dir);
  if (!catalog.ok()) {
    return Fail(absl::StrCat("catalog: ", catalog.status().message()));
  }
  Log(LogLevel::kInfo, "catalog.loaded",
      {{"items", (*catalog)->items().size()},
       {"source", catalog_dir.empty() ? "embedded" : catalog_dir}});

  engine::RedisClient redis(flags->redis);
  engine::RedisKeyClock test_clock(&redis);
  const engine::Clock* clock = services::ClockFromFlags(&test_clock);
  services::Authenticator auth(flags->auth, clock);
  services::ServiceToken token(flags->auth.service_secret, "prompt", clock);
  services::Peer pairing(absl::GetFlag(FLAGS_pairing_addr), &token);
  services::Peer scheduler(absl::GetFlag(FLAGS_scheduler_addr), &token);
  services::CoupleDirectory couples(&pairing, clock);
  GrpcSchedulerLink scheduler_link(&scheduler);
  Prompt prompt(&redis, catalog->get(), &couples,
                scheduler.configured() ? &scheduler_link : nullptr, clock,
                PromptOptions{});
  PromptServiceImpl service(&auth, &prompt);

  // Couple scores the scheduler could not take at once go again later.
  services::PeriodicTask relay("relay", kRelayInterval, [&prompt] {
    return prompt.RelayPendingScores().status();
  });
  return services::ServeUntilSignal(
      services::ServerConfigFromFlags("prompt", {&service}, &redis));
}

}  // namespace tend::prompt
