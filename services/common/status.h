// The one mapping between absl::Status and grpc::Status.
//
// Inside Tend every function returns absl::Status; only the gRPC layer
// converts, and only through these two functions. The canonical codes are
// the same numbers on both sides, so the mapping keeps code and message.
#ifndef TEND_SERVICES_COMMON_STATUS_H_
#define TEND_SERVICES_COMMON_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace tend::services {

// ToGrpcStatus()
//
// Converts an absl::Status for the wire. OK stays OK.
grpc::Status ToGrpcStatus(const absl::Status& status);

// FromGrpcStatus()
//
// Converts a peer's answer back, e.g. after calling the pairing service.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace tend::services

#endif  // TEND_SERVICES_COMMON_STATUS_H_
