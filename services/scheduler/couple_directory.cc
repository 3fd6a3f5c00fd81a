#include "services/scheduler/couple_directory.h"

#include "services/common/status.h"
#include "services/scheduler/convert.h"

namespace tend::scheduler {

CoupleDirectory::CoupleDirectory(const services::Peer* pairing,
                                 const engine::Clock* clock,
                                 absl::Duration ttl)
    : pairing_(pairing), clock_(clock), ttl_(ttl) {
  if (pairing_->configured()) {
    stub_ = pairing::v1::PairingService::NewStub(pairing_->channel());
  }
}

absl::StatusOr<pairing::v1::Couple> CoupleDirectory::ForUser(
    const std::string& user_id) {
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
  pairing::v1::Couple couple;
  const grpc::Status status =
      stub_->LookupCouple(context->get(), request, &couple);
  if (!status.ok()) {
    absl::Status s = services::FromGrpcStatus(status);
    if (absl::IsNotFound(s)) {
      return absl::NotFoundError("couple: the caller is not in a couple");
    }
    if (absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s)) {
      return absl::UnavailableError("pairing: unavailable, try again");
    }
    return s;
  }
  absl::MutexLock lock(&mu_);
  for (const auto& partner : couple.partners()) {
    by_user_[partner.user_id()] = Entry{couple, now};
  }
  return couple;
}

void CoupleDirectory::Forget(const std::string& couple_id) {
  absl::MutexLock lock(&mu_);
  for (auto it = by_user_.begin(); it != by_user_.end();) {
    if (CoupleId(it->second.couple) == couple_id) {
      by_user_.erase(it++);
    } else {
      ++it;
    }
  }
}

}  // namespace tend::scheduler
