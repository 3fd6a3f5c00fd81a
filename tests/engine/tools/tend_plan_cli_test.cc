// tend-plan run as a process: what it prints, and exit status 2 with one
// line on stderr for invalid input.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/child_process.h"

namespace tend::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Outcome {
  int status;
  std::vector<std::string> lines;  // stdout, or stdout then stderr
};

Outcome TendPlan(std::vector<std::string> args, bool merge_stderr = false) {
  args.insert(args.begin(), TEND_PLAN_BIN);
  auto [status, out] = tend::testing::RunCommand(args, {}, merge_stderr);
  return {status, absl::StrSplit(out, '\n', absl::SkipEmpty())};
}

TEST(TendPlanExpandTest, PrintsOccurrencesWithTheZonesOffset) {
  Outcome run =
      TendPlan({"expand", "--rrule", "FREQ=DAILY", "--dtstart",
                "20260307T023000", "--tz", "America/New_York", "--count", "3"});
  EXPECT_EQ(run.status, 0);
  EXPECT_THAT(run.lines, ElementsAre("2026-03-07T02:30:00-05:00",
                                     "2026-03-08T03:30:00-04:00",
                                     "2026-03-09T02:30:00-04:00"));
}

TEST(TendPlanExpandTest, DefaultsToTwentyAndHonoursAfter) {
  Outcome all = TendPlan({"expand", "--rrule=RRULE:FREQ=WEEKLY;BYDAY=SU",
                          "--dtstart=20260301T190000", "--tz=Pacific/Chatham"});
  EXPECT_EQ(all.status, 0);
  EXPECT_EQ(all.lines.size(), 20u);
  EXPECT_EQ(all.lines[0], "2026-03-01T19:00:00+13:45");

  Outcome after =
      TendPlan({"expand", "--rrule", "FREQ=WEEKLY;BYDAY=SU", "--dtstart",
                "20260301T190000", "--tz", "Pacific/Chatham", "--after",
                "2026-04-05T06:15:00Z", "--count", "2"});
  EXPECT_EQ(after.status, 0);
  // 2026-04-05T06:15Z is 19:00 local, +13:45: strictly after it is the
  // next Sunday, in standard time.
  EXPECT_THAT(after.lines, ElementsAre("2026-04-12T19:00:00+12:45",
                                       "2026-04-19T19:00:00+12:45"));
}

TEST(TendPlanExpandTest, StopsWhenTheRuleEnds) {
  Outcome run =
      TendPlan({"expand", "--rrule", "FREQ=MONTHLY;BYDAY=-1FR;COUNT=2",
                "--dtstart", "20260130T200000", "--tz", "UTC"});
  EXPECT_EQ(run.status, 0);
  EXPECT_THAT(run.lines, ElementsAre("2026-01-30T20:00:00+00:00",
                                     "2026-02-27T20:00:00+00:00"));
}

TEST(TendPlanExpandTest, InvalidInputIsStatusTwoAndOneLine) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const Case cases[] = {
      {{"expand", "--rrule", "FREQ=HOURLY", "--dtstart", "20260101T090000",
        "--tz", "UTC"},
       "rrule.FREQ: must be DAILY, WEEKLY, MONTHLY or YEARLY"},
      {{"expand", "--rrule", "FREQ=DAILY;BYHOUR=9", "--dtstart",
        "20260101T090000", "--tz", "UTC"},
       "rrule: BYHOUR is not supported"},
      {{"expand", "--rrule", "FREQ=DAILY", "--dtstart", "20260230T090000",
        "--tz", "UTC"},
       "--dtstart: \"20260230T090000\" is not a valid date-time"},
      {{"expand", "--rrule", "FREQ=DAILY", "--dtstart", "20260101T090000",
        "--tz", "Mars/Olympus"},
       "--tz: unknown time zone \"Mars/Olympus\""},
      {{"expand", "--rrule", "FREQ=DAILY", "--dtstart", "20260101T090000",
        "--tz", "UTC", "--count", "0"},
       "--count: must be an integer from 1 to 100000"},
      {{"expand", "--rrule", "FREQ=DAILY", "--dtstart", "20260101T090000",
        "--tz", "UTC", "--after", "yesterday"},
       "--after: \"yesterday\" is not an RFC 3339 time"},
      {{"expand", "--dtstart", "20260101T090000", "--tz", "UTC"},
       "--rrule is required"},
      {{"expand", "--rrule", "FREQ=DAILY", "--dtstart", "20260101T090000",
        "--tz", "UTC", "--colour", "blue"},
       "unknown flag --colour"},
      {{"expand", "--rrule"}, "--rrule needs a value"},
  };
  for (const Case& c : cases) {
    Outcome run = TendPlan(c.args, /*merge_stderr=*/true);
    EXPECT_EQ(run.status, 2) << c.message;
    ASSERT_EQ(run.lines.size(), 1u) << c.message;
    EXPECT_TRUE(absl::StartsWith(run.lines[0], "tend-plan expand: "))
        << run.lines[0];
    EXPECT_THAT(run.lines[0], HasSubstr(c.message));
  }
}

TEST(TendPlanTest, HelpAndUnknownCommands) {
  Outcome help = TendPlan({"--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_THAT(help.lines, ::testing::Contains(HasSubstr("expand")));

  Outcome expand_help = TendPlan({"expand", "--help"});
  EXPECT_EQ(expand_help.status, 0);
  EXPECT_THAT(expand_help.lines[0], HasSubstr("usage: tend-plan expand"));

  Outcome unknown = TendPlan({"explode"}, /*merge_stderr=*/true);
  EXPECT_EQ(unknown.status, 2);
  ASSERT_EQ(unknown.lines.size(), 1u);
  EXPECT_THAT(unknown.lines[0], HasSubstr("unknown command \"explode\""));

  Outcome none = TendPlan({}, /*merge_stderr=*/true);
  EXPECT_EQ(none.status, 2);
}

}  // namespace
}  // namespace tend::engine
