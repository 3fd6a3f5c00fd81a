#include "services/scheduler/push/webhook.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/scheduler/push/crypto.h"

namespace tend::scheduler::push {

std::string WebhookSignature(absl::string_view secret, absl::Time t,
                             absl::string_view body) {
  const int64_t unix = absl::ToUnixSeconds(t);
  return absl::StrCat(
      "t=", unix, ",v1=", HmacSha256Hex(secret, absl::StrCat(unix, ".", body)));
}

WebhookClient::WebhookClient(HttpClient* http, const engine::Clock* clock,
                             WebhookOptions options)
    : http_(http), clock_(clock), options_(options) {}

PushResult WebhookClient::Send(const PushMessage& message,
                               const v1::Device& device) {
  const std::string& url = device.webhook_url();
  if (!absl::StartsWith(url, "https://") &&
      !(options_.allow_http && absl::StartsWith(url, "http://"))) {
    // Registration checks this too; a flag turned off since ends here.
    PushResult result;
    result.outcome = PushOutcome::kRejected;
    result.error = "webhook: the URL is not https";
    return result;
  }
  const absl::Time now = clock_->Now();
  nlohmann::json payload = DataFields(message);
  payload["type"] = "reminder.due";
  payload["title"] = message.title;
  payload["body"] = message.body;
  if (message.expire_time.has_value()) {
    payload["expire_time"] = Rfc3339Utc(*message.expire_time);
  }
  HttpRequest request;
  request.url = url;
  request.body = payload.dump();
  request.timeout = options_.timeout;
  request.headers = {
      {"content-type", "application/json"},
      {"user-agent", "Tend-Webhook/1"},
      {"idempotency-key", message.delivery_key},
      {"tend-signature",
       WebhookSignature(device.webhook_signing_secret(), now, request.body)}};
  absl::StatusOr<HttpResponse> response = http_->Send(request);
  if (!response.ok()) return TransientFor(response.status());

  return Verdict(*response, now, absl::StrCat("http ", response->status),
                 /*token_dead=*/response->status == 410);
}

}  // namespace tend::scheduler::push
