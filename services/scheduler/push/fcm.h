// FcmClient: Firebase Cloud Messaging, HTTP v1, for Android devices.
//
// Authentication is Google's service-account flow: an RS256-signed JWT
// assertion (iss = the account's client_email, scope firebase.messaging,
// aud = the token endpoint) is exchanged at the token endpoint for an
// access token, which is cached until shortly before it expires and
// fetched again at once when FCM answers 401.
//
// Each reminder is one POST {base}/v1/projects/{project}/messages:send:
//
//   {"message": {"token": "<registration token>",
//                "notification": {"title": "...", "body": "..."},
//                "data": {"reminder": "couples/c/reminders/r", ...},
//                "android": {"collapse_key": "<ritual id>",
//                            "priority": "HIGH", "ttl": "5400s"}}}
//
// The TTL runs to the reminder's expire_time, so a phone that was off does
// not show a stale reminder hours late; the collapse key keeps one
// notification per ritual. 404 / UNREGISTERED and 403 / SENDER_ID_MISMATCH
// mean the token is dead; 429 and 5xx are transient, with Retry-After.
//
//   FcmClient fcm(&http, clock, options);
//   PushResult r = fcm.Send(MessageFor(reminder), device);
#ifndef TEND_SERVICES_SCHEDULER_PUSH_FCM_H_
#define TEND_SERVICES_SCHEDULER_PUSH_FCM_H_

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/time/clock.h"
#include "services/scheduler/push/http_client.h"
#include "services/scheduler/push/push_provider.h"

namespace tend::scheduler::push {

// ServiceAccount
//
// The fields of a Google service-account key file that the flow needs.
struct ServiceAccount {
  std::string client_email;
  // PEM, "-----BEGIN PRIVATE KEY-----...".
  std::string private_key;
  std::string private_key_id;
  std::string project_id;
};

// ParseServiceAccount()
//
// Reads a service-account key file's JSON. INVALID_ARGUMENT naming the
// missing field; the message never quotes the key.
absl::StatusOr<ServiceAccount> ParseServiceAccount(absl::string_view json);

// FcmOptions
//
// Where FCM is and who we are to it.
struct FcmOptions {
  std::string base_url = "https://fcm.googleapis.com";
  std::string token_url = "https://oauth2.googleapis.com/token";
  // The Firebase project; the service account's own when empty.
  std::string project_id;
  ServiceAccount account;
  absl::Duration timeout = absl::Seconds(10);
  // The cached access token is replaced this long before it expires.
  absl::Duration refresh_margin = absl::Minutes(5);
};

// FcmClient
//
// Thread-safe.
class FcmClient final : public PushProvider {
 public:
  // `http` and `clock` must outlive the client.
  FcmClient(HttpClient* http, const engine::Clock* clock, FcmOptions options);

  v1::DeliveryProvider provider() const override {
    return v1::DELIVERY_PROVIDER_FCM;
  }
  PushResult Send(const PushMessage& message,
                  const v1::Device& device) override;

 private:
  // The cached access token, or a new one when it is near expiry or
  // `refresh` is set.
  absl::StatusOr<std::string> AccessToken(bool refresh);
  absl::StatusOr<HttpResponse> Post(const std::string& body,
                                    const std::string& access_token);

  HttpClient* const http_;
  const engine::Clock* const clock_;
  const FcmOptions options_;
  absl::Mutex mu_;
  std::string access_token_ ABSL_GUARDED_BY(mu_);
  absl::Time access_token_expiry_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace tend::scheduler::push

#endif  // TEND_SERVICES_SCHEDULER_PUSH_FCM_H_
