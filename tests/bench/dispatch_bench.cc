// End-to-end dispatch, wired as in production: how many reminders per second
// go from due to claimed → delivered → acked → next occurrence queued, how
// long a burst takes to drain, and how late reminders go out at a steady
// rate.
//
// Everything on the dispatch path is real: pairing's business logic behind
// a real gRPC server on loopback (the scheduler's CoupleDirectory asks it
// with a service token and caches answers for its production TTL of 5 s),
// SchedulerStore, a 16-shard DueQueue and Dispatcher workers, all against
// one redis-server (a private one on a free loopback port unless
// --redis_url names one). Delivery goes to a no-op DeliverySink that only
// notes the time; the content is the ritual's own text. The real clock is
// used throughout, and due-ness is judged by Redis TIME.
//
// The workload. Each run starts from an empty Redis and onboards couples as
// production does, in-process: both profiles (zones where it is daytime
// now, a third of the couples split across two zones; waking hours
// 06:00-23:00, budget 6 a day), invite, accept, the default rituals seeded
// (as pairing's outbox relay asks) and accepted by both partners. Accepting
// plans each ritual's next occurrence and queues it: per couple about ten
// reminders (weekly check-in and date night: two lead times for both
// partners; nightly feelings: one each) and four ticks (one per ritual
// stream; the nightly ritual is personal, so each partner has a stream).
// The run then moves whole couples' queued items, reminders and ticks, to
// the run's due times with DueQueue::Reschedule, until it has the reminders
// it wants; so each couple contributes its real next occurrences, nothing
// is planned twice, and about ten thousand couples make a 100,000 burst.
//
// A tick, when dispatched, settles the occurrence before it (none yet here:
// these are first occurrences) and plans the next occurrence through the
// planner; the dispatcher acks it and queues what it planned in one step.
// That is how Tend schedules "the next occurrence": per ritual stream, not
// per reminder. Throughput counts reminders handed to the sink per second
// of the whole drain; the ticks (about 0.4 per reminder) are drained in the
// same window, so their cost is included, but they are never counted as
// reminders. Items per second (reminders + ticks) is printed too.
//
// Runs (--runs, in order, each from a flushed Redis):
//   burst:R     --burst_reminders reminders (plus their couples' ticks) due
//               in the same second, drained by R replicas. A replica is a
//               whole scheduler stack in this process — its own Redis pool,
//               gRPC channel to pairing, CoupleDirectory cache, Scheduler
//               and a Dispatcher with --threads workers and its own worker
//               id — started together. Drain time runs from the
//               dispatchers' start until no item is due or leased (polled
//               every 25 ms).
//   steady      --steady_rate reminders/s for --steady_seconds, due at
//               evenly spaced instants of the real clock (a couple's ticks
//               with its last reminder); one replica, started before the
//               first is due. Lateness is the sink's clock at delivery
//               minus the reminder's due time.
//
// Output: human-readable lines on stdout, and "RESULT key value" lines for
// tests/bench/run_dispatch_bench.sh. Logs go to stderr.
//
//   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DTEND_BUILD_BENCH=ON
//   cmake --build build-bench --target tend-bench-dispatch
//   build-bench/bin/tend-bench-dispatch 2>/tmp/dispatch.log
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engine/queue/due_queue.h"
#include "engine/redis/redis_client.h"
#include "engine/time/clock.h"
#include "services/common/auth.h"
#include "services/common/peer.h"
#include "services/common/server.h"
#include "services/pairing/pairing.h"
#include "services/pairing/pairing_service.h"
#include "services/scheduler/convert.h"
#include "services/common/couple_directory.h"
#include "services/scheduler/delivery.h"
#include "services/scheduler/dispatcher.h"
#include "services/scheduler/reminder_planner.h"
#include "services/scheduler/scheduler.h"
#include "services/scheduler/scheduler_store.h"
#include "tests/support/redis_server.h"
#include "tests/support/service_harness.h"

ABSL_FLAG(std::string, redis_url, "",
          "Redis to run against; empty starts a private redis-server on a "
          "free loopback port. The run FLUSHALLs it.");
ABSL_FLAG(int, reminders_per_couple, 9,
          "A low guess of the reminders a couple's default rituals queue; "
          "sets how many couples are onboarded for a run.");
ABSL_FLAG(int, burst_reminders, 100000,
          "Reminders due in the same second in a burst run (ticks extra).");
ABSL_FLAG(int, threads, 2,
          "Dispatcher workers per replica (--dispatch_threads; production "
          "default 2).");
ABSL_FLAG(int, batch, 200,
          "Items claimed per round trip (--dispatch_batch; production "
          "default 200).");
ABSL_FLAG(std::vector<std::string>, runs,
          std::vector<std::string>({"burst:1", "burst:2", "steady"}),
          "Runs, in order: burst:R (R replicas) and steady.");
ABSL_FLAG(std::string, burst_items, "all",
          "Diagnostics: which items a burst moves due, 'all', 'reminders' or "
          "'ticks'. Anything but 'all' is not the issue's workload.");
ABSL_FLAG(int, steady_rate, 1000, "Reminders per second in the steady run.");
ABSL_FLAG(int, steady_seconds, 30, "Length of the steady run.");
ABSL_FLAG(int, setup_threads, 4, "Threads onboarding and planning couples.");
ABSL_FLAG(absl::Duration, burst_timeout, absl::Seconds(600),
          "Give up on a burst after this long.");

namespace tend::bench {
namespace {

using scheduler::CoupleId;
using services::Caller;

constexpr char kJwtSecret[] = "bench-user-secret";
constexpr char kServiceSecret[] = "bench-service-secret";

const engine::Clock* TheClock() { return engine::RealClock::Get(); }

void Die(absl::string_view what, const absl::Status& status) {
  std::fprintf(stderr, "dispatch bench: %s: %s\n", std::string(what).c_str(),
               status.ToString().c_str());
  std::exit(1);
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return absl::StrCat(a, " ", b, " ", c);
}

// A number from INFO `section`, e.g. Info(redis, "memory", "used_memory").
double Info(engine::RedisClient* redis, absl::string_view section,
            absl::string_view field) {
  absl::StatusOr<engine::RedisReply> info = redis->Command({"INFO", section});
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

double RedisCpu(engine::RedisClient* redis) {
  return Info(redis, "cpu", "used_cpu_user") +
         Info(redis, "cpu", "used_cpu_sys");
}

// Process CPU seconds (user + system) of this process.
double OwnCpu() {
  std::ifstream in("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  std::vector<std::string> fields =
      absl::StrSplit(text.substr(text.rfind(')') + 2), ' ');
  double utime = 0, stime = 0;
  absl::SimpleAtod(fields[11], &utime);
  absl::SimpleAtod(fields[12], &stime);
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Redis's own account of the commands since `CONFIG RESETSTAT`: the
// busiest by total time, as "calls per item, us per call".
std::string CommandStats(engine::RedisClient* redis, int items) {
  absl::StatusOr<engine::RedisReply> info =
      redis->Command({"INFO", "commandstats"});
  if (!info.ok()) return "";
  struct Row {
    std::string name;
    double calls = 0, usec = 0;
  };
  std::vector<Row> rows;
  double calls = 0;
  for (absl::string_view line : absl::StrSplit(info->str, "\r\n")) {
    // cmdstat_hget:calls=1,usec=2,usec_per_call=2.00,...
    if (!absl::ConsumePrefix(&line, "cmdstat_")) continue;
    Row row;
    row.name = std::string(line.substr(0, line.find(':')));
    for (absl::string_view kv :
         absl::StrSplit(line.substr(line.find(':') + 1), ',')) {
      if (absl::ConsumePrefix(&kv, "calls=")) absl::SimpleAtod(kv, &row.calls);
      if (absl::ConsumePrefix(&kv, "usec=")) absl::SimpleAtod(kv, &row.usec);
    }
    if (row.name == "info" || row.name == "config") continue;
    calls += row.calls;
    rows.push_back(row);
  }
  std::sort(rows.begin(), rows.end(),
            [](const Row& a, const Row& b) { return a.usec > b.usec; });
  std::string out = absl::StrFormat("%.1f commands per item:", calls / items);
  for (size_t i = 0; i < rows.size() && i < 12; ++i) {
    absl::StrAppendFormat(&out, " %s %.2f x %.1fus;", rows[i].name,
                          rows[i].calls / items,
                          rows[i].usec / std::max(1.0, rows[i].calls));
  }
  return out;
}

void Result(absl::string_view key, double value) {
  std::printf("RESULT %s %.6g\n", std::string(key).c_str(), value);
}

// ---------------------------------------------------------------------------
// The no-op sink: notes which reminder went out when.

class NoopSink final : public scheduler::DeliverySink {
 public:
  // Forget earlier deliveries; keep room for `capacity` of them.
  void Reset(size_t capacity) {
    slots_.assign(capacity, Slot{});
    next_ = 0;
  }

  absl::Status Deliver(const scheduler::v1::Reminder& reminder) override {
    const absl::Time now = absl::Now();
    const size_t i = next_.fetch_add(1);
    if (i < slots_.size()) {
      slots_[i].name = reminder.name();
      slots_[i].at = now;
    }
    return absl::OkStatus();
  }

  struct Slot {
    std::string name;
    absl::Time at;
  };
  size_t count() const { return std::min(next_.load(), slots_.size()); }
  const Slot& slot(size_t i) const { return slots_[i]; }

 private:
  std::vector<Slot> slots_;
  std::atomic<size_t> next_{0};
};

// ---------------------------------------------------------------------------
// Pairing, served on loopback.

struct PairingServer {
  explicit PairingServer(const engine::RedisOptions& options)
      : redis(options),
        auth(services::AuthOptions{kJwtSecret, "", kServiceSecret}, TheClock()),
        pairing(&redis, TheClock(), pairing::PairingOptions{}),
        service(&auth, &pairing) {
    services::ServerConfig config;
    config.name = "pairing";
    config.listen = "127.0.0.1:0";
    config.services = {&service};
    config.redis = &redis;
    absl::StatusOr<std::unique_ptr<services::RunningServer>> started =
        services::RunningServer::Start(std::move(config));
    if (!started.ok()) Die("pairing server", started.status());
    server = *std::move(started);
  }
  ~PairingServer() { server->Shutdown(absl::ZeroDuration()); }

  engine::RedisClient redis;
  services::Authenticator auth;
  pairing::Pairing pairing;
  pairing::PairingServiceImpl service;
  std::unique_ptr<services::RunningServer> server;
};

// ---------------------------------------------------------------------------
// One scheduler replica, built as services/scheduler/server.cc builds it.

class Replica {
 public:
  Replica(const engine::RedisOptions& redis_options,
          const std::string& pairing_address, scheduler::DeliverySink* sink,
          scheduler::DispatcherOptions options)
      : redis_(redis_options),
        token_(kServiceSecret, "scheduler", TheClock()),
        pairing_(pairing_address, &token_),
        directory_(&pairing_, TheClock()),
        queue_(&redis_, engine::QueueOptions{}),
        store_(&redis_),
        scheduler_(&store_, &queue_, &directory_, TheClock()),
        dispatcher_(&queue_, &scheduler_, {sink}, &content_, TheClock(),
                    std::move(options)) {}

  engine::RedisClient* redis() { return &redis_; }
  engine::DueQueue* queue() { return &queue_; }
  scheduler::SchedulerStore* store() { return &store_; }
  scheduler::Scheduler* scheduler() { return &scheduler_; }
  scheduler::Dispatcher* dispatcher() { return &dispatcher_; }

 private:
  engine::RedisClient redis_;
  services::ServiceToken token_;
  services::Peer pairing_;
  services::CoupleDirectory directory_;
  engine::DueQueue queue_;
  scheduler::SchedulerStore store_;
  scheduler::Scheduler scheduler_;
  scheduler::RitualTextContent content_;
  scheduler::Dispatcher dispatcher_;
};

// Runs fn(i) for i in [0, n) on `threads` threads.
template <typename Fn>
void ParallelFor(int n, int threads, Fn fn) {
  std::atomic<int> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < n; i = next++) fn(i);
    });
  }
  for (std::thread& t : pool) t.join();
}

// ---------------------------------------------------------------------------
// Onboarding and planning.

const char* const kZones[] = {"Pacific/Honolulu", "America/Los_Angeles",
                              "America/New_York", "America/Sao_Paulo",
                              "Europe/London",    "Europe/Paris",
                              "Asia/Kolkata",     "Asia/Tokyo",
                              "Australia/Sydney", "Pacific/Auckland"};

// The zones where it is now between 08:00 and 21:00, so that a burst due
// now falls in everyone's waking hours (06:00-23:00, as profiles here say)
// with room on both sides: the planner never plans into quiet hours, and
// a reminder due in them would be held, not sent.
const std::vector<std::string>& AwakeZones() {
  static const std::vector<std::string>* const zones = [] {
    auto* out = new std::vector<std::string>;
    const absl::Time now = absl::Now();
    for (const char* name : kZones) {
      absl::TimeZone zone;
      if (!absl::LoadTimeZone(name, &zone)) continue;
      const int hour = absl::ToCivilHour(now, zone).hour();
      if (hour >= 8 && hour < 21) out->push_back(name);
    }
    return out;
  }();
  return *zones;
}

void SetProfile(pairing::Pairing* pairing, const std::string& user,
                const std::string& zone) {
  absl::StatusOr<pairing::v1::PartnerProfile> out =
      pairing->UpdatePartnerProfile(Caller{user, false},
                                    testing::DayProfileRequest(user, zone, 6));
  if (!out.ok()) Die("profile", out.status());
}

// Pairs u{i}a with u{i}b, and the scheduler seeds the default rituals as
// proposals (what pairing's outbox relay asks of it).
pairing::v1::Couple Pair(pairing::Pairing* pairing,
                         scheduler::Scheduler* scheduler, int i) {
  const std::string a = absl::StrCat("u", i, "a");
  const std::string b = absl::StrCat("u", i, "b");
  const std::vector<std::string>& zones = AwakeZones();
  SetProfile(pairing, a, zones[i % zones.size()]);
  SetProfile(pairing, b, zones[(i + (i % 3 == 0 ? 1 : 0)) % zones.size()]);
  absl::StatusOr<pairing::v1::Invite> invite =
      pairing->CreateInvite(Caller{a, false}, {});
  if (!invite.ok()) Die("invite", invite.status());
  pairing::v1::AcceptInviteRequest accept;
  accept.set_code(invite->code());
  absl::StatusOr<pairing::v1::Couple> couple =
      pairing->AcceptInvite(Caller{b, false}, accept);
  if (!couple.ok()) Die("accept invite", couple.status());
  scheduler::v1::SeedDefaultRitualsRequest seed;
  seed.set_parent(couple->name());
  seed.add_partner_user_ids(a);
  seed.add_partner_user_ids(b);
  absl::Status seeded =
      scheduler->SeedDefaultRituals(Caller{"service:pairing", true}, seed)
          .status();
  if (!seeded.ok()) Die("seed rituals", seeded);
  return *couple;
}

// Both partners accept every proposal: the rituals become ACTIVE and each
// one's next occurrence is planned and queued.
void AcceptAll(scheduler::Scheduler* scheduler,
               const pairing::v1::Couple& couple) {
  for (const auto& partner : couple.partners()) {
    scheduler::v1::BatchAcceptRitualsRequest req;
    req.set_parent(couple.name());
    absl::Status accepted =
        scheduler->BatchAcceptRituals(Caller{partner.user_id(), false}, req)
            .status();
    if (!accepted.ok()) Die("accept rituals", accepted);
  }
}

// What one couple has on the queue: reminder ids (from the SCHEDULED
// records) and tick ids (from the ticks index), each due in the future.
struct Queued {
  std::string couple_id;
  std::vector<std::string> reminders;
  std::vector<std::string> ticks;
};

Queued CollectQueued(Replica* stack, const std::string& couple_id) {
  Queued q;
  q.couple_id = couple_id;
  absl::StatusOr<std::vector<scheduler::v1::Reminder>> records =
      stack->store()->LoadReminders(couple_id);
  if (!records.ok()) Die("records", records.status());
  std::vector<std::pair<absl::Time, std::string>> by_due;
  for (const scheduler::v1::Reminder& r : *records) {
    if (r.state() == scheduler::v1::REMINDER_STATE_SCHEDULED) {
      by_due.emplace_back(scheduler::FromProto(r.due_time()),
                          scheduler::ReminderId(r));
    }
  }
  std::sort(by_due.begin(), by_due.end());
  for (auto& [due, id] : by_due) q.reminders.push_back(std::move(id));
  absl::StatusOr<engine::RedisReply> ticks = stack->redis()->Command(
      {"HKEYS", scheduler::SchedulerStore::Key(couple_id, "ticks")});
  if (!ticks.ok()) Die("ticks", ticks.status());
  for (const engine::RedisReply& field : ticks->elements) {
    // "ritual|tick id"
    q.ticks.push_back(field.str.substr(field.str.find('|') + 1));
  }
  return q;
}

// Redis memory by kind of key: the queue (tend:q:*) and the scheduler's
// per-couple records of reminders (reminders, due_index, ticks).
struct KeyBytes {
  double queue = 0;
  double records = 0;
};

KeyBytes MeasureKeys(engine::RedisClient* redis) {
  KeyBytes out;
  std::string cursor = "0";
  do {
    absl::StatusOr<engine::RedisReply> page =
        redis->Command({"SCAN", cursor, "COUNT", "2000"});
    if (!page.ok()) Die("scan", page.status());
    cursor = page->elements[0].str;
    std::vector<std::vector<std::string>> commands;
    std::vector<int> kind;
    for (const engine::RedisReply& key : page->elements[1].elements) {
      absl::string_view k = key.str;
      int which = -1;
      if (absl::StartsWith(k, "tend:q:")) {
        which = 0;
      } else if (absl::StartsWith(k, "tend:s:") &&
                 (absl::EndsWith(k, ":reminders") ||
                  absl::EndsWith(k, ":due_index") ||
                  absl::EndsWith(k, ":ticks"))) {
        which = 1;
      }
      if (which < 0) continue;
      commands.push_back({"MEMORY", "USAGE", key.str, "SAMPLES", "0"});
      kind.push_back(which);
    }
    if (commands.empty()) continue;
    absl::StatusOr<std::vector<engine::RedisReply>> sizes =
        redis->Pipeline(commands);
    if (!sizes.ok()) Die("memory usage", sizes.status());
    for (size_t i = 0; i < sizes->size(); ++i) {
      (kind[i] == 0 ? out.queue : out.records) +=
          static_cast<double>((*sizes)[i].integer);
    }
  } while (cursor != "0");
  return out;
}

// What every run shares: where Redis is, a client for measuring it, and
// the sink.
struct World {
  engine::RedisOptions redis_options;
  std::unique_ptr<engine::RedisClient> admin;
  NoopSink sink;
};

// A prepared run: Redis flushed, pairing serving, couples onboarded with
// their rituals accepted, and `reminders` reminders (with the ticks of the
// same couples) picked for the run, in couple order.
struct Prepared {
  std::unique_ptr<PairingServer> pairing;
  std::vector<Queued> picked;
  int reminders = 0;
  int ticks = 0;
  int couples = 0;
  double memory_per_reminder = 0;   // used_memory delta of accepting
  double queue_bytes_per_item = 0;  // MEMORY USAGE of tend:q:* / items
  double record_bytes_per_reminder = 0;
  double payload_bytes = 0;  // mean queue payload of a reminder
};

// Enough couples for `want` reminders: a couple's default rituals queue
// about ten, so the count comes from a probe of the first couples.
Prepared Prepare(World* world, int want) {
  Prepared p;
  if (absl::Status s = world->admin->Command({"FLUSHALL"}).status(); !s.ok()) {
    Die("flushall", s);
  }
  p.pairing = std::make_unique<PairingServer>(world->redis_options);
  // A stack of its own for onboarding, so no dispatching replica starts
  // with a warm directory cache.
  NoopSink unused;
  Replica setup(world->redis_options, p.pairing->server->address(), &unused,
                {});
  const int threads = absl::GetFlag(FLAGS_setup_threads);
  const int per_couple_guess = absl::GetFlag(FLAGS_reminders_per_couple);
  const int couples = want / per_couple_guess + want / per_couple_guess / 20 +
                      10;  // 5% spare; the surplus stays queued for later
  std::vector<pairing::v1::Couple> all(couples);
  const absl::Time t0 = absl::Now();
  ParallelFor(couples, threads, [&](int i) {
    all[i] = Pair(&p.pairing->pairing, setup.scheduler(), i);
  });
  const double memory_before =
      Info(world->admin.get(), "memory", "used_memory");
  const absl::Time t1 = absl::Now();
  ParallelFor(couples, threads,
              [&](int i) { AcceptAll(setup.scheduler(), all[i]); });
  const double memory_after = Info(world->admin.get(), "memory", "used_memory");
  const absl::Time t2 = absl::Now();
  std::vector<Queued> queued(couples);
  ParallelFor(couples, threads, [&](int i) {
    queued[i] = CollectQueued(&setup, CoupleId(all[i]));
  });
  int all_reminders = 0, all_ticks = 0;
  for (const Queued& q : queued) {
    all_reminders += static_cast<int>(q.reminders.size());
    all_ticks += static_cast<int>(q.ticks.size());
  }
  if (all_reminders < want) {
    std::fprintf(stderr,
                 "only %d reminders queued for %d couples; raise "
                 "--reminders_per_couple's guess down\n",
                 all_reminders, couples);
    std::exit(1);
  }
  const KeyBytes bytes = MeasureKeys(world->admin.get());
  p.memory_per_reminder = (memory_after - memory_before) / all_reminders;
  p.queue_bytes_per_item = bytes.queue / (all_reminders + all_ticks);
  p.record_bytes_per_reminder = bytes.records / all_reminders;
  // The payload of a reminder on the queue is "R" + its record.
  double payload = 0;
  int sampled = 0;
  for (int i = 0; i < std::min(couples, 200); ++i) {
    absl::StatusOr<std::vector<scheduler::v1::Reminder>> records =
        setup.store()->LoadReminders(CoupleId(all[i]));
    if (!records.ok()) continue;
    for (const scheduler::v1::Reminder& r : *records) {
      payload += static_cast<double>(scheduler::EncodeReminder(r).size());
      ++sampled;
    }
  }
  p.payload_bytes = payload / std::max(1, sampled);
  // Whole couples, in order, until `want` reminders.
  for (Queued& q : queued) {
    if (p.reminders >= want) break;
    const int take =
        std::min<int>(static_cast<int>(q.reminders.size()), want - p.reminders);
    q.reminders.resize(take);
    p.reminders += take;
    p.ticks += static_cast<int>(q.ticks.size());
    p.picked.push_back(std::move(q));
  }
  p.couples = static_cast<int>(p.picked.size());
  std::printf(
      "  %d couples paired in %.1f s and accepted their rituals in %.1f s: "
      "%d reminders and %d ticks queued (%.1f and %.1f per couple); "
      "%d reminders of %d couples picked, with their %d ticks\n",
      couples, absl::ToDoubleSeconds(t1 - t0), absl::ToDoubleSeconds(t2 - t1),
      all_reminders, all_ticks, static_cast<double>(all_reminders) / couples,
      static_cast<double>(all_ticks) / couples, p.reminders, p.couples,
      p.ticks);
  std::printf(
      "  Redis memory: %.0f B per scheduled reminder (used_memory delta of "
      "accepting, over reminders); MEMORY USAGE: queue %.0f B per item, "
      "reminder records %.0f B per reminder; payload %.0f B\n",
      p.memory_per_reminder, p.queue_bytes_per_item,
      p.record_bytes_per_reminder, p.payload_bytes);
  return p;
}

// Moves every picked item to its due time, as DueQueue::Reschedule does
// for a not-yet-claimed reminder.
template <typename DueFn>
void MoveAll(engine::DueQueue* queue, const std::vector<Queued>& picked,
             DueFn due_of) {
  std::atomic<int> missing{0};
  ParallelFor(static_cast<int>(picked.size()),
              absl::GetFlag(FLAGS_setup_threads), [&](int i) {
                const Queued& q = picked[i];
                for (int k = 0; k < 2; ++k) {
                  const std::vector<std::string>& ids =
                      k == 0 ? q.reminders : q.ticks;
                  for (size_t j = 0; j < ids.size(); ++j) {
                    absl::StatusOr<bool> moved = queue->Reschedule(
                        q.couple_id, ids[j], due_of(i, k == 0, j));
                    if (!moved.ok()) Die("reschedule", moved.status());
                    if (!*moved) ++missing;
                  }
                }
              });
  if (missing > 0)
    std::printf("  note: %d items were not on the queue\n", missing.load());
}

struct QueueState {
  int64_t due = 0;
  int64_t leased = 0;
  int64_t scheduled = 0;
  int64_t dead = 0;
};

QueueState Snapshot(engine::DueQueue* queue) {
  absl::StatusOr<std::vector<engine::ShardStats>> stats =
      queue->Stats(std::nullopt);
  if (!stats.ok()) Die("stats", stats.status());
  QueueState s;
  for (const engine::ShardStats& shard : *stats) {
    s.due += shard.due_unclaimed;
    s.leased += shard.leased;
    s.scheduled += shard.scheduled;
    s.dead += shard.dead;
  }
  return s;
}

scheduler::DispatcherOptions DispatchOptions(int replica) {
  scheduler::DispatcherOptions options;
  options.worker_id = absl::StrCat("bench-replica-", replica);
  options.threads = absl::GetFlag(FLAGS_threads);
  options.batch = absl::GetFlag(FLAGS_batch);
  return options;
}

// What became of the picked reminders, by the state of their records.
std::string ReminderOutcomes(scheduler::SchedulerStore* store,
                             const Prepared& p) {
  std::map<std::string, int> by_state;
  for (const Queued& q : p.picked) {
    absl::StatusOr<std::vector<std::optional<scheduler::v1::Reminder>>>
        records = store->LoadRemindersById(q.couple_id, q.reminders);
    if (!records.ok()) Die("records", records.status());
    for (const auto& r : *records) {
      ++by_state[r ? scheduler::v1::ReminderState_Name(r->state())
                   : std::string("none")];
    }
  }
  std::string out;
  for (const auto& [state, n] : by_state) {
    absl::StrAppend(&out, out.empty() ? "" : ", ", state, " ", n);
  }
  return out;
}

void RunBurst(World* world, int replicas) {
  const int want = absl::GetFlag(FLAGS_burst_reminders);
  std::printf(
      "\n== burst: %d reminders due in one second, %d replica(s) x %d "
      "workers, batch %d ==\n",
      want, replicas, absl::GetFlag(FLAGS_threads), absl::GetFlag(FLAGS_batch));
  Prepared p = Prepare(world, want);
  world->sink.Reset(static_cast<size_t>(p.reminders) * 2);
  std::vector<std::unique_ptr<Replica>> stacks;
  for (int r = 0; r < replicas; ++r) {
    stacks.push_back(std::make_unique<Replica>(
        world->redis_options, p.pairing->server->address(), &world->sink,
        DispatchOptions(r)));
  }
  // All due in the current second (by this host's clock, which is Redis's).
  const absl::Time due =
      absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()));
  const std::string which = absl::GetFlag(FLAGS_burst_items);
  if (which == "reminders" || which == "ticks") {
    std::printf("  DIAGNOSTIC: only the %s are due\n", which.c_str());
    for (Queued& q : p.picked) {
      if (which == "reminders") {
        p.ticks -= static_cast<int>(q.ticks.size());
        q.ticks.clear();
      } else {
        p.reminders -= static_cast<int>(q.reminders.size());
        q.reminders.clear();
      }
    }
  }
  MoveAll(stacks[0]->queue(), p.picked, [&](int, bool, size_t) { return due; });
  const QueueState before = Snapshot(stacks[0]->queue());
  const int items = p.reminders + p.ticks;

  const std::string load_before = LoadAverage();
  world->admin->Command({"CONFIG", "RESETSTAT"}).IgnoreError();
  const double redis_cpu0 = RedisCpu(world->admin.get());
  const double reads0 =
      Info(world->admin.get(), "stats", "total_reads_processed");
  const double own_cpu0 = OwnCpu();
  std::printf("  dispatching...\n");
  std::fflush(stdout);
  const absl::Time start = absl::Now();
  for (auto& s : stacks) s->dispatcher()->Start();
  absl::Time drained = absl::InfiniteFuture();
  const absl::Duration timeout = absl::GetFlag(FLAGS_burst_timeout);
  QueueState after;
  while (absl::Now() - start < timeout) {
    absl::SleepFor(absl::Milliseconds(25));
    after = Snapshot(stacks[0]->queue());
    if (after.due == 0 && after.leased == 0) {
      drained = absl::Now();
      break;
    }
  }
  for (auto& s : stacks) s->dispatcher()->Stop();
  const double redis_cpu = RedisCpu(world->admin.get()) - redis_cpu0;
  const double own_cpu = OwnCpu() - own_cpu0;
  const std::string load_after = LoadAverage();
  const std::string commands =
      CommandStats(world->admin.get(), p.reminders + p.ticks);
  if (drained == absl::InfiniteFuture()) {
    std::printf("  NOT DRAINED after %s: %lld due, %lld leased\n",
                absl::FormatDuration(timeout).c_str(),
                static_cast<long long>(after.due),
                static_cast<long long>(after.leased));
  }
  const double seconds = absl::ToDoubleSeconds(drained - start);
  const size_t delivered = world->sink.count();
  absl::flat_hash_set<std::string> distinct;
  absl::Time last = start;
  for (size_t i = 0; i < delivered; ++i) {
    distinct.insert(world->sink.slot(i).name);
    last = std::max(last, world->sink.slot(i).at);
  }
  const double last_delivery = absl::ToDoubleSeconds(last - start);
  const double rate = static_cast<double>(delivered) / seconds;
  const double reads =
      Info(world->admin.get(), "stats", "total_reads_processed") - reads0;
  std::printf("  %lld items due at the start (%d reminders + %d ticks)\n",
              static_cast<long long>(before.due), p.reminders, p.ticks);
  std::printf(
      "  drained in %.3f s (last reminder delivered at %.3f s): %zu "
      "reminders delivered (%zu distinct), %.0f reminders/s, %.0f items/s\n",
      seconds, last_delivery, delivered, distinct.size(), rate,
      items / seconds);
  std::printf(
      "  afterwards: %lld items scheduled for later, %lld dead; the picked "
      "reminders' records: %s\n",
      static_cast<long long>(after.scheduled),
      static_cast<long long>(after.dead),
      ReminderOutcomes(stacks[0]->store(), p).c_str());
  std::printf(
      "  CPU: redis-server %.2f s (%.1f us per item), bench process %.2f s "
      "(%.1f us per item); load average %s -> %s\n",
      redis_cpu, redis_cpu * 1e6 / items, own_cpu, own_cpu * 1e6 / items,
      load_before.c_str(), load_after.c_str());
  std::printf("  Redis: %.1f reads (round trips) per item; %s\n", reads / items,
              commands.c_str());
  const std::string k = absl::StrCat("burst_", replicas, "r_");
  Result(k + "couples", p.couples);
  Result(k + "reminders", p.reminders);
  Result(k + "ticks", p.ticks);
  Result(k + "delivered", static_cast<double>(delivered));
  Result(k + "distinct", static_cast<double>(distinct.size()));
  Result(k + "drain_s", seconds);
  Result(k + "last_delivery_s", last_delivery);
  Result(k + "reminders_per_s", rate);
  Result(k + "items_per_s", items / seconds);
  Result(k + "redis_cpu_s", redis_cpu);
  Result(k + "bench_cpu_s", own_cpu);
  Result(k + "dead", static_cast<double>(after.dead));
  Result(k + "mem_per_reminder_B", p.memory_per_reminder);
  Result(k + "queue_bytes_per_item_B", p.queue_bytes_per_item);
  Result(k + "record_bytes_per_reminder_B", p.record_bytes_per_reminder);
  Result(k + "payload_B", p.payload_bytes);
  std::printf("RESULT_TEXT %sload %s\n", k.c_str(), load_after.c_str());
}

void RunSteady(World* world) {
  const int rate = absl::GetFlag(FLAGS_steady_rate);
  const int seconds = absl::GetFlag(FLAGS_steady_seconds);
  std::printf(
      "\n== steady: %d reminders/s for %d s, 1 replica x %d workers "
      "==\n",
      rate, seconds, absl::GetFlag(FLAGS_threads));
  Prepared p = Prepare(world, rate * seconds);
  world->sink.Reset(static_cast<size_t>(p.reminders) * 2);
  Replica stack(world->redis_options, p.pairing->server->address(),
                &world->sink, DispatchOptions(0));
  stack.dispatcher()->Start();  // idle until the first is due, as in service
  // Couple by couple, the n-th reminder is due n / rate after t0; a
  // couple's ticks are due with its last reminder.
  const absl::Time t0 = absl::Now() + absl::Seconds(5);
  std::vector<int> first(p.picked.size());
  int n = 0;
  for (size_t i = 0; i < p.picked.size(); ++i) {
    first[i] = n;
    n += static_cast<int>(p.picked[i].reminders.size());
  }
  auto due_of = [&](int couple, bool reminder, size_t j) {
    const int index =
        first[couple] +
        (reminder ? static_cast<int>(j)
                  : static_cast<int>(p.picked[couple].reminders.size()) - 1);
    return t0 + absl::Seconds(1) * index / rate;
  };
  absl::flat_hash_map<std::string, absl::Time> due_by_id;
  for (size_t i = 0; i < p.picked.size(); ++i) {
    for (size_t j = 0; j < p.picked[i].reminders.size(); ++j) {
      due_by_id[p.picked[i].reminders[j]] =
          due_of(static_cast<int>(i), true, j);
    }
  }
  MoveAll(stack.queue(), p.picked, due_of);
  if (absl::Now() > t0) {
    std::printf("  warning: moving the items ran past the first due time\n");
  }
  const std::string load_before = LoadAverage();
  const absl::Time end = t0 + absl::Seconds(seconds);
  absl::SleepFor(end - absl::Now());
  // Let the tail go out.
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  while (absl::Now() < give_up) {
    QueueState s = Snapshot(stack.queue());
    if (s.due == 0 && s.leased == 0) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  stack.dispatcher()->Stop();
  const std::string load_after = LoadAverage();

  std::vector<double> lateness_ms;
  for (size_t i = 0; i < world->sink.count(); ++i) {
    const std::string& name = world->sink.slot(i).name;
    auto it = due_by_id.find(name.substr(name.rfind('/') + 1));
    if (it == due_by_id.end()) continue;
    lateness_ms.push_back(
        absl::ToDoubleMilliseconds(world->sink.slot(i).at - it->second));
  }
  std::sort(lateness_ms.begin(), lateness_ms.end());
  auto pct = [&](double q) {
    if (lateness_ms.empty()) return 0.0;
    return lateness_ms[std::min(lateness_ms.size() - 1,
                                static_cast<size_t>(q * lateness_ms.size()))];
  };
  std::printf(
      "  %zu of %d reminders delivered (%d ticks alongside); lateness p50 "
      "%.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms; load average %s -> "
      "%s\n",
      lateness_ms.size(), p.reminders, p.ticks, pct(0.50), pct(0.90), pct(0.99),
      lateness_ms.empty() ? 0.0 : lateness_ms.back(), load_before.c_str(),
      load_after.c_str());
  std::printf("  the picked reminders' records: %s\n",
              ReminderOutcomes(stack.store(), p).c_str());
  Result("steady_delivered", static_cast<double>(lateness_ms.size()));
  Result("steady_reminders", p.reminders);
  Result("steady_ticks", p.ticks);
  Result("steady_p50_ms", pct(0.50));
  Result("steady_p90_ms", pct(0.90));
  Result("steady_p99_ms", pct(0.99));
  Result("steady_max_ms", lateness_ms.empty() ? 0.0 : lateness_ms.back());
  std::printf("RESULT_TEXT steady_load %s\n", load_after.c_str());
}

int Main() {
  World world;
  testing::RedisServer private_redis;
  std::string url = absl::GetFlag(FLAGS_redis_url);
  if (url.empty()) {
    if (absl::Status s = private_redis.Start(); !s.ok()) Die("redis", s);
    url = private_redis.url();
  }
  absl::StatusOr<engine::RedisOptions> options = engine::ParseRedisUrl(url);
  if (!options.ok()) Die("--redis_url", options.status());
  world.redis_options = *options;
  // FLUSHALL of a run's keys can take seconds on a busy machine.
  engine::RedisOptions admin_options = *options;
  admin_options.command_timeout = absl::Seconds(120);
  world.admin = std::make_unique<engine::RedisClient>(admin_options);
  std::printf(
      "tend-bench-dispatch against %s, load average %s; partners "
      "live in %s\n",
      url.c_str(), LoadAverage().c_str(),
      absl::StrJoin(AwakeZones(), ", ").c_str());
  if (AwakeZones().size() < 2) {
    std::fprintf(stderr, "fewer than two zones are awake now\n");
    return 1;
  }
  for (const std::string& run : absl::GetFlag(FLAGS_runs)) {
    int replicas = 0;
    absl::string_view r = run;
    if (absl::ConsumePrefix(&r, "burst:") && absl::SimpleAtoi(r, &replicas) &&
        replicas > 0) {
      RunBurst(&world, replicas);
    } else if (run == "steady") {
      RunSteady(&world);
    } else {
      std::fprintf(stderr, "unknown run '%s'\n", run.c_str());
      return 2;
    }
    std::fflush(stdout);
  }
  world.admin->Command({"FLUSHALL"}).IgnoreError();
  return 0;
}

}  // namespace
}  // namespace tend::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return tend::bench::Main();
}
