// The shapes ZoneObservances() gives; calendar_libical_test.cc checks the
// offsets they mean, through libical, for every zone.
#include "engine/calendar/vtimezone.h"

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace tend::engine {
namespace {

using absl::CivilSecond;

absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone(name, &zone)) << name;
  return zone;
}

absl::Time At(CivilSecond local, const absl::TimeZone& zone) {
  return absl::FromCivil(local, zone);
}

constexpr int kHour = 3600;

TEST(ZoneObservancesTest, NewYorkIsTwoYearlyRulesFromTheYearBefore) {
  const absl::TimeZone ny = Zone("America/New_York");
  const std::vector<ZoneObservance> got = ZoneObservances(
      ny, At(CivilSecond(2026, 3, 1, 19, 0, 0), ny), absl::InfiniteFuture());
  const std::vector<ZoneObservance> want = {
      {true, CivilSecond(2025, 3, 9, 2, 0, 0), -5 * kHour, -4 * kHour, "EDT",
       "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU"},
      {false, CivilSecond(2025, 11, 2, 2, 0, 0), -4 * kHour, -5 * kHour, "EST",
       "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU"},
  };
  EXPECT_EQ(got, want);
}

TEST(ZoneObservancesTest, ChangesBeforeTheCurrentRuleAreListedOneByOne) {
  // The US rule changed in 2007: 2005 and 2006 follow the old one.
  const absl::TimeZone ny = Zone("America/New_York");
  const std::vector<ZoneObservance> got = ZoneObservances(
      ny, At(CivilSecond(2005, 6, 1, 12, 0, 0), ny), absl::InfiniteFuture());
  ASSERT_EQ(got.size(), 6u);
  // In force at the start: the change of April 3, 2005.
  EXPECT_EQ(got[0], (ZoneObservance{true, CivilSecond(2005, 4, 3, 2, 0, 0),
                                    -5 * kHour, -4 * kHour, "EDT", ""}));
  EXPECT_EQ(got[1].onset, CivilSecond(2005, 10, 30, 2, 0, 0));
  EXPECT_EQ(got[2].onset, CivilSecond(2006, 4, 2, 2, 0, 0));
  EXPECT_EQ(got[3].onset, CivilSecond(2006, 10, 29, 2, 0, 0));
  EXPECT_EQ(got[4].onset, CivilSecond(2007, 3, 11, 2, 0, 0));
  EXPECT_EQ(got[4].rrule, "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU");
  EXPECT_EQ(got[5].onset, CivilSecond(2007, 11, 4, 2, 0, 0));
  EXPECT_EQ(got[5].rrule, "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU");
}

TEST(ZoneObservancesTest, ABoundedSpanBeforeTheRuleListsItsChangesOnly) {
  const absl::TimeZone ny = Zone("America/New_York");
  const std::vector<ZoneObservance> got =
      ZoneObservances(ny, At(CivilSecond(2005, 1, 10, 12, 0, 0), ny),
                      At(CivilSecond(2005, 5, 1, 12, 0, 0), ny));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].onset, CivilSecond(2004, 10, 31, 2, 0, 0));
  EXPECT_FALSE(got[0].daylight);
  EXPECT_EQ(got[1].onset, CivilSecond(2005, 4, 3, 2, 0, 0));
  EXPECT_TRUE(got[1].daylight);
  EXPECT_EQ(got[1].rrule, "");
}

TEST(ZoneObservancesTest, HalfHourAndQuarterHourZones) {
  const absl::TimeZone lord_howe = Zone("Australia/Lord_Howe");
  const std::vector<ZoneObservance> lh =
      ZoneObservances(lord_howe, At(CivilSecond(2026, 1, 1), lord_howe),
                      absl::InfiniteFuture());
  ASSERT_EQ(lh.size(), 2u);
  EXPECT_EQ(lh[0], (ZoneObservance{false, CivilSecond(2025, 4, 6, 2, 0, 0),
                                   11 * kHour, 10 * kHour + 1800, "+1030",
                                   "FREQ=YEARLY;BYMONTH=4;BYDAY=1SU"}));
  EXPECT_EQ(lh[1], (ZoneObservance{true, CivilSecond(2025, 10, 5, 2, 0, 0),
                                   10 * kHour + 1800, 11 * kHour, "+11",
                                   "FREQ=YEARLY;BYMONTH=10;BYDAY=1SU"}));

  const absl::TimeZone chatham = Zone("Pacific/Chatham");
  const std::vector<ZoneObservance> ch = ZoneObservances(
      chatham, At(CivilSecond(2026, 1, 1), chatham), absl::InfiniteFuture());
  ASSERT_EQ(ch.size(), 2u);
  EXPECT_EQ(ch[0].onset, CivilSecond(2025, 4, 6, 3, 45, 0));
  EXPECT_EQ(ch[0].offset_to, 12 * kHour + 45 * 60);
  EXPECT_EQ(ch[1].onset, CivilSecond(2025, 9, 28, 2, 45, 0));
  EXPECT_EQ(ch[1].rrule, "FREQ=YEARLY;BYMONTH=9;BYDAY=-1SU");
}

TEST(ZoneObservancesTest, RulesThatAreNotAnOrdinalWeekdayUseAWindow) {
  // Greenland changes on the Saturday before the last Sunday of March.
  const absl::TimeZone nuuk = Zone("America/Nuuk");
  const std::vector<ZoneObservance> got = ZoneObservances(
      nuuk, At(CivilSecond(2026, 1, 1), nuuk), absl::InfiniteFuture());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].onset, CivilSecond(2025, 3, 29, 23, 0, 0));
  EXPECT_EQ(got[0].rrule,
            "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=24,25,26,27,28,29,30;BYDAY=SA");
}

TEST(ZoneObservancesTest, AZoneThatStoppedChangingEndsWithItsLastChange) {
  // Brazil dropped summer time in 2019.
  const absl::TimeZone sp = Zone("America/Sao_Paulo");
  EXPECT_EQ(
      ZoneObservances(sp, At(CivilSecond(2026, 1, 1), sp),
                      absl::InfiniteFuture()),
      (std::vector<ZoneObservance>{{false, CivilSecond(2019, 2, 17, 0, 0, 0),
                                    -2 * kHour, -3 * kHour, "-03", ""}}));

  const std::vector<ZoneObservance> since_2018 = ZoneObservances(
      sp, At(CivilSecond(2018, 6, 1), sp), absl::InfiniteFuture());
  ASSERT_EQ(since_2018.size(), 3u);
  EXPECT_EQ(since_2018[1].onset, CivilSecond(2018, 11, 4, 0, 0, 0));
  EXPECT_TRUE(since_2018[1].daylight);
  EXPECT_EQ(since_2018[2].onset, CivilSecond(2019, 2, 17, 0, 0, 0));
}

TEST(ZoneObservancesTest, AZoneThatNeverChangedStartsIn1601) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  EXPECT_EQ(ZoneObservances(utc, At(CivilSecond(2026, 1, 1), utc),
                            absl::InfiniteFuture()),
            (std::vector<ZoneObservance>{
                {false, CivilSecond(1601, 1, 1), 0, 0, "UTC", ""}}));
}

TEST(AppendVtimezoneTest, WritesTheObservances) {
  ContentLines lines;
  AppendVtimezone(
      Zone("America/New_York"),
      {{true, CivilSecond(2025, 3, 9, 2, 0, 0), -5 * kHour, -4 * kHour, "EDT",
        "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU"},
       {false, CivilSecond(1601, 1, 1), -5 * kHour, -5 * kHour, "EST", ""}},
      &lines);
  EXPECT_EQ(std::move(lines).Take(),
            "BEGIN:VTIMEZONE\r\n"
            "TZID:America/New_York\r\n"
            "BEGIN:DAYLIGHT\r\n"
            "DTSTART:20250309T020000\r\n"
            "TZOFFSETFROM:-0500\r\n"
            "TZOFFSETTO:-0400\r\n"
            "TZNAME:EDT\r\n"
            "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n"
            "END:DAYLIGHT\r\n"
            "BEGIN:STANDARD\r\n"
            "DTSTART:16010101T000000\r\n"
            "TZOFFSETFROM:-0500\r\n"
            "TZOFFSETTO:-0500\r\n"
            "TZNAME:EST\r\n"
            "END:STANDARD\r\n"
            "END:VTIMEZONE\r\n");
}

}  // namespace
}  // namespace tend::engine
