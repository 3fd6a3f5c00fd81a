#include "services/prompt/peers.h"

#include <chrono>

#include "services/common/status.h"

namespace tend::prompt {
namespace {

// A peer's failure as the caller should see it: a missing couple stays
// NOT_FOUND, anything transient becomes UNAVAILABLE.
absl::Status PeerError(absl::string_view peer, const grpc::Status& status) {
  absl::Status s = services::FromGrpcStatus(status);
  if (absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s)) {
    return absl::UnavailableError(
        absl::StrCat(peer, ": unavailable, try again"));
  }
  return s;
}

}  // namespace

PairingCouples::PairingCouples(const services::Peer* pairing,
                               const engine::Clock* clock, absl::Duration ttl)
    : pairing_(pairing), clock_(clock), ttl_(ttl) {
  if (pairing_->configured()) {
    stub_ = pairing::v1::PairingService::NewStub(pairing_->channel());
  }
}

absl::StatusOr<CoupleRef> PairingCouples::ForUser(const std::string& user_id) {
  const absl::Time now = clock_->Now();
  {
    absl::MutexLock lock(&mu_);
    auto it = by_user_.find(user_id);
    if (it != by_user_.end() && now - it->second.fetched < ttl_) {
      return it->second.couple;
    }
  }
  if (stub_ == nullptr) {
    return absl::UnavailableError("pairing: --pairing_addr is not set");
  }
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context =
      pairing_->NewContext();
  if (!context.ok()) return context.status();
  pairing::v1::LookupCoupleRequest request;
  request.set_user_id(user_id);
  auto couple = std::make_shared<pairing::v1::Couple>();
  const grpc::Status status =
      stub_->LookupCouple(context->get(), request, couple.get());
  if (!status.ok()) {
    absl::Status s = PeerError("pairing", status);
    if (absl::IsNotFound(s)) {
      return absl::NotFoundError("couple: the caller is not in a couple");
    }
    return s;
  }
  absl::MutexLock lock(&mu_);
  if (by_user_.size() > 100000) by_user_.clear();  // bound a long-lived cache
  for (const auto& partner : couple->partners()) {
    by_user_[partner.user_id()] = Entry{couple, now};
  }
  return CoupleRef(std::move(couple));
}

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
