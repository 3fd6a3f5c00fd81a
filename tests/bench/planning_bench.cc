// Planning throughput for a million rituals.
//
// A pool of 12,500 random couples across 16 zones, each with all eight
// ritual templates (100,000 rituals; personal ones for both partners), is
// planned ten times per iteration from ten different instants: one
// iteration is one million rituals. Reusing a pool keeps the benchmark
// under 50 MB of memory instead of several hundred; every pass plans from a
// different instant, so no answer repeats, and nothing is cached between
// calls (each call parses its RRULEs, as the scheduler's would).
//
//   BM_NextRemindersMillion  NextReminders() per couple: the scheduler's
//                            path, the next occurrence of every ritual with
//                            its reminders after all rules.
//   BM_PlanWeekMillion       PlanRituals() over seven days per couple, as a
//                            preview does.
//
// Items are rituals, so items_per_second is rituals planned per second.
//
//   cmake -S . -B build -DTEND_BUILD_BENCH=ON -DCMAKE_BUILD_TYPE=Release
//   cmake --build build --target tend-bench-planning
//   build/bin/tend-bench-planning
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "engine/plan/planner.h"
#include "engine/plan/ritual_templates.h"

namespace tend::engine {
namespace {

constexpr int kPoolCouples = 12'500;
constexpr int kPasses = 10;  // kPoolCouples * 8 rituals * kPasses = 1M

const char* const kZones[] = {
    "America/New_York",    "Europe/London",    "Australia/Sydney",
    "America/Los_Angeles", "Asia/Tokyo",       "Australia/Lord_Howe",
    "America/Sao_Paulo",   "Pacific/Chatham",  "Pacific/Apia",
    "Africa/Casablanca",   "Asia/Kolkata",     "Europe/Berlin",
    "America/Chicago",     "Pacific/Auckland", "Asia/Singapore",
    "Africa/Lagos"};

struct CoupleAndRituals {
  Couple couple;
  std::vector<Ritual> rituals;
};

std::vector<CoupleAndRituals> BuildPool() {
  std::vector<absl::TimeZone> zones;
  for (const char* name : kZones) {
    absl::TimeZone z;
    absl::LoadTimeZone(name, &z);
    zones.push_back(z);
  }
  std::mt19937 rng(42);
  auto pick = [&](int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(rng);
  };
  std::vector<CoupleAndRituals> pool(kPoolCouples);
  for (int i = 0; i < kPoolCouples; ++i) {
    CoupleAndRituals& c = pool[i];
    for (int k = 0; k < 2; ++k) {
      Partner& p = c.couple.partners[k];
      p.id = absl::StrCat("user-", i, "-", k);
      p.zone = zones[pick(std::size(kZones))];
      p.waking_hours = {{6 + pick(3), 0}, {21 + pick(3), 0}};
      p.quiet_hours = TimeWindow{{22, 30 * pick(2)}, {6 + pick(2), 0}};
      p.daily_budget = 3 + pick(6);
      if (pick(2) == 0) p.leave_for_work = TimeOfDay{7 + pick(2), 15 * pick(4)};
    }
    c.couple.home_zone = c.couple.partners[pick(2)].zone;
    const std::vector<std::string> both = {c.couple.partners[0].id,
                                           c.couple.partners[1].id};
    for (const RitualTemplate& t : RitualTemplates()) {
      c.rituals.push_back(RitualFromTemplate(
          t, t.id, absl::CivilDay(2025, 1, 1) + pick(365), both));
    }
  }
  return pool;
}

const std::vector<CoupleAndRituals>& Pool() {
  static const auto* const pool =
      new std::vector<CoupleAndRituals>(BuildPool());
  return *pool;
}

const absl::Time kStart = absl::FromUnixSeconds(1'780'000'000);  // 2026-05

// Plans every couple of the pool kPasses times per iteration with
// `plan(couple, pass)`, counting rituals as items.
template <typename PlanFn>
void PlanMillion(benchmark::State& state, PlanFn plan) {
  const std::vector<CoupleAndRituals>& pool = Pool();
  int64_t rituals = 0, reminders = 0;
  for (auto _ : state) {
    for (int pass = 0; pass < kPasses; ++pass) {
      for (const CoupleAndRituals& c : pool) {
        absl::StatusOr<Plan> result = plan(c, pass);
        if (!result.ok()) {
          state.SkipWithError(std::string(result.status().message()).c_str());
          return;
        }
        rituals += c.rituals.size();
        reminders += result->reminders.size();
        benchmark::DoNotOptimize(result);
      }
    }
  }
  state.SetItemsProcessed(rituals);
  state.counters["rituals_per_iteration"] =
      static_cast<double>(rituals) / state.iterations();
  state.counters["reminders_per_ritual"] =
      static_cast<double>(reminders) / rituals;
}

void BM_NextRemindersMillion(benchmark::State& state) {
  PlanMillion(state, [](const CoupleAndRituals& c, int pass) {
    NextRequest request;
    request.after = kStart + absl::Hours(31 * pass);  // a new time of day
    return NextReminders(c.couple, c.rituals, request);
  });
}
BENCHMARK(BM_NextRemindersMillion)->Unit(benchmark::kMillisecond)->MinTime(5);

void BM_PlanWeekMillion(benchmark::State& state) {
  PlanMillion(state, [](const CoupleAndRituals& c, int pass) {
    const absl::Time from = kStart + absl::Hours(24 * 7 * pass);
    return PlanRituals(c.couple, c.rituals, from, from + absl::Hours(24 * 7));
  });
}
BENCHMARK(BM_PlanWeekMillion)->Unit(benchmark::kMillisecond)->MinTime(5);

}  // namespace
}  // namespace tend::engine

BENCHMARK_MAIN();
