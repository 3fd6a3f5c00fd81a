// Key rotation through a real binary: tend-pairing started mid-rotation,
// with a new main key and the old one as the extra key (deploy/README.md,
// "Rotating keys and secrets"), takes user and service tokens signed with
// either and refuses any other. An extra key without its main key stops
// the binary at start, naming the flag.
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tend/pairing/v1/pairing.grpc.pb.h"
#include "tests/e2e/e2e_stack.h"
#include "tests/support/service_harness.h"

namespace tend {
namespace {

constexpr char kNewUserSecret[] = "rotation-user-new";
constexpr char kNewServiceSecret[] = "rotation-service-new";

std::string Bearer(const std::string& secret, const std::string& sub) {
  return testing::ServiceHarness::Bearer(secret, sub,
                                         absl::Now() + absl::Hours(1));
}

using KeyRotationBinaryTest = e2e::StackTest;

TEST_F(KeyRotationBinaryTest, AcceptsTheMainAndTheExtraKeyAndNothingElse) {
  // The fixture's secrets (e2e::kJwtSecret, e2e::kServiceSecret) play the
  // old keys; the command line wins over their TEND_* variables.
  absl::StatusOr<e2e::Service> pairing =
      Spawn("tend-pairing",
            {TEND_PAIRING_BIN, "--listen=127.0.0.1:0",
             absl::StrCat("--jwt_secret=", kNewUserSecret),
             absl::StrCat("--extra_jwt_secret=", e2e::kJwtSecret),
             absl::StrCat("--service_secret=", kNewServiceSecret),
             absl::StrCat("--extra_service_secret=", e2e::kServiceSecret)});
  ASSERT_TRUE(pairing.ok()) << pairing.status();
  auto stub = pairing::v1::PairingService::NewStub(pairing->channel);

  // User tokens: CreateInvite.
  int n = 0;
  auto invite_with = [&](const std::string& secret) {
    pairing::v1::Invite invite;
    return stub
        ->CreateInvite(
            e2e::WithAuth(Bearer(secret, absl::StrCat("u", ++n))).get(), {},
            &invite)
        .error_code();
  };
  EXPECT_EQ(invite_with(kNewUserSecret), grpc::StatusCode::OK);
  EXPECT_EQ(invite_with(e2e::kJwtSecret), grpc::StatusCode::OK);
  EXPECT_EQ(invite_with("a-stranger"), grpc::StatusCode::UNAUTHENTICATED);
  // The extra service secret never signs a user in.
  EXPECT_EQ(invite_with(e2e::kServiceSecret),
            grpc::StatusCode::UNAUTHENTICATED);

  // Service tokens: LookupCouple of someone unpaired is NOT_FOUND once the
  // token checks out.
  auto lookup_with = [&](const std::string& secret) {
    pairing::v1::LookupCoupleRequest request;
    request.set_user_id("nobody");
    pairing::v1::Couple couple;
    return stub
        ->LookupCouple(e2e::WithAuth(Bearer(secret, "service:scheduler")).get(),
                       request, &couple)
        .error_code();
  };
  EXPECT_EQ(lookup_with(kNewServiceSecret), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(lookup_with(e2e::kServiceSecret), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(lookup_with("a-stranger"), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(KeyRotationBinaryTest, AnExtraKeyWithoutItsMainKeyStopsTheStart) {
  const auto [code, output] = testing::RunCommand(
      {TEND_PAIRING_BIN, "--listen=127.0.0.1:0",
       "--service_secret=", "--extra_service_secret=old"},
      {{"TEND_REDIS", redis_url()}, {"TEND_JWT_SECRET", "s"}},
      /*merge_stderr=*/true);
  EXPECT_EQ(code, 2) << output;
  EXPECT_NE(output.find("--extra_service_secret: needs --service_secret"),
            std::string::npos)
      << output;
}

}  // namespace
}  // namespace tend
