// Push configuration: the flags that say where FCM, APNs and the OAuth2
// token endpoint are and where the credentials live, and the set of
// providers built from them.
//
// Credentials are read from files (in Kubernetes, mounted secrets), never
// from the repository or the command line. Every flag has a TEND_* twin,
// e.g. TEND_FCM_SERVICE_ACCOUNT_FILE. A provider whose credentials are not
// configured is off: devices of its platform are recorded as failing
// ("not configured") and retried, so an operator sees the gap.
//
//   absl::StatusOr<PushConfig> config = PushConfigFromFlags();
//   ProviderSet providers(*config, clock);
//   PushProvider* fcm = providers.For(v1::DEVICE_PLATFORM_ANDROID);
#ifndef TEND_SERVICES_SCHEDULER_PUSH_PUSH_CONFIG_H_
#define TEND_SERVICES_SCHEDULER_PUSH_PUSH_CONFIG_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/time/clock.h"
#include "services/scheduler/push/apns.h"
#include "services/scheduler/push/fcm.h"
#include "services/scheduler/push/http_client.h"
#include "services/scheduler/push/webhook.h"

// --fcm_service_account_file: Google service-account key JSON; FCM is off
// without it.
ABSL_DECLARE_FLAG(std::string, fcm_service_account_file);
// --fcm_project_id: the Firebase project; the service account's if empty.
ABSL_DECLARE_FLAG(std::string, fcm_project_id);
// --fcm_base_url, --fcm_token_url: FCM's and the OAuth2 endpoint's URLs.
ABSL_DECLARE_FLAG(std::string, fcm_base_url);
ABSL_DECLARE_FLAG(std::string, fcm_token_url);
// --apns_key_file, --apns_key_id, --apns_team_id, --apns_topic: the .p8
// key and who it belongs to; APNs is off without the key file.
ABSL_DECLARE_FLAG(std::string, apns_key_file);
ABSL_DECLARE_FLAG(std::string, apns_key_id);
ABSL_DECLARE_FLAG(std::string, apns_team_id);
ABSL_DECLARE_FLAG(std::string, apns_topic);
// --apns_base_url, --apns_sandbox_base_url: production and development.
ABSL_DECLARE_FLAG(std::string, apns_base_url);
ABSL_DECLARE_FLAG(std::string, apns_sandbox_base_url);
// --webhook_allow_http: accept http:// webhook URLs (development only).
ABSL_DECLARE_FLAG(bool, webhook_allow_http);
// --push_timeout: one provider request, connecting included.
ABSL_DECLARE_FLAG(absl::Duration, push_timeout);
// --push_ca_file: CAs to trust for push endpoints; the system's if empty.
ABSL_DECLARE_FLAG(std::string, push_ca_file);

namespace tend::scheduler::push {

// PushConfig
//
// Everything the providers need. An unset provider is off.
struct PushConfig {
  HttpClientOptions http;
  std::optional<FcmOptions> fcm;
  std::optional<ApnsOptions> apns;
  WebhookOptions webhook;
};

// PushConfigFromFlags()
//
// Reads the flags and the credential files they name. INVALID_ARGUMENT
// naming the flag when a file cannot be read or parsed, or when APNs is
// half configured. Never quotes a credential.
absl::StatusOr<PushConfig> PushConfigFromFlags();

// ProviderSet
//
// The providers of one replica and the HTTP client they share. Thread-safe.
class ProviderSet {
 public:
  // `clock` must outlive the set.
  ProviderSet(const PushConfig& config, const engine::Clock* clock);

  // For()
  //
  // The provider for a device platform; null when it is off.
  PushProvider* For(v1::DevicePlatform platform) const;

  // http()
  //
  // The shared client, e.g. for a test's control requests.
  HttpClient* http() { return &http_; }

 private:
  HttpClient http_;
  std::unique_ptr<FcmClient> fcm_;
  std::unique_ptr<ApnsClient> apns_;
  std::unique_ptr<WebhookClient> webhook_;
};

}  // namespace tend::scheduler::push

#endif  // TEND_SERVICES_SCHEDULER_PUSH_PUSH_CONFIG_H_
