// A simulated year for 1,000 random couples across zones, travel and DST,
// checked against the time rules' invariants:
//   - no reminder goes out inside its recipient's quiet hours;
//   - both partners of a shared ritual get the same instant;
//   - no occurrence happens twice;
//   - none is skipped, and no reminder is lost, except where a rule says so,
//     with a reason.
// Plus the budget, merge and waking-hours rules, and determinism.
#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/plan/planner.h"
#include "engine/plan/ritual_templates.h"
#include "engine/recur/recurrence.h"
#include "gtest/gtest.h"
#include "tests/engine/plan/plan_fixtures.h"

namespace tend::engine {
namespace {

using ::tend::engine::testing::HasReason;
using ::tend::engine::testing::Zone;

constexpr int kCouples = 1000;

const char* const kZones[] = {"America/New_York",  "Europe/London",
                              "Australia/Sydney",  "America/Los_Angeles",
                              "Asia/Tokyo",        "Australia/Lord_Howe",
                              "America/Sao_Paulo", "Pacific/Chatham",
                              "Pacific/Apia",      "Africa/Casablanca",
                              "Asia/Kolkata",      "Asia/Kathmandu",
                              "Europe/Berlin",     "America/St_Johns",
                              "Pacific/Auckland",  "America/Chicago",
                              "America/Santiago",  "Pacific/Kiritimati",
                              "Asia/Tehran",       "UTC"};

const char* const kCustomRules[] = {
    "FREQ=DAILY",
    "FREQ=DAILY;INTERVAL=3",
    "FREQ=WEEKLY;BYDAY=TU,TH",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA,SU",
    "FREQ=MONTHLY;BYMONTHDAY=-1",
    "FREQ=MONTHLY;BYDAY=-1SU",
    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
    "FREQ=DAILY;COUNT=40",
    "FREQ=WEEKLY;UNTIL=20260901T000000Z",
    "",
};

const absl::Time kFrom = absl::FromCivil(absl::CivilSecond(2026, 1, 1, 0, 0, 0),
                                         absl::UTCTimeZone());
const absl::Time kTo = absl::FromCivil(absl::CivilSecond(2027, 1, 1, 0, 0, 0),
                                       absl::UTCTimeZone());

class Random {
 public:
  explicit Random(uint32_t seed) : rng_(seed) {}
  int Int(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_);
  }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  absl::TimeZone AnyZone() {
    return Zone(kZones[Int(0, std::size(kZones) - 1)]);
  }
  TimeOfDay Time(int first_hour, int last_hour) {
    return TimeOfDay{Int(first_hour, last_hour), 15 * Int(0, 3)};
  }

 private:
  std::mt19937 rng_;
};

Partner RandomPartner(Random& rnd, std::string id) {
  Partner p;
  p.id = id;
  p.display_name = id;
  p.zone = rnd.AnyZone();
  p.waking_hours = {rnd.Time(5, 9), rnd.Time(20, 23)};
  const int quiet = rnd.Int(0, 19);
  if (quiet == 0) {
    p.quiet_hours.reset();
  } else if (quiet == 1) {
    p.quiet_hours = TimeWindow{{13, 0}, {14, 30}};  // a nap
  } else {
    p.quiet_hours = TimeWindow{rnd.Time(21, 23), rnd.Time(5, 8)};
  }
  p.daily_budget = rnd.Int(1, 10);
  if (rnd.Chance(0.6)) p.leave_for_work = rnd.Time(6, 9);
  if (rnd.Chance(0.25)) {
    std::set<int64_t> hours;
    for (int n = rnd.Int(1, 3); n > 0; --n) hours.insert(rnd.Int(0, 8759));
    for (int64_t h : hours) {
      p.travel.push_back(
          {kFrom + absl::Hours(h) + absl::Minutes(rnd.Int(0, 59)),
           rnd.AnyZone()});
    }
  }
  return p;
}

std::vector<absl::Duration> RandomLeads(Random& rnd) {
  const absl::Duration choices[] = {absl::ZeroDuration(), absl::Minutes(5),
                                    absl::Minutes(10),    absl::Minutes(30),
                                    absl::Hours(1),       absl::Hours(2),
                                    absl::Hours(24)};
  std::vector<absl::Duration> leads;
  for (int n = rnd.Int(0, 3); n > 0; --n) {
    leads.push_back(choices[rnd.Int(0, std::size(choices) - 1)]);
  }
  return leads;
}

std::vector<std::string> RandomParticipants(Random& rnd, const Couple& c) {
  switch (rnd.Int(0, 2)) {
    case 0:
      return {c.partners[0].id};
    case 1:
      return {c.partners[1].id};
    default:
      return {c.partners[0].id, c.partners[1].id};
  }
}

struct World {
  Couple couple;
  std::vector<Ritual> rituals;
};

World RandomWorld(Random& rnd, int n) {
  World w;
  w.couple.partners = {RandomPartner(rnd, absl::StrCat("a", n)),
                       RandomPartner(rnd, absl::StrCat("b", n))};
  w.couple.home_zone = w.couple.partners[rnd.Int(0, 1)].zone;
  const absl::CivilDay first(2025, 12, 1);
  for (const RitualTemplate& t : RitualTemplates()) {
    if (!rnd.Chance(0.6)) continue;
    w.rituals.push_back(RitualFromTemplate(t, t.id, first + rnd.Int(0, 120),
                                           RandomParticipants(rnd, w.couple)));
  }
  for (int k = rnd.Int(0, 2); k > 0; --k) {
    Ritual r;
    r.id = absl::StrCat("custom-", k);
    r.title = r.id;
    r.kind = rnd.Chance(0.5) ? RitualKind::kShared : RitualKind::kPersonal;
    if (r.kind == RitualKind::kPersonal) {
      r.participant_ids = RandomParticipants(rnd, w.couple);
    }
    r.rrule = kCustomRules[rnd.Int(0, std::size(kCustomRules) - 1)];
    // DST changes happen around 00:00-03:00 in most zones.
    const int hour = rnd.Chance(0.3) ? rnd.Int(0, 3) : rnd.Int(0, 23);
    r.dtstart = absl::CivilSecond(first + rnd.Int(0, 300)) + hour * 3600 +
                30 * 60 * rnd.Int(0, 1);
    r.duration = absl::Minutes(15 * rnd.Int(0, 8));
    r.lead_times = RandomLeads(rnd);
    if (rnd.Chance(0.2)) r.zone = rnd.AnyZone();
    w.rituals.push_back(std::move(r));
  }
  for (Ritual& r : w.rituals) {
    r.paused = rnd.Chance(0.05);
    // Skip a few occurrences of rituals in a fixed zone.
    if (r.kind == RitualKind::kShared && rnd.Chance(0.2)) {
      absl::StatusOr<Recurrence> rec =
          Recurrence::Parse(r.rrule.empty() ? "FREQ=DAILY;COUNT=1" : r.rrule,
                            r.dtstart, r.zone.value_or(w.couple.home_zone));
      if (!rec.ok()) continue;
      for (const Occurrence& o : rec->Expand(kFrom, 30)) {
        if (rnd.Chance(0.2)) r.skipped.push_back(o.instant);
      }
    }
  }
  return w;
}

// Counts of what the rules did, to show the simulation exercises them.
struct Tally {
  int64_t occurrences = 0, reminders = 0, scheduled = 0, conflicts = 0;
  std::map<AdjustmentReason, int64_t> by_reason;
};

// Fails the test with `what` about couple `n`, at most a few times.
class Checker {
 public:
  void Fail(int n, const std::string& what) {
    if (++failures_ <= 20) ADD_FAILURE() << "couple " << n << ": " << what;
  }
  int failures() const { return failures_; }

 private:
  int failures_ = 0;
};

const Partner& PartnerById(const Couple& c, const std::string& id) {
  return c.partners[0].id == id ? c.partners[0] : c.partners[1];
}

// Proposals are the nearest grid times either side that suit both: checked
// against a plain scan of every 15-minute step within a day.
void CheckProposals(int n, const World& w, const Plan& plan, Checker& check) {
  const Couple& c = w.couple;
  auto fits = [&](absl::Time t, absl::Duration duration) {
    for (const Partner& p : c.partners) {
      const absl::CivilSecond local = p.ZoneAt(t).At(t).cs;
      const TimeOfDay tod = TimeOfDayOf(local);
      if (!p.waking_hours.Contains(tod) ||
          p.waking_hours.MinutesLeft(tod) * absl::Minutes(1) < duration) {
        return false;
      }
    }
    return true;
  };
  for (const Conflict& k : plan.conflicts) {
    const Ritual* r = nullptr;
    for (const Ritual& candidate : w.rituals) {
      if (candidate.id == k.ritual_id) r = &candidate;
    }
    const absl::TimeZone zone = r->zone.value_or(c.home_zone);
    const absl::CivilMinute base(zone.At(k.start).cs);
    std::vector<absl::Time> want;
    const absl::CivilMinute grid = base - base.minute() % 15;
    for (int dir : {-1, +1}) {
      for (int step = 0; step <= 24 * 4 + 1; ++step) {
        const absl::CivilMinute m = grid + dir * 15 * step;
        if (dir > 0 ? m <= base : m >= base) continue;
        const absl::Time t = LocalToInstant(absl::CivilSecond(m), zone);
        if (dir > 0 ? t <= k.start : t >= k.start) continue;
        if (absl::AbsDuration(t - k.start) > absl::Hours(24)) break;
        if (fits(t, r->duration)) {
          want.push_back(t);
          break;
        }
      }
    }
    std::sort(want.begin(), want.end(), [&](absl::Time a, absl::Time b) {
      return absl::AbsDuration(a - k.start) < absl::AbsDuration(b - k.start);
    });
    std::vector<absl::Time> got;
    for (const Proposal& p : k.proposals) got.push_back(p.start);
    if (got != want) {
      check.Fail(n, absl::StrCat("proposals for ", k.ritual_id, " at ",
                                 absl::FormatTime(k.start),
                                 " differ from a "
                                 "plain scan"));
    }
  }
}

void CheckPlan(int n, const World& w, const Plan& plan, Checker& check,
               Tally& tally) {
  const Couple& c = w.couple;
  absl::flat_hash_map<std::string, const Ritual*> rituals;
  for (const Ritual& r : w.rituals) rituals[r.id] = &r;

  // Occurrences: each once, contiguous per stream, shared ones anchored.
  std::map<std::pair<std::string, std::string>, std::vector<int64_t>> streams;
  absl::flat_hash_set<std::tuple<std::string, std::string, absl::Time>> starts;
  absl::flat_hash_map<std::string, const PlannedReminder*> by_id;
  for (const PlannedReminder& r : plan.reminders) by_id[r.id] = &r;
  absl::flat_hash_map<
      std::tuple<std::string, std::string, absl::Time, absl::Duration>, int>
      reminder_count;
  for (const PlannedReminder& r : plan.reminders) {
    ++reminder_count[{r.ritual_id, r.recipient_id, r.occurrence_start,
                      r.lead_time}];
  }
  absl::flat_hash_set<std::pair<std::string, int64_t>> conflicts;
  for (const Conflict& k : plan.conflicts)
    conflicts.insert({k.ritual_id, k.index});

  for (const PlannedOccurrence& o : plan.occurrences) {
    ++tally.occurrences;
    for (const Adjustment& a : o.adjustments) ++tally.by_reason[a.reason];
    const Ritual& r = *rituals.at(o.ritual_id);
    const std::string who =
        o.kind == RitualKind::kShared ? "" : o.participant_ids[0];
    streams[{o.ritual_id, who}].push_back(o.index);
    if (!starts.insert({o.ritual_id, who, o.start}).second) {
      check.Fail(n, absl::StrCat(o.ritual_id, " happens twice at ",
                                 absl::FormatTime(o.start)));
    }
    if (o.start < kFrom || o.start >= kTo) check.Fail(n, "start out of range");
    if (o.kind == RitualKind::kShared) {
      if (o.participant_ids.size() != 2) check.Fail(n, "shared needs both");
      const absl::TimeZone anchor = r.zone.value_or(c.home_zone);
      if (o.start != LocalToInstant(o.local, anchor)) {
        check.Fail(n, absl::StrCat(o.ritual_id, " not anchored in its zone"));
      }
      if (o.state == OccurrenceState::kPlanned) {
        // Inside both partners' waking hours, or a reported conflict.
        bool fits = true;
        for (const Partner& p : c.partners) {
          const absl::CivilSecond local = p.ZoneAt(o.start).At(o.start).cs;
          fits &= p.waking_hours.Contains(TimeOfDayOf(local));
        }
        if (!fits && !o.conflict) check.Fail(n, "outside waking, no conflict");
        if (o.conflict != (conflicts.count({o.ritual_id, o.index}) > 0)) {
          check.Fail(n, "conflict flag without a Conflict entry");
        }
        if (o.conflict &&
            !HasReason(o.adjustments, AdjustmentReason::kOutsideWakingHours)) {
          check.Fail(n, "conflict without a reason");
        }
      }
    } else if (!r.zone) {
      // Personal: the owner's clock reads the rule's time, or a rule says
      // why not.
      const Partner& owner = PartnerById(c, who);
      const absl::CivilSecond local = owner.ZoneAt(o.start).At(o.start).cs;
      if (local != o.local &&
          !HasReason(o.adjustments, AdjustmentReason::kDstGap) &&
          !HasReason(o.adjustments, AdjustmentReason::kTravel)) {
        check.Fail(n, absl::StrCat(o.ritual_id, " for ", who, " at ",
                                   absl::FormatCivilTime(local), " instead of ",
                                   absl::FormatCivilTime(o.local)));
      }
    }
    // Reminders: one per recipient and lead time, or none with a reason.
    const std::vector<absl::Duration> leads = EffectiveLeadTimes(r);
    for (const std::string& recipient : o.participant_ids) {
      for (absl::Duration lead : leads) {
        auto it = reminder_count.find(
            std::make_tuple(o.ritual_id, recipient, o.start, lead));
        const int count = it == reminder_count.end() ? 0 : it->second;
        const int want = o.state == OccurrenceState::kPlanned ? 1 : 0;
        if (count != want) {
          check.Fail(n, absl::StrCat(o.ritual_id, " has ", count,
                                     " reminders for one lead time"));
        }
      }
    }
    if (o.state == OccurrenceState::kSkipped &&
        !HasReason(o.adjustments, AdjustmentReason::kSkipped)) {
      check.Fail(n, "skipped without a reason");
    }
    if (o.state == OccurrenceState::kPaused &&
        !HasReason(o.adjustments, AdjustmentReason::kPaused)) {
      check.Fail(n, "paused without a reason");
    }
  }
  for (auto& [key, indices] : streams) {
    std::sort(indices.begin(), indices.end());
    if (std::adjacent_find(indices.begin(), indices.end()) != indices.end()) {
      check.Fail(n, absl::StrCat(key.first, " has an index twice"));
    }
    if (indices.back() - indices.front() + 1 !=
        static_cast<int64_t>(indices.size())) {
      check.Fail(n, absl::StrCat(key.first, " for '", key.second,
                                 "' skips an occurrence"));
    }
  }

  // Reminders.
  absl::flat_hash_map<std::pair<std::string, absl::CivilDay>, int> per_day;
  std::map<std::string, std::vector<absl::Time>> scheduled;
  absl::flat_hash_map<std::tuple<std::string, absl::Time, absl::Duration>,
                      absl::Time>
      shared_due;
  for (const PlannedReminder& r : plan.reminders) {
    ++tally.reminders;
    for (const Adjustment& a : r.adjustments) {
      ++tally.by_reason[a.reason];
      if (a.explanation.empty()) check.Fail(n, "adjustment without words");
    }
    const Partner& p = PartnerById(c, r.recipient_id);
    const absl::TimeZone zone = p.ZoneAt(r.due);
    const absl::CivilSecond local = zone.At(r.due).cs;
    switch (r.state) {
      case ReminderState::kScheduled: {
        ++tally.scheduled;
        if (p.quiet_hours && p.quiet_hours->Contains(TimeOfDayOf(local))) {
          check.Fail(n, absl::StrCat("reminder ", r.id, " at ",
                                     absl::FormatCivilTime(local),
                                     " inside quiet hours"));
        }
        if (r.due > r.occurrence_start) check.Fail(n, "reminder after start");
        if (r.due < kFrom) check.Fail(n, "reminder before the range");
        if (r.due != r.planned &&
            !HasReason(r.adjustments, AdjustmentReason::kQuietHours)) {
          check.Fail(n, "moved without a reason");
        }
        ++per_day[{p.id, absl::CivilDay(local)}];
        scheduled[p.id].push_back(r.due);
        break;
      }
      case ReminderState::kMerged: {
        auto it = by_id.find(r.merged_into);
        if (it == by_id.end() ||
            it->second->state != ReminderState::kScheduled ||
            it->second->recipient_id != r.recipient_id ||
            it->second->due != r.due) {
          check.Fail(n, "merged into nothing that goes out");
        }
        if (!HasReason(r.adjustments, AdjustmentReason::kMerged)) {
          check.Fail(n, "merged without a reason");
        }
        break;
      }
      case ReminderState::kDropped: {
        bool said = false;
        for (const Adjustment& a : r.adjustments) {
          said |= a.action == AdjustmentAction::kDropped;
        }
        if (!said) check.Fail(n, "dropped without a reason");
        break;
      }
    }
    // Both partners of a shared ritual: the same occurrence instant, and
    // the same due time unless a rule moved one of them.
    if (r.kind == RitualKind::kShared && r.adjustments.empty()) {
      auto [it, inserted] = shared_due.insert(
          {{r.ritual_id, r.occurrence_start, r.lead_time}, r.due});
      if (!inserted && it->second != r.due) {
        check.Fail(n, "shared ritual at two instants");
      }
    }
  }
  for (const auto& [key, count] : per_day) {
    if (count > PartnerById(c, key.first).daily_budget) {
      check.Fail(n, absl::StrCat(key.first, " over budget on ",
                                 absl::FormatCivilTime(key.second)));
    }
  }
  for (auto& [id, dues] : scheduled) {
    std::sort(dues.begin(), dues.end());
    for (size_t i = 1; i < dues.size(); ++i) {
      if (dues[i] - dues[i - 1] <= kMergeWindow) {
        check.Fail(n, absl::StrCat(id, " gets two pushes within 10 minutes"));
      }
    }
  }
  tally.conflicts += plan.conflicts.size();
  if (n % 10 == 0) CheckProposals(n, w, plan, check);
}

TEST(PlannerYearTest, ThousandCouplesKeepEveryTimeRule) {
  Random rnd(20261126);
  Checker check;
  Tally tally;
  for (int n = 0; n < kCouples; ++n) {
    const World w = RandomWorld(rnd, n);
    absl::StatusOr<Plan> plan = PlanRituals(w.couple, w.rituals, kFrom, kTo);
    ASSERT_TRUE(plan.ok()) << "couple " << n << ": " << plan.status();
    CheckPlan(n, w, *plan, check, tally);
    if (n % 97 == 0) {
      // Deterministic: the same input plans the same way.
      absl::StatusOr<Plan> again = PlanRituals(w.couple, w.rituals, kFrom, kTo);
      ASSERT_TRUE(again.ok());
      ASSERT_EQ(again->reminders.size(), plan->reminders.size());
      for (size_t i = 0; i < plan->reminders.size(); ++i) {
        ASSERT_EQ(again->reminders[i].id, plan->reminders[i].id);
        ASSERT_EQ(again->reminders[i].due, plan->reminders[i].due);
      }
    }
  }
  EXPECT_EQ(check.failures(), 0);
  // The simulation must exercise every rule, or it proves little.
  for (AdjustmentReason reason :
       {AdjustmentReason::kQuietHours, AdjustmentReason::kDailyBudget,
        AdjustmentReason::kDstGap, AdjustmentReason::kDstOverlap,
        AdjustmentReason::kSkipped, AdjustmentReason::kPaused,
        AdjustmentReason::kOutsideWakingHours, AdjustmentReason::kMerged,
        AdjustmentReason::kTravel, AdjustmentReason::kPast}) {
    EXPECT_GT(tally.by_reason[reason], 0) << AdjustmentReasonName(reason);
  }
  EXPECT_GT(tally.conflicts, 0);
  std::string summary = absl::StrCat(
      tally.occurrences, " occurrences, ", tally.reminders, " reminders (",
      tally.scheduled, " sent), ", tally.conflicts, " conflicts;");
  for (const auto& [reason, count] : tally.by_reason) {
    absl::StrAppend(&summary, " ", AdjustmentReasonName(reason), "=", count);
  }
  RecordProperty("summary", summary);
  std::cout << summary << "\n";
}

// NextReminders() walked through the year, as the scheduler does, plans the
// same occurrences as PlanRituals() for the whole year.
TEST(PlannerYearTest, NextRemindersWalksTheSameOccurrences) {
  Random rnd(7);
  for (int n = 0; n < 25; ++n) {
    const World w = RandomWorld(rnd, n);
    absl::StatusOr<Plan> year = PlanRituals(w.couple, w.rituals, kFrom, kTo);
    ASSERT_TRUE(year.ok()) << year.status();
    for (const Ritual& r : w.rituals) {
      std::vector<std::string> owners = r.participant_ids;
      if (r.kind == RitualKind::kShared) owners = {""};
      for (const std::string& owner : owners) {
        std::vector<absl::Time> want;
        for (const PlannedOccurrence& o : year->occurrences) {
          if (o.ritual_id == r.id &&
              (owner.empty() || o.participant_ids[0] == owner)) {
            want.push_back(o.start);
          }
        }
        std::vector<absl::Time> got;
        NextRequest request;
        request.after = kFrom - absl::Seconds(1);
        request.cursors.push_back({r.id, owner, -1});
        while (got.size() <= want.size() + 1) {
          absl::StatusOr<Plan> next = NextReminders(w.couple, {r}, request);
          ASSERT_TRUE(next.ok()) << next.status();
          const PlannedOccurrence* last = nullptr;
          for (const PlannedOccurrence& o : next->occurrences) {
            if (owner.empty() || o.participant_ids[0] == owner) last = &o;
            if ((owner.empty() || o.participant_ids[0] == owner) &&
                o.start < kTo) {
              got.push_back(o.start);
            }
          }
          if (last == nullptr || last->start >= kTo) break;
          request.after = last->start;
          request.cursors.back().last_index = last->index;
        }
        EXPECT_EQ(got, want) << "couple " << n << " ritual " << r.id
                             << " owner '" << owner << "'";
      }
    }
  }
}

}  // namespace
}  // namespace tend::engine
