#include "services/prompt/selection.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace tend::prompt {
namespace {

constexpr uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr uint64_t kFnvPrime = 1099511628211ULL;

uint64_t Mix(uint64_t x) {  // splitmix64's finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// A uniform double in [0, 1) from `seed`, the `n`th of its sequence.
double Uniform(uint64_t seed, uint64_t n) {
  return static_cast<double>(Mix(seed + 0x9e3779b97f4a7c15ULL * (n + 1)) >>
                             11) *
         (1.0 / 9007199254740992.0);
}

// Light, medium and deep weights at each depth level (index: v1::Depth).
constexpr std::array<std::array<double, 4>, kMaxDepthLevel + 1> kDepthWeights =
    {{{0, 10, 2, 0.2},
      {0, 6, 5, 0.5},
      {0, 3, 6, 2},
      {0, 2, 5, 4},
      {0, 1, 4, 6}}};

// How much an emphasised practice weighs, by its place in the emphasis.
constexpr std::array<double, 3> kEmphasisWeights = {4, 3, 2};

}  // namespace

uint64_t StableHash(std::initializer_list<absl::string_view> parts) {
  uint64_t h = kFnvOffset;
  auto add = [&h](unsigned char c) {
    h ^= c;
    h *= kFnvPrime;
  };
  for (absl::string_view part : parts) {
    for (int shift = 0; shift < 32; shift += 8)
      add((part.size() >> shift) & 0xff);
    for (unsigned char c : part) add(c);
  }
  return Mix(h);
}

int64_t DayNumber(absl::CivilDay day) {
  return day - absl::CivilDay(1970, 1, 1);
}

absl::CivilDay DayFromNumber(int64_t number) {
  return absl::CivilDay(1970, 1, 1) + number;
}

std::optional<absl::CivilDay> SetAsideSince(const Candidate& candidate,
                                            const History& history,
                                            absl::CivilDay day, int window_days,
                                            HistoryRule rule) {
  auto last = history.find(candidate.key);
  if (last == history.end()) return std::nullopt;
  const absl::CivilDay when = last->second;
  if (when >= day) {
    if (rule == HistoryRule::kReplayable || when - day >= window_days) {
      return std::nullopt;
    }
    return when;
  }
  if (day - when < window_days) return when;
  return std::nullopt;
}

std::optional<size_t> Pick(const std::vector<Candidate>& pool,
                           const History& history, absl::CivilDay day,
                           int window_days, HistoryRule rule,
                           const SelectionWeights& weights, uint64_t seed) {
  if (pool.empty()) return std::nullopt;
  std::vector<double> weight(pool.size(), 0.0);
  std::vector<size_t> eligible;
  std::optional<size_t> least_recent;
  absl::CivilDay least_recent_day;
  for (size_t i = 0; i < pool.size(); ++i) {
    const Candidate& c = pool[i];
    if (std::optional<absl::CivilDay> since =
            SetAsideSince(c, history, day, window_days, rule)) {
      // Set aside; remember the one chosen longest ago, ties by key.
      if (!least_recent || *since < least_recent_day ||
          (*since == least_recent_day && c.key < pool[*least_recent].key)) {
        least_recent = i;
        least_recent_day = *since;
      }
      continue;
    }
    eligible.push_back(i);
    auto practice = weights.practice.find(c.practice);
    const double practice_weight =
        practice == weights.practice.end() ? 1.0 : practice->second;
    const size_t depth = static_cast<size_t>(c.depth);
    const double depth_weight =
        depth < weights.depth.size() ? weights.depth[depth] : 0.0;
    weight[i] = std::max(0.0, depth_weight * practice_weight * c.boost);
  }
  if (eligible.empty()) return least_recent;
  const double total = std::accumulate(weight.begin(), weight.end(), 0.0);
  if (total <= 0) {
    // Every eligible candidate weighs nothing: choose among them evenly.
    return eligible[std::min(
        eligible.size() - 1,
        static_cast<size_t>(Uniform(seed, 0) * eligible.size()))];
  }
  double target = Uniform(seed, 0) * total;
  for (size_t i : eligible) {
    if (weight[i] <= 0) continue;
    if (target < weight[i]) return i;
    target -= weight[i];
  }
  // Rounding left `target` a hair past the end: the last weighted one.
  for (auto it = eligible.rbegin(); it != eligible.rend(); ++it) {
    if (weight[*it] > 0) return *it;
  }
  return std::nullopt;
}

std::vector<size_t> PickSeveral(const std::vector<Candidate>& pool, int count,
                                uint64_t seed) {
  // Weighted sampling without replacement (Efraimidis–Spirakis keys).
  std::vector<std::pair<double, size_t>> keyed;
  for (size_t i = 0; i < pool.size(); ++i) {
    if (pool[i].boost <= 0) continue;
    const double u = std::max(Uniform(seed, i), 1e-12);
    keyed.emplace_back(std::pow(u, 1.0 / pool[i].boost), i);
  }
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::vector<size_t> out;
  for (const auto& [key, index] : keyed) {
    if (static_cast<int>(out.size()) == count) break;
    out.push_back(index);
  }
  return out;
}

int DepthState::level() const {
  return std::clamp(points / kPointsPerLevel, 0, kMaxDepthLevel);
}

DepthState AdvanceDepth(DepthState state, DayOutcome outcome) {
  state.points = outcome == DayOutcome::kAnsweredByBoth
                     ? std::min(kMaxDepthPoints, state.points + 1)
                     : std::max(0, state.points - kMissPenalty);
  return state;
}

SelectionWeights WeightsFor(int level,
                            const std::vector<type::v1::Practice>& emphasis,
                            bool low_mood) {
  SelectionWeights weights;
  level = std::clamp(level, 0, kMaxDepthLevel);
  if (low_mood) level = std::min(level, 1);
  weights.depth = kDepthWeights[level];
  for (size_t i = 0; i < emphasis.size(); ++i) {
    const double w = kEmphasisWeights[std::min(i, kEmphasisWeights.size() - 1)];
    weights.practice.emplace(emphasis[i], w);  // the first mention wins
  }
  return weights;
}

}  // namespace tend::prompt
