// A couple's journey through the real binaries: pairing → default rituals →
// reminders live on WatchReminders → acknowledgements change streaks and
// cadence.
//
// tend-pairing and tend-scheduler call each other (the outbox relay seeds
// rituals; the dispatcher looks couples up), so the scheduler's port is
// chosen up front. The scheduler runs on the test clock, which the test
// moves in half-hour steps, waiting after each step only until the
// dispatcher has drained what fell due.
#include <signal.h>

#include <iostream>
#include <optional>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/scheduler/convert.h"
#include "tend/pairing/v1/pairing.grpc.pb.h"
#include "tend/scheduler/v1/scheduler.grpc.pb.h"
#include "tests/e2e/e2e_stack.h"
#include "tests/e2e/live_stream.h"

namespace tend {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace v1 = scheduler::v1;

constexpr absl::Duration kStep = absl::Minutes(30);

class JourneyTest : public e2e::StackTest {
 protected:
  void SetProfile(const std::string& user, const std::string& zone) {
    grpc::Status s = e2e::SetDayProfile(pairing_.get(), user, zone);
    ASSERT_TRUE(s.ok()) << user << ": " << s.error_message();
  }

  std::vector<v1::Ritual> Rituals(const std::string& user) {
    v1::ListRitualsResponse out;
    grpc::Status s = scheduler_->ListRituals(
        e2e::WithAuth(e2e::UserBearer(user)).get(), {}, &out);
    if (!s.ok()) return {};
    return {out.rituals().begin(), out.rituals().end()};
  }

  std::vector<v1::Reminder> Delivered(const std::string& user) {
    v1::ListRemindersRequest req;
    req.set_recipient_user_id(user);
    req.add_states(v1::REMINDER_STATE_DELIVERED);
    req.set_page_size(500);
    v1::ListRemindersResponse out;
    grpc::Status s = scheduler_->ListReminders(
        e2e::WithAuth(e2e::UserBearer(user)).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {out.reminders().begin(), out.reminders().end()};
  }

  // Moves the test clock forward `total` in kStep steps. After each step it
  // waits until nothing due is left unclaimed or leased: the dispatcher has
  // delivered it and queued what follows.
  void RunFor(absl::Duration total) {
    for (absl::Duration t; t < total; t += kStep) {
      ASSERT_TRUE(AdvanceClock(kStep).ok());
      absl::StatusOr<e2e::QueueTotals> totals;
      ASSERT_TRUE(e2e::Poll(
          [&] {
            totals = Totals();
            return totals.ok() && totals->due_unclaimed == 0 &&
                   totals->leased == 0;
          },
          absl::Seconds(10), absl::Milliseconds(2)))
          << "the dispatcher did not drain what was due at "
          << absl::FormatTime(clock()) << ": "
          << (totals.ok() ? absl::StrCat(totals->due_unclaimed, " unclaimed, ",
                                         totals->leased, " leased")
                          : totals.status().ToString());
      ++steps_;
    }
  }

  std::unique_ptr<pairing::v1::PairingService::Stub> pairing_;
  std::unique_ptr<v1::SchedulerService::Stub> scheduler_;
  int steps_ = 0;
};

TEST_F(JourneyTest, PairDefaultRitualsRemindersStreaksAndCadence) {
  const absl::Time started = absl::Now();
  const absl::Time clock_start = clock();
  const std::string scheduler_addr =
      absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort());
  const std::string metrics_addr =
      absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort());
  absl::StatusOr<e2e::Service> pairing = Spawn(
      "tend-pairing", {TEND_PAIRING_BIN, "--listen=127.0.0.1:0",
                       absl::StrCat("--scheduler_addr=", scheduler_addr)});
  ASSERT_TRUE(pairing.ok()) << pairing.status();
  absl::StatusOr<e2e::Service> scheduler =
      Spawn("tend-scheduler",
            {TEND_SCHEDULER_BIN, absl::StrCat("--listen=", scheduler_addr),
             "--test_clock", absl::StrCat("--pairing_addr=", pairing->address),
             absl::StrCat("--metrics_listen=", metrics_addr)});
  ASSERT_TRUE(scheduler.ok()) << scheduler.status();
  pairing_ = pairing::v1::PairingService::NewStub(pairing->channel);
  scheduler_ = v1::SchedulerService::NewStub(scheduler->channel);

  // Two partners in different zones pair.
  SetProfile("alice", "Europe/London");
  SetProfile("bob", "Europe/Paris");
  std::string invite_code;
  absl::StatusOr<pairing::v1::Couple> couple =
      Pair(pairing_.get(), "alice", "bob", &invite_code);
  ASSERT_TRUE(couple.ok()) << couple.status();

  // The outbox relay seeds the default rituals as proposals.
  std::vector<v1::Ritual> proposed;
  ASSERT_TRUE(e2e::Poll(
      [&] {
        proposed = Rituals("alice");
        return proposed.size() >= 3;
      },
      absl::Seconds(15), absl::Milliseconds(50)))
      << "no seeded rituals after 15 s; saw " << proposed.size();
  for (const v1::Ritual& r : proposed) {
    EXPECT_EQ(r.state(), v1::RITUAL_STATE_PROPOSED) << r.name();
    EXPECT_TRUE(absl::StartsWith(r.name(), couple->name() + "/rituals/"));
  }
  for (const char* user : {"alice", "bob"}) {
    v1::BatchAcceptRitualsRequest req;
    req.set_parent(couple->name());
    v1::BatchAcceptRitualsResponse out;
    grpc::Status s = scheduler_->BatchAcceptRituals(
        e2e::WithAuth(e2e::UserBearer(user)).get(), req, &out);
    ASSERT_TRUE(s.ok()) << user << ": " << s.error_message();
  }
  for (const v1::Ritual& r : Rituals("bob")) {
    EXPECT_EQ(r.state(), v1::RITUAL_STATE_ACTIVE) << r.name();
  }

  // Alice's app connects. A probe published on her live channel shows the
  // stream is registered before any reminder falls due.
  e2e::LiveStream live(scheduler_.get(), e2e::UserBearer("alice"));
  v1::Reminder probe;
  probe.set_name(e2e::kLiveProbeName);
  probe.set_recipient_user_id("alice");
  ASSERT_TRUE(e2e::Poll(
      [&] {
        (void)redis()->Command(
            {"PUBLISH", "tend:live:alice", probe.SerializeAsString()});
        return live.probe_seen();
      },
      absl::Seconds(10), absl::Milliseconds(50)))
      << "WatchReminders never came up";

  // A simulated week and a day: reminders arrive on the stream, among them
  // the weekly check-in.
  RunFor(absl::Hours(24 * 8));
  std::vector<v1::WatchRemindersResponse> events;
  std::optional<v1::Reminder> check_in;
  ASSERT_TRUE(e2e::Poll(
      [&] {
        events = live.events();
        for (const v1::WatchRemindersResponse& e : events) {
          if (e.reminder().practice() == type::v1::PRACTICE_CHECK_IN &&
              (!check_in.has_value() || e.reminder().due_time().seconds() >
                                            check_in->due_time().seconds())) {
            check_in = e.reminder();
          }
        }
        return check_in.has_value();
      },
      absl::Seconds(10)))
      << "no check-in reminder on the stream after 8 simulated days; "
      << events.size() << " other events";
  const absl::TimeZone london = [] {
    absl::TimeZone z;
    absl::LoadTimeZone("Europe/London", &z);
    return z;
  }();
  for (const v1::WatchRemindersResponse& e : events) {
    EXPECT_EQ(e.type(), v1::REMINDER_EVENT_TYPE_DUE);
    EXPECT_EQ(e.reminder().recipient_user_id(), "alice");
    EXPECT_FALSE(e.reminder().content().title().empty()) << e.reminder().name();
    // Never in alice's quiet hours, 23:00-06:00 London.
    const int hour =
        absl::ToCivilHour(scheduler::FromProto(e.reminder().due_time()), london)
            .hour();
    EXPECT_TRUE(hour >= 6 && hour < 23) << e.reminder().name();
  }
  const size_t first_week_events = events.size();

  // Alice answers the newest check-in: done, in a good mood. The couple's
  // streak starts.
  v1::AcknowledgeReminderRequest ack;
  ack.set_name(check_in->name());
  ack.set_action(v1::ACKNOWLEDGE_ACTION_DONE);
  ack.set_mood(4);
  v1::Reminder answered;
  grpc::Status s = scheduler_->AcknowledgeReminder(
      e2e::WithAuth(e2e::UserBearer("alice")).get(), ack, &answered);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(answered.state(), v1::REMINDER_STATE_DONE);
  v1::Streaks streaks;
  s = scheduler_->GetStreaks(e2e::WithAuth(e2e::UserBearer("bob")).get(), {},
                             &streaks);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(streaks.couple().current_count(), 1);

  // The prompt service reports a low connection score, and the weeks that
  // follow bring low moods: check-ins come more often, and say why.
  v1::RecordConnectionScoreRequest score;
  score.set_parent(couple->name());
  score.set_score(20);
  v1::Cadence cadence;
  s = scheduler_->RecordConnectionScore(
      e2e::WithAuth(e2e::ServiceBearer("prompt")).get(), score, &cadence);
  ASSERT_TRUE(s.ok()) << s.error_message();
  int weeks = 0;
  int low_moods = 0;
  while (cadence.check_in_interval().seconds() >= 7 * 86400 && weeks < 6) {
    RunFor(absl::Hours(24 * 7));
    ++weeks;
    // One answer per check-in: it answers the occurrence's other reminders.
    absl::flat_hash_set<int64_t> answered_occurrences;
    for (const v1::Reminder& r : Delivered("alice")) {
      if (r.practice() != type::v1::PRACTICE_CHECK_IN ||
          !answered_occurrences.insert(r.occurrence_time().seconds()).second) {
        continue;
      }
      ack.set_name(r.name());
      ack.set_mood(1);
      s = scheduler_->AcknowledgeReminder(
          e2e::WithAuth(e2e::UserBearer("alice")).get(), ack, &answered);
      ASSERT_TRUE(s.ok()) << r.name() << ": " << s.error_message();
      ++low_moods;
    }
    s = scheduler_->GetCadence(e2e::WithAuth(e2e::UserBearer("bob")).get(), {},
                               &cadence);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_LT(cadence.check_in_interval().seconds(), 7 * 86400)
      << "after " << weeks << " weeks of low moods: " << cadence.reason();
  EXPECT_FALSE(cadence.reason().empty());
  EXPECT_FALSE(cadence.emphasised_practices().empty());
  EXPECT_EQ(cadence.connection_score(), 20);
  absl::StatusOr<e2e::QueueTotals> totals = Totals();
  ASSERT_TRUE(totals.ok()) << totals.status();
  EXPECT_EQ(totals->dead, 0) << "some deliveries failed for good";

  const size_t all_events = live.events().size();
  const grpc::Status closed = live.Close();
  EXPECT_TRUE(closed.ok() || closed.error_code() == grpc::StatusCode::CANCELLED)
      << closed.error_message();
  std::cout << "[ journey ] " << first_week_events
            << " reminders on the stream in the first 8 days, " << all_events
            << " in all; " << weeks << " week(s) and " << low_moods
            << " check-in(s) answered in a low mood to a "
            << cadence.check_in_interval().seconds() / 86400
            << "-day cadence (\"" << cadence.reason() << "\"); " << steps_
            << " clock steps over "
            << absl::ToInt64Hours(clock() - clock_start) / 24
            << " simulated days in "
            << absl::ToDoubleSeconds(absl::Now() - started) << " s\n";

  // The scheduler's metrics moved with the journey.
  absl::StatusOr<std::string> metrics =
      testing::HttpGet(metrics_addr, "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  for (const char* expected :
       {"tend_deliveries_total{outcome=\"published\",provider=\"live\"}",
        "tend_dispatch_lateness_seconds_count", "tend_queue_depth{shard=\"0\"}",
        "tend_rpc_requests_total{code=\"OK\",method=\"AcknowledgeReminder\""}) {
    EXPECT_THAT(*metrics, ::testing::HasSubstr(expected));
  }
  EXPECT_THAT(*metrics, ::testing::Not(::testing::HasSubstr(
                            "tend_dispatch_lateness_seconds_count 0\n")));

  // Both stop cleanly, and neither logged a token or the invite code.
  // The test's idle connections go first: nothing in this process polls
  // them, so they would not see the servers' GOAWAY, and each server would
  // wait its whole --drain_timeout for them.
  scheduler_.reset();
  scheduler->channel.reset();
  pairing_.reset();
  pairing->channel.reset();
  EXPECT_EQ(scheduler->process->Terminate(SIGTERM), 0);
  EXPECT_EQ(pairing->process->Terminate(SIGTERM), 0);
  for (const e2e::Service* service : {&*scheduler, &*pairing}) {
    const std::string logs = service->process->Stderr();
    EXPECT_THAT(logs, HasSubstr("\"event\":\"server.stopped\""));
    EXPECT_THAT(logs, Not(HasSubstr("eyJ")));  // a JWT's base64 header
    EXPECT_THAT(logs, Not(HasSubstr(invite_code)));
    EXPECT_THAT(logs,
                Not(HasSubstr(absl::StrReplaceAll(invite_code, {{"-", ""}}))));
    EXPECT_THAT(logs, Not(HasSubstr(e2e::kJwtSecret)));
    EXPECT_THAT(logs, Not(HasSubstr(e2e::kServiceSecret)));
  }
}

}  // namespace
}  // namespace tend
