// Table-driven tests of the adaptive check-in cadence: each scenario replays
// a couple's evaluations in order, feeding every decision back as
// `previous`, and checks the cadence after each one.
#include "engine/cadence/cadence.h"

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tend::engine {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

const absl::CivilDay kDay0(2026, 3, 1);

// One evaluation and what it should decide.
struct Step {
  int day = 0;                            // days after kDay0
  double mood = 0;                        // 0: unknown
  std::optional<int> connection;          // 0..100
  int kept = 0, skipped = 0, missed = 0;  // outcomes within the window
  std::optional<int> days_since_last;
  // Expectations; unset ones are not checked.
  std::optional<int> interval;
  std::optional<bool> drifting;
  std::optional<bool> counselling;
  std::optional<Practice> first_emphasis;
};

struct Scenario {
  std::string name;
  std::vector<Step> steps;
};

Step Signals(int day, double mood, std::optional<int> connection, int kept,
             int skipped, int missed, std::optional<int> days_since_last) {
  Step s;
  s.day = day;
  s.mood = mood;
  s.connection = connection;
  s.kept = kept;
  s.skipped = skipped;
  s.missed = missed;
  s.days_since_last = days_since_last;
  return s;
}

// Ready-made signal mixes. Scores: thriving ~89, steady ~62, strained ~41,
// low ~39 (below kLowScore), struggling ~18.
Step Thriving(int day) { return Signals(day, 4.5, 85, 4, 0, 0, 3); }
Step Steady(int day) { return Signals(day, 3.5, 60, 3, 1, 0, 4); }
Step Strained(int day) { return Signals(day, 2.5, 40, 2, 0, 2, 5); }
Step Low(int day) { return Signals(day, 2.5, 35, 2, 0, 2, 5); }
Step Struggling(int day) { return Signals(day, 1.5, 20, 1, 0, 3, 6); }

Step Expect(Step s, int interval,
            std::optional<Practice> first = std::nullopt) {
  s.interval = interval;
  s.first_emphasis = first;
  return s;
}

CadenceSignals SignalsFor(const Step& s) {
  CadenceSignals signals;
  signals.today = kDay0 + s.day;
  signals.mood = s.mood;
  signals.connection_score = s.connection;
  signals.days_since_last_check_in = s.days_since_last;
  // Spread the outcomes over the last three weeks, newest first.
  int back = 0;
  auto add = [&](int n, CheckInOutcome outcome) {
    for (int i = 0; i < n; ++i) {
      signals.recent_check_ins.push_back({signals.today - back, outcome});
      back += 5;
    }
  };
  add(s.kept, CheckInOutcome::kDone);
  add(s.skipped, CheckInOutcome::kSkipped);
  add(s.missed, CheckInOutcome::kMissed);
  // An outcome far outside the window never counts.
  signals.recent_check_ins.push_back(
      {signals.today - 90, CheckInOutcome::kMissed});
  return signals;
}

std::vector<CadenceDecision> Replay(const std::vector<Step>& steps) {
  std::vector<CadenceDecision> out;
  std::optional<CadenceDecision> previous;
  for (const Step& s : steps) {
    absl::StatusOr<CadenceDecision> d = DecideCadence(SignalsFor(s), previous);
    EXPECT_TRUE(d.ok()) << d.status();
    if (!d.ok()) break;
    out.push_back(*d);
    previous = *d;
  }
  return out;
}

std::vector<Scenario> Scenarios() {
  std::vector<Scenario> all;
  all.push_back({"ThrivingStaysWeeklyAndPlayful",
                 {Expect(Thriving(0), 7, Practice::kFun),
                  Expect(Thriving(7), 7, Practice::kFun),
                  Expect(Thriving(14), 7, Practice::kFun)}});
  all.push_back(
      {"StrainedNeedsTwoReadingsThenEveryThreeDays",
       {Expect(Steady(0), 7, Practice::kTimeTogether), Expect(Strained(7), 7),
        Expect(Strained(14), 3, Practice::kVulnerability),
        Expect(Strained(17), 3, Practice::kVulnerability)}});
  all.push_back(
      {"SharpFallActsAtOnce",
       {Expect(Thriving(0), 7), Expect(Struggling(7), 2, Practice::kRepair)}});
  all.push_back(
      {"RecoveringRelaxesOneBandPerConfirmedStep",
       {Expect(Struggling(0), 2, Practice::kRepair), Expect(Thriving(2), 2),
        Expect(Thriving(4), 3), Expect(Thriving(7), 3), Expect(Thriving(10), 7),
        Expect(Thriving(17), 7, Practice::kTimeTogether),
        Expect(Thriving(24), 7, Practice::kFun)}});
  all.push_back({"SameDayReadingsDoNotConfirm",
                 {Expect(Steady(0), 7), Expect(Strained(1), 7),
                  Expect(Strained(1), 7), Expect(Strained(2), 3)}});
  all.push_back(
      {"NewCoupleStartsWeekly",
       {Expect(Signals(0, 0, std::nullopt, 0, 0, 0, std::nullopt), 7)}});

  // Low for a month: counselling on day 30, not before.
  Scenario low{"LowForAMonthSuggestsCounselling", {}};
  for (int day : {0, 7, 14, 21, 28, 30, 37}) {
    Step s = Low(day);
    s.counselling = day >= 30;
    low.steps.push_back(s);
  }
  Step better = Steady(44);
  better.counselling = false;
  low.steps.push_back(better);
  all.push_back(low);

  // A dip just above the line does not start the month again.
  Scenario flicker{"BriefRiseInsideTheMarginKeepsTheLowRun", {}};
  flicker.steps = {Low(0), Low(10), Signals(20, 2.7, 42, 2, 0, 2, 3), Low(25)};
  flicker.steps.push_back(Low(31));
  flicker.steps.back().counselling = true;
  all.push_back(flicker);

  // Drift: fourteen days without a check-in brings the nudge.
  Scenario drift{"DriftAfterTwoWeeks", {}};
  for (int since : {6, 13, 14, 20}) {
    Step s = Steady(since);
    s.days_since_last = since;
    s.drifting = since >= 14;
    if (since >= 14) s.first_emphasis = Practice::kCheckIn;
    drift.steps.push_back(s);
  }
  all.push_back(drift);
  return all;
}

void PrintTo(const Scenario& s, std::ostream* os) { *os << s.name; }

class CadenceScenarioTest : public ::testing::TestWithParam<Scenario> {};

TEST_P(CadenceScenarioTest, Replays) {
  const Scenario& scenario = GetParam();
  std::vector<CadenceDecision> decisions = Replay(scenario.steps);
  ASSERT_EQ(decisions.size(), scenario.steps.size());
  for (size_t i = 0; i < decisions.size(); ++i) {
    const Step& s = scenario.steps[i];
    const CadenceDecision& d = decisions[i];
    SCOPED_TRACE(absl::StrCat("step ", i, " (day ", s.day, "): ", d.reason));
    EXPECT_GE(d.interval_days, kMinIntervalDays);
    EXPECT_LE(d.interval_days, kMaxIntervalDays);
    EXPECT_FALSE(d.reason.empty());
    EXPECT_FALSE(d.emphasis.empty());
    EXPECT_LE(d.emphasis.size(), 5u);
    if (s.interval) {
      EXPECT_EQ(d.interval_days, *s.interval);
    }
    if (s.first_emphasis) {
      EXPECT_EQ(d.emphasis.front(), *s.first_emphasis);
    }
    if (s.drifting) {
      EXPECT_EQ(d.drifting, *s.drifting);
      EXPECT_EQ(d.nudge.empty(), !*s.drifting);
    }
    if (s.counselling) {
      EXPECT_EQ(d.counselling_suggested, *s.counselling);
      EXPECT_EQ(d.counselling_reason.empty(), !*s.counselling);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, CadenceScenarioTest,
                         ::testing::ValuesIn(Scenarios()),
                         [](const ::testing::TestParamInfo<Scenario>& info) {
                           return info.param.name;
                         });

// Oscillating signals: the cadence changes at most once, then holds.
struct Oscillation {
  std::string name;
  Step (*high)(int);
  Step (*low)(int);
};

void PrintTo(const Oscillation& o, std::ostream* os) { *os << o.name; }

class CadenceOscillationTest : public ::testing::TestWithParam<Oscillation> {};

TEST_P(CadenceOscillationTest, DoesNotFlipFlop) {
  std::vector<Step> steps;
  for (int week = 0; week < 16; ++week) {
    steps.push_back(week % 2 == 0 ? GetParam().high(week * 7)
                                  : GetParam().low(week * 7));
  }
  std::vector<CadenceDecision> decisions = Replay(steps);
  ASSERT_EQ(decisions.size(), steps.size());
  int changes = 0;
  for (size_t i = 1; i < decisions.size(); ++i) {
    if (decisions[i].interval_days != decisions[i - 1].interval_days) {
      ++changes;
    }
  }
  EXPECT_LE(changes, 1);
}

INSTANTIATE_TEST_SUITE_P(
    All, CadenceOscillationTest,
    ::testing::Values(Oscillation{"ThrivingAndSteady", Thriving, Steady},
                      Oscillation{"SteadyAndStrained", Steady, Strained},
                      Oscillation{"ThrivingAndStrained", Thriving, Strained},
                      Oscillation{"ThrivingAndStruggling", Thriving,
                                  Struggling}),
    [](const ::testing::TestParamInfo<Oscillation>& info) {
      return info.param.name;
    });

TEST(CadenceTest, ScoreJustPastABoundaryDoesNotMove) {
  // Steady couple, then a score of about 47: below 50 but inside the margin.
  std::vector<CadenceDecision> d =
      Replay({Steady(0), Signals(7, 3.0, 40, 2, 1, 1, 2),
              Signals(14, 3.0, 40, 2, 1, 1, 2)});
  ASSERT_EQ(d.size(), 3u);
  ASSERT_TRUE(d[1].score.has_value());
  EXPECT_LT(*d[1].score, 50);
  EXPECT_EQ(d[2].band, CadenceBand::kSteady);
  EXPECT_EQ(d[2].interval_days, 7);
}

TEST(CadenceTest, ReasonNamesTheEvidence) {
  std::vector<CadenceDecision> d = Replay({Steady(0), Strained(7)});
  ASSERT_EQ(d.size(), 2u);
  EXPECT_THAT(d[1].reason, HasSubstr("mood 2.5 of 5"));
  EXPECT_THAT(d[1].reason, HasSubstr("connection 40 of 100"));
  EXPECT_THAT(d[1].reason, HasSubstr("2 of 4 check-ins kept"));
  EXPECT_THAT(d[1].reason, HasSubstr("next evaluation"));
}

TEST(CadenceTest, StrainedEmphasisesVulnerabilityAndRepairNotFun) {
  std::vector<CadenceDecision> d = Replay({Strained(0)});
  ASSERT_EQ(d.size(), 1u);
  EXPECT_THAT(d[0].emphasis, Contains(Practice::kVulnerability));
  EXPECT_THAT(d[0].emphasis, Contains(Practice::kRepair));
  EXPECT_THAT(d[0].emphasis, Not(Contains(Practice::kFun)));
}

TEST(CadenceTest, MostlyMissedCheckInsEmphasiseTimeTogether) {
  // Close and content, but the check-ins themselves keep slipping.
  std::vector<CadenceDecision> d = Replay({Signals(0, 5, 100, 0, 0, 4, 2)});
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].band, CadenceBand::kThriving);
  EXPECT_THAT(d[0].emphasis, Contains(Practice::kTimeTogether));
}

TEST(CadenceTest, IntervalStaysInBoundsForAnySignals) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> percent(0, 100), small(0, 6), mood(0, 5);
  std::optional<CadenceDecision> previous;
  for (int day = 0; day < 2000; day += 1 + small(rng)) {
    Step s = Signals(day, mood(rng), percent(rng), small(rng), small(rng),
                     small(rng), small(rng) * 5);
    absl::StatusOr<CadenceDecision> d = DecideCadence(SignalsFor(s), previous);
    ASSERT_TRUE(d.ok()) << d.status();
    ASSERT_GE(d->interval_days, kMinIntervalDays);
    ASSERT_LE(d->interval_days, kMaxIntervalDays);
    previous = *d;
  }
}

TEST(CadenceTest, IsPure) {
  CadenceSignals signals = SignalsFor(Strained(3));
  std::optional<CadenceDecision> previous = Replay({Steady(0)}).front();
  absl::StatusOr<CadenceDecision> a = DecideCadence(signals, previous);
  absl::StatusOr<CadenceDecision> b = DecideCadence(signals, previous);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->reason, b->reason);
  EXPECT_EQ(a->interval_days, b->interval_days);
  EXPECT_EQ(a->emphasis, b->emphasis);
}

struct BadInput {
  std::string name;
  void (*spoil)(CadenceSignals&);
  std::string field;
};

void PrintTo(const BadInput& b, std::ostream* os) { *os << b.name; }

class CadenceBadInputTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(CadenceBadInputTest, IsInvalidArgumentNamingTheField) {
  CadenceSignals signals = SignalsFor(Steady(10));
  GetParam().spoil(signals);
  absl::StatusOr<CadenceDecision> d = DecideCadence(signals, std::nullopt);
  ASSERT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(d.status().message()), HasSubstr(GetParam().field));
}

INSTANTIATE_TEST_SUITE_P(
    All, CadenceBadInputTest,
    ::testing::Values(
        BadInput{"MoodTooHigh", [](CadenceSignals& s) { s.mood = 6; },
                 "signals.mood"},
        BadInput{"MoodBelowOne", [](CadenceSignals& s) { s.mood = 0.5; },
                 "signals.mood"},
        BadInput{"ScoreTooHigh",
                 [](CadenceSignals& s) { s.connection_score = 101; },
                 "signals.connection_score"},
        BadInput{"NegativeDays",
                 [](CadenceSignals& s) { s.days_since_last_check_in = -1; },
                 "signals.days_since_last_check_in"},
        BadInput{"FutureCheckIn",
                 [](CadenceSignals& s) {
                   s.recent_check_ins.push_back(
                       {s.today + 1, CheckInOutcome::kDone});
                 },
                 "signals.recent_check_ins"}),
    [](const ::testing::TestParamInfo<BadInput>& info) {
      return info.param.name;
    });

TEST(CadenceTest, TodayBeforePreviousEvaluationIsInvalid) {
  std::optional<CadenceDecision> previous = Replay({Steady(10)}).front();
  absl::StatusOr<CadenceDecision> d =
      DecideCadence(SignalsFor(Steady(9)), previous);
  ASSERT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(d.status().message()), HasSubstr("signals.today"));
}

}  // namespace
}  // namespace tend::engine
