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
// that calls back to back for --seconds; modes alternate (health, daily,
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
#include <grpcpp/impl/client_unary_call.h>
#include <grpcpp/impl/rpc_method.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/barrier.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engine/base/log.h"
#include "engine/redis/redis_client.h"
#include "engine/time/clock.h"
#include "services/common/auth.h"
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

struct Round {
  double calls_per_second = 0;
  std::vector<absl::Duration> latencies;
  int64_t errors = 0;
};

absl::Duration Percentile(std::vector<absl::Duration> sorted, double p) {
  if (sorted.empty()) return absl::ZeroDuration();
  const size_t i =
      std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()));
  return sorted[i];
}

std::shared_ptr<grpc::Channel> OwnChannel(const std::string& address, int i) {
  grpc::ChannelArguments args;
  // A channel of its own: its own subchannel and TCP connection.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetString("tend.bench.caller", absl::StrCat(i));
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                   args);
}

// Runs `callers` threads calling `call(caller)` back to back for `length`.
template <typename Call>
Round Measure(int callers, absl::Duration length, const Call& call) {
  std::vector<std::vector<absl::Duration>> latencies(callers);
  std::atomic<int64_t> errors{0};
  std::atomic<bool> stop{false};
  absl::Barrier start(callers + 1);
  std::vector<std::thread> threads;
  for (int c = 0; c < callers; ++c) {
    threads.emplace_back([&, c] {
      latencies[c].reserve(200000);
      start.Block();
      while (!stop.load(std::memory_order_relaxed)) {
        const absl::Time before = absl::Now();
        if (!call(c)) errors.fetch_add(1);
        latencies[c].push_back(absl::Now() - before);
      }
    });
  }
  start.Block();
  const absl::Time began = absl::Now();
  absl::SleepFor(length);
  stop = true;
  for (std::thread& t : threads) t.join();
  const absl::Duration elapsed = absl::Now() - began;
  Round round;
  for (auto& l : latencies) {
    round.latencies.insert(round.latencies.end(), l.begin(), l.end());
  }
  std::sort(round.latencies.begin(), round.latencies.end());
  round.calls_per_second =
      round.latencies.size() / absl::ToDoubleSeconds(elapsed);
  round.errors = errors.load();
  return round;
}

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
  PairingCouples directory(&pairing_peer, clock);  // production TTL, 5 s
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

  // Per caller: its own channel, user and token. Both RPCs are made the
  // same way, a blocking unary call of pre-serialized bytes, so the client
  // costs the same and the difference is the server's.
  struct Caller {
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<grpc::internal::RpcMethod> daily;
    std::unique_ptr<grpc::internal::RpcMethod> health;
    std::unique_ptr<grpc::internal::RpcMethod> item;
    std::string authorization;
    grpc::ByteBuffer daily_request;
    grpc::ByteBuffer item_request;
  };
  std::vector<Caller> each(callers);
  grpc::Slice no_bytes(std::string{});
  const grpc::ByteBuffer health_request(&no_bytes, 1);  // HealthCheckRequest{}
  for (int i = 0; i < callers; ++i) {
    const size_t u = i % users.size();
    Caller& c = each[i];
    c.channel = OwnChannel(address, i);
    c.daily = std::make_unique<grpc::internal::RpcMethod>(
        "/tend.prompt.v1.PromptService/GetDailyQuestion",
        grpc::internal::RpcMethod::NORMAL_RPC, c.channel);
    c.health = std::make_unique<grpc::internal::RpcMethod>(
        "/grpc.health.v1.Health/Check", grpc::internal::RpcMethod::NORMAL_RPC,
        c.channel);
    c.item = std::make_unique<grpc::internal::RpcMethod>(
        "/tend.prompt.v1.PromptService/GetCatalogItem",
        grpc::internal::RpcMethod::NORMAL_RPC, c.channel);
    c.authorization =
        testing::ServiceHarness::Bearer(kTestJwtSecret, users[u], expire);
    v1::GetCatalogItemRequest item;
    item.set_name((*catalog)->items()[i % (*catalog)->items().size()].name());
    grpc::Slice item_slice(item.SerializeAsString());
    c.item_request = grpc::ByteBuffer(&item_slice, 1);
    v1::GetDailyQuestionRequest request;
    request.set_parent(couple_of_user[u]);
    grpc::Slice slice(request.SerializeAsString());
    c.daily_request = grpc::ByteBuffer(&slice, 1);
  }
  // One call; `check` sees the response bytes when given.
  enum class Mode { kHealth, kItem, kDaily };
  auto unary = [&](int i, Mode mode, std::string* check = nullptr) {
    Caller& c = each[i];
    grpc::ClientContext context;
    if (mode != Mode::kHealth) {
      context.AddMetadata("authorization", c.authorization);
    }
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    grpc::ByteBuffer response;
    const grpc::Status status = grpc::internal::BlockingUnaryCall(
        c.channel.get(),
        mode == Mode::kDaily  ? *c.daily
        : mode == Mode::kItem ? *c.item
                              : *c.health,
        &context,
        mode == Mode::kDaily  ? c.daily_request
        : mode == Mode::kItem ? c.item_request
                              : health_request,
        &response);
    if (status.ok() && check != nullptr) {
      std::vector<grpc::Slice> slices;
      (void)response.Dump(&slices);
      check->clear();
      for (const grpc::Slice& s : slices) {
        check->append(reinterpret_cast<const char*>(s.begin()), s.size());
      }
    }
    return status.ok();
  };
  auto daily = [&](int c) { return unary(c, Mode::kDaily); };
  auto item = [&](int c) { return unary(c, Mode::kItem); };
  auto health = [&](int c) { return unary(c, Mode::kHealth); };
  // Warm up: every partner's question exists, every channel is connected.
  for (int i = 0; i < callers; ++i) {
    std::string question, serving;
    v1::Question parsed;
    if (!unary(i, Mode::kDaily, &question) ||
        !parsed.ParseFromString(question) || parsed.text().empty() ||
        !unary(i, Mode::kItem) || !unary(i, Mode::kHealth, &serving) ||
        serving != std::string("\x08\x01", 2)) {  // SERVING
      std::fprintf(stderr, "warm-up call failed\n");
      return 1;
    }
  }
  Measure(callers, absl::Seconds(1), daily);

  std::vector<Round> health_rounds, item_rounds, daily_rounds;
  for (int r = 0; r < absl::GetFlag(FLAGS_rounds); ++r) {
    health_rounds.push_back(
        Measure(callers, absl::GetFlag(FLAGS_seconds), health));
    daily_rounds.push_back(
        Measure(callers, absl::GetFlag(FLAGS_seconds), daily));
    item_rounds.push_back(Measure(callers, absl::GetFlag(FLAGS_seconds), item));
  }
  auto summarize = [](const char* name, const std::vector<Round>& rounds) {
    double rate = 0;
    int64_t errors = 0;
    std::vector<absl::Duration> all;
    for (const Round& r : rounds) {
      rate += r.calls_per_second / rounds.size();
      errors += r.errors;
      all.insert(all.end(), r.latencies.begin(), r.latencies.end());
    }
    std::sort(all.begin(), all.end());
    std::printf(
        "%-18s %9.0f calls/s  p50 %7.3f ms  p99 %7.3f ms  errors %lld\n", name,
        rate, absl::ToDoubleMilliseconds(Percentile(all, 0.50)),
        absl::ToDoubleMilliseconds(Percentile(all, 0.99)),
        static_cast<long long>(errors));
    return std::make_tuple(rate, Percentile(all, 0.50), Percentile(all, 0.99),
                           errors);
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
  const auto [h_rate, h_p50, h_p99, h_errors] =
      summarize("Health/Check", health_rounds);
  const auto [d_rate, d_p50, d_p99, d_errors] =
      summarize("GetDailyQuestion", daily_rounds);
  const auto [i_rate, i_p50, i_p99, i_errors] =
      summarize("GetCatalogItem", item_rounds);
  std::printf(
      "GetDailyQuestion throughput is %.0f%% of the health check's "
      "(target: at least 50%%)\n",
      100 * d_rate / h_rate);
  std::printf("RESULT health_calls_per_second %.0f\n", h_rate);
  std::printf("RESULT health_p99_ms %.3f\n", absl::ToDoubleMilliseconds(h_p99));
  std::printf("RESULT daily_calls_per_second %.0f\n", d_rate);
  std::printf("RESULT daily_p50_ms %.3f\n", absl::ToDoubleMilliseconds(d_p50));
  std::printf("RESULT daily_p99_ms %.3f\n", absl::ToDoubleMilliseconds(d_p99));
  std::printf("RESULT item_calls_per_second %.0f\n", i_rate);
  std::printf("RESULT item_p99_ms %.3f\n", absl::ToDoubleMilliseconds(i_p99));
  std::printf("RESULT throughput_ratio %.3f\n", d_rate / h_rate);
  (*prompt_server)->Shutdown(absl::ZeroDuration());
  (*pairing_server)->Shutdown(absl::ZeroDuration());
  return h_errors + d_errors + i_errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace tend::prompt

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return tend::prompt::Run();
}
