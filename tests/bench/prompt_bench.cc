// GetDailyQuestion under load: throughput and latency at 32 concurrent
// callers over real gRPC, as a ratio to the same server's health-check
// RPC measured in the same run (target: at least 50% of its throughput).
//
// Wired as in production: pairing's business logic behind a real gRPC
// server on loopback, the prompt service behind another, its couples
// looked up in pairing with a service token and cached for the production
// TTL of 5 s; one private redis-server (tests/support) on a free loopback
// port; the real clock. --couples couples are onboarded (profiles in eight
// zones, invite, accept) and each partner asks once for today's question
// before timing starts, so the timed calls are what a person's app does
// all day: read the day's question with who has answered, authenticated
// with a user JWT. The health check (grpc.health.v1.Health/Check, no
// token) is the floor: the same server, the same transport, no work.
//
// Each caller is a thread with its own channel (its own TCP connection)
// that calls back to back for --seconds (tests/bench/load/rpc_load.h, which
// tend-bench-api shares for the real binaries); modes alternate (health, daily,
// catalog item) round after round so that a noisy neighbour hurts all. The
// third mode, GetCatalogItem, is the same service's cheapest authenticated
// RPC (no Redis): it splits the gap between the two into what any
// authenticated call costs here and what the daily question adds. Throughput is
// calls per second over all callers; latency percentiles are per call.
//
//   cmake -S . -B /tmp/build-bench -DTEND_BUILD_BENCH=ON
//   -DCMAKE_BUILD_TYPE=Release cmake --build /tmp/build-bench --target
//   tend-bench-prompt /tmp/build-bench/bin/tend-bench-prompt
//   2>/tmp/prompt-bench.log
//
// Output: human-readable lines, then "RESULT key value" lines.
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engine/base/log.h"
#include "engine/redis/redis_client.h"
#include "engine/time/clock.h"
#include "services/common/auth.h"
#include "services/common/couple_directory.h"
#include "services/common/peer.h"
#include "services/common/server.h"
#include "services/pairing/pairing.h"
#include "services/pairing/pairing_service.h"
#include "services/prompt/catalog.h"
#include "services/prompt/peers.h"
#include "services/prompt/prompt.h"
#include "services/prompt/prompt_service.h"
#include "tend/pairing/v1/pairing.grpc.pb.h"
#include "tend/prompt/v1/prompt.grpc.pb.h"
#include "tests/bench/load/rpc_load.h"
#include "tests/support/redis_server.h"
#include "tests/support/service_harness.h"

ABSL_FLAG(int, callers, 32, "Concurrent callers, one thread and channel each.");
ABSL_FLAG(int, couples, 16, "Couples onboarded; callers take turns as them.");
ABSL_FLAG(absl::Duration, seconds, absl::Seconds(5),
          "How long each timed round runs.");
ABSL_FLAG(int, rounds, 2, "Rounds of (health, daily, catalog item).");
ABSL_FLAG(int, redis_pool, 0,
          "Redis connections of the prompt service; 0 keeps the production "
          "default.");

namespace tend::prompt {
namespace {

using testing::kTestJwtSecret;
using testing::kTestServiceSecret;

int Run() {
  SetMinLogLevel(LogLevel::kWarning);
  const int callers = absl::GetFlag(FLAGS_callers);
  const int couples = absl::GetFlag(FLAGS_couples);
  engine::Clock* clock = engine::RealClock::Get();

  testing::RedisServer redis_server;
  if (absl::Status s = redis_server.Start(); !s.ok()) {
    std::fprintf(stderr, "redis: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  engine::RedisOptions redis_options =
      *engine::ParseRedisUrl(redis_server.url());
  if (absl::GetFlag(FLAGS_redis_pool) > 0) {
    redis_options.pool_size = absl::GetFlag(FLAGS_redis_pool);
  }
  engine::RedisClient redis(redis_options);
  services::AuthOptions auth_options;
  auth_options.jwt_secret = kTestJwtSecret;
  auth_options.service_secret = kTestServiceSecret;
  services::Authenticator auth(auth_options, clock);

  pairing::Pairing pairing(&redis, clock, pairing::PairingOptions{});
  pairing::PairingServiceImpl pairing_service(&auth, &pairing);
  services::ServerConfig pairing_config;
  pairing_config.name = "pairing";
  pairing_config.services = {&pairing_service};
  pairing_config.redis = &redis;
  auto pairing_server = services::RunningServer::Start(pairing_config);
  if (!pairing_server.ok()) return 1;

  auto catalog = Catalog::Embedded();
  if (!catalog.ok()) return 1;
  services::ServiceToken token(kTestServiceSecret, "prompt", clock);
  services::Peer pairing_peer((*pairing_server)->address(), &token);
  services::CoupleDirectory directory(&pairing_peer, clock);  // 5 s TTL
  Prompt prompt(&redis, catalog->get(), &directory, nullptr, clock,
                PromptOptions{});
  PromptServiceImpl prompt_service(&auth, &prompt);
  services::ServerConfig prompt_config;
  prompt_config.name = "prompt";
  prompt_config.services = {&prompt_service};
  prompt_config.redis = &redis;
  auto prompt_server = services::RunningServer::Start(prompt_config);
  if (!prompt_server.ok()) return 1;
  const std::string address = (*prompt_server)->address();

  // Onboarding: two partners a couple, in eight zones.
  const char* zones[] = {"America/Los_Angeles", "America/New_York",
                         "Europe/London",       "Europe/Paris",
                         "Asia/Kolkata",        "Asia/Tokyo",
                         "Australia/Sydney",    "Pacific/Auckland"};
  auto pairing_stub = pairing::v1::PairingService::NewStub(grpc::CreateChannel(
      (*pairing_server)->address(), grpc::InsecureChannelCredentials()));
  const absl::Time expire = clock->Now() + absl::Hours(2);
  auto with_token = [&](const std::string& user) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", testing::ServiceHarness::Bearer(
                                              kTestJwtSecret, user, expire));
    return context;
  };
  std::vector<std::string> users;
  std::vector<std::string> couple_of_user;
  for (int c = 0; c < couples; ++c) {
    const std::string a = absl::StrCat("bench-a", c);
    const std::string b = absl::StrCat("bench-b", c);
    for (const std::string& user : {a, b}) {
      pairing::v1::UpdatePartnerProfileRequest req;
      req.mutable_profile()->set_time_zone(zones[(c + users.size()) % 8]);
      req.mutable_update_mask()->add_paths("time_zone");
      pairing::v1::PartnerProfile out;
      pairing_stub->UpdatePartnerProfile(with_token(user).get(), req, &out);
    }
    pairing::v1::Invite invite;
    pairing_stub->CreateInvite(with_token(a).get(), {}, &invite);
    pairing::v1::AcceptInviteRequest accept;
    accept.set_code(invite.code());
    pairing::v1::Couple couple;
    if (!pairing_stub->AcceptInvite(with_token(b).get(), accept, &couple)
             .ok()) {
      std::fprintf(stderr, "onboarding failed\n");
      return 1;
    }
    users.push_back(a);
    users.push_back(b);
    couple_of_user.push_back(couple.name());
    couple_of_user.push_back(couple.name());
  }

  // Per caller: its own channel (bench::CallerPool), user and token. The
  // three RPCs are made the same way, a blocking unary call of
  // pre-serialized bytes, so the client costs the same and the difference
  // is the server's.
  bench::CallerPool pool(address, callers);
  std::vector<bench::UnaryRequest> daily, item;
  const std::vector<bench::UnaryRequest> health = {bench::HealthCheck()};
  for (int i = 0; i < callers; ++i) {
    const size_t u = i % users.size();
    const std::string authorization =
        testing::ServiceHarness::Bearer(kTestJwtSecret, users[u], expire);
    v1::GetDailyQuestionRequest request;
    request.set_parent(couple_of_user[u]);
    daily.push_back(
        bench::Request("/tend.prompt.v1.PromptService/GetDailyQuestion",
                       request, authorization));
    v1::GetCatalogItemRequest item_request;
    item_request.set_name(
        (*catalog)->items()[i % (*catalog)->items().size()].name());
    item.push_back(
        bench::Request("/tend.prompt.v1.PromptService/GetCatalogItem",
                       item_request, authorization));
  }
  // Warm up: every partner's question exists, every channel is connected.
  for (int i = 0; i < callers; ++i) {
    std::string question, serving;
    v1::Question parsed;
    if (!pool.Call(i, daily[i], &question).ok() ||
        !parsed.ParseFromString(question) || parsed.text().empty() ||
        !pool.Call(i, item[i]).ok() ||
        !pool.Call(i, health[0], &serving).ok() ||
        serving != std::string("\x08\x01", 2)) {  // SERVING
      std::fprintf(stderr, "warm-up call failed\n");
      return 1;
    }
  }
  bench::Measure(pool, daily, absl::Seconds(1));

  std::vector<bench::Round> health_rounds, item_rounds, daily_rounds;
  for (int r = 0; r < absl::GetFlag(FLAGS_rounds); ++r) {
    health_rounds.push_back(
        bench::Measure(pool, health, absl::GetFlag(FLAGS_seconds)));
    daily_rounds.push_back(
        bench::Measure(pool, daily, absl::GetFlag(FLAGS_seconds)));
    item_rounds.push_back(
        bench::Measure(pool, item, absl::GetFlag(FLAGS_seconds)));
  }
  auto summarize = [](const char* name,
                      const std::vector<bench::Round>& rounds) {
    const bench::Summary s = bench::Summarize(rounds);
    std::printf("%s\n", bench::FormatSummary(name, s).c_str());
    return s;
  };
  std::printf("%d callers, %d couples, %d rounds of %s per mode\n", callers,
              couples, absl::GetFlag(FLAGS_rounds),
              absl::FormatDuration(absl::GetFlag(FLAGS_seconds)).c_str());
  for (size_t r = 0; r < daily_rounds.size(); ++r) {
    std::printf("round %zu: health %.0f/s, daily %.0f/s (%.0f%%)\n", r + 1,
                health_rounds[r].calls_per_second,
                daily_rounds[r].calls_per_second,
                100 * daily_rounds[r].calls_per_second /
                    health_rounds[r].calls_per_second);
  }
  const bench::Summary h = summarize("Health/Check", health_rounds);
  const bench::Summary d = summarize("GetDailyQuestion", daily_rounds);
  const bench::Summary i = summarize("GetCatalogItem", item_rounds);
  std::printf(
      "GetDailyQuestion throughput is %.0f%% of the health check's "
      "(target: at least 50%%)\n",
      100 * d.calls_per_second / h.calls_per_second);
  std::printf("RESULT health_calls_per_second %.0f\n", h.calls_per_second);
  std::printf("RESULT health_p99_ms %.3f\n", absl::ToDoubleMilliseconds(h.p99));
  std::printf("RESULT daily_calls_per_second %.0f\n", d.calls_per_second);
  std::printf("RESULT daily_p50_ms %.3f\n", absl::ToDoubleMilliseconds(d.p50));
  std::printf("RESULT daily_p99_ms %.3f\n", absl::ToDoubleMilliseconds(d.p99));
  std::printf("RESULT item_calls_per_second %.0f\n", i.calls_per_second);
  std::printf("RESULT item_p99_ms %.3f\n", absl::ToDoubleMilliseconds(i.p99));
  std::printf("RESULT throughput_ratio %.3f\n",
              d.calls_per_second / h.calls_per_second);
  (*prompt_server)->Shutdown(absl::ZeroDuration());
  (*pairing_server)->Shutdown(absl::ZeroDuration());
  return h.errors + d.errors + i.errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace tend::prompt

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return tend::prompt::Run();
}
