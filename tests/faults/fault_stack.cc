#include "tests/faults/fault_stack.h"

#include <algorithm>
#include <iostream>
#include <tuple>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "engine/base/status_macros.h"
#include "services/common/status.h"
#include "services/scheduler/convert.h"
#include "services/scheduler/reminder_planner.h"
#include "services/scheduler/scheduler_store.h"

namespace tend::faults {
namespace {

using scheduler::v1::Reminder;

constexpr char kRitualId[] = "fault-load";

std::string Quoted(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

void FaultTest::SetUp() {
  if (!testing::FakePush::Available()) GTEST_SKIP() << "node is not installed";
  started_ = absl::Now();
  ASSERT_TRUE(push_.Start().ok());
  StackTest::SetUp();
}

absl::StatusOr<e2e::Service> FaultTest::StartPairing(int port) {
  absl::StatusOr<e2e::Service> pairing =
      Spawn("tend-pairing",
            {TEND_PAIRING_BIN, absl::StrCat("--listen=127.0.0.1:", port),
             "--drain_timeout=1s"});
  if (pairing.ok()) pairing_address_ = pairing->address;
  return pairing;
}

absl::StatusOr<e2e::Service> FaultTest::StartPrompt() {
  absl::StatusOr<e2e::Service> prompt =
      Spawn("tend-prompt", {TEND_PROMPT_BIN, "--listen=127.0.0.1:0",
                            "--test_clock", "--drain_timeout=1s",
                            absl::StrCat("--pairing_addr=", pairing_address_)});
  if (prompt.ok()) prompt_address_ = prompt->address;
  return prompt;
}

absl::StatusOr<e2e::Service> FaultTest::StartScheduler(
    const std::string& name, const std::string& worker_id,
    std::vector<std::string> extra_flags) {
  std::vector<std::string> argv = {
      TEND_SCHEDULER_BIN,
      "--listen=127.0.0.1:0",
      "--test_clock",
      "--dispatch_threads=2",
      "--dispatch_batch=50",
      "--webhook_allow_http",
      "--push_timeout=2s",
      "--drain_timeout=1s",
      absl::StrCat("--worker_id=", worker_id),
      absl::StrCat("--pairing_addr=", pairing_address_)};
  if (!prompt_address_.empty()) {
    argv.push_back(absl::StrCat("--prompt_addr=", prompt_address_));
  }
  // Later flags win: a scenario may override the defaults above.
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  return Spawn(name, std::move(argv));
}

absl::Status FaultTest::StartSchedulersWithLoad(
    std::vector<std::string> flags) {
  TEND_ASSIGN_OR_RETURN(scheduler_a_,
                        StartScheduler("tend-scheduler a", "a", flags));
  TEND_ASSIGN_OR_RETURN(scheduler_b_,
                        StartScheduler("tend-scheduler b", "b", flags));
  return ScheduleLoad(scheduler_a_, kCouples, kPerCouple, kSpan);
}

absl::Status FaultTest::ScheduleLoad(const e2e::Service& scheduler, int couples,
                                     int per_couple, absl::Duration span) {
  span_start_ = clock();
  span_ = span;
  auto pairing_channel =
      grpc::CreateChannel(pairing_address_, grpc::InsecureChannelCredentials());
  auto pairing_stub = pairing::v1::PairingService::NewStub(pairing_channel);
  auto scheduler_stub =
      scheduler::v1::SchedulerService::NewStub(scheduler.channel);
  scheduler::SchedulerStore store(redis());
  std::vector<engine::QueuedReminder> queued;
  const int total = couples * per_couple;
  for (int c = 0; c < couples; ++c) {
    const std::string partners[2] = {absl::StrCat("fault-a", c),
                                     absl::StrCat("fault-b", c)};
    TEND_ASSIGN_OR_RETURN(pairing::v1::Couple couple,
                          Pair(pairing_stub.get(), partners[0], partners[1]));
    for (const std::string& user : partners) {
      scheduler::v1::RegisterDeviceRequest request;
      request.set_parent(absl::StrCat("users/", user));
      request.mutable_device()->set_platform(
          scheduler::v1::DEVICE_PLATFORM_WEB_WEBHOOK);
      request.mutable_device()->set_webhook_url(
          push_.WebhookUrl(absl::StrCat("/hooks/", user)));
      scheduler::v1::Device device;
      const grpc::Status s = scheduler_stub->RegisterDevice(
          e2e::WithAuth(e2e::UserBearer(user)).get(), request, &device);
      if (!s.ok()) {
        return absl::Status(
            services::FromGrpcStatus(s).code(),
            absl::StrCat("RegisterDevice for ", user, ": ", s.error_message()));
      }
    }
    const std::string couple_id = scheduler::CoupleId(couple);
    scheduler::v1::Ritual ritual;
    ritual.set_name(scheduler::RitualName(couple_id, kRitualId));
    ritual.set_title("Fault drill");
    ritual.set_description(kFallbackBody);
    ritual.set_kind(scheduler::v1::RITUAL_KIND_PERSONAL);
    ritual.set_state(scheduler::v1::RITUAL_STATE_ACTIVE);
    // Prompt answers this practice with a question from its catalog, so
    // its words and the ritual's own (the fallback) can be told apart.
    ritual.set_practice(type::v1::PRACTICE_DEEPER_QUESTIONS);
    for (const std::string& p : partners) ritual.add_participant_user_ids(p);
    TEND_RETURN_IF_ERROR(store.SaveRitual(couple_id, kRitualId, ritual));
    for (int n = 0; n < per_couple; ++n) {
      const std::string id = absl::StrCat("fault.", c, ".", n);
      // Interleaved across couples, so every step of the walk has work
      // for every couple.
      const absl::Time due = span_start_ + span * (n * couples + c) / total;
      Reminder reminder;
      reminder.set_name(absl::StrCat(couple.name(), "/reminders/", id));
      reminder.set_ritual(ritual.name());
      reminder.set_ritual_title(ritual.title());
      reminder.set_recipient_user_id(partners[n % 2]);
      reminder.set_kind(scheduler::v1::RITUAL_KIND_PERSONAL);
      reminder.set_state(scheduler::v1::REMINDER_STATE_SCHEDULED);
      *reminder.mutable_occurrence_time() = scheduler::ToProto(due);
      *reminder.mutable_due_time() = scheduler::ToProto(due);
      queued.push_back(
          {id, couple_id, due, scheduler::EncodeReminder(reminder)});
      recipient_by_id_[id] = partners[n % 2];
      name_by_id_[id] = reminder.name();
    }
  }
  TEND_ASSIGN_OR_RETURN(int stored, queue()->Schedule(queued));
  if (stored != total) {
    return absl::InternalError(
        absl::StrCat("queued ", stored, " of ", total, " reminders"));
  }
  return absl::OkStatus();
}

absl::Status FaultTest::Walk(int steps,
                             const std::function<void(int)>& at_step) {
  for (int i = 1; i <= steps; ++i) {
    const absl::Time to = span_start_ + span_ * i / steps;
    absl::Status set;
    if (!e2e::Poll([&] { return (set = SetClock(to)).ok(); }, absl::Seconds(60),
                   absl::Milliseconds(100))) {
      return absl::Status(set.code(),
                          absl::StrCat("test clock: ", set.message()));
    }
    // The fault strikes while the schedulers take what just came due.
    if (at_step) at_step(i);
    // A broken dependency may hold the work up, which is the scenario's
    // business, so this wait does not fail.
    (void)Settle();
  }
  return absl::OkStatus();
}

bool FaultTest::Settle() {
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  std::tuple<int64_t, int64_t, int64_t> last{-1, -1, -1};
  absl::Time last_change = absl::Now();
  while (absl::Now() < give_up) {
    absl::StatusOr<e2e::QueueTotals> t = Totals();
    if (t.ok()) {
      if (t->due_unclaimed == 0 && t->leased == 0) return true;
      const std::tuple<int64_t, int64_t, int64_t> now{
          t->scheduled, t->due_unclaimed, t->leased};
      if (now != last) {
        last = now;
        last_change = absl::Now();
      } else if (absl::Now() - last_change > absl::Seconds(1)) {
        return false;  // stuck until the test clock moves
      }
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

void FaultTest::AwaitDelivered(int n) {
  e2e::Poll([&] { return Accepted() >= n; }, absl::Seconds(20),
            absl::Milliseconds(50));
}

void FaultTest::AwaitDispatching() {
  e2e::Poll(
      [&] {
        absl::StatusOr<e2e::QueueTotals> t = Totals();
        return t.ok() && t->leased > 0;
      },
      absl::Seconds(10), absl::Milliseconds(1));
}

int FaultTest::Accepted() {
  absl::flat_hash_set<std::string> ids;
  for (const nlohmann::json& r : push_.Requests("webhook")) {
    if (r.value("accepted", false) && r["body"].is_object()) {
      ids.insert(r["body"].value("reminder_id", ""));
    }
  }
  return static_cast<int>(ids.size());
}

absl::Status FaultTest::Drain(absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  const int total = static_cast<int>(recipient_by_id_.size());
  while (absl::Now() < give_up) {
    if (Settle()) {
      absl::StatusOr<e2e::QueueTotals> t = Totals();
      if (t.ok() && t->scheduled == 0 && Accepted() >= total) {
        return absl::OkStatus();
      }
    }
    // Retries wait out their backoff (and Retry-After), and a dead
    // worker's leases their expiry, on the test clock.
    absl::Status set;
    e2e::Poll([&] { return (set = AdvanceClock(absl::Seconds(30))).ok(); },
              absl::Seconds(30), absl::Milliseconds(100));
  }
  absl::StatusOr<e2e::QueueTotals> t = Totals();
  return absl::DeadlineExceededError(absl::StrCat(
      "not drained after ", absl::FormatDuration(timeout), ": ", Accepted(),
      " of ", total, " accepted; queue ",
      t.ok() ? absl::StrCat(t->scheduled, " scheduled, ", t->leased,
                            " leased, ", t->dead, " dead")
             : std::string(t.status().message())));
}

FaultFigures FaultTest::Check(const std::string& scenario) {
  struct Seen {
    int count = 0;
    std::string key;
    std::string path;
    std::string reminder;
  };
  absl::flat_hash_map<std::string, Seen> seen;
  FaultFigures f;
  f.scheduled = static_cast<int>(recipient_by_id_.size());
  std::vector<std::string> unexpected;
  for (const nlohmann::json& r : push_.Requests("webhook")) {
    ++f.attempts;
    if (!r.value("accepted", false) || !r["body"].is_object()) continue;
    const nlohmann::json& body = r["body"];
    const std::string id = body.value("reminder_id", "");
    const std::string key = r["headers"].value("idempotency-key", "");
    const std::string path = r.value("path", "");
    const std::string reminder = body.value("reminder", "");
    auto recipient = recipient_by_id_.find(id);
    if (recipient == recipient_by_id_.end() ||
        path != absl::StrCat("/hooks/", recipient->second) ||
        reminder != name_by_id_[id] || key != Quoted(body["delivery_key"])) {
      unexpected.push_back(absl::StrCat(id, " at ", path));
      continue;
    }
    Seen& s = seen[id];
    if (s.count == 0) {
      s.key = key;
      s.path = path;
      s.reminder = reminder;
    } else if (s.key != key || s.path != path || s.reminder != reminder) {
      ++f.changed_repeats;
    }
    ++s.count;
  }
  std::vector<std::string> missing;
  for (const auto& [id, recipient] : recipient_by_id_) {
    auto it = seen.find(id);
    if (it == seen.end()) {
      missing.push_back(id);
      continue;
    }
    ++f.delivered;
    f.duplicates += it->second.count - 1;
  }
  f.lost = static_cast<int>(missing.size());
  std::sort(missing.begin(), missing.end());
  missing.resize(std::min<size_t>(missing.size(), 10));
  EXPECT_EQ(f.lost, 0) << "never delivered, e.g. "
                       << absl::StrJoin(missing, ", ");
  EXPECT_TRUE(unexpected.empty())
      << unexpected.size() << " deliveries that match no scheduled reminder, "
      << "e.g. " << unexpected.front();
  EXPECT_EQ(f.changed_repeats, 0)
      << "a repeat must be the same reminder with the same Idempotency-Key";
  absl::StatusOr<e2e::QueueTotals> totals = Totals();
  EXPECT_TRUE(totals.ok()) << totals.status();
  if (totals.ok()) EXPECT_EQ(totals->dead, 0) << "dead-lettered reminders";
  std::cout << "[ faults ] " << scenario << ": scheduled " << f.scheduled
            << ", delivered " << f.delivered << ", lost " << f.lost
            << ", duplicates " << f.duplicates
            << " (same id: " << (f.changed_repeats == 0 ? "yes" : "NO")
            << "), webhook requests " << f.attempts << ", "
            << absl::StrFormat("%.1f",
                               absl::ToDoubleSeconds(absl::Now() - started_))
            << " s\n";
  return f;
}

}  // namespace tend::faults
