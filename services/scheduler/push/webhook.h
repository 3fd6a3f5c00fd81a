// WebhookClient: reminders POSTed as signed JSON to a person's own URL
// (a web app, a home-automation hub).
//
// The body is
//
//   {"type": "reminder.due", "reminder": "couples/c/reminders/r",
//    "reminder_id": "r", "delivery_key": "r", "ritual": "...",
//    "due_time": "2026-11-26T08:00:00Z", "expire_time": "...",
//    "title": "...", "body": "..."}
//
// with the headers
//
//   Idempotency-Key: <delivery key>      the same on every retry
//   Tend-Signature:  t=<unix seconds>,v1=<hex HMAC-SHA256>
//
// The signature is HMAC-SHA256, under the device's signing secret (given
// once by RegisterDevice), of "<t>.<raw body>". A receiver recomputes it,
// compares in constant time, rejects a `t` more than five minutes from its
// own clock (replays), and drops a repeated Idempotency-Key.
//
// Any 2xx is delivered; 410 Gone asks us to forget the device; 408, 429
// and 5xx are transient (Retry-After honoured); any other status is a
// rejection, not retried. Redirects are not followed.
#ifndef TEND_SERVICES_SCHEDULER_PUSH_WEBHOOK_H_
#define TEND_SERVICES_SCHEDULER_PUSH_WEBHOOK_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/time/clock.h"
#include "services/scheduler/push/http_client.h"
#include "services/scheduler/push/push_provider.h"

namespace tend::scheduler::push {

// WebhookOptions
//
// How webhooks are sent.
struct WebhookOptions {
  // Allow http:// URLs (development and tests); https only otherwise.
  bool allow_http = false;
  absl::Duration timeout = absl::Seconds(10);
};

// WebhookSignature()
//
// The Tend-Signature header value for `body` sent at `t`.
std::string WebhookSignature(absl::string_view secret, absl::Time t,
                             absl::string_view body);

// WebhookClient
//
// Thread-safe.
class WebhookClient final : public PushProvider {
 public:
  // `http` and `clock` must outlive the client.
  WebhookClient(HttpClient* http, const engine::Clock* clock,
                WebhookOptions options);

  v1::DeliveryProvider provider() const override {
    return v1::DELIVERY_PROVIDER_WEBHOOK;
  }
  PushResult Send(const PushMessage& message,
                  const v1::Device& device) override;

 private:
  HttpClient* const http_;
  const engine::Clock* const clock_;
  const WebhookOptions options_;
};

}  // namespace tend::scheduler::push

#endif  // TEND_SERVICES_SCHEDULER_PUSH_WEBHOOK_H_
