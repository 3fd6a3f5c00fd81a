// The dispatcher's batched hot path (SchedulerFixture: real Redis, real
// gRPC, a FakeClock): ticks settled and planned together, and the record
// summaries that planning and dispatch read instead of whole records.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/scheduler/convert.h"
#include "services/scheduler/scheduler_internal.h"
#include "tests/services/scheduler/scheduler_fixture.h"

namespace tend::scheduler {
namespace {

class DispatchBatchTest : public SchedulerFixture {
 protected:
  // Every queued item of the couple, claimed (so the dispatcher will not
  // run them) and decoded, by queue id.
  std::map<std::string, QueueItem> ClaimEverything() {
    std::map<std::string, QueueItem> items;
    absl::StatusOr<std::vector<engine::ClaimedReminder>> claimed =
        queue_->Claim("test", 10000, h_.clock()->Now() + absl::Hours(24 * 60));
    EXPECT_TRUE(claimed.ok()) << claimed.status();
    if (!claimed.ok()) return items;
    for (const engine::ClaimedReminder& c : *claimed) {
      absl::StatusOr<QueueItem> item = DecodeItem(c.reminder.payload);
      EXPECT_TRUE(item.ok()) << c.reminder.id;
      if (item.ok()) items.emplace(c.reminder.id, *std::move(item));
    }
    return items;
  }

  pairing::v1::Couple CoupleOf(const std::string& user) {
    absl::StatusOr<services::CoupleRef> couple = directory_->ForUser(user);
    EXPECT_TRUE(couple.ok()) << couple.status();
    return couple.ok() ? **couple : pairing::v1::Couple();
  }

  // SaveDelivered()
  //
  // Saves delivered copies of one of the couple's records, as the history
  // `due_by_id` describes.
  void SaveDelivered(const std::string& couple_name,
                     const std::map<std::string, absl::Time>& due_by_id) {
    const std::string couple_id = internal::LastSegment(couple_name);
    absl::StatusOr<std::vector<v1::Reminder>> records =
        store_->LoadReminders(couple_id);
    ASSERT_TRUE(records.ok() && !records->empty());
    std::vector<v1::Reminder> history;
    for (const auto& [id, due] : due_by_id) {
      v1::Reminder r = records->front();
      r.set_name(absl::StrCat(couple_name, "/reminders/", id));
      r.set_state(v1::REMINDER_STATE_DELIVERED);
      *r.mutable_due_time() = ToProto(due);
      history.push_back(std::move(r));
    }
    ASSERT_TRUE(store_->SaveReminders(couple_id, history).ok());
  }

  // KeptIn()
  //
  // In how many of the record's three places (record, summary, due index)
  // the reminder `id` still is.
  int KeptIn(const std::string& couple_name, const std::string& id) {
    const std::string couple_id = internal::LastSegment(couple_name);
    int kept = 0;
    for (absl::string_view kind : {"reminders", "summaries", "due_index"}) {
      const std::string key = SchedulerStore::Key(couple_id, kind);
      absl::StatusOr<engine::RedisReply> reply =
          kind == "due_index" ? h_.redis()->Command({"ZSCORE", key, id})
                              : h_.redis()->Command({"HEXISTS", key, id});
      EXPECT_TRUE(reply.ok()) << reply.status();
      if (reply.ok() && !reply->is_nil() &&
          (kind == "due_index" || reply->integer == 1)) {
        ++kept;
      }
    }
    return kept;
  }

  static std::vector<std::string> QueuedIds(const PlannedItems& items) {
    std::vector<std::string> ids;
    for (const engine::QueuedReminder& q : items.queued) ids.push_back(q.id);
    return ids;
  }
};

TEST_F(DispatchBatchTest, ATickTwiceInOneBatchPlansAsOneAtATime) {
  const std::string couple_name = PairAliceAndBob();
  AcceptAll(couple_name);
  std::map<std::string, QueueItem> items = ClaimEverything();
  std::vector<Tick> ticks;
  for (const auto& [id, item] : items) {
    if (item.tick.has_value()) ticks.push_back(*item.tick);
  }
  ASSERT_GE(ticks.size(), 2u);
  const pairing::v1::Couple couple = CoupleOf("alice");

  // The same tick twice (a lease lost mid-batch) and another one.
  std::vector<Scheduler::TickJob> jobs = {
      {&couple, &ticks[0]}, {&couple, &ticks[0]}, {&couple, &ticks[1]}};
  std::vector<absl::StatusOr<PlannedItems>> batch =
      scheduler_->SettleAndPlanBatch(jobs);
  ASSERT_EQ(batch.size(), 3u);
  for (const auto& planned : batch) ASSERT_TRUE(planned.ok()) << planned.status();
  EXPECT_FALSE(batch[0]->queued.empty());
  EXPECT_EQ(QueuedIds(*batch[0]), QueuedIds(*batch[1]))
      << "the repeat must not merge the occurrence into itself";

  // One at a time, afterwards, plans the very same items.
  for (size_t i : {0u, 2u}) {
    absl::StatusOr<PlannedItems> alone =
        scheduler_->SettleAndPlan(couple, *jobs[i].tick);
    ASSERT_TRUE(alone.ok()) << alone.status();
    EXPECT_EQ(QueuedIds(*alone), QueuedIds(*batch[i])) << i;
  }
  // Every reminder planned is on record as scheduled, summary included.
  CoupleReads read;
  read.couple_id = CoupleId(couple);
  for (const engine::QueuedReminder& q : batch[0]->queued) {
    if (!IsTickId(q.id)) read.reminder_ids.push_back(q.id);
  }
  ASSERT_FALSE(read.reminder_ids.empty());
  absl::StatusOr<std::vector<CoupleData>> data = store_->ReadCouples({read});
  ASSERT_TRUE(data.ok()) << data.status();
  for (const std::optional<RecordSummary>& s : (*data)[0].reminders) {
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->state, v1::REMINDER_STATE_SCHEDULED) << s->id;
  }
}

TEST_F(DispatchBatchTest, ACorruptRitualFailsOnlyItsOwnTicks) {
  const std::string couple_name = PairAliceAndBob();
  AcceptAll(couple_name);
  const pairing::v1::Couple couple = CoupleOf("alice");
  std::vector<Tick> ticks;
  for (const auto& [id, item] : ClaimEverything()) {
    if (item.tick.has_value()) ticks.push_back(*item.tick);
  }
  ASSERT_GE(ticks.size(), 2u);
  const Tick* other = nullptr;
  for (const Tick& t : ticks) {
    if (t.ritual_id != ticks[0].ritual_id) other = &t;
  }
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(
      h_.redis()
          ->Command({"HSET", SchedulerStore::Key(CoupleId(couple), "rituals"),
                     ticks[0].ritual_id, "\xff\xff not a ritual"})
          .ok());
  std::vector<absl::StatusOr<PlannedItems>> planned =
      scheduler_->SettleAndPlanBatch({{&couple, &ticks[0]}, {&couple, other}});
  ASSERT_EQ(planned.size(), 2u);
  EXPECT_TRUE(absl::IsDataLoss(planned[0].status())) << planned[0].status();
  ASSERT_TRUE(planned[1].ok()) << planned[1].status();
  EXPECT_FALSE(planned[1]->queued.empty());
}

TEST_F(DispatchBatchTest, RecordsWithoutASummaryAreReadWhole) {
  const std::string couple_name = PairAliceAndBob();
  AcceptAll(couple_name);
  const std::string couple_id = CoupleId(CoupleOf("alice"));
  absl::StatusOr<std::vector<v1::Reminder>> records =
      store_->LoadReminders(couple_id);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_FALSE(records->empty());
  const v1::Reminder& record = records->front();
  const RecordSummary expected = Summarize(record);
  // As a record saved before summaries existed.
  ASSERT_TRUE(h_.redis()
                  ->Command({"DEL", SchedulerStore::Key(couple_id, "summaries")})
                  .ok());

  CoupleReads read;
  read.couple_id = couple_id;
  read.reminder_ids = {expected.id, "no-such-reminder"};
  read.plan_window = {expected.due - absl::Minutes(1),
                      expected.due + absl::Minutes(1)};
  absl::StatusOr<std::vector<CoupleData>> data = store_->ReadCouples({read});
  ASSERT_TRUE(data.ok()) << data.status();
  const CoupleData& d = (*data)[0];
  ASSERT_EQ(d.reminders.size(), 2u);
  ASSERT_TRUE(d.reminders[0].has_value());
  EXPECT_EQ(d.reminders[0]->state, record.state());
  EXPECT_EQ(d.reminders[0]->ritual, record.ritual());
  EXPECT_EQ(d.reminders[0]->due, expected.due);
  EXPECT_FALSE(d.reminders[1].has_value());
  bool in_window = false;
  for (const RecordSummary& s : d.plan.nearby) {
    in_window = in_window || s.id == expected.id;
  }
  EXPECT_TRUE(in_window);

  // Saved again, it gets its summary back, and a title may hold anything.
  v1::Reminder renamed = record;
  renamed.set_ritual_title("a | b \x1f c");
  renamed.set_state(v1::REMINDER_STATE_DELIVERED);
  ASSERT_TRUE(store_->SaveReminders(couple_id, {renamed}).ok());
  EXPECT_EQ(h_.redis()
                ->Command({"HEXISTS", SchedulerStore::Key(couple_id, "summaries"),
                           expected.id})
                ->integer,
            1);
  data = store_->ReadCouples({read});
  ASSERT_TRUE(data.ok()) << data.status();
  ASSERT_TRUE((*data)[0].reminders[0].has_value());
  EXPECT_EQ((*data)[0].reminders[0]->state, v1::REMINDER_STATE_DELIVERED);
  EXPECT_EQ((*data)[0].reminders[0]->ritual_title, "a | b \x1f c");
}

TEST_F(DispatchBatchTest, TicksTrimRecordsPastTheirRetention) {
  const std::string couple_name = PairAliceAndBob();
  AcceptAll(couple_name);
  const pairing::v1::Couple couple = CoupleOf("alice");
  const absl::Time now = h_.clock()->Now();
  SaveDelivered(couple_name,
                {{"old", now - store_->retention() - absl::Hours(1)},
                 {"recent", now - absl::Hours(24)}});
  std::vector<Tick> ticks;
  for (const auto& [id, item] : ClaimEverything()) {
    if (item.tick.has_value()) ticks.push_back(*item.tick);
  }
  ASSERT_FALSE(ticks.empty());
  std::vector<absl::StatusOr<PlannedItems>> planned =
      scheduler_->SettleAndPlanBatch({{&couple, &ticks[0]}});
  ASSERT_TRUE(planned[0].ok()) << planned[0].status();
  EXPECT_EQ(KeptIn(couple_name, "old"), 0);
  EXPECT_EQ(KeptIn(couple_name, "recent"), 3);
}

// With a two-hour retention, so sweeps fall due within a test's day.
class ShortHistoryTest : public DispatchBatchTest {
 protected:
  ShortHistoryTest() { history_retention_ = absl::Hours(2); }
};

TEST_F(ShortHistoryTest, ASweepForgetsWhatIsPastTheRetention) {
  const std::string couple_name = PairAliceAndBob();
  AcceptAll(couple_name);
  const std::string couple_id = CoupleId(CoupleOf("alice"));
  const absl::Duration retention = store_->retention();
  const absl::Time now = h_.clock()->Now();
  // More than one sweep's share of old records, and one still kept.
  std::map<std::string, absl::Time> history;
  for (int i = 0; i < CoupleReads::kTrimPerRead + 20; ++i) {
    history[absl::StrCat("old-", i)] = now - retention - absl::Minutes(i + 1);
  }
  history["recent"] = now - retention + absl::Hours(1);
  SaveDelivered(couple_name, history);

  const engine::QueuedReminder sweep =
      SweepItem(couple_id, now - retention - absl::Minutes(1), retention);
  EXPECT_GE(sweep.due, now - absl::Minutes(1));
  EXPECT_LE(sweep.due, now - absl::Minutes(1) + retention / 4);
  ASSERT_TRUE(queue_->Schedule({sweep}).ok());
  h_.clock()->Advance(sweep.due > now ? sweep.due - now : absl::ZeroDuration());
  Drain();
  for (int i = 0; i < CoupleReads::kTrimPerRead + 20; ++i) {
    ASSERT_EQ(KeptIn(couple_name, absl::StrCat("old-", i)), 0) << i;
  }
  EXPECT_EQ(KeptIn(couple_name, "recent"), 3);
  // The sweeps are done: nothing of them is left waiting.
  for (const auto& [id, item] : ClaimEverything()) {
    EXPECT_NE(id, sweep.id);
    EXPECT_FALSE(absl::StrContains(id, ".more.")) << id;
  }
}

TEST_F(ShortHistoryTest, HistoryStaysWithinTheRetention) {
  const std::string couple_name = PairAliceAndBob();
  AcceptAll(couple_name);
  const std::string couple_id = CoupleId(CoupleOf("alice"));
  const absl::Duration step = absl::Minutes(30);
  // Latest a record may linger: the retention, the sweep's slot, one step.
  const absl::Duration longest =
      history_retention_ + history_retention_ / 4 + step;
  size_t delivered = 0;
  for (int day = 0; day < 4; ++day) {
    for (int i = 0; i < 48; ++i) {
      RunFor(step, step);
      delivered += Reminders("alice", v1::REMINDER_STATE_DELIVERED).size();
    }
    absl::StatusOr<std::vector<v1::Reminder>> kept = store_->FindReminders(
        couple_id, [](const RecordSummary&) { return true; });
    ASSERT_TRUE(kept.ok()) << kept.status();
    for (const v1::Reminder& r : *kept) {
      EXPECT_GE(FromProto(r.due_time()), h_.clock()->Now() - longest)
          << r.name() << " on day " << day;
    }
  }
  EXPECT_GT(delivered, 0u) << "nothing was delivered, so nothing was swept";
}

TEST_F(DispatchBatchTest, EachDeliveryQueuesTheSweepOfItsRecord) {
  const std::string couple_name = PairAliceAndBob();
  AcceptAll(couple_name);
  const std::string couple_id = CoupleId(CoupleOf("alice"));
  std::vector<v1::Reminder> delivered;
  for (int day = 0; day < 14 && delivered.empty(); ++day) {
    RunFor(absl::Hours(24), absl::Minutes(30));
    delivered = Reminders("alice", v1::REMINDER_STATE_DELIVERED);
  }
  ASSERT_FALSE(delivered.empty());
  std::map<std::string, QueueItem> items = ClaimEverything();
  for (const v1::Reminder& r : delivered) {
    const engine::QueuedReminder sweep = SweepItem(
        couple_id, FromProto(r.due_time()), store_->retention());
    const auto it = items.find(sweep.id);
    ASSERT_NE(it, items.end()) << sweep.id;
    EXPECT_TRUE(it->second.sweep);
  }
}

TEST_F(DispatchBatchTest, CachedCouplesLastUntilPairingReportsAChange) {
  const std::string couple_name = PairAliceAndBob();
  AcceptAll(couple_name);
  const std::string couple_id = internal::LastSegment(couple_name);
  // As the dispatcher asks: under the couple's current epoch.
  auto version = [&] {
    absl::StatusOr<std::vector<int64_t>> epochs = store_->Epochs({couple_id});
    EXPECT_TRUE(epochs.ok()) << epochs.status();
    return absl::StrCat(couple_id, ":", epochs.ok() ? (*epochs)[0] : -1);
  };
  auto alices_zone = [](const absl::StatusOr<services::CoupleRef>& couple) {
    EXPECT_TRUE(couple.ok()) << couple.status();
    if (!couple.ok()) return std::string();
    for (const auto& partner : (*couple)->partners()) {
      if (partner.user_id() == "alice") return partner.profile().time_zone();
    }
    return std::string();
  };
  const std::string before = version();
  EXPECT_EQ(alices_zone(directory_->ForUser("alice", before)),
            "Europe/London");

  // Alice moves; until pairing's outbox reaches the scheduler, the epoch
  // stands and a copy fetched under it is still trusted (the fixture's
  // plain TTL is zero, so only the version keeps it).
  SetProfile("alice", "Alice", "Asia/Tokyo");
  EXPECT_EQ(version(), before);
  EXPECT_EQ(alices_zone(directory_->ForUser("alice", before)),
            "Europe/London");
  // The re-plan arrives: the epoch moves and every copy is fetched again.
  absl::StatusOr<int> relayed = relay_->RelayOnce();
  ASSERT_TRUE(relayed.ok()) << relayed.status();
  const std::string after = version();
  EXPECT_NE(after, before);
  EXPECT_EQ(alices_zone(directory_->ForUser("alice", after)), "Asia/Tokyo");

  // A version is trusted for kVersionedTtl at most.
  SetProfile("alice", "Alice", "America/New_York");
  EXPECT_EQ(alices_zone(directory_->ForUser("alice", after)), "Asia/Tokyo");
  h_.clock()->Advance(services::CoupleDirectory::kVersionedTtl +
                      absl::Seconds(1));
  EXPECT_EQ(alices_zone(directory_->ForUser("alice", after)),
            "America/New_York");
}

TEST_F(DispatchBatchTest, FindRemindersMatchesWithOrWithoutSummaries) {
  const std::string couple_name = PairAliceAndBob();
  AcceptAll(couple_name);
  const std::string couple_id = CoupleId(CoupleOf("alice"));
  auto alices = [&] {
    std::vector<std::string> names;
    absl::StatusOr<std::vector<v1::Reminder>> found = store_->FindReminders(
        couple_id,
        [](const RecordSummary& s) { return s.recipient_user_id == "alice"; });
    EXPECT_TRUE(found.ok()) << found.status();
    if (!found.ok()) return names;
    for (const v1::Reminder& r : *found) {
      EXPECT_EQ(r.recipient_user_id(), "alice");
      names.push_back(r.name());
    }
    std::sort(names.begin(), names.end());
    return names;
  };
  const std::vector<std::string> with = alices();
  ASSERT_FALSE(with.empty());
  // One record as if saved before summaries existed.
  const std::vector<v1::Reminder> scheduled =
      Reminders("alice", v1::REMINDER_STATE_SCHEDULED);
  ASSERT_FALSE(scheduled.empty());
  ASSERT_TRUE(
      h_.redis()
          ->Command({"HDEL", SchedulerStore::Key(couple_id, "summaries"),
                     ReminderId(scheduled.front())})
          .ok());
  EXPECT_EQ(alices(), with);
}

TEST_F(DispatchBatchTest, ListRemindersPagesThroughWhatMatches) {
  const std::string couple_name = PairAliceAndBob();
  AcceptAll(couple_name);
  auto list = [&](int page_size, const std::string& token) {
    v1::ListRemindersRequest req;
    req.set_recipient_user_id("alice");
    req.add_states(v1::REMINDER_STATE_SCHEDULED);
    req.set_page_size(page_size);
    req.set_page_token(token);
    v1::ListRemindersResponse out;
    EXPECT_TRUE(
        stub_->ListReminders(h_.ContextFor("alice").get(), req, &out).ok());
    return out;
  };
  const v1::ListRemindersResponse all = list(500, "");
  ASSERT_GE(all.reminders_size(), 3);
  std::vector<std::string> paged;
  std::string token;
  do {
    const v1::ListRemindersResponse page = list(2, token);
    for (const v1::Reminder& r : page.reminders()) {
      EXPECT_EQ(r.recipient_user_id(), "alice");
      EXPECT_EQ(r.state(), v1::REMINDER_STATE_SCHEDULED);
      paged.push_back(r.name());
    }
    token = page.next_page_token();
  } while (!token.empty() && paged.size() < 1000);
  std::vector<std::string> expected;
  for (const v1::Reminder& r : all.reminders()) expected.push_back(r.name());
  EXPECT_EQ(paged, expected);
}

}  // namespace
}  // namespace tend::scheduler
