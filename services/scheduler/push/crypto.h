// The little cryptography push delivery needs, on OpenSSL and libjwt.
//
//   - SignJwt(): the RS256 assertion of Google's OAuth2 service-account
//     flow and the ES256 provider token of APNs;
//   - HmacSha256Hex(): webhook signatures;
//   - Sha256Hex(), NameBasedUuid(): stable ids derived from a token or a
//     reminder id, so a retry carries the same id;
//   - RandomHex(): webhook signing secrets.
#ifndef TEND_SERVICES_SCHEDULER_PUSH_CRYPTO_H_
#define TEND_SERVICES_SCHEDULER_PUSH_CRYPTO_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace tend::scheduler::push {

// JwtAlgorithm
//
// The signatures push providers ask for.
enum class JwtAlgorithm {
  kRs256,  // RSA PKCS#1 v1.5 with SHA-256: Google service accounts
  kEs256,  // ECDSA P-256 with SHA-256, JOSE (r||s) encoding: APNs
};

// SignJwt()
//
// A compact JWS of `claims` signed with `private_key_pem`, with `kid` in the
// header when it is not empty. INVALID_ARGUMENT when the key does not load
// for the algorithm.
absl::StatusOr<std::string> SignJwt(JwtAlgorithm algorithm,
                                    absl::string_view private_key_pem,
                                    absl::string_view kid,
                                    const nlohmann::json& claims);

// HmacSha256Hex()
//
// Lower-case hex HMAC-SHA256 of `data` under `key`.
std::string HmacSha256Hex(absl::string_view key, absl::string_view data);

// Sha256Hex()
//
// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(absl::string_view data);

// NameBasedUuid()
//
// The RFC 4122 version-5 (SHA-1, name-based) UUID of `name` in Tend's
// namespace, lower-case 8-4-4-4-12: the same name always gives the same
// UUID. APNs wants its apns-id in this form.
std::string NameBasedUuid(absl::string_view name);

// RandomHex()
//
// `bytes` bytes from the CSPRNG, as lower-case hex. UNAVAILABLE when the
// CSPRNG is not ready.
absl::StatusOr<std::string> RandomHex(int bytes);

}  // namespace tend::scheduler::push

#endif  // TEND_SERVICES_SCHEDULER_PUSH_CRYPTO_H_
