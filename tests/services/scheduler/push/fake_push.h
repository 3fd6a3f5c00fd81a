// FakePush: fake_push_server.js (FCM, OAuth2, APNs, webhooks on loopback)
// run from a test, with the controls a test needs.
//
//   FakePush fake;
//   ASSERT_TRUE(fake.Start().ok());
//   push::ProviderSet providers(fake.Config(), &clock);
//   fake.Control({{"script", {{"fcm", {{{"status", 503}}}}}}});
//   ... send ...
//   std::vector<nlohmann::json> fcm = fake.Requests("fcm");
#ifndef TEND_TESTS_SERVICES_SCHEDULER_PUSH_FAKE_PUSH_H_
#define TEND_TESTS_SERVICES_SCHEDULER_PUSH_FAKE_PUSH_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"
#include "services/scheduler/push/http_client.h"
#include "services/scheduler/push/push_config.h"
#include "tests/support/child_process.h"

namespace tend::testing {

// FakePush
//
// Not thread-safe; the test thread drives it.
class FakePush {
 public:
  FakePush();
  ~FakePush();

  // Available()
  //
  // False when this build found no node to run the server with.
  static bool Available();

  // Start()
  //
  // Runs the server and reads where it listens.
  absl::Status Start();

  // Config()
  //
  // A push configuration aimed at the server: FCM and APNs with the keys it
  // made, its CA trusted, http:// webhooks allowed, `timeout` per request.
  scheduler::push::PushConfig Config(
      absl::Duration timeout = absl::Seconds(5)) const;

  // Control(), Reset()
  //
  // See `control` in fake_push_server.js.
  void Control(const nlohmann::json& settings);
  void Reset();

  // Requests()
  //
  // Every request the server received, or those of one surface ("token",
  // "fcm", "apns", "webhook"), oldest first.
  std::vector<nlohmann::json> Requests(const std::string& surface = "");

  // WebhookUrl(), TlsWebhookUrl()
  //
  // A receiver path on the plain (HTTP/1.1) or TLS listener.
  std::string WebhookUrl(const std::string& path) const;
  std::string TlsWebhookUrl(const std::string& path) const;

  const nlohmann::json& info() const { return info_; }

 private:
  std::string ControlUrl(const std::string& path) const;

  std::unique_ptr<ChildProcess> process_;
  nlohmann::json info_;
  scheduler::push::HttpClient http_;
};

}  // namespace tend::testing

#endif  // TEND_TESTS_SERVICES_SCHEDULER_PUSH_FAKE_PUSH_H_
