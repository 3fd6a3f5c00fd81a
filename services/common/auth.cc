#include "services/common/auth.h"

#include <jwt.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/base/status_macros.h"
#include "services/common/flags.h"

namespace tend::services {
namespace {

constexpr absl::string_view kServicePrefix = "service:";
constexpr size_t kMaxTokenBytes = 8192;

struct JwtDeleter {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

absl::Status Unauthenticated(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("authorization: ", why));
}

// Decodes `token` with `key` and insists on `alg`. Returns null on failure.
JwtPtr Decode(absl::string_view token, const std::string& key, jwt_alg_t alg) {
  if (key.empty()) return nullptr;
  const std::string text(token);
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, text.c_str(),
                 reinterpret_cast<const unsigned char*>(key.data()),
                 static_cast<int>(key.size())) != 0) {
    return nullptr;
  }
  JwtPtr jwt(raw);
  if (jwt_get_alg(jwt.get()) != alg) return nullptr;
  return jwt;
}

// Decode() with `main_key`, then with each of `extra_keys`.
JwtPtr DecodeWithAny(absl::string_view token, const std::string& main_key,
                     const std::vector<std::string>& extra_keys,
                     jwt_alg_t alg) {
  JwtPtr jwt = Decode(token, main_key, alg);
  for (size_t i = 0; jwt == nullptr && i < extra_keys.size(); ++i) {
    jwt = Decode(token, extra_keys[i], alg);
  }
  return jwt;
}

absl::StatusOr<std::string> ReadKeyFile(absl::string_view flag,
                                        const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": cannot read ", path));
  }
  std::stringstream pem;
  pem << in.rdbuf();
  return pem.str();
}

// Appends `value` to `extras` when set; an error naming `flag` when it is
// set without its main key.
absl::Status AddExtra(absl::string_view flag, const std::string& value,
                      const std::string& main_key, absl::string_view main_flag,
                      std::vector<std::string>* extras) {
  if (value.empty()) return absl::OkStatus();
  if (main_key.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": needs --", main_flag));
  }
  extras->push_back(value);
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateUserId(absl::string_view field,
                            absl::string_view user_id) {
  if (user_id.empty() || user_id.size() > 128) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": 1 to 128 characters"));
  }
  for (char c : user_id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                    c == '.' || c == '@' || c == ':';
    if (!ok) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": only letters, digits and . _ @ : -"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<AuthOptions> AuthOptionsFromFlags() {
  AuthOptions options;
  options.jwt_secret = absl::GetFlag(FLAGS_jwt_secret);
  options.service_secret = absl::GetFlag(FLAGS_service_secret);
  const std::string key_file = absl::GetFlag(FLAGS_jwt_public_key_file);
  const std::string extra_key_file =
      absl::GetFlag(FLAGS_extra_jwt_public_key_file);
  if (!key_file.empty()) {
    TEND_ASSIGN_OR_RETURN(options.jwt_public_key_pem,
                          ReadKeyFile("jwt_public_key_file", key_file));
    options.jwt_secret.clear();  // production: RS256 only
  } else {
    TEND_RETURN_IF_ERROR(
        AddExtra("extra_jwt_secret", absl::GetFlag(FLAGS_extra_jwt_secret),
                 options.jwt_secret, "jwt_secret", &options.extra_jwt_secrets));
  }
  if (!extra_key_file.empty()) {
    if (key_file.empty()) {
      return absl::InvalidArgumentError(
          "--extra_jwt_public_key_file: needs --jwt_public_key_file");
    }
    TEND_ASSIGN_OR_RETURN(
        std::string pem,
        ReadKeyFile("extra_jwt_public_key_file", extra_key_file));
    options.extra_jwt_public_key_pems.push_back(std::move(pem));
  }
  TEND_RETURN_IF_ERROR(AddExtra("extra_service_secret",
                                absl::GetFlag(FLAGS_extra_service_secret),
                                options.service_secret, "service_secret",
                                &options.extra_service_secrets));
  if (options.jwt_secret.empty() && options.jwt_public_key_pem.empty()) {
    return absl::InvalidArgumentError(
        "--jwt_secret or --jwt_public_key_file must be set");
  }
  return options;
}

Authenticator::Authenticator(AuthOptions options, const engine::Clock* clock)
    : options_(std::move(options)), clock_(clock) {}

absl::StatusOr<Caller> Authenticator::Authenticate(
    const grpc::ServerContext& context) const {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return Unauthenticated("missing bearer token");
  absl::string_view value(it->second.data(), it->second.size());
  if (!absl::ConsumePrefix(&value, "Bearer ") &&
      !absl::ConsumePrefix(&value, "bearer ")) {
    return Unauthenticated("expected 'Bearer <token>'");
  }
  return VerifyToken(absl::StripAsciiWhitespace(value));
}

absl::StatusOr<Caller> Authenticator::VerifyToken(
    absl::string_view token) const {
  if (token.empty() || token.size() > kMaxTokenBytes) {
    return Unauthenticated("malformed token");
  }
  Caller caller;
  JwtPtr jwt = DecodeWithAny(token, options_.service_secret,
                             options_.extra_service_secrets, JWT_ALG_HS256);
  if (jwt != nullptr) {
    caller.is_service = true;
  } else if (!options_.jwt_public_key_pem.empty()) {
    jwt = DecodeWithAny(token, options_.jwt_public_key_pem,
                        options_.extra_jwt_public_key_pems, JWT_ALG_RS256);
  } else {
    jwt = DecodeWithAny(token, options_.jwt_secret, options_.extra_jwt_secrets,
                        JWT_ALG_HS256);
  }
  if (jwt == nullptr) return Unauthenticated("invalid or badly signed token");

  errno = 0;
  const long exp = jwt_get_grant_int(jwt.get(), "exp");
  if (errno != 0 || exp <= 0) return Unauthenticated("token has no exp");
  if (absl::FromUnixSeconds(exp) <= clock_->Now()) {
    return Unauthenticated("token expired");
  }
  const char* sub = jwt_get_grant(jwt.get(), "sub");
  if (sub == nullptr || !ValidateUserId("sub", sub).ok()) {
    return Unauthenticated("token has no valid sub");
  }
  caller.user_id = sub;
  // Only the service secret can make a service; a user token never can.
  if (caller.is_service != absl::StartsWith(caller.user_id, kServicePrefix)) {
    return Unauthenticated("token sub does not match its issuer");
  }
  return caller;
}

absl::StatusOr<std::string> MintToken(absl::string_view secret,
                                      absl::string_view sub,
                                      absl::Time expire_time) {
  if (secret.empty()) return absl::InvalidArgumentError("secret: required");
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return absl::InternalError("jwt: out of memory");
  JwtPtr jwt(raw);
  const std::string sub_text(sub);
  if (jwt_add_grant(jwt.get(), "sub", sub_text.c_str()) != 0 ||
      jwt_add_grant_int(jwt.get(), "exp", absl::ToUnixSeconds(expire_time)) !=
          0 ||
      jwt_set_alg(jwt.get(), JWT_ALG_HS256,
                  reinterpret_cast<const unsigned char*>(secret.data()),
                  static_cast<int>(secret.size())) != 0) {
    return absl::InternalError("jwt: cannot build token");
  }
  char* encoded = jwt_encode_str(jwt.get());
  if (encoded == nullptr) return absl::InternalError("jwt: cannot sign token");
  std::string token(encoded);
  free(encoded);  // libjwt 1.10 allocates with malloc
  return token;
}

ServiceToken::ServiceToken(std::string secret, std::string service_name,
                           const engine::Clock* clock)
    : secret_(std::move(secret)),
      sub_(absl::StrCat(kServicePrefix, service_name)),
      clock_(clock) {}

absl::StatusOr<std::string> ServiceToken::Get() {
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_->Now();
  if (expire_time_ - now < absl::Minutes(1)) {
    const absl::Time expire = now + absl::Minutes(15);
    absl::StatusOr<std::string> token = MintToken(secret_, sub_, expire);
    if (!token.ok()) return token.status();
    bearer_ = absl::StrCat("Bearer ", *token);
    expire_time_ = expire;
  }
  return bearer_;
}

}  // namespace tend::services
