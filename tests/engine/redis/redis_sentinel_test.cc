// Following a Redis failover through Sentinel, with real processes: a
// master, a replica and a Sentinel. The master is killed mid-run; Sentinel
// promotes the replica, and the same client serves again on its own with
// every acknowledged write intact.
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/redis/redis_client.h"
#include "gtest/gtest.h"
#include "tests/support/child_process.h"
#include "tests/support/redis_server.h"

namespace tend::engine {
namespace {

TEST(RedisSentinelUrlTest, Parses) {
  absl::StatusOr<RedisOptions> o =
      ParseRedisUrl("sentinel://s1:26379,s2:26380/mymaster/2");
  ASSERT_TRUE(o.ok()) << o.status();
  ASSERT_EQ(o->sentinels.size(), 2u);
  EXPECT_EQ(o->sentinels[1].first, "s2");
  EXPECT_EQ(o->sentinels[1].second, 26380);
  EXPECT_EQ(o->master_name, "mymaster");
  EXPECT_EQ(o->db, 2);
  EXPECT_FALSE(ParseRedisUrl("sentinel://s1:26379").ok());
  EXPECT_FALSE(ParseRedisUrl("sentinel://s1:x/m").ok());
  o = ParseRedisUrl("sentinel://s1/mymaster/0?replicas=1");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->wait_replicas, 1);
  EXPECT_EQ(o->sentinels[0].second, 26379);
  EXPECT_FALSE(ParseRedisUrl("redis://h:1/0?wait=2").ok());
}

TEST(RedisSentinelTest, FollowsAFailoverWithoutLosingAcknowledgedWrites) {
  testing::RedisServer master;
  ASSERT_TRUE(master.Start().ok());
  testing::RedisServer replica;
  ASSERT_TRUE(replica
                  .Start({"--replicaof", "127.0.0.1",
                          absl::StrCat(master.port())})
                  .ok());
  const int sentinel_port = testing::FreeLoopbackPort();
  const std::string conf = absl::StrCat(master.dir(), "/sentinel.conf");
  {
    std::ofstream out(conf);
    out << "port " << sentinel_port << "\n"
        << "bind 127.0.0.1\n"
        << "dir " << master.dir() << "\n"
        << "sentinel monitor mymaster 127.0.0.1 " << master.port() << " 1\n"
        << "sentinel down-after-milliseconds mymaster 400\n"
        << "sentinel failover-timeout mymaster 2000\n";
  }
  testing::ChildProcess sentinel({"redis-server", conf, "--sentinel"});
  ASSERT_TRUE(sentinel.Start().ok());

  RedisOptions options = *ParseRedisUrl(
      absl::StrCat("sentinel://127.0.0.1:", sentinel_port, "/mymaster/0"));
  options.connect_timeout = absl::Milliseconds(200);
  options.command_timeout = absl::Seconds(3);
  RedisClient client(options);
  // Sentinel needs a moment to learn the master; a process, not a clock.
  absl::Status up;
  for (int i = 0; i < 100 && !(up = client.Ping()).ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(up.ok()) << up;

  // The replica must be in sync before WAIT can count it.
  RedisOptions replica_options;
  replica_options.port = replica.port();
  RedisClient replica_client(replica_options);
  bool linked = false;
  for (int i = 0; i < 200 && !linked; ++i) {
    auto role = replica_client.Command({"ROLE"});
    linked = role.ok() && role->elements.size() >= 4 &&
             role->elements[3].str == "connected";
    if (!linked) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(linked) << "the replica never synced";

  // Scripts (all of Tend's writes) wait for the replica: ?replicas=1.
  RedisOptions durable = options;
  durable.wait_replicas = 1;
  RedisClient writer(durable);
  const RedisScript set("return redis.call('SET', KEYS[1], ARGV[1])");
  for (int i = 0; i < 200; ++i) {
    auto reply = writer.Eval(set, {absl::StrCat("k", i)}, {absl::StrCat(i)});
    ASSERT_TRUE(reply.ok()) << reply.status() << " at " << i;
  }

  master.Stop();
  const absl::Time killed = absl::Now();
  absl::StatusOr<RedisReply> back;
  for (int i = 0; i < 300; ++i) {
    back = client.Command({"SET", "after", "failover"});
    if (back.ok()) break;
    EXPECT_EQ(back.status().code(), absl::StatusCode::kUnavailable)
        << back.status();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(back.ok()) << "no master within 15 s: " << back.status();
  const absl::Duration outage = absl::Now() - killed;
  EXPECT_LT(outage, absl::Seconds(10));
  std::printf("served again %.2f s after the master died\n",
              absl::ToDoubleSeconds(outage));
  for (int i = 0; i < 200; ++i) {
    absl::StatusOr<RedisReply> v = client.Command({"GET", absl::StrCat("k", i)});
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->str, absl::StrCat(i)) << "lost k" << i;
  }
  // The promoted server is the replica.
  absl::StatusOr<RedisReply> role = client.Command({"ROLE"});
  ASSERT_TRUE(role.ok());
  EXPECT_EQ(role->elements[0].str, "master");
}

}  // namespace
}  // namespace tend::engine
