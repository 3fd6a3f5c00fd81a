// Selection: how Tend chooses what to ask or suggest, as pure functions.
//
// A choice is a function of the couple, the day and the couple's state
// (what was asked before, how deep they are going, what the cadence
// emphasises), and of nothing else: no clock, no Redis, no process-seeded
// hash. Retries and both partners therefore see the same thing, and a test
// can replay years of choices in milliseconds.
//
//   std::vector<Candidate> pool = ...;         // from the catalog
//   SelectionWeights weights = WeightsFor(depth, emphasis, low_mood);
//   std::optional<size_t> i =
//       Pick(pool, history, day, 180, HistoryRule::kBothWays, weights,
//            StableHash({"daily", couple, "2025-03-14"}));
//
// How a pick works: every candidate asked within the no-repeat window is
// set aside; each remaining one is weighted by its depth (from the
// couple's depth level), its practice (the cadence's emphasis) and its own
// boost (e.g. the couple's own questions, or items that suit the ritual);
// the seed draws one in proportion to its weight. Only when every
// candidate was asked within the window does the least recently asked one
// come back, so a repeat happens only once a pool is exhausted.
#ifndef TEND_SERVICES_PROMPT_SELECTION_H_
#define TEND_SERVICES_PROMPT_SELECTION_H_

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "tend/prompt/v1/prompt.pb.h"
#include "tend/type/v1/time.pb.h"

namespace tend::prompt {

// StableHash()
//
// A 64-bit hash of `parts` that is the same in every process and release
// (FNV-1a with a final avalanche), for seeding choices. Parts are
// length-prefixed, so {"ab","c"} and {"a","bc"} differ.
uint64_t StableHash(std::initializer_list<absl::string_view> parts);

// Candidate
//
// One thing that may be chosen.
struct Candidate {
  // Its key in the history: a catalog item id, or "custom:{id}".
  std::string key;
  type::v1::Practice practice = type::v1::PRACTICE_UNSPECIFIED;
  v1::Depth depth = v1::DEPTH_UNSPECIFIED;
  // Multiplies its weight, e.g. 4 for an item that suits the ritual.
  double boost = 1.0;
};

// History
//
// When each key was last chosen, as a day.
using History = absl::flat_hash_map<std::string, absl::CivilDay>;

// SelectionWeights
//
// Weight by depth (index: v1::Depth) and by practice (absent: 1).
struct SelectionWeights {
  std::array<double, 4> depth = {0, 1, 1, 1};
  absl::flat_hash_map<int, double> practice;
};

// HistoryRule
//
// How history entries dated on or after the day being chosen for count.
enum class HistoryRule {
  // They are that day's own choice (or a later one) and are ignored, so
  // choosing again for the day gives the same answer without storing it.
  // For suggestions, which are not stored.
  kReplayable,
  // They set their key aside like earlier ones: a key chosen on day d is
  // kept away from every day within `window_days` of d, before or after.
  // For questions, which are stored once chosen, and whose days may be
  // chosen out of order when the partners' days do not line up.
  kBothWays,
};

// SetAsideSince()
//
// The day `candidate` was last chosen, when that keeps it from being
// chosen on `day`; nullopt when it may be chosen.
std::optional<absl::CivilDay> SetAsideSince(const Candidate& candidate,
                                            const History& history,
                                            absl::CivilDay day, int window_days,
                                            HistoryRule rule);

// Pick()
//
// The index of the chosen candidate, or nullopt when `pool` is empty.
// A key chosen on day d may come back on day d + `window_days`.
std::optional<size_t> Pick(const std::vector<Candidate>& pool,
                           const History& history, absl::CivilDay day,
                           int window_days, HistoryRule rule,
                           const SelectionWeights& weights, uint64_t seed);

// PickSeveral()
//
// Up to `count` distinct indexes of `pool`, drawn without history in
// proportion to each candidate's boost. Used for listening guides.
std::vector<size_t> PickSeveral(const std::vector<Candidate>& pool, int count,
                                uint64_t seed);

// DepthState
//
// How deep the couple's daily questions go. Each day both partners
// answered earns a point; each day the question went unfinished costs
// kMissPenalty. Every kPointsPerLevel points is one level deeper, so the
// depth rises gently (a week of answers is about one level) and falls back
// after misses, faster than it rose.
struct DepthState {
  int points = 0;
  // The last day whose question has been counted in.
  std::optional<absl::CivilDay> through;

  // 0 (light) to kMaxDepthLevel (deep).
  int level() const;
};

// The deepest level.
inline constexpr int kMaxDepthLevel = 4;
inline constexpr int kPointsPerLevel = 5;
inline constexpr int kMissPenalty = 3;
// Points stop here: a little above the deepest level's start, so one miss
// after a long run does not undo it.
inline constexpr int kMaxDepthPoints =
    kMaxDepthLevel * kPointsPerLevel + kPointsPerLevel - 1;

// DayOutcome
//
// What became of one day's question.
enum class DayOutcome { kAnsweredByBoth, kMissed };

// AdvanceDepth()
//
// The state after one more day's `outcome`.
DepthState AdvanceDepth(DepthState state, DayOutcome outcome);

// kLowMood
//
// A recent check-in mood (1 to 5) below this keeps questions light.
inline constexpr double kLowMood = 2.5;

// WeightsFor()
//
// The weights for a couple at depth `level` whose cadence emphasises
// `emphasis` (most emphasised first). A low mood holds the depth at level
// 1 at most, whatever the level.
SelectionWeights WeightsFor(int level,
                            const std::vector<type::v1::Practice>& emphasis,
                            bool low_mood);

// DayNumber() / DayFromNumber()
//
// Days since 1970-01-01, as stored in Redis scores.
int64_t DayNumber(absl::CivilDay day);
absl::CivilDay DayFromNumber(int64_t number);

}  // namespace tend::prompt

#endif  // TEND_SERVICES_PROMPT_SELECTION_H_
