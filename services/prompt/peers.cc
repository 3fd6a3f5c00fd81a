#include "services/prompt/peers.h"

#include <chrono>

#include "services/common/status.h"

namespace tend::prompt {
namespace {

// A peer's failure as the caller should see it: NOT_FOUND stays, anything
// transient becomes UNAVAILABLE.
absl::Status PeerError(absl::string_view peer, const grpc::Status& status) {
  absl::Status s = services::FromGrpcStatus(status);
  if (absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s)) {
    return absl::UnavailableError(
        absl::StrCat(peer, ": unavailable, try again"));
  }
  return s;
}

}  // namespace

GrpcSchedulerLink::GrpcSchedulerLink(const services::Peer* scheduler,
                                     absl::Duration cadence_deadline)
    : scheduler_(scheduler), cadence_deadline_(cadence_deadline) {
  if (scheduler_->configured()) {
    stub_ = scheduler::v1::SchedulerService::NewStub(scheduler_->channel());
  }
}

absl::StatusOr<scheduler::v1::Cadence> GrpcSchedulerLink::GetCadence(
    const std::string& couple_name, const std::string& user_authorization) {
  if (stub_ == nullptr) {
    return absl::UnavailableError("scheduler: --scheduler_addr is not set");
  }
  grpc::ClientContext context;
  context.AddMetadata("authorization", user_authorization);
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoMilliseconds(cadence_deadline_));
  scheduler::v1::GetCadenceRequest request;
  request.set_name(absl::StrCat(couple_name, "/cadence"));
  scheduler::v1::Cadence cadence;
  const grpc::Status status = stub_->GetCadence(&context, request, &cadence);
  if (!status.ok()) return PeerError("scheduler", status);
  return cadence;
}

absl::StatusOr<scheduler::v1::Cadence> GrpcSchedulerLink::RecordConnectionScore(
    const scheduler::v1::RecordConnectionScoreRequest& request) {
  if (stub_ == nullptr) {
    return absl::UnavailableError("scheduler: --scheduler_addr is not set");
  }
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context =
      scheduler_->NewContext();
  if (!context.ok()) return context.status();
  scheduler::v1::Cadence cadence;
  const grpc::Status status =
      stub_->RecordConnectionScore(context->get(), request, &cadence);
  if (!status.ok()) return PeerError("scheduler", status);
  return cadence;
}

}  // namespace tend::prompt
