// tendctl's parsing and printing helpers, and the shape of its command
// table, without any service.
#include "services/tendctl/cli.h"

#include <set>
#include <string>
#include <vector>

#include "absl/flags/reflection.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/tendctl/commands.h"

namespace tend::tendctl {
namespace {

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

}  // namespace
}  // namespace tend::tendctl
