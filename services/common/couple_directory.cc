#include "services/common/couple_directory.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/status.h"

namespace tend::services {

CoupleDirectory::CoupleDirectory(const Peer* pairing,
                                 const engine::Clock* clock,
                                 absl::Duration ttl, size_t max_users,
                                 absl::Duration versioned_ttl)
    : pairing_(pairing),
      clock_(clock),
      ttl_(ttl),
      max_users_(max_users),
      versioned_ttl_(versioned_ttl) {
  if (pairing_->configured()) {
    stub_ = pairing::v1::PairingService::NewStub(pairing_->channel());
  }
}

absl::StatusOr<CoupleRef> CoupleDirectory::ForUser(
    const std::string& user_id) {
  const absl::Time now = clock_->Now();
  {
    absl::MutexLock lock(&mu_);
    auto it = by_user_.find(user_id);
    if (it != by_user_.end() && now - it->second.fetched < ttl_) {
      return it->second.couple;
    }
  }
  return Fetch(user_id, "", now);
}

absl::StatusOr<CoupleRef> CoupleDirectory::ForUser(const std::string& user_id,
                                                   absl::string_view version) {
  const absl::Time now = clock_->Now();
  {
    absl::MutexLock lock(&mu_);
    auto it = by_user_.find(user_id);
    if (it != by_user_.end() && !version.empty() &&
        it->second.version == version &&
        now - it->second.fetched < versioned_ttl_) {
      return it->second.couple;
    }
  }
  return Fetch(user_id, version, now);
}

absl::StatusOr<CoupleRef> CoupleDirectory::Fetch(const std::string& user_id,
                                                 absl::string_view version,
                                                 absl::Time now) {
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
    absl::Status s = FromGrpcStatus(status);
    if (absl::IsNotFound(s)) {
      return absl::NotFoundError("couple: the caller is not in a couple");
    }
    if (absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s)) {
      return absl::UnavailableError("pairing: unavailable, try again");
    }
    return s;
  }
  absl::MutexLock lock(&mu_);
  if (by_user_.size() >= max_users_) by_user_.clear();
  for (const auto& partner : couple->partners()) {
    by_user_[partner.user_id()] = Entry{couple, now, std::string(version)};
  }
  return CoupleRef(std::move(couple));
}

void CoupleDirectory::Forget(const std::string& couple_id) {
  const std::string name = absl::StrCat("couples/", couple_id);
  absl::MutexLock lock(&mu_);
  absl::erase_if(by_user_, [&name](const auto& user_and_entry) {
    return user_and_entry.second.couple->name() == name;
  });
}

}  // namespace tend::services
