// Selection as pure functions: stable seeds, no-repeat windows, weights
// and the depth model.
#include "services/prompt/selection.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace tend::prompt {
namespace {

std::vector<Candidate> Pool(int n, v1::Depth depth = v1::DEPTH_LIGHT) {
  std::vector<Candidate> pool;
  for (int i = 0; i < n; ++i) {
    pool.push_back({absl::StrCat("item-", i), type::v1::PRACTICE_FUN, depth});
  }
  return pool;
}

TEST(StableHashTest, IsStableAndSeparatesParts) {
  // Pinned: a change here would reshuffle every couple's questions.
  EXPECT_EQ(StableHash({"daily", "c1", "2025-03-14"}),
            StableHash({"daily", "c1", "2025-03-14"}));
  EXPECT_NE(StableHash({"ab", "c"}), StableHash({"a", "bc"}));
  EXPECT_NE(StableHash({"daily", "c1", "2025-03-14"}),
            StableHash({"daily", "c2", "2025-03-14"}));
  EXPECT_EQ(StableHash({}), StableHash({}));
}

TEST(PickTest, IsDeterministicForASeed) {
  const std::vector<Candidate> pool = Pool(50);
  const absl::CivilDay day(2025, 3, 14);
  for (uint64_t seed = 0; seed < 20; ++seed) {
    EXPECT_EQ(Pick(pool, {}, day, 30, HistoryRule::kBothWays, {}, seed),
              Pick(pool, {}, day, 30, HistoryRule::kBothWays, {}, seed));
  }
  EXPECT_FALSE(Pick({}, {}, day, 30, HistoryRule::kBothWays, {}, 1));
}

TEST(PickTest, NeverRepeatsWithinTheWindowWhileThePoolLasts) {
  const std::vector<Candidate> pool = Pool(40);
  History history;
  std::map<std::string, absl::CivilDay> last;
  absl::CivilDay day(2025, 1, 1);
  for (int i = 0; i < 400; ++i, ++day) {
    auto chosen = Pick(pool, history, day, 30, HistoryRule::kReplayable, {},
                       StableHash({"t", absl::FormatCivilTime(day)}));
    ASSERT_TRUE(chosen);
    const std::string& key = pool[*chosen].key;
    if (last.count(key)) {
      EXPECT_GE(day - last[key], 30) << key;
    }
    last[key] = day;
    history[key] = day;
  }
}

TEST(PickTest, AnExhaustedPoolGivesBackTheLeastRecent) {
  const std::vector<Candidate> pool = Pool(3);
  const absl::CivilDay day(2025, 1, 10);
  History history = {
      {"item-0", day - 2}, {"item-1", day - 5}, {"item-2", day - 1}};
  EXPECT_EQ(Pick(pool, history, day, 30, HistoryRule::kBothWays, {}, 7), 1u);
}

TEST(PickTest, ReplayableIgnoresTheDaysOwnChoiceBothWaysDoesNot) {
  const std::vector<Candidate> pool = Pool(2);
  const absl::CivilDay day(2025, 1, 10);
  const History today = {{"item-0", day}};
  // Asking again for the day may give item-0 again...
  std::set<size_t> seen;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    seen.insert(
        *Pick(pool, today, day, 30, HistoryRule::kReplayable, {}, seed));
  }
  EXPECT_EQ(seen.size(), 2u);
  // ...but a question chosen for a later day keeps away from earlier days.
  const History later = {{"item-0", day + 1}};
  for (uint64_t seed = 0; seed < 40; ++seed) {
    EXPECT_EQ(*Pick(pool, later, day, 30, HistoryRule::kBothWays, {}, seed),
              1u);
  }
}

TEST(PickTest, WeightsFollowDepthAndEmphasis) {
  std::vector<Candidate> pool;
  for (int i = 0; i < 30; ++i) {
    pool.push_back(
        {absl::StrCat("l", i), type::v1::PRACTICE_FUN, v1::DEPTH_LIGHT});
    pool.push_back(
        {absl::StrCat("d", i), type::v1::PRACTICE_REPAIR, v1::DEPTH_DEEP});
  }
  auto share_deep = [&](const SelectionWeights& w) {
    int deep = 0;
    for (uint64_t seed = 0; seed < 2000; ++seed) {
      if (pool[*Pick(pool, {}, absl::CivilDay(2025, 1, 1), 1,
                     HistoryRule::kBothWays, w,
                     StableHash({absl::StrCat(seed)}))]
              .depth == v1::DEPTH_DEEP) {
        ++deep;
      }
    }
    return deep / 2000.0;
  };
  const double level0 = share_deep(WeightsFor(0, {}, false));
  const double level4 = share_deep(WeightsFor(4, {}, false));
  EXPECT_LT(level0, 0.05);
  EXPECT_GT(level4, 0.75);
  // A low mood holds questions light whatever the level.
  EXPECT_LT(share_deep(WeightsFor(4, {}, true)), 0.15);
  // Emphasis on repair lifts the (deep) repair items at a middle level.
  EXPECT_GT(share_deep(WeightsFor(2, {type::v1::PRACTICE_REPAIR}, false)),
            share_deep(WeightsFor(2, {}, false)));
}

TEST(PickSeveralTest, GivesDistinctIndexesDeterministically) {
  const std::vector<Candidate> pool = Pool(10);
  const std::vector<size_t> a = PickSeveral(pool, 3, 42);
  EXPECT_EQ(a, PickSeveral(pool, 3, 42));
  EXPECT_EQ(std::set<size_t>(a.begin(), a.end()).size(), 3u);
  EXPECT_EQ(PickSeveral(pool, 20, 1).size(), 10u);
  EXPECT_TRUE(PickSeveral(pool, 0, 1).empty());
}

TEST(DepthTest, RisesGentlyAndFallsBackAfterMisses) {
  DepthState state;
  for (int i = 0; i < kPointsPerLevel - 1; ++i) {
    state = AdvanceDepth(state, DayOutcome::kAnsweredByBoth);
    EXPECT_EQ(state.level(), 0);
  }
  state = AdvanceDepth(state, DayOutcome::kAnsweredByBoth);
  EXPECT_EQ(state.level(), 1);
  // Six days of answers and one miss a week still go deeper, slowly.
  state = DepthState();
  int weeks = 0;
  while (state.level() < kMaxDepthLevel) {
    for (int d = 0; d < 6; ++d) {
      state = AdvanceDepth(state, DayOutcome::kAnsweredByBoth);
    }
    state = AdvanceDepth(state, DayOutcome::kMissed);
    ++weeks;
  }
  EXPECT_GE(weeks, 5);
  EXPECT_LE(weeks, 8);
  // A long run is not undone by one miss...
  for (int i = 0; i < 100; ++i) {
    state = AdvanceDepth(state, DayOutcome::kAnsweredByBoth);
  }
  state = AdvanceDepth(state, DayOutcome::kMissed);
  EXPECT_EQ(state.level(), kMaxDepthLevel);
  // ...but a week without answers brings the questions back to light.
  for (int i = 0; i < 7; ++i) state = AdvanceDepth(state, DayOutcome::kMissed);
  EXPECT_EQ(state.level(), 0);
}

TEST(DayNumberTest, RoundTrips) {
  EXPECT_EQ(DayNumber(absl::CivilDay(1970, 1, 2)), 1);
  EXPECT_EQ(DayFromNumber(DayNumber(absl::CivilDay(2031, 7, 9))),
            absl::CivilDay(2031, 7, 9));
}

}  // namespace
}  // namespace tend::prompt
