#include "services/scheduler/push/fcm.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/base/log.h"
#include "services/scheduler/push/crypto.h"

namespace tend::scheduler::push {
namespace {

constexpr char kScope[] = "https://www.googleapis.com/auth/firebase.messaging";
constexpr char kGrantType[] =
    "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer";
// Google accepts assertions valid for at most an hour.
constexpr absl::Duration kAssertionLifetime = absl::Hours(1);
constexpr char kFcmErrorType[] =
    "type.googleapis.com/google.firebase.fcm.v1.FcmError";

// FCM's most specific reason: details[].errorCode of the FcmError, else the
// canonical status, else the HTTP status.
std::string FcmReason(const HttpResponse& response) {
  const nlohmann::json body =
      nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    const nlohmann::json& error = body["error"];
    if (error.contains("details") && error["details"].is_array()) {
      for (const nlohmann::json& detail : error["details"]) {
        if (detail.is_object() && detail.value("@type", "") == kFcmErrorType &&
            detail.contains("errorCode") && detail["errorCode"].is_string()) {
          return detail["errorCode"].get<std::string>();
        }
      }
    }
    if (error.contains("status") && error["status"].is_string()) {
      return error["status"].get<std::string>();
    }
  }
  return absl::StrCat("http ", response.status);
}

}  // namespace

absl::StatusOr<ServiceAccount> ParseServiceAccount(absl::string_view json) {
  const nlohmann::json j =
      nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    return absl::InvalidArgumentError(
        "service account: not a JSON object (expected a Google "
        "service-account key file)");
  }
  ServiceAccount account;
  for (auto [field, out] :
       {std::pair{"client_email", &account.client_email},
        std::pair{"private_key", &account.private_key},
        std::pair{"private_key_id", &account.private_key_id},
        std::pair{"project_id", &account.project_id}}) {
    if (j.contains(field) && j[field].is_string()) {
      *out = j[field].get<std::string>();
    }
  }
  if (account.client_email.empty()) {
    return absl::InvalidArgumentError(
        "service account: client_email is missing");
  }
  if (account.private_key.empty()) {
    return absl::InvalidArgumentError(
        "service account: private_key is missing");
  }
  return account;
}

FcmClient::FcmClient(HttpClient* http, const engine::Clock* clock,
                     FcmOptions options)
    : http_(http), clock_(clock), options_(std::move(options)) {}

absl::StatusOr<std::string> FcmClient::AccessToken(bool refresh) {
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_->Now();
  if (!refresh && !access_token_.empty() &&
      now + options_.refresh_margin < access_token_expiry_) {
    return access_token_;
  }
  absl::StatusOr<std::string> assertion =
      SignJwt(JwtAlgorithm::kRs256, options_.account.private_key,
              options_.account.private_key_id,
              {{"iss", options_.account.client_email},
               {"scope", kScope},
               {"aud", options_.token_url},
               {"iat", absl::ToUnixSeconds(now)},
               {"exp", absl::ToUnixSeconds(now + kAssertionLifetime)}});
  if (!assertion.ok()) return assertion.status();
  HttpRequest request;
  request.url = options_.token_url;
  request.headers = {{"content-type", "application/x-www-form-urlencoded"}};
  request.body =
      absl::StrCat("grant_type=", kGrantType, "&assertion=", *assertion);
  request.timeout = options_.timeout;
  absl::StatusOr<HttpResponse> response = http_->Send(request);
  if (!response.ok()) return response.status();
  const nlohmann::json body = nlohmann::json::parse(response->body, nullptr,
                                                    /*allow_exceptions=*/false);
  if (response->status != 200 || !body.is_object() ||
      !body.contains("access_token") || !body["access_token"].is_string()) {
    const std::string reason =
        body.is_object() && body.contains("error") && body["error"].is_string()
            ? body["error"].get<std::string>()
            : absl::StrCat("http ", response->status);
    Log(LogLevel::kWarning, "push.fcm_token_refused",
        {{"http_status", response->status}, {"reason", reason}});
    return absl::UnavailableError(
        absl::StrCat("oauth2: the token endpoint refused: ", reason));
  }
  access_token_ = body["access_token"].get<std::string>();
  const int64_t expires_in =
      body.contains("expires_in") && body["expires_in"].is_number_integer()
          ? body["expires_in"].get<int64_t>()
          : 3600;
  access_token_expiry_ = now + absl::Seconds(expires_in);
  Log(LogLevel::kDebug, "push.fcm_token_refreshed",
      {{"expires_in_s", expires_in}});
  return access_token_;
}

absl::StatusOr<HttpResponse> FcmClient::Post(const std::string& body,
                                             const std::string& access_token) {
  const std::string project = options_.project_id.empty()
                                  ? options_.account.project_id
                                  : options_.project_id;
  HttpRequest request;
  request.url = absl::StrCat(options_.base_url, "/v1/projects/", project,
                             "/messages:send");
  request.headers = {{"authorization", absl::StrCat("Bearer ", access_token)},
                     {"content-type", "application/json; charset=utf-8"}};
  request.body = body;
  request.timeout = options_.timeout;
  return http_->Send(request);
}

PushResult FcmClient::Send(const PushMessage& message,
                           const v1::Device& device) {
  const absl::Time now = clock_->Now();
  nlohmann::json android = {{"collapse_key", message.ritual_id},
                            {"priority", "HIGH"}};
  if (message.expire_time.has_value()) {
    const int64_t ttl =
        std::max<int64_t>(0, absl::ToInt64Seconds(*message.expire_time - now));
    android["ttl"] = absl::StrCat(ttl, "s");
  }
  const nlohmann::json payload = {
      {"message",
       {{"token", device.token()},
        {"notification", {{"title", message.title}, {"body", message.body}}},
        {"data", DataFields(message)},
        {"android", android}}}};
  const std::string body = payload.dump();

  absl::StatusOr<HttpResponse> response;
  // An access token FCM no longer accepts (revoked, or our clock is off) is
  // replaced once, at once.
  for (bool refresh : {false, true}) {
    absl::StatusOr<std::string> token = AccessToken(refresh);
    if (!token.ok()) return TransientFor(token.status());
    response = Post(body, *token);
    if (!response.ok() || response->status != 401) break;
  }
  if (!response.ok()) return TransientFor(response.status());

  const std::string reason = FcmReason(*response);
  // A 401 after a fresh token is ours to fix, not the device's: retried.
  return Verdict(*response, now, reason,
                 /*token_dead=*/response->status == 404 ||
                     reason == "UNREGISTERED" || reason == "SENDER_ID_MISMATCH",
                 /*transient=*/response->status == 401);
}

}  // namespace tend::scheduler::push
