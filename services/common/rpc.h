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
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "engine/base/log.h"
#include "services/common/auth.h"
#include "services/common/request_check.h"
#include "services/common/status.h"

namespace tend::services {

// RecordRpc()
//
// Counts a finished RPC (tend_rpc_requests_total) and its latency
// (tend_rpc_latency_seconds) by service and method, and logs failures by
// request type and code. The message is never logged: it may quote what
// the caller sent.
void RecordRpc(const google::protobuf::Descriptor* request,
               const absl::Status& status, absl::Duration latency);

// Serve()
//
// Authenticates the call, checks the request against the rules every
// request shares (CheckRequest), runs `method` on `logic`, and converts the
// result.
template <typename Logic, typename Request, typename Response>
grpc::Status Serve(const Authenticator& auth, grpc::ServerContext* context,
                   const Request& request, Response* response, Logic* logic,
                   absl::StatusOr<Response> (Logic::*method)(const Caller&,
                                                             const Request&)) {
  const absl::Time started = absl::Now();  // latency: real time
  absl::StatusOr<Caller> caller = auth.Authenticate(*context);
  absl::Status status = caller.status();
  // Who is asking comes first: a refused caller learns nothing about the
  // request's shape.
  if (status.ok()) status = CheckRequest(request);
  if (status.ok()) {
    absl::StatusOr<Response> result = (logic->*method)(*caller, request);
    status = result.status();
    if (status.ok()) *response = *std::move(result);
  }
  RecordRpc(Request::descriptor(), status, absl::Now() - started);
  return ToGrpcStatus(status);
}

}  // namespace tend::services

#endif  // TEND_SERVICES_COMMON_RPC_H_
