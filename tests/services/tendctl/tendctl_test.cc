// tendctl as developers run it: the built binary against the built
// tend-pairing on loopback, backed by a private redis-server. Checks what a
// person reads (prose, one-line errors, exit statuses) and what a script
// reads (--json).
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/child_process.h"
#include "tests/support/redis_server.h"

extern char** environ;

namespace tend {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::StartsWith;
using Env = std::vector<std::pair<std::string, std::string>>;

constexpr char kSecret[] = "tendctl-test-secret";

// What one tendctl run left behind.
struct Outcome {
  int status = -1;
  // Stdout, or stdout and stderr together for RunMerged().
  std::string out;
};

// Drops every TEND_* variable of the test's own environment, so a
// developer's TEND_TOKEN or TEND_PAIRING_ADDR cannot leak into tendctl.
void ForgetTendEnvironment() {
  std::vector<std::string> names;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    absl::string_view variable = *entry;
    if (absl::StartsWith(variable, "TEND_")) {
      names.emplace_back(variable.substr(0, variable.find('=')));
    }
  }
  for (const std::string& name : names) unsetenv(name.c_str());
}

// Runs tendctl with `args` and `env`; stderr is kept apart from `out`
// unless `merge_stderr`.
Outcome Tendctl(std::vector<std::string> args, const Env& env,
                bool merge_stderr = false) {
  args.insert(args.begin(), TENDCTL_BIN);
  auto [status, out] = testing::RunCommand(args, env, merge_stderr);
  return {status, out};
}

// The one line a failed call prints, "tendctl: CODE: message".
MATCHER_P(IsOneErrorLine, code, "") {
  const std::string prefix = absl::StrCat("tendctl: ", code, ": ");
  return absl::StartsWith(arg, prefix) && arg.size() > prefix.size() &&
         arg.back() == '\n' && arg.find('\n') == arg.size() - 1;
}

// Usage, flags and errors found before any call: no service needed.
class TendctlUsageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ForgetTendEnvironment(); }
};

TEST_F(TendctlUsageTest, HelpShowsEveryCommandAndDocumentsItsFlags) {
  const Outcome help = Tendctl({"--help"}, {}, /*merge_stderr=*/true);
  EXPECT_EQ(help.status, 0);
  for (const char* text : {"tendctl token --user ID",
                           "tendctl invite",
                           "tendctl accept CODE",
                           "tendctl couple",
                           "tendctl profile\n",
                           "tendctl profile set",
                           "tendctl unpair",
                           "tendctl export",
                           "tendctl delete-me",
                           "--user",
                           "--token",
                           "--json",
                           "--ttl",
                           "--tz",
                           "--quiet",
                           "--waking",
                           "--name",
                           "--languages",
                           "--leave",
                           "--budget",
                           "--erase_now",
                           "--pairing_addr",
                           "TEND_TOKEN",
                           "TEND_JWT_SECRET"}) {
    EXPECT_THAT(help.out, HasSubstr(text));
  }
  const Outcome command = Tendctl({"help", "profile", "set"}, {});
  EXPECT_EQ(command.status, 0);
  EXPECT_THAT(command.out, StartsWith("Usage: tendctl profile set"));
  EXPECT_THAT(command.out, HasSubstr("HH:MM-HH:MM"));
  EXPECT_THAT(command.out, HasSubstr("See also: tendctl profile"));
  EXPECT_EQ(Tendctl({"accept", "--help"}, {}).out,
            Tendctl({"help", "accept"}, {}).out);
}

TEST_F(TendctlUsageTest, UsageErrorsExitTwoWithAHint) {
  const Env env = {{"TEND_PAIRING_ADDR", "127.0.0.1:1"},
                   {"TEND_JWT_SECRET", kSecret}};
  const Outcome unknown = Tendctl({"frobnicate"}, env, /*merge_stderr=*/true);
  EXPECT_EQ(unknown.status, 2);
  EXPECT_THAT(unknown.out, HasSubstr("unknown command 'frobnicate'"));
  EXPECT_THAT(unknown.out, HasSubstr("tendctl --help"));

  const Outcome bad_flag = Tendctl({"couple", "--usr=alice"}, env, true);
  EXPECT_EQ(bad_flag.status, 2);
  EXPECT_THAT(bad_flag.out, HasSubstr("unknown flag '--usr=alice'"));
  const Outcome bad_value =
      Tendctl({"token", "--user=a", "--ttl", "soon"}, env, true);
  EXPECT_EQ(bad_value.status, 2);
  EXPECT_THAT(bad_value.out, HasSubstr("--ttl"));

  const Outcome quiet = Tendctl(
      {"profile", "set", "--user", "alice", "--quiet", "22-7"}, env, true);
  EXPECT_EQ(quiet.status, 2);
  EXPECT_THAT(quiet.out, HasSubstr("--quiet: expected HH:MM-HH:MM"));
  EXPECT_THAT(quiet.out, HasSubstr("tendctl help profile set"));

  const Outcome nothing =
      Tendctl({"profile", "set", "--user", "alice"}, env, true);
  EXPECT_EQ(nothing.status, 2);
  EXPECT_THAT(nothing.out, HasSubstr("nothing to change"));

  const Outcome missing = Tendctl({"accept", "--user", "alice"}, env, true);
  EXPECT_EQ(missing.status, 2);
  EXPECT_THAT(missing.out, HasSubstr("missing CODE"));

  const Outcome nobody = Tendctl({"couple"}, env, true);
  EXPECT_EQ(nobody.status, 2);
  EXPECT_THAT(nobody.out, HasSubstr("--user"));

  const Outcome both =
      Tendctl({"couple", "--user", "a", "--token", "t"}, env, true);
  EXPECT_EQ(both.status, 2);

  const Outcome nowhere = Tendctl({"couple", "--user", "alice"},
                                  {{"TEND_JWT_SECRET", kSecret}}, true);
  EXPECT_EQ(nowhere.status, 2);
  EXPECT_THAT(nowhere.out, HasSubstr("TEND_PAIRING_ADDR"));
}

TEST_F(TendctlUsageTest, AnUnreachableServiceIsUnavailable) {
  const Outcome run =
      Tendctl({"couple", "--user", "alice"},
              {{"TEND_PAIRING_ADDR",
                absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort())},
               {"TEND_JWT_SECRET", kSecret}},
              /*merge_stderr=*/true);
  EXPECT_EQ(run.status, 1);
  EXPECT_THAT(run.out, IsOneErrorLine("UNAVAILABLE"));
}

TEST_F(TendctlUsageTest, TokenPrintsABareJwtOrJson) {
  const Outcome bare =
      Tendctl({"token", "--user", "alice"}, {{"TEND_JWT_SECRET", kSecret}});
  EXPECT_EQ(bare.status, 0);
  EXPECT_THAT(bare.out, MatchesRegex("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\."
                                     "[A-Za-z0-9_-]+\n"));
  const Outcome json =
      Tendctl({"token", "--user", "alice", "--ttl=30m", "--json"},
              {{"TEND_JWT_SECRET", kSecret}});
  ASSERT_EQ(json.status, 0);
  const nlohmann::json parsed = nlohmann::json::parse(json.out);
  EXPECT_EQ(parsed["user"], "alice");
  EXPECT_TRUE(parsed["token"].is_string());
  EXPECT_TRUE(parsed["expireTime"].is_string());
  EXPECT_EQ(Tendctl({"token", "--user", "alice"}, {}, true).status, 2);
}

// The built tend-pairing on loopback with a private Redis.
class TendctlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ForgetTendEnvironment(); }

  void SetUp() override {
    ASSERT_TRUE(redis_.Start().ok());
    pairing_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{TEND_PAIRING_BIN, "--listen=127.0.0.1:0",
                                 absl::StrCat("--redis=", redis_.url())},
        Env{{"TEND_JWT_SECRET", kSecret}});
    ASSERT_TRUE(pairing_->Start().ok());
    absl::StatusOr<std::string> address = pairing_->WaitForListening();
    ASSERT_TRUE(address.ok()) << address.status();
    env_ = {{"TEND_PAIRING_ADDR", *address}, {"TEND_JWT_SECRET", kSecret}};
  }

  void TearDown() override {
    if (pairing_ != nullptr) {
      EXPECT_EQ(pairing_->Terminate(SIGTERM), 0) << pairing_->Stderr();
    }
  }

  // Runs tendctl against the service; stdout only.
  Outcome Ok(std::vector<std::string> args) {
    Outcome run = Tendctl(std::move(args), env_);
    EXPECT_EQ(run.status, 0) << run.out;
    return run;
  }

  // Runs tendctl expecting a failure; stdout and stderr together.
  Outcome Fails(std::vector<std::string> args) {
    return Tendctl(std::move(args), env_, /*merge_stderr=*/true);
  }

  // Runs tendctl with --json and parses what it printed.
  nlohmann::json Json(std::vector<std::string> args) {
    args.push_back("--json");
    const Outcome run = Ok(std::move(args));
    nlohmann::json parsed =
        nlohmann::json::parse(run.out, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(parsed.is_discarded()) << run.out;
    return parsed;
  }

  // `inviter` invites, `invitee` accepts.
  void Pair(const std::string& inviter, const std::string& invitee) {
    const std::string code =
        Json({"invite", "--user", inviter})["code"].get<std::string>();
    Ok({"accept", code, "--user", invitee});
  }

  testing::RedisServer redis_;
  std::unique_ptr<testing::ChildProcess> pairing_;
  Env env_;
};

TEST_F(TendctlTest, TwoPeopleInDifferentZonesPairAndSeeTheirCouple) {
  const Outcome alice =
      Ok({"profile", "set", "--user", "alice", "--name", "Alice", "--tz",
          "America/New_York", "--quiet", "22:30-06:45", "--waking",
          "06:45-22:30", "--languages", "time,words,touch,service,gifts",
          "--leave", "08:15", "--budget", "4"});
  EXPECT_THAT(alice.out, HasSubstr("alice (you)"));
  EXPECT_THAT(alice.out, HasSubstr("America/New_York, now "));
  EXPECT_THAT(alice.out, HasSubstr("22:30-06:45, overnight"));
  EXPECT_THAT(alice.out, HasSubstr("quality time > words of affirmation"));
  Ok({"profile", "set", "--user", "bob", "--name", "Bob", "--tz",
      "Europe/London", "--quiet", "23:00-07:00"});

  const Outcome invite = Ok({"invite", "--user", "alice"});
  EXPECT_THAT(invite.out, HasSubstr("Invite code: "));
  EXPECT_THAT(invite.out, HasSubstr("expires in 24 hours"));
  const nlohmann::json json_invite = Json({"invite", "--user", "alice"});
  const std::string code = json_invite["code"].get<std::string>();
  EXPECT_THAT(code, MatchesRegex("[0-9A-Z]{5}-[0-9A-Z]{5}"));
  EXPECT_TRUE(json_invite["expireTime"].is_string());

  EXPECT_THAT(Fails({"accept", code, "--user", "alice"}).out,
              IsOneErrorLine("INVALID_ARGUMENT"));
  const Outcome unknown = Fails({"accept", "00000-00000", "--user", "bob"});
  EXPECT_EQ(unknown.status, 1);
  EXPECT_THAT(unknown.out, IsOneErrorLine("NOT_FOUND"));

  const Outcome accepted = Ok({"accept", code, "--user", "bob"});
  EXPECT_THAT(accepted.out, HasSubstr("You are paired."));

  const nlohmann::json couple = Json({"couple", "--user", "alice"});
  EXPECT_THAT(couple["name"].get<std::string>(), StartsWith("couples/"));
  EXPECT_EQ(couple["homeTimeZone"], "America/New_York");
  ASSERT_EQ(couple["partners"].size(), 2u);
  const nlohmann::json& first = couple["partners"][0];
  const nlohmann::json& second = couple["partners"][1];
  EXPECT_EQ(first["userId"], "alice");
  EXPECT_EQ(first["profile"]["timeZone"], "America/New_York");
  EXPECT_EQ(first["profile"]["quietHours"]["start"]["hours"], 22);
  EXPECT_EQ(first["profile"]["quietHours"]["start"]["minutes"], 30);
  EXPECT_EQ(first["profile"]["leaveForWorkTime"]["hours"], 8);
  EXPECT_EQ(first["profile"]["dailyNotificationBudget"], 4);
  EXPECT_EQ(first["profile"]["loveLanguageRanking"][0],
            "LOVE_LANGUAGE_QUALITY_TIME");
  EXPECT_EQ(second["userId"], "bob");
  EXPECT_EQ(second["profile"]["timeZone"], "Europe/London");
  EXPECT_EQ(second["profile"]["displayName"], "Bob");

  const Outcome seen_by_bob = Ok({"couple", "--user", "bob"});
  for (const char* text :
       {"home time zone: America/New_York", "alice\n", "bob (you)\n", "Alice",
        "Europe/London, now ", "23:00-07:00, overnight", "08:15"}) {
    EXPECT_THAT(seen_by_bob.out, HasSubstr(text));
  }
  EXPECT_THAT(Fails({"couple", "--user", "carol"}).out,
              IsOneErrorLine("NOT_FOUND"));
}

TEST_F(TendctlTest, ABadTimeZoneIsTheServicesOneLineErrorAndStoresNothing) {
  const Outcome bad = Fails({"profile", "set", "--user", "alice", "--tz",
                             "Mars/Olympus", "--name", "Alice"});
  EXPECT_EQ(bad.status, 1);
  EXPECT_THAT(bad.out, IsOneErrorLine("INVALID_ARGUMENT"));
  EXPECT_THAT(bad.out, HasSubstr("time_zone"));
  const nlohmann::json profile = Json({"profile", "--user", "alice"});
  EXPECT_EQ(profile["timeZone"], "UTC");
  EXPECT_EQ(profile["displayName"], "");
}

TEST_F(TendctlTest, ProfileSetChangesExactlyTheFieldsGiven) {
  Ok({"profile", "set", "--user", "alice", "--tz", "Asia/Tokyo", "--leave",
      "07:40", "--languages", "touch,time,words,service,gifts"});
  const Outcome budget =
      Ok({"profile", "set", "--user", "alice", "--budget", "5"});
  EXPECT_THAT(budget.out, HasSubstr("Updated daily_notification_budget."));
  nlohmann::json profile = Json({"profile", "--user", "alice"});
  EXPECT_EQ(profile["timeZone"], "Asia/Tokyo");
  EXPECT_EQ(profile["dailyNotificationBudget"], 5);
  EXPECT_EQ(profile["leaveForWorkTime"]["hours"], 7);
  EXPECT_EQ(profile["loveLanguageRanking"].size(), 5u);

  Ok({"profile", "set", "--user", "alice", "--leave", "none", "--languages",
      "none"});
  profile = Json({"profile", "--user", "alice"});
  EXPECT_FALSE(profile.contains("leaveForWorkTime"));
  EXPECT_TRUE(profile["loveLanguageRanking"].empty());
  EXPECT_EQ(profile["timeZone"], "Asia/Tokyo");
}

TEST_F(TendctlTest, AMintedTokenWorksFromTheFlagAndTheEnvironment) {
  const std::string bare(
      absl::StripTrailingAsciiWhitespace(Ok({"token", "--user", "carol"}).out));
  EXPECT_THAT(Ok({"profile", "--token", bare}).out, HasSubstr("carol (you)"));

  Env with_token = env_;
  with_token.emplace_back("TEND_TOKEN", bare);
  const Outcome from_env = Tendctl({"profile"}, with_token);
  EXPECT_EQ(from_env.status, 0);
  EXPECT_THAT(from_env.out, HasSubstr("carol (you)"));

  Env wrong_secret = env_;
  wrong_secret.emplace_back("TEND_JWT_SECRET", "not-the-secret");
  const Outcome forged =
      Tendctl({"profile", "--user", "carol"}, wrong_secret, true);
  EXPECT_EQ(forged.status, 1);
  EXPECT_THAT(forged.out, IsOneErrorLine("UNAUTHENTICATED"));
}

TEST_F(TendctlTest, UnpairExportAndDeleteMe) {
  Pair("alice", "bob");
  const nlohmann::json exported = Json({"export", "--user", "bob"});
  nlohmann::json document =
      nlohmann::json::parse(exported["json"].get<std::string>());
  EXPECT_EQ(document["user_id"], "bob");
  // Without --json, the document itself (made again, so a second later).
  nlohmann::json again =
      nlohmann::json::parse(Ok({"export", "--user", "bob"}).out);
  for (nlohmann::json* d : {&document, &again}) d->erase("export_time");
  EXPECT_EQ(again, document);

  const Outcome unpaired = Ok({"unpair", "--user", "bob"});
  EXPECT_THAT(unpaired.out, HasSubstr("Unpaired."));
  EXPECT_THAT(unpaired.out, HasSubstr("for 7 days"));
  EXPECT_THAT(Fails({"couple", "--user", "alice"}).out,
              IsOneErrorLine("NOT_FOUND"));

  const nlohmann::json erased = Json({"delete-me", "--user", "alice"});
  EXPECT_GT(erased["erasedRecords"].get<int>(), 0);
  EXPECT_EQ(Json({"delete-me", "--user", "alice"})["erasedRecords"], 0);
  EXPECT_THAT(Ok({"delete-me", "--user", "bob"}).out, HasSubstr("Erased "));
}

}  // namespace
}  // namespace tend
