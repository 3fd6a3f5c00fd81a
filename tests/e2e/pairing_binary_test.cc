// tend-pairing as operators run it: flags and TEND_* variables, the
// "listening on" line, health, real calls, and a clean SIGTERM.
#include <signal.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/common/auth.h"
#include "tend/pairing/v1/pairing.grpc.pb.h"
#include "tests/support/child_process.h"
#include "tests/support/redis_server.h"
#include "tests/support/service_harness.h"

namespace tend {
namespace {

using testing::ChildProcess;
using ::testing::HasSubstr;

TEST(PairingBinaryTest, HelpDocumentsEveryFlag) {
  auto [status, out] = testing::RunCommand({TEND_PAIRING_BIN, "--help"}, {},
                                           /*merge_stderr=*/true);
  for (const char* flag :
       {"--listen", "--redis", "--jwt_secret", "--jwt_public_key_file",
        "--service_secret", "--pairing_addr", "--prompt_addr",
        "--scheduler_addr", "--drain_timeout", "--invite_ttl", "--undo_window",
        "TEND_"}) {
    EXPECT_THAT(out, HasSubstr(flag));
  }
}

TEST(PairingBinaryTest, RefusesToStartWithoutAKey) {
  auto [status, out] = testing::RunCommand(
      {TEND_PAIRING_BIN, "--listen=127.0.0.1:0"}, {}, /*merge_stderr=*/true);
  EXPECT_EQ(status, 2);
  EXPECT_THAT(out, HasSubstr("--jwt_secret or --jwt_public_key_file"));
}

TEST(PairingBinaryTest, ServesFromEnvironmentAndDrainsOnSigterm) {
  testing::RedisServer redis;
  ASSERT_TRUE(redis.Start().ok());
  const std::string metrics_address =
      absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort());
  ChildProcess pairing(
      {TEND_PAIRING_BIN, "--listen=127.0.0.1:0",
       "--metrics_listen=" + metrics_address},
      {{"TEND_REDIS", redis.url()}, {"TEND_JWT_SECRET", "e2e-secret"}});
  ASSERT_TRUE(pairing.Start().ok());
  absl::StatusOr<std::string> address = pairing.WaitForListening();
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_THAT(*address, ::testing::MatchesRegex("127\\.0\\.0\\.1:[0-9]+"));
  EXPECT_FALSE(absl::EndsWith(*address, ":0"));

  auto channel =
      grpc::CreateChannel(*address, grpc::InsecureChannelCredentials());
  auto stub = pairing::v1::PairingService::NewStub(channel);
  grpc::ClientContext context;
  context.AddMetadata("authorization",
                      testing::ServiceHarness::Bearer(
                          "e2e-secret", "alice", absl::Now() + absl::Hours(1)));
  pairing::v1::Invite invite;
  grpc::Status s = stub->CreateInvite(&context, {}, &invite);
  ASSERT_TRUE(s.ok()) << s.error_message();

  grpc::ClientContext health_context;
  std::string response;
  ASSERT_TRUE(testing::CallGeneric(channel, &health_context,
                                   "/grpc.health.v1.Health/Check", "",
                                   &response)
                  .ok());
  EXPECT_EQ(response, std::string("\x08\x01", 2));  // SERVING

  // Metrics move as the service works.
  absl::StatusOr<std::string> scraped = testing::HttpGet(metrics_address, "/metrics");
  ASSERT_TRUE(scraped.ok()) << scraped.status();
  EXPECT_THAT(*scraped,
              HasSubstr("tend_rpc_requests_total{code=\"OK\",method=\"CreateInvite\","
                        "service=\"pairing\"} 1"));
  EXPECT_THAT(*scraped, HasSubstr("tend_redis_command_latency_seconds_count"));
  grpc::ClientContext again;
  pairing::v1::Couple none;
  again.AddMetadata(
      "authorization",
      testing::ServiceHarness::Bearer("e2e-secret", "alice",
                                      absl::Now() + absl::Hours(1)));
  (void)stub->GetCouple(&again, {}, &none);  // NOT_FOUND: alice is unpaired
  scraped = testing::HttpGet(metrics_address, "/metrics");
  ASSERT_TRUE(scraped.ok());
  EXPECT_THAT(*scraped,
              HasSubstr("tend_rpc_requests_total{code=\"NOT_FOUND\",method=\"GetCouple\","
                        "service=\"pairing\"} 1"));

  EXPECT_EQ(pairing.Terminate(SIGTERM), 0);
  const std::string logs = pairing.Stderr();
  EXPECT_THAT(logs, HasSubstr("\"event\":\"server.stopped\""));
  // The invite code never reaches the logs.
  EXPECT_THAT(logs, ::testing::Not(HasSubstr(invite.code())));
  EXPECT_THAT(logs, ::testing::Not(HasSubstr("e2e-secret")));
}

}  // namespace
}  // namespace tend
