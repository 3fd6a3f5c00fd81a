// Recurrence in the places where calendars go wrong: daylight-saving gaps
// and overlaps in zones with unusual rules, month ends, leap days, BYSETPOS,
// COUNT and UNTIL at their edges, the cursor, and rules libical 3.0 gets
// wrong (their expected dates were checked against python-dateutil).
#include "engine/recur/recurrence.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tend::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone(name, &zone)) << name;
  return zone;
}

absl::CivilSecond Local(absl::string_view text) {
  absl::CivilSecond local;
  EXPECT_TRUE(absl::ParseCivilTime(text, &local)) << text;
  return local;
}

Recurrence Parse(absl::string_view rule, absl::string_view dtstart,
                 absl::string_view zone = "UTC") {
  absl::StatusOr<Recurrence> r =
      Recurrence::Parse(rule, Local(dtstart), Zone(std::string(zone)));
  EXPECT_TRUE(r.ok()) << rule << ": " << r.status();
  return *r;
}

std::string Rfc3339(absl::Time t, absl::TimeZone zone) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", t, zone);
}

// The first `n` occurrences as RFC 3339 times with the zone's offset.
std::vector<std::string> First(const Recurrence& r, int n) {
  std::vector<std::string> out;
  for (const Occurrence& o : r.Expand(absl::InfinitePast(), n)) {
    out.push_back(Rfc3339(o.instant, r.zone()));
  }
  return out;
}

std::vector<int64_t> Indexes(const Recurrence& r, int n) {
  std::vector<int64_t> out;
  for (const Occurrence& o : r.Expand(absl::InfinitePast(), n)) {
    out.push_back(o.index);
  }
  return out;
}

absl::Time Instant(absl::string_view rfc3339) {
  absl::Time t;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &error))
      << error;
  return t;
}

// --- LocalToInstant: RFC 5545 §3.3.5 -------------------------------------

TEST(LocalToInstantTest, SkippedTimeUsesOffsetBeforeTheGap) {
  const absl::TimeZone ny = Zone("America/New_York");
  EXPECT_EQ(Rfc3339(LocalToInstant(Local("2026-03-08T02:30:00"), ny), ny),
            "2026-03-08T03:30:00-04:00");
  // absl::FromCivil would answer the transition, 03:00: not what RFC 5545
  // asks for.
  EXPECT_NE(LocalToInstant(Local("2026-03-08T02:30:00"), ny),
            absl::FromCivil(Local("2026-03-08T02:30:00"), ny));
}

TEST(LocalToInstantTest, RepeatedTimeIsTheFirst) {
  const absl::TimeZone ny = Zone("America/New_York");
  EXPECT_EQ(Rfc3339(LocalToInstant(Local("2026-11-01T01:30:00"), ny), ny),
            "2026-11-01T01:30:00-04:00");
}

// --- Daylight saving, zone by zone ----------------------------------------

TEST(RecurrenceDstTest, NewYorkGapMovesLaterAndStillCounts) {
  Recurrence r =
      Parse("FREQ=DAILY;COUNT=3", "2026-03-07T02:30:00", "America/New_York");
  EXPECT_THAT(First(r, 10), ElementsAre("2026-03-07T02:30:00-05:00",
                                        "2026-03-08T03:30:00-04:00",
                                        "2026-03-09T02:30:00-04:00"));
  EXPECT_THAT(Indexes(r, 10), ElementsAre(0, 1, 2));
  // The occurrence keeps the local time the rule produced.
  EXPECT_EQ(r.Expand(absl::InfinitePast(), 2)[1].local,
            Local("2026-03-08T02:30:00"));
}

TEST(RecurrenceDstTest, NewYorkOverlapFiresOnceAtTheFirst) {
  Recurrence r = Parse("FREQ=DAILY", "2026-10-31T01:30:00", "America/New_York");
  EXPECT_THAT(First(r, 3), ElementsAre("2026-10-31T01:30:00-04:00",
                                       "2026-11-01T01:30:00-04:00",
                                       "2026-11-02T01:30:00-05:00"));
  // During the second 01:30 (EST) the occurrence has already happened.
  std::optional<Occurrence> next =
      r.NextAfter(Instant("2026-11-01T01:45:00-05:00"));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(Rfc3339(next->instant, r.zone()), "2026-11-02T01:30:00-05:00");
  EXPECT_EQ(next->index, 2);
}

// ExpandCase: a rule, its DTSTART and zone, and its first occurrences.
struct ExpandCase {
  absl::string_view why;
  absl::string_view zone;
  absl::string_view rule;
  absl::string_view dtstart;
  std::vector<std::string> want;
};

void ExpectFirst(const ExpandCase& c) {
  Recurrence r = Parse(c.rule, c.dtstart, c.zone);
  EXPECT_EQ(First(r, static_cast<int>(c.want.size()) + 1), c.want)
      << c.why << ": " << c.rule << " from " << c.dtstart << " in " << c.zone;
}

TEST(RecurrenceDstTest, GapsAndOverlapsZoneByZone) {
  const ExpandCase cases[] = {
      {"London spring gap",
       "Europe/London",
       "FREQ=DAILY;COUNT=3",
       "2026-03-28T01:30:00",
       {"2026-03-28T01:30:00+00:00", "2026-03-29T02:30:00+01:00",
        "2026-03-30T01:30:00+01:00"}},
      {"London autumn overlap",
       "Europe/London",
       "FREQ=WEEKLY;COUNT=3",
       "2026-10-18T01:30:00",
       {"2026-10-18T01:30:00+01:00", "2026-10-25T01:30:00+01:00",
        "2026-11-01T01:30:00+00:00"}},
      {"Lord Howe moves 30 minutes forward",
       "Australia/Lord_Howe",
       "FREQ=DAILY;COUNT=3",
       "2026-10-03T02:15:00",
       {"2026-10-03T02:15:00+10:30", "2026-10-04T02:45:00+11:00",
        "2026-10-05T02:15:00+11:00"}},
      {"Lord Howe moves 30 minutes back",
       "Australia/Lord_Howe",
       "FREQ=DAILY;COUNT=3",
       "2026-04-04T01:45:00",
       {"2026-04-04T01:45:00+11:00", "2026-04-05T01:45:00+11:00",
        "2026-04-06T01:45:00+10:30"}},
      {"Brazil's DST began at midnight and was abolished in 2019",
       "America/Sao_Paulo",
       "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU;COUNT=3",
       "2018-11-04T00:30:00",
       {"2018-11-04T01:30:00-02:00", "2019-11-03T00:30:00-03:00",
        "2020-11-01T00:30:00-03:00"}},
      {"Chatham +12:45 springs to +13:45",
       "Pacific/Chatham",
       "FREQ=DAILY;COUNT=3",
       "2026-09-26T03:00:00",
       {"2026-09-26T03:00:00+12:45", "2026-09-27T04:00:00+13:45",
        "2026-09-28T03:00:00+13:45"}},
      {"Chatham overlap",
       "Pacific/Chatham",
       "FREQ=MONTHLY;BYDAY=1SU;COUNT=2",
       "2026-04-05T03:00:00",
       {"2026-04-05T03:00:00+13:45", "2026-05-03T03:00:00+12:45"}},
      {"Morocco leaves +01 for Ramadan: 02:00-03:00 repeats",
       "Africa/Casablanca",
       "FREQ=DAILY;COUNT=3",
       "2026-02-14T02:30:00",
       {"2026-02-14T02:30:00+01:00", "2026-02-15T02:30:00+01:00",
        "2026-02-16T02:30:00+00:00"}},
      {"Morocco back to +01: 02:00-03:00 is skipped",
       "Africa/Casablanca",
       "FREQ=DAILY;COUNT=3",
       "2026-03-21T02:30:00",
       {"2026-03-21T02:30:00+00:00", "2026-03-22T03:30:00+01:00",
        "2026-03-23T02:30:00+01:00"}},
  };
  for (const ExpandCase& c : cases) ExpectFirst(c);
}

TEST(RecurrenceDstTest, ApiaSkippedDayFiresOnceAndCounts) {
  // Samoa went from UTC-10 to UTC+14 after 2011-12-29: the 30th never was.
  // 10:00 on the 30th maps, with the offset before the gap, onto the same
  // instant as 10:00 on the 31st. That instant fires once; both count.
  Recurrence r =
      Parse("FREQ=DAILY;COUNT=6", "2011-12-28T10:00:00", "Pacific/Apia");
  EXPECT_THAT(
      First(r, 10),
      ElementsAre("2011-12-28T10:00:00-10:00", "2011-12-29T10:00:00-10:00",
                  "2011-12-31T10:00:00+14:00", "2012-01-01T10:00:00+14:00",
                  "2012-01-02T10:00:00+14:00"));
  EXPECT_THAT(Indexes(r, 10), ElementsAre(0, 1, 2, 4, 5));
  // Asked just before that instant, the answer is the 30th's occurrence.
  std::optional<Occurrence> next =
      r.NextAfter(Instant("2011-12-31T09:59:59+14:00"));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->local, Local("2011-12-30T10:00:00"));
  EXPECT_EQ(next->index, 2);
}

TEST(RecurrenceDstTest, NeverFiresTwiceAcrossAnOverlap) {
  // Walk through a whole autumn hour by hour: every answer is later than
  // the one before, and none repeats.
  Recurrence r = Parse("FREQ=DAILY", "2026-10-25T01:30:00", "America/New_York");
  std::optional<Occurrence> last;
  for (absl::Time t = Instant("2026-10-31T00:00:00-04:00");
       t < Instant("2026-11-03T00:00:00-05:00"); t += absl::Minutes(15)) {
    std::optional<Occurrence> next = r.NextAfter(t);
    ASSERT_TRUE(next.has_value());
    if (last) {
      EXPECT_GE(next->index, last->index);
    }
    last = next;
  }
}

// --- The calendar ----------------------------------------------------------

TEST(RecurrenceCalendarTest, Dates) {
  const ExpandCase cases[] = {
      {"the 31st skips short months",
       "UTC",
       "FREQ=MONTHLY;COUNT=4",
       "2026-01-31T09:00:00",
       {"2026-01-31T09:00:00+00:00", "2026-03-31T09:00:00+00:00",
        "2026-05-31T09:00:00+00:00", "2026-07-31T09:00:00+00:00"}},
      {"the last day of each month",
       "UTC",
       "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3",
       "2024-01-31T09:00:00",
       {"2024-01-31T09:00:00+00:00", "2024-02-29T09:00:00+00:00",
        "2024-03-31T09:00:00+00:00"}},
      {"30 and -30 exist only in some months",
       "UTC",
       "FREQ=MONTHLY;BYMONTHDAY=30,-30;COUNT=5",
       "2026-01-01T09:00:00",
       {"2026-01-01T09:00:00+00:00", "2026-01-02T09:00:00+00:00",
        "2026-01-30T09:00:00+00:00", "2026-03-02T09:00:00+00:00",
        "2026-03-30T09:00:00+00:00"}},
      {"Feb 29 yearly",
       "UTC",
       "FREQ=YEARLY;COUNT=3",
       "2024-02-29T08:00:00",
       {"2024-02-29T08:00:00+00:00", "2028-02-29T08:00:00+00:00",
        "2032-02-29T08:00:00+00:00"}},
      {"2100 is not a leap year",
       "UTC",
       "FREQ=YEARLY;COUNT=2",
       "2096-02-29T08:00:00",
       {"2096-02-29T08:00:00+00:00", "2104-02-29T08:00:00+00:00"}},
      {"the last day of February",
       "UTC",
       "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1;COUNT=3",
       "2023-02-28T08:00:00",
       {"2023-02-28T08:00:00+00:00", "2024-02-29T08:00:00+00:00",
        "2025-02-28T08:00:00+00:00"}},
      {"the last Sunday",
       "UTC",
       "FREQ=MONTHLY;BYDAY=-1SU;COUNT=3",
       "2026-01-25T18:00:00",
       {"2026-01-25T18:00:00+00:00", "2026-02-22T18:00:00+00:00",
        "2026-03-29T18:00:00+00:00"}},
      {"the first Friday",
       "UTC",
       "FREQ=MONTHLY;BYDAY=1FR;COUNT=3",
       "2026-01-02T18:00:00",
       {"2026-01-02T18:00:00+00:00", "2026-02-06T18:00:00+00:00",
        "2026-03-06T18:00:00+00:00"}},
      {"RFC 5545: the 20th Monday of the year",
       "UTC",
       "FREQ=YEARLY;BYDAY=20MO;COUNT=3",
       "1997-05-19T09:00:00",
       {"1997-05-19T09:00:00+00:00", "1998-05-18T09:00:00+00:00",
        "1999-05-17T09:00:00+00:00"}},
      {"BYSETPOS: the last weekday of the month",
       "UTC",
       "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3",
       "2026-01-30T17:00:00",
       {"2026-01-30T17:00:00+00:00", "2026-02-27T17:00:00+00:00",
        "2026-03-31T17:00:00+00:00"}},
      {"BYSETPOS counts the whole period before DTSTART cuts it",
       "UTC",
       "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=1;COUNT=3",
       "2026-01-15T09:00:00",
       {"2026-01-15T09:00:00+00:00", "2026-02-02T09:00:00+00:00",
        "2026-03-02T09:00:00+00:00"}},
      {"weekly BYSETPOS, which libical 3.0 ignores",
       "UTC",
       "FREQ=WEEKLY;BYDAY=MO,FR;BYSETPOS=-1;COUNT=3",
       "2026-01-02T09:00:00",
       {"2026-01-02T09:00:00+00:00", "2026-01-09T09:00:00+00:00",
        "2026-01-16T09:00:00+00:00"}},
      {"RFC 5545's WKST example, weeks from Monday",
       "UTC",
       "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO",
       "1997-08-05T09:00:00",
       {"1997-08-05T09:00:00+00:00", "1997-08-10T09:00:00+00:00",
        "1997-08-19T09:00:00+00:00", "1997-08-24T09:00:00+00:00"}},
      {"RFC 5545's WKST example, weeks from Sunday",
       "UTC",
       "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU",
       "1997-08-05T09:00:00",
       {"1997-08-05T09:00:00+00:00", "1997-08-17T09:00:00+00:00",
        "1997-08-19T09:00:00+00:00", "1997-08-31T09:00:00+00:00"}},
      {"every fourth week (libical 3.0 starts on 04-27)",
       "UTC",
       "FREQ=WEEKLY;INTERVAL=4;BYDAY=SU;COUNT=3",
       "2025-04-04T01:00:00",
       {"2025-04-04T01:00:00+00:00", "2025-04-06T01:00:00+00:00",
        "2025-05-04T01:00:00+00:00"}},
      {"daily negative BYMONTHDAY (libical 3.0 finds none)",
       "UTC",
       "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=-1;COUNT=3",
       "2023-01-01T07:00:00",
       {"2023-01-01T07:00:00+00:00", "2023-02-28T07:00:00+00:00",
        "2024-02-29T07:00:00+00:00"}},
      {"no February 30th: DTSTART only",
       "UTC",
       "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30",
       "2026-01-01T09:00:00",
       {"2026-01-01T09:00:00+00:00"}},
      {"every seventh day from a Monday is never a Tuesday",
       "UTC",
       "FREQ=DAILY;INTERVAL=7;BYDAY=TU",
       "2026-01-05T09:00:00",
       {"2026-01-05T09:00:00+00:00"}},
      {"every fourth year from 2001 is never a leap year",
       "UTC",
       "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29",
       "2001-01-01T09:00:00",
       {"2001-01-01T09:00:00+00:00"}},
  };
  for (const ExpandCase& c : cases) ExpectFirst(c);
}

TEST(RecurrenceCalendarTest, DtstartIsAlwaysTheFirstOccurrence) {
  // 2026-01-01 is a Thursday: DTSTART is index 0 and counts toward COUNT.
  Recurrence r = Parse("FREQ=WEEKLY;BYDAY=MO;COUNT=3", "2026-01-01T09:00:00");
  EXPECT_THAT(First(r, 10), ElementsAre("2026-01-01T09:00:00+00:00",
                                        "2026-01-05T09:00:00+00:00",
                                        "2026-01-12T09:00:00+00:00"));
  EXPECT_THAT(Indexes(r, 10), ElementsAre(0, 1, 2));
}

// --- COUNT and UNTIL at the edges ------------------------------------------

TEST(RecurrenceBoundsTest, CountOfOneIsDtstartOnly) {
  Recurrence r = Parse("FREQ=DAILY;COUNT=1", "2026-01-01T09:00:00");
  EXPECT_THAT(First(r, 5), ElementsAre("2026-01-01T09:00:00+00:00"));
  EXPECT_EQ(r.NextAfter(Instant("2026-01-01T09:00:00Z")), std::nullopt);
}

TEST(RecurrenceBoundsTest, CountFarFromDtstart) {
  // 200,000 days from 1800: the index is arithmetic, not walked.
  Recurrence r = Parse("FREQ=DAILY;COUNT=200000", "1800-01-01T09:00:00");
  std::optional<Occurrence> next = r.NextAfter(Instant("2026-11-26T12:00:00Z"));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->local, Local("2026-11-27T09:00:00"));
  EXPECT_EQ(next->index,
            absl::CivilDay(2026, 11, 27) - absl::CivilDay(1800, 1, 1));
  // The last one is index 199,999.
  const absl::CivilSecond last =
      absl::CivilSecond(absl::CivilDay(1800, 1, 1) + 199999) + 9 * 3600;
  std::optional<Occurrence> final_one =
      r.NextAfter(LocalToInstant(last, r.zone()) - absl::Seconds(1));
  ASSERT_TRUE(final_one.has_value());
  EXPECT_EQ(final_one->index, 199999);
  EXPECT_EQ(r.NextAfter(final_one->instant), std::nullopt);
}

struct UntilCase {
  absl::string_view rule;
  absl::string_view dtstart;
  size_t occurrences;
};

TEST(RecurrenceBoundsTest, UntilIsInclusive) {
  const UntilCase cases[] = {
      // Floating UNTIL: the local time.
      {"FREQ=DAILY;UNTIL=20260103T090000", "2026-01-01T09:00:00", 3},
      {"FREQ=DAILY;UNTIL=20260103T085959", "2026-01-01T09:00:00", 2},
      // UTC UNTIL: the instant (09:00 EST is 14:00Z).
      {"FREQ=DAILY;UNTIL=20260103T140000Z", "2026-01-01T09:00:00", 3},
      {"FREQ=DAILY;UNTIL=20260103T135959Z", "2026-01-01T09:00:00", 2},
      // DATE UNTIL: the whole local day.
      {"FREQ=DAILY;UNTIL=20260103", "2026-01-01T23:30:00", 3},
      // 02:30 on 2026-03-08 is 07:30Z (03:30 EDT): an UNTIL at 07:00Z ends
      // the rule just before it, one at 07:30Z keeps it.
      {"FREQ=DAILY;UNTIL=20260308T070000Z", "2026-03-07T02:30:00", 1},
      {"FREQ=DAILY;UNTIL=20260308T073000Z", "2026-03-07T02:30:00", 2},
      // UNTIL before DTSTART leaves DTSTART alone.
      {"FREQ=DAILY;UNTIL=20251231T000000Z", "2026-01-01T09:00:00", 1},
  };
  for (const UntilCase& c : cases) {
    EXPECT_EQ(First(Parse(c.rule, c.dtstart, "America/New_York"), 9).size(),
              c.occurrences)
        << c.rule << " from " << c.dtstart;
  }
}

// --- NextAfter and the cursor ----------------------------------------------

TEST(RecurrenceNextAfterTest, BeforeDtstartIsDtstart) {
  Recurrence r = Parse("FREQ=WEEKLY;BYDAY=SU", "2026-03-01T10:00:00");
  std::optional<Occurrence> next = r.NextAfter(absl::InfinitePast());
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->index, 0);
  EXPECT_EQ(next->local, Local("2026-03-01T10:00:00"));
  EXPECT_EQ(r.NextAfter(absl::InfiniteFuture()), std::nullopt);
}

TEST(RecurrenceNextAfterTest, StrictlyAfter) {
  Recurrence r = Parse("FREQ=DAILY", "2026-03-01T10:00:00");
  std::optional<Occurrence> next = r.NextAfter(Instant("2026-03-05T10:00:00Z"));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->local, Local("2026-03-06T10:00:00"));
  EXPECT_EQ(next->index, 5);
}

TEST(RecurrenceNextAfterTest, CursorGivesTheSameAnswerForVaryingPeriods) {
  // The 31st: months yield 0 or 1 date, so the index comes from the cursor.
  Recurrence r = Parse("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=500",
                       "2000-01-31T20:00:00", "Europe/London");
  const absl::Time t = Instant("2026-11-26T00:00:00Z");
  std::optional<Occurrence> plain = r.NextAfter(t);
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->local, Local("2026-12-31T20:00:00"));
  std::optional<Occurrence> cursor =
      r.NextAfter(Instant("2026-01-01T00:00:00Z"));
  EXPECT_EQ(r.NextAfter(t, cursor), plain);
  // A cursor that is not an occurrence of this rule is ignored.
  Occurrence bogus{7, Local("2026-02-14T20:00:00"), absl::UnixEpoch()};
  EXPECT_EQ(r.NextAfter(t, bogus), plain);
  // DTSTART is index 0; then six 31sts in 2000 and seven a year after.
  EXPECT_EQ(plain->index, 6 + 7 * 26);
  // COUNT ends it: the 500 dates are used up in 2071.
  std::vector<Occurrence> rest = r.Expand(t, 1000);
  ASSERT_FALSE(rest.empty());
  EXPECT_EQ(rest.back().index, 499);
  EXPECT_EQ(rest.back().local.year(), 2071);
}

TEST(RecurrenceNextAfterTest, ExpandIsRepeatedNextAfter) {
  Recurrence r = Parse("FREQ=YEARLY;BYMONTH=3,9;BYDAY=-1SU;BYSETPOS=1",
                       "2020-03-29T07:00:00", "Europe/London");
  std::vector<Occurrence> all = r.Expand(absl::InfinitePast(), 6);
  ASSERT_EQ(all.size(), 6u);
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_EQ(r.NextAfter(all[i - 1].instant, all[i - 1]), all[i]);
    EXPECT_EQ(r.NextAfter(all[i - 1].instant), all[i]);
  }
}

// --- Parsing through Recurrence --------------------------------------------

TEST(RecurrenceParseTest, NormalizesTheRule) {
  Recurrence r = Parse("rrule:freq=weekly;byday=we,mo;interval=1;wkst=mo",
                       "2026-01-05T09:00:00");
  EXPECT_EQ(r.rrule(), "FREQ=WEEKLY;BYDAY=MO,WE");
  EXPECT_EQ(r.dtstart(), Local("2026-01-05T09:00:00"));
}

TEST(RecurrenceParseTest, RejectsWithTheRulesMessage) {
  absl::StatusOr<Recurrence> r = Recurrence::Parse(
      "FREQ=DAILY;BYHOUR=9", Local("2026-01-05T09:00:00"), Zone("UTC"));
  EXPECT_EQ(r.status(),
            absl::InvalidArgumentError("rrule: BYHOUR is not supported"));
}

}  // namespace
}  // namespace tend::engine
