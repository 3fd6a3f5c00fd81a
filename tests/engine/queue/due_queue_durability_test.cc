// DueQueue under the failures it promises to survive: many claimers in
// threads and processes, a worker that dies holding a batch, Redis going
// away and coming back, and Redis Cluster's one-slot rule for scripts.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "engine/queue/due_queue.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/queue/queue_fixture.h"

namespace tend::engine {
namespace {

using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;

using DueQueueDurabilityTest = QueueTest;

// Due long ago by any clock, so Redis's TIME finds them all due.
const absl::Time kLongAgo = absl::FromUnixSeconds(1'000'000'000);

std::vector<QueuedReminder> ManyReminders(int n, absl::Time due) {
  std::vector<QueuedReminder> reminders;
  for (int i = 0; i < n; ++i) {
    reminders.push_back(Reminder(absl::StrCat("ritual:", i % 97, ":occ:", i),
                                 absl::StrCat("couple-", i % 500), due));
  }
  return reminders;
}

// Claims with Redis's clock until the queue is empty; acks every batch.
// Returns the ids claimed, or an error.
absl::StatusOr<std::vector<std::string>> Drain(DueQueue& queue,
                                               absl::string_view worker) {
  std::vector<std::string> ids;
  while (true) {
    absl::StatusOr<std::vector<ClaimedReminder>> batch =
        queue.Claim(worker, 25, std::nullopt);
    if (!batch.ok()) return batch.status();
    if (batch->empty()) return ids;
    for (const ClaimedReminder& c : *batch) ids.push_back(c.reminder.id);
    absl::StatusOr<int> acked = queue.Complete(*batch, {});
    if (!acked.ok()) return acked.status();
    if (*acked != static_cast<int>(batch->size())) {
      return absl::InternalError("an ack of a held lease did not take");
    }
  }
}

// Every reminder is claimed exactly once by 8 threads and 2 processes.
TEST_F(DueQueueDurabilityTest, ThreadsAndProcessesClaimEachOnce) {
  constexpr int kReminders = 20'000;
  constexpr int kThreads = 8;
  constexpr int kProcesses = 2;
  QueueOptions options;
  options.lease = absl::Hours(1);  // no lease may expire during the test
  DueQueue queue(redis_.get(), options);
  ASSERT_EQ(*queue.Schedule(ManyReminders(kReminders, kLongAgo)), kReminders);

  // Children wait on a pipe, so everyone starts together; each has its own
  // connections and reports its ids through a Redis list.
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(go[1]);
      char byte;
      (void)!read(go[0], &byte, 1);
      RedisClient redis(*ParseRedisUrl(server_.url()));
      DueQueue mine(&redis, options);
      absl::StatusOr<std::vector<std::string>> ids =
          Drain(mine, absl::StrCat("process-", p));
      if (!ids.ok()) _exit(2);
      std::vector<std::string> push = {"RPUSH", "test:claimed", "-"};
      push.insert(push.end(), ids->begin(), ids->end());
      _exit(redis.Command(absl::MakeConstSpan(push)).ok() ? 0 : 3);
    }
    children.push_back(pid);
  }
  close(go[0]);

  absl::Mutex mu;
  std::vector<std::string> thread_ids;
  std::vector<absl::Status> failures;
  absl::Notification start;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.WaitForNotification();
      absl::StatusOr<std::vector<std::string>> ids =
          Drain(queue, absl::StrCat("thread-", t));
      absl::MutexLock lock(&mu);
      if (!ids.ok()) {
        failures.push_back(ids.status());
        return;
      }
      thread_ids.insert(thread_ids.end(), ids->begin(), ids->end());
    });
  }
  start.Notify();
  close(go[1]);
  for (std::thread& t : threads) t.join();
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  EXPECT_THAT(failures, IsEmpty());

  std::vector<std::string> all = thread_ids;
  auto from_children = redis_->Command({"LRANGE", "test:claimed", "0", "-1"});
  ASSERT_TRUE(from_children.ok());
  int child_claims = 0;
  for (const RedisReply& e : from_children->elements) {
    if (e.str == "-") continue;
    all.push_back(e.str);
    ++child_claims;
  }
  EXPECT_GT(child_claims, 0);
  EXPECT_GT(thread_ids.size(), 0u);
  std::map<std::string, int> times;
  for (const std::string& id : all) ++times[id];
  EXPECT_EQ(times.size(), static_cast<size_t>(kReminders));
  for (const auto& [id, n] : times) ASSERT_EQ(n, 1) << id;
  const ShardStats totals = Totals(queue, kLongAgo);
  EXPECT_EQ(totals.scheduled + totals.leased + totals.dead, 0);
}

TEST_F(DueQueueDurabilityTest, AWorkerKilledHoldingABatchLosesNothing) {
  DueQueue queue(redis_.get(), QueueOptions{});
  std::vector<QueuedReminder> reminders = ManyReminders(50, kT0);
  for (QueuedReminder& r : reminders) r.payload = absl::StrCat("body:", r.id);
  ASSERT_EQ(*queue.Schedule(reminders), 50);

  // The worker claims and dies before delivering or acking: the batch is
  // simply dropped here, as a killed process would.
  std::map<std::string, std::string> lost;
  {
    auto batch = queue.Claim("doomed", 20, kT0);
    ASSERT_EQ(batch->size(), 20u);
    for (const ClaimedReminder& c : *batch) {
      lost[c.reminder.id] = c.reminder.payload;
    }
  }
  // Before the lease ends nobody else may take them.
  auto during = queue.Claim("survivor", 100, kT0 + absl::Seconds(29));
  ASSERT_EQ(during->size(), 30u);
  for (const ClaimedReminder& c : *during)
    EXPECT_EQ(lost.count(c.reminder.id), 0u);

  auto after = queue.Claim("survivor", 100, kT0 + absl::Seconds(30));
  ASSERT_EQ(after->size(), 20u);
  for (const ClaimedReminder& c : *after) {
    ASSERT_EQ(lost.count(c.reminder.id), 1u) << c.reminder.id;
    EXPECT_EQ(c.reminder.payload, lost[c.reminder.id]);
    EXPECT_EQ(c.attempts, 1);
  }
  EXPECT_EQ(*queue.Complete(*during, {}), 30);
  EXPECT_EQ(*queue.Complete(*after, {}), 20);
  const ShardStats totals = Totals(queue, kT0 + absl::Hours(1));
  EXPECT_EQ(totals.scheduled + totals.leased + totals.dead, 0);
}

TEST_F(DueQueueDurabilityTest, RedisRestartIsUnavailableThenWorksAgain) {
  // Persist every write, so a SIGKILL loses nothing already acknowledged.
  server_.Stop();
  const std::vector<std::string> aof = {"--appendonly", "yes", "--appendfsync",
                                        "always"};
  StartRedis(aof);
  DueQueue queue(redis_.get(), QueueOptions{});
  ASSERT_EQ(*queue.Schedule(ManyReminders(10, kT0)), 10);
  auto held = queue.Claim("w", 4, kT0);
  ASSERT_EQ(held->size(), 4u);

  server_.Stop();
  const QueuedReminder extra = Reminder("extra", "c", kT0);
  EXPECT_EQ(queue.Schedule({extra}).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(queue.Claim("w", 10, kT0).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(queue.Complete(*held, {}).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(queue.Nack((*held)[0], "x", std::nullopt, kT0).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(queue.Stats(kT0).status().code(), absl::StatusCode::kUnavailable);

  ASSERT_TRUE(server_.Start(aof).ok());
  // Same client, no restart of ours; the scripts are loaded again.
  const std::vector<ClaimedReminder> acked(held->begin(), held->begin() + 2);
  EXPECT_EQ(*queue.Complete(acked, {}), 2);
  EXPECT_EQ(*queue.Schedule({extra}), 1);
  auto rest = queue.Claim("w", 100, kT0);
  ASSERT_EQ(rest->size(), 7u);
  EXPECT_EQ(*queue.Complete(*rest, {}), 7);
  // The two held but never acked come back once their lease ends.
  auto back = queue.Claim("w", 100, kT0 + absl::Minutes(1));
  std::vector<std::string> expected = {(*held)[2].reminder.id,
                                       (*held)[3].reminder.id};
  EXPECT_THAT(Ids(*back), UnorderedElementsAreArray(expected));
}

TEST_F(DueQueueDurabilityTest, EveryKeyOfAShardSharesOneClusterSlot) {
  // A one-node cluster that owns every slot: Redis itself then refuses any
  // script whose keys span two slots (CROSSSLOT).
  server_.Stop();
  StartRedis(
      {"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"});
  ASSERT_TRUE(redis_->Command({"CLUSTER", "ADDSLOTSRANGE", "0", "16383"}).ok());
  for (int i = 0; i < 200; ++i) {
    auto info = redis_->Command({"CLUSTER", "INFO"});
    ASSERT_TRUE(info.ok());
    if (absl::StrContains(info->str, "cluster_state:ok")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  QueueOptions options;
  options.max_attempts = 1;
  DueQueue queue(redis_.get(), options);
  std::vector<QueuedReminder> reminders;
  std::set<std::string> couples;
  for (int i = 0; i < 64; ++i) {
    // Braces and colons in ids and couples must not move a key's slot.
    const std::string couple = absl::StrCat("c{", i % 16, "}:x");
    couples.insert(couple);
    reminders.push_back(Reminder(absl::StrCat("{r", i, "}:", i), couple, kT0));
  }
  ASSERT_EQ(*queue.Schedule(reminders), 64);
  auto batch = queue.Claim("w", 30, kT0);
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_EQ(batch->size(), 30u);
  ASSERT_EQ(*queue.Complete(std::vector<ClaimedReminder>(batch->begin(),
                                                         batch->begin() + 10),
                            {Reminder("next", "c{3}:x", kT0)}),
            10);
  for (size_t i = 10; i < 20; ++i) {
    ASSERT_TRUE(queue.Nack((*batch)[i], "down", std::nullopt, kT0).ok());
  }
  ASSERT_TRUE(queue
                  .RetryDeadLetter((*batch)[10].reminder.couple_id,
                                   (*batch)[10].reminder.id, kT0)
                  .ok());
  ASSERT_TRUE(queue.RecoverExpiredLeases(kT0 + absl::Hours(1)).ok());
  ASSERT_TRUE(queue
                  .Reschedule(reminders[40].couple_id, reminders[40].id,
                              kT0 + absl::Hours(3))
                  .ok());
  ASSERT_TRUE(queue.Cancel(reminders[41].couple_id, reminders[41].id).ok());
  ASSERT_TRUE(queue.ListDeadLetters(100).ok());
  ASSERT_TRUE(queue.Stats(kT0).ok());
  ASSERT_TRUE(queue.CancelCouple("c{5}:x").ok());

  auto slot = [&](const std::string& key) {
    return redis_->Command({"CLUSTER", "KEYSLOT", key})->integer;
  };
  auto keys = redis_->Command({"KEYS", "*"});
  ASSERT_TRUE(keys.ok());
  ASSERT_GT(keys->elements.size(), 16u);
  for (const RedisReply& key : keys->elements) {
    // "tend:q:{sNN}:...": its slot is its shard's.
    const size_t open = key.str.find('{');
    ASSERT_NE(open, std::string::npos) << key.str;
    const std::string tag = key.str.substr(open, key.str.find('}') - open + 1);
    EXPECT_TRUE(absl::StartsWith(tag, "{s")) << key.str;
    EXPECT_EQ(slot(key.str), slot(tag)) << key.str;
  }
  for (const std::string& couple : couples) {
    EXPECT_EQ(slot(ShardKey(queue, couple, absl::StrCat("couple:", couple))),
              slot(ShardKey(queue, couple, "due")))
        << couple;
  }
}

}  // namespace
}  // namespace tend::engine
