// RenderCalendar(): the calendar's structure, TEXT escaping and folding as
// libical reads them back, how DTSTART, UNTIL and EXDATE are written, and
// INVALID_ARGUMENT for bad input.
#include "engine/calendar/calendar.h"

#include <libical/ical.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/recur/recurrence.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/calendar/libical_reader.h"

namespace tend::engine {
namespace {

using absl::CivilSecond;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Not;

const absl::Time kNow = absl::FromUnixSeconds(1'780'000'000);

absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone(name, &zone)) << name;
  return zone;
}

CalendarEvent CheckIn() {
  CalendarEvent e;
  e.uid = "c42-sunday-check-in@tend";
  e.summary = "Sunday check-in";
  e.description = "Phones away, no TV.";
  e.rrule = "FREQ=WEEKLY;BYDAY=SU";
  e.dtstart = CivilSecond(2026, 3, 1, 19, 0, 0);  // a Sunday
  e.zone = Zone("Europe/London");
  e.duration = absl::Minutes(30);
  return e;
}

// The content lines, unfolded.
std::vector<std::string> Lines(const std::string& ics) {
  std::vector<std::string> out;
  for (absl::string_view line : absl::StrSplit(ics, "\r\n")) {
    if (absl::StartsWith(line, " ")) {
      out.back().append(line.data() + 1, line.size() - 1);
    } else if (!line.empty()) {
      out.emplace_back(line);
    }
  }
  return out;
}

// The lines of the n-th VEVENT.
std::vector<std::string> EventLines(const std::string& ics, int n) {
  std::vector<std::string> out;
  int seen = -1;
  bool inside = false;
  for (const std::string& line : Lines(ics)) {
    if (line == "BEGIN:VEVENT") inside = ++seen == n;
    if (inside) out.push_back(line);
    if (line == "END:VEVENT") inside = false;
  }
  return out;
}

std::string Render(const std::vector<CalendarEvent>& events) {
  absl::StatusOr<std::string> ics = RenderCalendar(events, kNow);
  EXPECT_TRUE(ics.ok()) << ics.status();
  return ics.ok() ? *ics : "";
}

TEST(RenderCalendarTest, WritesTheCalendarAndOneEvent) {
  const std::string ics = Render({CheckIn()});
  const std::vector<std::string> lines = Lines(ics);
  ASSERT_GE(lines.size(), 6u);
  EXPECT_THAT(
      std::vector<std::string>(lines.begin(), lines.begin() + 5),
      ElementsAre("BEGIN:VCALENDAR", "PRODID:-//Tend//Tend rituals//EN",
                  "VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"));
  EXPECT_EQ(lines.back(), "END:VCALENDAR");
  EXPECT_THAT(EventLines(ics, 0),
              ElementsAre("BEGIN:VEVENT", "UID:c42-sunday-check-in@tend",
                          "DTSTAMP:20260528T202640Z",
                          "DTSTART;TZID=Europe/London:20260301T190000",
                          "DURATION:PT30M", "RRULE:FREQ=WEEKLY;BYDAY=SU",
                          "SUMMARY:Sunday check-in",
                          "DESCRIPTION:Phones away\\, no TV.", "END:VEVENT"));
  // Every line ends in CRLF, and there is no bare LF.
  EXPECT_TRUE(absl::EndsWith(ics, "END:VCALENDAR\r\n"));
  EXPECT_EQ(std::count(ics.begin(), ics.end(), '\n'),
            std::count(ics.begin(), ics.end(), '\r'));
  EXPECT_THAT(ics, Not(HasSubstr("\r\r")));

  absl::StatusOr<LibicalCalendar> cal = LibicalCalendar::Parse(ics);
  ASSERT_TRUE(cal.ok()) << cal.status();
  EXPECT_NE(cal->Zone("Europe/London"), nullptr);
}

TEST(RenderCalendarTest, OneVtimezonePerZoneInNameOrder) {
  CalendarEvent a = CheckIn();
  CalendarEvent b = CheckIn();
  b.uid = "c42-nightly@tend";
  b.zone = Zone("America/New_York");
  CalendarEvent c = CheckIn();
  c.uid = "c42-date-night@tend";
  const std::vector<std::string> lines = Lines(Render({a, b, c}));
  std::vector<std::string> tzids;
  for (const std::string& line : lines) {
    if (absl::StartsWith(line, "TZID:")) tzids.push_back(line);
  }
  EXPECT_THAT(tzids,
              ElementsAre("TZID:America/New_York", "TZID:Europe/London"));
}

TEST(RenderCalendarTest, EscapedTextReadsBackUnchangedInLibical) {
  CalendarEvent e = CheckIn();
  e.summary = "Dinner, then a walk; no phones \\ no TV";
  e.description = "Ask:\n1. How are you feeling?\r\n2. What went well, today?";
  const std::string ics = Render({e});
  EXPECT_THAT(
      Lines(ics),
      IsSupersetOf({"SUMMARY:Dinner\\, then a walk\\; no phones \\\\ no "
                    "TV",
                    "DESCRIPTION:Ask:\\n1. How are you feeling?\\n2. "
                    "What went well\\, today?"}));
  absl::StatusOr<LibicalCalendar> cal = LibicalCalendar::Parse(ics);
  ASSERT_TRUE(cal.ok()) << cal.status();
  icalcomponent* event = cal->Events().at(0);
  EXPECT_STREQ(icalcomponent_get_summary(event), e.summary.c_str());
  EXPECT_STREQ(icalcomponent_get_description(event),
               "Ask:\n1. How are you feeling?\n2. What went well, today?");
}

TEST(RenderCalendarTest, LongLinesAreFoldedAndLibicalUnfoldsThem) {
  CalendarEvent e = CheckIn();
  e.summary = "Sunday check-in";
  // (No space at the very end: libical drops trailing white space.)
  for (int i = 0; i < 30; ++i) e.description += " Écoute ton cœur, 😀";
  const std::string ics = Render({e});
  int continuations = 0;
  for (absl::string_view line : absl::StrSplit(ics, "\r\n")) {
    EXPECT_LE(line.size(), 75u) << line;
    if (absl::StartsWith(line, " ")) ++continuations;
  }
  EXPECT_GT(continuations, 8);
  absl::StatusOr<LibicalCalendar> cal = LibicalCalendar::Parse(ics);
  ASSERT_TRUE(cal.ok()) << cal.status();
  EXPECT_STREQ(icalcomponent_get_description(cal->Events().at(0)),
               e.description.c_str());
}

TEST(RenderCalendarTest, ASingleEventHasNoRrule) {
  CalendarEvent e = CheckIn();
  e.rrule.clear();
  e.exdates = {absl::FromUnixSeconds(0)};  // not the occurrence: left out
  EXPECT_THAT(EventLines(Render({e}), 0),
              ElementsAre("BEGIN:VEVENT", "UID:c42-sunday-check-in@tend",
                          "DTSTAMP:20260528T202640Z",
                          "DTSTART;TZID=Europe/London:20260301T190000",
                          "DURATION:PT30M", "SUMMARY:Sunday check-in",
                          "DESCRIPTION:Phones away\\, no TV.", "END:VEVENT"));
}

TEST(RenderCalendarTest, ADtstartOffTheRuleBecomesAnRdate) {
  // Created on a Wednesday, as templates do: the engine's first occurrence
  // is that Wednesday, then Sundays. COUNT=5 counts the Wednesday.
  CalendarEvent e = CheckIn();
  e.rrule = "FREQ=WEEKLY;BYDAY=SU;COUNT=5";
  e.dtstart = CivilSecond(2026, 3, 4, 19, 0, 0);
  const std::vector<std::string> lines = EventLines(Render({e}), 0);
  EXPECT_THAT(lines, IsSupersetOf({
                         "DTSTART;TZID=Europe/London:20260308T190000",
                         "RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=SU",
                         "RDATE:20260304T190000Z",
                     }));

  absl::StatusOr<LibicalCalendar> cal = LibicalCalendar::Parse(Render({e}));
  ASSERT_TRUE(cal.ok()) << cal.status();
  std::vector<CivilSecond> got;
  for (const LibicalOccurrence& o : cal->Occurrences(cal->Events()[0], 10)) {
    got.push_back(o.local);
  }
  EXPECT_THAT(got, ElementsAre(CivilSecond(2026, 3, 4, 19, 0, 0),
                               CivilSecond(2026, 3, 8, 19, 0, 0),
                               CivilSecond(2026, 3, 15, 19, 0, 0),
                               CivilSecond(2026, 3, 22, 19, 0, 0),
                               CivilSecond(2026, 3, 29, 19, 0, 0)));
}

TEST(RenderCalendarTest, ASkippedFirstOccurrenceOffTheRuleHasNoRdate) {
  CalendarEvent e = CheckIn();
  e.rrule = "FREQ=WEEKLY;BYDAY=SU;COUNT=5";
  e.dtstart = CivilSecond(2026, 3, 4, 19, 0, 0);
  e.exdates = {LocalToInstant(e.dtstart, e.zone)};
  const std::vector<std::string> lines = EventLines(Render({e}), 0);
  EXPECT_THAT(lines, IsSupersetOf({
                         "DTSTART;TZID=Europe/London:20260308T190000",
                         "RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=SU",
                     }));
  for (const std::string& line : lines) {
    EXPECT_FALSE(absl::StartsWith(line, "RDATE")) << line;
    EXPECT_FALSE(absl::StartsWith(line, "EXDATE")) << line;
  }
}

TEST(RenderCalendarTest, ADtstartOnTheRuleStaysAsItIs) {
  const struct {
    const char* rrule;
    CivilSecond dtstart;
  } on_rule[] = {
      {"FREQ=MONTHLY;BYDAY=-1SU", CivilSecond(2026, 3, 29, 9, 0, 0)},
      {"FREQ=MONTHLY", CivilSecond(2026, 1, 31, 9, 0, 0)},
      {"FREQ=YEARLY", CivilSecond(2024, 2, 29, 9, 0, 0)},
      {"FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", CivilSecond(2026, 3, 6, 20, 0, 0)},
      {"FREQ=DAILY;INTERVAL=3;BYDAY=MO,TU", CivilSecond(2026, 3, 3, 7, 0, 0)},
  };
  for (const auto& c : on_rule) {
    CalendarEvent e = CheckIn();
    e.rrule = c.rrule;
    e.dtstart = c.dtstart;
    const std::string ics = Render({e});
    EXPECT_THAT(ics, Not(HasSubstr("RDATE"))) << c.rrule;
  }
  CalendarEvent e = CheckIn();
  e.rrule = "FREQ=MONTHLY;BYDAY=-1SU";
  e.dtstart = CivilSecond(2026, 3, 22, 9, 0, 0);  // not the last Sunday
  EXPECT_THAT(Render({e}), HasSubstr("RDATE"));
}

TEST(RenderCalendarTest, ALocalOrDateUntilIsWrittenInUtc) {
  CalendarEvent e = CheckIn();
  e.rrule = "FREQ=DAILY;UNTIL=20260401";  // London is on BST (+01) by then
  EXPECT_THAT(EventLines(Render({e}), 0),
              Contains("RRULE:FREQ=DAILY;UNTIL=20260401T225959Z"));
  e.rrule = "FREQ=DAILY;UNTIL=20260401T190000";
  EXPECT_THAT(EventLines(Render({e}), 0),
              Contains("RRULE:FREQ=DAILY;UNTIL=20260401T180000Z"));
  e.rrule = "FREQ=DAILY;UNTIL=20260401T173000Z";
  EXPECT_THAT(EventLines(Render({e}), 0),
              Contains("RRULE:FREQ=DAILY;UNTIL=20260401T173000Z"));
}

TEST(RenderCalendarTest, ExdatesNameTheOccurrencesLocalTime) {
  CalendarEvent e = CheckIn();
  e.zone = Zone("America/New_York");
  e.rrule = "FREQ=DAILY";
  e.dtstart = CivilSecond(2026, 3, 1, 2, 30, 0);
  // 02:30 on March 8 does not exist; the engine puts it at 03:30 EDT.
  e.exdates = {LocalToInstant(CivilSecond(2026, 3, 8, 2, 30, 0), e.zone),
               LocalToInstant(CivilSecond(2026, 3, 3, 2, 30, 0), e.zone),
               LocalToInstant(CivilSecond(2026, 3, 3, 2, 30, 0), e.zone),
               LocalToInstant(CivilSecond(2026, 3, 3, 2, 31, 0), e.zone)};
  const std::vector<std::string> lines = EventLines(Render({e}), 0);
  std::vector<std::string> exdates;
  for (const std::string& line : lines) {
    if (absl::StartsWith(line, "EXDATE")) exdates.push_back(line);
  }
  // The one in the gap is named twice: 02:30 as the rule has it, and 03:30,
  // the same instant, where libical's iterator puts it.
  EXPECT_THAT(exdates,
              ElementsAre("EXDATE;TZID=America/New_York:20260303T023000",
                          "EXDATE;TZID=America/New_York:20260308T023000",
                          "EXDATE;TZID=America/New_York:20260308T033000"));
}

TEST(RenderCalendarTest, BadInputIsInvalidArgumentNamingTheField) {
  const struct {
    const char* what;
    void (*breaks)(CalendarEvent&);
    const char* message;
  } cases[] = {
      {"no uid", [](CalendarEvent& e) { e.uid.clear(); },
       "events[1].uid: required"},
      {"uid with a line break", [](CalendarEvent& e) { e.uid = "a\nb"; },
       "events[1].uid: must be one line"},
      {"summary not UTF-8", [](CalendarEvent& e) { e.summary = "\xFF"; },
       "events[1].summary: must be valid UTF-8"},
      {"description with a control",
       [](CalendarEvent& e) { e.description = "bell\a"; },
       "events[1].description: must be text without control"},
      {"bad rrule", [](CalendarEvent& e) { e.rrule = "FREQ=HOURLY"; },
       "events[1].rrule.FREQ: must be DAILY, WEEKLY, MONTHLY or YEARLY"},
      {"unsupported rrule",
       [](CalendarEvent& e) { e.rrule = "FREQ=DAILY;BYHOUR=9"; },
       "events[1].rrule: BYHOUR is not supported"},
      {"fixed zone",
       [](CalendarEvent& e) { e.zone = absl::FixedTimeZone(3600); },
       "events[1].zone: must be an IANA time zone"},
      {"negative duration",
       [](CalendarEvent& e) { e.duration = -absl::Minutes(5); },
       "events[1].duration: must be whole seconds, zero or more"},
      {"fractional duration",
       [](CalendarEvent& e) { e.duration = absl::Milliseconds(1500); },
       "events[1].duration: must be whole seconds"},
      {"year 0", [](CalendarEvent& e) { e.dtstart = CivilSecond(0, 1, 1); },
       "events[1].dtstart: year must be from 1 to 9999"},
      {"infinite exdate",
       [](CalendarEvent& e) {
         e.exdates = {kNow, absl::InfiniteFuture()};
       },
       "events[1].exdates[1]: must be an instant"},
      {"repeated uid",
       [](CalendarEvent& e) { e.uid = "c42-sunday-check-in@tend"; },
       "events[1].uid: repeats events[0].uid"},
  };
  for (const auto& c : cases) {
    CalendarEvent other = CheckIn();
    other.uid = "c42-other@tend";
    c.breaks(other);
    const absl::StatusOr<std::string> ics =
        RenderCalendar({CheckIn(), other}, kNow);
    EXPECT_EQ(ics.status().code(), absl::StatusCode::kInvalidArgument)
        << c.what;
    EXPECT_THAT(ics.status().message(), HasSubstr(c.message)) << c.what;
  }
  EXPECT_EQ(RenderCalendar({CheckIn()}, absl::InfiniteFuture()).status(),
            absl::InvalidArgumentError(
                "now: must be an instant in the years 1 to 9999"));
}

TEST(RenderCalendarTest, AnEmptyCalendarIsStillACalendar) {
  absl::StatusOr<std::string> ics = RenderCalendar({}, kNow);
  ASSERT_TRUE(ics.ok());
  EXPECT_EQ(*ics,
            "BEGIN:VCALENDAR\r\nPRODID:-//Tend//Tend rituals//EN\r\n"
            "VERSION:2.0\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n"
            "END:VCALENDAR\r\n");
}

}  // namespace
}  // namespace tend::engine
