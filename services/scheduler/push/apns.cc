#include "services/scheduler/push/apns.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/base/log.h"
#include "services/scheduler/push/crypto.h"

namespace tend::scheduler::push {
namespace {

// apns-collapse-id is at most 64 bytes.
constexpr size_t kMaxCollapseId = 64;

std::string ApnsReason(const HttpResponse& response) {
  const nlohmann::json body =
      nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object() && body.contains("reason") &&
      body["reason"].is_string()) {
    return body["reason"].get<std::string>();
  }
  return absl::StrCat("http ", response.status);
}

std::string CollapseId(const PushMessage& message) {
  if (message.ritual_id.size() <= kMaxCollapseId) return message.ritual_id;
  return Sha256Hex(message.ritual_id).substr(0, kMaxCollapseId);
}

}  // namespace

ApnsClient::ApnsClient(HttpClient* http, const engine::Clock* clock,
                       ApnsOptions options)
    : http_(http), clock_(clock), options_(std::move(options)) {}

absl::StatusOr<std::string> ApnsClient::ProviderToken(bool refresh) {
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_->Now();
  // A clock that stepped back also earns a new token.
  if (!refresh && !token_.empty() && now >= token_issued_ &&
      now - token_issued_ < options_.token_lifetime) {
    return token_;
  }
  absl::StatusOr<std::string> token =
      SignJwt(JwtAlgorithm::kEs256, options_.key_pem, options_.key_id,
              {{"iss", options_.team_id}, {"iat", absl::ToUnixSeconds(now)}});
  if (!token.ok()) return token.status();
  token_ = *std::move(token);
  token_issued_ = now;
  Log(LogLevel::kDebug, "push.apns_token_refreshed",
      {{"key_id", options_.key_id}});
  return token_;
}

PushResult ApnsClient::Send(const PushMessage& message,
                            const v1::Device& device) {
  const absl::Time now = clock_->Now();
  nlohmann::json payload = DataFields(message);
  payload["aps"] = {
      {"alert", {{"title", message.title}, {"body", message.body}}},
      {"sound", "default"},
      {"thread-id", message.ritual_id}};
  HttpRequest request;
  const std::string& base =
      device.apns_sandbox() ? options_.sandbox_base_url : options_.base_url;
  request.url = absl::StrCat(base, "/3/device/", device.token());
  request.body = payload.dump();
  request.timeout = options_.timeout;
  // Apple's APNs is HTTP/2 only: ALPN over TLS, h2c for a plain test server.
  request.version = absl::StartsWith(base, "http://")
                        ? HttpVersion::kHttp2PriorKnowledge
                        : HttpVersion::kNegotiate;
  const std::string expiration =
      message.expire_time.has_value()
          ? absl::StrCat(absl::ToUnixSeconds(*message.expire_time))
          : "0";

  absl::StatusOr<HttpResponse> response;
  std::string reason;
  for (bool refresh : {false, true}) {
    absl::StatusOr<std::string> token = ProviderToken(refresh);
    if (!token.ok()) return TransientFor(token.status());
    request.headers = {{"authorization", absl::StrCat("bearer ", *token)},
                       {"apns-id", NameBasedUuid(message.delivery_key)},
                       {"apns-push-type", "alert"},
                       {"apns-priority", "10"},
                       {"apns-topic", options_.topic},
                       {"apns-expiration", expiration},
                       {"apns-collapse-id", CollapseId(message)},
                       {"content-type", "application/json"}};
    response = http_->Send(request);
    if (!response.ok() || response->status != 403) break;
    reason = ApnsReason(*response);
    if (reason != "ExpiredProviderToken" && reason != "InvalidProviderToken") {
      break;
    }
  }
  if (!response.ok()) return TransientFor(response.status());

  reason = ApnsReason(*response);
  // A provider token refused twice is our configuration, not the device's:
  // retried, and dead-lettered where an operator sees it.
  return Verdict(
      *response, now, reason,
      /*token_dead=*/response->status == 410 || reason == "BadDeviceToken" ||
          reason == "DeviceTokenNotForTopic" || reason == "Unregistered",
      /*transient=*/reason == "ExpiredProviderToken" ||
          reason == "InvalidProviderToken");
}

}  // namespace tend::scheduler::push
