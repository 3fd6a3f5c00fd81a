#include "services/scheduler/push/crypto.h"

#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdlib>
#include <memory>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace tend::scheduler::push {
namespace {

struct JwtDeleter {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};

// Tend's namespace for version-5 UUIDs (itself a random UUID, fixed
// forever: changing it would change every apns-id).
constexpr unsigned char kTendNamespace[16] = {
    0x6f, 0x1c, 0x3e, 0x0a, 0x3b, 0x9e, 0x4c, 0x5e,
    0x9a, 0x57, 0x3d, 0x2f, 0x1a, 0x6c, 0x9b, 0x10};

std::string Hex(const unsigned char* bytes, size_t n) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), n));
}

}  // namespace

absl::StatusOr<std::string> SignJwt(JwtAlgorithm algorithm,
                                    absl::string_view private_key_pem,
                                    absl::string_view kid,
                                    const nlohmann::json& claims) {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return absl::ResourceExhaustedError("jwt: no memory");
  std::unique_ptr<jwt_t, JwtDeleter> jwt(raw);
  const std::string key(private_key_pem);
  const jwt_alg_t alg =
      algorithm == JwtAlgorithm::kRs256 ? JWT_ALG_RS256 : JWT_ALG_ES256;
  if (jwt_set_alg(jwt.get(), alg,
                  reinterpret_cast<const unsigned char*>(key.data()),
                  static_cast<int>(key.size())) != 0) {
    return absl::InvalidArgumentError("jwt: the signing key is not usable");
  }
  if (!kid.empty() &&
      jwt_add_header(jwt.get(), "kid", std::string(kid).c_str()) != 0) {
    return absl::InvalidArgumentError("jwt: bad key id");
  }
  if (jwt_add_grants_json(jwt.get(), claims.dump().c_str()) != 0) {
    return absl::InvalidArgumentError("jwt: bad claims");
  }
  char* encoded = jwt_encode_str(jwt.get());
  if (encoded == nullptr) {
    // libjwt fails here when the PEM is not a key of the algorithm's kind.
    return absl::InvalidArgumentError(absl::StrCat(
        "jwt: cannot sign with this key (",
        algorithm == JwtAlgorithm::kRs256 ? "RS256" : "ES256", " needs ",
        algorithm == JwtAlgorithm::kRs256 ? "an RSA" : "a P-256",
        " private key in PEM)"));
  }
  std::string token(encoded);
  free(encoded);  // libjwt 1.10 allocates with malloc
  return token;
}

std::string HmacSha256Hex(absl::string_view key, absl::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac,
       &length);
  return Hex(mac, length);
}

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         digest);
  return Hex(digest, sizeof digest);
}

std::string NameBasedUuid(absl::string_view name) {
  std::vector<unsigned char> input(std::begin(kTendNamespace),
                                   std::end(kTendNamespace));
  input.insert(input.end(), name.begin(), name.end());
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(input.data(), input.size(), digest);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x50);  // v5
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);  // RFC
  const std::string hex = Hex(digest, 16);
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-",
                      hex.substr(12, 4), "-", hex.substr(16, 4), "-",
                      hex.substr(20, 12));
}

absl::StatusOr<std::string> RandomHex(int bytes) {
  std::vector<unsigned char> buffer(static_cast<size_t>(bytes));
  if (RAND_bytes(buffer.data(), bytes) != 1) {
    return absl::UnavailableError("random: the CSPRNG is not ready");
  }
  return Hex(buffer.data(), buffer.size());
}

}  // namespace tend::scheduler::push
