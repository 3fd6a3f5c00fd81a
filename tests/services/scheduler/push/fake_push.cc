#include "tests/services/scheduler/push/fake_push.h"

#include <csignal>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"

namespace tend::testing {

namespace {

scheduler::push::HttpClientOptions ControlClientOptions() {
  scheduler::push::HttpClientOptions options;
  options.max_response_bytes = size_t{256} << 20;  // every request so far
  return options;
}

}  // namespace

FakePush::FakePush() : http_(ControlClientOptions()) {}

FakePush::~FakePush() {
  // SIGTERM lets the server remove its temporary directory.
  if (process_ != nullptr) process_->Terminate(SIGTERM, absl::Seconds(5));
}

bool FakePush::Available() { return TEND_NODE_BIN[0] != '\0'; }

absl::Status FakePush::Start() {
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{TEND_NODE_BIN, TEND_FAKE_PUSH_JS});
  if (absl::Status started = process_->Start(); !started.ok()) return started;
  absl::StatusOr<std::string> line = process_->ReadLine(absl::Seconds(30));
  if (!line.ok()) {
    return absl::Status(
        line.status().code(),
        absl::StrCat("fake push server: ", line.status().message(),
                     "; stderr: ", process_->Stderr()));
  }
  info_ = nlohmann::json::parse(*line, nullptr, false);
  if (!info_.is_object() || !info_.contains("tls_port")) {
    return absl::InternalError(absl::StrCat("fake push server said: ", *line));
  }
  return absl::OkStatus();
}

scheduler::push::PushConfig FakePush::Config(absl::Duration timeout) const {
  const std::string base =
      absl::StrCat("https://127.0.0.1:", info_["tls_port"].get<int>());
  scheduler::push::PushConfig config;
  config.http.ca_file = info_["ca_file"];
  config.webhook.allow_http = true;
  config.webhook.timeout = timeout;

  scheduler::push::FcmOptions fcm;
  std::ifstream account_file(info_["service_account_file"].get<std::string>());
  std::string account_json((std::istreambuf_iterator<char>(account_file)),
                           std::istreambuf_iterator<char>());
  fcm.account = *scheduler::push::ParseServiceAccount(account_json);
  fcm.base_url = base;
  fcm.token_url = absl::StrCat(base, "/token");
  fcm.timeout = timeout;
  config.fcm = fcm;

  scheduler::push::ApnsOptions apns;
  std::ifstream key_file(info_["apns_key_file"].get<std::string>());
  apns.key_pem.assign((std::istreambuf_iterator<char>(key_file)),
                      std::istreambuf_iterator<char>());
  apns.key_id = info_["apns_key_id"];
  apns.team_id = info_["apns_team_id"];
  apns.topic = "com.example.tend";
  apns.base_url = base;
  apns.sandbox_base_url = base;
  apns.timeout = timeout;
  config.apns = apns;
  return config;
}

std::string FakePush::ControlUrl(const std::string& path) const {
  return absl::StrCat("http://127.0.0.1:", info_["http_port"].get<int>(), path);
}

void FakePush::Control(const nlohmann::json& settings) {
  scheduler::push::HttpRequest request;
  request.url = ControlUrl("/__control");
  request.body = settings.dump();
  request.headers = {{"content-type", "application/json"}};
  (void)http_.Send(request);
}

void FakePush::Reset() {
  scheduler::push::HttpRequest request;
  request.url = ControlUrl("/__reset");
  (void)http_.Send(request);
}

std::vector<nlohmann::json> FakePush::Requests(const std::string& surface) {
  scheduler::push::HttpRequest request;
  request.method = "GET";
  request.url = ControlUrl("/__requests");
  std::vector<nlohmann::json> out;
  absl::StatusOr<scheduler::push::HttpResponse> response = http_.Send(request);
  if (!response.ok()) return out;
  for (const nlohmann::json& r : nlohmann::json::parse(response->body)) {
    if (surface.empty() || r["surface"] == surface) out.push_back(r);
  }
  return out;
}

std::string FakePush::WebhookUrl(const std::string& path) const {
  return ControlUrl(path);
}

std::string FakePush::TlsWebhookUrl(const std::string& path) const {
  return absl::StrCat("https://127.0.0.1:", info_["tls_port"].get<int>(), path);
}

}  // namespace tend::testing
