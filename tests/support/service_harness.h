// ServiceHarness: a real service on loopback for integration tests.
//
// It owns what a service needs in production, with the clock swapped for a
// FakeClock: a private redis-server, a RedisClient, an Authenticator with a
// test secret, and a gRPC server on 127.0.0.1 port 0. Tests talk to it
// through a real channel.
//
//   ServiceHarness h;
//   ASSERT_TRUE(h.StartRedis().ok());
//   Pairing pairing(h.redis(), h.clock(), {});
//   PairingServiceImpl service(h.auth(), &pairing);
//   ASSERT_TRUE(h.Serve({&service}).ok());
//   auto stub = v1::PairingService::NewStub(h.channel());
//   auto context = h.ContextFor("alice");
#ifndef TEND_TESTS_SUPPORT_SERVICE_HARNESS_H_
#define TEND_TESTS_SUPPORT_SERVICE_HARNESS_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/redis/redis_client.h"
#include "engine/time/clock.h"
#include "services/common/auth.h"
#include "services/common/server.h"
#include "tend/pairing/v1/pairing.pb.h"
#include "tests/support/redis_server.h"

namespace tend::testing {

// The secrets every harness signs with.
inline constexpr char kTestJwtSecret[] = "test-user-secret";
inline constexpr char kTestServiceSecret[] = "test-service-secret";

// CallGeneric()
//
// Calls the unary method `full_method` ("/pkg.Service/Method") with
// `request_bytes` as the serialized request; the serialized response goes
// to `response_bytes` when given. Used by matrices that walk a
// service's descriptor rather than its generated stub.
grpc::Status CallGeneric(const std::shared_ptr<grpc::Channel>& channel,
                         grpc::ClientContext* context,
                         const std::string& full_method,
                         const std::string& request_bytes,
                         std::string* response_bytes = nullptr);

// ServiceHarness
//
// Set up from the test thread; the clock may be moved from any thread.
class ServiceHarness {
 public:
  ServiceHarness();
  ~ServiceHarness();

  // StartRedis()
  //
  // Starts the private redis-server and the client for it.
  absl::Status StartRedis();

  // Serve()
  //
  // Starts a gRPC server with `services` and opens a channel to it.
  absl::Status Serve(const std::vector<grpc::Service*>& services);

  // ContextFor()
  //
  // A client context carrying a valid user token for `user_id`, with a
  // 10-second deadline.
  std::unique_ptr<grpc::ClientContext> ContextFor(const std::string& user_id);

  // ServiceContext()
  //
  // A client context carrying a valid service token.
  std::unique_ptr<grpc::ClientContext> ServiceContext(
      const std::string& service = "scheduler");

  // Bearer()
  //
  // "Bearer <token>" for `sub`, signed with `secret`, expiring at `expire`.
  static std::string Bearer(const std::string& secret, const std::string& sub,
                            absl::Time expire);

  engine::FakeClock* clock() { return &clock_; }
  engine::RedisClient* redis() { return redis_.get(); }
  const services::Authenticator* auth() const { return &auth_; }
  RedisServer& redis_server() { return redis_server_; }
  std::shared_ptr<grpc::Channel> channel() { return channel_; }
  services::RunningServer* server() { return server_.get(); }

 private:
  engine::FakeClock clock_;
  services::Authenticator auth_;
  RedisServer redis_server_;
  std::unique_ptr<engine::RedisClient> redis_;
  std::unique_ptr<services::RunningServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

// DayProfileRequest()
//
// The profile update the suites give their people: `name`, `zone`, awake
// 06:00-23:00, quiet 23:00-06:00, and a daily notification budget when
// `budget` is set.
pairing::v1::UpdatePartnerProfileRequest DayProfileRequest(
    const std::string& name, const std::string& zone,
    std::optional<int> budget = std::nullopt);

}  // namespace tend::testing

#endif  // TEND_TESTS_SUPPORT_SERVICE_HARNESS_H_
