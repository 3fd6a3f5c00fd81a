#include "tests/services/scheduler/scheduler_fixture.h"

namespace tend::scheduler {

void SchedulerFixture::SetUp() {
  ASSERT_TRUE(h_.StartRedis().ok());
  pairing_ = std::make_unique<pairing::Pairing>(h_.redis(), h_.clock(),
                                                pairing::PairingOptions{});
  pairing_service_ =
      std::make_unique<pairing::PairingServiceImpl>(h_.auth(), pairing_.get());
  ASSERT_TRUE(h_.Serve({pairing_service_.get()}).ok());
  pairing_stub_ = pairing::v1::PairingService::NewStub(h_.channel());

  token_ = std::make_unique<services::ServiceToken>(testing::kTestServiceSecret,
                                                    "scheduler", h_.clock());
  pairing_peer_ =
      std::make_unique<services::Peer>(h_.server()->address(), token_.get());
  directory_ = std::make_unique<services::CoupleDirectory>(
      pairing_peer_.get(), h_.clock(), absl::ZeroDuration());
  SchedulerOptions scheduler_options;
  engine::QueueOptions queue_options;
  queue_options.shards = 4;
  Configure(&scheduler_options, &queue_options);
  queue_ = std::make_unique<engine::DueQueue>(h_.redis(), queue_options);
  store_ = std::make_unique<SchedulerStore>(h_.redis(), history_retention_);
  scheduler_ =
      std::make_unique<Scheduler>(store_.get(), queue_.get(), directory_.get(),
                                  h_.clock(), scheduler_options);
  live_ = std::make_unique<LiveHub>(
      h_.redis(), *engine::ParseRedisUrl(h_.redis_server().url()));
  live_->Start();
  DispatcherOptions options;
  options.queue_uses_clock = true;
  options.threads = 0;
  std::vector<DeliverySink*> sinks = {live_.get()};
  for (DeliverySink* sink : ExtraSinks()) sinks.push_back(sink);
  dispatcher_ = std::make_unique<Dispatcher>(
      queue_.get(), scheduler_.get(), sinks, &content_, h_.clock(), options);
  service_ = std::make_unique<SchedulerServiceImpl>(h_.auth(), scheduler_.get(),
                                                    live_.get());
  services::ServerConfig config;
  config.name = "scheduler";
  config.services = {service_.get()};
  config.redis = h_.redis();
  auto server = services::RunningServer::Start(std::move(config));
  ASSERT_TRUE(server.ok());
  scheduler_server_ = *std::move(server);
  scheduler_channel_ = grpc::CreateChannel(scheduler_server_->address(),
                                           grpc::InsecureChannelCredentials());
  stub_ = v1::SchedulerService::NewStub(scheduler_channel_);
  scheduler_peer_ = std::make_unique<services::Peer>(
      scheduler_server_->address(), token_.get());
  relay_ =
      std::make_unique<pairing::OutboxRelay>(h_.redis(), scheduler_peer_.get());
}

void SchedulerFixture::TearDown() {
  if (live_ != nullptr) live_->Close();
  if (scheduler_server_ != nullptr) {
    scheduler_server_->Shutdown(absl::ZeroDuration());
  }
}

void SchedulerFixture::SetProfile(const std::string& user,
                                  const std::string& name,
                                  const std::string& zone) {
  pairing::v1::PartnerProfile out;
  grpc::Status s = pairing_stub_->UpdatePartnerProfile(
      h_.ContextFor(user).get(), testing::DayProfileRequest(name, zone, 6),
      &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
}

std::string SchedulerFixture::PairAliceAndBob() {
  SetProfile("alice", "Alice", "Europe/London");
  SetProfile("bob", "Bob", "Europe/Paris");
  pairing::v1::Invite invite;
  EXPECT_TRUE(
      pairing_stub_->CreateInvite(h_.ContextFor("alice").get(), {}, &invite)
          .ok());
  pairing::v1::AcceptInviteRequest accept;
  accept.set_code(invite.code());
  pairing::v1::Couple couple;
  EXPECT_TRUE(
      pairing_stub_->AcceptInvite(h_.ContextFor("bob").get(), accept, &couple)
          .ok());
  absl::StatusOr<int> relayed = relay_->RelayOnce();
  EXPECT_TRUE(relayed.ok()) << relayed.status();
  return couple.name();
}

void SchedulerFixture::UnpairNow(const std::string& user) {
  pairing::v1::UnpairRequest unpair;
  unpair.set_erase_now(true);
  pairing::v1::UnpairResponse out;
  grpc::Status s =
      pairing_stub_->Unpair(h_.ContextFor(user).get(), unpair, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  absl::StatusOr<int> relayed = relay_->RelayOnce();
  ASSERT_TRUE(relayed.ok()) << relayed.status();
}

std::vector<v1::Ritual> SchedulerFixture::Rituals(const std::string& user) {
  v1::ListRitualsResponse out;
  EXPECT_TRUE(stub_->ListRituals(h_.ContextFor(user).get(), {}, &out).ok());
  return {out.rituals().begin(), out.rituals().end()};
}

void SchedulerFixture::AcceptAll(const std::string& couple) {
  for (const char* user : {"alice", "bob"}) {
    v1::BatchAcceptRitualsRequest req;
    req.set_parent(couple);
    v1::BatchAcceptRitualsResponse out;
    grpc::Status s =
        stub_->BatchAcceptRituals(h_.ContextFor(user).get(), req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
}

void SchedulerFixture::Drain() {
  while (true) {
    absl::StatusOr<int> n = dispatcher_->RunOnce();
    ASSERT_TRUE(n.ok()) << n.status();
    if (*n == 0) break;
  }
}

void SchedulerFixture::RunFor(absl::Duration total, absl::Duration step) {
  for (absl::Duration t; t < total; t += step) {
    h_.clock()->Advance(step);
    Drain();
  }
}

std::vector<v1::Reminder> SchedulerFixture::Reminders(const std::string& user,
                                                      v1::ReminderState state) {
  v1::ListRemindersRequest req;
  req.set_recipient_user_id(user);
  req.add_states(state);
  req.set_page_size(500);
  v1::ListRemindersResponse out;
  EXPECT_TRUE(stub_->ListReminders(h_.ContextFor(user).get(), req, &out).ok());
  return {out.reminders().begin(), out.reminders().end()};
}

}  // namespace tend::scheduler
