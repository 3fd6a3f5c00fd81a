#include "services/pairing/invite_code.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tend::pairing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

TEST(InviteCodeTest, LooksLikeTwoGroupsOfFiveCrockfordCharacters) {
  for (int i = 0; i < 200; ++i) {
    absl::StatusOr<std::string> code = NewInviteCode();
    ASSERT_TRUE(code.ok());
    EXPECT_THAT(*code,
                MatchesRegex("[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}"));
  }
}

TEST(InviteCodeTest, CodesDoNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(*NewInviteCode());
  EXPECT_EQ(seen.size(), 10000u);  // 50 bits: a repeat here means bad RNG
}

TEST(InviteCodeTest, NormalizeForgivesWhatPeopleType) {
  EXPECT_EQ(*NormalizeInviteCode("7kq2m-x9dht"), "7KQ2MX9DHT");
  EXPECT_EQ(*NormalizeInviteCode(" 7KQ2M X9DHT "), "7KQ2MX9DHT");
  EXPECT_EQ(*NormalizeInviteCode("oIL00-12345"),
            "01100"
            "12345");
  EXPECT_EQ(*NormalizeInviteCode(DisplayInviteCode("ABCDEFGHJK")),
            "ABCDEFGHJK");
}

TEST(InviteCodeTest, NormalizeRejectsWhatCannotBeACode) {
  EXPECT_THAT(std::string(NormalizeInviteCode("").status().message()),
              HasSubstr("code: required"));
  for (const char* bad :
       {"ABCDE", "ABCDE-FGHJKM", "ABCDE-FGHJU", "ABC$E-FGHJK", "ÄBCDE-FGHJK"}) {
    absl::StatusOr<std::string> code = NormalizeInviteCode(bad);
    EXPECT_EQ(code.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(code.status().message()), HasSubstr("code:"));
  }
}

TEST(InviteCodeTest, CoupleIdsAreSixteenHexCharacters) {
  EXPECT_THAT(*NewCoupleId(), MatchesRegex("[0-9a-f]{16}"));
}

}  // namespace
}  // namespace tend::pairing
