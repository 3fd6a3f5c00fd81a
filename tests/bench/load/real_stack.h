// RealStack: Tend's three real binaries and a private redis-server on
// loopback, for the API benchmark and the soak; and the onboarding every
// couple goes through there.
//
// Wired as deploy/local/stack.sh wires them: the services call one another,
// so their ports are chosen up front and every service gets all three
// addresses; secrets come through TEND_* variables. With `test_clock`, the
// prompt service and the scheduler read "now" from Redis key
// tend:test:clock (SetClock() moves it), so simulated days pass in minutes;
// pairing always runs on the real clock. It has no gtest in it, unlike
// tests/e2e/e2e_stack.h, because benchmarks run outside a test.
//
//   bench::RealStack stack;
//   absl::Status s = stack.Start({.bin_dir = "build/bin"});
//   auto pairing = pairing::v1::PairingService::NewStub(
//       stack.Channel(bench::Tier::kPairing));
//   absl::StatusOr<bench::Couple> couple = bench::Onboard(stubs, "u1", "u2",
//   ...); bench::MemoryOf(stack.pid(bench::Tier::kScheduler));
#ifndef TEND_TESTS_BENCH_LOAD_REAL_STACK_H_
#define TEND_TESTS_BENCH_LOAD_REAL_STACK_H_

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/redis/redis_client.h"
#include "grpcpp/grpcpp.h"
#include "tend/pairing/v1/pairing.grpc.pb.h"
#include "tend/prompt/v1/prompt.grpc.pb.h"
#include "tend/scheduler/v1/scheduler.grpc.pb.h"
#include "tests/support/child_process.h"
#include "tests/support/redis_server.h"

namespace tend::bench {

// The secrets the spawned binaries get; the benchmarks mint JWTs with them.
inline constexpr char kBenchJwtSecret[] = "bench-user-secret";
inline constexpr char kBenchServiceSecret[] = "bench-service-secret";

// The three services, in start order.
enum class Tier { kPairing = 0, kPrompt = 1, kScheduler = 2 };
inline constexpr std::array<Tier, 3> kTiers = {Tier::kPairing, Tier::kPrompt,
                                               Tier::kScheduler};
const char* TierName(Tier tier);

// StackOptions
struct StackOptions {
  // Where tend-pairing, tend-prompt and tend-scheduler are.
  std::string bin_dir;
  // Prompt and scheduler run with --test_clock; Start() sets the clock to
  // the next whole second of real time first.
  bool test_clock = false;
  // Extra flags for every service, e.g. "--log_level=warning".
  std::vector<std::string> extra_flags;
  // Extra flags for the scheduler only.
  std::vector<std::string> scheduler_flags;
};

// MemoryUse
//
// From /proc/PID/status, in bytes: resident now (VmRSS) and its peak
// (VmHWM).
struct MemoryUse {
  int64_t rss = 0;
  int64_t peak = 0;
};
absl::StatusOr<MemoryUse> MemoryOf(pid_t pid);

// RealStack
//
// Driven from one thread; the channels and stubs made from it may be used
// from any.
class RealStack {
 public:
  RealStack();
  ~RealStack();
  RealStack(const RealStack&) = delete;
  RealStack& operator=(const RealStack&) = delete;

  absl::Status Start(const StackOptions& options);
  // Stop()
  //
  // SIGTERM to each service, scheduler first; returns the first that did
  // not exit 0. Drop your channels first, or each waits its drain timeout.
  absl::Status Stop();

  const std::string& address(Tier tier) const {
    return addresses_[static_cast<int>(tier)];
  }
  pid_t pid(Tier tier) const;
  // A channel shared by whoever asks.
  std::shared_ptr<grpc::Channel> Channel(Tier tier) const;
  // Everything the service wrote to stderr so far (its JSON log).
  std::string Stderr(Tier tier) const;

  engine::RedisClient* redis() { return redis_.get(); }
  // INFO memory's used_memory, in bytes.
  absl::StatusOr<int64_t> RedisUsedMemory();

  absl::Time clock() const { return clock_; }
  absl::Status SetClock(absl::Time t);

 private:
  testing::RedisServer redis_server_;
  std::unique_ptr<engine::RedisClient> redis_;
  std::array<std::unique_ptr<testing::ChildProcess>, 3> processes_;
  std::array<std::string, 3> addresses_;
  std::array<std::shared_ptr<grpc::Channel>, 3> channels_;
  absl::Time clock_;
};

// UserBearer()
//
// "Bearer <jwt>" for `user`, signed with kBenchJwtSecret, valid for a year.
std::string UserBearer(const std::string& user);

// WithAuth()
//
// A client context with `bearer` and a 10-second deadline.
std::unique_ptr<grpc::ClientContext> WithAuth(const std::string& bearer);

// Stubs
//
// One stub per service, on the stack's shared channels.
struct Stubs {
  explicit Stubs(const RealStack& stack);
  std::unique_ptr<pairing::v1::PairingService::Stub> pairing;
  std::unique_ptr<prompt::v1::PromptService::Stub> prompt;
  std::unique_ptr<scheduler::v1::SchedulerService::Stub> scheduler;
};

// Couple
//
// An onboarded couple: its resource name and both partners' user ids.
struct Couple {
  std::string name;
  std::string a;
  std::string b;
};

// Onboard()
//
// What a couple's first minutes in the app do: both partners set their
// profile (zone, waking hours 06-23, quiet hours 23-06), `a` invites and `b`
// accepts, the rituals pairing seeds arrive (polled for up to 20 s), and
// both partners accept them all. The error names the step that failed.
absl::StatusOr<Couple> Onboard(Stubs& stubs, const std::string& a,
                               const std::string& b, const std::string& zone_a,
                               const std::string& zone_b);

// UpdateProfile()
//
// Sets display name, zone, waking hours 06-23 and quiet hours from
// `quiet_start` to 06:00.
grpc::Status UpdateProfile(Stubs& stubs, const std::string& user,
                           const std::string& zone, int quiet_start);

// kZones
//
// Eight zones around the world that the benchmarks spread people over.
inline constexpr std::array<const char*, 8> kZones = {
    "America/Los_Angeles", "America/New_York", "Europe/London",
    "Europe/Paris",        "Asia/Kolkata",     "Asia/Tokyo",
    "Australia/Sydney",    "Pacific/Auckland"};

}  // namespace tend::bench

#endif  // TEND_TESTS_BENCH_LOAD_REAL_STACK_H_
