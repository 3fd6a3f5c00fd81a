// StackTest: a fixture that runs Tend's real binaries against one private
// redis-server, with a clock the test controls.
//
// The services run with --test_clock read "now" from Redis key
// tend:test:clock; the fixture owns that key, so simulated weeks pass in
// seconds for every process at once. The only real waits are bounded polls
// for the processes' progress (Poll()), never business time. When a test
// fails, TearDown() prints every child's stderr.
//
//   class MyTest : public e2e::StackTest {};
//   TEST_F(MyTest, Works) {
//     absl::StatusOr<e2e::Service> pairing =
//         Spawn("pairing", {TEND_PAIRING_BIN, "--listen=127.0.0.1:0"});
//     ASSERT_TRUE(pairing.ok()) << pairing.status();
//     ASSERT_TRUE(SetClock(clock() + absl::Hours(1)).ok());
//     ASSERT_TRUE(Poll([&] { return ...; }, absl::Seconds(10)));
//   }
#ifndef TEND_TESTS_E2E_E2E_STACK_H_
#define TEND_TESTS_E2E_E2E_STACK_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/queue/due_queue.h"
#include "engine/redis/redis_client.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tend/pairing/v1/pairing.grpc.pb.h"
#include "tests/support/child_process.h"
#include "tests/support/redis_server.h"

namespace tend::e2e {

// The secrets every spawned binary gets through TEND_* variables.
inline constexpr char kJwtSecret[] = "e2e-user-secret";
inline constexpr char kServiceSecret[] = "e2e-service-secret";

// Poll()
//
// Calls `done` every `interval` until it returns true or `timeout` has
// passed; returns whether it did. The interval is real time that paces the
// polling of a process's progress, not business time.
bool Poll(const std::function<bool()>& done, absl::Duration timeout,
          absl::Duration interval = absl::Milliseconds(5));

// UserBearer(), ServiceBearer()
//
// "Bearer <jwt>" for a user, or for "service:<name>", valid for a year of
// real time: the scheduler judges `exp` by the test clock and pairing by
// the real one, and the test clock only moves forward from real now.
std::string UserBearer(const std::string& user_id);
std::string ServiceBearer(const std::string& service);

// WithAuth()
//
// A client context carrying `bearer` and a 10-second deadline.
std::unique_ptr<grpc::ClientContext> WithAuth(const std::string& bearer);

// SetDayProfile()
//
// Gives `user` the profile the e2e suites use: named after them, in `zone`,
// awake 06:00-23:00, quiet 23:00-06:00.
grpc::Status SetDayProfile(pairing::v1::PairingService::Stub* pairing,
                           const std::string& user, const std::string& zone);

// Service
//
// A spawned binary that printed its "listening on" line.
struct Service {
  testing::ChildProcess* process = nullptr;
  std::string address;
  std::shared_ptr<grpc::Channel> channel;
};

// QueueTotals
//
// DueQueue::Stats() summed over the shards, with the scheduler's history
// sweeps (queue ids "sweep.…", due a retention after each delivery) counted
// apart: `scheduled` is the reminders, ticks and resumes still to run.
struct QueueTotals {
  int64_t scheduled = 0;
  int64_t sweeps = 0;
  int64_t due_unclaimed = 0;
  int64_t leased = 0;
  int64_t dead = 0;
};

// StackTest
//
// Driven from the test thread.
class StackTest : public ::testing::Test {
 protected:
  StackTest();
  ~StackTest() override;

  // Starts Redis (StartRedis()) and sets the test clock to real now.
  void SetUp() override;
  // On failure, prints the stderr of every process spawned.
  void TearDown() override;

  // StartRedis()
  //
  // Starts the Redis of the stack and returns its url, which the fixture's
  // client and every spawned binary (TEND_REDIS) use. By default one
  // private redis-server (redis_server()); a fault test may start another
  // shape, e.g. a Sentinel set.
  virtual absl::StatusOr<std::string> StartRedis();

  // Spawn()
  //
  // Starts `argv` with TEND_REDIS and both secrets in its environment, waits
  // for its "listening on" line and opens a channel to it. `name` labels
  // its stderr in failure output. The fixture owns the process.
  absl::StatusOr<Service> Spawn(const std::string& name,
                                std::vector<std::string> argv);

  // The test clock.
  absl::Time clock() const { return clock_; }
  absl::Status SetClock(absl::Time t);
  absl::Status AdvanceClock(absl::Duration d) { return SetClock(clock_ + d); }

  // Totals()
  //
  // The queue's state judged at the test clock's now.
  absl::StatusOr<QueueTotals> Totals();

  // Pair()
  //
  // `inviter` invites and `invitee` accepts, through the pairing API.
  // Stores the invite code in `code` when given.
  absl::StatusOr<pairing::v1::Couple> Pair(
      pairing::v1::PairingService::Stub* stub, const std::string& inviter,
      const std::string& invitee, std::string* code = nullptr);

  // Logs()
  //
  // Every spawned process's stderr, labelled.
  std::string Logs() const;

  testing::RedisServer& redis_server() { return redis_server_; }
  const std::string& redis_url() const { return redis_url_; }
  engine::RedisClient* redis() { return redis_.get(); }
  engine::RedisOptions redis_options() const { return redis_options_; }
  engine::DueQueue* queue() { return queue_.get(); }

 private:
  testing::RedisServer redis_server_;
  std::string redis_url_;
  engine::RedisOptions redis_options_;
  std::unique_ptr<engine::RedisClient> redis_;
  // The binaries' defaults: prefix tend:q, 16 shards, 30 s leases.
  std::unique_ptr<engine::DueQueue> queue_;
  absl::Time clock_;
  std::vector<std::pair<std::string, std::unique_ptr<testing::ChildProcess>>>
      children_;
};

}  // namespace tend::e2e

#endif  // TEND_TESTS_E2E_E2E_STACK_H_
