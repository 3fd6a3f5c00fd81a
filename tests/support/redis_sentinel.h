// RedisSentinelSet: a Redis master, its replicas and a quorum of Sentinels,
// all private to one test, on free loopback ports.
//
// Tests that fail Redis over (the client's own test, the services' e2e and
// fault suites) start one of these, point their client or binaries at
// url(), kill the master with KillMaster() and wait for a replica to be
// promoted with WaitForFailover(). Every wait is on a condition with a
// generous bound, never a fixed sleep, so a loaded machine only makes the
// test slower. Every process dies with the object (and with the test).
//
//   tend::testing::RedisSentinelSet redis;
//   ASSERT_TRUE(redis.Start().ok());
//   ... spawn services with --redis=redis.url(1) ...
//   absl::StatusOr<int> old_master = redis.KillMaster();
//   ASSERT_TRUE(redis.WaitForFailover(*old_master).ok());
#ifndef TEND_TESTS_SUPPORT_REDIS_SENTINEL_H_
#define TEND_TESTS_SUPPORT_REDIS_SENTINEL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/support/child_process.h"
#include "tests/support/redis_server.h"

namespace tend::testing {

// SentinelSetOptions
//
// The shape of the set and how quickly Sentinel acts.
struct SentinelSetOptions {
  // Replicas of the first master. Two let a failover leave the new master
  // with a replica, so writes that WAIT for one (?replicas=1) go on.
  int replicas = 2;
  int sentinels = 3;
  int quorum = 2;
  // Sentinel's down-after-milliseconds and failover-timeout: fast, for a
  // test, but not so fast that a loaded machine looks like an outage.
  absl::Duration down_after = absl::Milliseconds(1000);
  absl::Duration failover_timeout = absl::Seconds(5);
  // Extra redis-server arguments for every data server, e.g. AOF.
  std::vector<std::string> server_args;
  // Bound of every wait in Start().
  absl::Duration start_timeout = absl::Seconds(60);
};

// RedisSentinelSet
//
// Not thread-safe; one test thread drives it.
class RedisSentinelSet {
 public:
  static constexpr char kMasterName[] = "tend-test";

  RedisSentinelSet();
  ~RedisSentinelSet();
  RedisSentinelSet(const RedisSentinelSet&) = delete;
  RedisSentinelSet& operator=(const RedisSentinelSet&) = delete;

  // Start()
  //
  // Starts the master, the replicas (waiting until each is in sync) and the
  // Sentinels (waiting until each knows the master, every replica and every
  // other Sentinel, so a failover can be authorised at once).
  absl::Status Start(SentinelSetOptions options = {});

  // url()
  //
  // "sentinel://127.0.0.1:P,.../tend-test/0", with "?replicas=N" when
  // `wait_replicas` is above zero.
  std::string url(int wait_replicas = 0) const;

  // MasterPort()
  //
  // The master's port according to the first Sentinel that answers.
  absl::StatusOr<int> MasterPort() const;

  // KillMaster()
  //
  // SIGKILLs the current master's server; returns its port.
  absl::StatusOr<int> KillMaster();

  // WaitForFailover()
  //
  // Until every live Sentinel names a master other than `old_port`, that
  // server answers ROLE as master and has `replicas` replicas online.
  // DEADLINE_EXCEEDED after `timeout`, with what was last seen.
  absl::Status WaitForFailover(int old_port, int replicas = 1,
                               absl::Duration timeout = absl::Seconds(60));

  // Restart()
  //
  // Starts again the killed server on `port`, with its data directory; the
  // Sentinels turn it into a replica of the current master.
  absl::Status Restart(int port);

  // The data servers, the first master first.
  const std::vector<std::unique_ptr<RedisServer>>& servers() const {
    return servers_;
  }

 private:
  RedisServer* ServerOnPort(int port) const;
  // The Sentinels' log files, for failure messages.
  std::string SentinelLogs() const;

  SentinelSetOptions options_;
  std::string dir_;
  std::vector<std::unique_ptr<RedisServer>> servers_;
  std::vector<int> sentinel_ports_;
  std::vector<std::unique_ptr<ChildProcess>> sentinels_;
};

}  // namespace tend::testing

#endif  // TEND_TESTS_SUPPORT_REDIS_SENTINEL_H_
