// Authentication of every RPC: `authorization: Bearer <JWT>`.
//
// User tokens are HS256 with --jwt_secret in development, or RS256 checked
// against --jwt_public_key_file in production; their `sub` is the user id.
// Service-to-service calls carry HS256 tokens signed with --service_secret
// whose `sub` is "service:<name>". `exp` is required and enforced against
// the injected clock. Only the algorithm configured for a key is accepted,
// so `alg: none` and HS256-signed-with-the-public-key tokens fail.
//
// Key rotation without downtime: each kind of key may have one extra key
// (--extra_jwt_secret, --extra_jwt_public_key_file, --extra_service_secret)
// that is accepted too but never signs. An operator first adds the new key
// as the extra one everywhere, then makes it the main key with the old one
// as extra, then drops the old one; at every step of a rolling restart,
// whatever any pod signs, every pod accepts (deploy/README.md).
//
//   auto auth = Authenticator::Create(options, clock);
//   absl::StatusOr<Caller> caller = auth->Authenticate(*server_context);
#ifndef TEND_SERVICES_COMMON_AUTH_H_
#define TEND_SERVICES_COMMON_AUTH_H_

#include <grpcpp/server_context.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/time/clock.h"

namespace tend::services {

// Caller
//
// Who is calling, once the token checked out.
struct Caller {
  // The JWT `sub`: a user id, or "service:<name>" for a service.
  std::string user_id;
  // True for a service token.
  bool is_service = false;
};

// AuthOptions
//
// Keys for verifying tokens. Set `jwt_secret` or `jwt_public_key_pem`. The
// main keys sign (the service secret, and tendctl's dev secret); the
// `extra_*` ones are only accepted, for the length of a rotation.
struct AuthOptions {
  std::string jwt_secret;
  std::string jwt_public_key_pem;
  std::string service_secret;
  std::vector<std::string> extra_jwt_secrets;
  std::vector<std::string> extra_jwt_public_key_pems;
  std::vector<std::string> extra_service_secrets;
};

// AuthOptionsFromFlags()
//
// Reads --jwt_secret, --jwt_public_key_file, --service_secret and their
// --extra_* twins. Fails when neither user key is set, a key file cannot be
// read, or an extra key is given without its main key.
absl::StatusOr<AuthOptions> AuthOptionsFromFlags();

// Authenticator
//
// Verifies bearer tokens. Thread-safe.
class Authenticator {
 public:
  Authenticator(AuthOptions options, const engine::Clock* clock);

  // Authenticate()
  //
  // Reads the `authorization` metadata of a call. UNAUTHENTICATED when it is
  // missing, malformed, badly signed, of the wrong algorithm or expired.
  absl::StatusOr<Caller> Authenticate(const grpc::ServerContext& context) const;

  // VerifyToken()
  //
  // The same check on a bare token.
  absl::StatusOr<Caller> VerifyToken(absl::string_view token) const;

 private:
  const AuthOptions options_;
  const engine::Clock* const clock_;
};

// ValidateUserId()
//
// A user id becomes part of Redis keys, so it is 1 to 128 characters of
// [A-Za-z0-9._@:-]. Errors name `field`.
absl::Status ValidateUserId(absl::string_view field, absl::string_view user_id);

// MintToken()
//
// Signs an HS256 token for `sub` that expires at `expire_time`. Used by
// tendctl and tests with the development secret, and by services with the
// service secret.
absl::StatusOr<std::string> MintToken(absl::string_view secret,
                                      absl::string_view sub,
                                      absl::Time expire_time);

// ServiceToken
//
// A service's own token for calling its peers, re-minted before it expires.
class ServiceToken {
 public:
  ServiceToken(std::string secret, std::string service_name,
               const engine::Clock* clock);

  // Get()
  //
  // Returns "Bearer <jwt>", valid for at least another minute.
  absl::StatusOr<std::string> Get();

 private:
  const std::string secret_;
  const std::string sub_;
  const engine::Clock* const clock_;
  absl::Mutex mu_;
  std::string bearer_ ABSL_GUARDED_BY(mu_);
  absl::Time expire_time_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace tend::services

#endif  // TEND_SERVICES_COMMON_AUTH_H_
