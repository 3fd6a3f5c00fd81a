// The Redis due queue: how fast reminders go in and out, and what each one
// costs in Redis memory. The benchmark starts its own redis-server on a
// free loopback port (tests/support), so nothing else needs to run.
//
//   BM_Schedule/500          Schedule() of 500 new reminders per call.
//   BM_ClaimComplete/N       The dispatcher's loop with a no-op delivery:
//                            Claim(N) with Redis's clock, then Complete()
//                            acking the batch and scheduling each one's
//                            next occurrence (already due, so the queue
//                            stays 100,000 deep). /threads:2 is two workers
//                            sharing one client.
//   BM_MemoryPerReminder     Redis memory per scheduled reminder, as the
//                            used_memory delta over 100,000 reminders and as
//                            MEMORY USAGE per kind of key.
//
// Reminders look like the scheduler's: a 50-byte id (ritual, occurrence,
// recipient), a 16-hex couple id, 8 reminders per couple, and a 100-byte
// payload. Items are reminders, so items_per_second is reminders per second.
//
//   cmake -S . -B build -DTEND_BUILD_BENCH=ON
//   cmake --build build --target tend-bench-queue
//   build/bin/tend-bench-queue
#include <atomic>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "benchmark/benchmark.h"
#include "engine/queue/due_queue.h"
#include "engine/redis/redis_client.h"
#include "tests/support/redis_server.h"

namespace tend::engine {
namespace {

constexpr int kPerCouple = 8;
constexpr int kDepth = 100'000;
// Due long ago by any clock, so Redis's TIME finds every reminder due.
const absl::Time kLongAgo = absl::FromUnixSeconds(1'000'000'000);

// One redis-server and one client for the whole run.
struct Env {
  testing::RedisServer server;
  std::unique_ptr<RedisClient> redis;
  std::unique_ptr<DueQueue> queue;
};

// Destroyed at exit, which stops the redis-server.
Env& GetEnv() {
  static Env env;
  static const bool started = [] {
    if (absl::Status s = env.server.Start(); !s.ok()) {
      std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
      std::exit(1);
    }
    env.redis = std::make_unique<RedisClient>(*ParseRedisUrl(env.server.url()));
    env.queue = std::make_unique<DueQueue>(env.redis.get(), QueueOptions{});
    return true;
  }();
  (void)started;
  return env;
}

std::atomic<int64_t> next_number{0};

// The n-th reminder ever made in this run: unique id, its couple, 100 bytes.
QueuedReminder MakeReminder(int64_t n, absl::Time due) {
  const int64_t couple = n / kPerCouple;
  QueuedReminder r;
  // Scrambled, so claim order (by id within one due time) mixes couples.
  r.id = absl::StrFormat(
      "rit_%016x:%d:u_%016x", static_cast<uint64_t>(n) * 0x9E3779B97F4A7C15u,
      1'800'000'000 + n, static_cast<uint64_t>(couple) * 40503u);
  r.couple_id =
      absl::StrFormat("%016x", static_cast<uint64_t>(couple) * 2246822519u);
  r.due = due;
  r.payload = absl::StrFormat("{\"ritual\":\"weekly-check-in\",\"n\":%012d,%s}",
                              n, std::string(52, 'x'));
  return r;
}

std::vector<QueuedReminder> MakeReminders(int count, absl::Time due) {
  std::vector<QueuedReminder> out;
  out.reserve(count);
  for (int i = 0; i < count; ++i) {
    out.push_back(MakeReminder(next_number.fetch_add(1), due));
  }
  return out;
}

void Flush() { GetEnv().redis->Command({"FLUSHALL"}).IgnoreError(); }

// A number from INFO `section`, e.g. Info("memory", "used_memory").
double Info(absl::string_view section, absl::string_view field) {
  absl::StatusOr<RedisReply> info = GetEnv().redis->Command({"INFO", section});
  if (!info.ok()) return 0;
  for (absl::string_view line : absl::StrSplit(info->str, "\r\n")) {
    double value = 0;
    if (absl::ConsumePrefix(&line, field) && absl::ConsumePrefix(&line, ":") &&
        absl::SimpleAtod(line, &value)) {
      return value;
    }
  }
  return 0;
}

// Seconds of CPU the redis-server has used so far.
double RedisCpu() {
  return Info("cpu", "used_cpu_user") + Info("cpu", "used_cpu_sys");
}

void BM_Schedule(benchmark::State& state) {
  Env& env = GetEnv();
  Flush();
  const int batch = static_cast<int>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<QueuedReminder> reminders = MakeReminders(batch, kLongAgo);
    state.ResumeTiming();
    absl::StatusOr<int> stored = env.queue->Schedule(reminders);
    if (!stored.ok() || *stored != batch) {
      state.SkipWithError("schedule failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * batch);
  Flush();
}
BENCHMARK(BM_Schedule)->Arg(500)->UseRealTime();

void BM_ClaimComplete(benchmark::State& state) {
  Env& env = GetEnv();
  const int batch = static_cast<int>(state.range(0));
  if (state.thread_index() == 0) {
    Flush();
    for (int i = 0; i < kDepth; i += 1000) {
      if (!env.queue->Schedule(MakeReminders(1000, kLongAgo)).ok()) {
        state.SkipWithError("seeding failed");
      }
    }
  }
  const double cpu_before = RedisCpu();
  int64_t delivered = 0;
  const std::string worker = absl::StrCat("bench-", state.thread_index());
  for (auto _ : state) {
    absl::StatusOr<std::vector<ClaimedReminder>> claimed =
        env.queue->Claim(worker, batch, std::nullopt);
    if (!claimed.ok()) {
      state.SkipWithError("claim failed");
      break;
    }
    // Delivery is a no-op; each reminder's next occurrence is due at once.
    std::vector<QueuedReminder> next;
    next.reserve(claimed->size());
    for (const ClaimedReminder& c : *claimed) {
      QueuedReminder n = MakeReminder(next_number.fetch_add(1), kLongAgo);
      n.couple_id = c.reminder.couple_id;
      next.push_back(std::move(n));
    }
    absl::StatusOr<int> acked = env.queue->Complete(*claimed, next);
    if (!acked.ok() || *acked != static_cast<int>(claimed->size())) {
      state.SkipWithError("complete failed");
      break;
    }
    delivered += *acked;
  }
  state.SetItemsProcessed(delivered);
  if (state.thread_index() == 0) {
    // Redis's own CPU per reminder, whatever the client costs.
    state.counters["redis_us"] =
        benchmark::Counter((RedisCpu() - cpu_before) * 1e6 /
                           static_cast<double>(delivered) / state.threads());
  }
  state.counters["batch_mean"] = benchmark::Counter(
      static_cast<double>(delivered), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_ClaimComplete)
    ->Arg(100)
    ->Arg(500)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime()
    ->MinTime(2.0);

void BM_MemoryPerReminder(benchmark::State& state) {
  Env& env = GetEnv();
  for (auto _ : state) {
    Flush();
    const double before = Info("memory", "used_memory");
    for (int i = 0; i < kDepth; i += 1000) {
      if (!env.queue->Schedule(MakeReminders(1000, kLongAgo)).ok()) {
        state.SkipWithError("schedule failed");
        return;
      }
    }
    const double after = Info("memory", "used_memory");
    state.counters["used_memory_B"] = (after - before) / kDepth;
    // MEMORY USAGE of every key, by kind: due/data/meta or couple sets.
    std::map<std::string, int64_t> by_kind;
    std::string cursor = "0";
    do {
      absl::StatusOr<RedisReply> page = env.redis->Command(
          {"SCAN", cursor, "MATCH", "tend:q:*", "COUNT", "1000"});
      if (!page.ok()) break;
      cursor = page->elements[0].str;
      std::vector<std::vector<std::string>> commands;
      for (const RedisReply& key : page->elements[1].elements) {
        commands.push_back({"MEMORY", "USAGE", key.str, "SAMPLES", "0"});
      }
      absl::StatusOr<std::vector<RedisReply>> sizes =
          env.redis->Pipeline(commands);
      if (!sizes.ok()) break;
      for (size_t i = 0; i < sizes->size(); ++i) {
        const std::string& key = page->elements[1].elements[i].str;
        const std::string kind =
            absl::StrContains(key, ":couple:")
                ? "couple"
                : std::string(key.substr(key.rfind(':') + 1));
        by_kind[kind] += (*sizes)[i].integer;
      }
    } while (cursor != "0");
    int64_t total = 0;
    for (const auto& [kind, bytes] : by_kind) {
      state.counters[absl::StrCat(kind, "_B")] =
          static_cast<double>(bytes) / kDepth;
      total += bytes;
    }
    state.counters["usage_B"] = static_cast<double>(total) / kDepth;
  }
  Flush();
}
BENCHMARK(BM_MemoryPerReminder)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tend::engine

BENCHMARK_MAIN();
