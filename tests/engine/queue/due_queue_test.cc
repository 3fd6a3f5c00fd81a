// DueQueue against a real redis-server: scheduling, claiming, leases,
// retries and the dead letter, one rule per test.
#include "engine/queue/due_queue.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/queue/queue_fixture.h"

namespace tend::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

using DueQueueTest = QueueTest;

TEST_F(DueQueueTest, ScheduleIsIdempotentOnId) {
  DueQueue queue(redis_.get(), QueueOptions{});
  const QueuedReminder r1 = Reminder("r1", "c1", kT0);
  const QueuedReminder r2 = Reminder("r2", "c2", kT0);
  EXPECT_EQ(*queue.Schedule({r1, r1, r2}), 2);
  EXPECT_EQ(*queue.Schedule({r1}), 0);
  EXPECT_EQ(Totals(queue, kT0).scheduled, 2);

  absl::StatusOr<std::vector<ClaimedReminder>> batch =
      queue.Claim("w", 10, kT0);
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_EQ(batch->size(), 2u);
  EXPECT_EQ(*queue.Schedule({r1}), 0) << "leased";
  EXPECT_EQ(*queue.Complete(*batch, {}), 2);
  // Delivered: remembered for done_memory, so scheduling it again is a no-op.
  EXPECT_EQ(*queue.Schedule({r1, r2}), 0);
  EXPECT_EQ(Totals(queue, kT0).scheduled, 0);
}

TEST_F(DueQueueTest, DoneIsForgottenAfterDoneMemory) {
  QueueOptions options;
  options.done_memory = absl::ZeroDuration();
  DueQueue queue(redis_.get(), options);
  const QueuedReminder r1 = Reminder("r1", "c1", kT0);
  ASSERT_EQ(*queue.Schedule({r1}), 1);
  auto batch = queue.Claim("w", 10, kT0);
  ASSERT_EQ(*queue.Complete(*batch, {}), 1);
  // Complete trims `done`; with no memory at all nothing stays.
  EXPECT_EQ(redis_->Command({"ZCARD", ShardKey(queue, "c1", "done")})->integer,
            0);
  EXPECT_EQ(*queue.Schedule({r1}), 1);
}

TEST_F(DueQueueTest, OpaqueIdsAndBinaryPayloadsRoundTrip) {
  DueQueue queue(redis_.get(), QueueOptions{});
  QueuedReminder r = Reminder("ritual:7:1800000000:user:{u1}", "c{1}", kT0);
  r.payload = std::string("a\0b|c\r\n", 7);
  ASSERT_EQ(*queue.Schedule({r}), 1);
  auto batch = queue.Claim("w", 1, kT0);
  ASSERT_EQ(batch->size(), 1u);
  const ClaimedReminder& c = (*batch)[0];
  EXPECT_EQ(c.reminder.id, r.id);
  EXPECT_EQ(c.reminder.couple_id, r.couple_id);
  EXPECT_EQ(c.reminder.payload, r.payload);
  EXPECT_EQ(c.reminder.due, kT0);
  EXPECT_EQ(c.attempts, 0);
  EXPECT_EQ(c.lease_expire, kT0 + queue.options().lease);
}

TEST_F(DueQueueTest, BadInputStoresNothing) {
  DueQueue queue(redis_.get(), QueueOptions{});
  const QueuedReminder good = Reminder("r1", "c1", kT0);
  absl::StatusOr<int> no_id = queue.Schedule({good, Reminder("", "c1", kT0)});
  EXPECT_EQ(no_id.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(no_id.status().message(), "reminders[1].id: must not be empty");
  EXPECT_EQ(queue.Schedule({Reminder("r2", "a|b", kT0)}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(queue.Schedule({Reminder("r2", "", kT0)}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(queue.Claim("w", 0, kT0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(queue.ListDeadLetters(0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Totals(queue, kT0).scheduled, 0);
}

TEST_F(DueQueueTest, CancelRemovesOnlyUnclaimedReminders) {
  DueQueue queue(redis_.get(), QueueOptions{});
  ASSERT_EQ(*queue.Schedule({Reminder("a1", "A", kT0),
                             Reminder("a2", "A", kT0 + absl::Hours(1))}),
            2);
  EXPECT_TRUE(*queue.Cancel("A", "a1"));
  EXPECT_FALSE(*queue.Cancel("A", "a1"));
  EXPECT_FALSE(*queue.Cancel("A", "never"));
  EXPECT_EQ(
      redis_->Command({"HEXISTS", ShardKey(queue, "A", "data"), "a1"})->integer,
      0);
  EXPECT_EQ(redis_->Command({"SMEMBERS", ShardKey(queue, "A", "couple:A")})
                ->elements.size(),
            1u);
  auto batch = queue.Claim("w", 10, kT0 + absl::Hours(1));
  EXPECT_THAT(Ids(*batch), ElementsAre("a2"));
  EXPECT_FALSE(*queue.Cancel("A", "a2")) << "leased: not cancellable";
  // A cancelled id is not remembered as done: it may be scheduled again.
  EXPECT_EQ(*queue.Schedule({Reminder("a1", "A", kT0)}), 1);
}

TEST_F(DueQueueTest, RescheduleMovesDueTimeAndKeepsAttempts) {
  DueQueue queue(redis_.get(), QueueOptions{});
  ASSERT_EQ(*queue.Schedule({Reminder("a1", "A", kT0)}), 1);
  auto first = queue.Claim("w", 1, kT0);
  ASSERT_EQ(*queue.Nack((*first)[0], "timeout", std::nullopt, kT0),
            NackOutcome::kRetrying);
  EXPECT_TRUE(*queue.Reschedule("A", "a1", kT0 + absl::Hours(2)));
  EXPECT_FALSE(*queue.Reschedule("A", "missing", kT0));
  EXPECT_THAT(*queue.Claim("w", 10, kT0 + absl::Hours(1)), IsEmpty());
  auto moved = queue.Claim("w", 10, kT0 + absl::Hours(2));
  ASSERT_EQ(moved->size(), 1u);
  EXPECT_EQ((*moved)[0].reminder.due, kT0 + absl::Hours(2));
  EXPECT_EQ((*moved)[0].attempts, 1);
  EXPECT_FALSE(*queue.Reschedule("A", "a1", kT0)) << "leased";
}

TEST_F(DueQueueTest, CancelCoupleRemovesDueLeasedAndDead) {
  QueueOptions options;
  options.max_attempts = 1;
  DueQueue queue(redis_.get(), options);
  ASSERT_EQ(*queue.Schedule({Reminder("dead", "A", kT0),
                             Reminder("leased", "A", kT0 + absl::Minutes(1)),
                             Reminder("due", "A", kT0 + absl::Hours(5)),
                             Reminder("other", "B", kT0 + absl::Hours(5))}),
            4);
  auto dying = queue.Claim("w", 1, kT0);
  ASSERT_THAT(Ids(*dying), ElementsAre("dead"));
  ASSERT_EQ(*queue.Nack((*dying)[0], "bounced", std::nullopt, kT0),
            NackOutcome::kDeadLettered);
  auto leased = queue.Claim("w", 1, kT0 + absl::Minutes(1));
  ASSERT_THAT(Ids(*leased), ElementsAre("leased"));

  EXPECT_EQ(*queue.CancelCouple("A"), 3);
  EXPECT_EQ(*queue.CancelCouple("A"), 0);
  EXPECT_EQ(*queue.Complete(*leased, {}), 0) << "its lease went with it";
  const ShardStats totals = Totals(queue, kT0);
  EXPECT_EQ(totals.scheduled, 1);  // B's
  EXPECT_EQ(totals.leased, 0);
  EXPECT_EQ(totals.dead, 0);
  for (const char* hash : {"data", "meta", "deaddata"}) {
    for (const char* id : {"dead", "leased", "due"}) {
      EXPECT_EQ(
          redis_->Command({"HEXISTS", ShardKey(queue, "A", hash), id})->integer,
          0)
          << hash << " " << id;
    }
  }
  EXPECT_EQ(
      redis_->Command({"EXISTS", ShardKey(queue, "A", "couple:A")})->integer,
      0);
}

TEST_F(DueQueueTest, ClaimTakesDueRemindersOldestFirstUpToMax) {
  QueueOptions options;
  options.lease = absl::Hours(5);  // nothing comes back during the test
  DueQueue queue(redis_.get(), options);
  ASSERT_EQ(*queue.Schedule({Reminder("t5", "A", kT0 + absl::Seconds(5)),
                             Reminder("t1", "A", kT0 + absl::Seconds(1)),
                             Reminder("t3", "A", kT0 + absl::Seconds(3)),
                             Reminder("later", "A", kT0 + absl::Hours(2))}),
            4);
  EXPECT_THAT(Ids(*queue.Claim("w", 2, kT0 + absl::Hours(1))),
              ElementsAre("t1", "t3"));
  EXPECT_THAT(Ids(*queue.Claim("w", 10, kT0 + absl::Hours(1))),
              ElementsAre("t5"));
  EXPECT_THAT(*queue.Claim("w", 10, kT0 + absl::Hours(1)), IsEmpty());
  EXPECT_THAT(Ids(*queue.Claim("w", 10, kT0 + absl::Hours(2))),
              ElementsAre("later"));
}

TEST_F(DueQueueTest, ClaimSaysWhenTheNextReminderFallsDue) {
  DueQueue queue(redis_.get(), QueueOptions{});
  // Empty: nothing to wait for.
  absl::StatusOr<ClaimBatch> empty = queue.ClaimWithNextDue("w", 10, kT0);
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_THAT(empty->claimed, IsEmpty());
  EXPECT_EQ(empty->next_due, std::nullopt);
  EXPECT_EQ(empty->now, kT0);
  // Spread over shards, the earliest future one wins.
  ASSERT_EQ(*queue.Schedule({Reminder("now", "A", kT0),
                             Reminder("soon", "B", kT0 + absl::Seconds(3)),
                             Reminder("later", "C", kT0 + absl::Seconds(9))}),
            3);
  absl::StatusOr<ClaimBatch> batch = queue.ClaimWithNextDue("w", 10, kT0);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_THAT(Ids(batch->claimed), ElementsAre("now"));
  EXPECT_EQ(batch->next_due, kT0 + absl::Seconds(3));
  // A full batch cannot know what else waits.
  ASSERT_EQ(*queue.Schedule({Reminder("due", "D", kT0)}), 1);
  batch = queue.ClaimWithNextDue("w", 1, kT0);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_THAT(Ids(batch->claimed), ElementsAre("due"));
  EXPECT_EQ(batch->next_due, std::nullopt);
}

TEST_F(DueQueueTest, ClaimNeverExceedsMaxAcrossShards) {
  DueQueue queue(redis_.get(), QueueOptions{});
  std::vector<QueuedReminder> spread;
  for (int i = 0; i < 100; ++i) {
    spread.push_back(Reminder(absl::StrCat("s", i), absl::StrCat("c", i % 50),
                              kT0 + absl::Milliseconds(i)));
  }
  // One couple holds the skewed ones: its shard must fill most batches.
  std::vector<QueuedReminder> skewed;
  for (int i = 0; i < 100; ++i) {
    skewed.push_back(Reminder(absl::StrCat("k", i), "busy", kT0));
  }
  ASSERT_EQ(*queue.Schedule(spread), 100);
  EXPECT_EQ(queue.Claim("w", 37, kT0 + absl::Seconds(1))->size(), 37u);
  EXPECT_EQ(queue.Claim("w", 1000, kT0 + absl::Seconds(1))->size(), 63u);
  ASSERT_EQ(*queue.Schedule(skewed), 100);
  EXPECT_EQ(queue.Claim("w", 37, kT0 + absl::Seconds(1))->size(), 37u);
  EXPECT_EQ(queue.Claim("w", 1, kT0 + absl::Seconds(1))->size(), 1u);
  EXPECT_EQ(queue.Claim("w", 100, kT0 + absl::Seconds(1))->size(), 62u);
  EXPECT_THAT(*queue.Claim("w", 100, kT0 + absl::Seconds(1)), IsEmpty());
  EXPECT_EQ(Totals(queue, kT0 + absl::Seconds(1)).leased, 200);
}

TEST_F(DueQueueTest, BatchesLargerThanOneScriptRunWork) {
  // 2,500 in one shard: Schedule and Claim split into several script runs,
  // and Complete's one run slices its commands under Lua's unpack() limit.
  DueQueue queue(redis_.get(), QueueOptions{});
  std::vector<QueuedReminder> reminders;
  std::vector<QueuedReminder> next;
  for (int i = 0; i < 2500; ++i) {
    reminders.push_back(Reminder(absl::StrCat("r", i), "big", kT0));
    next.push_back(Reminder(absl::StrCat("n", i), "big", kT0 + absl::Hours(1)));
  }
  ASSERT_EQ(*queue.Schedule(reminders), 2500);
  auto batch = queue.Claim("w", 5000, kT0);
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_EQ(batch->size(), 2500u);
  EXPECT_EQ(*queue.Complete(*batch, next), 2500);
  const ShardStats totals = Totals(queue, kT0 + absl::Hours(1));
  EXPECT_EQ(totals.scheduled, 2500);
  EXPECT_EQ(totals.due_unclaimed, 2500);
  EXPECT_EQ(totals.leased, 0);
  EXPECT_EQ(*queue.CancelCouple("big"), 2500);
}

TEST_F(DueQueueTest, StaleTokensAreIgnored) {
  DueQueue queue(redis_.get(), QueueOptions{});
  ASSERT_EQ(*queue.Schedule({Reminder("r1", "c1", kT0)}), 1);
  auto first = queue.Claim("w1", 1, kT0);
  ASSERT_EQ(first->size(), 1u);
  // w1 stalls past its lease; w2 takes the reminder over.
  auto second = queue.Claim("w2", 1, kT0 + absl::Seconds(31));
  ASSERT_EQ(second->size(), 1u);
  EXPECT_NE((*first)[0].lease_token, (*second)[0].lease_token);

  EXPECT_EQ(*queue.Complete(*first, {}), 0);
  EXPECT_EQ(
      *queue.Nack((*first)[0], "late", std::nullopt, kT0 + absl::Seconds(32)),
      NackOutcome::kLeaseLost);
  EXPECT_EQ(Totals(queue, kT0).leased, 1);
  EXPECT_EQ(*queue.Complete(*second, {}), 1);
  EXPECT_EQ(*queue.Nack((*second)[0], "after ack", std::nullopt,
                        kT0 + absl::Seconds(33)),
            NackOutcome::kLeaseLost);
}

TEST_F(DueQueueTest, ExpiredLeasesComeBackWithAnAttemptCounted) {
  DueQueue queue(redis_.get(), QueueOptions{});
  ASSERT_EQ(*queue.Schedule({Reminder("r1", "c1", kT0)}), 1);
  ASSERT_EQ(queue.Claim("w1", 1, kT0)->size(), 1u);
  EXPECT_EQ(*queue.RecoverExpiredLeases(kT0 + absl::Seconds(29)), 0);
  EXPECT_EQ(*queue.RecoverExpiredLeases(kT0 + absl::Seconds(30)), 1);
  const ShardStats totals = Totals(queue, kT0 + absl::Seconds(30));
  EXPECT_EQ(totals.leased, 0);
  EXPECT_EQ(totals.due_unclaimed, 1);
  auto again = queue.Claim("w2", 1, kT0 + absl::Seconds(30));
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].attempts, 1);
  EXPECT_EQ((*again)[0].reminder.payload, "payload of r1");
  EXPECT_EQ((*again)[0].reminder.due, kT0);
}

TEST_F(DueQueueTest, LeasesThatKeepExpiringEndInTheDeadLetter) {
  QueueOptions options;
  options.max_attempts = 2;
  DueQueue queue(redis_.get(), options);
  ASSERT_EQ(*queue.Schedule({Reminder("r1", "c1", kT0)}), 1);
  absl::Time now = kT0;
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(queue.Claim("w", 1, now)->size(), 1u) << i;
    now += absl::Minutes(1);
  }
  EXPECT_THAT(*queue.Claim("w", 1, now), IsEmpty());
  auto dead = queue.ListDeadLetters(10);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].last_error, "lease expired");
  EXPECT_EQ((*dead)[0].attempts, 2);
  EXPECT_EQ((*dead)[0].dead_time, now);
}

TEST_F(DueQueueTest, BackoffDoublesUpToTheMaximumWithJitter) {
  QueueOptions options;
  options.backoff_base = absl::Seconds(5);
  options.backoff_max = absl::Minutes(15);
  options.jitter = 0.2;
  DueQueue queue(redis_.get(), options);
  EXPECT_EQ(queue.BackoffFor(1, 0.5), absl::Seconds(5));
  EXPECT_EQ(queue.BackoffFor(1, 0.0), absl::Seconds(4));
  EXPECT_EQ(queue.BackoffFor(2, 0.5), absl::Seconds(10));
  EXPECT_EQ(queue.BackoffFor(3, 1.0), absl::Seconds(24));
  EXPECT_EQ(queue.BackoffFor(9, 0.5), absl::Minutes(15));
  EXPECT_EQ(queue.BackoffFor(1000, 0.5), absl::Minutes(15));
  EXPECT_EQ(queue.BackoffFor(0, 0.5), absl::Seconds(5));
}

TEST_F(DueQueueTest, NackRetriesAfterBackoffOrRetryAfter) {
  QueueOptions options;
  options.backoff_base = absl::Seconds(5);
  options.jitter = 0.2;
  DueQueue queue(redis_.get(), options);
  ASSERT_EQ(*queue.Schedule({Reminder("r1", "c1", kT0)}), 1);

  auto claim = [&](absl::Time now) { return *queue.Claim("w", 1, now); };
  auto first = claim(kT0);
  ASSERT_EQ(*queue.Nack(first[0], "503", std::nullopt, kT0),
            NackOutcome::kRetrying);
  // Retry 1 waits 5 s +-20 %.
  int64_t due = Score(queue, "c1", "due", "r1");
  EXPECT_GE(due, absl::ToUnixMillis(kT0 + absl::Seconds(4)));
  EXPECT_LE(due, absl::ToUnixMillis(kT0 + absl::Seconds(6)));
  EXPECT_THAT(claim(absl::FromUnixMillis(due - 1)), IsEmpty());

  const absl::Time t1 = absl::FromUnixMillis(due);
  auto second = claim(t1);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].attempts, 1);
  ASSERT_EQ(*queue.Nack(second[0], "503", std::nullopt, t1),
            NackOutcome::kRetrying);
  // Retry 2 waits 10 s +-20 %.
  due = Score(queue, "c1", "due", "r1");
  EXPECT_GE(due, absl::ToUnixMillis(t1 + absl::Seconds(8)));
  EXPECT_LE(due, absl::ToUnixMillis(t1 + absl::Seconds(12)));

  // The provider's Retry-After wins when it is later than the backoff...
  const absl::Time t2 = absl::FromUnixMillis(due);
  auto third = claim(t2);
  ASSERT_EQ(*queue.Nack(third[0], "429", absl::Minutes(10), t2),
            NackOutcome::kRetrying);
  EXPECT_EQ(Score(queue, "c1", "due", "r1"),
            absl::ToUnixMillis(t2 + absl::Minutes(10)));
  // ...and the backoff when it is later than Retry-After.
  const absl::Time t3 = t2 + absl::Minutes(10);
  auto fourth = claim(t3);
  ASSERT_EQ(fourth[0].attempts, 3);
  ASSERT_EQ(*queue.Nack(fourth[0], "429", absl::Milliseconds(1), t3),
            NackOutcome::kRetrying);
  EXPECT_GE(Score(queue, "c1", "due", "r1"),
            absl::ToUnixMillis(t3 + absl::Seconds(32)));
}

TEST_F(DueQueueTest, DeadLetterAfterMaxAttemptsAndRetryIt) {
  QueueOptions options;
  options.max_attempts = 3;
  DueQueue queue(redis_.get(), options);
  ASSERT_EQ(*queue.Schedule({Reminder("r1", "c1", kT0)}), 1);
  absl::Time now = kT0;
  NackOutcome outcome = NackOutcome::kRetrying;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto batch = queue.Claim("w", 1, now);
    ASSERT_EQ(batch->size(), 1u) << attempt;
    outcome = *queue.Nack((*batch)[0], absl::StrCat("fcm: 503 | try ", attempt),
                          std::nullopt, now);
    now += absl::Hours(1);
  }
  EXPECT_EQ(outcome, NackOutcome::kDeadLettered);
  EXPECT_THAT(*queue.Claim("w", 10, now), IsEmpty());
  EXPECT_EQ(Totals(queue, now).dead, 1);
  EXPECT_EQ(*queue.Schedule({Reminder("r1", "c1", kT0)}), 0) << "dead";

  auto dead = queue.ListDeadLetters(10);
  ASSERT_EQ(dead->size(), 1u);
  const DeadLetter& letter = (*dead)[0];
  EXPECT_EQ(letter.reminder.id, "r1");
  EXPECT_EQ(letter.reminder.couple_id, "c1");
  EXPECT_EQ(letter.reminder.payload, "payload of r1");
  EXPECT_EQ(letter.reminder.due, kT0);
  EXPECT_EQ(letter.attempts, 3);
  EXPECT_EQ(letter.last_error, "fcm: 503 | try 3");
  EXPECT_EQ(letter.dead_time, kT0 + absl::Hours(2));

  EXPECT_TRUE(*queue.RetryDeadLetter("c1", "r1", now));
  EXPECT_FALSE(*queue.RetryDeadLetter("c1", "r1", now));
  EXPECT_THAT(*queue.ListDeadLetters(10), IsEmpty());
  auto back = queue.Claim("w", 10, now);
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].attempts, 0);
  EXPECT_EQ((*back)[0].reminder.payload, "payload of r1");
  EXPECT_EQ(*queue.Complete(*back, {}), 1);
}

TEST_F(DueQueueTest, ListDeadLettersIsOldestFirstAcrossShards) {
  QueueOptions options;
  options.max_attempts = 1;
  DueQueue queue(redis_.get(), options);
  std::vector<QueuedReminder> reminders;
  for (int i = 0; i < 6; ++i) {
    reminders.push_back(
        Reminder(absl::StrCat("r", i), absl::StrCat("c", i), kT0));
  }
  ASSERT_EQ(*queue.Schedule(reminders), 6);
  auto batch = queue.Claim("w", 10, kT0);
  ASSERT_EQ(batch->size(), 6u);
  for (const ClaimedReminder& c : *batch) {
    // r5 dies first, r0 last.
    const int i = c.reminder.id[1] - '0';
    ASSERT_EQ(*queue.Nack(c, "x", std::nullopt, kT0 + absl::Seconds(10 - i)),
              NackOutcome::kDeadLettered);
  }
  auto dead = queue.ListDeadLetters(3);
  ASSERT_EQ(dead->size(), 3u);
  EXPECT_EQ((*dead)[0].reminder.id, "r5");
  EXPECT_EQ((*dead)[1].reminder.id, "r4");
  EXPECT_EQ((*dead)[2].reminder.id, "r3");
}

TEST_F(DueQueueTest, CompleteSchedulesNextEvenWhenTheAckIsStale) {
  DueQueue queue(redis_.get(), QueueOptions{});
  ASSERT_EQ(*queue.Schedule({Reminder("occ1", "c1", kT0)}), 1);
  auto stale = queue.Claim("w1", 1, kT0);
  auto fresh = queue.Claim("w2", 1, kT0 + absl::Minutes(1));
  ASSERT_EQ(fresh->size(), 1u);
  const QueuedReminder next = Reminder("occ2", "c1", kT0 + absl::Hours(24 * 7));
  EXPECT_EQ(*queue.Complete(*stale, {next}), 0);
  EXPECT_EQ(*queue.Complete(*fresh, {next}), 1);
  const ShardStats totals = Totals(queue, kT0);
  EXPECT_EQ(totals.scheduled, 1);
  EXPECT_EQ(totals.leased, 0);
  EXPECT_THAT(Ids(*queue.Claim("w", 5, kT0 + absl::Hours(24 * 7))),
              ElementsAre("occ2"));
}

TEST_F(DueQueueTest, StatsCountEachShard) {
  QueueOptions options;
  options.shards = 4;
  options.lease = absl::Hours(5);
  DueQueue queue(redis_.get(), options);
  ASSERT_EQ(*queue.Schedule({Reminder("old", "A", kT0 - absl::Minutes(5)),
                             Reminder("now", "A", kT0),
                             Reminder("soon", "B", kT0 + absl::Minutes(1)),
                             Reminder("held", "B", kT0 - absl::Hours(1))}),
            4);
  ASSERT_THAT(Ids(*queue.Claim("w", 1, kT0 - absl::Minutes(30))),
              ElementsAre("held"));
  auto stats = queue.Stats(kT0);
  ASSERT_EQ(stats->size(), 4u);
  for (const ShardStats& s : *stats) {
    if (s.shard == queue.ShardOf("A")) {
      EXPECT_EQ(s.scheduled, queue.ShardOf("A") == queue.ShardOf("B") ? 3 : 2);
      EXPECT_EQ(s.oldest_overdue, absl::Minutes(5));
    }
  }
  const ShardStats totals = Totals(queue, kT0);
  EXPECT_EQ(totals.scheduled, 3);
  EXPECT_EQ(totals.due_unclaimed, 2);
  EXPECT_EQ(totals.leased, 1);
  EXPECT_EQ(totals.dead, 0);
  EXPECT_EQ(totals.oldest_overdue, absl::Minutes(5));

  // Without `now`, Redis's TIME judges.
  options.prefix = "live";
  DueQueue live(redis_.get(), options);
  ASSERT_EQ(*live.Schedule({Reminder("y2k", "A", absl::FromUnixSeconds(1e9))}),
            1);
  auto by_redis = live.Stats(std::nullopt);
  ASSERT_TRUE(by_redis.ok()) << by_redis.status();
  const ShardStats& a = (*by_redis)[live.ShardOf("A")];
  EXPECT_EQ(a.due_unclaimed, 1);
  EXPECT_GT(a.oldest_overdue, absl::Hours(24 * 365 * 20));
}

}  // namespace
}  // namespace tend::engine
