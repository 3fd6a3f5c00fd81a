// Next occurrence for each ritual cadence with DTSTART ten years back:
// Recurrence::NextAfter (jumps to the period holding t) against libical's
// iterator walking from DTSTART (LibicalWalk), so the ratio is visible.
//
//   build/bin/tend-bench-recurrence --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
//
// Each iteration asks for the occurrence after a different instant within a
// fortnight of "now" (2026-11-26), as the dispatcher does after each send.
// Results and the exact command: tests/bench/RESULTS-recurrence.md.
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "engine/recur/libical_walk.h"
#include "engine/recur/recurrence.h"

namespace tend::engine {
namespace {

struct Cadence {
  const char* name;
  const char* rrule;
  absl::CivilSecond dtstart;  // ten years before "now"
  bool with_cursor = false;   // pass the previous occurrence as the cursor
};

const Cadence kCadences[] = {
    {"daily", "FREQ=DAILY", absl::CivilSecond(2016, 11, 26, 21, 30, 0)},
    {"weekly_byday", "FREQ=WEEKLY;BYDAY=SU",
     absl::CivilSecond(2016, 11, 27, 19, 0, 0)},
    {"weekly_3days", "FREQ=WEEKLY;BYDAY=MO,WE,FR",
     absl::CivilSecond(2016, 11, 28, 7, 45, 0)},
    {"biweekly", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR",
     absl::CivilSecond(2016, 12, 2, 20, 0, 0)},
    {"monthly_byday_ordinal", "FREQ=MONTHLY;BYDAY=-1SU",
     absl::CivilSecond(2016, 11, 27, 18, 0, 0)},
    {"monthly_bymonthday", "FREQ=MONTHLY;BYMONTHDAY=15",
     absl::CivilSecond(2016, 12, 15, 20, 0, 0)},
    {"yearly", "FREQ=YEARLY", absl::CivilSecond(2016, 11, 26, 19, 0, 0)},
    {"weekly_count", "FREQ=WEEKLY;BYDAY=SU;COUNT=2000",
     absl::CivilSecond(2016, 11, 27, 19, 0, 0)},
    // The 31st: months yield 0 or 1 date, so COUNT needs the cursor.
    {"monthly_31st_count_cursor", "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=2000",
     absl::CivilSecond(2016, 12, 31, 20, 0, 0), /*with_cursor=*/true},
    {"monthly_31st_count_no_cursor", "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=2000",
     absl::CivilSecond(2016, 12, 31, 20, 0, 0)},
};

constexpr int kQueries = 1024;

// Instants within a week either side of 2026-11-26T12:00Z.
std::vector<absl::Time> Queries() {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> offset(-7 * 86400, 7 * 86400);
  const absl::Time now = absl::FromUnixSeconds(1795694400);  // 2026-11-26
  std::vector<absl::Time> out;
  for (int i = 0; i < kQueries; ++i) {
    out.push_back(now + absl::Seconds(offset(rng)));
  }
  return out;
}

Recurrence Build(const Cadence& cadence) {
  absl::TimeZone zone;
  absl::LoadTimeZone("America/New_York", &zone);
  return *Recurrence::Parse(cadence.rrule, cadence.dtstart, zone);
}

void BM_NextAfter(benchmark::State& state, const Cadence& cadence) {
  const Recurrence recurrence = Build(cadence);
  const std::vector<absl::Time> queries = Queries();
  // The cursor a dispatcher would hold: the last occurrence a month back.
  std::vector<std::optional<Occurrence>> cursors(kQueries);
  if (cadence.with_cursor) {
    for (int i = 0; i < kQueries; ++i) {
      cursors[i] = recurrence.NextAfter(queries[i] - absl::Hours(24 * 31));
    }
  }
  int i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(recurrence.NextAfter(queries[i], cursors[i]));
    i = (i + 1) % kQueries;
  }
}

void BM_LibicalWalk(benchmark::State& state, const Cadence& cadence) {
  const LibicalWalk walk = *LibicalWalk::Create(Build(cadence));
  const std::vector<absl::Time> queries = Queries();
  int i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(walk.NextAfter(queries[i]));
    i = (i + 1) % kQueries;
  }
}

}  // namespace
}  // namespace tend::engine

int main(int argc, char** argv) {
  using tend::engine::Cadence;
  for (const Cadence& cadence : tend::engine::kCadences) {
    benchmark::RegisterBenchmark(
        (std::string("NextAfter/") + cadence.name).c_str(),
        tend::engine::BM_NextAfter, cadence);
    benchmark::RegisterBenchmark(
        (std::string("LibicalWalk/") + cadence.name).c_str(),
        tend::engine::BM_LibicalWalk, cadence)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
