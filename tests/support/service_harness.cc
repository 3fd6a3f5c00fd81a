#include "tests/support/service_harness.h"

#include <grpcpp/generic/generic_stub.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"

namespace tend::testing {
namespace {

services::AuthOptions TestAuthOptions() {
  services::AuthOptions options;
  options.jwt_secret = kTestJwtSecret;
  options.service_secret = kTestServiceSecret;
  return options;
}

}  // namespace

grpc::Status CallGeneric(const std::shared_ptr<grpc::Channel>& channel,
                         grpc::ClientContext* context,
                         const std::string& full_method,
                         const std::string& request_bytes,
                         std::string* response_bytes) {
  grpc::GenericStub stub(channel);
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  grpc::Status result;
  absl::Notification done;
  stub.UnaryCall(context, full_method, grpc::StubOptions(), &request, &response,
                 [&](grpc::Status status) {
                   result = std::move(status);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (response_bytes != nullptr && result.ok()) {
    std::vector<grpc::Slice> slices;
    response.Dump(&slices);
    response_bytes->clear();
    for (const grpc::Slice& s : slices) {
      response_bytes->append(reinterpret_cast<const char*>(s.begin()),
                             s.size());
    }
  }
  return result;
}

// 2026-11-26T09:00:00Z: a fixed start, so runs are repeatable.
ServiceHarness::ServiceHarness()
    : clock_(absl::FromUnixSeconds(1795683600)),
      auth_(TestAuthOptions(), &clock_) {}

ServiceHarness::~ServiceHarness() {
  if (server_ != nullptr) server_->Shutdown(absl::ZeroDuration());
}

absl::Status ServiceHarness::StartRedis() {
  absl::Status started = redis_server_.Start();
  if (!started.ok()) return started;
  absl::StatusOr<engine::RedisOptions> options =
      engine::ParseRedisUrl(redis_server_.url());
  if (!options.ok()) return options.status();
  options->connect_timeout = absl::Milliseconds(200);
  options->command_timeout = absl::Seconds(2);
  redis_ = std::make_unique<engine::RedisClient>(*options);
  return absl::OkStatus();
}

absl::Status ServiceHarness::Serve(
    const std::vector<grpc::Service*>& services) {
  services::ServerConfig config;
  config.name = "test";
  config.listen = "127.0.0.1:0";
  config.services = services;
  config.redis = redis_.get();
  config.health_interval = absl::Milliseconds(50);
  absl::StatusOr<std::unique_ptr<services::RunningServer>> server =
      services::RunningServer::Start(std::move(config));
  if (!server.ok()) return server.status();
  server_ = *std::move(server);
  channel_ = grpc::CreateChannel(server_->address(),
                                 grpc::InsecureChannelCredentials());
  return absl::OkStatus();
}

std::string ServiceHarness::Bearer(const std::string& secret,
                                   const std::string& sub, absl::Time expire) {
  return absl::StrCat("Bearer ", *services::MintToken(secret, sub, expire));
}

std::unique_ptr<grpc::ClientContext> ServiceHarness::ContextFor(
    const std::string& user_id) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("authorization", Bearer(kTestJwtSecret, user_id,
                                               clock_.Now() + absl::Hours(1)));
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(10));
  return context;
}

std::unique_ptr<grpc::ClientContext> ServiceHarness::ServiceContext(
    const std::string& service) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata(
      "authorization",
      Bearer(kTestServiceSecret, absl::StrCat("service:", service),
             clock_.Now() + absl::Hours(1)));
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(10));
  return context;
}

pairing::v1::UpdatePartnerProfileRequest DayProfileRequest(
    const std::string& name, const std::string& zone,
    std::optional<int> budget) {
  pairing::v1::UpdatePartnerProfileRequest req;
  pairing::v1::PartnerProfile* p = req.mutable_profile();
  p->set_display_name(name);
  p->set_time_zone(zone);
  p->mutable_waking_hours()->mutable_start()->set_hours(6);
  p->mutable_waking_hours()->mutable_end()->set_hours(23);
  p->mutable_quiet_hours()->mutable_start()->set_hours(23);
  p->mutable_quiet_hours()->mutable_end()->set_hours(6);
  for (const char* f :
       {"display_name", "time_zone", "waking_hours", "quiet_hours"}) {
    req.mutable_update_mask()->add_paths(f);
  }
  if (budget.has_value()) {
    p->set_daily_notification_budget(*budget);
    req.mutable_update_mask()->add_paths("daily_notification_budget");
  }
  return req;
}

}  // namespace tend::testing
