// CheckRequest: what every request must satisfy before any service reads it.
//
// The rules that hold for any field of any Tend request, checked once at the
// RPC edge by walking the request's descriptor, so a field added to a
// .proto is covered without new code:
//   - an enum holds one of its declared values (a newer client's value, or
//     garbage, is not silently stored or ignored);
//   - a google.protobuf.Timestamp lies in years 1 to 9999 with nanos in
//     [0, 1e9), and a google.protobuf.Duration within ±10,000 years with
//     nanos of the seconds' sign, as their definitions require;
//   - a string is at most kMaxRequestStringBytes and holds no control
//     character other than tab, line feed and carriage return (a NUL in a
//     resource name or key would cut it short);
//   - a top-level `request_id` follows ValidateRequestId().
// Business rules (ranges, formats, sizes of particular fields) stay with
// each service. Errors are INVALID_ARGUMENT and name the field by its path,
// e.g. "ritual.recurrence.anchor: unknown value 99".
//
//   TEND_RETURN_IF_ERROR(CheckRequest(request));
#ifndef TEND_SERVICES_COMMON_REQUEST_CHECK_H_
#define TEND_SERVICES_COMMON_REQUEST_CHECK_H_

#include <grpcpp/support/server_interceptor.h>

#include <cstddef>
#include <memory>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace tend::services {

// kMaxRequestStringBytes
//
// The most any one string of a request may hold. The longest text a person
// writes (an answer) is 4000 characters; this only stops abuse.
inline constexpr size_t kMaxRequestStringBytes = 32 * 1024;

// CheckRequest()
//
// OK, or INVALID_ARGUMENT naming the first field that breaks a rule above.
absl::Status CheckRequest(const google::protobuf::Message& request);

// NewUnparseableRequestInterceptor()
//
// A server interceptor factory for requests that do not parse as their
// type (a proto3 string that is not UTF-8, bytes of another message).
// gRPC answers those itself, before any handler runs, with INTERNAL and an
// empty message; this makes it INVALID_ARGUMENT "request: ...", the answer
// bad input gets everywhere else. Tend's own INTERNAL errors always carry
// a message, so they are left alone.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewUnparseableRequestInterceptor();

// RouteProtobufLogs()
//
// Sends libprotobuf's own messages (e.g. "String field ... contains invalid
// UTF-8 data when parsing", one for every such request a caller sends)
// into Tend's JSON log at debug level, instead of free text on stderr at
// ERROR: a caller must not be able to fill the logs, nor break their
// format. Call once at start-up.
void RouteProtobufLogs();

}  // namespace tend::services

#endif  // TEND_SERVICES_COMMON_REQUEST_CHECK_H_
