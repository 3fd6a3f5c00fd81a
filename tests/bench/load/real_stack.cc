#include "tests/bench/load/real_stack.h"

#include <signal.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "engine/redis/redis_clock.h"
#include "tests/support/service_harness.h"

namespace tend::bench {

const char* TierName(Tier tier) {
  switch (tier) {
    case Tier::kPairing:
      return "pairing";
    case Tier::kPrompt:
      return "prompt";
    case Tier::kScheduler:
      return "scheduler";
  }
  return "?";
}

absl::StatusOr<MemoryUse> MemoryOf(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  if (!in) return absl::NotFoundError(absl::StrCat("no process ", pid));
  MemoryUse use;
  std::string line;
  while (std::getline(in, line)) {
    // "VmRSS:     12345 kB"
    for (auto [prefix, field] : {std::make_pair("VmRSS:", &use.rss),
                                 std::make_pair("VmHWM:", &use.peak)}) {
      absl::string_view rest = line;
      if (!absl::ConsumePrefix(&rest, prefix)) continue;
      rest = absl::StripAsciiWhitespace(rest);
      absl::ConsumeSuffix(&rest, " kB");
      int64_t kb = 0;
      if (absl::SimpleAtoi(rest, &kb)) *field = kb * 1024;
    }
  }
  return use;
}

RealStack::RealStack() = default;
RealStack::~RealStack() = default;

absl::Status RealStack::Start(const StackOptions& options) {
  if (absl::Status s = redis_server_.Start(); !s.ok()) return s;
  absl::StatusOr<engine::RedisOptions> redis_options =
      engine::ParseRedisUrl(redis_server_.url());
  if (!redis_options.ok()) return redis_options.status();
  redis_ = std::make_unique<engine::RedisClient>(*redis_options);
  if (options.test_clock) {
    // Never behind the real clock, which judges the JWTs.
    if (absl::Status s = SetClock(
            absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()) + 1));
        !s.ok()) {
      return s;
    }
  }
  for (Tier tier : kTiers) {
    addresses_[static_cast<int>(tier)] =
        absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort());
  }
  for (Tier tier : kTiers) {
    const int i = static_cast<int>(tier);
    std::vector<std::string> argv = {
        absl::StrCat(options.bin_dir, "/tend-", TierName(tier)),
        absl::StrCat("--listen=", addresses_[i]),
        absl::StrCat("--pairing_addr=", address(Tier::kPairing)),
        absl::StrCat("--prompt_addr=", address(Tier::kPrompt)),
        absl::StrCat("--scheduler_addr=", address(Tier::kScheduler)),
        "--drain_timeout=2s"};
    if (options.test_clock && tier != Tier::kPairing) {
      argv.push_back("--test_clock");
    }
    argv.insert(argv.end(), options.extra_flags.begin(),
                options.extra_flags.end());
    if (tier == Tier::kScheduler) {
      argv.insert(argv.end(), options.scheduler_flags.begin(),
                  options.scheduler_flags.end());
    }
    processes_[i] = std::make_unique<testing::ChildProcess>(
        std::move(argv), std::vector<std::pair<std::string, std::string>>{
                             {"TEND_REDIS", redis_server_.url()},
                             {"TEND_JWT_SECRET", kBenchJwtSecret},
                             {"TEND_SERVICE_SECRET", kBenchServiceSecret}});
    if (absl::Status s = processes_[i]->Start(); !s.ok()) return s;
    absl::StatusOr<std::string> listening = processes_[i]->WaitForListening();
    if (!listening.ok()) {
      return absl::Status(
          listening.status().code(),
          absl::StrCat(TierName(tier), ": ", listening.status().message(), "\n",
                       processes_[i]->Stderr()));
    }
    channels_[i] =
        grpc::CreateChannel(*listening, grpc::InsecureChannelCredentials());
  }
  return absl::OkStatus();
}

absl::Status RealStack::Stop() {
  absl::Status result;
  for (Tier tier : {Tier::kScheduler, Tier::kPrompt, Tier::kPairing}) {
    const int i = static_cast<int>(tier);
    channels_[i].reset();
    if (processes_[i] == nullptr) continue;
    const int exit = processes_[i]->Terminate(SIGTERM);
    if (exit != 0 && result.ok()) {
      result = absl::InternalError(
          absl::StrCat(TierName(tier), " exited with ", exit));
    }
  }
  return result;
}

pid_t RealStack::pid(Tier tier) const {
  const auto& process = processes_[static_cast<int>(tier)];
  return process == nullptr ? -1 : process->pid();
}

std::shared_ptr<grpc::Channel> RealStack::Channel(Tier tier) const {
  return channels_[static_cast<int>(tier)];
}

std::string RealStack::Stderr(Tier tier) const {
  const auto& process = processes_[static_cast<int>(tier)];
  return process == nullptr ? "" : process->Stderr();
}

absl::StatusOr<int64_t> RealStack::RedisUsedMemory() {
  absl::StatusOr<engine::RedisReply> info = redis_->Command({"INFO", "memory"});
  if (!info.ok()) return info.status();
  for (absl::string_view line : absl::StrSplit(info->str, "\r\n")) {
    if (absl::ConsumePrefix(&line, "used_memory:")) {
      int64_t bytes = 0;
      if (absl::SimpleAtoi(line, &bytes)) return bytes;
    }
  }
  return absl::InternalError("INFO memory has no used_memory");
}

absl::Status RealStack::SetClock(absl::Time t) {
  absl::StatusOr<engine::RedisReply> reply = redis_->Command(
      {"SET", engine::kTestClockKey, absl::StrCat(absl::ToUnixMicros(t))});
  if (!reply.ok()) return reply.status();
  clock_ = t;
  return absl::OkStatus();
}

std::string UserBearer(const std::string& user) {
  return testing::ServiceHarness::Bearer(kBenchJwtSecret, user,
                                         absl::Now() + absl::Hours(24 * 365));
}

std::unique_ptr<grpc::ClientContext> WithAuth(const std::string& bearer) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("authorization", bearer);
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(10));
  return context;
}

Stubs::Stubs(const RealStack& stack)
    : pairing(
          pairing::v1::PairingService::NewStub(stack.Channel(Tier::kPairing))),
      prompt(prompt::v1::PromptService::NewStub(stack.Channel(Tier::kPrompt))),
      scheduler(scheduler::v1::SchedulerService::NewStub(
          stack.Channel(Tier::kScheduler))) {}

grpc::Status UpdateProfile(Stubs& stubs, const std::string& user,
                           const std::string& zone, int quiet_start) {
  pairing::v1::UpdatePartnerProfileRequest req =
      testing::DayProfileRequest(user, zone);
  req.mutable_profile()->mutable_quiet_hours()->mutable_start()->set_hours(
      quiet_start);
  pairing::v1::PartnerProfile out;
  return stubs.pairing->UpdatePartnerProfile(WithAuth(UserBearer(user)).get(),
                                             req, &out);
}

namespace {

absl::Status StepFailed(const std::string& step, const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      absl::StrCat(step, ": ", s.error_message()));
}

}  // namespace

absl::StatusOr<Couple> Onboard(Stubs& stubs, const std::string& a,
                               const std::string& b, const std::string& zone_a,
                               const std::string& zone_b) {
  for (const auto& [user, zone] :
       {std::make_pair(a, zone_a), std::make_pair(b, zone_b)}) {
    if (grpc::Status s = UpdateProfile(stubs, user, zone, 23); !s.ok()) {
      return StepFailed("UpdatePartnerProfile", s);
    }
  }
  pairing::v1::Invite invite;
  if (grpc::Status s = stubs.pairing->CreateInvite(
          WithAuth(UserBearer(a)).get(), {}, &invite);
      !s.ok()) {
    return StepFailed("CreateInvite", s);
  }
  pairing::v1::AcceptInviteRequest accept;
  accept.set_code(invite.code());
  pairing::v1::Couple couple;
  if (grpc::Status s = stubs.pairing->AcceptInvite(
          WithAuth(UserBearer(b)).get(), accept, &couple);
      !s.ok()) {
    return StepFailed("AcceptInvite", s);
  }
  // Pairing's outbox relay seeds the default rituals in the scheduler.
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  while (true) {
    scheduler::v1::ListRitualsResponse rituals;
    grpc::Status s = stubs.scheduler->ListRituals(WithAuth(UserBearer(a)).get(),
                                                  {}, &rituals);
    if (!s.ok() && s.error_code() != grpc::StatusCode::NOT_FOUND &&
        s.error_code() != grpc::StatusCode::FAILED_PRECONDITION) {
      return StepFailed("ListRituals", s);
    }
    if (s.ok() && rituals.rituals_size() > 0) break;
    if (absl::Now() > give_up) {
      return absl::DeadlineExceededError(
          "ListRituals: no seeded rituals 20 s after pairing");
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  for (const std::string& user : {a, b}) {
    scheduler::v1::BatchAcceptRitualsRequest req;
    req.set_parent(couple.name());
    scheduler::v1::BatchAcceptRitualsResponse out;
    if (grpc::Status s = stubs.scheduler->BatchAcceptRituals(
            WithAuth(UserBearer(user)).get(), req, &out);
        !s.ok()) {
      return StepFailed("BatchAcceptRituals", s);
    }
  }
  return Couple{couple.name(), a, b};
}

}  // namespace tend::bench
