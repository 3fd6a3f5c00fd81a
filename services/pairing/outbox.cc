#include "services/pairing/outbox.h"

#include "absl/strings/str_cat.h"
#include "engine/base/log.h"
#include "engine/base/status_macros.h"
#include "nlohmann/json.hpp"
#include "services/common/status.h"
#include "services/pairing/pairing_store.h"

namespace tend::pairing {
namespace {

// PopIfHead.
// KEYS: outbox. ARGV: the event that was sent.
// Returns: 1 when it was still the head and is now removed, else 0.
// Invariant: an event is removed only by whoever sent it (or an identical
//   one), never the one behind it.
const engine::RedisScript kPopIfHead(R"lua(
if redis.call('LINDEX', KEYS[1], 0) == ARGV[1] then
  redis.call('LPOP', KEYS[1])
  return 1
end
return 0
)lua");

std::string OutboxKey() { return absl::StrCat(kKeyPrefix, "outbox"); }

bool Permanent(const absl::Status& s) {
  return absl::IsNotFound(s) || absl::IsInvalidArgument(s) ||
         absl::IsFailedPrecondition(s) || absl::IsPermissionDenied(s) ||
         absl::IsAlreadyExists(s) || absl::IsUnimplemented(s);
}

// What the relay does about an event two peers answered: wait while either
// may take it on a retry; otherwise report the first refusal, if any.
absl::Status Worse(absl::Status first, absl::Status second) {
  if (!first.ok() && !Permanent(first)) return first;
  if (!second.ok() && !Permanent(second)) return second;
  return first.ok() ? second : first;
}

}  // namespace

OutboxRelay::OutboxRelay(engine::RedisClient* redis,
                         const services::Peer* scheduler,
                         const services::Peer* prompt)
    : redis_(redis), scheduler_(scheduler), prompt_(prompt) {
  if (scheduler_->configured()) {
    stub_ = scheduler::v1::SchedulerService::NewStub(scheduler_->channel());
  }
  if (prompt_ != nullptr && prompt_->configured()) {
    prompt_stub_ = prompt::v1::PromptService::NewStub(prompt_->channel());
  }
}

OutboxRelay::~OutboxRelay() { Stop(); }

absl::Status OutboxRelay::SendToPrompt(const std::string& kind,
                                       const std::string& couple,
                                       const std::string& user, bool erase) {
  const bool for_prompt =
      kind == "user_erased" || (kind == "dissolved" && erase);
  if (prompt_stub_ == nullptr || !for_prompt) return absl::OkStatus();
  TEND_ASSIGN_OR_RETURN(std::unique_ptr<grpc::ClientContext> context,
                        prompt_->NewContext());
  // No request_id: erasing again finds nothing, and the prompt's request
  // log would otherwise keep an entry about the erased person.
  grpc::Status status;
  if (kind == "user_erased") {
    prompt::v1::EraseUserDataRequest request;
    request.set_user_id(user);
    prompt::v1::EraseUserDataResponse response;
    status = prompt_stub_->EraseUserData(context.get(), request, &response);
  } else {
    prompt::v1::EraseCoupleDataRequest request;
    request.set_parent(absl::StrCat("couples/", couple));
    prompt::v1::EraseCoupleDataResponse response;
    status = prompt_stub_->EraseCoupleData(context.get(), request, &response);
  }
  absl::Status result = services::FromGrpcStatus(status);
  if (!result.ok()) {
    return absl::Status(result.code(),
                        absl::StrCat("prompt: ", result.message()));
  }
  return result;
}

absl::Status OutboxRelay::Send(const std::string& event) {
  nlohmann::json j = nlohmann::json::parse(event, nullptr, false);
  if (!j.is_object()) return absl::InvalidArgumentError("outbox: bad event");
  const std::string couple = j.value("couple", "");
  const std::string kind = j.value("kind", "");
  const std::string user = j.value("user", "");
  const bool erase = j.value("erase", false);
  const std::string parent = absl::StrCat("couples/", couple);
  const absl::Status prompt = SendToPrompt(kind, couple, user, erase);
  TEND_ASSIGN_OR_RETURN(std::unique_ptr<grpc::ClientContext> context,
                        scheduler_->NewContext());
  grpc::Status status;
  if (kind == "user_erased") {
    scheduler::v1::EraseUserDataRequest request;
    request.set_user_id(user);
    scheduler::v1::EraseUserDataResponse response;
    status = stub_->EraseUserData(context.get(), request, &response);
  } else if (kind == "formed") {
    TEND_ASSIGN_OR_RETURN(
        engine::RedisReply members,
        redis_->Command({"HMGET", absl::StrCat(kKeyPrefix, "couple:", couple),
                         "inviter", "invitee", "state"}));
    if (members.elements.size() != 3 || members.elements[2].str != "active") {
      return absl::NotFoundError("outbox: the couple is gone");
    }
    scheduler::v1::SeedDefaultRitualsRequest request;
    request.set_parent(parent);
    request.add_partner_user_ids(members.elements[0].str);
    request.add_partner_user_ids(members.elements[1].str);
    scheduler::v1::SeedDefaultRitualsResponse response;
    status = stub_->SeedDefaultRituals(context.get(), request, &response);
  } else if (kind == "dissolved") {
    scheduler::v1::CancelCoupleScheduleRequest request;
    request.set_parent(parent);
    request.set_erase(erase);
    scheduler::v1::CancelCoupleScheduleResponse response;
    status = stub_->CancelCoupleSchedule(context.get(), request, &response);
  } else if (kind == "changed") {
    // Edits from here on queue a new event: the scheduler may read the
    // profiles before they land.
    TEND_RETURN_IF_ERROR(
        redis_
            ->Command(
                {"SREM", absl::StrCat(kKeyPrefix, "replan_pending"), couple})
            .status());
    scheduler::v1::RescheduleCoupleRequest request;
    request.set_parent(parent);
    scheduler::v1::RescheduleCoupleResponse response;
    status = stub_->RescheduleCouple(context.get(), request, &response);
  } else {
    return absl::InvalidArgumentError("outbox: unknown event kind");
  }
  return Worse(services::FromGrpcStatus(status), prompt);
}

absl::StatusOr<int> OutboxRelay::RelayOnce() {
  if (stub_ == nullptr) return 0;
  int sent = 0;
  while (true) {
    TEND_ASSIGN_OR_RETURN(engine::RedisReply head,
                          redis_->Command({"LINDEX", OutboxKey(), "0"}));
    if (head.is_nil()) return sent;
    absl::Status status = Send(head.str);
    if (!status.ok() && !Permanent(status)) return status;
    if (!status.ok()) {
      Log(LogLevel::kWarning, "outbox.refused",
          {{"code", absl::StatusCodeToString(status.code())}});
    }
    TEND_RETURN_IF_ERROR(
        redis_->Eval(kPopIfHead, {OutboxKey()}, {head.str}).status());
    ++sent;
  }
}

void OutboxRelay::Start(absl::Duration interval) {
  thread_ = std::thread([this, interval] {
    while (!stop_.WaitForNotificationWithTimeout(interval)) {
      absl::StatusOr<int> sent = RelayOnce();
      if (!sent.ok()) {
        Log(LogLevel::kWarning, "outbox.waiting",
            {{"code", absl::StatusCodeToString(sent.status().code())}});
      }
    }
  });
}

void OutboxRelay::Stop() {
  if (!thread_.joinable()) return;
  stop_.Notify();
  thread_.join();
}

}  // namespace tend::pairing
