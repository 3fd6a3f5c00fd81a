// Calling another Tend service: a channel, a service token and a deadline.
//
//   Peer pairing(absl::GetFlag(FLAGS_pairing_addr), &service_token);
//   auto stub = tend::pairing::v1::PairingService::NewStub(pairing.channel());
//   std::unique_ptr<grpc::ClientContext> context = pairing.NewContext();
//   if (!context) ...  // no token
//   grpc::Status s = stub->LookupCouple(context.get(), request, &couple);
//   absl::Status status = FromGrpcStatus(s);
#ifndef TEND_SERVICES_COMMON_PEER_H_
#define TEND_SERVICES_COMMON_PEER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/auth.h"

namespace tend::services {

// Peer
//
// A connection to one peer service. Thread-safe.
class Peer {
 public:
  // `token` must outlive the Peer. An empty `address` makes a Peer that is
  // not configured: NewContext() answers UNAVAILABLE.
  Peer(std::string address, ServiceToken* token,
       absl::Duration deadline = absl::Seconds(5));

  // NewContext()
  //
  // A context carrying this service's token and the deadline.
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> NewContext() const;

  bool configured() const { return channel_ != nullptr; }
  const std::string& address() const { return address_; }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

 private:
  const std::string address_;
  ServiceToken* const token_;
  const absl::Duration deadline_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace tend::services

#endif  // TEND_SERVICES_COMMON_PEER_H_
