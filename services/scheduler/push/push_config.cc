#include "services/scheduler/push/push_config.h"

#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "services/scheduler/push/crypto.h"

ABSL_FLAG(std::string, fcm_service_account_file, "",
          "Google service-account key (JSON) used to send through FCM HTTP "
          "v1, e.g. a mounted Kubernetes secret. Without it FCM is off and "
          "Android devices are not reached.");
ABSL_FLAG(std::string, fcm_project_id, "",
          "Firebase project to send through; the service account's "
          "project_id when empty.");
ABSL_FLAG(std::string, fcm_base_url, "https://fcm.googleapis.com",
          "FCM's base URL; messages go to "
          "{base}/v1/projects/{project}/messages:send. Tests point it at a "
          "local server.");
ABSL_FLAG(std::string, fcm_token_url, "https://oauth2.googleapis.com/token",
          "OAuth2 token endpoint where the service account's signed JWT is "
          "exchanged for an access token (also the assertion's audience).");
ABSL_FLAG(std::string, apns_key_file, "",
          "APNs token-signing key (.p8, PEM), e.g. a mounted Kubernetes "
          "secret. Without it APNs is off and iOS devices are not reached.");
ABSL_FLAG(std::string, apns_key_id, "",
          "Key id of --apns_key_file (10 characters, from Apple); required "
          "with it.");
ABSL_FLAG(std::string, apns_team_id, "",
          "Apple developer team id, the provider token's issuer; required "
          "with --apns_key_file.");
ABSL_FLAG(std::string, apns_topic, "",
          "The iOS app's bundle id, sent as apns-topic; required with "
          "--apns_key_file.");
ABSL_FLAG(std::string, apns_base_url, "https://api.push.apple.com",
          "APNs production base URL; requests go to {base}/3/device/{token} "
          "over HTTP/2.");
ABSL_FLAG(std::string, apns_sandbox_base_url,
          "https://api.sandbox.push.apple.com",
          "APNs development base URL, for devices registered with "
          "apns_sandbox.");
ABSL_FLAG(bool, webhook_allow_http, false,
          "Accept and call http:// webhook URLs. For development and tests "
          "only: production webhooks must be https.");
ABSL_FLAG(absl::Duration, push_timeout, absl::Seconds(10),
          "How long one request to FCM, APNs, the token endpoint or a "
          "webhook may take, connecting included; a timeout is retried.");
ABSL_FLAG(std::string, push_ca_file, "",
          "PEM bundle of CAs to trust for push endpoints; the system's when "
          "empty. For private gateways and test servers.");

namespace tend::scheduler::push {
namespace {

absl::StatusOr<std::string> ReadFile(absl::string_view flag,
                                     const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": cannot read ", path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<PushConfig> PushConfigFromFlags() {
  PushConfig config;
  const absl::Duration timeout = absl::GetFlag(FLAGS_push_timeout);
  if (timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--push_timeout: must be positive");
  }
  config.http.ca_file = absl::GetFlag(FLAGS_push_ca_file);
  config.webhook.allow_http = absl::GetFlag(FLAGS_webhook_allow_http);
  config.webhook.timeout = timeout;

  const std::string account_file =
      absl::GetFlag(FLAGS_fcm_service_account_file);
  if (!account_file.empty()) {
    absl::StatusOr<std::string> json =
        ReadFile("fcm_service_account_file", account_file);
    if (!json.ok()) return json.status();
    absl::StatusOr<ServiceAccount> account = ParseServiceAccount(*json);
    if (!account.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--fcm_service_account_file: ", account.status().message()));
    }
    // A key that cannot sign fails here, at start, not at the first push.
    if (!SignJwt(JwtAlgorithm::kRs256, account->private_key, "", {{"k", 1}})
             .ok()) {
      return absl::InvalidArgumentError(
          "--fcm_service_account_file: private_key is not an RSA private key "
          "in PEM");
    }
    FcmOptions fcm;
    fcm.account = *std::move(account);
    fcm.project_id = absl::GetFlag(FLAGS_fcm_project_id);
    if (fcm.project_id.empty() && fcm.account.project_id.empty()) {
      return absl::InvalidArgumentError(
          "--fcm_project_id: required when the service account names no "
          "project_id");
    }
    fcm.base_url = absl::GetFlag(FLAGS_fcm_base_url);
    fcm.token_url = absl::GetFlag(FLAGS_fcm_token_url);
    fcm.timeout = timeout;
    config.fcm = std::move(fcm);
  }

  const std::string key_file = absl::GetFlag(FLAGS_apns_key_file);
  if (!key_file.empty()) {
    absl::StatusOr<std::string> pem = ReadFile("apns_key_file", key_file);
    if (!pem.ok()) return pem.status();
    if (!SignJwt(JwtAlgorithm::kEs256, *pem, "", {{"k", 1}}).ok()) {
      return absl::InvalidArgumentError(
          "--apns_key_file: not a P-256 private key in PEM (a .p8 file)");
    }
    ApnsOptions apns;
    apns.key_pem = *std::move(pem);
    apns.key_id = absl::GetFlag(FLAGS_apns_key_id);
    apns.team_id = absl::GetFlag(FLAGS_apns_team_id);
    apns.topic = absl::GetFlag(FLAGS_apns_topic);
    for (auto [flag, value] : {std::pair{"apns_key_id", &apns.key_id},
                               std::pair{"apns_team_id", &apns.team_id},
                               std::pair{"apns_topic", &apns.topic}}) {
      if (value->empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", flag, ": required with --apns_key_file"));
      }
    }
    apns.base_url = absl::GetFlag(FLAGS_apns_base_url);
    apns.sandbox_base_url = absl::GetFlag(FLAGS_apns_sandbox_base_url);
    apns.timeout = timeout;
    config.apns = std::move(apns);
  }
  return config;
}

ProviderSet::ProviderSet(const PushConfig& config, const engine::Clock* clock)
    : http_(config.http) {
  if (config.fcm.has_value()) {
    fcm_ = std::make_unique<FcmClient>(&http_, clock, *config.fcm);
  }
  if (config.apns.has_value()) {
    apns_ = std::make_unique<ApnsClient>(&http_, clock, *config.apns);
  }
  webhook_ = std::make_unique<WebhookClient>(&http_, clock, config.webhook);
}

PushProvider* ProviderSet::For(v1::DevicePlatform platform) const {
  switch (platform) {
    case v1::DEVICE_PLATFORM_ANDROID:
      return fcm_.get();
    case v1::DEVICE_PLATFORM_IOS:
      return apns_.get();
    case v1::DEVICE_PLATFORM_WEB_WEBHOOK:
      return webhook_.get();
    default:
      return nullptr;
  }
}

}  // namespace tend::scheduler::push
