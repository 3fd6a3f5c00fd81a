// The authorization matrix of issue 8, over every RPC of pairing, prompt
// and scheduler, walked from their proto descriptors against the real
// binaries on one private Redis.
//
// Callers:
//   - bad tokens (security::BadTokens) → UNAUTHENTICATED, every RPC;
//   - strangers: carol (of another couple) and eve (in no couple) sending
//     the members' own requests → NOT_FOUND or PERMISSION_DENIED for what
//     names the couple's or a member's resources; for RPCs on the caller's
//     own data, whatever they answer must not hold the couple's data;
//   - the right member (or, for service-only RPCs, a service token) → OK,
//     with a user token refused PERMISSION_DENIED on service-only RPCs.
//
// Every RPC of the three services must have a row in security::Rows()
// (rpc_rows.cc), or the test fails: a new RPC cannot ship without saying who
// may call it.
//
// Where the member cannot reach OK from the state the test builds, the row
// says which documented error it gets and why (Row::note in rpc_rows.cc).
#include "tests/security/auth_matrix.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "google/protobuf/dynamic_message.h"
#include "gtest/gtest.h"
#include "tests/security/rpc_rows.h"

namespace tend::security {
namespace {

class AuthMatrixTest : public CoupleStack {
 protected:
  // The keys and values that belong to alice, bob or their couple.
  std::map<std::string, std::string> CoupleState() {
    const std::string couple_id = Vars()["COUPLE"].substr(8);
    return RedisSnapshot([&](const std::string& key) {
      return !absl::StrContains(key, couple_id) &&
             !absl::StrContains(key, "alice") && !absl::StrContains(key, "bob");
    });
  }
};

TEST_F(AuthMatrixTest, EveryRowIsAnRpcAndEveryRpcHasARow) {
  std::set<std::string> rows;
  for (const Row& row : Rows()) {
    EXPECT_NE(MethodOf(row), nullptr) << row.service << "." << row.method;
    EXPECT_TRUE(rows.insert(absl::StrCat(row.service, ".", row.method)).second)
        << "two rows for " << row.method;
  }
  for (const auto& [short_name, full_name] : ServiceNames()) {
    for (const auto* method : Methods(FindService(full_name))) {
      EXPECT_TRUE(rows.count(absl::StrCat(short_name, ".", method->name())))
          << "no row for " << method->full_name();
    }
  }
}

TEST_F(AuthMatrixTest, EveryRpcRefusesEveryBadToken) {
  const absl::Time now = absl::Now();
  int calls = 0;
  for (const auto& [short_name, full_name] : ServiceNames()) {
    const std::vector<BadToken> bad = BadTokens(e2e::kJwtSecret, "alice", now);
    for (const auto* method : Methods(FindService(full_name))) {
      for (const BadToken& token : bad) {
        CallResult r =
            CallMethod(ChannelOf(short_name), method, token.authorization, "");
        EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
            << method->full_name() << " with " << token.why << ": "
            << CodeName(r.status.error_code()) << " "
            << r.status.error_message();
        ++calls;
      }
    }
    // Service tokens go wrong in their own ways: a service secret's token
    // that claims a user is not a user, and an expired or badly signed
    // service token is no service.
    const std::vector<BadToken> bad_service = {
        {"a user claimed with the service secret",
         Bearer(e2e::kServiceSecret, "alice", now + absl::Hours(1))},
        {"an expired service token",
         Bearer(e2e::kServiceSecret, "service:pairing",
                now - absl::Seconds(1))},
        {"a service token with a wrong secret",
         Bearer("not-the-service-secret", "service:pairing",
                now + absl::Hours(1))},
    };
    for (const auto* method : Methods(FindService(full_name))) {
      for (const BadToken& token : bad_service) {
        CallResult r =
            CallMethod(ChannelOf(short_name), method, token.authorization, "");
        EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
            << method->full_name() << " with " << token.why << ": "
            << CodeName(r.status.error_code());
      }
    }
  }
  EXPECT_GT(calls, 60 * 10);
}

TEST_F(AuthMatrixTest, StrangersMembersAndServices) {
  ASSERT_NO_FATAL_FAILURE(BuildState());
  const std::string couple_id = Vars()["COUPLE"].substr(8);

  // Strangers first, while every resource exists; they must change nothing
  // of the couple's.
  const std::map<std::string, std::string> before = CoupleState();
  for (const Row& row : Rows()) {
    for (const char* stranger : {"carol", "eve"}) {
      const std::string text =
          row.stranger_request != nullptr ? row.stranger_request : row.request;
      CallResult r = Call(row, stranger, text);
      const grpc::StatusCode code = r.status.error_code();
      const std::string where =
          absl::StrCat(row.service, ".", row.method, " by ", stranger, ": ",
                       CodeName(code), " ", r.status.error_message());
      switch (row.scope) {
        case Scope::kMember:
          EXPECT_TRUE(code == grpc::StatusCode::NOT_FOUND ||
                      code == grpc::StatusCode::PERMISSION_DENIED)
              << where;
          break;
        case Scope::kService:
          EXPECT_EQ(code, grpc::StatusCode::PERMISSION_DENIED) << where;
          break;
        case Scope::kOwn:
          EXPECT_NE(code, grpc::StatusCode::UNAUTHENTICATED) << where;
          EXPECT_NE(code, grpc::StatusCode::INTERNAL) << where;
          EXPECT_NE(code, grpc::StatusCode::UNKNOWN) << where;
          break;
      }
      for (const char* secret : {couple_id.c_str(), "alice", "bob"}) {
        EXPECT_FALSE(absl::StrContains(r.response, secret))
            << where << " answered with the couple's " << secret;
        EXPECT_FALSE(absl::StrContains(r.status.error_message(), secret) &&
                     row.scope != Scope::kMember)
            << where;
      }
    }
  }
  EXPECT_EQ(CoupleState(), before) << "a stranger changed the couple's data";

  // Service-only RPCs refuse the members' own tokens.
  for (const Row& row : Rows()) {
    if (row.scope != Scope::kService) continue;
    for (const char* member : {"alice", "bob"}) {
      CallResult r = Call(row, member, row.request);
      EXPECT_EQ(r.status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << row.method << " by " << member << ": "
          << CodeName(r.status.error_code());
    }
  }

  // A service acts for no person: user RPCs refuse service tokens, except
  // where an operator may look (documented in the .proto).
  const std::set<std::string> operator_may = {
      "ListDeliveries",  // operators read delivery records
      "ListRitualTemplates", "GetRitualTemplate",   // public catalog
      "ListCatalogItems",    "GetCatalogItem",      // public catalog
      "GetLoveLanguageQuiz", "GetConnectionCheck",  // public questionnaires
  };
  for (const Row& row : Rows()) {
    if (row.scope == Scope::kService) continue;
    CallResult r = Call(row, "service:scheduler", row.request);
    const grpc::StatusCode code = r.status.error_code();
    if (operator_may.count(row.method)) {
      EXPECT_NE(code, grpc::StatusCode::UNAUTHENTICATED) << row.method;
    } else {
      EXPECT_TRUE(code == grpc::StatusCode::PERMISSION_DENIED ||
                  code == grpc::StatusCode::NOT_FOUND)
          << row.service << "." << row.method
          << " by a service token: " << CodeName(code) << " "
          << r.status.error_message();
    }
  }

  // The right caller, row by row.
  std::vector<std::string> not_ok;
  for (const Row& row : Rows()) {
    CallAndCapture(row);
    if (row.expected != grpc::StatusCode::OK) {
      not_ok.push_back(absl::StrCat(row.method, " (", CodeName(row.expected),
                                    ": ", row.note, ")"));
    }
  }
  std::cout << "[ matrix ] members reach OK on every RPC but: "
            << absl::StrJoin(not_ok, "; ") << "\n";
}

}  // namespace
}  // namespace tend::security

namespace tend::security {
namespace {

// Production verifies user tokens with RS256 against a public key: the
// HS256-with-the-public-key confusion and the rest must fail there too,
// while a token the identity provider signed passes.
class Rs256MatrixTest : public e2e::StackTest {};

TEST_F(Rs256MatrixTest, KeyConfusionAndBadTokensAreRefused) {
  const RsaKeyPair key = NewRsaKeyPair();
  ASSERT_FALSE(key.public_pem.empty());
  char path[] = "/tmp/tend-rs256-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, key.public_pem.data(), key.public_pem.size()),
            static_cast<ssize_t>(key.public_pem.size()));
  close(fd);
  absl::StatusOr<e2e::Service> pairing =
      Spawn("tend-pairing", {TEND_PAIRING_BIN, "--listen=127.0.0.1:0",
                             absl::StrCat("--jwt_public_key_file=", path)});
  unlink(path);
  ASSERT_TRUE(pairing.ok()) << pairing.status();

  const absl::Time now = absl::Now();
  std::vector<BadToken> bad = KeyConfusionTokens(key.public_pem, "alice", now);
  // The development secret no longer opens anything.
  bad.push_back({"HS256 with the development secret",
                 Bearer(e2e::kJwtSecret, "alice", now + absl::Hours(1))});
  for (const BadToken& token : BadTokens(e2e::kJwtSecret, "alice", now)) {
    bad.push_back(token);
  }
  bad.push_back({"RS256, expired", Rs256Bearer(key.private_pem, "alice",
                                               now - absl::Seconds(1))});
  const auto* service = FindService("tend.pairing.v1.PairingService");
  const auto* get_profile = service->FindMethodByName("GetPartnerProfile");
  for (const auto* method : Methods(service)) {
    for (const BadToken& token : bad) {
      CallResult r =
          CallMethod(pairing->channel, method, token.authorization, "");
      EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
          << method->name() << " with " << token.why << ": "
          << CodeName(r.status.error_code());
    }
  }
  CallResult ok = CallMethod(
      pairing->channel, get_profile,
      Rs256Bearer(key.private_pem, "alice", now + absl::Hours(1)), "");
  EXPECT_TRUE(ok.status.ok()) << ok.status.error_message();
}

}  // namespace
}  // namespace tend::security
