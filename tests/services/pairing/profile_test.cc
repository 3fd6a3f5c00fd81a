#include "services/pairing/profile.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tend::pairing {
namespace {

using ::tend::type::v1::LoveLanguage;
using ::testing::HasSubstr;

PartnerProfile Valid() {
  PartnerProfile p = DefaultProfile();
  p.set_display_name("Alice");
  p.set_time_zone("America/New_York");
  for (int l = 1; l <= 5; ++l) {
    p.add_love_language_ranking(static_cast<LoveLanguage>(6 - l));
  }
  return p;
}

// Expects INVALID_ARGUMENT whose message starts with `field`.
void ExpectInvalid(const PartnerProfile& p, const std::string& field) {
  absl::Status s = ValidateProfile(p);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << field;
  EXPECT_THAT(std::string(s.message()), ::testing::StartsWith(field));
}

TEST(ProfileTest, DefaultsAndAFullProfileAreValid) {
  EXPECT_TRUE(ValidateProfile(DefaultProfile()).ok());
  EXPECT_TRUE(ValidateProfile(Valid()).ok());
}

TEST(ProfileTest, TimeZoneMustBeInTheDatabase) {
  for (const char* zone : {"Asia/Kolkata", "Australia/Lord_Howe",
                           "Pacific/Chatham", "America/Sao_Paulo", "UTC"}) {
    PartnerProfile p = Valid();
    p.set_time_zone(zone);
    EXPECT_TRUE(ValidateProfile(p).ok()) << zone;
  }
  for (const char* zone :
       {"", "Mars/Olympus_Mons", "+05:00", "UTC+5", "Fixed/UTC+05:00:00",
        "../../etc/passwd", "America/New York"}) {
    PartnerProfile p = Valid();
    p.set_time_zone(zone);
    ExpectInvalid(p, "profile.time_zone");
  }
}

TEST(ProfileTest, WindowsMustHoldValidDistinctTimes) {
  PartnerProfile p = Valid();
  p.mutable_quiet_hours()->mutable_start()->set_hours(24);
  ExpectInvalid(p, "profile.quiet_hours.start.hours");
  p = Valid();
  p.mutable_waking_hours()->mutable_end()->set_minutes(-1);
  ExpectInvalid(p, "profile.waking_hours.end.minutes");
  p = Valid();
  *p.mutable_waking_hours()->mutable_end() = p.waking_hours().start();
  ExpectInvalid(p, "profile.waking_hours");
  p = Valid();
  p.mutable_quiet_hours()->clear_end();
  ExpectInvalid(p, "profile.quiet_hours");
  p = Valid();
  p.clear_waking_hours();
  ExpectInvalid(p, "profile.waking_hours");
}

TEST(ProfileTest, RankingIsEmptyOrAPermutationOfTheFive) {
  PartnerProfile p = Valid();
  p.clear_love_language_ranking();
  EXPECT_TRUE(ValidateProfile(p).ok());
  p.add_love_language_ranking(tend::type::v1::LOVE_LANGUAGE_QUALITY_TIME);
  ExpectInvalid(p, "profile.love_language_ranking");
  p = Valid();
  p.set_love_language_ranking(4, p.love_language_ranking(0));
  ExpectInvalid(p, "profile.love_language_ranking");
  p = Valid();
  p.set_love_language_ranking(2, tend::type::v1::LOVE_LANGUAGE_UNSPECIFIED);
  ExpectInvalid(p, "profile.love_language_ranking");
  p = Valid();
  p.set_love_language_ranking(2, static_cast<LoveLanguage>(42));
  ExpectInvalid(p, "profile.love_language_ranking");
}

TEST(ProfileTest, NameIsShortPrintableUtf8) {
  PartnerProfile p = Valid();
  p.set_display_name("Zoë 💛");
  EXPECT_TRUE(ValidateProfile(p).ok());
  p.set_display_name(std::string(65, 'a'));
  ExpectInvalid(p, "profile.display_name");
  p.set_display_name("bad\xff");
  ExpectInvalid(p, "profile.display_name");
  p.set_display_name("line\nbreak");
  ExpectInvalid(p, "profile.display_name");
}

TEST(ProfileTest, BudgetAndLeaveTime) {
  PartnerProfile p = Valid();
  p.set_daily_notification_budget(0);
  ExpectInvalid(p, "profile.daily_notification_budget");
  p = Valid();
  p.mutable_leave_for_work_time()->set_hours(25);
  ExpectInvalid(p, "profile.leave_for_work_time.hours");
}

TEST(ProfileTest, MaskedUpdateChangesOnlyNamedFields) {
  PartnerProfile update;
  update.set_time_zone("Europe/London");
  update.set_display_name("ignored");
  google::protobuf::FieldMask mask;
  mask.add_paths("time_zone");
  absl::StatusOr<PartnerProfile> merged =
      ApplyProfileUpdate(Valid(), update, mask);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->time_zone(), "Europe/London");
  EXPECT_EQ(merged->display_name(), "Alice");
  EXPECT_EQ(merged->love_language_ranking_size(), 5);
}

TEST(ProfileTest, MaskedUpdateCanClearOptionalFields) {
  PartnerProfile current = Valid();
  current.mutable_leave_for_work_time()->set_hours(8);
  google::protobuf::FieldMask mask;
  mask.add_paths("leave_for_work_time");
  mask.add_paths("love_language_ranking");
  absl::StatusOr<PartnerProfile> merged =
      ApplyProfileUpdate(current, PartnerProfile(), mask);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_FALSE(merged->has_leave_for_work_time());
  EXPECT_EQ(merged->love_language_ranking_size(), 0);
}

TEST(ProfileTest, MaskedUpdateRejectsUnknownPathsAndInvalidResults) {
  google::protobuf::FieldMask mask;
  mask.add_paths("shoe_size");
  absl::Status s = ApplyProfileUpdate(Valid(), Valid(), mask).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("update_mask.paths"));
  mask.set_paths(0, "quiet_hours");
  PartnerProfile update;  // no quiet hours: the merged profile is invalid
  s = ApplyProfileUpdate(Valid(), update, mask).status();
  EXPECT_THAT(std::string(s.message()), HasSubstr("profile.quiet_hours"));
}

TEST(ProfileTest, EmptyMaskReplacesEverything) {
  PartnerProfile update = Valid();
  update.set_display_name("Bob");
  absl::StatusOr<PartnerProfile> merged =
      ApplyProfileUpdate(DefaultProfile(), update, {});
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(merged->display_name(), "Bob");
  EXPECT_FALSE(ApplyProfileUpdate(Valid(), PartnerProfile(), {}).ok());
}

}  // namespace
}  // namespace tend::pairing
