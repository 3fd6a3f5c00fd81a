// ApnsClient: the Apple Push Notification service, for iOS devices.
//
// APNs speaks HTTP/2 only. Authentication is token based: an ES256 provider
// JWT (header kid = the key id, claims iss = the team id, iat = now) signed
// with the .p8 key. Apple refuses a token older than an hour and one
// refreshed more often than every 20 minutes, so the client signs a new one
// every `token_lifetime` (50 minutes), and at once when APNs answers 403
// ExpiredProviderToken.
//
// Each reminder is one POST {base}/3/device/{device token} with
//
//   apns-id:          the delivery key as a UUID (NameBasedUuid), so the
//                     same reminder always carries the same id
//   apns-collapse-id: the ritual id: one notification per ritual
//   apns-expiration:  the reminder's expire_time (unix seconds)
//   apns-push-type:   alert;  apns-priority: 10;  apns-topic: the bundle id
//
// and {"aps": {"alert": {"title", "body"}, "sound", "thread-id"}, ...the
// data fields}. 410 Unregistered, BadDeviceToken and DeviceTokenNotForTopic
// mean the token is dead; 429 and 5xx are transient, with Retry-After.
// Devices registered with apns_sandbox go to the sandbox base URL.
#ifndef TEND_SERVICES_SCHEDULER_PUSH_APNS_H_
#define TEND_SERVICES_SCHEDULER_PUSH_APNS_H_

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/time/clock.h"
#include "services/scheduler/push/http_client.h"
#include "services/scheduler/push/push_provider.h"

namespace tend::scheduler::push {

// ApnsOptions
//
// Where APNs is and who we are to it.
struct ApnsOptions {
  std::string base_url = "https://api.push.apple.com";
  std::string sandbox_base_url = "https://api.sandbox.push.apple.com";
  // The .p8 signing key (PEM, P-256), its 10-character key id, the team id,
  // and the app's bundle id (apns-topic).
  std::string key_pem;
  std::string key_id;
  std::string team_id;
  std::string topic;
  // A provider token is replaced after this long; Apple allows 20 to 60
  // minutes.
  absl::Duration token_lifetime = absl::Minutes(50);
  absl::Duration timeout = absl::Seconds(10);
};

// ApnsClient
//
// Thread-safe.
class ApnsClient final : public PushProvider {
 public:
  // `http` and `clock` must outlive the client.
  ApnsClient(HttpClient* http, const engine::Clock* clock, ApnsOptions options);

  v1::DeliveryProvider provider() const override {
    return v1::DELIVERY_PROVIDER_APNS;
  }
  PushResult Send(const PushMessage& message,
                  const v1::Device& device) override;

 private:
  // The current provider token, or a new one when it is old or `refresh`.
  absl::StatusOr<std::string> ProviderToken(bool refresh);

  HttpClient* const http_;
  const engine::Clock* const clock_;
  const ApnsOptions options_;
  absl::Mutex mu_;
  std::string token_ ABSL_GUARDED_BY(mu_);
  absl::Time token_issued_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace tend::scheduler::push

#endif  // TEND_SERVICES_SCHEDULER_PUSH_APNS_H_
