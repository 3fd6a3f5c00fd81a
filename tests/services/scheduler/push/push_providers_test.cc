// The push providers against local stand-ins for FCM, Google's OAuth2
// token endpoint, APNs and a webhook receiver (fake_push_server.js): real
// HTTP/2 over TLS and HTTP/1.1, real signatures checked by the other side,
// a FakeClock for token lifetimes.
#include <regex>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/str_cat.h"
#include "engine/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/scheduler/push/crypto.h"
#include "services/scheduler/push/push_config.h"
#include "services/scheduler/push/push_provider.h"
#include "services/scheduler/push/webhook.h"
#include "tests/services/scheduler/push/fake_push.h"

namespace tend::scheduler::push {
namespace {

using testing::FakePush;
using ::testing::HasSubstr;
using ::testing::Not;

// 2026-11-26T09:00:00Z.
const absl::Time kStart = absl::FromUnixSeconds(1795683600);

constexpr char kApnsToken[] =
    "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

v1::Reminder SampleReminder() {
  v1::Reminder r;
  r.set_name("couples/c0ffee/reminders/weekly.1795690800.0.alice");
  r.set_ritual("couples/c0ffee/rituals/weekly");
  r.set_ritual_title("Weekly check-in");
  r.set_recipient_user_id("alice");
  r.mutable_content()->set_title("Weekly check-in");
  r.mutable_content()->set_body("Phones away, just the two of you.");
  r.mutable_due_time()->set_seconds(1795690800);
  r.mutable_expire_time()->set_seconds(1795690800 + 2 * 3600);
  return r;
}

v1::Device Android(const std::string& token) {
  v1::Device d;
  d.set_name("users/alice/devices/a1");
  d.set_platform(v1::DEVICE_PLATFORM_ANDROID);
  d.set_token(token);
  return d;
}

v1::Device Ios(const std::string& token) {
  v1::Device d;
  d.set_name("users/alice/devices/i1");
  d.set_platform(v1::DEVICE_PLATFORM_IOS);
  d.set_token(token);
  return d;
}

v1::Device Webhook(const std::string& url, const std::string& secret) {
  v1::Device d;
  d.set_name("users/alice/devices/w1");
  d.set_platform(v1::DEVICE_PLATFORM_WEB_WEBHOOK);
  d.set_webhook_url(url);
  d.set_webhook_signing_secret(secret);
  return d;
}

class PushProvidersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!FakePush::Available()) GTEST_SKIP() << "node is not installed";
    ASSERT_TRUE(fake_.Start().ok());
    providers_ = std::make_unique<ProviderSet>(fake_.Config(), &clock_);
  }

  PushResult Send(const v1::Device& device,
                  const v1::Reminder& reminder = SampleReminder()) {
    return providers_->For(device.platform())
        ->Send(MessageFor(reminder), device);
  }

  engine::FakeClock clock_{kStart};
  FakePush fake_;
  std::unique_ptr<ProviderSet> providers_;
};

TEST_F(PushProvidersTest, FcmSendsNotificationDataCollapseKeyAndTtl) {
  const PushResult result = Send(Android("fcm-token-1"));
  EXPECT_EQ(result.outcome, PushOutcome::kDelivered) << result.error;
  EXPECT_EQ(result.http_status, 200);

  // The service-account flow: one RS256 assertion, checked by the fake.
  const std::vector<nlohmann::json> tokens = fake_.Requests("token");
  ASSERT_EQ(tokens.size(), 1u);
  const nlohmann::json& verified = tokens[0]["verified"];
  EXPECT_TRUE(verified["signature"].get<bool>());
  EXPECT_EQ(verified["kid"], "sa-key-1");
  EXPECT_EQ(verified["claims"]["iss"],
            "push@tend-test.iam.gserviceaccount.com");
  EXPECT_EQ(verified["claims"]["scope"],
            "https://www.googleapis.com/auth/firebase.messaging");
  EXPECT_EQ(verified["claims"]["iat"], absl::ToUnixSeconds(kStart));
  EXPECT_EQ(verified["claims"]["exp"], absl::ToUnixSeconds(kStart) + 3600);

  const std::vector<nlohmann::json> sends = fake_.Requests("fcm");
  ASSERT_EQ(sends.size(), 1u);
  const nlohmann::json& request = sends[0];
  EXPECT_EQ(request["path"], "/v1/projects/tend-test/messages:send");
  EXPECT_EQ(request["http"], "2.0");
  EXPECT_TRUE(request["verified"]["bearer_valid"].get<bool>());
  const nlohmann::json& message = request["body"]["message"];
  EXPECT_EQ(message["token"], "fcm-token-1");
  EXPECT_EQ(message["notification"]["title"], "Weekly check-in");
  EXPECT_EQ(message["notification"]["body"],
            "Phones away, just the two of you.");
  EXPECT_EQ(message["data"]["reminder"],
            "couples/c0ffee/reminders/weekly.1795690800.0.alice");
  EXPECT_EQ(message["data"]["reminder_id"], "weekly.1795690800.0.alice");
  EXPECT_EQ(message["data"]["delivery_key"], "weekly.1795690800.0.alice");
  EXPECT_EQ(message["data"]["ritual"], "couples/c0ffee/rituals/weekly");
  EXPECT_EQ(message["data"]["due_time"], "2026-11-26T11:00:00Z");
  for (const auto& [key, value] : message["data"].items()) {
    EXPECT_TRUE(value.is_string()) << key << ": FCM data values are strings";
  }
  EXPECT_EQ(message["android"]["collapse_key"], "weekly");
  EXPECT_EQ(message["android"]["priority"], "HIGH");
  // Until the reminder's expire_time, from the (fake) now.
  EXPECT_EQ(message["android"]["ttl"],
            absl::StrCat(1795690800 + 2 * 3600 - 1795683600, "s"));
}

TEST_F(PushProvidersTest, FcmAccessTokenIsCachedUntilNearExpiry) {
  fake_.Control({{"token_ttl", 3600}});
  ASSERT_EQ(Send(Android("t1")).outcome, PushOutcome::kDelivered);
  ASSERT_EQ(Send(Android("t2")).outcome, PushOutcome::kDelivered);
  EXPECT_EQ(fake_.Requests("token").size(), 1u);
  clock_.Advance(absl::Minutes(54));
  ASSERT_EQ(Send(Android("t3")).outcome, PushOutcome::kDelivered);
  EXPECT_EQ(fake_.Requests("token").size(), 1u) << "still fresh";
  clock_.Advance(absl::Minutes(2));  // 56 minutes: within the margin
  ASSERT_EQ(Send(Android("t4")).outcome, PushOutcome::kDelivered);
  const std::vector<nlohmann::json> tokens = fake_.Requests("token");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[1]["verified"]["claims"]["iat"],
            absl::ToUnixSeconds(kStart + absl::Minutes(56)));
  // Each send carried the token current at its time.
  const std::vector<nlohmann::json> sends = fake_.Requests("fcm");
  ASSERT_EQ(sends.size(), 4u);
  EXPECT_EQ(sends[0]["headers"]["authorization"],
            sends[2]["headers"]["authorization"]);
  EXPECT_NE(sends[2]["headers"]["authorization"],
            sends[3]["headers"]["authorization"]);
}

TEST_F(PushProvidersTest, FcmFetchesANewTokenAtOnceWhenRefused) {
  ASSERT_EQ(Send(Android("t1")).outcome, PushOutcome::kDelivered);
  fake_.Control({{"revoke_access_tokens", true}});
  const PushResult result = Send(Android("t1"));
  EXPECT_EQ(result.outcome, PushOutcome::kDelivered) << result.error;
  EXPECT_EQ(fake_.Requests("token").size(), 2u);
  const std::vector<nlohmann::json> sends = fake_.Requests("fcm");
  ASSERT_EQ(sends.size(), 3u);
  EXPECT_EQ(sends[1]["status"], 401);
  EXPECT_EQ(sends[2]["status"], 200);
}

TEST_F(PushProvidersTest, FcmUnregisteredTokenIsDead) {
  fake_.Control({{"dead", {{"fcm", {"gone-token"}}}}});
  const PushResult result = Send(Android("gone-token"));
  EXPECT_EQ(result.outcome, PushOutcome::kTokenDead);
  EXPECT_EQ(result.http_status, 404);
  EXPECT_EQ(result.error, "UNREGISTERED");
  EXPECT_THAT(result.error, Not(HasSubstr("gone-token")));
}

TEST_F(PushProvidersTest, FcmTransientFailuresCarryRetryAfter) {
  fake_.Control(
      {{"script",
        {{"fcm",
          {{{"status", 503},
            {"body", {{"error", {{"code", 503}, {"status", "UNAVAILABLE"}}}}}},
           {{"status", 429}, {"headers", {{"retry-after", "30"}}}},
           {{"status", 500},
            {"headers", {{"retry-after", "Thu, 26 Nov 2026 09:02:00 GMT"}}}},
           {{"status", 400},
            {"body",
             {{"error",
               {{"code", 400}, {"status", "INVALID_ARGUMENT"}}}}}}}}}}});
  PushResult r = Send(Android("t"));
  EXPECT_EQ(r.outcome, PushOutcome::kTransient);
  EXPECT_EQ(r.error, "UNAVAILABLE");
  EXPECT_FALSE(r.retry_after.has_value());
  r = Send(Android("t"));
  EXPECT_EQ(r.outcome, PushOutcome::kTransient);
  ASSERT_TRUE(r.retry_after.has_value());
  EXPECT_EQ(*r.retry_after, absl::Seconds(30));
  r = Send(Android("t"));  // an HTTP-date, two minutes after the fake now
  EXPECT_EQ(r.outcome, PushOutcome::kTransient);
  ASSERT_TRUE(r.retry_after.has_value());
  EXPECT_EQ(*r.retry_after, absl::Minutes(2));
  r = Send(Android("t"));  // our mistake, not the device's: not retried
  EXPECT_EQ(r.outcome, PushOutcome::kRejected);
  EXPECT_EQ(r.error, "INVALID_ARGUMENT");
}

TEST_F(PushProvidersTest, ATimeoutIsTransient) {
  providers_ = std::make_unique<ProviderSet>(
      fake_.Config(absl::Milliseconds(300)), &clock_);
  fake_.Control(
      {{"script", {{"webhook", {{{"status", 200}, {"delay_ms", 1500}}}}}}});
  const PushResult r =
      Send(Webhook(fake_.WebhookUrl("/hooks/slow"), "whsec_x"));
  EXPECT_EQ(r.outcome, PushOutcome::kTransient);
  EXPECT_EQ(r.error, "timeout");
  EXPECT_EQ(r.http_status, 0);
}

TEST_F(PushProvidersTest, ApnsHeadersPayloadAndProviderToken) {
  const PushResult result = Send(Ios(kApnsToken));
  EXPECT_EQ(result.outcome, PushOutcome::kDelivered) << result.error;
  const std::vector<nlohmann::json> sends = fake_.Requests("apns");
  ASSERT_EQ(sends.size(), 1u);
  const nlohmann::json& request = sends[0];
  EXPECT_EQ(request["http"], "2.0");
  EXPECT_EQ(request["path"], absl::StrCat("/3/device/", kApnsToken));
  // The fake checked the ES256 signature with the key's public half.
  EXPECT_TRUE(request["verified"]["signature"].get<bool>());
  EXPECT_EQ(request["verified"]["kid"], "ABC123DEFG");
  EXPECT_EQ(request["verified"]["claims"]["iss"], "TEAM123456");
  EXPECT_EQ(request["verified"]["claims"]["iat"], absl::ToUnixSeconds(kStart));
  const nlohmann::json& headers = request["headers"];
  const std::string apns_id = headers["apns-id"];
  EXPECT_EQ(apns_id, NameBasedUuid("weekly.1795690800.0.alice"));
  EXPECT_TRUE(std::regex_match(
      apns_id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]"
                          "{3}-[0-9a-f]{12}")))
      << apns_id;
  EXPECT_EQ(headers["apns-collapse-id"], "weekly");
  EXPECT_EQ(headers["apns-expiration"], absl::StrCat(1795690800 + 2 * 3600));
  EXPECT_EQ(headers["apns-push-type"], "alert");
  EXPECT_EQ(headers["apns-priority"], "10");
  EXPECT_EQ(headers["apns-topic"], "com.example.tend");
  const nlohmann::json& body = request["body"];
  EXPECT_EQ(body["aps"]["alert"]["title"], "Weekly check-in");
  EXPECT_EQ(body["aps"]["alert"]["body"], "Phones away, just the two of you.");
  EXPECT_EQ(body["aps"]["thread-id"], "weekly");
  EXPECT_EQ(body["reminder"],
            "couples/c0ffee/reminders/weekly.1795690800.0.alice");
}

TEST_F(PushProvidersTest, ApnsProviderTokenIsRenewedWithinItsLifetime) {
  ASSERT_EQ(Send(Ios(kApnsToken)).outcome, PushOutcome::kDelivered);
  clock_.Advance(absl::Minutes(30));
  ASSERT_EQ(Send(Ios(kApnsToken)).outcome, PushOutcome::kDelivered);
  clock_.Advance(absl::Minutes(21));  // 51 minutes: past the 50-minute mark
  ASSERT_EQ(Send(Ios(kApnsToken)).outcome, PushOutcome::kDelivered);
  std::vector<nlohmann::json> sends = fake_.Requests("apns");
  ASSERT_EQ(sends.size(), 3u);
  EXPECT_EQ(sends[0]["headers"]["authorization"],
            sends[1]["headers"]["authorization"]);
  EXPECT_EQ(sends[2]["verified"]["claims"]["iat"],
            absl::ToUnixSeconds(kStart + absl::Minutes(51)));

  // APNs says the token expired before our 50 minutes: renewed at once.
  clock_.Advance(absl::Seconds(10));
  fake_.Control(
      {{"apns_min_iat", absl::ToUnixSeconds(kStart + absl::Minutes(51)) + 1}});
  const PushResult r = Send(Ios(kApnsToken));
  EXPECT_EQ(r.outcome, PushOutcome::kDelivered) << r.error;
  sends = fake_.Requests("apns");
  ASSERT_EQ(sends.size(), 5u);
  EXPECT_EQ(sends[3]["status"], 403);
  EXPECT_EQ(sends[4]["status"], 200);
}

TEST_F(PushProvidersTest, ApnsDeadTokensAndOtherRefusals) {
  const std::string unregistered(64, 'b');
  const std::string bad(64, 'c');
  fake_.Control(
      {{"dead",
        {{"apns",
          {{unregistered, "Unregistered"}, {bad, "BadDeviceToken"}}}}}});
  PushResult r = Send(Ios(unregistered));
  EXPECT_EQ(r.outcome, PushOutcome::kTokenDead);
  EXPECT_EQ(r.http_status, 410);
  r = Send(Ios(bad));
  EXPECT_EQ(r.outcome, PushOutcome::kTokenDead);
  EXPECT_EQ(r.error, "BadDeviceToken");
  fake_.Control(
      {{"script",
        {{"apns",
          {{{"status", 429},
            {"headers", {{"retry-after", "12"}}},
            {"body", {{"reason", "TooManyRequests"}}}},
           {{"status", 413}, {"body", {{"reason", "PayloadTooLarge"}}}}}}}}});
  r = Send(Ios(kApnsToken));
  EXPECT_EQ(r.outcome, PushOutcome::kTransient);
  EXPECT_EQ(r.error, "TooManyRequests");
  EXPECT_EQ(r.retry_after, absl::Seconds(12));
  r = Send(Ios(kApnsToken));
  EXPECT_EQ(r.outcome, PushOutcome::kRejected);
  EXPECT_EQ(r.error, "PayloadTooLarge");
}

TEST_F(PushProvidersTest, WebhookIsSignedAndCarriesTheIdempotencyKey) {
  const std::string secret = "whsec_0123456789abcdef";
  fake_.Control({{"webhook_secrets",
                  {{"/hooks/alice", secret}, {"/hooks/tls", secret}}}});
  PushResult r = Send(Webhook(fake_.WebhookUrl("/hooks/alice"), secret));
  EXPECT_EQ(r.outcome, PushOutcome::kDelivered) << r.error;
  // Over TLS the same webhook negotiates HTTP/2.
  r = Send(Webhook(fake_.TlsWebhookUrl("/hooks/tls"), secret));
  EXPECT_EQ(r.outcome, PushOutcome::kDelivered) << r.error;
  const std::vector<nlohmann::json> hooks = fake_.Requests("webhook");
  ASSERT_EQ(hooks.size(), 2u);
  EXPECT_EQ(hooks[0]["http"], "1.1");
  EXPECT_EQ(hooks[1]["http"], "2.0");
  for (const nlohmann::json& hook : hooks) {
    // The receiver recomputed the HMAC over "<t>.<raw body>".
    EXPECT_TRUE(hook["verified"]["signature"].get<bool>());
    EXPECT_EQ(hook["verified"]["t"], absl::ToUnixSeconds(kStart));
    EXPECT_EQ(hook["headers"]["idempotency-key"], "weekly.1795690800.0.alice");
    EXPECT_EQ(hook["body"]["type"], "reminder.due");
    EXPECT_EQ(hook["body"]["title"], "Weekly check-in");
    EXPECT_EQ(hook["body"]["expire_time"], "2026-11-26T13:00:00Z");
  }
  // The same computation, here: what a receiver's docs would show.
  const std::string raw = hooks[0]["raw"];
  EXPECT_EQ(hooks[0]["headers"]["tend-signature"],
            WebhookSignature(secret, kStart, raw));

  // A wrong secret does not verify.
  fake_.Control({{"webhook_secrets", {{"/hooks/alice", "whsec_other"}}}});
  ASSERT_EQ(Send(Webhook(fake_.WebhookUrl("/hooks/alice"), secret)).outcome,
            PushOutcome::kDelivered);
  EXPECT_FALSE(
      fake_.Requests("webhook")[2]["verified"]["signature"].get<bool>());
}

TEST_F(PushProvidersTest, WebhookGoneAndPlainHttpRefusedByDefault) {
  fake_.Control({{"dead", {{"webhook", {"/hooks/gone"}}}}});
  PushResult r = Send(Webhook(fake_.WebhookUrl("/hooks/gone"), "s"));
  EXPECT_EQ(r.outcome, PushOutcome::kTokenDead);
  EXPECT_EQ(r.http_status, 410);

  PushConfig strict = fake_.Config();
  strict.webhook.allow_http = false;
  ProviderSet providers(strict, &clock_);
  r = providers.For(v1::DEVICE_PLATFORM_WEB_WEBHOOK)
          ->Send(MessageFor(SampleReminder()),
                 Webhook(fake_.WebhookUrl("/hooks/x"), "s"));
  EXPECT_EQ(r.outcome, PushOutcome::kRejected);
  EXPECT_EQ(fake_.Requests("webhook").size(), 1u) << "nothing was sent";
}

TEST_F(PushProvidersTest, FlagsReadCredentialsFromFilesAndCheckThem) {
  absl::FlagSaver restore;
  const nlohmann::json& info = fake_.info();
  absl::SetFlag(&FLAGS_fcm_service_account_file,
                info["service_account_file"].get<std::string>());
  absl::SetFlag(&FLAGS_apns_key_file, info["apns_key_file"].get<std::string>());
  absl::SetFlag(&FLAGS_apns_key_id, "ABC123DEFG");
  absl::SetFlag(&FLAGS_apns_team_id, "TEAM123456");
  absl::SetFlag(&FLAGS_apns_topic, "com.example.tend");
  absl::StatusOr<PushConfig> config = PushConfigFromFlags();
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_TRUE(config->fcm.has_value());
  EXPECT_EQ(config->fcm->account.project_id, "tend-test");
  EXPECT_EQ(config->fcm->token_url, "https://oauth2.googleapis.com/token");
  ASSERT_TRUE(config->apns.has_value());
  EXPECT_FALSE(config->webhook.allow_http);

  absl::SetFlag(&FLAGS_apns_topic, "");
  EXPECT_THAT(PushConfigFromFlags().status().message(),
              HasSubstr("--apns_topic"));
  absl::SetFlag(&FLAGS_apns_topic, "com.example.tend");
  // An RSA key where a P-256 one belongs is refused at start.
  absl::SetFlag(&FLAGS_apns_key_file,
                info["service_account_file"].get<std::string>());
  absl::StatusOr<PushConfig> bad = PushConfigFromFlags();
  EXPECT_THAT(bad.status().message(), HasSubstr("--apns_key_file"));
  EXPECT_THAT(bad.status().message(), Not(HasSubstr("PRIVATE KEY")));
  absl::SetFlag(&FLAGS_apns_key_file, "/nonexistent/key.p8");
  EXPECT_THAT(PushConfigFromFlags().status().message(),
              HasSubstr("cannot read"));
}

TEST(PushMessageTest, DeliveryKeyChangesOnlyWhenSnoozed) {
  v1::Reminder r = SampleReminder();
  EXPECT_EQ(DeliveryKey(r), "weekly.1795690800.0.alice");
  r.add_adjustments()->set_reason(v1::ADJUSTMENT_REASON_QUIET_HOURS);
  EXPECT_EQ(DeliveryKey(r), "weekly.1795690800.0.alice");
  r.add_adjustments()->set_reason(v1::ADJUSTMENT_REASON_SNOOZED);
  EXPECT_EQ(DeliveryKey(r), "weekly.1795690800.0.alice~s1");
}

TEST(PushMessageTest, NameBasedUuidIsStableVersion5) {
  EXPECT_EQ(NameBasedUuid("r1"), NameBasedUuid("r1"));
  EXPECT_NE(NameBasedUuid("r1"), NameBasedUuid("r2"));
  EXPECT_EQ(NameBasedUuid("r1")[14], '5');
}

TEST(PushMessageTest, RetryAfterReadsSecondsAndDates) {
  EXPECT_EQ(ParseRetryAfter("120", kStart), absl::Seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 5 ", kStart), absl::Seconds(5));
  EXPECT_EQ(ParseRetryAfter("Thu, 26 Nov 2026 09:00:30 GMT", kStart),
            absl::Seconds(30));
  EXPECT_EQ(ParseRetryAfter("Thu, 26 Nov 2026 08:00:00 GMT", kStart),
            absl::ZeroDuration());
  EXPECT_FALSE(ParseRetryAfter("soon", kStart).has_value());
  EXPECT_FALSE(ParseRetryAfter("", kStart).has_value());
}

}  // namespace
}  // namespace tend::scheduler::push
