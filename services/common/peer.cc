#include "services/common/peer.h"

#include "absl/strings/str_cat.h"

namespace tend::services {

Peer::Peer(std::string address, ServiceToken* token, absl::Duration deadline)
    : address_(std::move(address)), token_(token), deadline_(deadline) {
  if (!address_.empty()) {
    channel_ =
        grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
  }
}

absl::StatusOr<std::unique_ptr<grpc::ClientContext>> Peer::NewContext() const {
  if (channel_ == nullptr) {
    return absl::UnavailableError("peer: no address configured");
  }
  absl::StatusOr<std::string> bearer = token_->Get();
  if (!bearer.ok()) return bearer.status();
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("authorization", *bearer);
  // Deadlines are real time by nature: they bound a network wait.
  context->set_deadline(std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(deadline_));
  return context;
}

}  // namespace tend::services
