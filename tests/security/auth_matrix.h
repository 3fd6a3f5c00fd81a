// Authorization matrices built from a service's proto descriptor.
//
// Every RPC of a service is called through a generic stub, so a new RPC in a
// .proto is covered without touching the test: it gets the bad-token rows at
// once, and the member and stranger rows fail until the test says what the
// new RPC should answer.
//
//   namespace sec = tend::security;
//   const auto* pairing = sec::FindService("tend.pairing.v1.PairingService");
//   for (const sec::BadToken& bad : sec::BadTokens(secret, "alice", now)) {
//     for (const auto* method : sec::Methods(pairing)) {
//       sec::CallResult r =
//           sec::CallMethod(channel, method, bad.authorization, "");
//       EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
//     }
//   }
//
// Requests for the member rows are written as text protos with ${NAME}
// placeholders (security::RequestFromText) so one table lists a whole
// service.
#ifndef TEND_TESTS_SECURITY_AUTH_MATRIX_H_
#define TEND_TESTS_SECURITY_AUTH_MATRIX_H_

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"

namespace tend::security {

// BadToken
//
// An `authorization` value that must be refused UNAUTHENTICATED; `why`
// names the case in failure messages. An empty value means no metadata.
struct BadToken {
  std::string why;
  std::string authorization;
};

// BadTokens()
//
// Every way a caller may fail authentication, each claiming `sub`: no
// token, a scheme other than Bearer, garbage, a token signed with another
// secret, an expired one, one without `exp`, `alg: none`, RS256 and HS512
// headers over an HS256 signature, and a user-signed token claiming to be a
// service. `user_secret` is the services' HS256 user secret and `now` the
// time the services judge `exp` by.
std::vector<BadToken> BadTokens(const std::string& user_secret,
                                const std::string& sub, absl::Time now);

// RsaKeyPair, NewRsaKeyPair()
//
// A fresh 2048-bit RSA key, as PEM, for services configured with RS256.
struct RsaKeyPair {
  std::string private_pem;
  std::string public_pem;
};
RsaKeyPair NewRsaKeyPair();

// Rs256Bearer()
//
// "Bearer <RS256 jwt>" for `sub`, signed with `private_pem`.
std::string Rs256Bearer(const std::string& private_pem, const std::string& sub,
                        absl::Time expire);

// KeyConfusionTokens()
//
// Tokens a service verifying RS256 with `public_pem` must refuse: HS256
// signed with the public key's PEM as the HMAC secret (the classic
// algorithm-confusion attack), the same with the PEM's DER body, and an
// RS256 token signed by another key.
std::vector<BadToken> KeyConfusionTokens(const std::string& public_pem,
                                         const std::string& sub,
                                         absl::Time now);

// Bearer()
//
// "Bearer <HS256 jwt>" for `sub`, signed with `secret`, expiring at `expire`.
std::string Bearer(const std::string& secret, const std::string& sub,
                   absl::Time expire);

// FindService(), Methods()
//
// A service of the generated descriptor pool, and its methods in .proto
// order.
const google::protobuf::ServiceDescriptor* FindService(
    const std::string& full_name);
std::vector<const google::protobuf::MethodDescriptor*> Methods(
    const google::protobuf::ServiceDescriptor* service);

// CallResult
//
// How a call ended, and the serialized response of a unary call that
// succeeded.
struct CallResult {
  grpc::Status status;
  std::string response;
};

// CallMethod()
//
// Calls `method` with `request_bytes` and `authorization` (none if empty),
// with a deadline of `deadline` real time. A server-streaming method that
// accepts the call and keeps the stream open reports OK once its first
// message arrived or the deadline passed with the stream still open; a
// refused one reports the server's status.
CallResult CallMethod(const std::shared_ptr<grpc::Channel>& channel,
                      const google::protobuf::MethodDescriptor* method,
                      const std::string& authorization,
                      const std::string& request_bytes,
                      absl::Duration deadline = absl::Seconds(10));

// RequestFromText()
//
// The serialized `method` request written as a text proto, after replacing
// every ${KEY} with `vars[KEY]`. Fails on an unknown placeholder or a text
// that does not parse.
absl::StatusOr<std::string> RequestFromText(
    const google::protobuf::MethodDescriptor* method, const std::string& text,
    const std::map<std::string, std::string>& vars);

// CodeName()
//
// "NOT_FOUND" and so on, for failure messages.
std::string CodeName(grpc::StatusCode code);

}  // namespace tend::security

#endif  // TEND_TESTS_SECURITY_AUTH_MATRIX_H_
