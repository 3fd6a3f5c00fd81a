#include "tests/security/rpc_rows.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/dynamic_message.h"
#include "gtest/gtest.h"

namespace tend::security {
namespace {

constexpr grpc::StatusCode kOk = grpc::StatusCode::OK;

// Rows run in this order, so what one creates the next can use and what
// destroys state comes last.
const Row kRowTable[] = {
    // --- scheduler ---
    {"scheduler", "ListRitualTemplates", Scope::kOwn, "alice", ""},
    {"scheduler", "GetRitualTemplate", Scope::kOwn, "alice",
     R"(name: "${TEMPLATE}")"},
    {"scheduler", "CreateRitual", Scope::kMember, "alice",
     R"(parent: "${COUPLE}"
        ritual { title: "Evening walk" kind: RITUAL_KIND_PERSONAL
                 participant_user_ids: "alice" practice: PRACTICE_TOUCH
                 recurrence { rrule: "FREQ=DAILY"
                              dtstart { date { year: 2030 month: 1 day: 1 }
                                        time { hours: 18 } }
                              time_zone: "Europe/London" }
                 duration { seconds: 900 } })",
     kOk, "", "NEW_RITUAL"},
    {"scheduler", "GetRitual", Scope::kMember, "bob", R"(name: "${R0}")"},
    {"scheduler", "ListRituals", Scope::kMember, "bob",
     R"(parent: "${COUPLE}")"},
    {"scheduler", "UpdateRitual", Scope::kMember, "alice",
     R"(ritual { name: "${NEW_RITUAL}" title: "Evening stroll" }
        update_mask { paths: "title" })"},
    {"scheduler", "AcceptRitual", Scope::kMember, "bob", R"(name: "${R1}")"},
    {"scheduler", "BatchAcceptRituals", Scope::kMember, "bob",
     R"(parent: "${COUPLE}" names: "${R2}")"},
    {"scheduler", "DeclineRitual", Scope::kMember, "alice", R"(name: "${R3}")"},
    {"scheduler", "PauseRitual", Scope::kMember, "alice",
     R"(name: "${NEW_RITUAL}")"},
    {"scheduler", "ResumeRitual", Scope::kMember, "bob",
     R"(name: "${NEW_RITUAL}")"},
    {"scheduler", "SkipOccurrence", Scope::kMember, "bob",
     R"(name: "${ACTIVE_RITUAL}" occurrence_time { seconds: ${NEXT_OCCURRENCE} }
        note: "away")"},
    {"scheduler", "PreviewSchedule", Scope::kMember, "alice",
     R"(parent: "${COUPLE}" days: 7)"},
    {"scheduler", "ExportCalendar", Scope::kMember, "alice",
     R"(parent: "${COUPLE}")"},
    {"scheduler", "ListReminders", Scope::kMember, "alice",
     R"(parent: "${COUPLE}")"},
    {"scheduler", "GetReminder", Scope::kMember, "alice",
     R"(name: "${DELIVERED}")"},
    {"scheduler", "WatchReminders", Scope::kOwn, "alice", ""},
    {"scheduler", "AcknowledgeReminder", Scope::kMember, "alice",
     R"(name: "${DELIVERED}" action: ACKNOWLEDGE_ACTION_DONE mood: 4)"},
    {"scheduler", "GetStreaks", Scope::kMember, "bob",
     R"(name: "${COUPLE}/streaks")"},
    {"scheduler", "GetCadence", Scope::kMember, "bob",
     R"(name: "${COUPLE}/cadence")"},
    {"scheduler", "RegisterDevice", Scope::kMember, "alice",
     R"(parent: "users/alice"
        device { platform: DEVICE_PLATFORM_ANDROID token: "fcm-token-1" })",
     kOk, "", "DEVICE"},
    {"scheduler", "ListDevices", Scope::kMember, "alice",
     R"(parent: "users/alice")"},
    {"scheduler", "UnregisterDevice", Scope::kMember, "alice",
     R"(name: "${DEVICE}")"},
    {"scheduler", "ListDeliveries", Scope::kMember, "alice",
     R"(parent: "${DELIVERED}")"},
    {"scheduler", "RecordConnectionScore", Scope::kService, "service:prompt",
     R"(parent: "${COUPLE}" score: 60)"},
    {"scheduler", "ListDeadLetters", Scope::kService, "service:tendctl", ""},
    {"scheduler", "RetryDeadLetter", Scope::kService, "service:tendctl",
     R"(name: "${DEAD_LETTER}")"},
    {"scheduler", "SeedDefaultRituals", Scope::kService, "service:pairing",
     R"(parent: "${COUPLE}" partner_user_ids: "alice"
        partner_user_ids: "bob")"},
    {"scheduler", "RescheduleCouple", Scope::kService, "service:pairing",
     R"(parent: "${COUPLE}")"},
    {"scheduler", "ExportUserData", Scope::kService, "service:pairing",
     R"(user_id: "alice")"},
    {"scheduler", "EraseUserData", Scope::kService, "service:pairing",
     R"(user_id: "eve")"},
    {"scheduler", "DeleteRitual", Scope::kMember, "bob",
     R"(name: "${NEW_RITUAL}")"},
    {"scheduler", "CancelCoupleSchedule", Scope::kService, "service:pairing",
     R"(parent: "${OLD_COUPLE}")"},
    // --- prompt ---
    {"prompt", "ListCatalogItems", Scope::kOwn, "alice", ""},
    {"prompt", "GetCatalogItem", Scope::kOwn, "alice",
     R"(name: "${CATALOG_ITEM}")"},
    {"prompt", "GetDailyQuestion", Scope::kMember, "alice",
     R"(parent: "${COUPLE}")"},
    {"prompt", "GetQuestion", Scope::kMember, "bob", R"(name: "${QUESTION}")"},
    {"prompt", "ListQuestions", Scope::kMember, "bob",
     R"(parent: "${COUPLE}")"},
    {"prompt", "AnswerQuestion", Scope::kMember, "alice",
     R"(name: "${QUESTION}" text: "A quiet morning together")"},
    {"prompt", "GetAnswers", Scope::kMember, "alice", R"(name: "${QUESTION}")"},
    {"prompt", "ListJournalEntries", Scope::kMember, "alice",
     R"(parent: "${COUPLE}")"},
    {"prompt", "CreateCustomQuestion", Scope::kMember, "alice",
     R"(parent: "${COUPLE}"
        custom_question { text: "What made you smile this week?" })",
     kOk, "", "CUSTOM"},
    {"prompt", "ListCustomQuestions", Scope::kMember, "bob",
     R"(parent: "${COUPLE}")"},
    {"prompt", "DeleteCustomQuestion", Scope::kMember, "bob",
     R"(name: "${CUSTOM}")"},
    {"prompt", "SuggestGesture", Scope::kMember, "alice",
     R"(parent: "${COUPLE}")"},
    {"prompt", "GetLoveLanguageQuiz", Scope::kOwn, "alice", ""},
    {"prompt", "SubmitQuizAnswers", Scope::kOwn, "alice", "${QUIZ_ANSWERS}"},
    {"prompt", "GetConnectionCheck", Scope::kOwn, "alice", ""},
    {"prompt", "SubmitConnectionCheck", Scope::kMember, "alice",
     R"(parent: "${COUPLE}" ${CHECK_ANSWERS})"},
    {"prompt", "GetConnectionSummary", Scope::kMember, "bob",
     R"(name: "${COUPLE}/connectionSummary")"},
    {"prompt", "GetReminderContent", Scope::kService, "service:scheduler",
     R"(reminder: "${DELIVERED}" ritual: "${ACTIVE_RITUAL}"
        practice: PRACTICE_CHECK_IN recipient_user_id: "alice"
        occurrence_time { seconds: ${NEXT_OCCURRENCE} } shared: true)"},
    {"prompt", "ExportUserData", Scope::kService, "service:pairing",
     R"(user_id: "alice")"},
    {"prompt", "EraseUserData", Scope::kService, "service:pairing",
     R"(user_id: "eve")"},
    {"prompt", "EraseCoupleData", Scope::kService, "service:pairing",
     R"(parent: "${OLD_COUPLE}")"},
    // --- pairing ---
    {"pairing", "GetPartnerProfile", Scope::kOwn, "alice", ""},
    {"pairing", "UpdatePartnerProfile", Scope::kOwn, "alice",
     R"(profile { display_name: "Alice" } update_mask { paths: "display_name" })"},
    {"pairing", "GetCouple", Scope::kOwn, "alice", ""},
    {"pairing", "UpdateCouple", Scope::kOwn, "bob",
     R"(couple { home_time_zone: "Europe/London" }
        update_mask { paths: "home_time_zone" })"},
    {"pairing", "ExportMyData", Scope::kOwn, "alice", ""},
    {"pairing", "LookupCouple", Scope::kService, "service:scheduler",
     R"(user_id: "alice")"},
    {"pairing", "CreateInvite", Scope::kOwn, "frank", ""},
    {"pairing", "AcceptInvite", Scope::kOwn, "hank", R"(code: "${CODE}")", kOk,
     "", "", R"(code: "AAAAA-AAAAA")"},
    {"pairing", "Unpair", Scope::kOwn, "hank", ""},
    {"pairing", "DeleteMyData", Scope::kOwn, "hank", ""},
};

const char* const kServiceNames[][2] = {
    {"pairing", "tend.pairing.v1.PairingService"},
    {"prompt", "tend.prompt.v1.PromptService"},
    {"scheduler", "tend.scheduler.v1.SchedulerService"},
};

}  // namespace

absl::Span<const Row> Rows() { return kRowTable; }

std::vector<std::pair<std::string, std::string>> ServiceNames() {
  std::vector<std::pair<std::string, std::string>> names;
  for (const auto& [short_name, full_name] : kServiceNames) {
    names.emplace_back(short_name, full_name);
  }
  return names;
}

const google::protobuf::MethodDescriptor* MethodOf(const Row& row) {
  for (const auto& [short_name, full_name] : kServiceNames) {
    if (std::string(row.service) == short_name) {
      return FindService(full_name)->FindMethodByName(row.method);
    }
  }
  return nullptr;
}

void CoupleStack::SetUp() {
  SecurityStack::SetUp();
  // One failed push is enough to dead-letter a reminder (bob's webhook is
  // unreachable), so RetryDeadLetter has something to retry.
  ASSERT_NO_FATAL_FAILURE(StartAll({{"scheduler", {"--max_attempts=1"}}}));
  channels_ = {{"pairing", pairing().channel},
               {"prompt", prompt().channel},
               {"scheduler", scheduler().channel}};
}

std::string CoupleStack::BearerFor(const std::string& caller) {
  return absl::StartsWith(caller, "service:")
             ? e2e::ServiceBearer(caller.substr(8))
             : e2e::UserBearer(caller);
}

CallResult CoupleStack::Call(const Row& row, const std::string& caller,
                             const std::string& text) {
  const google::protobuf::MethodDescriptor* method = MethodOf(row);
  absl::StatusOr<std::string> request = RequestFromText(method, text, vars_);
  EXPECT_TRUE(request.ok()) << row.method << ": " << request.status();
  if (!request.ok()) return {};
  return CallMethod(
      channels_.at(row.service), method, BearerFor(caller), *request,
      method->server_streaming() ? absl::Seconds(1) : absl::Seconds(10));
}

// The couple, its rituals in every state the rows need, a delivered
// reminder, a question, the quiz and the check, and a pending invite.
void CoupleStack::BuildState() {
  for (const char* user : {"alice", "bob", "carol", "dave"}) {
    ASSERT_NO_FATAL_FAILURE(
        Profile(user, user[0] < 'c' ? "Europe/London" : "Asia/Tokyo"));
  }
  // A couple that forms and dissolves first, for the erasing rows.
  absl::StatusOr<pairing::v1::Couple> old =
      Pair(pairing_stub_.get(), "olga", "oscar");
  ASSERT_TRUE(old.ok()) << old.status();
  vars_["OLD_COUPLE"] = old->name();
  pairing::v1::UnpairResponse unpaired;
  ASSERT_TRUE(
      pairing_stub_
          ->Unpair(e2e::WithAuth(e2e::UserBearer("olga")).get(), {}, &unpaired)
          .ok());

  vars_["COUPLE"] = PairWithRituals("alice", "bob");
  ASSERT_FALSE(vars_["COUPLE"].empty());
  vars_["COUPLE_ID"] = vars_["COUPLE"].substr(8);
  ASSERT_FALSE(PairWithRituals("carol", "dave").empty());

  // Three seeded proposals (date night, nightly feelings, weekly check-in)
  // and two of alice's from other templates: R0..R3 stay proposals for the
  // rows, and nightly feelings (R4) becomes active to plan reminders.
  scheduler::v1::ListRitualTemplatesResponse templates;
  ASSERT_TRUE(
      scheduler_stub_
          ->ListRitualTemplates(e2e::WithAuth(e2e::UserBearer("alice")).get(),
                                {}, &templates)
          .ok());
  ASSERT_GT(templates.ritual_templates_size(), 0);
  vars_["TEMPLATE"] = templates.ritual_templates(0).name();
  std::vector<std::string> proposals;
  std::string nightly;
  auto sort_rituals = [&] {
    scheduler::v1::ListRitualsResponse rituals;
    ASSERT_TRUE(scheduler_stub_
                    ->ListRituals(e2e::WithAuth(e2e::UserBearer("alice")).get(),
                                  {}, &rituals)
                    .ok());
    proposals.clear();
    for (const scheduler::v1::Ritual& r : rituals.rituals()) {
      if (absl::EndsWith(r.name(), "/nightly-feelings")) {
        nightly = r.name();
      } else if (r.state() == scheduler::v1::RITUAL_STATE_PROPOSED) {
        proposals.push_back(r.name());
      }
    }
  };
  ASSERT_NO_FATAL_FAILURE(sort_rituals());
  for (const scheduler::v1::RitualTemplate& t : templates.ritual_templates()) {
    if (proposals.size() >= 4) break;
    scheduler::v1::CreateRitualRequest create;
    create.set_parent(vars_["COUPLE"]);
    create.mutable_ritual()->set_ritual_template(t.name());
    scheduler::v1::Ritual out;
    if (scheduler_stub_
            ->CreateRitual(e2e::WithAuth(e2e::UserBearer("alice")).get(),
                           create, &out)
            .ok() &&
        out.state() == scheduler::v1::RITUAL_STATE_PROPOSED) {
      proposals.push_back(out.name());
    }
  }
  ASSERT_NO_FATAL_FAILURE(sort_rituals());
  ASSERT_GE(proposals.size(), 4u);
  ASSERT_FALSE(nightly.empty());
  for (int i = 0; i < 4; ++i) vars_[absl::StrCat("R", i)] = proposals[i];
  vars_["R4"] = nightly;
  for (const char* user : {"alice", "bob"}) {
    scheduler::v1::AcceptRitualRequest accept;
    accept.set_name(nightly);
    scheduler::v1::Ritual out;
    grpc::Status s = scheduler_stub_->AcceptRitual(
        e2e::WithAuth(e2e::UserBearer(user)).get(), accept, &out);
    ASSERT_TRUE(s.ok()) << user << ": " << s.error_message();
  }
  vars_["ACTIVE_RITUAL"] = nightly;
  // Bob's only device is a webhook nobody listens on: his reminder fails
  // its one attempt and goes to the dead letter.
  scheduler::v1::RegisterDeviceRequest hook;
  hook.set_parent("users/bob");
  hook.mutable_device()->set_platform(
      scheduler::v1::DEVICE_PLATFORM_WEB_WEBHOOK);
  hook.mutable_device()->set_webhook_url("https://127.0.0.1:1/hook");
  scheduler::v1::Device device;
  grpc::Status hooked = scheduler_stub_->RegisterDevice(
      e2e::WithAuth(e2e::UserBearer("bob")).get(), hook, &device);
  ASSERT_TRUE(hooked.ok()) << hooked.error_message();
  ASSERT_NO_FATAL_FAILURE(DeliverOneReminder());
  scheduler::v1::ListDeadLettersResponse dead;
  ASSERT_TRUE(e2e::Poll(
      [&] {
        grpc::Status s = scheduler_stub_->ListDeadLetters(
            e2e::WithAuth(e2e::ServiceBearer("tendctl")).get(), {}, &dead);
        return s.ok() && dead.dead_letters_size() > 0;
      },
      absl::Seconds(15), absl::Milliseconds(50)))
      << "bob's reminder never reached the dead letter";
  vars_["DEAD_LETTER"] = dead.dead_letters(0).name();

  prompt::v1::ListCatalogItemsResponse items;
  ASSERT_TRUE(prompt_stub_
                  ->ListCatalogItems(
                      e2e::WithAuth(e2e::UserBearer("alice")).get(), {}, &items)
                  .ok());
  ASSERT_GT(items.catalog_items_size(), 0);
  vars_["CATALOG_ITEM"] = items.catalog_items(0).name();
  prompt::v1::GetDailyQuestionRequest daily;
  daily.set_parent(vars_["COUPLE"]);
  prompt::v1::Question question;
  grpc::Status s = prompt_stub_->GetDailyQuestion(
      e2e::WithAuth(e2e::UserBearer("bob")).get(), daily, &question);
  ASSERT_TRUE(s.ok()) << s.error_message();
  vars_["QUESTION"] = question.name();

  prompt::v1::LoveLanguageQuiz quiz;
  ASSERT_TRUE(prompt_stub_
                  ->GetLoveLanguageQuiz(
                      e2e::WithAuth(e2e::UserBearer("alice")).get(), {}, &quiz)
                  .ok());
  std::string answers = absl::StrCat("quiz: \"", quiz.name(), "\"");
  for (const prompt::v1::QuizItem& item : quiz.items()) {
    absl::StrAppend(&answers, " answers { item_id: \"", item.id(),
                    "\" option_id: \"", item.options(0).id(), "\" }");
  }
  vars_["QUIZ_ANSWERS"] = answers;
  prompt::v1::ConnectionCheck check;
  ASSERT_TRUE(prompt_stub_
                  ->GetConnectionCheck(
                      e2e::WithAuth(e2e::UserBearer("alice")).get(), {}, &check)
                  .ok());
  answers = absl::StrCat("connection_check: \"", check.name(), "\"");
  for (const prompt::v1::ConnectionCheckItem& item : check.items()) {
    absl::StrAppend(&answers, " answers { item_id: \"", item.id(),
                    "\" rating: 3 }");
  }
  vars_["CHECK_ANSWERS"] = answers;

  // Gina's invite, for hank to accept.
  pairing::v1::Invite invite;
  ASSERT_TRUE(pairing_stub_
                  ->CreateInvite(e2e::WithAuth(e2e::UserBearer("gina")).get(),
                                 {}, &invite)
                  .ok());
  vars_["CODE"] = invite.code();

  // What the member rows create, created once before them too, so the
  // strangers have it to aim at.
  for (const Row& row : Rows()) {
    if (row.capture[0] != '\0') ASSERT_TRUE(CallAndCapture(row).ok());
  }
}

// Calls `row` as its caller and stores the response's name in
// ${row.capture} when the row asks.
grpc::Status CoupleStack::CallAndCapture(const Row& row) {
  CallResult r = Call(row, row.caller, row.request);
  if (r.status.ok() && row.capture[0] != '\0') {
    std::unique_ptr<google::protobuf::Message> response(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype(MethodOf(row)->output_type())
            ->New());
    EXPECT_TRUE(response->ParseFromString(r.response));
    const auto* field = response->GetDescriptor()->FindFieldByName("name");
    EXPECT_NE(field, nullptr) << row.method;
    if (field != nullptr) {
      vars_[row.capture] =
          response->GetReflection()->GetString(*response, field);
    }
  }
  EXPECT_EQ(r.status.error_code(), row.expected)
      << row.service << "." << row.method << " by " << row.caller << ": "
      << CodeName(r.status.error_code()) << " " << r.status.error_message();
  return r.status;
}

// Moves the test clock to the active ritual's first reminder for alice
// and waits until the dispatcher delivered it; stores its name in
// ${DELIVERED} and the ritual's next occurrence in ${NEXT_OCCURRENCE}.
void CoupleStack::DeliverOneReminder() {
  scheduler::v1::ListRemindersRequest req;
  req.set_parent(vars_["COUPLE"]);
  req.set_recipient_user_id("alice");
  scheduler::v1::ListRemindersResponse out;
  ASSERT_TRUE(e2e::Poll(
      [&] {
        grpc::Status s = scheduler_stub_->ListReminders(
            e2e::WithAuth(e2e::UserBearer("alice")).get(), req, &out);
        return s.ok() && out.reminders_size() > 0;
      },
      absl::Seconds(10), absl::Milliseconds(50)))
      << "no reminder planned for the active ritual";
  const scheduler::v1::Reminder first = out.reminders(0);
  ASSERT_TRUE(SetClock(absl::FromUnixSeconds(first.due_time().seconds()) +
                       absl::Minutes(1))
                  .ok());
  ASSERT_TRUE(e2e::Poll(
      [&] {
        scheduler::v1::Reminder r;
        scheduler::v1::GetReminderRequest get;
        get.set_name(first.name());
        grpc::Status s = scheduler_stub_->GetReminder(
            e2e::WithAuth(e2e::UserBearer("alice")).get(), get, &r);
        return s.ok() && r.state() == scheduler::v1::REMINDER_STATE_DELIVERED;
      },
      absl::Seconds(15), absl::Milliseconds(20)))
      << "the dispatcher never delivered " << first.name();
  vars_["DELIVERED"] = first.name();
  scheduler::v1::GetRitualRequest get;
  get.set_name(vars_["ACTIVE_RITUAL"]);
  scheduler::v1::Ritual ritual;
  ASSERT_TRUE(scheduler_stub_
                  ->GetRitual(e2e::WithAuth(e2e::UserBearer("alice")).get(),
                              get, &ritual)
                  .ok());
  vars_["NEXT_OCCURRENCE"] =
      absl::StrCat(ritual.next_occurrence_time().seconds());
}

}  // namespace tend::security
