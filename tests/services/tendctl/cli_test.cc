// tendctl's parsing and printing helpers, and the shape of its command
// table, without any service.
#include "services/tendctl/cli.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/reflection.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/tendctl/commands.h"
#include "services/tendctl/scheduler_text.h"

namespace tend::tendctl {
namespace {

namespace sv1 = ::tend::scheduler::v1;
using ::tend::type::v1::LoveLanguage;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ParseTimeWindowTest, ReadsAWindowThatWrapsPastMidnight) {
  absl::StatusOr<tend::type::v1::TimeWindow> window =
      ParseTimeWindow("quiet", "22:00-7:05");
  ASSERT_TRUE(window.ok()) << window.status();
  EXPECT_EQ(window->start().hours(), 22);
  EXPECT_EQ(window->start().minutes(), 0);
  EXPECT_EQ(window->end().hours(), 7);
  EXPECT_EQ(window->end().minutes(), 5);
  EXPECT_EQ(FormatTimeWindow(*window), "22:00-07:05, overnight");
}

TEST(ParseTimeWindowTest, MalformedIsAUsageErrorNamingTheFlag) {
  for (const char* text : {"22-7", "22:00", "22:00-07:00-08:00", "2200-0700",
                           "22:0-07:00", "-07:00", "ab:cd-ef:gh", ""}) {
    absl::StatusOr<tend::type::v1::TimeWindow> window =
        ParseTimeWindow("quiet", text);
    ASSERT_FALSE(window.ok()) << text;
    EXPECT_TRUE(IsUsageError(window.status())) << text;
    EXPECT_THAT(window.status().message(), HasSubstr("--quiet"));
    EXPECT_THAT(window.status().message(), HasSubstr("HH:MM-HH:MM"));
  }
}

TEST(ParseTimeWindowTest, OutOfRangeNamesTheTime) {
  absl::StatusOr<tend::type::v1::TimeWindow> window =
      ParseTimeWindow("waking", "07:00-24:00");
  ASSERT_FALSE(window.ok());
  EXPECT_TRUE(IsUsageError(window.status()));
  EXPECT_THAT(window.status().message(),
              HasSubstr("--waking: 24:00 is not a time of day"));
}

TEST(ParseTimeOfDayTest, ReadsAndChecks) {
  absl::StatusOr<tend::type::v1::TimeOfDay> time =
      ParseTimeOfDay("leave", "08:15");
  ASSERT_TRUE(time.ok());
  EXPECT_EQ(FormatTimeOfDay(*time), "08:15");
  EXPECT_TRUE(IsUsageError(ParseTimeOfDay("leave", "8am").status()));
  EXPECT_TRUE(IsUsageError(ParseTimeOfDay("leave", "12:60").status()));
}

TEST(ParseLoveLanguagesTest, AcceptsShortAndEnumNames) {
  absl::StatusOr<std::vector<LoveLanguage>> ranking = ParseLoveLanguages(
      "languages",
      "time, Words,physical_touch,LOVE_LANGUAGE_ACTS_OF_SERVICE,gifts");
  ASSERT_TRUE(ranking.ok()) << ranking.status();
  EXPECT_THAT(*ranking,
              ElementsAre(tend::type::v1::LOVE_LANGUAGE_QUALITY_TIME,
                          tend::type::v1::LOVE_LANGUAGE_WORDS_OF_AFFIRMATION,
                          tend::type::v1::LOVE_LANGUAGE_PHYSICAL_TOUCH,
                          tend::type::v1::LOVE_LANGUAGE_ACTS_OF_SERVICE,
                          tend::type::v1::LOVE_LANGUAGE_RECEIVING_GIFTS));
  EXPECT_EQ(FormatLoveLanguage((*ranking)[0]), "quality time");
}

TEST(ParseLoveLanguagesTest, NoneIsTheEmptyRankingAndUnknownIsAUsageError) {
  absl::StatusOr<std::vector<LoveLanguage>> none =
      ParseLoveLanguages("languages", "none");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  absl::Status unknown = ParseLoveLanguages("languages", "touch,hugs").status();
  EXPECT_TRUE(IsUsageError(unknown));
  EXPECT_THAT(unknown.message(), HasSubstr("\"hugs\""));
}

TEST(DurationInWordsTest, RoundsToTheMinuteWithTwoUnitsAtMost) {
  EXPECT_EQ(DurationInWords(absl::Seconds(20)), "less than a minute");
  EXPECT_EQ(DurationInWords(absl::Minutes(1)), "1 minute");
  EXPECT_EQ(DurationInWords(absl::Hours(24) - absl::Milliseconds(300)),
            "24 hours");
  EXPECT_EQ(DurationInWords(absl::Hours(3) + absl::Minutes(5)),
            "3 hours 5 minutes");
  EXPECT_EQ(DurationInWords(absl::Hours(24 * 7)), "7 days");
  EXPECT_EQ(DurationInWords(absl::Hours(50)), "2 days 2 hours");
}

TEST(UsageErrorTest, IsTellableFromAServiceError) {
  EXPECT_TRUE(IsUsageError(UsageError("missing CODE")));
  EXPECT_FALSE(IsUsageError(absl::InvalidArgumentError("profile.time_zone")));
  EXPECT_THAT(ExpectArgs({}, {"CODE"}).message(), HasSubstr("missing CODE"));
  EXPECT_THAT(ExpectArgs({"a", "b"}, {"CODE"}).message(),
              HasSubstr("unexpected argument 'b'"));
  EXPECT_TRUE(ExpectArgs({"a"}, {"CODE"}).ok());
}

TEST(CommandTableTest, LongestNameWins) {
  std::vector<std::string> args;
  const Command* set = FindCommand({"profile", "set", "extra"}, &args);
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->name, "profile set");
  EXPECT_THAT(args, ElementsAre("extra"));
  const Command* show = FindCommand({"profile"}, &args);
  ASSERT_NE(show, nullptr);
  EXPECT_EQ(show->name, "profile");
  EXPECT_TRUE(args.empty());
  EXPECT_EQ(FindCommand({"nope"}, &args), nullptr);
}

// Guards every group, including those later issues add: each command is
// documented, runnable, unique, and lists only flags that exist.
TEST(CommandTableTest, EveryCommandIsDocumentedAndItsFlagsExist) {
  std::set<std::string> names;
  for (const Command& command : AllCommands()) {
    EXPECT_TRUE(names.insert(command.name).second) << command.name;
    EXPECT_FALSE(command.summary.empty()) << command.name;
    EXPECT_NE(command.run, nullptr) << command.name;
    for (const std::string& flag : command.flags) {
      const absl::CommandLineFlag* found = absl::FindCommandLineFlag(flag);
      ASSERT_NE(found, nullptr) << command.name << " --" << flag;
      EXPECT_FALSE(found->Help().empty()) << flag;
    }
  }
  for (const char* expected :
       {"token", "invite", "accept", "couple", "profile", "profile set",
        "unpair", "export", "delete-me"}) {
    EXPECT_EQ(names.count(expected), 1u) << expected;
  }
}

TEST(CommandTableTest, SchedulerCommandsAreRegistered) {
  std::vector<std::string> args;
  for (const char* name :
       {"rituals list", "rituals templates", "rituals add", "rituals accept",
        "rituals decline", "rituals pause", "rituals resume", "rituals rm",
        "rituals skip", "preview", "watch", "ack", "cadence", "streaks",
        "reminders"}) {
    std::vector<std::string> words = absl::StrSplit(name, ' ');
    const Command* command = FindCommand(words, &args);
    ASSERT_NE(command, nullptr) << name;
    EXPECT_EQ(command->name, name);
  }
  const Command* ack = FindCommand({"ack", "r1", "snooze", "30m"}, &args);
  ASSERT_NE(ack, nullptr);
  EXPECT_THAT(args, ElementsAre("r1", "snooze", "30m"));
}

TEST(DescribeRruleTest, SaysTheRuleInWords) {
  EXPECT_EQ(DescribeRrule("FREQ=WEEKLY;BYDAY=SU"), "weekly on Sunday");
  EXPECT_EQ(DescribeRrule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH,MO"),
            "every 2 weeks on Monday and Thursday");
  EXPECT_EQ(DescribeRrule("FREQ=MONTHLY;BYDAY=-1SU"),
            "monthly on the last Sunday");
  EXPECT_EQ(DescribeRrule("FREQ=MONTHLY;BYDAY=1FR,3FR"),
            "monthly on the first Friday and the third Friday");
  EXPECT_EQ(DescribeRrule("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"),
            "daily on weekdays");
  EXPECT_EQ(DescribeRrule("FREQ=DAILY;COUNT=10"), "daily, 10 times");
  EXPECT_EQ(DescribeRrule("FREQ=MONTHLY;BYMONTHDAY=1,-1"),
            "monthly on the 1st and the last day");
  EXPECT_EQ(DescribeRrule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=14"),
            "yearly in February on the 14th");
  EXPECT_EQ(DescribeRrule("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"),
            "monthly on weekdays, only the last of each month");
  EXPECT_EQ(DescribeRrule("FREQ=WEEKLY;BYDAY=SA;UNTIL=20240601"),
            "weekly on Saturday, until 2024-06-01");
  EXPECT_EQ(DescribeRrule(""), "once");
  // What the engine refuses is shown as written rather than guessed at.
  EXPECT_EQ(DescribeRrule("FREQ=HOURLY"), "FREQ=HOURLY");
}

TEST(DescribeRecurrenceTest, AddsTimeOfDayAnchorAndZone) {
  sv1::Recurrence weekly;
  weekly.set_rrule("FREQ=WEEKLY;BYDAY=SU");
  weekly.mutable_dtstart()->mutable_time()->set_hours(19);
  weekly.set_time_zone("America/New_York");
  EXPECT_EQ(DescribeRecurrence(weekly, sv1::RITUAL_KIND_SHARED),
            "weekly on Sunday at 19:00 (America/New_York)");

  sv1::Recurrence gesture;
  gesture.set_rrule("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=20");
  gesture.set_anchor(sv1::TIME_ANCHOR_LEAVE_FOR_WORK);
  gesture.mutable_anchor_offset()->set_seconds(-15 * 60);
  EXPECT_EQ(DescribeRecurrence(gesture, sv1::RITUAL_KIND_PERSONAL),
            "daily on weekdays 15 minutes before leaving for work (each in "
            "their own time zone), 20 times");

  sv1::Recurrence once;
  once.mutable_dtstart()->mutable_date()->set_year(2024);
  once.mutable_dtstart()->mutable_date()->set_month(5);
  once.mutable_dtstart()->mutable_date()->set_day(5);
  once.mutable_dtstart()->mutable_time()->set_hours(9);
  once.mutable_dtstart()->mutable_time()->set_minutes(30);
  EXPECT_EQ(DescribeRecurrence(once, sv1::RITUAL_KIND_SHARED),
            "once on Sun 5 May 2024 at 09:30 (your home time zone)");
}

TEST(ParseAcknowledgementTest, ReadsDoneSnoozeAndSkip) {
  sv1::AcknowledgeReminderRequest request;
  ASSERT_TRUE(ParseAcknowledgement({"snooze", "30m"}, &request).ok());
  EXPECT_EQ(request.action(), sv1::ACKNOWLEDGE_ACTION_SNOOZE);
  EXPECT_EQ(request.snooze_duration().seconds(), 30 * 60);
  ASSERT_TRUE(ParseAcknowledgement({"snooze", "1h30m"}, &request).ok());
  EXPECT_EQ(request.snooze_duration().seconds(), 90 * 60);
  ASSERT_TRUE(ParseAcknowledgement({"Done"}, &request).ok());
  EXPECT_EQ(request.action(), sv1::ACKNOWLEDGE_ACTION_DONE);
  ASSERT_TRUE(ParseAcknowledgement({"skip"}, &request).ok());
  EXPECT_EQ(request.action(), sv1::ACKNOWLEDGE_ACTION_SKIP);
}

TEST(ParseAcknowledgementTest, BadWordsAreUsageErrors) {
  sv1::AcknowledgeReminderRequest request;
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "missing ACTION"},
      {{"snooze"}, "snooze needs a duration"},
      {{"snooze", "soon"}, "got \"soon\""},
      {{"snooze", "-5m"}, "must be positive"},
      {{"done", "now"}, "unexpected argument 'now'"},
      {{"later"}, "unknown action 'later'"}};
  for (const auto& [words, message] : cases) {
    const absl::Status status = ParseAcknowledgement(words, &request);
    EXPECT_TRUE(IsUsageError(status)) << message;
    EXPECT_THAT(status.message(), HasSubstr(message));
  }
}

TEST(ParseInstantTest, ReadsRfc3339AndLocalTimeOnTheCallersClock) {
  absl::TimeZone new_york;
  ASSERT_TRUE(absl::LoadTimeZone("America/New_York", &new_york));
  const absl::Time expected = absl::FromUnixSeconds(1714950000);  // 23:00Z
  for (const char* text :
       {"2024-05-05T19:00:00-04:00", "2024-05-05T23:00:00Z",
        "2024-05-05T19:00-04:00", "2024-05-05 19:00", "2024-05-05T19:00"}) {
    absl::StatusOr<absl::Time> time = ParseInstant("at", text, new_york);
    ASSERT_TRUE(time.ok()) << text << ": " << time.status();
    EXPECT_EQ(*time, expected) << text;
  }
  const absl::Status bad = ParseInstant("at", "Sunday 7pm", new_york).status();
  EXPECT_TRUE(IsUsageError(bad));
  EXPECT_THAT(bad.message(), HasSubstr("--at"));
}

TEST(ParseDateTest, AcceptsOnlyRealDays) {
  absl::StatusOr<tend::type::v1::Date> date = ParseDate("start", "2024-02-29");
  ASSERT_TRUE(date.ok());
  EXPECT_EQ(date->day(), 29);
  for (const char* text : {"2023-02-29", "2024-5-5", "05/05/2024", ""}) {
    EXPECT_TRUE(IsUsageError(ParseDate("start", text).status())) << text;
  }
}

TEST(ParseEnumsTest, KindsAndReminderStates) {
  EXPECT_EQ(*ParseRitualKind("kind", "Personal"), sv1::RITUAL_KIND_PERSONAL);
  EXPECT_EQ(*ParseRitualKind("kind", "RITUAL_KIND_SHARED"),
            sv1::RITUAL_KIND_SHARED);
  EXPECT_TRUE(IsUsageError(ParseRitualKind("kind", "unspecified").status()));
  absl::StatusOr<std::vector<sv1::ReminderState>> states =
      ParseReminderStates("state", "delivered,dead_lettered");
  ASSERT_TRUE(states.ok()) << states.status();
  EXPECT_THAT(*states, ElementsAre(sv1::REMINDER_STATE_DELIVERED,
                                   sv1::REMINDER_STATE_DEAD_LETTERED));
  const absl::Status unknown = ParseReminderStates("state", "lost").status();
  EXPECT_TRUE(IsUsageError(unknown));
  EXPECT_THAT(unknown.message(), HasSubstr("scheduled, delivered"));
}

TEST(ExpandNameTest, ShortIdsGoUnderTheCouple) {
  EXPECT_EQ(ExpandName("couples/c1", "rituals", "r1"), "couples/c1/rituals/r1");
  EXPECT_EQ(ExpandName("couples/c1", "reminders", "couples/c2/reminders/x"),
            "couples/c2/reminders/x");
  EXPECT_EQ(ShortId("couples/c1/rituals/r1"), "r1");
}

// Alex (the caller) in New York, Sam in London.
tend::pairing::v1::Couple TestCouple() {
  tend::pairing::v1::Couple couple;
  couple.set_name("couples/c1");
  couple.set_home_time_zone("America/New_York");
  tend::pairing::v1::Partner* alex = couple.add_partners();
  alex->set_user_id("alex");
  alex->mutable_profile()->set_display_name("Alex");
  alex->mutable_profile()->set_time_zone("America/New_York");
  tend::pairing::v1::Partner* sam = couple.add_partners();
  sam->set_user_id("sam");
  sam->mutable_profile()->set_display_name("Sam");
  sam->mutable_profile()->set_time_zone("Europe/London");
  return couple;
}

google::protobuf::Timestamp At(int64_t unix_seconds) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(unix_seconds);
  return timestamp;
}

// `unix_seconds` on both partners' clocks, as the service fills it in.
void AddClocks(int64_t unix_seconds,
               google::protobuf::RepeatedPtrField<sv1::PartnerTime>* times) {
  for (const auto& [user, zone_name] :
       {std::pair<const char*, const char*>{"alex", "America/New_York"},
        {"sam", "Europe/London"}}) {
    absl::TimeZone zone;
    ASSERT_TRUE(absl::LoadTimeZone(zone_name, &zone));
    const absl::TimeZone::CivilInfo info =
        zone.At(absl::FromUnixSeconds(unix_seconds));
    sv1::PartnerTime* time = times->Add();
    time->set_user_id(user);
    time->set_time_zone(zone_name);
    time->mutable_local_time()->mutable_date()->set_year(
        static_cast<int32_t>(info.cs.year()));
    time->mutable_local_time()->mutable_date()->set_month(info.cs.month());
    time->mutable_local_time()->mutable_date()->set_day(info.cs.day());
    time->mutable_local_time()->mutable_time()->set_hours(info.cs.hour());
    time->mutable_local_time()->mutable_time()->set_minutes(info.cs.minute());
    time->mutable_utc_offset()->set_seconds(info.offset);
  }
}

TEST(ViewerForTest, PutsTheCallerFirstOnTheirOwnClock) {
  const Viewer viewer = ViewerFor(TestCouple(), "sam");
  EXPECT_EQ(viewer.zone_name, "Europe/London");
  ASSERT_EQ(viewer.people.size(), 2u);
  EXPECT_EQ(viewer.people[0].name, "you");
  EXPECT_EQ(viewer.people[1].name, "Alex");
  EXPECT_EQ(NameOf(viewer, "alex"), "Alex");
  EXPECT_EQ(NameOf(viewer, "sam"), "you");
}

TEST(FormatRitualTest, SaysWhetherItWaitsForTheCaller) {
  const Viewer viewer = ViewerFor(TestCouple(), "alex");
  sv1::Ritual ritual;
  ritual.set_name("couples/c1/rituals/weekly-check-in");
  ritual.set_title("Sunday check-in");
  ritual.set_kind(sv1::RITUAL_KIND_SHARED);
  ritual.mutable_duration()->set_seconds(30 * 60);
  ritual.add_lead_times()->set_seconds(3600);
  ritual.add_lead_times();
  ritual.mutable_recurrence()->set_rrule("FREQ=WEEKLY;BYDAY=SU");
  ritual.mutable_recurrence()->mutable_dtstart()->mutable_time()->set_hours(19);
  ritual.mutable_recurrence()->set_time_zone("America/New_York");
  ritual.set_state(sv1::RITUAL_STATE_PROPOSED);
  ritual.mutable_proposal()->set_proposer_user_id("sam");
  ritual.mutable_proposal()->set_note("Shall we?");
  *ritual.mutable_next_occurrence_time() = At(1714950000);
  EXPECT_TRUE(WaitsForAcceptance(ritual, "alex"));
  EXPECT_FALSE(WaitsForAcceptance(ritual, "sam"));
  EXPECT_EQ(FormatRitual(ritual, viewer,
                         absl::FromUnixSeconds(1714950000) - absl::Hours(50)),
            "Sunday check-in\n"
            "  id         weekly-check-in\n"
            "  kind       shared, 30 minutes\n"
            "  schedule   weekly on Sunday at 19:00 (America/New_York)\n"
            "  reminders  1 hour before and at the start\n"
            "  state      proposed by Sam; waits for your acceptance\n"
            "  note       \"Shall we?\"\n"
            "  next       Sun 5 May 19:00 EDT, in 2 days 2 hours\n");
}

TEST(FormatPreviewTest, DayByDayOnBothClocksWithReasonsAndAlternatives) {
  const Viewer viewer = ViewerFor(TestCouple(), "alex");
  // Sunday 5 May 2024, 19:00 in New York: midnight in London.
  constexpr int64_t kCheckIn = 1714950000;
  sv1::PreviewScheduleResponse preview;
  sv1::Occurrence* occurrence = preview.add_occurrences();
  occurrence->set_ritual("couples/c1/rituals/weekly-check-in");
  occurrence->set_title("Sunday check-in");
  *occurrence->mutable_start_time() = At(kCheckIn);
  *occurrence->mutable_end_time() = At(kCheckIn + 30 * 60);
  AddClocks(kCheckIn, occurrence->mutable_local_start_times());
  occurrence->add_participant_user_ids("alex");
  occurrence->add_participant_user_ids("sam");
  occurrence->set_state(sv1::OCCURRENCE_STATE_PLANNED);
  // Sam's nightly question, Monday 21:30 in London.
  constexpr int64_t kNightly = kCheckIn + 21 * 3600 + 30 * 60;
  sv1::Occurrence* nightly = preview.add_occurrences();
  nightly->set_ritual("couples/c1/rituals/nightly");
  nightly->set_title("How are you feeling?");
  *nightly->mutable_start_time() = At(kNightly);
  *nightly->mutable_end_time() = At(kNightly);
  AddClocks(kNightly, nightly->mutable_local_start_times());
  nightly->add_participant_user_ids("sam");

  const auto add_reminder = [&](const char* ritual, const char* title,
                                const char* to, int64_t occurrence_time,
                                int64_t lead, int64_t due) {
    sv1::PlannedReminder* reminder = preview.add_reminders();
    reminder->set_ritual(ritual);
    reminder->set_ritual_title(title);
    reminder->set_recipient_user_id(to);
    *reminder->mutable_occurrence_time() = At(occurrence_time);
    reminder->mutable_lead_time()->set_seconds(lead);
    *reminder->mutable_due_time() = At(due);
    AddClocks(due, reminder->mutable_local_times());
    return reminder;
  };
  add_reminder("couples/c1/rituals/weekly-check-in", "Sunday check-in", "alex",
               kCheckIn, 3600, kCheckIn - 3600);
  sv1::PlannedReminder* moved =
      add_reminder("couples/c1/rituals/weekly-check-in", "Sunday check-in",
                   "sam", kCheckIn, 3600, kCheckIn - 7200);
  sv1::ScheduleAdjustment* adjustment = moved->add_adjustments();
  adjustment->set_action(sv1::ADJUSTMENT_ACTION_MOVED);
  adjustment->set_reason(sv1::ADJUSTMENT_REASON_QUIET_HOURS);
  adjustment->set_explanation(
      "Moved to 22:00: 23:00 is inside Sam's quiet hours");
  sv1::PlannedReminder* dropped =
      add_reminder("couples/c1/rituals/weekly-check-in", "Sunday check-in",
                   "sam", kCheckIn, 0, kCheckIn);
  dropped->clear_due_time();
  dropped->set_dropped(true);
  adjustment = dropped->add_adjustments();
  adjustment->set_action(sv1::ADJUSTMENT_ACTION_DROPPED);
  adjustment->set_reason(sv1::ADJUSTMENT_REASON_QUIET_HOURS);
  add_reminder("couples/c1/rituals/nightly", "How are you feeling?", "sam",
               kNightly, 0, kNightly);

  sv1::ScheduleConflict* conflict = preview.add_conflicts();
  conflict->set_ritual("couples/c1/rituals/weekly-check-in");
  *conflict->mutable_occurrence_time() = At(kCheckIn);
  AddClocks(kCheckIn, conflict->mutable_local_times());
  conflict->add_affected_user_ids("sam");
  conflict->set_reason(sv1::CONFLICT_REASON_OUTSIDE_WAKING_HOURS);
  sv1::AlternativeTime* alternative = conflict->add_alternatives();
  *alternative->mutable_start_time() = At(kCheckIn - 4 * 3600);
  AddClocks(kCheckIn - 4 * 3600, alternative->mutable_local_times());
  alternative->mutable_ritual_local_time()->set_hours(15);

  // Thursday 2 May 2024, 10:00 in New York.
  const absl::Time start = absl::FromUnixSeconds(1714658400);
  EXPECT_EQ(
      FormatPreview(preview, viewer, start, 14),
      R"(The next 14 days for you and Sam: Thu 2 May 10:00 EDT to Thu 16 May 10:00 EDT.
Days follow your clock (America/New_York); every time is shown on both clocks.

                                    Alex (you)        Sam
                                    America/New_York  Europe/London

Sun 5 May
  Sunday check-in (together, 30 minutes)
    starts                          Sun 19:00 EDT     Mon 00:00 BST
    reminder to you, 1 hour before  Sun 18:00 EDT     Sun 23:00 BST
    reminder to Sam, 1 hour before  Sun 17:00 EDT     Sun 22:00 BST  moved
      Moved to 22:00: 23:00 is inside Sam's quiet hours
    reminder to Sam, at the start   Sun 19:00 EDT     Mon 00:00 BST  dropped
      Dropped: quiet hours
    Conflict: it falls outside Sam's waking hours. Times that suit you both:
      instead at 15:00              Sun 15:00 EDT     Sun 20:00 BST

Mon 6 May
  How are you feeling? (for Sam)
    starts                          Mon 16:30 EDT     Mon 21:30 BST
    reminder to Sam, at the start   Mon 16:30 EDT     Mon 21:30 BST

In all: 2 occurrences, 4 reminders (1 moved, 1 dropped), 1 conflict.
)");
}

TEST(FormatPreviewTest, SaysWhenNothingIsPlanned) {
  const Viewer viewer = ViewerFor(TestCouple(), "alex");
  EXPECT_THAT(FormatPreview(sv1::PreviewScheduleResponse(), viewer,
                            absl::FromUnixSeconds(1714658400), 7),
              HasSubstr("\n\nNothing is planned in these days.\n"));
}

TEST(FormatReminderTest, ShowsTheWordsAndHowToAnswer) {
  const Viewer viewer = ViewerFor(TestCouple(), "alex");
  sv1::Reminder reminder;
  reminder.set_name("couples/c1/reminders/7f3a");
  reminder.set_ritual_title("Sunday check-in");
  *reminder.mutable_due_time() = At(1714946400);
  reminder.mutable_content()->set_title("Your weekly check-in");
  reminder.mutable_content()->set_body("Phones away, no TV.");
  reminder.mutable_content()->set_question_text(
      "What made you feel close this week?");
  reminder.set_state(sv1::REMINDER_STATE_DELIVERED);
  EXPECT_EQ(FormatReminder(reminder, viewer),
            "Sun 5 May 18:00 EDT  Your weekly check-in\n"
            "  Phones away, no TV.\n"
            "  Question: What made you feel close this week?\n"
            "  Answer: tendctl ack 7f3a done | snooze 30m | skip\n");

  reminder.set_state(sv1::REMINDER_STATE_SNOOZED);
  reminder.mutable_acknowledgement()->set_action(
      sv1::ACKNOWLEDGE_ACTION_SNOOZE);
  reminder.mutable_acknowledgement()->set_mood(4);
  *reminder.mutable_due_time() = At(1714946400 + 30 * 60);
  EXPECT_EQ(FormatAcknowledged(reminder, viewer),
            "Snoozed Your weekly check-in: it comes back Sun 5 May 18:30 "
            "EDT. Mood noted: 4 of 5.\n");
}

TEST(FormatCadenceTest, IntervalInWordsWithReasonAndSuggestion) {
  const Viewer viewer = ViewerFor(TestCouple(), "alex");
  sv1::Cadence cadence;
  cadence.mutable_check_in_interval()->set_seconds(14 * 24 * 3600);
  cadence.add_emphasised_practices(tend::type::v1::PRACTICE_CHECK_IN);
  cadence.add_emphasised_practices(tend::type::v1::PRACTICE_LISTENING);
  cadence.set_reason("Check-ins went well for a month.");
  cadence.set_recent_mood(3.75);
  cadence.set_counselling_suggested(true);
  cadence.set_counselling_reason("Moods have stayed low for a while.");
  EXPECT_EQ(FormatCadence(cadence, viewer),
            "Check-ins: fortnightly (every 14 days)\n"
            "  why        Check-ins went well for a month.\n"
            "  emphasis   check-ins and listening\n"
            "  mood       3.8 of 5 lately\n"
            "\n"
            "Tend suggests talking with a couples counsellor: Moods have "
            "stayed low for a while.\n");
}

TEST(FormatStreaksTest, CoupleThenEachRitualByTitle) {
  const Viewer viewer = ViewerFor(TestCouple(), "alex");
  sv1::Streaks streaks;
  streaks.mutable_couple()->set_current_count(4);
  streaks.mutable_couple()->set_longest_count(9);
  sv1::Streak* check_in = streaks.add_rituals();
  check_in->set_ritual("couples/c1/rituals/weekly-check-in");
  check_in->set_current_count(4);
  check_in->set_longest_count(6);
  sv1::Streak* nightly = streaks.add_rituals();
  nightly->set_ritual("couples/c1/rituals/nightly");
  nightly->set_user_id("sam");
  nightly->set_current_count(12);
  nightly->set_longest_count(12);
  nightly->set_frozen(true);
  EXPECT_EQ(
      FormatStreaks(streaks,
                    {{"couples/c1/rituals/weekly-check-in", "Sunday check-in"}},
                    viewer),
      "Together: 4 in a row, longest 9\n"
      "  Sunday check-in  4 in a row, longest 6\n"
      "  nightly (Sam)    12 in a row, longest 12, frozen while paused\n");
}

}  // namespace
}  // namespace tend::tendctl
