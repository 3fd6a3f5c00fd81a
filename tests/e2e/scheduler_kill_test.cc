// kill -9 a tend-scheduler replica mid-dispatch: nothing is lost.
//
// Two real replicas drain a few thousand due reminders from one Redis. Once
// some hundreds are out, replica "a" is killed with SIGKILL while it holds
// leases; replica "b" drains the rest; the test clock moves past the lease
// so a's leases expire; "a" restarts. Every scheduled reminder must then
// have been delivered at least once, nothing else delivered, and a repeat
// (a's leased items that went out before the kill) must carry the same
// reminder id. The test counts deliveries where every replica publishes
// them: the live channels "tend:live:{user}".
#include <signal.h>

#include <algorithm>
#include <iostream>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "engine/redis/redis_subscriber.h"
#include "gtest/gtest.h"
#include "services/scheduler/convert.h"
#include "services/scheduler/reminder_planner.h"
#include "services/scheduler/scheduler_store.h"
#include "tests/e2e/e2e_stack.h"
#include "tests/support/child_process.h"

namespace tend {
namespace {

using scheduler::v1::Reminder;

constexpr int kCouples = 20;
constexpr int kRemindersPerCouple = 150;
constexpr int kTotal = kCouples * kRemindersPerCouple;
// Deliveries seen before replica a is killed.
constexpr int kKillAfter = 300;
constexpr char kRitualId[] = "kill-test";

// LiveCounter
//
// Every reminder published on "tend:live:*", by reminder id. Thread-safe:
// the subscriber's thread records, the test thread reads.
class LiveCounter {
 public:
  void Record(absl::string_view channel, absl::string_view message) {
    absl::MutexLock lock(&mu_);
    if (channel == kProbeChannel) {
      probe_seen_ = true;
      return;
    }
    Reminder reminder;
    if (!reminder.ParseFromArray(message.data(),
                                 static_cast<int>(message.size()))) {
      ++unparsed_;
      return;
    }
    ++messages_;
    Delivery& d = by_id_[scheduler::ReminderId(reminder)];
    if (d.count == 0) {
      d.first = reminder;
    } else if (reminder.name() != d.first.name() ||
               reminder.ritual() != d.first.ritual() ||
               reminder.recipient_user_id() != d.first.recipient_user_id() ||
               channel !=
                   absl::StrCat("tend:live:", d.first.recipient_user_id())) {
      ++changed_repeats_;
    }
    ++d.count;
  }

  bool probe_seen() const {
    absl::MutexLock lock(&mu_);
    return probe_seen_;
  }
  int distinct() const {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(by_id_.size());
  }
  int messages() const {
    absl::MutexLock lock(&mu_);
    return messages_;
  }
  int unparsed() const {
    absl::MutexLock lock(&mu_);
    return unparsed_;
  }
  int changed_repeats() const {
    absl::MutexLock lock(&mu_);
    return changed_repeats_;
  }
  // Id → how many times it was delivered.
  absl::flat_hash_map<std::string, int> Counts() const {
    absl::MutexLock lock(&mu_);
    absl::flat_hash_map<std::string, int> out;
    for (const auto& [id, d] : by_id_) out[id] = d.count;
    return out;
  }

  static constexpr char kProbeChannel[] = "tend:live:e2e-probe";

 private:
  struct Delivery {
    int count = 0;
    Reminder first;
  };
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Delivery> by_id_ ABSL_GUARDED_BY(mu_);
  int messages_ ABSL_GUARDED_BY(mu_) = 0;
  int unparsed_ ABSL_GUARDED_BY(mu_) = 0;
  int changed_repeats_ ABSL_GUARDED_BY(mu_) = 0;
  bool probe_seen_ ABSL_GUARDED_BY(mu_) = false;
};

class SchedulerKillTest : public e2e::StackTest {
 protected:
  absl::StatusOr<e2e::Service> StartReplica(const std::string& name,
                                            const std::string& worker_id,
                                            const std::string& pairing_addr) {
    return Spawn(name,
                 {TEND_SCHEDULER_BIN, "--listen=127.0.0.1:0", "--test_clock",
                  "--dispatch_threads=2", "--dispatch_batch=25",
                  absl::StrCat("--worker_id=", worker_id),
                  absl::StrCat("--pairing_addr=", pairing_addr)});
  }
};

TEST(SchedulerBinaryTest, RefusesAHistoryRetentionUnderAMinute) {
  auto [status, out] = testing::RunCommand(
      {TEND_SCHEDULER_BIN, "--listen=127.0.0.1:0", "--jwt_secret=j",
       "--service_secret=s", "--history_retention=30s"},
      {}, /*merge_stderr=*/true);
  EXPECT_EQ(status, 2) << out;
  EXPECT_NE(out.find("--history_retention must be at least 1m"),
            std::string::npos)
      << out;
}

TEST_F(SchedulerKillTest, KillNineMidDispatchLosesNothing) {
  const absl::Time started = absl::Now();
  absl::StatusOr<e2e::Service> pairing =
      Spawn("tend-pairing", {TEND_PAIRING_BIN, "--listen=127.0.0.1:0"});
  ASSERT_TRUE(pairing.ok()) << pairing.status();
  auto pairing_stub = pairing::v1::PairingService::NewStub(pairing->channel);

  // Couples paired for real, each with one active personal ritual, and all
  // their reminders due at the test clock's now.
  scheduler::SchedulerStore store(redis());
  std::vector<engine::QueuedReminder> queued;
  absl::flat_hash_set<std::string> scheduled;
  for (int c = 0; c < kCouples; ++c) {
    const std::string partners[2] = {absl::StrCat("kill-a", c),
                                     absl::StrCat("kill-b", c)};
    absl::StatusOr<pairing::v1::Couple> couple =
        Pair(pairing_stub.get(), partners[0], partners[1]);
    ASSERT_TRUE(couple.ok()) << couple.status();
    const std::string couple_id = scheduler::CoupleId(*couple);
    scheduler::v1::Ritual ritual;
    ritual.set_name(scheduler::RitualName(couple_id, kRitualId));
    ritual.set_title("Kill test");
    ritual.set_kind(scheduler::v1::RITUAL_KIND_PERSONAL);
    ritual.set_state(scheduler::v1::RITUAL_STATE_ACTIVE);
    for (const std::string& p : partners) ritual.add_participant_user_ids(p);
    ASSERT_TRUE(store.SaveRitual(couple_id, kRitualId, ritual).ok());
    for (int n = 0; n < kRemindersPerCouple; ++n) {
      const std::string id = absl::StrCat("kill.", c, ".", n);
      Reminder reminder;
      reminder.set_name(absl::StrCat(couple->name(), "/reminders/", id));
      reminder.set_ritual(ritual.name());
      reminder.set_ritual_title(ritual.title());
      reminder.set_recipient_user_id(partners[n % 2]);
      reminder.set_kind(scheduler::v1::RITUAL_KIND_PERSONAL);
      reminder.set_state(scheduler::v1::REMINDER_STATE_SCHEDULED);
      *reminder.mutable_occurrence_time() = scheduler::ToProto(clock());
      *reminder.mutable_due_time() = scheduler::ToProto(clock());
      queued.push_back(
          {id, couple_id, clock(), scheduler::EncodeReminder(reminder)});
      scheduled.insert(id);
    }
  }
  absl::StatusOr<int> stored = queue()->Schedule(queued);
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(*stored, kTotal);

  // Count what the replicas publish, once the subscription is live.
  LiveCounter live;
  engine::RedisSubscriber subscriber(
      redis_options(), "tend:live:*",
      [&live](absl::string_view channel, absl::string_view message) {
        live.Record(channel, message);
      });
  subscriber.Start();
  ASSERT_TRUE(e2e::Poll(
      [&] {
        (void)redis()->Command({"PUBLISH", LiveCounter::kProbeChannel, "?"});
        return live.probe_seen();
      },
      absl::Seconds(10), absl::Milliseconds(20)))
      << "the test's subscriber never received its probe";

  absl::StatusOr<e2e::Service> a =
      StartReplica("tend-scheduler a", "a", pairing->address);
  ASSERT_TRUE(a.ok()) << a.status();
  absl::StatusOr<e2e::Service> b =
      StartReplica("tend-scheduler b", "b", pairing->address);
  ASSERT_TRUE(b.ok()) << b.status();

  ASSERT_TRUE(e2e::Poll([&] { return live.distinct() >= kKillAfter; },
                        absl::Seconds(30), absl::Milliseconds(1)))
      << "only " << live.distinct() << " reminders delivered in 30 s";
  EXPECT_EQ(a->process->Terminate(SIGKILL), 128 + SIGKILL);
  const int delivered_at_kill = live.distinct();
  EXPECT_LT(delivered_at_kill, kTotal)
      << "everything was delivered before the kill; it proves nothing";

  // b drains everything a did not hold. What stays leased is a's: the
  // leases of a dead worker, which only their expiry returns.
  int64_t orphaned = -1;
  ASSERT_TRUE(e2e::Poll(
      [&] {
        absl::StatusOr<e2e::QueueTotals> t = Totals();
        if (!t.ok() || t->due_unclaimed > 0) return false;
        const bool settled = t->leased == orphaned;
        orphaned = t->leased;
        return settled;
      },
      absl::Seconds(30), absl::Milliseconds(250)))
      << "replica b did not drain the queue after the kill";
  EXPECT_GT(orphaned, 0) << "replica a held no leases when it was killed";
  const int delivered_before_expiry = live.distinct();

  // Past the lease (30 s by default): a's items are due again. Then a
  // comes back.
  ASSERT_TRUE(AdvanceClock(absl::Seconds(45)).ok());
  absl::StatusOr<e2e::Service> a_again =
      StartReplica("tend-scheduler a (restarted)", "a", pairing->address);
  ASSERT_TRUE(a_again.ok()) << a_again.status();

  EXPECT_TRUE(e2e::Poll([&] { return live.distinct() >= kTotal; },
                        absl::Seconds(90), absl::Milliseconds(20)))
      << live.distinct() << " of " << kTotal << " delivered after 90 s";
  absl::StatusOr<e2e::QueueTotals> totals;
  EXPECT_TRUE(e2e::Poll(
      [&] {
        totals = Totals();
        return totals.ok() && totals->scheduled == 0 && totals->leased == 0;
      },
      absl::Seconds(10)))
      << "the queue never emptied";
  ASSERT_TRUE(totals.ok()) << totals.status();
  EXPECT_EQ(totals->scheduled, 0);
  EXPECT_EQ(totals->due_unclaimed, 0);
  EXPECT_EQ(totals->leased, 0);
  EXPECT_EQ(totals->dead, 0);

  // At least once, for exactly what was scheduled.
  const absl::flat_hash_map<std::string, int> counts = live.Counts();
  std::vector<std::string> missing, unexpected;
  for (const std::string& id : scheduled) {
    if (!counts.contains(id)) missing.push_back(id);
  }
  int repeated_ids = 0;
  for (const auto& [id, n] : counts) {
    if (!scheduled.contains(id)) unexpected.push_back(id);
    if (n > 1) ++repeated_ids;
  }
  auto first = [](std::vector<std::string> ids) {
    std::sort(ids.begin(), ids.end());
    ids.resize(std::min<size_t>(ids.size(), 10));
    return absl::StrJoin(ids, ", ");
  };
  EXPECT_TRUE(missing.empty())
      << missing.size() << " never delivered, e.g. " << first(missing);
  EXPECT_TRUE(unexpected.empty())
      << unexpected.size() << " delivered but never scheduled, e.g. "
      << first(unexpected);
  // A repeat is the same reminder again: same id, recipient and ritual.
  EXPECT_EQ(live.changed_repeats(), 0);
  EXPECT_EQ(live.unparsed(), 0);
  const int duplicates = live.messages() - live.distinct();
  EXPECT_LE(repeated_ids, orphaned)
      << "only the killed replica's leased items may go out twice";
  std::cout << "[ scheduler_kill ] " << kTotal << " scheduled; "
            << delivered_at_kill << " delivered when a was killed; " << orphaned
            << " left leased by a; " << delivered_before_expiry
            << " delivered before its leases expired; " << live.messages()
            << " deliveries in all, " << duplicates << " duplicate(s) over "
            << repeated_ids << " id(s); "
            << absl::ToDoubleSeconds(absl::Now() - started) << " s\n";

  // The test's idle connection to pairing goes first: nothing in this
  // process polls it, so it would not see the GOAWAY and pairing would wait
  // its whole --drain_timeout for it.
  subscriber.Stop();
  pairing_stub.reset();
  pairing->channel.reset();
  EXPECT_EQ(b->process->Terminate(SIGTERM), 0);
  EXPECT_EQ(a_again->process->Terminate(SIGTERM), 0);
  EXPECT_EQ(pairing->process->Terminate(SIGTERM), 0);
}

}  // namespace
}  // namespace tend
