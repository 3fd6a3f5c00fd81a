#include "tests/e2e/e2e_stack.h"

#include <chrono>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "engine/base/status_macros.h"
#include "engine/redis/redis_clock.h"
#include "services/common/status.h"
#include "tests/support/service_harness.h"

namespace tend::e2e {

bool Poll(const std::function<bool()>& done, absl::Duration timeout,
          absl::Duration interval) {
  const absl::Time give_up = absl::Now() + timeout;
  while (true) {
    if (done()) return true;
    if (absl::Now() >= give_up) return false;
    absl::SleepFor(interval);
  }
}

std::string UserBearer(const std::string& user_id) {
  return testing::ServiceHarness::Bearer(kJwtSecret, user_id,
                                         absl::Now() + absl::Hours(24 * 365));
}

std::string ServiceBearer(const std::string& service) {
  return testing::ServiceHarness::Bearer(kServiceSecret,
                                         absl::StrCat("service:", service),
                                         absl::Now() + absl::Hours(24 * 365));
}

std::unique_ptr<grpc::ClientContext> WithAuth(const std::string& bearer) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("authorization", bearer);
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(10));
  return context;
}

grpc::Status SetDayProfile(pairing::v1::PairingService::Stub* pairing,
                           const std::string& user, const std::string& zone) {
  pairing::v1::PartnerProfile out;
  return pairing->UpdatePartnerProfile(WithAuth(UserBearer(user)).get(),
                                       testing::DayProfileRequest(user, zone),
                                       &out);
}

StackTest::StackTest() = default;
StackTest::~StackTest() = default;

absl::StatusOr<std::string> StackTest::StartRedis() {
  TEND_RETURN_IF_ERROR(redis_server_.Start());
  return redis_server_.url();
}

void StackTest::SetUp() {
  absl::StatusOr<std::string> url = StartRedis();
  ASSERT_TRUE(url.ok()) << url.status();
  redis_url_ = *url;
  absl::StatusOr<engine::RedisOptions> options =
      engine::ParseRedisUrl(redis_url_);
  ASSERT_TRUE(options.ok()) << options.status();
  redis_options_ = *options;
  redis_ = std::make_unique<engine::RedisClient>(redis_options_);
  queue_ =
      std::make_unique<engine::DueQueue>(redis_.get(), engine::QueueOptions{});
  // The next whole second of real time: never behind the real clock, which
  // judges the tokens the scheduler mints with the test clock.
  ASSERT_TRUE(
      SetClock(absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()) + 1))
          .ok());
}

void StackTest::TearDown() {
  if (HasFailure()) std::cerr << Logs();
}

absl::StatusOr<Service> StackTest::Spawn(const std::string& name,
                                         std::vector<std::string> argv) {
  auto process = std::make_unique<testing::ChildProcess>(
      std::move(argv), std::vector<std::pair<std::string, std::string>>{
                           {"TEND_REDIS", redis_url_},
                           {"TEND_JWT_SECRET", kJwtSecret},
                           {"TEND_SERVICE_SECRET", kServiceSecret}});
  testing::ChildProcess* raw = process.get();
  children_.emplace_back(name, std::move(process));
  if (absl::Status started = raw->Start(); !started.ok()) return started;
  absl::StatusOr<std::string> address = raw->WaitForListening();
  if (!address.ok()) {
    return absl::Status(address.status().code(),
                        absl::StrCat(name, ": ", address.status().message()));
  }
  Service service;
  service.process = raw;
  service.address = *address;
  service.channel =
      grpc::CreateChannel(*address, grpc::InsecureChannelCredentials());
  return service;
}

absl::Status StackTest::SetClock(absl::Time t) {
  absl::StatusOr<engine::RedisReply> reply = redis_->Command(
      {"SET", engine::kTestClockKey, absl::StrCat(absl::ToUnixMicros(t))});
  if (!reply.ok()) return reply.status();
  clock_ = t;
  return absl::OkStatus();
}

absl::StatusOr<QueueTotals> StackTest::Totals() {
  absl::StatusOr<std::vector<engine::ShardStats>> stats = queue_->Stats(clock_);
  if (!stats.ok()) return stats.status();
  QueueTotals totals;
  for (const engine::ShardStats& s : *stats) {
    totals.scheduled += s.scheduled;
    totals.due_unclaimed += s.due_unclaimed;
    totals.leased += s.leased;
    totals.dead += s.dead;
    // Each shard's "due" zset, as engine/queue/due_queue.h lays it out.
    const std::string due = absl::StrFormat(
        "%s:{s%02d}:due", queue_->options().prefix, s.shard);
    std::string cursor = "0";
    do {
      TEND_ASSIGN_OR_RETURN(
          engine::RedisReply page,
          redis_->Command({"ZSCAN", due, cursor, "MATCH", "sweep.*", "COUNT",
                           "1000"}));
      if (page.elements.size() != 2) {
        return absl::InternalError("ZSCAN: unexpected reply");
      }
      cursor = page.elements[0].str;
      totals.sweeps += page.elements[1].elements.size() / 2;
    } while (cursor != "0");
  }
  totals.scheduled -= totals.sweeps;
  return totals;
}

absl::StatusOr<pairing::v1::Couple> StackTest::Pair(
    pairing::v1::PairingService::Stub* stub, const std::string& inviter,
    const std::string& invitee, std::string* code) {
  pairing::v1::Invite invite;
  grpc::Status s =
      stub->CreateInvite(WithAuth(UserBearer(inviter)).get(), {}, &invite);
  if (!s.ok()) {
    const absl::Status status = services::FromGrpcStatus(s);
    return absl::Status(
        status.code(),
        absl::StrCat("CreateInvite for ", inviter, ": ", status.message()));
  }
  if (code != nullptr) *code = invite.code();
  pairing::v1::AcceptInviteRequest accept;
  accept.set_code(invite.code());
  pairing::v1::Couple couple;
  s = stub->AcceptInvite(WithAuth(UserBearer(invitee)).get(), accept, &couple);
  if (!s.ok()) {
    const absl::Status status = services::FromGrpcStatus(s);
    return absl::Status(
        status.code(),
        absl::StrCat("AcceptInvite for ", invitee, ": ", status.message()));
  }
  return couple;
}

std::string StackTest::Logs() const {
  std::string out;
  for (const auto& [name, process] : children_) {
    absl::StrAppend(&out, "----- stderr of ", name, " -----\n",
                    process->Stderr(), "\n");
  }
  return out;
}

}  // namespace tend::e2e
