// Unit tests of the planner, one rule at a time, with real tzdata zones.
#include "engine/plan/planner.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/plan/ritual_templates.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/plan/plan_fixtures.h"

namespace tend::engine {
namespace {

using ::tend::engine::testing::At;
using ::tend::engine::testing::HasReason;
using ::tend::engine::testing::MakeCouple;
using ::tend::engine::testing::OccurrencesOf;
using ::tend::engine::testing::RemindersOf;
using ::tend::engine::testing::Zone;
using ::testing::HasSubstr;
using ::testing::SizeIs;

using CS = absl::CivilSecond;

Ritual Shared(std::string id, std::string rrule, CS dtstart,
              absl::Duration duration = absl::Minutes(30),
              std::vector<absl::Duration> leads = {}) {
  Ritual r;
  r.id = id;
  r.title = id;
  r.kind = RitualKind::kShared;
  r.rrule = std::move(rrule);
  r.dtstart = dtstart;
  r.duration = duration;
  r.lead_times = std::move(leads);
  return r;
}

Ritual Personal(std::string id, std::string owner, std::string rrule,
                CS dtstart, std::vector<absl::Duration> leads = {}) {
  Ritual r = Shared(std::move(id), std::move(rrule), dtstart, absl::Minutes(10),
                    std::move(leads));
  r.kind = RitualKind::kPersonal;
  r.participant_ids = {std::move(owner)};
  return r;
}

Plan MustPlan(const Couple& c, const std::vector<Ritual>& rituals,
              absl::Time from, absl::Time to) {
  absl::StatusOr<Plan> plan = PlanRituals(c, rituals, from, to);
  EXPECT_TRUE(plan.ok()) << plan.status();
  return plan.ok() ? *std::move(plan) : Plan{};
}

NextRequest After(absl::Time t) {
  NextRequest request;
  request.after = t;
  return request;
}

Plan MustNext(const Couple& c, const std::vector<Ritual>& rituals,
              const NextRequest& request) {
  absl::StatusOr<Plan> plan = NextReminders(c, rituals, request);
  EXPECT_TRUE(plan.ok()) << plan.status();
  return plan.ok() ? *std::move(plan) : Plan{};
}

// --- Shared rituals -------------------------------------------------------

TEST(PlannerSharedTest, OneInstantForBothAcrossDifferentDstDates) {
  // New York moves its clocks on 8 March 2026, London on 29 March: for
  // three weeks the two are four hours apart instead of five.
  Couple c = MakeCouple("America/New_York", {"alex", "America/New_York"},
                        {"sam", "Europe/London"});
  Ritual r =
      Shared("check-in", "FREQ=WEEKLY;BYDAY=SU", CS(2026, 3, 1, 15, 0, 0),
             absl::Minutes(30), {absl::Hours(2), absl::ZeroDuration()});
  Plan plan = MustPlan(c, {r}, At(CS(2026, 3, 1, 0, 0, 0), "America/New_York"),
                       At(CS(2026, 4, 5, 0, 0, 0), "America/New_York"));
  std::vector<PlannedOccurrence> occ = OccurrencesOf(plan, "check-in");
  ASSERT_THAT(occ, SizeIs(5));
  const int london_hours[] = {20, 19, 19, 19, 20};
  for (size_t i = 0; i < occ.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(occ[i].participant_ids,
              (std::vector<std::string>{"alex", "sam"}));
    EXPECT_EQ(occ[i].local_start[0].partner_id, "alex");
    EXPECT_EQ(occ[i].local_start[0].local.hour(), 15);
    EXPECT_EQ(occ[i].local_start[1].partner_id, "sam");
    EXPECT_EQ(occ[i].local_start[1].local.hour(), london_hours[i]);
    EXPECT_FALSE(occ[i].conflict);
    EXPECT_EQ(occ[i].index, static_cast<int64_t>(i));
  }
  // Each lead time reaches both partners at the same instant.
  std::vector<PlannedReminder> alex = RemindersOf(plan, "check-in", "alex");
  std::vector<PlannedReminder> sam = RemindersOf(plan, "check-in", "sam");
  ASSERT_THAT(alex, SizeIs(10));
  ASSERT_THAT(sam, SizeIs(10));
  for (size_t i = 0; i < alex.size(); ++i) {
    EXPECT_EQ(alex[i].due, sam[i].due);
    EXPECT_EQ(alex[i].occurrence_start, sam[i].occurrence_start);
    EXPECT_EQ(alex[i].state, ReminderState::kScheduled);
  }
  EXPECT_EQ(alex[0].due, At(CS(2026, 3, 1, 13, 0, 0), "America/New_York"));
  EXPECT_EQ(alex[0].local_due[1].local, CS(2026, 3, 1, 18, 0, 0));
  EXPECT_EQ(alex[0].id,
            absl::StrCat("check-in/",
                         absl::ToUnixSeconds(
                             At(CS(2026, 3, 1, 15, 0, 0), "America/New_York")),
                         "/alex/7200"));
}

TEST(PlannerSharedTest, OutsideWakingHoursIsAConflictWithProposals) {
  // Los Angeles 09:00 on a June Saturday is 02:00 on Sunday in Sydney.
  Couple c = MakeCouple("America/Los_Angeles", {"alex", "America/Los_Angeles"},
                        {"sam", "Australia/Sydney"});
  Ritual r = Shared("brunch", "FREQ=WEEKLY;BYDAY=SA", CS(2026, 6, 6, 9, 0, 0));
  Plan plan =
      MustPlan(c, {r}, At(CS(2026, 6, 6, 0, 0, 0), "America/Los_Angeles"),
               At(CS(2026, 6, 7, 0, 0, 0), "America/Los_Angeles"));
  ASSERT_THAT(plan.occurrences, SizeIs(1));
  const PlannedOccurrence& o = plan.occurrences[0];
  // Never moved silently: it stays at 09:00 and says why it is a problem.
  EXPECT_EQ(o.start, At(CS(2026, 6, 6, 9, 0, 0), "America/Los_Angeles"));
  EXPECT_TRUE(o.conflict);
  EXPECT_TRUE(HasReason(o.adjustments, AdjustmentReason::kOutsideWakingHours));
  ASSERT_THAT(plan.conflicts, SizeIs(1));
  const Conflict& conflict = plan.conflicts[0];
  EXPECT_EQ(conflict.partner_ids, std::vector<std::string>{"sam"});
  EXPECT_THAT(conflict.explanation, HasSubstr("02:00 for sam"));
  // Sydney is 17 hours ahead: both are awake from 14:00 to 22:00 in LA, and
  // a 30-minute ritual must start by 21:30.
  ASSERT_THAT(conflict.proposals, SizeIs(2));
  EXPECT_EQ(conflict.proposals[0].start,
            At(CS(2026, 6, 6, 14, 0, 0), "America/Los_Angeles"));
  EXPECT_EQ(conflict.proposals[0].local_start[1].local,
            CS(2026, 6, 7, 7, 0, 0));
  EXPECT_EQ(conflict.proposals[1].start,
            At(CS(2026, 6, 5, 21, 30, 0), "America/Los_Angeles"));
  EXPECT_THAT(conflict.explanation, HasSubstr("14:00 or 21:30"));
  // Its reminder for sam lands at 02:00 in Sydney, inside quiet hours that
  // end after it begins: dropped, with the reason.
  std::vector<PlannedReminder> sam = RemindersOf(plan, "brunch", "sam");
  ASSERT_THAT(sam, SizeIs(1));
  EXPECT_EQ(sam[0].state, ReminderState::kDropped);
  EXPECT_TRUE(HasReason(sam[0].adjustments, AdjustmentReason::kQuietHours));
  EXPECT_EQ(RemindersOf(plan, "brunch", "alex")[0].state,
            ReminderState::kScheduled);
}

TEST(PlannerSharedTest, DurationMustEndInsideWakingHours) {
  Couple c = MakeCouple("America/Los_Angeles", {"alex", "America/Los_Angeles"},
                        {"sam", "America/Los_Angeles"});
  Ritual r = Shared("late-date", "", CS(2026, 6, 6, 21, 0, 0), absl::Hours(2));
  Plan plan =
      MustPlan(c, {r}, At(CS(2026, 6, 6, 0, 0, 0), "America/Los_Angeles"),
               At(CS(2026, 6, 7, 0, 0, 0), "America/Los_Angeles"));
  ASSERT_THAT(plan.conflicts, SizeIs(1));
  EXPECT_EQ(plan.conflicts[0].partner_ids,
            (std::vector<std::string>{"alex", "sam"}));
  ASSERT_FALSE(plan.conflicts[0].proposals.empty());
  EXPECT_EQ(plan.conflicts[0].proposals[0].start,
            At(CS(2026, 6, 6, 20, 0, 0), "America/Los_Angeles"));
}

TEST(PlannerSharedTest, NoOverlapMeansNoProposals) {
  Couple c = MakeCouple("Europe/London", {"alex", "Europe/London"},
                        {"sam", "Europe/London"});
  c.partners[0].waking_hours = {{6, 0}, {12, 0}};
  c.partners[1].waking_hours = {{13, 0}, {23, 0}};
  Ritual r = Shared("never", "", CS(2026, 6, 6, 12, 30, 0));
  Plan plan = MustPlan(c, {r}, At(CS(2026, 6, 6, 0, 0, 0), "Europe/London"),
                       At(CS(2026, 6, 7, 0, 0, 0), "Europe/London"));
  ASSERT_THAT(plan.conflicts, SizeIs(1));
  EXPECT_TRUE(plan.conflicts[0].proposals.empty());
  EXPECT_THAT(plan.conflicts[0].explanation, HasSubstr("do not overlap"));
}

// --- Personal rituals and travel -----------------------------------------

struct TravelCase {
  std::string name;
  std::string from_zone;
  std::string to_zone;
  absl::Time change;
  // The UTC hour of each day's start, 8 to 12 May 2026.
  std::vector<int> utc_hours;
  bool jumped;
};

void PrintTo(const TravelCase& c, std::ostream* os) { *os << c.name; }

class PlannerTravelTest : public ::testing::TestWithParam<TravelCase> {};

TEST_P(PlannerTravelTest, PersonalRitualTravelsWithItsOwner) {
  const TravelCase& t = GetParam();
  Couple c = MakeCouple("Europe/London", {"alex", "Europe/London"},
                        {"sam", t.from_zone});
  c.partners[1].travel = {{t.change, Zone(t.to_zone)}};
  Ritual r =
      Personal("feelings", "sam", "FREQ=DAILY", CS(2026, 5, 1, 21, 0, 0));
  Plan plan = MustPlan(
      c, {r}, absl::FromCivil(CS(2026, 5, 8, 0, 0, 0), absl::UTCTimeZone()),
      absl::FromCivil(CS(2026, 5, 13, 0, 0, 0), absl::UTCTimeZone()));
  std::vector<PlannedOccurrence> occ = OccurrencesOf(plan, "feelings");
  ASSERT_EQ(occ.size(), t.utc_hours.size());
  bool jumped = false;
  for (size_t i = 0; i < occ.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(occ[i].start, absl::FromCivil(CS(2026, 5, 8 + static_cast<int>(i),
                                               t.utc_hours[i], 0, 0),
                                            absl::UTCTimeZone()));
    if (i > 0) {
      EXPECT_EQ(occ[i].index, occ[i - 1].index + 1);
    }
    jumped |= HasReason(occ[i].adjustments, AdjustmentReason::kTravel);
    // Sam reads 21:00 on their own clock, except on a jump's arrival.
    if (!HasReason(occ[i].adjustments, AdjustmentReason::kTravel)) {
      EXPECT_EQ(occ[i].local_start[1].local.hour(), 21);
    }
  }
  EXPECT_EQ(jumped, t.jumped);
}

INSTANTIATE_TEST_SUITE_P(
    All, PlannerTravelTest,
    ::testing::Values(
        // Lands in Tokyo in the morning: that evening is at 21:00 JST.
        TravelCase{"LondonToTokyoEarly",
                   "Europe/London",
                   "Asia/Tokyo",
                   absl::FromUnixSeconds(1778389200),  // 2026-05-10 05:00Z
                   {20, 20, 12, 12, 12},
                   false},
        // Lands at 22:00 JST, after 21:00 has passed there: on arrival.
        TravelCase{"LondonToTokyoLate",
                   "Europe/London",
                   "Asia/Tokyo",
                   absl::FromUnixSeconds(1778418000),  // 2026-05-10 13:00Z
                   {20, 20, 13, 12, 12},
                   true},
        // Flies west after 21:00 JST: 21:00 comes round again in London,
        // but that occurrence already happened.
        TravelCase{"TokyoToLondon",
                   "Asia/Tokyo",
                   "Europe/London",
                   absl::FromUnixSeconds(1778418000),  // 2026-05-10 13:00Z
                   {12, 12, 12, 20, 20},
                   false}),
    [](const ::testing::TestParamInfo<TravelCase>& info) {
      return info.param.name;
    });

TEST(PlannerPersonalTest, EachParticipantAtTheirOwnLocalTime) {
  Couple c = MakeCouple("America/New_York", {"alex", "America/New_York"},
                        {"sam", "Europe/London"});
  Ritual r =
      Personal("feelings", "alex", "FREQ=DAILY", CS(2026, 5, 1, 21, 0, 0));
  r.participant_ids = {"alex", "sam"};
  Plan plan = MustPlan(c, {r}, At(CS(2026, 5, 4, 0, 0, 0), "UTC"),
                       At(CS(2026, 5, 5, 0, 0, 0), "UTC"));
  // Sam's 21:00 BST (20:00Z) on the 4th; alex's 21:00 EDT is 01:00Z on
  // the 5th, outside the range, so alex's is the 3rd's (01:00Z on the 4th).
  ASSERT_THAT(plan.occurrences, SizeIs(2));
  EXPECT_EQ(plan.occurrences[0].participant_ids,
            std::vector<std::string>{"alex"});
  EXPECT_EQ(plan.occurrences[0].local_start[0].local, CS(2026, 5, 3, 21, 0, 0));
  EXPECT_EQ(plan.occurrences[1].participant_ids,
            std::vector<std::string>{"sam"});
  EXPECT_EQ(plan.occurrences[1].local_start[1].local, CS(2026, 5, 4, 21, 0, 0));
  EXPECT_THAT(RemindersOf(plan, "feelings", "alex"), SizeIs(1));
  EXPECT_THAT(RemindersOf(plan, "feelings", "sam"), SizeIs(1));
}

TEST(PlannerPersonalTest, PinnedZoneDoesNotTravel) {
  Couple c = MakeCouple("Europe/London", {"alex", "Europe/London"},
                        {"sam", "Europe/London"});
  c.partners[1].travel = {
      {At(CS(2026, 5, 1, 0, 0, 0), "UTC"), Zone("Asia/Tokyo")}};
  Ritual r = Personal("pinned", "sam", "FREQ=DAILY", CS(2026, 5, 1, 12, 0, 0));
  r.zone = Zone("Europe/London");
  Plan plan = MustPlan(c, {r}, At(CS(2026, 5, 4, 0, 0, 0), "UTC"),
                       At(CS(2026, 5, 5, 0, 0, 0), "UTC"));
  ASSERT_THAT(plan.occurrences, SizeIs(1));
  EXPECT_EQ(plan.occurrences[0].start,
            At(CS(2026, 5, 4, 12, 0, 0), "Europe/London"));
  EXPECT_EQ(plan.occurrences[0].local_start[1].local, CS(2026, 5, 4, 20, 0, 0));
}

TEST(PlannerPersonalTest, MorningAffectionFollowsLeaveForWork) {
  Couple c = MakeCouple("Europe/Berlin", {"alex", "Europe/Berlin"},
                        {"sam", "Europe/Berlin"});
  c.partners[0].leave_for_work = TimeOfDay{8, 15};
  Ritual r =
      RitualFromTemplate(*FindRitualTemplate("morning-affection"), "kiss",
                         absl::CivilDay(2026, 6, 1), {"alex", "sam"});
  Plan plan = MustPlan(c, {r}, At(CS(2026, 6, 1, 0, 0, 0), "Europe/Berlin"),
                       At(CS(2026, 6, 8, 0, 0, 0), "Europe/Berlin"));
  // Monday to Friday, ten minutes before alex leaves.
  std::vector<PlannedOccurrence> occ = OccurrencesOf(plan, "kiss");
  ASSERT_THAT(occ, SizeIs(5));
  for (size_t i = 0; i < occ.size(); ++i) {
    EXPECT_EQ(occ[i].local_start[0].local,
              CS(2026, 6, 1 + static_cast<int>(i), 8, 5, 0));
    EXPECT_EQ(occ[i].participant_ids, std::vector<std::string>{"alex"});
  }
  // Sam has no such routine: no occurrences, and a notice says so.
  ASSERT_THAT(plan.notices, SizeIs(1));
  EXPECT_EQ(plan.notices[0].partner_id, "sam");
  EXPECT_THAT(plan.notices[0].explanation, HasSubstr("leaves for work"));
}

// --- Daylight saving ------------------------------------------------------

struct DstCase {
  std::string name;
  std::string zone;
  CS dtstart;
  CS day;             // the DST day, at midnight
  CS expected_local;  // where the occurrence lands that day, local
  AdjustmentReason reason;
};

void PrintTo(const DstCase& c, std::ostream* os) { *os << c.name; }

class PlannerDstTest : public ::testing::TestWithParam<DstCase> {};

TEST_P(PlannerDstTest, FollowsRfc5545AndSaysSo) {
  const DstCase& t = GetParam();
  Couple c = MakeCouple(t.zone, {"alex", t.zone}, {"sam", t.zone});
  c.partners[0].quiet_hours.reset();
  Ritual r = Personal("night-owl", "alex", "FREQ=DAILY", t.dtstart);
  const absl::TimeZone zone = Zone(t.zone);
  Plan plan = MustPlan(c, {r}, absl::FromCivil(t.day - 86400, zone),
                       absl::FromCivil(t.day + 2 * 86400, zone));
  std::vector<PlannedOccurrence> occ = OccurrencesOf(plan, "night-owl");
  // Three days, three occurrences: never twice, never skipped.
  ASSERT_THAT(occ, SizeIs(3));
  EXPECT_EQ(occ[1].index, occ[0].index + 1);
  EXPECT_EQ(occ[2].index, occ[1].index + 1);
  EXPECT_EQ(occ[1].local_start[0].local, t.expected_local);
  EXPECT_EQ(occ[1].start, absl::FromCivil(t.expected_local, zone));
  EXPECT_TRUE(HasReason(occ[1].adjustments, t.reason));
  EXPECT_FALSE(HasReason(occ[0].adjustments, t.reason));
  // The reminder goes out at the occurrence, once.
  std::vector<PlannedReminder> rem = RemindersOf(plan, "night-owl", "alex");
  ASSERT_THAT(rem, SizeIs(3));
  EXPECT_EQ(rem[1].due, occ[1].start);
}

INSTANTIATE_TEST_SUITE_P(
    All, PlannerDstTest,
    ::testing::Values(
        DstCase{"NewYorkGap", "America/New_York", CS(2026, 3, 1, 2, 30, 0),
                CS(2026, 3, 8, 0, 0, 0), CS(2026, 3, 8, 3, 30, 0),
                AdjustmentReason::kDstGap},
        DstCase{"NewYorkOverlapTakesTheFirst", "America/New_York",
                CS(2026, 10, 1, 1, 30, 0), CS(2026, 11, 1, 0, 0, 0),
                CS(2026, 11, 1, 1, 30, 0), AdjustmentReason::kDstOverlap},
        DstCase{"LondonGap", "Europe/London", CS(2026, 3, 1, 1, 15, 0),
                CS(2026, 3, 29, 0, 0, 0), CS(2026, 3, 29, 2, 15, 0),
                AdjustmentReason::kDstGap},
        // Lord Howe shifts by thirty minutes.
        DstCase{"LordHoweHalfHourGap", "Australia/Lord_Howe",
                CS(2026, 9, 1, 2, 15, 0), CS(2026, 10, 4, 0, 0, 0),
                CS(2026, 10, 4, 2, 45, 0), AdjustmentReason::kDstGap},
        DstCase{"LordHoweHalfHourOverlap", "Australia/Lord_Howe",
                CS(2026, 3, 1, 1, 45, 0), CS(2026, 4, 5, 0, 0, 0),
                CS(2026, 4, 5, 1, 45, 0), AdjustmentReason::kDstOverlap}),
    [](const ::testing::TestParamInfo<DstCase>& info) {
      return info.param.name;
    });

TEST(PlannerDstTest, OverlapUsesTheFirstInstant) {
  Couple c = MakeCouple("America/New_York", {"alex", "America/New_York"},
                        {"sam", "America/New_York"});
  c.partners[0].quiet_hours.reset();
  Ritual r = Personal("r", "alex", "", CS(2026, 11, 1, 1, 30, 0));
  Plan plan = MustPlan(c, {r}, At(CS(2026, 11, 1, 0, 0, 0), "UTC"),
                       At(CS(2026, 11, 2, 0, 0, 0), "UTC"));
  ASSERT_THAT(plan.occurrences, SizeIs(1));
  // 01:30 EDT (05:30Z), not 01:30 EST (06:30Z).
  EXPECT_EQ(plan.occurrences[0].start, At(CS(2026, 11, 1, 5, 30, 0), "UTC"));
  EXPECT_EQ(plan.occurrences[0].local_start[0].utc_offset, absl::Hours(-4));
}

// --- Reminder rules -------------------------------------------------------

class PlannerReminderTest : public ::testing::Test {
 protected:
  PlannerReminderTest()
      : couple_(MakeCouple("Europe/London", {"alex", "Europe/London"},
                           {"sam", "Europe/London"})) {}

  Plan PlanDay(const std::vector<Ritual>& rituals) {
    return MustPlan(couple_, rituals,
                    At(CS(2026, 6, 10, 0, 0, 0), "Europe/London"),
                    At(CS(2026, 6, 11, 0, 0, 0), "Europe/London"));
  }

  Couple couple_;
};

TEST_F(PlannerReminderTest, QuietHoursMoveToTheEdge) {
  Ritual r = Personal("early", "sam", "FREQ=DAILY", CS(2026, 6, 1, 7, 30, 0),
                      {absl::Hours(1)});
  Plan plan = PlanDay({r});
  ASSERT_THAT(plan.reminders, SizeIs(1));
  const PlannedReminder& rem = plan.reminders[0];
  EXPECT_EQ(rem.state, ReminderState::kScheduled);
  EXPECT_EQ(rem.planned, At(CS(2026, 6, 10, 6, 30, 0), "Europe/London"));
  EXPECT_EQ(rem.due, At(CS(2026, 6, 10, 7, 0, 0), "Europe/London"));
  ASSERT_THAT(rem.adjustments, SizeIs(1));
  EXPECT_EQ(rem.adjustments[0].action, AdjustmentAction::kMoved);
  EXPECT_EQ(rem.adjustments[0].original, rem.planned);
  EXPECT_EQ(rem.adjustments[0].explanation,
            "Moved to 07:00: 06:30 is inside sam's quiet hours (22:00-07:00).");
}

TEST_F(PlannerReminderTest, QuietHoursDropWhenTheEdgeIsTooLate) {
  Ritual r = Personal("dawn", "sam", "FREQ=DAILY", CS(2026, 6, 1, 6, 45, 0));
  Plan plan = PlanDay({r});
  ASSERT_THAT(plan.reminders, SizeIs(1));
  EXPECT_EQ(plan.reminders[0].state, ReminderState::kDropped);
  EXPECT_TRUE(
      HasReason(plan.reminders[0].adjustments, AdjustmentReason::kQuietHours));
}

TEST_F(PlannerReminderTest, QuietHoursInsideTheDayWindow) {
  couple_.partners[1].quiet_hours = TimeWindow{{13, 0}, {14, 0}};
  Ritual r = Personal("lunch", "sam", "FREQ=DAILY", CS(2026, 6, 1, 14, 30, 0),
                      {absl::Minutes(60)});
  Plan plan = PlanDay({r});
  ASSERT_THAT(plan.reminders, SizeIs(1));
  EXPECT_EQ(plan.reminders[0].due,
            At(CS(2026, 6, 10, 14, 0, 0), "Europe/London"));
}

TEST_F(PlannerReminderTest, NoQuietHoursMeansNoMove) {
  couple_.partners[1].quiet_hours.reset();
  Ritual r = Personal("dawn", "sam", "FREQ=DAILY", CS(2026, 6, 1, 5, 0, 0));
  Plan plan = PlanDay({r});
  ASSERT_THAT(plan.reminders, SizeIs(1));
  EXPECT_EQ(plan.reminders[0].state, ReminderState::kScheduled);
  EXPECT_TRUE(plan.reminders[0].adjustments.empty());
}

TEST_F(PlannerReminderTest, RemindersWithinTenMinutesMerge) {
  Plan plan =
      PlanDay({Personal("a", "sam", "FREQ=DAILY", CS(2026, 6, 1, 20, 0, 0)),
               Personal("b", "sam", "FREQ=DAILY", CS(2026, 6, 1, 20, 6, 0)),
               Personal("c", "sam", "FREQ=DAILY", CS(2026, 6, 1, 20, 10, 0)),
               Personal("d", "sam", "FREQ=DAILY", CS(2026, 6, 1, 20, 11, 0))});
  ASSERT_THAT(plan.reminders, SizeIs(4));
  const PlannedReminder& a = plan.reminders[0];
  EXPECT_EQ(a.ritual_id, "a");
  EXPECT_EQ(a.state, ReminderState::kScheduled);
  ASSERT_THAT(a.carries, SizeIs(2));
  for (int i : {1, 2}) {
    const PlannedReminder& m = plan.reminders[i];
    EXPECT_EQ(m.state, ReminderState::kMerged);
    EXPECT_EQ(m.merged_into, a.id);
    EXPECT_EQ(m.due, a.due);
    EXPECT_TRUE(HasReason(m.adjustments, AdjustmentReason::kMerged));
  }
  EXPECT_THAT(plan.reminders[1].adjustments[0].explanation,
              HasSubstr("Sent with the 20:00 reminder for a, 6 minutes"));
  // Eleven minutes after the head of the group starts a new one.
  EXPECT_EQ(plan.reminders[3].ritual_id, "d");
  EXPECT_EQ(plan.reminders[3].state, ReminderState::kScheduled);
}

TEST_F(PlannerReminderTest, MergesOnlyTheSameRecipient) {
  Plan plan =
      PlanDay({Personal("a", "sam", "FREQ=DAILY", CS(2026, 6, 1, 20, 0, 0)),
               Personal("b", "alex", "FREQ=DAILY", CS(2026, 6, 1, 20, 5, 0))});
  for (const PlannedReminder& r : plan.reminders) {
    EXPECT_EQ(r.state, ReminderState::kScheduled);
  }
}

TEST_F(PlannerReminderTest, DailyBudgetKeepsTheLastReminderOfEach) {
  couple_.partners[1].daily_budget = 2;
  Plan plan = PlanDay(
      {Personal("noon", "sam", "FREQ=DAILY", CS(2026, 6, 1, 12, 0, 0),
                {absl::Hours(1), absl::ZeroDuration()}),
       Personal("evening", "sam", "FREQ=DAILY", CS(2026, 6, 1, 18, 0, 0))});
  ASSERT_THAT(plan.reminders, SizeIs(3));
  // The 11:00 heads-up goes; 12:00 and 18:00 stay.
  EXPECT_EQ(plan.reminders[0].lead_time, absl::Hours(1));
  EXPECT_EQ(plan.reminders[0].state, ReminderState::kDropped);
  ASSERT_THAT(plan.reminders[0].adjustments, SizeIs(1));
  EXPECT_EQ(plan.reminders[0].adjustments[0].explanation,
            "Dropped: sam already has 2 reminders on 2026-06-10, their daily "
            "limit.");
  EXPECT_EQ(plan.reminders[1].state, ReminderState::kScheduled);
  EXPECT_EQ(plan.reminders[2].state, ReminderState::kScheduled);
}

TEST_F(PlannerReminderTest, DailyBudgetPrefersSharedRituals) {
  couple_.partners[1].daily_budget = 1;
  Plan plan =
      PlanDay({Personal("mine", "sam", "FREQ=DAILY", CS(2026, 6, 1, 9, 0, 0)),
               Shared("ours", "FREQ=DAILY", CS(2026, 6, 1, 19, 0, 0))});
  std::vector<PlannedReminder> mine = RemindersOf(plan, "mine", "sam");
  std::vector<PlannedReminder> ours = RemindersOf(plan, "ours", "sam");
  ASSERT_THAT(mine, SizeIs(1));
  ASSERT_THAT(ours, SizeIs(1));
  EXPECT_EQ(mine[0].state, ReminderState::kDropped);
  EXPECT_EQ(ours[0].state, ReminderState::kScheduled);
  EXPECT_EQ(RemindersOf(plan, "ours", "alex")[0].state,
            ReminderState::kScheduled);
}

TEST_F(PlannerReminderTest, BudgetCountsTheRecipientsLocalDay) {
  // Sam is in Tokyo. 15:00 and 17:00 in London fall on one London day but
  // on two Tokyo days (23:00 on the 10th, 01:00 on the 11th).
  couple_.partners[1].zone = Zone("Asia/Tokyo");
  couple_.partners[1].daily_budget = 1;
  couple_.partners[1].quiet_hours.reset();
  Plan plan = PlanDay({Personal("a", "sam", "", CS(2026, 6, 10, 23, 0, 0)),
                       Personal("b", "sam", "", CS(2026, 6, 11, 1, 0, 0))});
  ASSERT_THAT(plan.reminders, SizeIs(2));
  for (const PlannedReminder& r : plan.reminders) {
    EXPECT_EQ(r.state, ReminderState::kScheduled);
  }
}

TEST_F(PlannerReminderTest, SkippedAndPausedSayWhy) {
  Ritual skipped = Shared("skip", "FREQ=DAILY", CS(2026, 6, 1, 19, 0, 0));
  skipped.skipped = {At(CS(2026, 6, 10, 19, 0, 0), "Europe/London")};
  Ritual paused = Shared("pause", "FREQ=DAILY", CS(2026, 6, 1, 18, 0, 0));
  paused.paused = true;
  Plan plan = PlanDay({skipped, paused});
  ASSERT_THAT(plan.occurrences, SizeIs(2));
  EXPECT_TRUE(plan.reminders.empty());
  for (const PlannedOccurrence& o : plan.occurrences) {
    if (o.ritual_id == "skip") {
      EXPECT_EQ(o.state, OccurrenceState::kSkipped);
      EXPECT_TRUE(HasReason(o.adjustments, AdjustmentReason::kSkipped));
    } else {
      EXPECT_EQ(o.state, OccurrenceState::kPaused);
      EXPECT_TRUE(HasReason(o.adjustments, AdjustmentReason::kPaused));
    }
  }
}

TEST_F(PlannerReminderTest, RemindersBeforeTheRangeArePast) {
  Ritual r = Shared("early", "FREQ=DAILY", CS(2026, 6, 1, 8, 0, 0),
                    absl::Minutes(30), {absl::Hours(12), absl::ZeroDuration()});
  Plan plan = PlanDay({r});
  std::vector<PlannedReminder> sam = RemindersOf(plan, "early", "sam");
  ASSERT_THAT(sam, SizeIs(2));
  EXPECT_EQ(sam[0].state, ReminderState::kDropped);
  EXPECT_TRUE(HasReason(sam[0].adjustments, AdjustmentReason::kPast));
  EXPECT_EQ(sam[1].state, ReminderState::kScheduled);
}

TEST_F(PlannerReminderTest, IsDeterministic) {
  std::vector<Ritual> rituals;
  for (const RitualTemplate& t : RitualTemplates()) {
    rituals.push_back(RitualFromTemplate(t, t.id, absl::CivilDay(2026, 6, 1),
                                         {"alex", "sam"}));
  }
  couple_.partners[0].leave_for_work = TimeOfDay{8, 0};
  couple_.partners[1].daily_budget = 2;
  const absl::Time from = At(CS(2026, 6, 1, 0, 0, 0), "Europe/London");
  Plan a = MustPlan(couple_, rituals, from, from + absl::Hours(24 * 60));
  Plan b = MustPlan(couple_, rituals, from, from + absl::Hours(24 * 60));
  ASSERT_EQ(a.reminders.size(), b.reminders.size());
  ASSERT_FALSE(a.reminders.empty());
  for (size_t i = 0; i < a.reminders.size(); ++i) {
    EXPECT_EQ(a.reminders[i].id, b.reminders[i].id);
    EXPECT_EQ(a.reminders[i].due, b.reminders[i].due);
    EXPECT_EQ(a.reminders[i].state, b.reminders[i].state);
  }
}

// --- NextReminders --------------------------------------------------------

class PlannerNextTest : public ::testing::Test {
 protected:
  PlannerNextTest()
      : couple_(MakeCouple("America/New_York", {"alex", "America/New_York"},
                           {"sam", "Europe/London"})),
        check_in_(Shared("check-in", "FREQ=WEEKLY;BYDAY=SU",
                         CS(2026, 3, 1, 15, 0, 0), absl::Minutes(30),
                         {absl::Hours(2), absl::ZeroDuration()})) {}

  static absl::Time Ny(CS local) { return At(local, "America/New_York"); }

  Couple couple_;
  Ritual check_in_;
};

TEST_F(PlannerNextTest, PlansOnlyTheNextOccurrence) {
  Plan plan =
      MustNext(couple_, {check_in_}, After(Ny(CS(2026, 3, 4, 12, 0, 0))));
  ASSERT_THAT(plan.occurrences, SizeIs(1));
  EXPECT_EQ(plan.occurrences[0].start, Ny(CS(2026, 3, 8, 15, 0, 0)));
  EXPECT_EQ(plan.occurrences[0].index, 1);
  EXPECT_THAT(plan.reminders, SizeIs(4));
  for (const PlannedReminder& r : plan.reminders) {
    EXPECT_EQ(r.state, ReminderState::kScheduled);
  }
}

TEST_F(PlannerNextTest, CursorNeverPlansAnOccurrenceTwice) {
  NextRequest request = After(Ny(CS(2026, 3, 4, 12, 0, 0)));
  request.cursors = {{"check-in", "", 1}};
  Plan plan = MustNext(couple_, {check_in_}, request);
  ASSERT_THAT(plan.occurrences, SizeIs(1));
  EXPECT_EQ(plan.occurrences[0].index, 2);
  EXPECT_EQ(plan.occurrences[0].start, Ny(CS(2026, 3, 15, 15, 0, 0)));
}

TEST_F(PlannerNextTest, WalksPastSkippedOccurrences) {
  check_in_.skipped = {Ny(CS(2026, 3, 8, 15, 0, 0))};
  Plan plan =
      MustNext(couple_, {check_in_}, After(Ny(CS(2026, 3, 4, 12, 0, 0))));
  ASSERT_THAT(plan.occurrences, SizeIs(2));
  EXPECT_EQ(plan.occurrences[0].state, OccurrenceState::kSkipped);
  EXPECT_EQ(plan.occurrences[1].state, OccurrenceState::kPlanned);
  EXPECT_EQ(plan.occurrences[1].start, Ny(CS(2026, 3, 15, 15, 0, 0)));
}

TEST_F(PlannerNextTest, LeadTimesAlreadyPastAreDropped) {
  Plan plan =
      MustNext(couple_, {check_in_}, After(Ny(CS(2026, 3, 8, 14, 0, 0))));
  std::vector<PlannedReminder> alex = RemindersOf(plan, "check-in", "alex");
  ASSERT_THAT(alex, SizeIs(2));
  EXPECT_EQ(alex[0].state, ReminderState::kDropped);
  EXPECT_TRUE(HasReason(alex[0].adjustments, AdjustmentReason::kPast));
  EXPECT_EQ(alex[1].state, ReminderState::kScheduled);
}

TEST_F(PlannerNextTest, MergesIntoAReminderAlreadySent) {
  NextRequest request = After(Ny(CS(2026, 3, 8, 14, 0, 0)));
  request.sent = {
      {"promise/1", "sam", Ny(CS(2026, 3, 8, 14, 55, 0)), "Call the plumber"}};
  Plan plan = MustNext(couple_, {check_in_}, request);
  std::vector<PlannedReminder> sam = RemindersOf(plan, "check-in", "sam");
  ASSERT_THAT(sam, SizeIs(2));
  EXPECT_EQ(sam[1].state, ReminderState::kMerged);
  EXPECT_EQ(sam[1].merged_into, "promise/1");
  EXPECT_EQ(sam[1].due, Ny(CS(2026, 3, 8, 14, 55, 0)));
  EXPECT_EQ(RemindersOf(plan, "check-in", "alex")[1].state,
            ReminderState::kScheduled);
}

TEST_F(PlannerNextTest, SentRemindersCountTowardTheBudget) {
  couple_.partners[1].daily_budget = 1;
  NextRequest request = After(Ny(CS(2026, 3, 8, 14, 0, 0)));
  request.sent = {{"promise/1", "sam", Ny(CS(2026, 3, 8, 9, 0, 0)), "x"}};
  Plan plan = MustNext(couple_, {check_in_}, request);
  std::vector<PlannedReminder> sam = RemindersOf(plan, "check-in", "sam");
  ASSERT_THAT(sam, SizeIs(2));
  EXPECT_EQ(sam[1].state, ReminderState::kDropped);
  EXPECT_TRUE(HasReason(sam[1].adjustments, AdjustmentReason::kDailyBudget));
}

TEST_F(PlannerNextTest, PausedAndEndedRituals) {
  Ritual paused = check_in_;
  paused.id = "paused";
  paused.paused = true;
  Ritual once = Shared("once", "", CS(2026, 3, 1, 15, 0, 0));
  Plan plan =
      MustNext(couple_, {paused, once}, After(Ny(CS(2026, 3, 4, 12, 0, 0))));
  ASSERT_THAT(plan.occurrences, SizeIs(1));
  EXPECT_EQ(plan.occurrences[0].state, OccurrenceState::kPaused);
  EXPECT_TRUE(plan.reminders.empty());
  ASSERT_THAT(plan.notices, SizeIs(1));
  EXPECT_EQ(plan.notices[0].ritual_id, "once");
  EXPECT_THAT(plan.notices[0].explanation, HasSubstr("no further"));
}

TEST_F(PlannerNextTest, PersonalRitualPlansEachParticipant) {
  Ritual r =
      RitualFromTemplate(*FindRitualTemplate("nightly-feelings"), "feelings",
                         absl::CivilDay(2026, 3, 1), {"alex", "sam"});
  Plan plan = MustNext(couple_, {r}, After(Ny(CS(2026, 3, 10, 12, 0, 0))));
  ASSERT_THAT(plan.occurrences, SizeIs(2));
  // 21:00 GMT for sam (17:00 EDT) comes before 21:00 EDT for alex.
  EXPECT_EQ(plan.occurrences[0].participant_ids,
            std::vector<std::string>{"sam"});
  EXPECT_EQ(plan.occurrences[0].start,
            At(CS(2026, 3, 10, 21, 0, 0), "Europe/London"));
  EXPECT_EQ(plan.occurrences[1].start, Ny(CS(2026, 3, 10, 21, 0, 0)));
}

// --- Bad input --------------------------------------------------------------

struct BadCase {
  std::string name;
  void (*spoil)(Couple&, std::vector<Ritual>&);
  std::string message;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class PlannerBadInputTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(PlannerBadInputTest, IsInvalidArgumentNamingTheField) {
  Couple c = MakeCouple("Europe/London", {"alex", "Europe/London"},
                        {"sam", "Europe/London"});
  std::vector<Ritual> rituals = {
      Shared("check-in", "FREQ=WEEKLY", CS(2026, 1, 4, 19, 0, 0)),
      Personal("feelings", "sam", "FREQ=DAILY", CS(2026, 1, 4, 21, 0, 0))};
  GetParam().spoil(c, rituals);
  const absl::Time from = At(CS(2026, 1, 1, 0, 0, 0), "UTC");
  absl::StatusOr<Plan> plan =
      PlanRituals(c, rituals, from, from + absl::Hours(24));
  ASSERT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(plan.status().message()),
              HasSubstr(GetParam().message));
  absl::StatusOr<Plan> next = NextReminders(c, rituals, After(from));
  EXPECT_EQ(next.status().code(), absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(
    All, PlannerBadInputTest,
    ::testing::Values(
        BadCase{
            "SamePartnerIds",
            [](Couple& c, std::vector<Ritual>&) { c.partners[1].id = "alex"; },
            "couple.partners: the two partners must have different ids"},
        BadCase{"EmptyPartnerId",
                [](Couple& c, std::vector<Ritual>&) { c.partners[0].id = ""; },
                "couple.partners[0].id"},
        BadCase{"BudgetZero",
                [](Couple& c, std::vector<Ritual>&) {
                  c.partners[1].daily_budget = 0;
                },
                "couple.partners[1].daily_budget: must be from 1 to 20"},
        BadCase{"EmptyWakingWindow",
                [](Couple& c, std::vector<Ritual>&) {
                  c.partners[0].waking_hours = {{7, 0}, {7, 0}};
                },
                "couple.partners[0].waking_hours: start and end must differ"},
        BadCase{"BadQuietHour",
                [](Couple& c, std::vector<Ritual>&) {
                  c.partners[0].quiet_hours = TimeWindow{{24, 0}, {7, 0}};
                },
                "couple.partners[0].quiet_hours.start"},
        BadCase{"TravelOutOfOrder",
                [](Couple& c, std::vector<Ritual>&) {
                  c.partners[0].travel = {
                      {absl::FromUnixSeconds(2000), absl::UTCTimeZone()},
                      {absl::FromUnixSeconds(1000), absl::UTCTimeZone()}};
                },
                "couple.partners[0].travel"},
        BadCase{"UnknownParticipant",
                [](Couple&, std::vector<Ritual>& r) {
                  r[1].participant_ids = {"robin"};
                },
                "ritual[feelings].participant_ids: \"robin\" is not a partner"},
        BadCase{"PersonalWithoutParticipant",
                [](Couple&, std::vector<Ritual>& r) {
                  r[1].participant_ids.clear();
                },
                "ritual[feelings].participant_ids: a personal ritual needs"},
        BadCase{"DuplicateId",
                [](Couple&, std::vector<Ritual>& r) { r[1].id = "check-in"; },
                "ritual[check-in].id: used by two rituals"},
        BadCase{
            "UnsupportedRrule",
            [](Couple&, std::vector<Ritual>& r) { r[0].rrule = "FREQ=HOURLY"; },
            "ritual[check-in].rrule"},
        BadCase{"TooManyLeadTimes",
                [](Couple&, std::vector<Ritual>& r) {
                  r[0].lead_times = {absl::Hours(1), absl::Hours(2),
                                     absl::Hours(3), absl::Hours(4)};
                },
                "ritual[check-in].lead_times: at most 3"},
        BadCase{"LeadTimeTooLong",
                [](Couple&, std::vector<Ritual>& r) {
                  r[0].lead_times = {absl::Hours(24 * 8)};
                },
                "ritual[check-in].lead_times: each must be from 0 to 7 days"},
        BadCase{"NegativeDuration",
                [](Couple&, std::vector<Ritual>& r) {
                  r[0].duration = -absl::Minutes(1);
                },
                "ritual[check-in].duration"},
        BadCase{"AnchorOnShared",
                [](Couple&, std::vector<Ritual>&
                                r) { r[0].anchor = TimeAnchor::kLeaveForWork; },
                "ritual[check-in].anchor"}),
    [](const ::testing::TestParamInfo<BadCase>& info) {
      return info.param.name;
    });

TEST(PlannerRangeTest, EmptyAndTooLongRangesAreInvalid) {
  Couple c = MakeCouple("Europe/London", {"alex", "Europe/London"},
                        {"sam", "Europe/London"});
  const absl::Time t = absl::FromUnixSeconds(1'780'000'000);
  EXPECT_EQ(PlanRituals(c, {}, t, t).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PlanRituals(c, {}, t, t + absl::Hours(24 * 801)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tend::engine
