// The log scan of issue 8: a couple's journey through the three real
// binaries with marker strings in everything that must never reach a log —
// answers, journal entries, skip and decline notes, custom questions, names,
// JWTs, the secrets, push tokens, webhook URLs and signing secrets, invite
// codes — including requests that fail. Then every service's stderr and
// stdout is scanned for each marker.
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "tests/security/rpc_rows.h"

namespace tend::security {
namespace {

namespace pv1 = prompt::v1;
namespace sv1 = scheduler::v1;

class LogScanTest : public CoupleStack {
 protected:
  // A marker for `what`, remembered for the scan.
  std::string Marker(const std::string& what) {
    std::string marker = absl::StrCat("Zq", what, "Mark", markers_.size(), "x");
    markers_.emplace_back(what, marker);
    return marker;
  }
  // A marker made of 64 hex digits, for fields that take nothing else.
  std::string HexMarker(const std::string& what) {
    std::string marker = absl::StrCat("feedc0de", markers_.size());
    marker.resize(64, 'a');
    markers_.emplace_back(what, marker);
    return marker;
  }
  void Secret(const std::string& what, const std::string& value) {
    markers_.emplace_back(what, value);
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& user) {
    return e2e::WithAuth(BearerFor(user));
  }

  std::vector<std::pair<std::string, std::string>> markers_;
};

TEST_F(LogScanTest, NoSecretOrPrivateTextReachesAnyLog) {
  ASSERT_NO_FATAL_FAILURE(BuildState());
  std::map<std::string, std::string>& vars = Vars();
  Secret("invite code", vars["CODE"]);
  Secret("invite code, typed", absl::StrReplaceAll(vars["CODE"], {{"-", ""}}));
  Secret("user secret", e2e::kJwtSecret);
  Secret("service secret", e2e::kServiceSecret);
  Secret("a JWT's header", "eyJ");
  for (const char* user : {"alice", "bob", "service:prompt"}) {
    const std::string bearer = BearerFor(user);
    Secret(absl::StrCat(user, "'s token signature"),
           bearer.substr(bearer.rfind('.') + 1));
  }

  // Names and a profile update that fails on a marker zone.
  pairing::v1::UpdatePartnerProfileRequest profile;
  profile.mutable_profile()->set_display_name(Marker("DisplayName"));
  profile.mutable_update_mask()->add_paths("display_name");
  pairing::v1::PartnerProfile updated;
  ASSERT_TRUE(
      pairing_stub_->UpdatePartnerProfile(As("alice").get(), profile, &updated)
          .ok());
  profile.mutable_profile()->set_time_zone(Marker("Zone"));
  profile.mutable_update_mask()->add_paths("time_zone");
  EXPECT_FALSE(
      pairing_stub_->UpdatePartnerProfile(As("alice").get(), profile, &updated)
          .ok());

  // Answers, a journal entry, a custom question.
  pv1::AnswerQuestionRequest answer;
  answer.set_name(vars["QUESTION"]);
  answer.set_text(Marker("Answer"));
  pv1::Answer answered;
  ASSERT_TRUE(
      prompt_stub_->AnswerQuestion(As("alice").get(), answer, &answered).ok());
  answer.set_text(Marker("Journal"));
  answer.set_journal(true);
  ASSERT_TRUE(
      prompt_stub_->AnswerQuestion(As("bob").get(), answer, &answered).ok());
  answer.set_text(Marker("AnswerEdited"));
  (void)prompt_stub_->AnswerQuestion(As("bob").get(), answer, &answered);
  answer.set_name(Marker("BadQuestionName"));
  EXPECT_FALSE(
      prompt_stub_->AnswerQuestion(As("bob").get(), answer, &answered).ok());
  pv1::CreateCustomQuestionRequest custom;
  custom.set_parent(vars["COUPLE"]);
  custom.mutable_custom_question()->set_text(Marker("CustomQuestion"));
  pv1::CustomQuestion created;
  ASSERT_TRUE(
      prompt_stub_->CreateCustomQuestion(As("alice").get(), custom, &created)
          .ok());

  // Notes: a skip, a decline, a pause, and a ritual's own words.
  sv1::SkipOccurrenceRequest skip;
  skip.set_name(vars["ACTIVE_RITUAL"]);
  skip.mutable_occurrence_time()->set_seconds(
      std::stoll(vars["NEXT_OCCURRENCE"]));
  skip.set_note(Marker("SkipNote"));
  sv1::Occurrence skipped;
  grpc::Status s =
      scheduler_stub_->SkipOccurrence(As("bob").get(), skip, &skipped);
  EXPECT_TRUE(s.ok()) << s.error_message();
  sv1::DeclineRitualRequest decline;
  decline.set_name(vars["R3"]);
  decline.set_note(Marker("DeclineNote"));
  sv1::Ritual ritual;
  s = scheduler_stub_->DeclineRitual(As("alice").get(), decline, &ritual);
  EXPECT_TRUE(s.ok()) << s.error_message();
  sv1::CreateRitualRequest create;
  create.set_parent(vars["COUPLE"]);
  create.set_note(Marker("CreateNote"));
  sv1::Ritual* r = create.mutable_ritual();
  r->set_title(Marker("RitualTitle"));
  r->set_description(Marker("RitualDescription"));
  r->set_kind(sv1::RITUAL_KIND_PERSONAL);
  r->add_participant_user_ids("alice");
  r->set_practice(type::v1::PRACTICE_TOUCH);
  r->mutable_recurrence()->set_rrule("FREQ=DAILY");
  r->mutable_recurrence()->set_time_zone("Europe/London");
  const absl::CivilSecond start =
      absl::ToCivilSecond(clock() + absl::Hours(1), absl::UTCTimeZone());
  r->mutable_recurrence()->mutable_dtstart()->mutable_date()->set_year(
      static_cast<int>(start.year()));
  r->mutable_recurrence()->mutable_dtstart()->mutable_date()->set_month(
      start.month());
  r->mutable_recurrence()->mutable_dtstart()->mutable_date()->set_day(
      start.day());
  r->mutable_recurrence()->mutable_dtstart()->mutable_time()->set_hours(
      start.hour());
  r->mutable_duration()->set_seconds(600);
  s = scheduler_stub_->CreateRitual(As("alice").get(), create, &ritual);
  EXPECT_TRUE(s.ok()) << s.error_message();
  const std::string personal = ritual.name();
  sv1::PauseRitualRequest pause;
  pause.set_name(vars["ACTIVE_RITUAL"]);
  pause.set_note(Marker("PauseNote"));
  s = scheduler_stub_->PauseRitual(As("alice").get(), pause, &ritual);
  EXPECT_TRUE(s.ok()) << s.error_message();
  sv1::ResumeRitualRequest resume;
  resume.set_name(vars["ACTIVE_RITUAL"]);
  EXPECT_TRUE(
      scheduler_stub_->ResumeRitual(As("alice").get(), resume, &ritual).ok());

  // Devices: push tokens, a webhook URL and the signing secret it gets.
  sv1::Device device;
  for (const auto& [platform, token] :
       std::vector<std::pair<sv1::DevicePlatform, std::string>>{
           {sv1::DEVICE_PLATFORM_ANDROID, Marker("FcmToken")},
           {sv1::DEVICE_PLATFORM_IOS, HexMarker("ApnsToken")}}) {
    sv1::RegisterDeviceRequest reg;
    reg.set_parent("users/alice");
    reg.mutable_device()->set_platform(platform);
    reg.mutable_device()->set_token(token);
    s = scheduler_stub_->RegisterDevice(As("alice").get(), reg, &device);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
  sv1::RegisterDeviceRequest hook;
  hook.set_parent("users/alice");
  hook.mutable_device()->set_platform(sv1::DEVICE_PLATFORM_WEB_WEBHOOK);
  hook.mutable_device()->set_webhook_url(
      absl::StrCat("https://127.0.0.1:1/hooks/", Marker("WebhookPath")));
  s = scheduler_stub_->RegisterDevice(As("alice").get(), hook, &device);
  EXPECT_TRUE(s.ok()) << s.error_message();
  if (!device.webhook_signing_secret().empty()) {
    Secret("webhook signing secret", device.webhook_signing_secret());
  }
  // A wrong invite code, and a forged bearer token.
  pairing::v1::AcceptInviteRequest guess;
  guess.set_code("ZQMRK-G0E55");
  Secret("a guessed invite code", guess.code());
  pairing::v1::Couple none;
  EXPECT_FALSE(pairing_stub_->AcceptInvite(As("eve").get(), guess, &none).ok());
  const std::string forged = Marker("ForgedToken");
  pairing::v1::PartnerProfile profile_out;
  EXPECT_EQ(pairing_stub_
                ->GetPartnerProfile(
                    e2e::WithAuth(absl::StrCat("Bearer ", forged)).get(), {},
                    &profile_out)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  // A refused device registration that quotes a token.
  sv1::RegisterDeviceRequest bad_device;
  bad_device.set_parent("users/alice");
  bad_device.mutable_device()->set_token(Marker("TokenWithoutPlatform"));
  EXPECT_FALSE(
      scheduler_stub_->RegisterDevice(As("alice").get(), bad_device, &device)
          .ok());

  // A few hours pass: the personal ritual's reminders go out to the devices
  // (the push attempts fail and are retried), and alice skips one.
  for (int step = 0; step < 6; ++step) {
    ASSERT_TRUE(AdvanceClock(absl::Minutes(30)).ok());
    ASSERT_TRUE(e2e::Poll(
        [&] {
          absl::StatusOr<e2e::QueueTotals> totals = Totals();
          return totals.ok() && totals->due_unclaimed == 0 &&
                 totals->leased == 0;
        },
        absl::Seconds(10), absl::Milliseconds(5)));
  }
  sv1::ListRemindersRequest list;
  list.set_parent(vars["COUPLE"]);
  list.set_recipient_user_id("alice");
  list.add_states(sv1::REMINDER_STATE_DELIVERED);
  sv1::ListRemindersResponse delivered;
  ASSERT_TRUE(
      scheduler_stub_->ListReminders(As("alice").get(), list, &delivered).ok());
  int acks = 0;
  for (const sv1::Reminder& reminder : delivered.reminders()) {
    sv1::AcknowledgeReminderRequest ack;
    ack.set_name(reminder.name());
    ack.set_action(sv1::ACKNOWLEDGE_ACTION_SKIP);
    sv1::Reminder out;
    if (scheduler_stub_->AcknowledgeReminder(As("alice").get(), ack, &out)
            .ok()) {
      ++acks;
    }
  }
  EXPECT_GT(acks, 0) << "no reminder of " << personal << " was delivered";

  // Export and erase go through the services' own calls to each other.
  pairing::v1::ExportMyDataResponse exported;
  EXPECT_TRUE(
      pairing_stub_->ExportMyData(As("alice").get(), {}, &exported).ok());
  pairing::v1::UnpairRequest unpair;
  unpair.set_erase_now(true);
  pairing::v1::UnpairResponse unpaired;
  EXPECT_TRUE(pairing_stub_->Unpair(As("bob").get(), unpair, &unpaired).ok());

  // Stop every service so its logs are complete, and read them whole.
  std::map<std::string, std::string> logs;
  std::vector<std::pair<std::string, e2e::Service*>> services = {
      {"pairing", &pairing()},
      {"prompt", &prompt()},
      {"scheduler", &scheduler()}};
  StopAll();
  size_t total = 0;
  for (const auto& [name, service] : services) {
    std::string text = service->process->Stderr();
    while (true) {
      absl::StatusOr<std::string> line =
          service->process->ReadLine(absl::Milliseconds(100));
      if (!line.ok()) break;
      absl::StrAppend(&text, *line, "\n");
    }
    EXPECT_TRUE(absl::StrContains(text, "\"event\":\"server.stopped\""))
        << name << " did not log its stop; the scan would miss its end";
    total += text.size();
    logs[name] = std::move(text);
  }
  for (const auto& [name, text] : logs) {
    for (const auto& [what, marker] : markers_) {
      const size_t at = text.find(marker);
      EXPECT_EQ(at, std::string::npos)
          << name << " logged the " << what << ": ..."
          << text.substr(
                 at == std::string::npos ? 0 : (at > 200 ? at - 200 : 0), 400)
          << "...";
    }
  }
  std::cout << "[ log scan ] " << markers_.size() << " markers, " << total
            << " bytes of logs from 3 services\n";
}

}  // namespace
}  // namespace tend::security
