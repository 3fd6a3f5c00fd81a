// What the DueQueue suites share: a private redis-server per test, a client
// on it, and small builders. Times are fixed instants, never the wall
// clock; a test moves `now` itself instead of waiting for a lease.
#ifndef TEND_TESTS_ENGINE_QUEUE_QUEUE_FIXTURE_H_
#define TEND_TESTS_ENGINE_QUEUE_QUEUE_FIXTURE_H_

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "engine/queue/due_queue.h"
#include "engine/redis/redis_client.h"
#include "gtest/gtest.h"
#include "tests/support/redis_server.h"

namespace tend::engine {

inline const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

inline QueuedReminder Reminder(std::string id, std::string couple,
                               absl::Time due) {
  QueuedReminder r;
  r.payload = absl::StrCat("payload of ", id);
  r.id = std::move(id);
  r.couple_id = std::move(couple);
  r.due = due;
  return r;
}

inline std::vector<std::string> Ids(const std::vector<ClaimedReminder>& v) {
  std::vector<std::string> ids;
  for (const ClaimedReminder& c : v) ids.push_back(c.reminder.id);
  return ids;
}

class QueueTest : public ::testing::Test {
 protected:
  void SetUp() override { StartRedis({}); }

  void StartRedis(const std::vector<std::string>& args) {
    ASSERT_TRUE(server_.Start(args).ok());
    RedisOptions options = *ParseRedisUrl(server_.url());
    options.connect_timeout = absl::Milliseconds(200);
    redis_ = std::make_unique<RedisClient>(options);
  }

  // A key of the shard that `couple` lives in, e.g. ShardKey(q, "c1", "due").
  static std::string ShardKey(const DueQueue& queue, absl::string_view couple,
                              absl::string_view name) {
    return absl::StrFormat("%s:{s%02d}:%s", queue.options().prefix,
                           queue.ShardOf(couple), name);
  }

  // The score of `id` in a zset of its couple's shard; -1 when absent.
  int64_t Score(const DueQueue& queue, absl::string_view couple,
                absl::string_view zset, absl::string_view id) {
    absl::StatusOr<RedisReply> reply =
        redis_->Command({"ZSCORE", ShardKey(queue, couple, zset), id});
    if (!reply.ok() || reply->is_nil()) return -1;
    return std::stoll(reply->str);
  }

  // Totals over every shard.
  ShardStats Totals(DueQueue& queue, absl::Time now) {
    ShardStats total;
    absl::StatusOr<std::vector<ShardStats>> stats = queue.Stats(now);
    EXPECT_TRUE(stats.ok()) << stats.status();
    if (!stats.ok()) return total;
    for (const ShardStats& s : *stats) {
      total.scheduled += s.scheduled;
      total.due_unclaimed += s.due_unclaimed;
      total.leased += s.leased;
      total.dead += s.dead;
      total.oldest_overdue = std::max(total.oldest_overdue, s.oldest_overdue);
    }
    return total;
  }

  testing::RedisServer server_;
  std::unique_ptr<RedisClient> redis_;
};

}  // namespace tend::engine

#endif  // TEND_TESTS_ENGINE_QUEUE_QUEUE_FIXTURE_H_
