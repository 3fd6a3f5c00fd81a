// Invite-code brute force against the real tend-pairing binary: a caller
// who keeps guessing is refused RESOURCE_EXHAUSTED after the limit (10
// failed attempts an hour, DESIGN.md "invite codes ... are rate-limited per
// caller"), and while limited even the right code is refused, so guessing
// on cannot tell a hit from a miss.
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tend/pairing/v1/pairing.grpc.pb.h"
#include "tests/e2e/e2e_stack.h"

namespace tend::security {
namespace {

namespace v1 = pairing::v1;

class InviteBruteForceTest : public e2e::StackTest {};

TEST_F(InviteBruteForceTest, GuessingIsCutOffAndTheRightCodeIsRefusedToo) {
  absl::StatusOr<e2e::Service> pairing =
      Spawn("tend-pairing", {TEND_PAIRING_BIN, "--listen=127.0.0.1:0"});
  ASSERT_TRUE(pairing.ok()) << pairing.status();
  auto stub = v1::PairingService::NewStub(pairing->channel);
  v1::Invite invite;
  ASSERT_TRUE(stub->CreateInvite(e2e::WithAuth(e2e::UserBearer("alice")).get(),
                                 {}, &invite)
                  .ok());

  auto accept = [&](const std::string& user, const std::string& code) {
    v1::AcceptInviteRequest req;
    req.set_code(code);
    v1::Couple out;
    return stub->AcceptInvite(e2e::WithAuth(e2e::UserBearer(user)).get(), req,
                              &out);
  };
  int refused_not_found = 0;
  int exhausted = 0;
  for (int i = 0; i < 200; ++i) {
    // Well-formed guesses, never the real code.
    std::string guess = absl::StrCat("ZZZZZ-", 10000 + i);
    if (guess == invite.code()) continue;
    grpc::Status s = accept("mallory", guess);
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) {
      ++refused_not_found;
      EXPECT_EQ(exhausted, 0) << "a miss answered after the limit";
    } else {
      EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
          << i << ": " << s.error_message();
      ++exhausted;
    }
  }
  EXPECT_EQ(refused_not_found, 10);
  EXPECT_EQ(exhausted, 190);

  // The right code, while limited: refused the same way as a miss.
  grpc::Status right = accept("mallory", invite.code());
  EXPECT_EQ(right.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(right.error_message().find(invite.code()), std::string::npos);

  // The invite is still there for the partner it was meant for.
  EXPECT_TRUE(accept("bob", invite.code()).ok());
  EXPECT_EQ(Logs().find(invite.code()), std::string::npos);
}

}  // namespace
}  // namespace tend::security
