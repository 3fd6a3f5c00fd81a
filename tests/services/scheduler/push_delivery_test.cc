// Push delivery end to end: devices registered over gRPC, reminders planned
// and dispatched by the real scheduler (SchedulerFixture: Redis, pairing,
// a FakeClock), and sent by the real providers to fake_push_server.js,
// which plays FCM, the OAuth2 token endpoint, APNs and webhook receivers,
// records every request and fails on command.
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/scheduler/convert.h"
#include "services/scheduler/push/crypto.h"
#include "services/scheduler/push/push_provider.h"
#include "services/scheduler/push_sink.h"
#include "tests/services/scheduler/push/fake_push.h"
#include "tests/services/scheduler/scheduler_fixture.h"

namespace tend::scheduler {
namespace {

using testing::FakePush;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAliceFcm[] = "fcm-alice-phone-4f2a9c";
constexpr char kAliceApns[] =
    "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
constexpr char kBobFcm[] = "fcm-bob-phone-77e1d0";

class PushDeliveryTest : public SchedulerFixture {
 protected:
  void SetUp() override {
    if (!FakePush::Available()) GTEST_SKIP() << "node is not installed";
    ASSERT_TRUE(fake_.Start().ok());
    // Short enough that the fake's late answers are timeouts.
    providers_ = std::make_unique<push::ProviderSet>(
        fake_.Config(absl::Seconds(1)), h_.clock());
    SchedulerFixture::SetUp();
  }

  void Configure(SchedulerOptions* scheduler,
                 engine::QueueOptions* queue) override {
    scheduler->allow_http_webhooks = true;
    queue->max_attempts = max_attempts_;
  }

  std::vector<DeliverySink*> ExtraSinks() override {
    push_ = std::make_unique<PushSink>(store_.get(), providers_.get(),
                                       h_.clock(), "test-worker");
    return {push_.get()};
  }

  absl::StatusOr<v1::Device> Register(const std::string& user,
                                      v1::DevicePlatform platform,
                                      const std::string& address,
                                      const std::string& request_id = "") {
    v1::RegisterDeviceRequest req;
    req.set_parent(absl::StrCat("users/", user));
    req.set_request_id(request_id);
    v1::Device* d = req.mutable_device();
    d->set_platform(platform);
    if (platform == v1::DEVICE_PLATFORM_WEB_WEBHOOK) {
      d->set_webhook_url(address);
    } else {
      d->set_token(address);
    }
    d->set_app_version("2.3.1");
    d->set_locale("en-GB");
    v1::Device out;
    grpc::Status s =
        stub_->RegisterDevice(h_.ContextFor(user).get(), req, &out);
    if (!s.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                          s.error_message());
    }
    return out;
  }

  // Registers `user`'s webhook at `path` and tells the fake its secret.
  v1::Device RegisterWebhook(const std::string& user, const std::string& url,
                             const std::string& path) {
    absl::StatusOr<v1::Device> d =
        Register(user, v1::DEVICE_PLATFORM_WEB_WEBHOOK, url);
    EXPECT_TRUE(d.ok()) << d.status();
    fake_.Control({{"webhook_secrets", {{path, d->webhook_signing_secret()}}}});
    return *d;
  }

  // A personal ritual of `user`, every day at `hh`:`mm` on their clock,
  // lasting `duration`; active at once.
  v1::Ritual Daily(const std::string& couple, const std::string& user,
                   const std::string& title, int hh, int mm,
                   absl::Duration duration) {
    v1::CreateRitualRequest req;
    req.set_parent(couple);
    // Server-chosen ids come from the clock, which stands still here.
    std::string id = absl::AsciiStrToLower(title);
    absl::StrReplaceAll({{" ", "-"}}, &id);
    req.set_ritual_id(id);
    v1::Ritual* r = req.mutable_ritual();
    r->set_title(title);
    r->set_kind(v1::RITUAL_KIND_PERSONAL);
    r->add_participant_user_ids(user);
    r->mutable_recurrence()->set_rrule("FREQ=DAILY");
    auto* start = r->mutable_recurrence()->mutable_dtstart();
    start->mutable_date()->set_year(2026);
    start->mutable_date()->set_month(11);
    start->mutable_date()->set_day(26);
    start->mutable_time()->set_hours(hh);
    start->mutable_time()->set_minutes(mm);
    *r->mutable_duration() = ToProto(duration);
    v1::Ritual out;
    grpc::Status s = stub_->CreateRitual(h_.ContextFor(user).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.state(), v1::RITUAL_STATE_ACTIVE);
    return out;
  }

  // Moves the clock to `t` and dispatches what is due.
  void At(absl::Time t) {
    h_.clock()->Set(t);
    Drain();
  }

  // The one reminder of `ritual` with an occurrence at `start`.
  v1::Reminder ReminderOf(const v1::Ritual& ritual, const std::string& user,
                          absl::Time start) {
    v1::ListRemindersRequest req;
    req.set_recipient_user_id(user);
    req.set_page_size(500);
    v1::ListRemindersResponse out;
    EXPECT_TRUE(
        stub_->ListReminders(h_.ContextFor(user).get(), req, &out).ok());
    for (const v1::Reminder& r : out.reminders()) {
      if (r.ritual() == ritual.name() &&
          FromProto(r.occurrence_time()) == start) {
        return r;
      }
    }
    ADD_FAILURE() << "no reminder of " << ritual.name() << " at " << start;
    return {};
  }

  std::vector<v1::Delivery> Deliveries(const std::string& reminder,
                                       const std::string& as_user = "") {
    v1::ListDeliveriesRequest req;
    req.set_parent(reminder);
    v1::ListDeliveriesResponse out;
    grpc::Status s = stub_->ListDeliveries(
        as_user.empty() ? h_.ServiceContext("tendctl").get()
                        : h_.ContextFor(as_user).get(),
        req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {out.deliveries().begin(), out.deliveries().end()};
  }

  std::vector<v1::Device> Devices(const std::string& user) {
    v1::ListDevicesRequest req;
    req.set_parent(absl::StrCat("users/", user));
    v1::ListDevicesResponse out;
    EXPECT_TRUE(stub_->ListDevices(h_.ContextFor(user).get(), req, &out).ok());
    return {out.devices().begin(), out.devices().end()};
  }

  absl::Time London(int day, int hh, int mm = 0) {
    absl::TimeZone london;
    absl::LoadTimeZone("Europe/London", &london);
    return absl::FromCivil(absl::CivilMinute(2026, 11, day, hh, mm), london);
  }

  int max_attempts_ = 8;
  FakePush fake_;
  std::unique_ptr<push::ProviderSet> providers_;
  std::unique_ptr<PushSink> push_;
};

// Who a recorded request was for, and the idempotency key it carried, as a
// receiver that de-duplicates sees them.
struct Receipt {
  std::string device;  // the FCM token, APNs token or webhook path
  std::string key;     // the delivery key (apns-id: its UUID)
  bool accepted = false;
  bool definite = false;  // accepted and answered before the client gave up
};

std::vector<Receipt> Receipts(const std::vector<nlohmann::json>& requests) {
  std::vector<Receipt> out;
  for (const nlohmann::json& r : requests) {
    Receipt receipt;
    const std::string surface = r["surface"];
    if (surface == "fcm") {
      receipt.device = r["body"]["message"]["token"];
      receipt.key = r["body"]["message"]["data"]["delivery_key"];
    } else if (surface == "apns") {
      receipt.device = r["device_token"];
      receipt.key = r["headers"]["apns-id"];
    } else if (surface == "webhook") {
      receipt.device = r["path"];
      receipt.key = r["headers"]["idempotency-key"];
    } else {
      continue;
    }
    receipt.accepted = r["accepted"].get<bool>();
    receipt.definite = receipt.accepted && !r["delayed"].get<bool>();
    out.push_back(receipt);
  }
  return out;
}

TEST_F(PushDeliveryTest, DevicesAreTheCallersOwnAndTokensStaySecret) {
  // Not paired yet: nowhere to keep a device.
  absl::StatusOr<v1::Device> early =
      Register("alice", v1::DEVICE_PLATFORM_ANDROID, kAliceFcm);
  EXPECT_EQ(early.status().code(), absl::StatusCode::kFailedPrecondition);
  PairAliceAndBob();

  absl::StatusOr<v1::Device> phone =
      Register("alice", v1::DEVICE_PLATFORM_ANDROID, kAliceFcm);
  ASSERT_TRUE(phone.ok()) << phone.status();
  EXPECT_TRUE(absl::StartsWith(phone->name(), "users/alice/devices/"));
  EXPECT_TRUE(phone->token().empty());
  EXPECT_EQ(phone->token_hint(),
            std::string(kAliceFcm).substr(std::string(kAliceFcm).size() - 4));
  EXPECT_EQ(phone->app_version(), "2.3.1");
  // The same token again refreshes the same device.
  absl::StatusOr<v1::Device> again =
      Register("alice", v1::DEVICE_PLATFORM_ANDROID, kAliceFcm);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->name(), phone->name());

  // A webhook's secret comes once, and again only for the same request_id.
  absl::StatusOr<v1::Device> hook =
      Register("alice", v1::DEVICE_PLATFORM_WEB_WEBHOOK,
               fake_.WebhookUrl("/hooks/alice"), "req-1");
  ASSERT_TRUE(hook.ok()) << hook.status();
  EXPECT_TRUE(absl::StartsWith(hook->webhook_signing_secret(), "whsec_"));
  absl::StatusOr<v1::Device> replay =
      Register("alice", v1::DEVICE_PLATFORM_WEB_WEBHOOK,
               fake_.WebhookUrl("/hooks/alice"), "req-1");
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->webhook_signing_secret(), hook->webhook_signing_secret());
  absl::StatusOr<v1::Device> refresh =
      Register("alice", v1::DEVICE_PLATFORM_WEB_WEBHOOK,
               fake_.WebhookUrl("/hooks/alice"), "req-2");
  ASSERT_TRUE(refresh.ok());
  EXPECT_TRUE(refresh->webhook_signing_secret().empty());

  std::vector<v1::Device> listed = Devices("alice");
  ASSERT_EQ(listed.size(), 2u);
  for (const v1::Device& d : listed) {
    EXPECT_TRUE(d.token().empty());
    EXPECT_TRUE(d.webhook_signing_secret().empty());
  }
  EXPECT_TRUE(Devices("bob").empty());

  // Bad input names the field; nothing is stored.
  EXPECT_THAT(
      Register("alice", v1::DEVICE_PLATFORM_IOS, "not-hex").status().message(),
      HasSubstr("device.token"));
  EXPECT_THAT(
      Register("alice", v1::DEVICE_PLATFORM_WEB_WEBHOOK, "ftp://example.com/x")
          .status()
          .message(),
      HasSubstr("device.webhook_url"));
  EXPECT_EQ(
      Register("alice", v1::DEVICE_PLATFORM_UNSPECIFIED, "x").status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Devices("alice").size(), 2u);

  // Nobody manages another person's devices.
  v1::RegisterDeviceRequest for_bob;
  for_bob.set_parent("users/bob");
  for_bob.mutable_device()->set_platform(v1::DEVICE_PLATFORM_ANDROID);
  for_bob.mutable_device()->set_token("x");
  v1::Device out;
  EXPECT_EQ(stub_->RegisterDevice(h_.ContextFor("alice").get(), for_bob, &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::UnregisterDeviceRequest remove;
  remove.set_name(phone->name());
  google::protobuf::Empty empty;
  EXPECT_EQ(stub_->UnregisterDevice(h_.ContextFor("bob").get(), remove, &empty)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(
      stub_->UnregisterDevice(h_.ContextFor("alice").get(), remove, &empty)
          .ok());
  EXPECT_EQ(
      stub_->UnregisterDevice(h_.ContextFor("alice").get(), remove, &empty)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Devices("alice").size(), 1u);
}

TEST_F(PushDeliveryTest, OneDeviceTooManyReplacesTheStalest) {
  PairAliceAndBob();
  for (int i = 0; i < 11; ++i) {
    h_.clock()->Advance(absl::Minutes(1));
    ASSERT_TRUE(Register("alice", v1::DEVICE_PLATFORM_ANDROID,
                         absl::StrCat("old-phone-", i))
                    .ok());
  }
  const std::vector<v1::Device> devices = Devices("alice");
  EXPECT_EQ(devices.size(), 10u);
  for (const v1::Device& d : devices) EXPECT_NE(d.token_hint(), "ne-0");
}

TEST_F(PushDeliveryTest, AReminderReachesEveryDeviceOnceAndLogsNoToken) {
  ::testing::internal::CaptureStderr();
  const std::string couple = PairAliceAndBob();
  ASSERT_TRUE(Register("alice", v1::DEVICE_PLATFORM_ANDROID, kAliceFcm).ok());
  ASSERT_TRUE(Register("alice", v1::DEVICE_PLATFORM_IOS, kAliceApns).ok());
  const v1::Device hook = RegisterWebhook(
      "alice", fake_.WebhookUrl("/hooks/alice"), "/hooks/alice");
  ASSERT_TRUE(Register("bob", v1::DEVICE_PLATFORM_ANDROID, kBobFcm).ok());
  const v1::Ritual tea =
      Daily(couple, "alice", "Tea on the balcony", 12, 0, absl::Minutes(30));

  At(London(26, 12));
  At(London(26, 12, 5));  // nothing more goes out
  const v1::Reminder reminder = ReminderOf(tea, "alice", London(26, 12));
  EXPECT_EQ(reminder.state(), v1::REMINDER_STATE_DELIVERED);
  const std::string key = push::DeliveryKey(reminder);

  std::vector<Receipt> receipts = Receipts(fake_.Requests());
  ASSERT_EQ(receipts.size(), 3u);
  std::set<std::string> devices;
  for (const Receipt& r : receipts) {
    EXPECT_TRUE(r.definite);
    devices.insert(r.device);
  }
  EXPECT_EQ(devices,
            (std::set<std::string>{kAliceFcm, kAliceApns, "/hooks/alice"}));
  EXPECT_EQ(fake_.Requests("apns")[0]["headers"]["apns-id"],
            push::NameBasedUuid(key));
  EXPECT_TRUE(
      fake_.Requests("webhook")[0]["verified"]["signature"].get<bool>());
  EXPECT_EQ(fake_.Requests("webhook")[0]["headers"]["idempotency-key"], key);
  EXPECT_EQ(
      fake_.Requests("fcm")[0]["body"]["message"]["notification"]["title"],
      "Tea on the balcony");

  // Each attempt is on record, for alice and for operators; bob sees none.
  std::vector<v1::Delivery> deliveries = Deliveries(reminder.name(), "alice");
  ASSERT_EQ(deliveries.size(), 3u);
  std::set<v1::DeliveryProvider> providers;
  for (const v1::Delivery& d : deliveries) {
    EXPECT_EQ(d.outcome(), v1::DELIVERY_OUTCOME_DELIVERED);
    EXPECT_EQ(d.attempt(), 1);
    EXPECT_EQ(d.http_status(), 200);
    EXPECT_EQ(d.worker(), "test-worker");
    EXPECT_TRUE(absl::StartsWith(d.name(), reminder.name() + "/deliveries/"));
    providers.insert(d.provider());
  }
  EXPECT_EQ(providers.size(), 3u);
  EXPECT_EQ(Deliveries(reminder.name()).size(), 3u);
  v1::ListDeliveriesRequest req;
  req.set_parent(reminder.name());
  v1::ListDeliveriesResponse out;
  EXPECT_EQ(
      stub_->ListDeliveries(h_.ContextFor("bob").get(), req, &out).error_code(),
      grpc::StatusCode::NOT_FOUND);
  for (const v1::Device& d : Devices("alice")) {
    EXPECT_EQ(d.last_delivery_time().seconds(),
              absl::ToUnixSeconds(London(26, 12)))
        << d.name();
  }

  // The next day's reminder is a new key for every device.
  At(London(27, 12));
  receipts = Receipts(fake_.Requests());
  EXPECT_EQ(receipts.size(), 6u);
  std::set<std::pair<std::string, std::string>> seen;
  for (const Receipt& r : receipts) seen.insert({r.device, r.key});
  EXPECT_EQ(seen.size(), 6u);

  const std::string logs = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(logs, HasSubstr("devices.registered"));
  for (const std::string& secret :
       {std::string(kAliceFcm), std::string(kAliceApns), std::string(kBobFcm),
        hook.webhook_signing_secret()}) {
    EXPECT_THAT(logs, Not(HasSubstr(secret)));
  }
}

TEST_F(PushDeliveryTest, TransientFailuresAreRetriedWithBackoffAndRetryAfter) {
  const std::string couple = PairAliceAndBob();
  ASSERT_TRUE(Register("alice", v1::DEVICE_PLATFORM_ANDROID, kAliceFcm).ok());
  RegisterWebhook("alice", fake_.WebhookUrl("/hooks/alice"), "/hooks/alice");
  const v1::Ritual tea = Daily(couple, "alice", "Tea", 12, 0, absl::Hours(1));
  fake_.Control(
      {{"script",
        {{"fcm",
          {{{"status", 503},
            {"body", {{"error", {{"code", 503}, {"status", "UNAVAILABLE"}}}}}},
           {{"status", 429},
            {"headers", {{"retry-after", "120"}}},
            {"body",
             {{"error", {{"code", 429}, {"status", "RESOURCE_EXHAUSTED"}}}}}},
           {{"status", 200}, {"delay_ms", 3000}}}}}}});
  const absl::Time due = London(26, 12);
  auto fcm_sends = [&] { return fake_.Requests("fcm").size(); };

  At(due);  // 1: 503; the next try after 5s ± 20%
  EXPECT_EQ(fcm_sends(), 1u);
  At(due + absl::Seconds(3));
  EXPECT_EQ(fcm_sends(), 1u) << "backing off";
  At(due + absl::Seconds(7));  // 2: 429, Retry-After 120s beats 10s backoff
  EXPECT_EQ(fcm_sends(), 2u);
  At(due + absl::Seconds(117));
  EXPECT_EQ(fcm_sends(), 2u) << "Retry-After is honoured";
  At(due + absl::Seconds(132));  // 3: times out; next after 20s ± 20%
  EXPECT_EQ(fcm_sends(), 3u);
  v1::Reminder reminder = ReminderOf(tea, "alice", due);
  EXPECT_EQ(reminder.state(), v1::REMINDER_STATE_SCHEDULED);
  At(due + absl::Seconds(162));  // 4: accepted
  EXPECT_EQ(fcm_sends(), 4u);
  reminder = ReminderOf(tea, "alice", due);
  EXPECT_EQ(reminder.state(), v1::REMINDER_STATE_DELIVERED);
  EXPECT_EQ(reminder.attempt_count(), 4);
  // The webhook had it at the first attempt and never again.
  EXPECT_EQ(fake_.Requests("webhook").size(), 1u);

  std::vector<v1::Delivery> fcm;
  for (const v1::Delivery& d : Deliveries(reminder.name())) {
    if (d.provider() == v1::DELIVERY_PROVIDER_FCM) fcm.push_back(d);
  }
  ASSERT_EQ(fcm.size(), 4u);
  EXPECT_EQ(fcm[0].outcome(), v1::DELIVERY_OUTCOME_TRANSIENT_FAILURE);
  EXPECT_EQ(fcm[0].error(), "UNAVAILABLE");
  EXPECT_EQ(fcm[0].http_status(), 503);
  EXPECT_EQ(fcm[1].error(), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(fcm[1].retry_after().seconds(), 120);
  EXPECT_EQ(fcm[2].error(), "timeout");
  EXPECT_EQ(fcm[2].http_status(), 0);
  EXPECT_EQ(fcm[3].outcome(), v1::DELIVERY_OUTCOME_DELIVERED);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(fcm[i].attempt(), i + 1);
  EXPECT_EQ(FromProto(fcm[1].start_time()), due + absl::Seconds(7));

  // The receiver saw the timed-out send and the retry: one reminder once
  // it de-duplicates on the idempotency key.
  std::set<std::string> keys;
  int accepted = 0;
  for (const Receipt& r : Receipts(fake_.Requests("fcm"))) {
    if (!r.accepted) continue;
    ++accepted;
    keys.insert(r.key);
  }
  EXPECT_EQ(accepted, 2);
  EXPECT_EQ(keys, std::set<std::string>{push::DeliveryKey(reminder)});
}

TEST_F(PushDeliveryTest, ASnoozedReminderComesBackUnderANewKey) {
  const std::string couple = PairAliceAndBob();
  ASSERT_TRUE(Register("alice", v1::DEVICE_PLATFORM_ANDROID, kAliceFcm).ok());
  const v1::Ritual tea = Daily(couple, "alice", "Tea", 12, 0, absl::Hours(1));
  At(London(26, 12));
  const v1::Reminder reminder = ReminderOf(tea, "alice", London(26, 12));
  v1::AcknowledgeReminderRequest snooze;
  snooze.set_name(reminder.name());
  snooze.set_action(v1::ACKNOWLEDGE_ACTION_SNOOZE);
  *snooze.mutable_snooze_duration() = ToProto(absl::Minutes(10));
  v1::Reminder snoozed;
  ASSERT_TRUE(stub_->AcknowledgeReminder(h_.ContextFor("alice").get(), snooze,
                                         &snoozed)
                  .ok());
  At(London(26, 12, 10));
  const std::vector<nlohmann::json> sends = fake_.Requests("fcm");
  ASSERT_EQ(sends.size(), 2u);
  // The person asked to see it again: a receiver must not drop it.
  EXPECT_EQ(sends[0]["body"]["message"]["data"]["delivery_key"],
            ReminderId(reminder));
  EXPECT_EQ(sends[1]["body"]["message"]["data"]["delivery_key"],
            absl::StrCat(ReminderId(reminder), "~s1"));
  EXPECT_EQ(sends[1]["body"]["message"]["data"]["reminder"], reminder.name());
}

TEST_F(PushDeliveryTest, DeadTokensAreRemovedAndNotRetried) {
  const std::string couple = PairAliceAndBob();
  const std::string unregistered(64, 'b');
  const std::string bad(64, 'c');
  ASSERT_TRUE(Register("alice", v1::DEVICE_PLATFORM_ANDROID, kAliceFcm).ok());
  ASSERT_TRUE(Register("alice", v1::DEVICE_PLATFORM_IOS, unregistered).ok());
  ASSERT_TRUE(Register("alice", v1::DEVICE_PLATFORM_IOS, bad).ok());
  RegisterWebhook("alice", fake_.WebhookUrl("/hooks/alice"), "/hooks/alice");
  fake_.Control(
      {{"dead",
        {{"fcm", {kAliceFcm}},
         {"apns",
          {{unregistered, "Unregistered"}, {bad, "BadDeviceToken"}}}}}});
  const v1::Ritual tea = Daily(couple, "alice", "Tea", 12, 0, absl::Hours(1));

  At(London(26, 12));
  At(London(26, 13));
  const v1::Reminder reminder = ReminderOf(tea, "alice", London(26, 12));
  EXPECT_EQ(reminder.state(), v1::REMINDER_STATE_DELIVERED);
  EXPECT_EQ(reminder.attempt_count(), 1);
  EXPECT_EQ(fake_.Requests("fcm").size(), 1u);
  EXPECT_EQ(fake_.Requests("apns").size(), 2u);
  int permanent = 0;
  for (const v1::Delivery& d : Deliveries(reminder.name())) {
    if (d.outcome() == v1::DELIVERY_OUTCOME_PERMANENT_FAILURE) ++permanent;
  }
  EXPECT_EQ(permanent, 3);
  // Only the webhook is left, and the next reminder goes only there.
  std::vector<v1::Device> left = Devices("alice");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].platform(), v1::DEVICE_PLATFORM_WEB_WEBHOOK);
  At(London(27, 12));
  EXPECT_EQ(fake_.Requests("fcm").size(), 1u);
  EXPECT_EQ(fake_.Requests("apns").size(), 2u);
  EXPECT_EQ(fake_.Requests("webhook").size(), 2u);
}

class DeadLetterTest : public PushDeliveryTest {
 protected:
  DeadLetterTest() { max_attempts_ = 3; }
};

TEST_F(DeadLetterTest, GivingUpDeadLettersAndOperatorsRetry) {
  const std::string couple = PairAliceAndBob();
  ASSERT_TRUE(Register("alice", v1::DEVICE_PLATFORM_ANDROID, kAliceFcm).ok());
  const v1::Ritual tea = Daily(couple, "alice", "Tea", 12, 0, absl::Hours(1));
  const nlohmann::json unavailable = {
      {"status", 503},
      {"body", {{"error", {{"code", 503}, {"status", "UNAVAILABLE"}}}}}};
  fake_.Control(
      {{"script", {{"fcm", {unavailable, unavailable, unavailable}}}}});
  const absl::Time due = London(26, 12);
  h_.clock()->Set(due - absl::Minutes(1));
  RunFor(absl::Minutes(3), absl::Seconds(5));
  EXPECT_EQ(fake_.Requests("fcm").size(), 3u);
  v1::Reminder reminder = ReminderOf(tea, "alice", due);
  EXPECT_EQ(reminder.state(), v1::REMINDER_STATE_DEAD_LETTERED);
  EXPECT_EQ(reminder.attempt_count(), 3);

  // Operators only.
  v1::ListDeadLettersResponse letters;
  EXPECT_EQ(stub_->ListDeadLetters(h_.ContextFor("alice").get(), {}, &letters)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(
      stub_->ListDeadLetters(h_.ServiceContext("tendctl").get(), {}, &letters)
          .ok());
  ASSERT_EQ(letters.dead_letters_size(), 1);
  const v1::DeadLetter& letter = letters.dead_letters(0);
  EXPECT_EQ(letter.name(),
            absl::StrCat("deadLetters/", couple.substr(couple.find('/') + 1),
                         ".", ReminderId(reminder)));
  EXPECT_EQ(letter.reminder().name(), reminder.name());
  EXPECT_EQ(letter.attempt_count(), 3);
  EXPECT_THAT(letter.last_error(), HasSubstr("FCM: UNAVAILABLE"));
  EXPECT_EQ(letter.last_provider(), v1::DELIVERY_PROVIDER_FCM);
  EXPECT_EQ(FromProto(letter.first_attempt_time()), due);
  v1::ListDeadLettersRequest other;
  other.set_couple("couples/0000000000000000");
  v1::ListDeadLettersResponse none;
  ASSERT_TRUE(
      stub_->ListDeadLetters(h_.ServiceContext("tendctl").get(), other, &none)
          .ok());
  EXPECT_EQ(none.dead_letters_size(), 0);

  v1::RetryDeadLetterRequest retry;
  retry.set_name(letter.name());
  retry.set_request_id("retry-1");
  v1::Reminder retried;
  grpc::Status s = stub_->RetryDeadLetter(h_.ServiceContext("tendctl").get(),
                                          retry, &retried);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(retried.state(), v1::REMINDER_STATE_SCHEDULED);
  // The same request again gets the same answer, not a second retry.
  ASSERT_TRUE(
      stub_
          ->RetryDeadLetter(h_.ServiceContext("tendctl").get(), retry, &retried)
          .ok());
  Drain();
  EXPECT_EQ(fake_.Requests("fcm").size(), 4u);
  EXPECT_EQ(ReminderOf(tea, "alice", due).state(),
            v1::REMINDER_STATE_DELIVERED);
  ASSERT_TRUE(
      stub_->ListDeadLetters(h_.ServiceContext("tendctl").get(), {}, &letters)
          .ok());
  EXPECT_EQ(letters.dead_letters_size(), 0);
  retry.set_request_id("retry-2");
  EXPECT_EQ(
      stub_
          ->RetryDeadLetter(h_.ServiceContext("tendctl").get(), retry, &retried)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);
}

TEST_F(PushDeliveryTest, QuietHoursAreJudgedAgainAtSendTime) {
  const std::string couple = PairAliceAndBob();
  ASSERT_TRUE(Register("alice", v1::DEVICE_PLATFORM_ANDROID, kAliceFcm).ok());
  // Planned while alice's quiet hours are 23:00-06:00: 21:00 is fine.
  const v1::Ritual call =
      Daily(couple, "alice", "Call mum together", 21, 0, absl::Hours(1));
  const v1::Ritual gratitude =
      Daily(couple, "alice", "Three good things", 21, 0, absl::ZeroDuration());
  // Then alice moves her quiet hours to 20:30-22:15. The scheduler is not
  // told (the outbox is not relayed): only the send-time check can see it.
  pairing::v1::UpdatePartnerProfileRequest change;
  change.mutable_profile()->mutable_quiet_hours()->mutable_start()->set_hours(
      20);
  change.mutable_profile()->mutable_quiet_hours()->mutable_start()->set_minutes(
      30);
  change.mutable_profile()->mutable_quiet_hours()->mutable_end()->set_hours(22);
  change.mutable_profile()->mutable_quiet_hours()->mutable_end()->set_minutes(
      15);
  change.mutable_update_mask()->add_paths("quiet_hours");
  pairing::v1::PartnerProfile profile;
  ASSERT_TRUE(
      pairing_stub_
          ->UpdatePartnerProfile(h_.ContextFor("alice").get(), change, &profile)
          .ok());

  At(London(26, 21));
  EXPECT_TRUE(fake_.Requests("fcm").empty()) << "nothing inside quiet hours";
  // The hour-long call can wait for 22:15; the moment of gratitude would be
  // stale by then.
  v1::Reminder moved = ReminderOf(call, "alice", London(26, 21));
  EXPECT_EQ(moved.state(), v1::REMINDER_STATE_SCHEDULED);
  EXPECT_EQ(FromProto(moved.due_time()), London(26, 22, 15));
  ASSERT_GT(moved.adjustments_size(), 0);
  const v1::ScheduleAdjustment& a =
      moved.adjustments(moved.adjustments_size() - 1);
  EXPECT_EQ(a.action(), v1::ADJUSTMENT_ACTION_MOVED);
  EXPECT_EQ(a.reason(), v1::ADJUSTMENT_REASON_QUIET_HOURS);
  EXPECT_THAT(a.explanation(), HasSubstr("22:15"));
  v1::Reminder dropped = ReminderOf(gratitude, "alice", London(26, 21));
  EXPECT_EQ(dropped.state(), v1::REMINDER_STATE_DROPPED);
  std::vector<v1::Delivery> held = Deliveries(moved.name(), "alice");
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].outcome(), v1::DELIVERY_OUTCOME_SUPPRESSED_QUIET_HOURS);

  At(London(26, 22, 10));
  EXPECT_TRUE(fake_.Requests("fcm").empty());
  At(London(26, 22, 15));
  ASSERT_EQ(fake_.Requests("fcm").size(), 1u);
  EXPECT_EQ(fake_.Requests("fcm")[0]["body"]["message"]["data"]["delivery_key"],
            ReminderId(moved));
  EXPECT_EQ(ReminderOf(call, "alice", London(26, 21)).state(),
            v1::REMINDER_STATE_DELIVERED);
}

TEST_F(PushDeliveryTest, WithThirtyPercentFailingEachDeviceSeesEachOnce) {
  ::testing::internal::CaptureStderr();
  const std::string couple = PairAliceAndBob();
  ASSERT_TRUE(Register("alice", v1::DEVICE_PLATFORM_ANDROID, kAliceFcm).ok());
  ASSERT_TRUE(Register("alice", v1::DEVICE_PLATFORM_IOS, kAliceApns).ok());
  RegisterWebhook("alice", fake_.WebhookUrl("/hooks/alice"), "/hooks/alice");
  ASSERT_TRUE(Register("bob", v1::DEVICE_PLATFORM_ANDROID, kBobFcm).ok());
  RegisterWebhook("bob", fake_.TlsWebhookUrl("/hooks/bob"), "/hooks/bob");
  AcceptAll(couple);
  Daily(couple, "alice", "Stretch", 8, 0, absl::Minutes(15));
  Daily(couple, "bob", "Walk", 18, 30, absl::Minutes(30));
  fake_.Control(
      {{"seed", 20261126},
       {"chaos_delay_ms", 2000},
       {"fail_rate",
        {{"token", 0.3}, {"fcm", 0.3}, {"apns", 0.3}, {"webhook", 0.3}}}});

  RunFor(absl::Hours(24 * 7), absl::Minutes(5));

  const std::map<std::string, std::set<std::string>> devices_of = {
      {"alice", {kAliceFcm, kAliceApns, "/hooks/alice"}},
      {"bob", {kBobFcm, "/hooks/bob"}}};
  // The receiver's view: accepted requests per (device, key).
  std::map<std::pair<std::string, std::string>, int> accepted, definite;
  int chaos = 0;
  for (const nlohmann::json& r : fake_.Requests()) {
    if (r["chaos"].get<bool>()) ++chaos;
  }
  for (const Receipt& r : Receipts(fake_.Requests())) {
    if (r.accepted) ++accepted[{r.device, r.key}];
    if (r.definite) ++definite[{r.device, r.key}];
  }
  EXPECT_GT(chaos, 20) << "the failures did happen";

  int reminders = 0;
  std::set<std::pair<std::string, std::string>> expected;
  for (const std::string user : {"alice", "bob"}) {
    for (const v1::Reminder& r :
         Reminders(user, v1::REMINDER_STATE_DELIVERED)) {
      ++reminders;
      for (const std::string& device : devices_of.at(user)) {
        const std::string key = device == kAliceApns
                                    ? push::NameBasedUuid(push::DeliveryKey(r))
                                    : push::DeliveryKey(r);
        expected.insert({device, key});
        // Seen, however many times the network made us try...
        EXPECT_GE((accepted[{device, key}]), 1) << r.name() << " on " << device;
        // ...and never sent again once a send had definitely succeeded.
        EXPECT_EQ((definite[{device, key}]), 1) << r.name() << " on " << device;
      }
    }
    EXPECT_TRUE(Reminders(user, v1::REMINDER_STATE_DEAD_LETTERED).empty());
  }
  EXPECT_GE(reminders, 20);
  // Some sends timed out after the receiver had them, and were sent again:
  // only the idempotency key makes those one reminder.
  int repeats = 0;
  for (const auto& [pair, count] : accepted) repeats += count > 1 ? 1 : 0;
  EXPECT_GT(repeats, 0);
  RecordProperty("reminders", reminders);
  RecordProperty("transient_failures", chaos);
  RecordProperty("repeats_deduplicated", repeats);
  // After de-duplicating on the idempotency key, the receiver holds exactly
  // the delivered reminders, once per device.
  std::set<std::pair<std::string, std::string>> received;
  for (const auto& [pair, count] : accepted) received.insert(pair);
  EXPECT_EQ(received, expected);
  v1::ListDeadLettersResponse letters;
  ASSERT_TRUE(
      stub_->ListDeadLetters(h_.ServiceContext("tendctl").get(), {}, &letters)
          .ok());
  EXPECT_EQ(letters.dead_letters_size(), 0);
  const std::string logs = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(logs, HasSubstr("push.failed"));
  for (const char* token : {kAliceFcm, kAliceApns, kBobFcm}) {
    EXPECT_THAT(logs, Not(HasSubstr(token)));
  }
}

TEST_F(PushDeliveryTest, ErasingTheCoupleErasesDevicesAndDeliveries) {
  const std::string couple = PairAliceAndBob();
  ASSERT_TRUE(
      Register("alice", v1::DEVICE_PLATFORM_ANDROID, kAliceFcm, "register-1")
          .ok());
  ASSERT_TRUE(Register("bob", v1::DEVICE_PLATFORM_ANDROID, kBobFcm).ok());
  Daily(couple, "alice", "Tea", 12, 0, absl::Hours(1));
  At(London(26, 12));
  ASSERT_EQ(fake_.Requests("fcm").size(), 1u);
  auto keys = h_.redis()->Command({"KEYS", "tend:s:*"});
  ASSERT_TRUE(keys.ok());
  std::set<std::string> before;
  for (const auto& k : keys->elements) before.insert(k.str);
  const std::string id = couple.substr(couple.find('/') + 1);
  for (const std::string kind :
       {"devices:alice", "devices:bob", "device_users", "requests:alice"}) {
    EXPECT_TRUE(before.count(absl::StrCat("tend:s:{", id, "}:", kind))) << kind;
  }

  UnpairNow("bob");
  keys = h_.redis()->Command({"KEYS", "tend:s:*"});
  ASSERT_TRUE(keys.ok());
  EXPECT_TRUE(keys->elements.empty());
}

}  // namespace
}  // namespace tend::scheduler
