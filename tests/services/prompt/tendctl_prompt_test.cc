// tendctl's prompt commands as a person runs them: the built binary
// against pairing and the prompt service on loopback (PromptFixture), with
// the test's development secret. Checks what a person reads and the exit
// statuses.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/services/prompt/prompt_fixture.h"
#include "tests/support/child_process.h"

namespace tend::prompt {
namespace {

using ::testing::HasSubstr;

class TendctlPromptTest : public PromptFixture {
 protected:
  // Runs tendctl as `user` with `args`; returns {status, stdout+stderr}.
  std::pair<int, std::string> Tendctl(const std::string& user,
                                      std::vector<std::string> args) {
    std::vector<std::string> argv = {
        TENDCTL_BIN,
        args.front(),
        absl::StrCat("--user=", user),
        absl::StrCat("--jwt_secret=", testing::kTestJwtSecret),
        absl::StrCat("--pairing_addr=", h_.server()->address()),
        absl::StrCat("--prompt_addr=", prompt_server_->address())};
    argv.insert(argv.end(), args.begin() + 1, args.end());
    return testing::RunCommand(argv, {}, /*merge_stderr=*/true);
  }
};

TEST_F(TendctlPromptTest, AQuestionAnsweredByBothFromTheCommandLine) {
  PairAliceAndBob();
  auto [status, out] = Tendctl("alice", {"question"});
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("for you both"));
  EXPECT_THAT(out, HasSubstr("Neither of you has answered yet"));
  std::tie(status, out) = Tendctl("alice", {"answer", "From the shell"});
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("Bob has not answered yet"));
  std::tie(status, out) = Tendctl("bob", {"answers"});
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("Alice has answered; you'll see it"));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("From the shell")));
  std::tie(status, out) = Tendctl("bob", {"answer", "And from mine"});
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("You have both answered"));
  EXPECT_THAT(out, HasSubstr("From the shell"));
  // After the reveal an edit is the service's refusal: exit 1.
  std::tie(status, out) = Tendctl("alice", {"answer", "Changed my mind"});
  EXPECT_EQ(status, 1) << out;
  EXPECT_THAT(out, HasSubstr("FAILED_PRECONDITION"));
  // A missing answer is a usage error: exit 2.
  std::tie(status, out) = Tendctl("alice", {"answer"});
  EXPECT_EQ(status, 2) << out;
  // Scripts read JSON.
  std::tie(status, out) = Tendctl("alice", {"question", "--json"});
  ASSERT_EQ(status, 0) << out;
  const nlohmann::json question = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(question.is_discarded()) << out;
  EXPECT_EQ(question["answeredUserIds"].size(), 2u);
}

TEST_F(TendctlPromptTest, QuizGestureAndCheck) {
  PairAliceAndBob();
  auto [status, out] = Tendctl("bob", {"quiz"});
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("30 pairs"));
  std::tie(status, out) = Tendctl(
      "bob",
      {"quiz", absl::StrCat("--picks=", std::string(30, 'b')), "--save"});
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("most felt first"));
  EXPECT_THAT(out, HasSubstr("Saved to your profile"));
  std::tie(status, out) = Tendctl("bob", {"quiz", "--picks=ab"});
  EXPECT_EQ(status, 2) << out;
  // Alice's gesture now speaks Bob's saved languages.
  std::tie(status, out) = Tendctl("alice", {"gesture"});
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("A small act for Bob"));
  std::tie(status, out) = Tendctl("alice", {"check"});
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("no check completed yet"));
  const std::string ratings = "--ratings=2,2,2,2,2,2,2,2,2,2,2,2";
  std::tie(status, out) = Tendctl("alice", {"check", ratings});
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("Your own connection: 75/100"));
  std::tie(status, out) = Tendctl("bob", {"check", ratings});
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("You have both taken it"));
  EXPECT_THAT(out, HasSubstr("Your couple's connection: 75/100"));
}

}  // namespace
}  // namespace tend::prompt
