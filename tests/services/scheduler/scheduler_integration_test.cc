// The scheduler with pairing, end to end in one process (SchedulerFixture):
// a real redis-server, real gRPC on loopback for both services, the pairing
// outbox relayed for real, and a FakeClock so weeks pass in milliseconds.
// The dispatcher is driven step by step with RunOnce().
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/scheduler/convert.h"
#include "tests/services/scheduler/scheduler_fixture.h"

namespace tend::scheduler {
namespace {

using ::testing::HasSubstr;
using testing::ServiceHarness;

class SchedulerIntegrationTest : public SchedulerFixture {};

TEST_F(SchedulerIntegrationTest, PairingSeedsProposalsBothAccept) {
  const std::string couple = PairAliceAndBob();
  std::vector<v1::Ritual> proposed = Rituals("alice");
  ASSERT_GE(proposed.size(), 3u);
  for (const v1::Ritual& r : proposed) {
    EXPECT_EQ(r.state(), v1::RITUAL_STATE_PROPOSED) << r.name();
    EXPECT_TRUE(absl::StartsWith(r.name(), couple + "/rituals/"));
  }
  AcceptAll(couple);
  for (const v1::Ritual& r : Rituals("bob")) {
    EXPECT_EQ(r.state(), v1::RITUAL_STATE_ACTIVE) << r.name();
    EXPECT_TRUE(r.has_next_occurrence_time()) << r.name();
  }
}

TEST_F(SchedulerIntegrationTest, RemindersArriveLiveAndAnswersCount) {
  const std::string couple = PairAliceAndBob();
  AcceptAll(couple);

  // Alice's app is connected.
  grpc::ClientContext watch;
  watch.AddMetadata("authorization",
                    ServiceHarness::Bearer(testing::kTestJwtSecret, "alice",
                                           h_.clock()->Now() + absl::Hours(1)));
  auto stream = stub_->WatchReminders(&watch, {});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // subscribed

  RunFor(absl::Hours(24 * 8));
  std::vector<v1::Reminder> delivered =
      Reminders("alice", v1::REMINDER_STATE_DELIVERED);
  ASSERT_FALSE(delivered.empty());
  for (const v1::Reminder& r : delivered) {
    EXPECT_EQ(r.recipient_user_id(), "alice");
    EXPECT_FALSE(r.content().title().empty());
    // Never inside alice's quiet hours (23:00-06:00 London).
    const absl::CivilSecond local = absl::ToCivilSecond(
        FromProto(r.due_time()), absl::LocalTimeZone());
    (void)local;
    const int hour = absl::ToCivilHour(
        FromProto(r.due_time()),
        [] { absl::TimeZone z; absl::LoadTimeZone("Europe/London", &z); return z; }()).hour();
    EXPECT_TRUE(hour >= 6 && hour < 23) << r.name();
  }
  v1::WatchRemindersResponse event;
  ASSERT_TRUE(stream->Read(&event));
  EXPECT_EQ(event.type(), v1::REMINDER_EVENT_TYPE_DUE);
  EXPECT_EQ(event.reminder().recipient_user_id(), "alice");
  watch.TryCancel();

  // Answer the weekly check-in: done, with a good mood.
  const v1::Reminder* check_in = nullptr;
  for (const v1::Reminder& r : delivered) {
    // The newest one: reminders are listed newest first.
    if (r.practice() == type::v1::PRACTICE_CHECK_IN && check_in == nullptr) {
      check_in = &r;
    }
  }
  ASSERT_NE(check_in, nullptr);
  v1::AcknowledgeReminderRequest ack;
  ack.set_name(check_in->name());
  ack.set_action(v1::ACKNOWLEDGE_ACTION_DONE);
  ack.set_mood(4);
  v1::Reminder answered;
  grpc::Status s = stub_->AcknowledgeReminder(h_.ContextFor("alice").get(),
                                              ack, &answered);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(answered.state(), v1::REMINDER_STATE_DONE);

  v1::Streaks streaks;
  ASSERT_TRUE(stub_->GetStreaks(h_.ContextFor("bob").get(), {}, &streaks).ok());
  EXPECT_EQ(streaks.couple().current_count(), 1);

  // Bob cannot answer alice's reminder.
  EXPECT_EQ(stub_->AcknowledgeReminder(h_.ContextFor("bob").get(), ack,
                                       &answered)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(SchedulerIntegrationTest, StrangersSeeNothing) {
  const std::string couple = PairAliceAndBob();
  const std::vector<v1::Ritual> rituals = Rituals("alice");
  ASSERT_FALSE(rituals.empty());
  v1::GetRitualRequest get;
  get.set_name(rituals.front().name());
  v1::Ritual out;
  // Mallory is in a couple of her own.
  pairing::v1::Invite invite;
  ASSERT_TRUE(
      pairing_stub_->CreateInvite(h_.ContextFor("mallory").get(), {}, &invite)
          .ok());
  pairing::v1::AcceptInviteRequest accept;
  accept.set_code(invite.code());
  pairing::v1::Couple theirs;
  ASSERT_TRUE(
      pairing_stub_->AcceptInvite(h_.ContextFor("trent").get(), accept, &theirs)
          .ok());
  EXPECT_EQ(stub_->GetRitual(h_.ContextFor("mallory").get(), get, &out)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Someone in no couple at all.
  EXPECT_EQ(stub_->GetRitual(h_.ContextFor("nobody").get(), get, &out)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  // A user cannot call the service-to-service methods.
  v1::CancelCoupleScheduleRequest cancel;
  cancel.set_parent(couple);
  v1::CancelCoupleScheduleResponse cancelled;
  EXPECT_EQ(stub_->CancelCoupleSchedule(h_.ContextFor("alice").get(), cancel,
                                        &cancelled)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(SchedulerIntegrationTest, BadRitualsAreRejectedNamingTheField) {
  const std::string couple = PairAliceAndBob();
  auto create = [&](const v1::Ritual& ritual) {
    v1::CreateRitualRequest req;
    req.set_parent(couple);
    *req.mutable_ritual() = ritual;
    v1::Ritual out;
    return stub_->CreateRitual(h_.ContextFor("alice").get(), req, &out);
  };
  v1::Ritual custom;
  custom.set_title("Tea together");
  custom.set_kind(v1::RITUAL_KIND_SHARED);
  custom.mutable_recurrence()->set_rrule("FREQ=DAILY;BYHOUR=7");
  auto* start = custom.mutable_recurrence()->mutable_dtstart();
  start->mutable_date()->set_year(2026);
  start->mutable_date()->set_month(12);
  start->mutable_date()->set_day(1);
  start->mutable_time()->set_hours(18);
  grpc::Status s = create(custom);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("rrule"));

  custom.mutable_recurrence()->set_rrule("FREQ=DAILY");
  start->mutable_date()->set_month(2);
  start->mutable_date()->set_day(30);
  s = create(custom);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("dtstart"));

  // A shared ritual at 04:00 London falls outside both waking windows: the
  // API says so and proposes times that suit both.
  start->mutable_date()->set_day(3);
  start->mutable_time()->set_hours(4);
  custom.mutable_recurrence()->set_time_zone("Europe/London");
  s = create(custom);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("suit you both"));

  v1::Ritual from_template;
  from_template.set_ritual_template("ritualTemplates/no-such-thing");
  s = create(from_template);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("ritual.ritual_template"));
  // Nothing was stored by any of these.
  EXPECT_EQ(Rituals("alice").size(), Rituals("bob").size());
  for (const v1::Ritual& r : Rituals("alice")) {
    EXPECT_NE(r.title(), "Tea together");
  }
}

TEST_F(SchedulerIntegrationTest, PreviewShowsBothPartnersLocalTimes) {
  const std::string couple = PairAliceAndBob();
  AcceptAll(couple);
  v1::PreviewScheduleRequest req;
  req.set_parent(couple);
  req.set_days(14);
  v1::PreviewScheduleResponse out;
  grpc::Status s =
      stub_->PreviewSchedule(h_.ContextFor("alice").get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_FALSE(out.occurrences().empty());
  for (const v1::Occurrence& o : out.occurrences()) {
    ASSERT_EQ(o.local_start_times_size(), 2);
    EXPECT_EQ(o.local_start_times(0).time_zone(), "Europe/London");
    EXPECT_EQ(o.local_start_times(1).time_zone(), "Europe/Paris");
  }
}

TEST_F(SchedulerIntegrationTest, SkippingAndPausingKeepStreaksKind) {
  const std::string couple = PairAliceAndBob();
  AcceptAll(couple);
  v1::Ritual check_in;
  for (const v1::Ritual& r : Rituals("alice")) {
    if (r.ritual_template() == "ritualTemplates/weekly-check-in") check_in = r;
  }
  ASSERT_FALSE(check_in.name().empty());
  v1::SkipOccurrenceRequest skip;
  skip.set_name(check_in.name());
  *skip.mutable_occurrence_time() = check_in.next_occurrence_time();
  skip.set_note("Away at my sister's, next week for sure");
  v1::Occurrence skipped;
  grpc::Status s =
      stub_->SkipOccurrence(h_.ContextFor("bob").get(), skip, &skipped);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(skipped.state(), v1::OCCURRENCE_STATE_SKIPPED);
  // A time that is not an occurrence is refused.
  skip.mutable_occurrence_time()->set_seconds(
      check_in.next_occurrence_time().seconds() + 60);
  EXPECT_EQ(stub_->SkipOccurrence(h_.ContextFor("bob").get(), skip, &skipped)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  RunFor(absl::Hours(24 * 8), absl::Minutes(30));
  // The skipped check-in sent no reminder and broke no streak.
  for (const v1::Reminder& r :
       Reminders("alice", v1::REMINDER_STATE_DELIVERED)) {
    if (r.ritual() == check_in.name()) {
      EXPECT_NE(r.occurrence_time().seconds(),
                check_in.next_occurrence_time().seconds());
    }
  }
  v1::Streaks streaks;
  ASSERT_TRUE(
      stub_->GetStreaks(h_.ContextFor("alice").get(), {}, &streaks).ok());
  for (const v1::Streak& st : streaks.rituals()) {
    if (st.ritual() == check_in.name()) EXPECT_EQ(st.current_count(), 0);
  }

  v1::PauseRitualRequest pause;
  pause.set_name(check_in.name());
  pause.set_note("New baby! Back soon.");
  v1::Ritual paused;
  ASSERT_TRUE(
      stub_->PauseRitual(h_.ContextFor("alice").get(), pause, &paused).ok());
  EXPECT_EQ(paused.state(), v1::RITUAL_STATE_PAUSED);
  RunFor(absl::Hours(24 * 14), absl::Hours(1));
  ASSERT_TRUE(
      stub_->GetStreaks(h_.ContextFor("alice").get(), {}, &streaks).ok());
  bool frozen = false;
  for (const v1::Streak& st : streaks.rituals()) {
    if (st.ritual() == check_in.name()) frozen = st.frozen();
  }
  EXPECT_TRUE(frozen);
}

TEST_F(SchedulerIntegrationTest, LowMoodsMakeCheckInsMoreFrequent) {
  const std::string couple = PairAliceAndBob();
  AcceptAll(couple);
  v1::Cadence cadence;
  ASSERT_TRUE(stub_->GetCadence(h_.ContextFor("alice").get(), {}, &cadence).ok());
  EXPECT_EQ(cadence.check_in_interval().seconds(), 7 * 86400);

  // Five weeks of check-ins answered with low moods, and a low connection
  // score from the prompt service.
  v1::RecordConnectionScoreRequest score;
  score.set_parent(couple);
  score.set_score(20);
  v1::Cadence after_score;
  ASSERT_TRUE(stub_->RecordConnectionScore(h_.ServiceContext("prompt").get(),
                                           score, &after_score)
                  .ok());
  for (int week = 0; week < 5; ++week) {
    RunFor(absl::Hours(24 * 7), absl::Hours(1));
    for (const v1::Reminder& r :
         Reminders("alice", v1::REMINDER_STATE_DELIVERED)) {
      if (r.practice() != type::v1::PRACTICE_CHECK_IN) continue;
      v1::AcknowledgeReminderRequest ack;
      ack.set_name(r.name());
      ack.set_action(v1::ACKNOWLEDGE_ACTION_DONE);
      ack.set_mood(1);
      v1::Reminder out;
      stub_->AcknowledgeReminder(h_.ContextFor("alice").get(), ack, &out);
    }
  }
  ASSERT_TRUE(stub_->GetCadence(h_.ContextFor("bob").get(), {}, &cadence).ok());
  EXPECT_LT(cadence.check_in_interval().seconds(), 7 * 86400);
  EXPECT_FALSE(cadence.reason().empty());
  EXPECT_FALSE(cadence.emphasised_practices().empty());
}

TEST_F(SchedulerIntegrationTest, UnpairCancelsEverything) {
  const std::string couple = PairAliceAndBob();
  AcceptAll(couple);
  auto stats = queue_->Stats(h_.clock()->Now());
  int64_t before = 0;
  for (const auto& s : *stats) before += s.scheduled;
  ASSERT_GT(before, 0);
  UnpairNow("bob");
  stats = queue_->Stats(h_.clock()->Now());
  int64_t after = 0;
  for (const auto& s : *stats) after += s.scheduled;
  EXPECT_EQ(after, 0);
  auto keys = h_.redis()->Command({"KEYS", "tend:s:*"});
  EXPECT_TRUE(keys->elements.empty());
}

}  // namespace
}  // namespace tend::scheduler

namespace tend::scheduler {
namespace {

TEST_F(SchedulerIntegrationTest, ExportsACalendarOtherAppsCanRead) {
  const std::string couple = PairAliceAndBob();
  AcceptAll(couple);
  v1::ExportCalendarRequest req;
  req.set_parent(couple);
  req.set_include_personal(true);
  v1::ExportCalendarResponse out;
  grpc::Status s =
      stub_->ExportCalendar(h_.ContextFor("bob").get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_THAT(out.ics(), HasSubstr("BEGIN:VCALENDAR"));
  EXPECT_THAT(out.ics(), HasSubstr("BEGIN:VTIMEZONE"));
  EXPECT_THAT(out.ics(), HasSubstr("TZID:Europe/London"));
  EXPECT_THAT(out.ics(), HasSubstr("RRULE:FREQ=WEEKLY;BYDAY=SU"));
  EXPECT_THAT(out.ics(), HasSubstr("SUMMARY:Weekly check-in"));
  // Personal rituals appear once per participant, in their own zone.
  EXPECT_THAT(out.ics(), HasSubstr("TZID:Europe/Paris"));
  // A stranger cannot export it.
  EXPECT_EQ(stub_->ExportCalendar(h_.ContextFor("nobody").get(), req, &out)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace tend::scheduler

namespace tend::scheduler {
namespace {

TEST_F(SchedulerIntegrationTest, PlanningAnOccurrenceTwiceKeepsItsReminders) {
  const std::string couple = PairAliceAndBob();
  AcceptAll(couple);
  auto scheduled = [&] {
    v1::ListRemindersRequest req;
    req.add_states(v1::REMINDER_STATE_SCHEDULED);
    req.set_page_size(500);
    v1::ListRemindersResponse out;
    EXPECT_TRUE(
        stub_->ListReminders(h_.ContextFor("alice").get(), req, &out).ok());
    return out.reminders_size();
  };
  const int before = scheduled();
  ASSERT_GT(before, 0);
  // A re-plan (pairing's "changed" event) plans every next occurrence again.
  for (int i = 0; i < 2; ++i) {
    v1::RescheduleCoupleRequest req;
    req.set_parent(couple);
    v1::RescheduleCoupleResponse out;
    ASSERT_TRUE(stub_->RescheduleCouple(h_.ServiceContext("pairing").get(),
                                        req, &out)
                    .ok());
  }
  EXPECT_EQ(scheduled(), before);
  // And everything planned still goes out.
  RunFor(absl::Hours(24 * 3));
  v1::ListRemindersRequest dropped;
  dropped.add_states(v1::REMINDER_STATE_DROPPED);
  v1::ListRemindersResponse out;
  ASSERT_TRUE(
      stub_->ListReminders(h_.ContextFor("alice").get(), dropped, &out).ok());
  for (const v1::Reminder& r : out.reminders()) {
    for (const v1::ScheduleAdjustment& a : r.adjustments()) {
      EXPECT_EQ(a.explanation().find("Sent with"), std::string::npos)
          << r.name() << " was merged into itself";
    }
  }
}

}  // namespace
}  // namespace tend::scheduler
