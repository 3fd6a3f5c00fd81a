// The soak: the real stack under thousands of simulated couples for ten
// minutes, checking that nothing fails and that memory stays flat.
//
// What runs: tend-pairing, tend-prompt and tend-scheduler from --bin_dir
// and one private redis-server (tests/bench/load/real_stack.h), on the real
// clock. Not the test clock: pairing has no --test_clock, and the scheduler
// judges the 15-minute service tokens pairing mints (real clock) by its own
// clock, so once simulated time runs 15 minutes ahead every outbox call
// from pairing (seeding, re-planning, cancelling) is UNAUTHENTICATED. On
// the real clock, reminders fall due because every couple also agrees on a
// daily "soak moment" ritual of its own, timed so that the couples' moments
// are spread over the soak (--moments_span; reminders 3 minutes ahead and
// at the time, to both partners), and partners live in the zones where it is
// daytime now (local 08:00 to 20:00), so quiet hours move none of them.
//
// 1. Onboarding (before the timed soak): --couples couples set their
//    profiles, pair, both accept the seeded rituals, and agree on the soak
//    moment (a proposes, b accepts).
// 2. The soak, --duration of real time:
//    - --watchers partners have the app open: a WatchReminders stream each,
//      which answers every reminder that arrives on it;
//    - --workers threads visit the couples round-robin, --visits_per_second
//      visits in all. A visit is what the two partners' apps do: each
//      partner reads today's question and answers it unless done; once both
//      have, reads the revealed answers once; lists their delivered
//      reminders and answers each occurrence once (done with a mood for
//      check-ins, or snooze, or skip, chosen from the occurrence so a
//      repeat is the same answer); reads one of streaks, rituals, cadence,
//      profile or the 7-day preview; every 10th visit updates a profile
//      (quiet hours move, and the scheduler re-plans the couple); and one
//      visit in --churn_every unpairs the couple (erase now) and pairs two
//      new people in its place, whose soak moment is two minutes later.
//    - every --sample_every: each service's VmRSS and Redis used_memory.
// 3. At the end: a table of the samples, every RPC's calls and errors by
//    code, and the verdict.
//
// The scheduler keeps delivered reminders for --history_retention (3
// minutes here, 35 days in production), so within the run records age out
// as fast as new ones are delivered, and "flat" covers Redis in its steady
// state, retention sweeps included, not the first 35 days of a deployment.
//
// It fails (exit 1) on any failed RPC (every call above is one that must
// succeed: no error is expected), on a live stream that ends by itself,
// and on memory that is not flat. Flat, for each series (three RSS and
// Redis used_memory): take the samples after --warmup, fit a least-squares
// line, and the growth it predicts over those samples' span must be at most
// --growth_tolerance (default 10%) of the series' value at the end of
// warm-up, or --growth_floor_mib (default 4 MiB) if that is larger, so
// allocator noise on a small process is not read as a leak.
//
//   cmake -S . -B /tmp/build-apibench -DCMAKE_BUILD_TYPE=Release
//       -DTEND_BUILD_BENCH=ON -DTEND_BUILD_TESTS=ON
//   cmake --build /tmp/build-apibench -j2 --target tend-bench-soak
//       tend-pairing tend-prompt tend-scheduler
//   /tmp/build-apibench/bin/tend-bench-soak                  # 10 minutes
//   /tmp/build-apibench/bin/tend-bench-soak --duration=30s --warmup=10s
//       --couples=200 --sample_every=5s    # a smoke run
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tests/bench/load/real_stack.h"

ABSL_FLAG(std::string, bin_dir, TEND_BIN_DIR,
          "Where tend-pairing, tend-prompt and tend-scheduler are.");
ABSL_FLAG(absl::Duration, duration, absl::Minutes(10),
          "How long the soak runs, after onboarding.");
ABSL_FLAG(int, couples, 2000, "Simulated couples.");
ABSL_FLAG(int, workers, 8, "Threads visiting couples.");
ABSL_FLAG(double, visits_per_second, 100, "Couple visits per second, in all.");
ABSL_FLAG(int, watchers, 100,
          "Partners with a live WatchReminders stream (partner a of the "
          "first couples).");
ABSL_FLAG(int, churn_every, 200,
          "One visit in this many unpairs the couple and pairs new people; "
          "0 never.");
ABSL_FLAG(double, moments_span, 1.0,
          "The couples' soak moments are spread over this fraction of "
          "--duration, counted from the start of onboarding.");
ABSL_FLAG(absl::Duration, sample_every, absl::Seconds(10),
          "How often RSS and Redis memory are sampled.");
ABSL_FLAG(absl::Duration, warmup, absl::Minutes(5),
          "Samples before this are not judged for growth; give it at least "
          "--history_retention plus a minute or two.");
ABSL_FLAG(absl::Duration, history_retention, absl::Minutes(3),
          "The scheduler's --history_retention. Delivered reminders stay in "
          "Redis this long; with the 35-day default, Redis grows with every "
          "reminder delivered until day 35 and a 10-minute run cannot reach "
          "the steady state it measures.");
ABSL_FLAG(double, growth_tolerance, 0.10,
          "Allowed growth after warm-up, as a fraction of the value then.");
ABSL_FLAG(std::string, log_dir, "/tmp/tend-soak-logs",
          "Each service's stderr (its JSON log) is written here at the end.");
ABSL_FLAG(double, growth_floor_mib, 4,
          "Growth always allowed, in MiB, when larger than the fraction.");

namespace tend::bench {
namespace {

namespace sv1 = scheduler::v1;
namespace pv1 = prompt::v1;
constexpr double kMiB = 1024.0 * 1024.0;

// Every RPC's outcome, by method and gRPC code.
class Tally {
 public:
  void Record(const std::string& method, const grpc::Status& status) {
    absl::MutexLock lock(&mu_);
    Entry& e = entries_[method];
    ++e.calls;
    if (status.ok()) return;
    if (e.by_code[status.error_code()]++ == 0) {
      e.first_message[status.error_code()] = status.error_message();
    }
  }
  int64_t Calls() {
    absl::MutexLock lock(&mu_);
    int64_t n = 0;
    for (const auto& [method, e] : entries_) n += e.calls;
    return n;
  }
  int64_t Errors() {
    absl::MutexLock lock(&mu_);
    int64_t n = 0;
    for (const auto& [method, e] : entries_) {
      for (const auto& [code, count] : e.by_code) n += count;
    }
    return n;
  }
  void Print() {
    absl::MutexLock lock(&mu_);
    std::printf("\n| RPC | calls | errors by code |\n| --- | ---: | --- |\n");
    for (const auto& [method, e] : entries_) {
      std::string errors;
      for (const auto& [code, count] : e.by_code) {
        absl::StrAppend(&errors, errors.empty() ? "" : "; ", "code ", code,
                        ": ", count, " (first: ", e.first_message.at(code),
                        ")");
      }
      std::printf("| %s | %lld | %s |\n", method.c_str(),
                  static_cast<long long>(e.calls),
                  errors.empty() ? "none" : errors.c_str());
    }
  }

 private:
  struct Entry {
    int64_t calls = 0;
    std::map<int, int64_t> by_code;
    std::map<int, std::string> first_message;
  };
  absl::Mutex mu_;
  std::map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

// What the soak knows of one couple; touched by its worker only.
struct CoupleState {
  Couple couple;
  int generation = 0;
  bool watched = false;
  int visits = 0;
  // The revealed daily question each partner last read the answers of.
  std::string read_a;
  std::string read_b;
  // The partners' zones.
  std::string zone_a;
  std::string zone_b;
};

// How a partner answers one occurrence: the same every time it is asked,
// so a repeated answer (the occurrence's other reminder) is idempotent.
sv1::AcknowledgeReminderRequest AnswerFor(const sv1::Reminder& r) {
  sv1::AcknowledgeReminderRequest req;
  req.set_name(r.name());
  const size_t h = absl::HashOf(r.ritual(), r.occurrence_time().seconds(),
                                r.recipient_user_id()) %
                   20;
  if (h < 14) {
    req.set_action(sv1::ACKNOWLEDGE_ACTION_DONE);
    if (r.practice() == type::v1::PRACTICE_CHECK_IN) req.set_mood(1 + h % 5);
  } else if (h < 17) {
    req.set_action(sv1::ACKNOWLEDGE_ACTION_SNOOZE);
    req.mutable_snooze_duration()->set_seconds(30 * 60);
  } else {
    req.set_action(sv1::ACKNOWLEDGE_ACTION_SKIP);
  }
  return req;
}

// One key per occurrence and recipient: answering one reminder of it
// answers its others.
std::string OccurrenceKey(const sv1::Reminder& r) {
  return absl::StrCat(r.ritual(), "@", r.occurrence_time().seconds(), "/",
                      r.recipient_user_id());
}

// A partner whose app is open: a WatchReminders stream on a thread of its
// own that answers every reminder falling due on it. Reopens the stream if
// it ends by itself, which is counted as an error.
class Watcher {
 public:
  Watcher(Stubs* stubs, Tally* tally, std::string user)
      : stubs_(stubs), tally_(tally), user_(std::move(user)) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~Watcher() { Stop(); }
  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
      if (context_ != nullptr) context_->TryCancel();
    }
    if (thread_.joinable()) thread_.join();
  }
  int64_t seen() const { return seen_.load(); }

 private:
  void Loop() {
    while (true) {
      auto context = std::make_unique<grpc::ClientContext>();
      context->AddMetadata("authorization", UserBearer(user_));
      {
        absl::MutexLock lock(&mu_);
        if (stopping_) return;
        context_ = context.get();
      }
      sv1::WatchRemindersRequest req;
      auto stream = stubs_->scheduler->WatchReminders(context.get(), req);
      sv1::WatchRemindersResponse event;
      while (stream->Read(&event)) {
        if (event.type() != sv1::REMINDER_EVENT_TYPE_DUE) continue;
        ++seen_;
        sv1::Reminder out;
        tally_->Record("AcknowledgeReminder (live)",
                       stubs_->scheduler->AcknowledgeReminder(
                           WithAuth(UserBearer(user_)).get(),
                           AnswerFor(event.reminder()), &out));
      }
      const grpc::Status ended = stream->Finish();
      absl::MutexLock lock(&mu_);
      context_ = nullptr;
      if (stopping_) return;
      // A stream that ends while the app is open is a failure.
      tally_->Record("WatchReminders",
                     ended.ok() ? grpc::Status(grpc::StatusCode::UNKNOWN,
                                               "the stream ended by itself")
                                : ended);
    }
  }

  Stubs* stubs_;
  Tally* tally_;
  const std::string user_;
  std::atomic<int64_t> seen_{0};
  absl::Mutex mu_;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// The visits of one worker.
class Visitor {
 public:
  // Partners live in `zones`.
  Visitor(Stubs* stubs, Tally* tally, const std::vector<std::string>* zones)
      : stubs_(stubs), tally_(tally), zones_(zones) {}

  void Visit(CoupleState& state) {
    ++state.visits;
    for (const bool first : {true, false}) {
      const std::string& user = first ? state.couple.a : state.couple.b;
      DailyQuestion(state, user, first ? state.read_a : state.read_b);
      if (!(first && state.watched)) AnswerReminders(state, user);
    }
    ReadSomething(state);
    if (state.visits % 10 == 0) {
      tally_->Record("UpdatePartnerProfile",
                     UpdateProfile(*stubs_, state.couple.a, state.zone_a,
                                   state.visits % 20 == 0 ? 22 : 23));
    }
  }

  // Re-pairs: the couple unpairs with its data erased now, and two new
  // people pair in its place, with their soak moment two minutes on.
  void Churn(CoupleState& state, int index) {
    pairing::v1::UnpairRequest req;
    req.set_erase_now(true);
    pairing::v1::UnpairResponse out;
    tally_->Record("Unpair",
                   stubs_->pairing->Unpair(
                       WithAuth(UserBearer(state.couple.a)).get(), req, &out));
    ++state.generation;
    Onboard(state, index, absl::Now() + absl::Minutes(2));
  }

  // Pairs couple `index` anew (generation in the user ids); they agree on
  // a daily soak moment at `moment` (rounded up to the minute).
  bool Onboard(CoupleState& state, int index, absl::Time moment) {
    const std::string prefix =
        absl::StrCat("soak", index, "g", state.generation);
    state.zone_a = (*zones_)[index % zones_->size()];
    state.zone_b = (*zones_)[(index + state.generation + 1) % zones_->size()];
    absl::StatusOr<Couple> couple = bench::Onboard(
        *stubs_, prefix + "a", prefix + "b", state.zone_a, state.zone_b);
    absl::Status agreed = couple.status();
    if (couple.ok()) {
      state.couple = *couple;
      state.read_a.clear();
      state.read_b.clear();
      state.visits = 0;
      agreed = AgreeOnMoment(state, index, moment);
    }
    tally_->Record(
        "Onboard (profiles, pair, accept rituals, soak moment)",
        agreed.ok() ? grpc::Status::OK
                    : grpc::Status(static_cast<grpc::StatusCode>(agreed.code()),
                                   std::string(agreed.message())));
    return agreed.ok();
  }

 private:
  // `a` proposes a daily personal ritual for both, pinned to a's zone so
  // both get it at `moment`, with reminders 3 minutes ahead and at the
  // time; `b` accepts it.
  absl::Status AgreeOnMoment(const CoupleState& state, int index,
                             absl::Time moment) {
    absl::TimeZone zone;
    absl::LoadTimeZone(state.zone_a, &zone);
    const absl::CivilMinute local = absl::ToCivilMinute(
        moment + absl::Seconds(59), zone);  // up to the minute
    sv1::CreateRitualRequest req;
    req.set_parent(state.couple.name);
    sv1::Ritual* r = req.mutable_ritual();
    r->set_title("Soak moment");
    r->set_kind(sv1::RITUAL_KIND_PERSONAL);
    r->add_participant_user_ids(state.couple.a);
    r->add_participant_user_ids(state.couple.b);
    r->set_practice(index % 2 == 0 ? type::v1::PRACTICE_CHECK_IN
                                   : type::v1::PRACTICE_TOUCH);
    sv1::Recurrence* rec = r->mutable_recurrence();
    rec->set_rrule("FREQ=DAILY");
    rec->set_time_zone(state.zone_a);
    type::v1::LocalDateTime* start = rec->mutable_dtstart();
    start->mutable_date()->set_year(static_cast<int32_t>(local.year()));
    start->mutable_date()->set_month(local.month());
    start->mutable_date()->set_day(local.day());
    start->mutable_time()->set_hours(local.hour());
    start->mutable_time()->set_minutes(local.minute());
    r->add_lead_times()->set_seconds(180);
    r->add_lead_times()->set_seconds(0);
    sv1::Ritual proposed;
    grpc::Status s = stubs_->scheduler->CreateRitual(
        WithAuth(UserBearer(state.couple.a)).get(), req, &proposed);
    if (!s.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                          absl::StrCat("CreateRitual: ", s.error_message()));
    }
    sv1::AcceptRitualRequest accept;
    accept.set_name(proposed.name());
    accept.set_etag(proposed.etag());
    sv1::Ritual accepted;
    s = stubs_->scheduler->AcceptRitual(
        WithAuth(UserBearer(state.couple.b)).get(), accept, &accepted);
    if (!s.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                          absl::StrCat("AcceptRitual: ", s.error_message()));
    }
    return absl::OkStatus();
  }

  // Reads today's question; answers it unless done, and once both have
  // answered, reads the answers once.
  void DailyQuestion(CoupleState& state, const std::string& user,
                     std::string& read) {
    pv1::GetDailyQuestionRequest req;
    req.set_parent(state.couple.name);
    pv1::Question question;
    grpc::Status s = stubs_->prompt->GetDailyQuestion(
        WithAuth(UserBearer(user)).get(), req, &question);
    tally_->Record("GetDailyQuestion", s);
    if (!s.ok()) return;
    const auto& done = question.answered_user_ids();
    if (std::find(done.begin(), done.end(), user) == done.end()) {
      pv1::AnswerQuestionRequest answer;
      answer.set_name(question.name());
      answer.set_text("Soak answer: a few honest words about my day.");
      pv1::Answer out;
      tally_->Record("AnswerQuestion",
                     stubs_->prompt->AnswerQuestion(
                         WithAuth(UserBearer(user)).get(), answer, &out));
    } else if (question.reveal_time().seconds() != 0 &&
               read != question.name()) {
      pv1::GetAnswersRequest get;
      get.set_name(question.name());
      pv1::GetAnswersResponse answers;
      tally_->Record("GetAnswers",
                     stubs_->prompt->GetAnswers(
                         WithAuth(UserBearer(user)).get(), get, &answers));
      read = question.name();
    }
  }

  void AnswerReminders(CoupleState& state, const std::string& user) {
    sv1::ListRemindersRequest req;
    req.set_parent(state.couple.name);
    req.set_recipient_user_id(user);
    req.add_states(sv1::REMINDER_STATE_DELIVERED);
    req.set_page_size(50);
    sv1::ListRemindersResponse list;
    grpc::Status s = stubs_->scheduler->ListReminders(
        WithAuth(UserBearer(user)).get(), req, &list);
    tally_->Record("ListReminders", s);
    absl::flat_hash_set<std::string> answered;
    for (const sv1::Reminder& r : list.reminders()) {
      if (!answered.insert(OccurrenceKey(r)).second) continue;
      sv1::Reminder out;
      tally_->Record("AcknowledgeReminder",
                     stubs_->scheduler->AcknowledgeReminder(
                         WithAuth(UserBearer(user)).get(), AnswerFor(r), &out));
    }
  }

  void ReadSomething(CoupleState& state) {
    const std::string bearer = UserBearer(state.couple.b);
    switch (state.visits % 5) {
      case 0: {
        sv1::Streaks out;
        tally_->Record("GetStreaks", stubs_->scheduler->GetStreaks(
                                         WithAuth(bearer).get(), {}, &out));
        break;
      }
      case 1: {
        sv1::ListRitualsResponse out;
        tally_->Record("ListRituals", stubs_->scheduler->ListRituals(
                                          WithAuth(bearer).get(), {}, &out));
        break;
      }
      case 2: {
        sv1::Cadence out;
        tally_->Record("GetCadence", stubs_->scheduler->GetCadence(
                                         WithAuth(bearer).get(), {}, &out));
        break;
      }
      case 3: {
        pairing::v1::PartnerProfile out;
        tally_->Record("GetPartnerProfile",
                       stubs_->pairing->GetPartnerProfile(
                           WithAuth(bearer).get(), {}, &out));
        break;
      }
      default: {
        sv1::PreviewScheduleRequest req;
        req.set_parent(state.couple.name);
        req.set_days(7);
        sv1::PreviewScheduleResponse out;
        tally_->Record("PreviewSchedule",
                       stubs_->scheduler->PreviewSchedule(
                           WithAuth(bearer).get(), req, &out));
        break;
      }
    }
  }

  Stubs* stubs_;
  Tally* tally_;
  const std::vector<std::string>* zones_;
};

// The zones of kZones where it is daytime (08:00 to 20:00) from now until
// `until`.
std::vector<std::string> DaytimeZones(absl::Time until) {
  std::vector<std::string> out;
  for (const char* name : kZones) {
    absl::TimeZone zone;
    absl::LoadTimeZone(name, &zone);
    const int from = absl::ToCivilHour(absl::Now(), zone).hour();
    const int to = absl::ToCivilHour(until, zone).hour();
    if (from >= 8 && to < 20 && to >= from) out.push_back(name);
  }
  return out;
}

// One sample of memory.
struct Sample {
  absl::Duration at;  // since the soak started
  std::array<int64_t, 3> rss = {};
  int64_t redis = 0;
  int64_t calls = 0;
  int64_t errors = 0;
};

// The growth a least-squares line through (t, value) predicts over the
// span of t.
double FittedGrowth(const std::vector<std::pair<double, double>>& points) {
  if (points.size() < 2) return 0;
  double st = 0, sv = 0;
  for (const auto& [t, v] : points) {
    st += t;
    sv += v;
  }
  const double n = static_cast<double>(points.size());
  const double mt = st / n, mv = sv / n;
  double num = 0, den = 0;
  for (const auto& [t, v] : points) {
    num += (t - mt) * (v - mv);
    den += (t - mt) * (t - mt);
  }
  if (den == 0) return 0;
  return num / den * (points.back().first - points.front().first);
}

int Run() {
  const int couple_count = absl::GetFlag(FLAGS_couples);
  const int workers = std::max(1, absl::GetFlag(FLAGS_workers));
  const int watchers = std::min(absl::GetFlag(FLAGS_watchers), couple_count);
  const int churn_every = absl::GetFlag(FLAGS_churn_every);
  RealStack stack;
  StackOptions stack_options;
  stack_options.bin_dir = absl::GetFlag(FLAGS_bin_dir);
  stack_options.scheduler_flags = {
      absl::StrCat("--history_retention=",
                   absl::FormatDuration(absl::GetFlag(FLAGS_history_retention)))};
  if (absl::Status s = stack.Start(stack_options); !s.ok()) {
    std::fprintf(stderr, "stack: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  Stubs stubs(stack);
  Tally tally;

  // Onboarding, spread over the workers.
  std::vector<CoupleState> states(couple_count);
  const absl::Time onboard_start = absl::Now();
  const absl::Duration duration = absl::GetFlag(FLAGS_duration);
  // Onboarding, the soak and an hour's margin, all in daytime.
  const std::vector<std::string> zones =
      DaytimeZones(onboard_start + duration + absl::Hours(1));
  if (zones.empty()) {
    std::fprintf(stderr, "no zone of eight is in daytime for the soak\n");
    return 1;
  }
  std::printf("partners live in:");
  for (const std::string& z : zones) std::printf(" %s", z.c_str());
  std::printf("\n");
  // The soak moments, spread evenly from 2 minutes after onboarding starts
  // (a third of --duration for a short run) to --moments_span of --duration
  // after it; onboarding takes about 100 s for 2,000 couples here, so with
  // the defaults every moment falls inside the soak.
  const absl::Time first_moment =
      onboard_start + std::min(absl::Minutes(2), duration / 3);
  const absl::Time last_moment =
      std::max(first_moment,
               onboard_start + duration * absl::GetFlag(FLAGS_moments_span));
  auto moment_of = [&](int i) {
    return first_moment +
           (last_moment - first_moment) * i / std::max(1, couple_count);
  };
  {
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] {
        Visitor visitor(&stubs, &tally, &zones);
        for (int i = w; i < couple_count; i += workers) {
          states[i].watched = i < watchers;
          visitor.Onboard(states[i], i, moment_of(i));
        }
      });
    }
    for (std::thread& t : threads) t.join();
  }
  std::printf("onboarded %d couples in %.1f s (%lld RPCs, %lld errors)\n",
              couple_count, absl::ToDoubleSeconds(absl::Now() - onboard_start),
              static_cast<long long>(tally.Calls()),
              static_cast<long long>(tally.Errors()));
  std::fflush(stdout);

  std::vector<std::unique_ptr<Watcher>> live;
  for (int i = 0; i < watchers; ++i) {
    live.push_back(
        std::make_unique<Watcher>(&stubs, &tally, states[i].couple.a));
  }

  std::atomic<bool> stop{false};
  const absl::Time began = absl::Now();
  const absl::Time end = began + duration;
  std::vector<std::thread> threads;
  const absl::Duration visit_interval = absl::Seconds(
      workers / std::max(0.001, absl::GetFlag(FLAGS_visits_per_second)));
  std::atomic<int64_t> visits{0}, churns{0};
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      Visitor visitor(&stubs, &tally, &zones);
      absl::Time next = absl::Now();
      int i = w;
      int64_t mine = 0;
      while (!stop.load()) {
        const absl::Time now = absl::Now();
        // Paced; after a stall, carry on at the pace rather than catch up.
        next = std::max(next, now - absl::Seconds(1)) + visit_interval;
        if (next > now) absl::SleepFor(next - now);
        CoupleState& state = states[i];
        if (churn_every > 0 && !state.watched && ++mine % churn_every == 0) {
          visitor.Churn(state, i);
          ++churns;
        } else {
          visitor.Visit(state);
        }
        ++visits;
        i += workers;
        if (i >= couple_count) i = w;
      }
    });
  }

  std::vector<Sample> samples;
  auto take_sample = [&] {
    Sample s;
    s.at = absl::Now() - began;
    for (Tier tier : kTiers) {
      absl::StatusOr<MemoryUse> use = MemoryOf(stack.pid(tier));
      s.rss[static_cast<int>(tier)] = use.ok() ? use->rss : 0;
    }
    absl::StatusOr<int64_t> redis = stack.RedisUsedMemory();
    s.redis = redis.ok() ? *redis : 0;
    s.calls = tally.Calls();
    s.errors = tally.Errors();
    samples.push_back(s);
    std::printf(
        "%5.0f s  RSS MiB: pairing %6.1f  prompt %6.1f  scheduler %6.1f  "
        "redis used_memory %7.1f MiB  calls %lld  errors %lld\n",
        absl::ToDoubleSeconds(s.at), s.rss[0] / kMiB, s.rss[1] / kMiB,
        s.rss[2] / kMiB, s.redis / kMiB, static_cast<long long>(s.calls),
        static_cast<long long>(s.errors));
    std::fflush(stdout);
  };
  take_sample();
  for (absl::Time next = began + absl::GetFlag(FLAGS_sample_every); next <= end;
       next += absl::GetFlag(FLAGS_sample_every)) {
    absl::SleepFor(next - absl::Now());
    take_sample();
  }
  stop = true;
  for (std::thread& t : threads) t.join();
  int64_t live_seen = 0;
  for (auto& w : live) {
    w->Stop();
    live_seen += w->seen();
  }
  const absl::Duration ran = absl::Now() - began;

  // The verdict on memory.
  const absl::Duration warmup = absl::GetFlag(FLAGS_warmup);
  const double tolerance = absl::GetFlag(FLAGS_growth_tolerance);
  const double floor = absl::GetFlag(FLAGS_growth_floor_mib) * kMiB;
  bool flat = true;
  std::printf(
      "\nMemory after %s of warm-up (flat: fitted growth <= max(%.0f%% of "
      "the value at warm-up end, %.0f MiB))\n"
      "| series | at warm-up end | at the end | fitted growth | allowed | "
      "verdict |\n| --- | ---: | ---: | ---: | ---: | --- |\n",
      absl::FormatDuration(warmup).c_str(), 100 * tolerance, floor / kMiB);
  for (int series = 0; series < 4; ++series) {
    auto value = [&](const Sample& s) {
      return static_cast<double>(series < 3 ? s.rss[series] : s.redis);
    };
    std::vector<std::pair<double, double>> points;
    for (const Sample& s : samples) {
      if (s.at >= warmup)
        points.emplace_back(absl::ToDoubleSeconds(s.at), value(s));
    }
    if (points.size() < 2) {
      std::printf("| %s | too few samples after warm-up | | | | - |\n",
                  series < 3 ? TierName(kTiers[series]) : "redis used_memory");
      continue;
    }
    const double growth = FittedGrowth(points);
    const double allowed = std::max(tolerance * points.front().second, floor);
    const bool ok = growth <= allowed;
    flat = flat && ok;
    std::printf("| %s | %.1f MiB | %.1f MiB | %+.1f MiB | %.1f MiB | %s |\n",
                series < 3 ? TierName(kTiers[series]) : "redis used_memory",
                points.front().second / kMiB, points.back().second / kMiB,
                growth / kMiB, allowed / kMiB, ok ? "flat" : "GROWS");
  }
  tally.Print();
  const int64_t errors = tally.Errors();
  std::printf(
      "\nsoak: %d couples, %.0f s, %lld visits (%.1f/s), %lld re-pairings, "
      "%lld RPCs (%.0f/s), %lld reminders on %d live streams; errors "
      "%lld; memory %s\n",
      couple_count, absl::ToDoubleSeconds(ran),
      static_cast<long long>(visits.load()),
      visits.load() / absl::ToDoubleSeconds(ran),
      static_cast<long long>(churns.load()),
      static_cast<long long>(tally.Calls()),
      tally.Calls() / absl::ToDoubleSeconds(ran),
      static_cast<long long>(live_seen), watchers,
      static_cast<long long>(errors), flat ? "flat" : "GROWS");
  std::printf("RESULT errors %lld\nRESULT memory_flat %d\n",
              static_cast<long long>(errors), flat ? 1 : 0);
  live.clear();
  const std::string log_dir = absl::GetFlag(FLAGS_log_dir);
  std::filesystem::create_directories(log_dir);
  for (Tier tier : kTiers) {
    std::ofstream(absl::StrCat(log_dir, "/", TierName(tier), ".log"))
        << stack.Stderr(tier);
  }
  std::printf("service logs: %s/{pairing,prompt,scheduler}.log\n",
              log_dir.c_str());
  if (absl::Status s = stack.Stop(); !s.ok()) {
    std::fprintf(stderr, "stop: %s\n", std::string(s.message()).c_str());
  }
  return errors == 0 && flat ? 0 : 1;
}

}  // namespace
}  // namespace tend::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return tend::bench::Run();
}
