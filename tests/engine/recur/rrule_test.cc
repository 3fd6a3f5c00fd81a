// ParseRrule and FormatRrule: what is accepted, how it is normalized, and
// the message for each kind of rejected rule.
#include "engine/recur/rrule.h"

#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "gtest/gtest.h"

namespace tend::engine {
namespace {

std::string Normalized(absl::string_view text) {
  absl::StatusOr<Rrule> rule = ParseRrule(text);
  if (!rule.ok()) return std::string(rule.status().message());
  return FormatRrule(*rule);
}

TEST(RruleTest, NormalizesOrderCaseAndDefaults) {
  EXPECT_EQ(Normalized("FREQ=DAILY"), "FREQ=DAILY");
  EXPECT_EQ(Normalized("RRULE:FREQ=DAILY"), "FREQ=DAILY");
  EXPECT_EQ(Normalized(" rrule:byday=fr,mo,mo;freq=weekly;interval=1; "),
            "FREQ=WEEKLY;BYDAY=MO,FR");
  EXPECT_EQ(Normalized("FREQ=MONTHLY;BYDAY=-1SU,1FR,+2MO"),
            "FREQ=MONTHLY;BYDAY=1FR,2MO,-1SU");
  EXPECT_EQ(Normalized("FREQ=MONTHLY;BYMONTHDAY=-1,15,1,15"),
            "FREQ=MONTHLY;BYMONTHDAY=1,15,-1");
  EXPECT_EQ(Normalized("WKST=SU;FREQ=WEEKLY;INTERVAL=2;COUNT=10;BYDAY=TU"),
            "FREQ=WEEKLY;INTERVAL=2;COUNT=10;BYDAY=TU;WKST=SU");
  EXPECT_EQ(Normalized("FREQ=YEARLY;BYMONTH=11,3;BYDAY=1SU;BYSETPOS=-1"),
            "FREQ=YEARLY;BYMONTH=3,11;BYDAY=1SU;BYSETPOS=-1");
  EXPECT_EQ(Normalized("FREQ=DAILY;UNTIL=20261231T235959Z"),
            "FREQ=DAILY;UNTIL=20261231T235959Z");
  EXPECT_EQ(Normalized("FREQ=DAILY;UNTIL=20261231T090000"),
            "FREQ=DAILY;UNTIL=20261231T090000");
  EXPECT_EQ(Normalized("FREQ=DAILY;UNTIL=20261231"),
            "FREQ=DAILY;UNTIL=20261231");
}

TEST(RruleTest, FormatThenParseIsTheSameRule) {
  for (absl::string_view text :
       {"FREQ=YEARLY;INTERVAL=3;COUNT=7;BYMONTH=2;BYMONTHDAY=-1",
        "FREQ=WEEKLY;UNTIL=20300101T000000Z;BYDAY=SA,SU;BYSETPOS=1;WKST=SU",
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"}) {
    EXPECT_EQ(Normalized(Normalized(text)), Normalized(text)) << text;
    EXPECT_EQ(Normalized(text), text);
  }
}

struct Rejected {
  absl::string_view rule;
  absl::string_view message;
};

TEST(RruleTest, RejectsNamingThePart) {
  const Rejected cases[] = {
      {"", "rrule: is empty"},
      {"RRULE:", "rrule: is empty"},
      {"INTERVAL=2", "rrule: FREQ is required"},
      {"FREQ=HOURLY", "rrule.FREQ: must be DAILY, WEEKLY, MONTHLY or YEARLY"},
      {"FREQ=SECONDLY", "rrule.FREQ: must be DAILY, WEEKLY, MONTHLY or YEARLY"},
      {"FREQ=MINUTELY", "rrule.FREQ: must be DAILY, WEEKLY, MONTHLY or YEARLY"},
      {"FREQ=FORTNIGHTLY",
       "rrule.FREQ: must be DAILY, WEEKLY, MONTHLY or YEARLY"},
      {"FREQ=DAILY;BYHOUR=9", "rrule: BYHOUR is not supported"},
      {"FREQ=DAILY;BYMINUTE=0", "rrule: BYMINUTE is not supported"},
      {"FREQ=DAILY;BYSECOND=0", "rrule: BYSECOND is not supported"},
      {"FREQ=YEARLY;BYWEEKNO=20", "rrule: BYWEEKNO is not supported"},
      {"FREQ=YEARLY;BYYEARDAY=100", "rrule: BYYEARDAY is not supported"},
      {"FREQ=YEARLY;RSCALE=HEBREW", "rrule: RSCALE is not supported"},
      {"FREQ=DAILY;COLOR=RED", "rrule: COLOR is not a recurrence rule part"},
      {"FREQ=DAILY;BYDAY", "rrule: \"BYDAY\" is not NAME=VALUE"},
      {"FREQ=DAILY;FREQ=WEEKLY", "rrule.FREQ: is given more than once"},
      {"FREQ=DAILY;INTERVAL=0",
       "rrule.INTERVAL: must be an integer from 1 to 32767"},
      {"FREQ=DAILY;INTERVAL=x",
       "rrule.INTERVAL: must be an integer from 1 to 32767"},
      {"FREQ=DAILY;COUNT=0", "rrule.COUNT: must be a positive integer"},
      {"FREQ=DAILY;COUNT=-3", "rrule.COUNT: must be a positive integer"},
      {"FREQ=DAILY;COUNT=3;UNTIL=20260101",
       "rrule: COUNT and UNTIL cannot both be set"},
      {"FREQ=DAILY;UNTIL=2026",
       "rrule.UNTIL: must be YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ"},
      {"FREQ=DAILY;UNTIL=20260230",
       "rrule.UNTIL: 20260230 is not a valid date"},
      {"FREQ=DAILY;UNTIL=20260101T250000Z",
       "rrule.UNTIL: 20260101T250000Z is not a valid date-time"},
      {"FREQ=YEARLY;BYMONTH=13",
       "rrule.BYMONTH: must be a list of months 1 to 12"},
      {"FREQ=MONTHLY;BYMONTHDAY=0",
       "rrule.BYMONTHDAY: must be a list of days 1 to 31 or -31 to -1"},
      {"FREQ=MONTHLY;BYMONTHDAY=32",
       "rrule.BYMONTHDAY: must be a list of days 1 to 31 or -31 to -1"},
      {"FREQ=MONTHLY;BYMONTHDAY=1,,2",
       "rrule.BYMONTHDAY: must be a list of days 1 to 31 or -31 to -1"},
      {"FREQ=WEEKLY;BYDAY=XX",
       "rrule.BYDAY: \"XX\" is not a weekday such as MO, 1FR or -1SU"},
      {"FREQ=MONTHLY;BYDAY=0MO",
       "rrule.BYDAY: \"0MO\" is not a weekday such as MO, 1FR or -1SU"},
      {"FREQ=YEARLY;BYDAY=54MO",
       "rrule.BYDAY: \"54MO\" is not a weekday such as MO, 1FR or -1SU"},
      {"FREQ=WEEKLY;BYDAY=1MO",
       "rrule.BYDAY: ordinals such as 1FR need FREQ=MONTHLY or YEARLY"},
      {"FREQ=DAILY;BYDAY=-1FR",
       "rrule.BYDAY: ordinals such as 1FR need FREQ=MONTHLY or YEARLY"},
      {"FREQ=MONTHLY;BYDAY=6MO",
       "rrule.BYDAY: an ordinal within a month must be 1 to 5 or -5 to -1"},
      {"FREQ=YEARLY;BYMONTH=3;BYDAY=10FR",
       "rrule.BYDAY: an ordinal within a month must be 1 to 5 or -5 to -1"},
      {"FREQ=MONTHLY;BYSETPOS=1", "rrule: BYSETPOS needs another BY rule"},
      {"FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0",
       "rrule.BYSETPOS: must be a list of positions 1 to 366 or -366 to -1"},
      {"FREQ=DAILY;BYDAY=MO;BYSETPOS=1",
       "rrule: BYSETPOS needs FREQ=WEEKLY, MONTHLY or YEARLY"},
      {"FREQ=WEEKLY;BYMONTHDAY=1",
       "rrule: BYMONTHDAY cannot be used with FREQ=WEEKLY"},
      {"FREQ=WEEKLY;WKST=XY",
       "rrule.WKST: must be MO, TU, WE, TH, FR, SA or SU"},
  };
  for (const Rejected& c : cases) {
    absl::StatusOr<Rrule> rule = ParseRrule(c.rule);
    ASSERT_FALSE(rule.ok()) << c.rule;
    EXPECT_EQ(rule.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(rule.status().message(), c.message) << c.rule;
  }
}

TEST(RruleTest, LocalDateTime) {
  absl::StatusOr<absl::CivilSecond> t = ParseLocalDateTime("20260308T023000");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, absl::CivilSecond(2026, 3, 8, 2, 30, 0));
  EXPECT_EQ(FormatLocalDateTime(*t), "20260308T023000");
  EXPECT_FALSE(ParseLocalDateTime("20260230T090000").ok());
  EXPECT_FALSE(ParseLocalDateTime("2026-03-08T02:30:00").ok());
  EXPECT_FALSE(ParseLocalDateTime("20260308T0230").ok());
  EXPECT_FALSE(ParseLocalDateTime("20260308T023000Z").ok());
  EXPECT_FALSE(ParseLocalDateTime("00000101T000000").ok());
}

}  // namespace
}  // namespace tend::engine
