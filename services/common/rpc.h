// The body of every unary RPC handler: authenticate, run, map the status.
//
// A service class stays one line per RPC, and no RPC can forget to
// authenticate:
//
//   grpc::Status GetCouple(grpc::ServerContext* context,
//                          const GetCoupleRequest* request,
//                          Couple* response) override {
//     return Serve(auth_, context, *request, response, &pairing_,
//                  &Pairing::GetCouple);
//   }
//
// The business method has the shape
//   absl::StatusOr<Response> Method(const Caller&, const Request&);
#ifndef TEND_SERVICES_COMMON_RPC_H_
#define TEND_SERVICES_COMMON_RPC_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/status/statusor.h"
#include "engine/base/log.h"
#include "services/common/auth.h"
#include "services/common/status.h"

namespace tend::services {

// LogRpcError()
//
// Records a failed RPC by request type and code. The message is left out:
// it may quote what the caller sent.
void LogRpcError(absl::string_view request_type, const absl::Status& status);

// Serve()
//
// Authenticates the call, runs `method` on `logic`, and converts the result.
template <typename Logic, typename Request, typename Response>
grpc::Status Serve(const Authenticator& auth, grpc::ServerContext* context,
                   const Request& request, Response* response, Logic* logic,
                   absl::StatusOr<Response> (Logic::*method)(const Caller&,
                                                             const Request&)) {
  absl::StatusOr<Caller> caller = auth.Authenticate(*context);
  absl::Status status = caller.status();
  if (status.ok()) {
    absl::StatusOr<Response> result = (logic->*method)(*caller, request);
    status = result.status();
    if (status.ok()) *response = *std::move(result);
  }
  if (!status.ok()) LogRpcError(Request::descriptor()->name(), status);
  return ToGrpcStatus(status);
}

}  // namespace tend::services

#endif  // TEND_SERVICES_COMMON_RPC_H_
