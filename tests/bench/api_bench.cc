// The public APIs under load, against the real binaries: each main RPC's
// throughput and p99 at --callers concurrent callers, as a ratio to the
// same server's health check measured in the same run, and every
// service's memory at idle and under that load.
//
// What runs: tend-pairing, tend-prompt and tend-scheduler from --bin_dir as
// child processes (tests/bench/load/real_stack.h), wired to each other and
// to one private redis-server over loopback, on the real clock, at their
// production defaults. --couples couples are onboarded as the app does it
// (profiles in eight zones, invite, accept, both partners accept the seeded
// rituals), and each asks for today's question and answers it once, so
// the timed calls find the data a person's app finds all day.
//
// Per service, rounds alternate the health check and each RPC, --seconds
// each, so a noisy neighbour (this machine is shared) hurts all of them.
// Caller c acts as partner `a` of couple c % --couples, with a user JWT.
// The RPCs (all idempotent, so they repeat forever):
//   pairing    GetPartnerProfile, UpdatePartnerProfile (display name to
//              the same value; every update queues a re-plan of the couple
//              for the scheduler in pairing's outbox),
//              GetCouple
//   prompt     GetDailyQuestion, AnswerQuestion (rewrites partner a's
//              answer; b never answers, so nothing is revealed),
//              GetCatalogItem (the cheapest authenticated RPC, no Redis)
//   scheduler  ListRituals, PreviewSchedule (7 days), ListReminders (50)
//
// Memory (VmRSS, VmHWM from /proc/PID/status): right after start, idle
// after onboarding, and the highest VmRSS seen (sampled every 100 ms) while
// that service was under load.
//
//   cmake -S . -B /tmp/build-apibench -DCMAKE_BUILD_TYPE=Release
//       -DTEND_BUILD_BENCH=ON -DTEND_BUILD_TESTS=ON
//   cmake --build /tmp/build-apibench -j2 --target tend-bench-api
//       tend-pairing tend-prompt tend-scheduler
//   /tmp/build-apibench/bin/tend-bench-api
//
// Output: a table, then "RESULT key value" lines. Exits 1 on any failed
// call.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tests/bench/load/real_stack.h"
#include "tests/bench/load/rpc_load.h"

ABSL_FLAG(std::string, bin_dir, TEND_BIN_DIR,
          "Where tend-pairing, tend-prompt and tend-scheduler are.");
ABSL_FLAG(int, callers, 32, "Concurrent callers, one thread and channel each.");
ABSL_FLAG(int, couples, 64, "Couples onboarded before timing.");
ABSL_FLAG(absl::Duration, seconds, absl::Seconds(5),
          "How long each timed round of one RPC runs.");
ABSL_FLAG(int, rounds, 2, "Rounds of (health, each RPC) per service.");
ABSL_FLAG(std::string, only, "",
          "Measure only this service (pairing, prompt or scheduler).");

namespace tend::bench {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

// Samples every service's VmRSS every 100 ms and keeps the highest seen
// since the last Reset().
class RssSampler {
 public:
  explicit RssSampler(const RealStack& stack) : stack_(stack) {
    thread_ = std::thread([this] {
      while (!stop_.load()) {
        {
          absl::MutexLock lock(&mu_);
          for (Tier tier : kTiers) {
            absl::StatusOr<MemoryUse> use = MemoryOf(stack_.pid(tier));
            int64_t& high = highest_[static_cast<int>(tier)];
            if (use.ok()) high = std::max(high, use->rss);
          }
        }
        absl::SleepFor(absl::Milliseconds(100));
      }
    });
  }
  ~RssSampler() {
    stop_ = true;
    thread_.join();
  }
  void Reset() {
    absl::MutexLock lock(&mu_);
    highest_ = {};
  }
  int64_t Highest(Tier tier) {
    absl::MutexLock lock(&mu_);
    return highest_[static_cast<int>(tier)];
  }

 private:
  const RealStack& stack_;
  absl::Mutex mu_;
  std::array<int64_t, 3> highest_ ABSL_GUARDED_BY(mu_) = {};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// One RPC under test: its name in the table and a request per caller.
struct Method {
  std::string name;
  std::vector<UnaryRequest> requests;
};

std::string PromptQuestionFor(Stubs& stubs, const Couple& couple,
                              const std::string& user) {
  prompt::v1::GetDailyQuestionRequest req;
  req.set_parent(couple.name);
  prompt::v1::Question question;
  grpc::Status s = stubs.prompt->GetDailyQuestion(
      WithAuth(UserBearer(user)).get(), req, &question);
  return s.ok() ? question.name() : "";
}

// Every UpdatePartnerProfile queues a re-plan for the scheduler in
// pairing's outbox; says how many the load left behind and how long the
// relay took to send them.
void ReportOutbox(RealStack& stack) {
  const absl::Time start = absl::Now();
  int64_t backlog = -1;
  int64_t left = 0;
  while (absl::Now() - start < absl::Seconds(120)) {
    absl::StatusOr<engine::RedisReply> n =
        stack.redis()->Command({"LLEN", "tend:pairing:outbox"});
    if (!n.ok()) return;
    if (backlog < 0) backlog = n->integer;
    left = n->integer;
    if (left == 0) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  std::printf(
      "  pairing outbox after the load: %lld re-plans queued, %lld left after "
      "%.1f s\n",
      static_cast<long long>(backlog), static_cast<long long>(left),
      absl::ToDoubleSeconds(absl::Now() - start));
  std::printf("RESULT pairing_outbox_backlog %lld\n",
              static_cast<long long>(backlog));
  std::printf("RESULT pairing_outbox_drain_seconds %.1f\n",
              absl::ToDoubleSeconds(absl::Now() - start));
}

int Run() {
  const int callers = absl::GetFlag(FLAGS_callers);
  const int couple_count = absl::GetFlag(FLAGS_couples);
  RealStack stack;
  if (absl::Status s = stack.Start({absl::GetFlag(FLAGS_bin_dir), false, {}});
      !s.ok()) {
    std::fprintf(stderr, "stack: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  std::map<Tier, MemoryUse> fresh, idle;
  std::map<Tier, int64_t> loaded;  // highest VmRSS under load
  for (Tier tier : kTiers) fresh[tier] = MemoryOf(stack.pid(tier)).value();

  Stubs stubs(stack);
  std::vector<Couple> couples;
  std::vector<std::string> questions;  // partner a's daily question
  for (int c = 0; c < couple_count; ++c) {
    absl::StatusOr<Couple> couple =
        Onboard(stubs, absl::StrCat("api-a", c), absl::StrCat("api-b", c),
                kZones[c % kZones.size()], kZones[(c + 3) % kZones.size()]);
    if (!couple.ok()) {
      std::fprintf(stderr, "onboarding couple %d: %s\n", c,
                   std::string(couple.status().message()).c_str());
      return 1;
    }
    couples.push_back(*couple);
    PromptQuestionFor(stubs, *couple, couple->b);
    questions.push_back(PromptQuestionFor(stubs, *couple, couple->a));
    if (questions.back().empty()) {
      std::fprintf(stderr, "GetDailyQuestion failed for couple %d\n", c);
      return 1;
    }
  }
  absl::SleepFor(absl::Seconds(2));  // let the outbox and relays settle
  for (Tier tier : kTiers) idle[tier] = MemoryOf(stack.pid(tier)).value();

  // The RPCs, each with one request per caller.
  auto per_caller = [&](const std::string& method,
                        const std::function<std::string(int)>& request) {
    std::vector<UnaryRequest> out;
    for (int i = 0; i < callers; ++i) {
      const Couple& couple = couples[i % couples.size()];
      out.push_back({method, request(i), UserBearer(couple.a)});
    }
    return out;
  };
  auto couple_of = [&](int i) { return couples[i % couples.size()]; };
  std::map<Tier, std::vector<Method>> methods;
  methods[Tier::kPairing] = {
      {"GetPartnerProfile",
       per_caller("/tend.pairing.v1.PairingService/GetPartnerProfile",
                  [](int) { return std::string(); })},
      {"UpdatePartnerProfile",
       per_caller("/tend.pairing.v1.PairingService/UpdatePartnerProfile",
                  [&](int i) {
                    pairing::v1::UpdatePartnerProfileRequest req;
                    req.mutable_profile()->set_display_name(couple_of(i).a);
                    req.mutable_update_mask()->add_paths("display_name");
                    return req.SerializeAsString();
                  })},
      {"GetCouple", per_caller("/tend.pairing.v1.PairingService/GetCouple",
                               [](int) { return std::string(); })}};
  methods[Tier::kPrompt] = {
      {"GetDailyQuestion",
       per_caller("/tend.prompt.v1.PromptService/GetDailyQuestion",
                  [&](int i) {
                    prompt::v1::GetDailyQuestionRequest req;
                    req.set_parent(couple_of(i).name);
                    return req.SerializeAsString();
                  })},
      {"AnswerQuestion",
       per_caller("/tend.prompt.v1.PromptService/AnswerQuestion",
                  [&](int i) {
                    prompt::v1::AnswerQuestionRequest req;
                    req.set_name(questions[i % questions.size()]);
                    req.set_text("A short answer, as people write them.");
                    return req.SerializeAsString();
                  })},
      {"GetCatalogItem",
       per_caller("/tend.prompt.v1.PromptService/GetCatalogItem", [&](int i) {
         prompt::v1::GetCatalogItemRequest req;
         req.set_name("catalogItems/ag-a-six-second-kiss");
         return req.SerializeAsString();
       })}};
  methods[Tier::kScheduler] = {
      {"ListRituals",
       per_caller("/tend.scheduler.v1.SchedulerService/ListRituals",
                  [&](int i) {
                    scheduler::v1::ListRitualsRequest req;
                    req.set_parent(couple_of(i).name);
                    return req.SerializeAsString();
                  })},
      {"PreviewSchedule",
       per_caller("/tend.scheduler.v1.SchedulerService/PreviewSchedule",
                  [&](int i) {
                    scheduler::v1::PreviewScheduleRequest req;
                    req.set_parent(couple_of(i).name);
                    req.set_days(7);
                    return req.SerializeAsString();
                  })},
      {"ListReminders",
       per_caller("/tend.scheduler.v1.SchedulerService/ListReminders",
                  [&](int i) {
                    scheduler::v1::ListRemindersRequest req;
                    req.set_parent(couple_of(i).name);
                    req.set_page_size(50);
                    return req.SerializeAsString();
                  })}};

  RssSampler sampler(stack);
  const std::vector<UnaryRequest> health = {HealthCheck()};
  const absl::Duration length = absl::GetFlag(FLAGS_seconds);
  const int rounds = absl::GetFlag(FLAGS_rounds);
  int64_t errors = 0;
  std::printf("%d callers, %d couples, %d rounds of %s per RPC\n", callers,
              couple_count, rounds, absl::FormatDuration(length).c_str());
  std::vector<std::string> table;
  for (Tier tier : kTiers) {
    const std::string only = absl::GetFlag(FLAGS_only);
    if (!only.empty() && only != TierName(tier)) continue;
    CallerPool pool(stack.address(tier), callers);
    // Warm-up: every caller connected, every request accepted once.
    for (int c = 0; c < callers; ++c) {
      for (const Method& m : methods[tier]) {
        if (grpc::Status s = pool.Call(c, m.requests[c]); !s.ok()) {
          std::fprintf(stderr, "warm-up %s: %s\n", m.name.c_str(),
                       s.error_message().c_str());
          return 1;
        }
      }
      (void)pool.Call(c, health[0]);
    }
    Measure(pool, health, absl::Seconds(1));
    sampler.Reset();
    std::vector<Round> health_rounds;
    std::vector<std::vector<Round>> method_rounds(methods[tier].size());
    for (int r = 0; r < rounds; ++r) {
      health_rounds.push_back(Measure(pool, health, length));
      for (size_t m = 0; m < methods[tier].size(); ++m) {
        method_rounds[m].push_back(
            Measure(pool, methods[tier][m].requests, length));
      }
    }
    loaded[tier] = sampler.Highest(tier);
    const Summary h = Summarize(health_rounds);
    errors += h.errors;
    std::printf("\n%s\n  %s\n", TierName(tier),
                FormatSummary("Health/Check", h).c_str());
    for (size_t m = 0; m < methods[tier].size(); ++m) {
      const Summary s = Summarize(method_rounds[m]);
      const std::string& name = methods[tier][m].name;
      errors += s.errors;
      std::printf("  %s  (%.0f%% of health)\n", FormatSummary(name, s).c_str(),
                  100 * s.calls_per_second / h.calls_per_second);
      if (s.errors > 0) {
        std::printf("    first error: %s\n", s.first_error.c_str());
      }
      table.push_back(absl::StrFormat(
          "| %s | %s | %.0f | %.2f | **%.0f%%** | %.2f | %.0f | %.2f | %lld |",
          TierName(tier), name, s.calls_per_second,
          absl::ToDoubleMilliseconds(s.p99),
          100 * s.calls_per_second / h.calls_per_second,
          absl::ToDoubleMilliseconds(s.p99) / absl::ToDoubleMilliseconds(h.p99),
          h.calls_per_second, absl::ToDoubleMilliseconds(h.p99),
          static_cast<long long>(s.errors)));
      std::printf("RESULT %s_%s_calls_per_second %.0f\n", TierName(tier),
                  name.c_str(), s.calls_per_second);
      std::printf("RESULT %s_%s_p99_ms %.3f\n", TierName(tier), name.c_str(),
                  absl::ToDoubleMilliseconds(s.p99));
      std::printf("RESULT %s_%s_throughput_ratio %.3f\n", TierName(tier),
                  name.c_str(), s.calls_per_second / h.calls_per_second);
    }
    if (tier == Tier::kPairing) ReportOutbox(stack);
    const MemoryUse after = MemoryOf(stack.pid(tier)).value();
    std::printf(
        "  memory: fresh %.1f MiB, idle %.1f MiB, under load up to %.1f "
        "MiB, peak (VmHWM) %.1f MiB\n",
        fresh[tier].rss / kMiB, idle[tier].rss / kMiB, loaded[tier] / kMiB,
        after.peak / kMiB);
    std::printf("RESULT %s_rss_idle_mib %.1f\n", TierName(tier),
                idle[tier].rss / kMiB);
    std::printf("RESULT %s_rss_load_mib %.1f\n", TierName(tier),
                loaded[tier] / kMiB);
    std::printf("RESULT %s_vmhwm_mib %.1f\n", TierName(tier),
                after.peak / kMiB);
  }
  std::printf(
      "\n| service | RPC | calls/s | p99 ms | throughput vs health | p99 vs "
      "health | health calls/s | health p99 ms | errors |\n"
      "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (const std::string& row : table) std::printf("%s\n", row.c_str());
  std::printf(
      "\n| service | fresh RSS | idle RSS | under load (max) | VmHWM |\n"
      "| --- | ---: | ---: | ---: | ---: |\n");
  for (Tier tier : kTiers) {
    const MemoryUse after = MemoryOf(stack.pid(tier)).value();
    std::printf("| %s | %.1f MiB | %.1f MiB | %.1f MiB | %.1f MiB |\n",
                TierName(tier), fresh[tier].rss / kMiB, idle[tier].rss / kMiB,
                loaded[tier] / kMiB, after.peak / kMiB);
  }
  if (absl::Status s = stack.Stop(); !s.ok()) {
    std::fprintf(stderr, "stop: %s\n", std::string(s.message()).c_str());
  }
  return errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace tend::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return tend::bench::Run();
}
