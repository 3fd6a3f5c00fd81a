// The prompt service end to end with pairing: a real redis-server, real
// gRPC on loopback and a FakeClock, so years of daily questions pass in
// seconds. The scheduler side (cadence, connection scores, the
// dispatcher's content) is in prompt_scheduler_test.cc.
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "services/prompt/prompt_internal.h"
#include "tests/services/prompt/prompt_fixture.h"

namespace tend::prompt {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::ServiceHarness;

type::v1::Date DateOf(absl::CivilDay day) { return internal::ToDate(day); }

class PromptIntegrationTest : public PromptFixture {
 protected:
  // Every key in Redis.
  std::vector<std::string> AllKeys() {
    std::vector<std::string> keys;
    auto reply = h_.redis()->Command({"KEYS", "*"});
    for (const auto& k : reply->elements) keys.push_back(k.str);
    return keys;
  }

  v1::GetReminderContentRequest Reminder(const std::string& couple,
                                         const std::string& recipient,
                                         const std::string& ritual_template,
                                         bool shared, absl::Time occurrence,
                                         const std::string& id) {
    v1::GetReminderContentRequest req;
    req.set_reminder(absl::StrCat(couple, "/reminders/", id));
    req.set_ritual(
        absl::StrCat(couple, "/rituals/",
                     ritual_template.empty() ? "custom1" : ritual_template));
    if (!ritual_template.empty()) {
      req.set_ritual_template(
          absl::StrCat("ritualTemplates/", ritual_template));
    }
    req.set_ritual_title("A ritual");
    req.set_recipient_user_id(recipient);
    *req.mutable_occurrence_time() = internal::ToProto(occurrence);
    req.set_shared(shared);
    return req;
  }
};

TEST_F(PromptIntegrationTest, BothPartnersGetTheSameQuestionOnTheirOwnDay) {
  SetProfile("alice", "Alice", "Pacific/Auckland");
  SetProfile("bob", "Bob", "America/Los_Angeles");
  const std::string couple = Pair("alice", "bob");
  // 2026-11-26 09:00 UTC: already the 26th 22:00 in Auckland, still the 26th
  // 01:00 in Los Angeles. Move on 12 hours: Auckland is on the 27th.
  h_.clock()->Advance(absl::Hours(12));
  v1::Question alices, bobs;
  ASSERT_TRUE(Daily("alice", couple, &alices).ok());
  ASSERT_TRUE(Daily("bob", couple, &bobs).ok());
  EXPECT_EQ(alices.name(), couple + "/questions/2026-11-27");
  EXPECT_EQ(bobs.name(), couple + "/questions/2026-11-26");
  EXPECT_EQ(alices.origin(), v1::QUESTION_ORIGIN_DAILY);
  EXPECT_FALSE(alices.text().empty());
  EXPECT_THAT(alices.catalog_item(), ::testing::StartsWith("catalogItems/dq-"));
  // Alice may still look at yesterday: it is Bob's today, the same question.
  const type::v1::Date yesterday = DateOf(absl::CivilDay(2026, 11, 26));
  v1::Question again;
  ASSERT_TRUE(Daily("alice", couple, &again, &yesterday).ok());
  EXPECT_EQ(again.SerializeAsString(), bobs.SerializeAsString());
  // Bob cannot see Alice's day early: it is his tomorrow.
  const type::v1::Date tomorrow = DateOf(absl::CivilDay(2026, 11, 27));
  grpc::Status early = Daily("bob", couple, &again, &tomorrow);
  EXPECT_EQ(early.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(early.error_message(), HasSubstr("date: 2026-11-27 is after"));
  // And when his day comes, he gets exactly what Alice got.
  h_.clock()->Advance(absl::Hours(24));
  ASSERT_TRUE(Daily("bob", couple, &again, &tomorrow).ok());
  EXPECT_EQ(again.text(), alices.text());
  // A day long past that was never asked is not invented now.
  const type::v1::Date long_ago = DateOf(absl::CivilDay(2026, 11, 1));
  EXPECT_EQ(Daily("bob", couple, &again, &long_ago).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(PromptIntegrationTest, AnswersStayPrivateUntilBothHaveAnswered) {
  const std::string couple = PairAliceAndBob();
  v1::Question q;
  ASSERT_TRUE(Daily("alice", couple, &q).ok());
  ASSERT_TRUE(
      Answer("alice", q.name(), "The smell of rain on the way home").ok());
  // Bob knows she answered, but not what.
  v1::GetAnswersResponse bob_sees = Answers("bob", q.name());
  EXPECT_EQ(bob_sees.partner_state(), v1::PARTNER_ANSWER_STATE_ANSWERED);
  EXPECT_FALSE(bob_sees.has_partner_answer());
  EXPECT_FALSE(bob_sees.has_my_answer());
  EXPECT_THAT(bob_sees.question().answered_user_ids(),
              ::testing::ElementsAre("alice"));
  v1::GetAnswersResponse alice_sees = Answers("alice", q.name());
  EXPECT_EQ(alice_sees.my_answer().text(), "The smell of rain on the way home");
  EXPECT_EQ(alice_sees.my_answer().question_text(), q.text());
  EXPECT_EQ(alice_sees.partner_state(), v1::PARTNER_ANSWER_STATE_NOT_ANSWERED);
  // Before the reveal she may change her mind; her first time is kept.
  h_.clock()->Advance(absl::Minutes(5));
  v1::Answer edited;
  ASSERT_TRUE(
      Answer("alice", q.name(), "Rain, and your laugh", false, &edited).ok());
  EXPECT_EQ(edited.create_time().seconds() + 300,
            edited.update_time().seconds());
  // Bob answers: both are revealed.
  ASSERT_TRUE(Answer("bob", q.name(), "Fresh bread").ok());
  bob_sees = Answers("bob", q.name());
  EXPECT_EQ(bob_sees.partner_state(), v1::PARTNER_ANSWER_STATE_REVEALED);
  EXPECT_EQ(bob_sees.partner_answer().text(), "Rain, and your laugh");
  EXPECT_TRUE(bob_sees.question().has_reveal_time());
  EXPECT_EQ(Answers("alice", q.name()).partner_answer().text(), "Fresh bread");
  // After the reveal nothing changes.
  grpc::Status late = Answer("alice", q.name(), "Something else");
  EXPECT_EQ(late.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(late.error_message(), HasSubstr("revealed"));
  EXPECT_EQ(Answer("bob", q.name(), "x", true).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(PromptIntegrationTest, AJournalEntryIsNeverRevealed) {
  const std::string couple = PairAliceAndBob();
  v1::Question q;
  ASSERT_TRUE(Daily("alice", couple, &q).ok());
  ASSERT_TRUE(Answer("alice", q.name(), "Just for me", /*journal=*/true).ok());
  ASSERT_TRUE(Answer("bob", q.name(), "For us both").ok());
  // A journal entry looks exactly like no answer.
  v1::GetAnswersResponse bob_sees = Answers("bob", q.name());
  EXPECT_EQ(bob_sees.partner_state(), v1::PARTNER_ANSWER_STATE_NOT_ANSWERED);
  EXPECT_FALSE(bob_sees.has_partner_answer());
  EXPECT_FALSE(bob_sees.question().has_reveal_time());
  EXPECT_THAT(bob_sees.question().answered_user_ids(),
              ::testing::ElementsAre("bob"));
  // Alice reads it in her journal; Bob's journal is empty.
  v1::ListJournalEntriesRequest list;
  list.set_parent(couple);
  v1::ListJournalEntriesResponse journal;
  ASSERT_TRUE(
      stub_->ListJournalEntries(h_.ContextFor("alice").get(), list, &journal)
          .ok());
  ASSERT_EQ(journal.answers_size(), 1);
  EXPECT_EQ(journal.answers(0).text(), "Just for me");
  EXPECT_EQ(journal.answers(0).question_text(), q.text());
  ASSERT_TRUE(
      stub_->ListJournalEntries(h_.ContextFor("bob").get(), list, &journal)
          .ok());
  EXPECT_EQ(journal.answers_size(), 0);
  // She may decide to share it after all: then both are revealed.
  ASSERT_TRUE(Answer("alice", q.name(), "Shared now").ok());
  EXPECT_EQ(Answers("bob", q.name()).partner_answer().text(), "Shared now");
  ASSERT_TRUE(
      stub_->ListJournalEntries(h_.ContextFor("alice").get(), list, &journal)
          .ok());
  EXPECT_EQ(journal.answers_size(), 0);
}

TEST_F(PromptIntegrationTest, NoQuestionComesBackWithin180DaysOverTwoYears) {
  const std::string couple = PairAliceAndBob();
  std::map<std::string, absl::CivilDay> last_asked;
  std::map<int, int> depth_first_month, depth_second_year;
  absl::CivilDay day = absl::ToCivilDay(h_.clock()->Now(), absl::UTCTimeZone());
  for (int i = 0; i < 730; ++i, ++day) {
    absl::StatusOr<v1::Question> q =
        prompt_->GetDailyQuestion(User(i % 2 == 0 ? "alice" : "bob"), [&] {
          v1::GetDailyQuestionRequest r;
          r.set_parent(couple);
          return r;
        }());
    ASSERT_TRUE(q.ok()) << q.status();
    ASSERT_EQ(q->date().day(), day.day());
    const std::string& item = q->catalog_item();
    auto it = last_asked.find(item);
    if (it != last_asked.end()) {
      EXPECT_GE(day - it->second, 180)
          << item << " on " << absl::FormatCivilTime(day) << " and "
          << absl::FormatCivilTime(it->second);
    }
    last_asked[item] = day;
    if (i < 30) ++depth_first_month[q->depth()];
    if (i >= 365) ++depth_second_year[q->depth()];
    // The couple answers six days in seven.
    if (i % 7 != 6) {
      for (const char* user : {"alice", "bob"}) {
        v1::AnswerQuestionRequest answer;
        answer.set_name(q->name());
        answer.set_text("An answer");
        ASSERT_TRUE(prompt_->AnswerQuestion(User(user), answer).ok());
      }
    }
    h_.clock()->Advance(absl::Hours(24));
  }
  // Depth rises gently as they keep answering.
  EXPECT_GT(depth_first_month[v1::DEPTH_LIGHT],
            depth_first_month[v1::DEPTH_DEEP]);
  EXPECT_GT(depth_second_year[v1::DEPTH_DEEP] * 30.0 / 365,
            depth_first_month[v1::DEPTH_DEEP]);
}

TEST_F(PromptIntegrationTest, MissedDaysBringTheDepthBack) {
  const std::string couple = PairAliceAndBob();
  v1::GetDailyQuestionRequest req;
  req.set_parent(couple);
  // Three weeks of both answering...
  for (int i = 0; i < 21; ++i) {
    absl::StatusOr<v1::Question> q =
        prompt_->GetDailyQuestion(User("alice"), req);
    ASSERT_TRUE(q.ok());
    for (const char* user : {"alice", "bob"}) {
      v1::AnswerQuestionRequest answer;
      answer.set_name(q->name());
      answer.set_text("yes");
      ASSERT_TRUE(prompt_->AnswerQuestion(User(user), answer).ok());
    }
    h_.clock()->Advance(absl::Hours(24));
  }
  ASSERT_TRUE(prompt_->GetDailyQuestion(User("alice"), req).ok());
  const std::string depth_key =
      PromptStore::Key(couple.substr(std::string("couples/").size()), "depth");
  auto level = [&] {
    return std::stoi(h_.redis()->Command({"HGET", depth_key, "points"})->str) /
           kPointsPerLevel;
  };
  EXPECT_EQ(level(), kMaxDepthLevel);
  // ...then a week of nobody answering.
  for (int i = 0; i < 7; ++i) {
    h_.clock()->Advance(absl::Hours(24));
    ASSERT_TRUE(prompt_->GetDailyQuestion(User("alice"), req).ok());
  }
  EXPECT_EQ(level(), 0);
}

TEST_F(PromptIntegrationTest, SelectionIsDeterministicForACoupleDayAndState) {
  const std::string couple = PairAliceAndBob();
  v1::Question first;
  ASSERT_TRUE(Daily("alice", couple, &first).ok());
  // Erase the couple's prompt data: the state is back where it was.
  v1::EraseCoupleDataRequest erase;
  erase.set_parent(couple);
  v1::EraseCoupleDataResponse erased;
  ASSERT_TRUE(
      stub_->EraseCoupleData(h_.ServiceContext("pairing").get(), erase, &erased)
          .ok());
  // A second instance of the service, as another replica would be.
  std::unique_ptr<Prompt> other = MakePrompt(nullptr);
  v1::GetDailyQuestionRequest req;
  req.set_parent(couple);
  absl::StatusOr<v1::Question> again =
      other->GetDailyQuestion(User("bob"), req);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->text(), first.text());
  EXPECT_EQ(again->catalog_item(), first.catalog_item());
  // A gesture is the same however often it is asked for that day.
  v1::SuggestGestureRequest gesture;
  gesture.set_parent(couple);
  absl::StatusOr<v1::GestureSuggestion> g1 =
      prompt_->SuggestGesture(User("alice"), gesture);
  absl::StatusOr<v1::GestureSuggestion> g2 =
      other->SuggestGesture(User("alice"), gesture);
  ASSERT_TRUE(g1.ok() && g2.ok());
  EXPECT_EQ(g1->catalog_item().name(), g2->catalog_item().name());
}

TEST_F(PromptIntegrationTest, GesturesSpeakThePartnersLanguages) {
  SetProfile("alice", "Alice", "Europe/London",
             {type::v1::LOVE_LANGUAGE_PHYSICAL_TOUCH,
              type::v1::LOVE_LANGUAGE_WORDS_OF_AFFIRMATION,
              type::v1::LOVE_LANGUAGE_RECEIVING_GIFTS,
              type::v1::LOVE_LANGUAGE_QUALITY_TIME,
              type::v1::LOVE_LANGUAGE_ACTS_OF_SERVICE});
  SetProfile("bob", "Bob", "Europe/Paris",
             {type::v1::LOVE_LANGUAGE_QUALITY_TIME,
              type::v1::LOVE_LANGUAGE_ACTS_OF_SERVICE,
              type::v1::LOVE_LANGUAGE_WORDS_OF_AFFIRMATION,
              type::v1::LOVE_LANGUAGE_RECEIVING_GIFTS,
              type::v1::LOVE_LANGUAGE_PHYSICAL_TOUCH});
  const std::string couple = Pair("alice", "bob");
  std::map<std::string, absl::CivilDay> last;
  absl::CivilDay day = absl::ToCivilDay(h_.clock()->Now(), absl::UTCTimeZone());
  v1::SuggestGestureRequest req;
  req.set_parent(couple);
  for (int i = 0; i < 365; ++i, ++day) {
    // Alice is told what speaks to Bob.
    absl::StatusOr<v1::GestureSuggestion> g =
        prompt_->SuggestGesture(User("alice"), req);
    ASSERT_TRUE(g.ok()) << g.status();
    EXPECT_EQ(g->partner_user_id(), "bob");
    EXPECT_THAT(g->love_language(),
                ::testing::AnyOf(type::v1::LOVE_LANGUAGE_QUALITY_TIME,
                                 type::v1::LOVE_LANGUAGE_ACTS_OF_SERVICE))
        << g->catalog_item().name();
    const std::string& name = g->catalog_item().name();
    if (last.count(name)) {
      EXPECT_GE(day - last[name], 30) << name;
    }
    last[name] = day;
    // Asking again that day gives the same.
    EXPECT_EQ(
        prompt_->SuggestGesture(User("alice"), req)->catalog_item().name(),
        name);
    h_.clock()->Advance(absl::Hours(24));
  }
  // And Bob is told what speaks to Alice: touch first.
  absl::StatusOr<v1::GestureSuggestion> for_alice =
      prompt_->SuggestGesture(User("bob"), req);
  ASSERT_TRUE(for_alice.ok());
  EXPECT_THAT(for_alice->love_language(),
              ::testing::AnyOf(type::v1::LOVE_LANGUAGE_PHYSICAL_TOUCH,
                               type::v1::LOVE_LANGUAGE_WORDS_OF_AFFIRMATION));
}

TEST_F(PromptIntegrationTest, TheCouplesOwnQuestionsJoinTheRotation) {
  const std::string couple = PairAliceAndBob();
  v1::CreateCustomQuestionRequest create;
  create.set_parent(couple);
  create.mutable_custom_question()->set_text("What should we cook this week?");
  create.set_request_id("cq-1");
  v1::CustomQuestion added;
  ASSERT_TRUE(
      stub_->CreateCustomQuestion(h_.ContextFor("bob").get(), create, &added)
          .ok());
  EXPECT_EQ(added.author_user_id(), "bob");
  EXPECT_EQ(added.depth(), v1::DEPTH_MEDIUM);
  EXPECT_EQ(added.practice(), type::v1::PRACTICE_DEEPER_QUESTIONS);
  // The same request again adds nothing (AIP-155).
  v1::CustomQuestion again;
  ASSERT_TRUE(
      stub_->CreateCustomQuestion(h_.ContextFor("bob").get(), create, &again)
          .ok());
  EXPECT_EQ(again.name(), added.name());
  // It is the next question asked.
  v1::Question q;
  ASSERT_TRUE(Daily("alice", couple, &q).ok());
  EXPECT_EQ(q.text(), "What should we cook this week?");
  EXPECT_EQ(q.custom_question(), added.name());
  EXPECT_TRUE(q.catalog_item().empty());
  v1::ListCustomQuestionsRequest list;
  list.set_parent(couple);
  v1::ListCustomQuestionsResponse listed;
  ASSERT_TRUE(
      stub_->ListCustomQuestions(h_.ContextFor("alice").get(), list, &listed)
          .ok());
  ASSERT_EQ(listed.custom_questions_size(), 1);
  EXPECT_TRUE(listed.custom_questions(0).has_last_asked_time());
  // Deleting it takes it out of the rotation; the asked question stays.
  v1::DeleteCustomQuestionRequest del;
  del.set_name(added.name());
  google::protobuf::Empty empty;
  ASSERT_TRUE(
      stub_->DeleteCustomQuestion(h_.ContextFor("alice").get(), del, &empty)
          .ok());
  EXPECT_EQ(
      stub_->DeleteCustomQuestion(h_.ContextFor("alice").get(), del, &empty)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);
  v1::GetQuestionRequest get;
  get.set_name(q.name());
  v1::Question kept;
  ASSERT_TRUE(stub_->GetQuestion(h_.ContextFor("bob").get(), get, &kept).ok());
  EXPECT_EQ(kept.text(), "What should we cook this week?");
}

TEST_F(PromptIntegrationTest, ListsQuestionsNewestFirstPageByPage) {
  const std::string couple = PairAliceAndBob();
  for (int i = 0; i < 5; ++i) {
    v1::Question q;
    ASSERT_TRUE(Daily("alice", couple, &q).ok());
    h_.clock()->Advance(absl::Hours(24));
  }
  v1::ListQuestionsRequest req;
  req.set_parent(couple);
  req.set_page_size(2);
  std::vector<std::string> names;
  do {
    v1::ListQuestionsResponse page;
    ASSERT_TRUE(
        stub_->ListQuestions(h_.ContextFor("bob").get(), req, &page).ok());
    for (const v1::Question& q : page.questions()) names.push_back(q.name());
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty());
  ASSERT_EQ(names.size(), 5u);
  EXPECT_TRUE(std::is_sorted(names.rbegin(), names.rend()));
}

TEST_F(PromptIntegrationTest, OtherCouplesAndStrangersGetNotFound) {
  const std::string couple = PairAliceAndBob();
  SetProfile("carol", "Carol", "Europe/Berlin");
  const std::string other = Pair("carol", "dave");
  v1::Question q;
  ASSERT_TRUE(Daily("alice", couple, &q).ok());
  ASSERT_TRUE(Answer("alice", q.name(), "private words").ok());
  for (const char* outsider : {"carol", "stranger"}) {
    v1::Question out;
    EXPECT_EQ(Daily(outsider, couple, &out).error_code(),
              grpc::StatusCode::NOT_FOUND)
        << outsider;
    v1::GetAnswersRequest get;
    get.set_name(q.name());
    v1::GetAnswersResponse answers;
    grpc::Status s =
        stub_->GetAnswers(h_.ContextFor(outsider).get(), get, &answers);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << outsider;
    EXPECT_THAT(s.error_message(), Not(HasSubstr("private")));
    EXPECT_EQ(Answer(outsider, q.name(), "mine now").error_code(),
              grpc::StatusCode::NOT_FOUND)
        << outsider;
    v1::GetConnectionSummaryRequest summary;
    summary.set_name(couple + "/connectionSummary");
    v1::ConnectionSummary out_summary;
    EXPECT_EQ(stub_
                  ->GetConnectionSummary(h_.ContextFor(outsider).get(), summary,
                                         &out_summary)
                  .error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  // A missing question of one's own couple looks the same as another's.
  v1::GetQuestionRequest missing;
  missing.set_name(other + "/questions/2020-01-01");
  v1::Question out;
  EXPECT_EQ(stub_->GetQuestion(h_.ContextFor("carol").get(), missing, &out)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  // And Alice's answer is untouched.
  EXPECT_EQ(Answers("alice", q.name()).my_answer().text(), "private words");
}

TEST_F(PromptIntegrationTest, BadInputIsInvalidArgumentNamingTheField) {
  const std::string couple = PairAliceAndBob();
  v1::Question q;
  ASSERT_TRUE(Daily("alice", couple, &q).ok());
  struct Case {
    std::string what;
    std::function<grpc::Status()> call;
    std::string field;
  };
  auto alice = [&] { return h_.ContextFor("alice"); };
  const std::vector<Case> cases = {
      {"no parent",
       [&] {
         v1::Question out;
         return Daily("alice", "", &out);
       },
       "parent:"},
      {"malformed parent",
       [&] {
         v1::Question out;
         return Daily("alice", "couples/a b", &out);
       },
       "parent:"},
      {"impossible date",
       [&] {
         v1::Question out;
         type::v1::Date date;
         date.set_year(2026);
         date.set_month(2);
         date.set_day(30);
         return Daily("alice", couple, &out, &date);
       },
       "date: not a calendar date"},
      {"empty answer", [&] { return Answer("alice", q.name(), "  "); },
       "text: must not be empty"},
      {"long answer",
       [&] { return Answer("alice", q.name(), std::string(4001, 'a')); },
       "text: at most 4000"},
      {"answer to a malformed name",
       [&] { return Answer("alice", "questions/x", "hi"); }, "name:"},
      {"bad request id",
       [&] {
         v1::AnswerQuestionRequest req;
         req.set_name(q.name());
         req.set_text("hi");
         req.set_request_id("not ok!");
         v1::Answer out;
         return stub_->AnswerQuestion(alice().get(), req, &out);
       },
       "request_id"},
      {"page size",
       [&] {
         v1::ListQuestionsRequest req;
         req.set_parent(couple);
         req.set_page_size(-1);
         v1::ListQuestionsResponse out;
         return stub_->ListQuestions(alice().get(), req, &out);
       },
       "page_size:"},
      {"page token",
       [&] {
         v1::ListQuestionsRequest req;
         req.set_parent(couple);
         req.set_page_token("garbage");
         v1::ListQuestionsResponse out;
         return stub_->ListQuestions(alice().get(), req, &out);
       },
       "page_token:"},
      {"empty custom question",
       [&] {
         v1::CreateCustomQuestionRequest req;
         req.set_parent(couple);
         v1::CustomQuestion out;
         return stub_->CreateCustomQuestion(alice().get(), req, &out);
       },
       "custom_question.text:"},
      {"gesture kind",
       [&] {
         v1::SuggestGestureRequest req;
         req.set_parent(couple);
         req.set_kind(v1::CATALOG_ITEM_KIND_REPAIR_GUIDE);
         v1::GestureSuggestion out;
         return stub_->SuggestGesture(alice().get(), req, &out);
       },
       "kind:"},
      {"catalog item name",
       [&] {
         v1::GetCatalogItemRequest req;
         req.set_name("items/dq-1");
         v1::CatalogItem out;
         return stub_->GetCatalogItem(alice().get(), req, &out);
       },
       "name:"},
      {"catalog filter",
       [&] {
         v1::ListCatalogItemsRequest req;
         req.set_depth(static_cast<v1::Depth>(9));
         v1::ListCatalogItemsResponse out;
         return stub_->ListCatalogItems(alice().get(), req, &out);
       },
       "depth:"},
      {"quiz answers",
       [&] {
         v1::SubmitQuizAnswersRequest req;
         req.set_quiz(catalog_->quiz().name());
         v1::QuizAnswer* a = req.add_answers();
         a->set_item_id("q01");
         a->set_option_id("c");
         v1::LoveLanguageQuizResult out;
         return stub_->SubmitQuizAnswers(alice().get(), req, &out);
       },
       "answers[0].option_id:"},
      {"check rating",
       [&] {
         v1::SubmitConnectionCheckRequest req;
         req.set_parent(couple);
         req.set_connection_check(catalog_->connection_check().name());
         for (const auto& item : catalog_->connection_check().items()) {
           v1::ConnectionCheckAnswer* a = req.add_answers();
           a->set_item_id(item.id());
           a->set_rating(7);
         }
         v1::ConnectionCheckResult out;
         return stub_->SubmitConnectionCheck(alice().get(), req, &out);
       },
       "answers[0].rating: 1 to 5"},
      {"summary name",
       [&] {
         v1::GetConnectionSummaryRequest req;
         req.set_name(couple);
         v1::ConnectionSummary out;
         return stub_->GetConnectionSummary(alice().get(), req, &out);
       },
       "name:"},
  };
  for (const Case& c : cases) {
    grpc::Status s = c.call();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.what;
    EXPECT_THAT(s.error_message(), HasSubstr(c.field)) << c.what;
  }
  // A retired version is a precondition, not bad input.
  v1::SubmitQuizAnswersRequest old;
  old.set_quiz("loveLanguageQuizzes/v0");
  v1::LoveLanguageQuizResult out;
  EXPECT_EQ(stub_->SubmitQuizAnswers(alice().get(), old, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // Nothing was stored by any of it.
  EXPECT_EQ(Answers("alice", q.name()).has_my_answer(), false);
}

TEST_F(PromptIntegrationTest, TheQuizRanksAndThePartnerMaySaveIt) {
  const std::string couple = PairAliceAndBob();
  v1::LoveLanguageQuiz quiz;
  ASSERT_TRUE(
      stub_->GetLoveLanguageQuiz(h_.ContextFor("bob").get(), {}, &quiz).ok());
  ASSERT_GE(quiz.items_size(), 20);
  // Bob always picks acts of service when offered, else the first option.
  v1::SubmitQuizAnswersRequest submit;
  submit.set_quiz(quiz.name());
  for (const v1::QuizItem& item : quiz.items()) {
    v1::QuizAnswer* a = submit.add_answers();
    a->set_item_id(item.id());
    a->set_option_id(item.options(1).love_language() ==
                             type::v1::LOVE_LANGUAGE_ACTS_OF_SERVICE
                         ? item.options(1).id()
                         : item.options(0).id());
  }
  v1::LoveLanguageQuizResult result;
  ASSERT_TRUE(
      stub_->SubmitQuizAnswers(h_.ContextFor("bob").get(), submit, &result)
          .ok());
  ASSERT_EQ(result.ranking_size(), 5);
  EXPECT_EQ(result.ranking(0), type::v1::LOVE_LANGUAGE_ACTS_OF_SERVICE);
  EXPECT_DOUBLE_EQ(result.scores(0).share(), 1.0);
  EXPECT_TRUE(result.has_submit_time());
  // Saving is Bob's own act in pairing, with his own token (as tendctl does).
  pairing::v1::UpdatePartnerProfileRequest save;
  *save.mutable_profile()->mutable_love_language_ranking() = result.ranking();
  save.mutable_update_mask()->add_paths("love_language_ranking");
  pairing::v1::PartnerProfile profile;
  ASSERT_TRUE(
      pairing_stub_
          ->UpdatePartnerProfile(h_.ContextFor("bob").get(), save, &profile)
          .ok());
  // From then on Alice's gestures speak acts of service first or second.
  v1::SuggestGestureRequest gesture;
  gesture.set_parent(couple);
  gesture.set_kind(v1::CATALOG_ITEM_KIND_LOVE_LANGUAGE_GESTURE);
  v1::GestureSuggestion g;
  ASSERT_TRUE(
      stub_->SuggestGesture(h_.ContextFor("alice").get(), gesture, &g).ok());
  EXPECT_THAT(g.love_language(),
              ::testing::AnyOf(result.ranking(0), result.ranking(1)));
}

TEST_F(PromptIntegrationTest, ReminderQuestionsAreSharedAndRetriesRepeat) {
  const std::string couple = PairAliceAndBob();
  const absl::Time sunday = h_.clock()->Now() + absl::Hours(10);
  // Both partners' reminders for one weekly check-in carry one question.
  absl::StatusOr<type::v1::ReminderContent> for_alice =
      prompt_->GetReminderContent(
          Service(),
          Reminder(couple, "alice", "weekly-check-in", true, sunday, "r1"));
  absl::StatusOr<type::v1::ReminderContent> for_bob =
      prompt_->GetReminderContent(
          Service(),
          Reminder(couple, "bob", "weekly-check-in", true, sunday, "r2"));
  ASSERT_TRUE(for_alice.ok()) << for_alice.status();
  ASSERT_TRUE(for_bob.ok()) << for_bob.status();
  EXPECT_THAT(
      for_alice->question(),
      ::testing::StartsWith(couple + "/questions/ritual-weekly-check-in-"));
  EXPECT_EQ(for_alice->question(), for_bob->question());
  EXPECT_EQ(for_alice->body(), for_alice->question_text());
  EXPECT_EQ(for_alice->listening_guide_size(), 2);
  EXPECT_EQ(for_alice->title(), "A ritual");
  // A retried dispatch gets the very same words.
  absl::StatusOr<type::v1::ReminderContent> retried =
      prompt_->GetReminderContent(
          Service(),
          Reminder(couple, "alice", "weekly-check-in", true, sunday, "r1"));
  EXPECT_EQ(retried->SerializeAsString(), for_alice->SerializeAsString());
  // The question has reveal-after-both like any other.
  ASSERT_TRUE(Answer("alice", for_alice->question(), "Tired, but good").ok());
  EXPECT_EQ(Answers("bob", for_alice->question()).partner_state(),
            v1::PARTNER_ANSWER_STATE_ANSWERED);
  // Gesture, idea and repair reminders take their words from the catalog.
  for (const char* t :
       {"morning-affection", "love-language-act", "something-new",
        "heal-the-past", "date-night", "garden-review", "nightly-feelings"}) {
    absl::StatusOr<type::v1::ReminderContent> c = prompt_->GetReminderContent(
        Service(), Reminder(couple, "bob", t, false, sunday, t));
    ASSERT_TRUE(c.ok()) << t << ": " << c.status();
    EXPECT_FALSE(c->catalog_items().empty()) << t;
    EXPECT_LE(CharCount(c->body()), 500) << t;
    EXPECT_NE(c->body(), "A small moment for the two of you.") << t;
  }
  // Only services may ask, and only about a couple the recipient is in.
  EXPECT_EQ(prompt_
                ->GetReminderContent(
                    User("alice"), Reminder(couple, "alice", "weekly-check-in",
                                            true, sunday, "r1"))
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(prompt_
                ->GetReminderContent(
                    Service(), Reminder(couple, "carol", "weekly-check-in",
                                        true, sunday, "r9"))
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_F(PromptIntegrationTest, AtMostOneGentleNudgeADay) {
  const std::string couple = PairAliceAndBob();
  v1::Question q;
  ASSERT_TRUE(Daily("bob", couple, &q).ok());
  auto content = [&](const std::string& id) {
    absl::StatusOr<type::v1::ReminderContent> c = prompt_->GetReminderContent(
        Service(), Reminder(couple, "alice", "love-language-act", false,
                            h_.clock()->Now() + absl::Hours(3), id));
    EXPECT_TRUE(c.ok()) << c.status();
    return *c;
  };
  // Nobody has answered: no nudge.
  EXPECT_TRUE(content("r0").question().empty());
  ASSERT_TRUE(Answer("bob", q.name(), "Mine is in").ok());
  const type::v1::ReminderContent nudged = content("r1");
  EXPECT_EQ(nudged.question(), q.name());
  EXPECT_THAT(nudged.body(), HasSubstr("Bob has answered today's question"));
  // The same reminder retried still carries it; another one that day not.
  EXPECT_EQ(content("r1").SerializeAsString(), nudged.SerializeAsString());
  EXPECT_TRUE(content("r2").question().empty());
  // The next day brings at most one more.
  h_.clock()->Advance(absl::Hours(24));
  v1::Question next;
  ASSERT_TRUE(Daily("bob", couple, &next).ok());
  ASSERT_TRUE(Answer("bob", next.name(), "Again").ok());
  EXPECT_EQ(content("r3").question(), next.name());
  EXPECT_TRUE(content("r4").question().empty());
  // Once Alice answers, nothing to nudge about.
  ASSERT_TRUE(Answer("alice", next.name(), "Done").ok());
  h_.clock()->Advance(absl::Hours(24));
  EXPECT_TRUE(content("r5").question().empty());
}

TEST_F(PromptIntegrationTest, AnswerTextIsNeverLogged) {
  const std::string couple = PairAliceAndBob();
  v1::Question q;
  ASSERT_TRUE(Daily("alice", couple, &q).ok());
  ::testing::internal::CaptureStderr();
  ASSERT_TRUE(Answer("alice", q.name(), "zebra-sapphire-secret").ok());
  ASSERT_TRUE(Answer("bob", q.name(), "zebra-sapphire-secret-too", true).ok());
  (void)Answer("bob", q.name(), std::string(5000, 'z'));  // rejected
  v1::CreateCustomQuestionRequest create;
  create.set_parent(couple);
  create.mutable_custom_question()->set_text("zebra-sapphire-question");
  v1::CustomQuestion added;
  ASSERT_TRUE(
      stub_->CreateCustomQuestion(h_.ContextFor("bob").get(), create, &added)
          .ok());
  const std::string logs = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(logs, HasSubstr("answer.saved"));
  EXPECT_THAT(logs, Not(HasSubstr("zebra-sapphire")));
}

TEST_F(PromptIntegrationTest, ExportShowsOwnWordsAndErasureRemovesThem) {
  const std::string couple = PairAliceAndBob();
  const std::string couple_id = couple.substr(std::string("couples/").size());
  v1::Question q;
  ASSERT_TRUE(Daily("alice", couple, &q).ok());
  ASSERT_TRUE(Answer("alice", q.name(), "alice's words").ok());
  ASSERT_TRUE(Answer("bob", q.name(), "bob's words").ok());
  v1::ExportUserDataRequest exp;
  exp.set_user_id("alice");
  v1::ExportUserDataResponse exported;
  ASSERT_TRUE(
      stub_->ExportUserData(h_.ServiceContext("pairing").get(), exp, &exported)
          .ok());
  EXPECT_THAT(exported.json(), HasSubstr("alice's words"));
  EXPECT_THAT(exported.json(), Not(HasSubstr("bob's words")));
  EXPECT_FALSE(nlohmann::json::parse(exported.json()).is_discarded());
  // Erasing Alice removes her words; Bob's stay.
  v1::EraseUserDataRequest erase_user;
  erase_user.set_user_id("alice");
  v1::EraseUserDataResponse erased_user;
  ASSERT_TRUE(stub_
                  ->EraseUserData(h_.ServiceContext("pairing").get(),
                                  erase_user, &erased_user)
                  .ok());
  EXPECT_GE(erased_user.erased_records(), 1);
  EXPECT_FALSE(Answers("bob", q.name()).has_partner_answer());
  EXPECT_EQ(Answers("bob", q.name()).my_answer().text(), "bob's words");
  ASSERT_TRUE(
      stub_->ExportUserData(h_.ServiceContext("pairing").get(), exp, &exported)
          .ok());
  EXPECT_THAT(exported.json(), Not(HasSubstr("alice's words")));
  // Erasing the couple leaves none of its keys.
  v1::EraseCoupleDataRequest erase_couple;
  erase_couple.set_parent(couple);
  v1::EraseCoupleDataResponse erased_couple;
  ASSERT_TRUE(stub_
                  ->EraseCoupleData(h_.ServiceContext("pairing").get(),
                                    erase_couple, &erased_couple)
                  .ok());
  EXPECT_GE(erased_couple.erased_records(), 1);
  for (const std::string& key : AllKeys()) {
    if (!absl::StartsWith(key, kKeyPrefix)) continue;  // pairing's own
    EXPECT_THAT(key, Not(HasSubstr(couple_id))) << key;
  }
}

// Every RPC, walked from the descriptor so a new one cannot be forgotten.
class PromptAuthMatrixTest : public PromptIntegrationTest {
 protected:
  grpc::Status Call(const google::protobuf::MethodDescriptor* method,
                    const std::string& authorization) {
    grpc::ClientContext context;
    if (!authorization.empty()) {
      context.AddMetadata("authorization", authorization);
    }
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    return testing::CallGeneric(
        prompt_channel_, &context,
        absl::StrCat("/", method->service()->full_name(), "/", method->name()),
        "");
  }

  const google::protobuf::ServiceDescriptor* Descriptor() {
    return google::protobuf::DescriptorPool::generated_pool()
        ->FindServiceByName("tend.prompt.v1.PromptService");
  }
};

TEST_F(PromptAuthMatrixTest, EveryRpcRejectsMissingAndBadTokens) {
  const absl::Time now = h_.clock()->Now();
  const std::map<std::string, std::string> bad = {
      {"no token", ""},
      {"not bearer", "Basic YWxpY2U6cHc="},
      {"garbage", "Bearer not.a.jwt"},
      {"bad signature",
       ServiceHarness::Bearer("wrong-secret", "alice", now + absl::Hours(1))},
      {"expired", ServiceHarness::Bearer(testing::kTestJwtSecret, "alice",
                                         now - absl::Seconds(1))},
      {"user token claiming a service",
       ServiceHarness::Bearer(testing::kTestJwtSecret, "service:scheduler",
                              now + absl::Hours(1))},
  };
  ASSERT_GE(Descriptor()->method_count(), 21);
  for (int i = 0; i < Descriptor()->method_count(); ++i) {
    for (const auto& [why, authorization] : bad) {
      EXPECT_EQ(Call(Descriptor()->method(i), authorization).error_code(),
                grpc::StatusCode::UNAUTHENTICATED)
          << Descriptor()->method(i)->name() << " with " << why;
    }
  }
}

TEST_F(PromptAuthMatrixTest, StrangersServicesAndPeopleGetWhatTheyShould) {
  const std::string couple = PairAliceAndBob();
  const absl::Time expire = h_.clock()->Now() + absl::Hours(1);
  const std::string stranger =
      ServiceHarness::Bearer(testing::kTestJwtSecret, "stranger", expire);
  const std::string service = ServiceHarness::Bearer(
      testing::kTestServiceSecret, "service:pairing", expire);
  // With an empty request. A new RPC must be added here, or the test fails.
  struct Expected {
    grpc::StatusCode stranger;
    grpc::StatusCode service;
  };
  using C = grpc::StatusCode;
  const std::map<std::string, Expected> expected = {
      {"GetCatalogItem", {C::INVALID_ARGUMENT, C::INVALID_ARGUMENT}},
      {"ListCatalogItems", {C::OK, C::OK}},  // the catalog is public
      {"GetDailyQuestion", {C::INVALID_ARGUMENT, C::PERMISSION_DENIED}},
      {"GetQuestion", {C::INVALID_ARGUMENT, C::PERMISSION_DENIED}},
      {"ListQuestions", {C::INVALID_ARGUMENT, C::PERMISSION_DENIED}},
      {"AnswerQuestion", {C::INVALID_ARGUMENT, C::PERMISSION_DENIED}},
      {"GetAnswers", {C::INVALID_ARGUMENT, C::PERMISSION_DENIED}},
      {"ListJournalEntries", {C::INVALID_ARGUMENT, C::PERMISSION_DENIED}},
      {"CreateCustomQuestion", {C::INVALID_ARGUMENT, C::PERMISSION_DENIED}},
      {"ListCustomQuestions", {C::INVALID_ARGUMENT, C::PERMISSION_DENIED}},
      {"DeleteCustomQuestion", {C::INVALID_ARGUMENT, C::PERMISSION_DENIED}},
      {"SuggestGesture", {C::INVALID_ARGUMENT, C::PERMISSION_DENIED}},
      {"GetReminderContent", {C::PERMISSION_DENIED, C::INVALID_ARGUMENT}},
      {"GetLoveLanguageQuiz", {C::OK, C::OK}},
      {"SubmitQuizAnswers", {C::INVALID_ARGUMENT, C::PERMISSION_DENIED}},
      {"GetConnectionCheck", {C::OK, C::OK}},
      {"SubmitConnectionCheck", {C::INVALID_ARGUMENT, C::PERMISSION_DENIED}},
      {"GetConnectionSummary", {C::INVALID_ARGUMENT, C::PERMISSION_DENIED}},
      {"ExportUserData", {C::PERMISSION_DENIED, C::INVALID_ARGUMENT}},
      {"EraseUserData", {C::PERMISSION_DENIED, C::INVALID_ARGUMENT}},
      {"EraseCoupleData", {C::PERMISSION_DENIED, C::INVALID_ARGUMENT}},
  };
  for (int i = 0; i < Descriptor()->method_count(); ++i) {
    const std::string name = Descriptor()->method(i)->name();
    ASSERT_TRUE(expected.count(name)) << "no expectation for " << name;
    EXPECT_EQ(Call(Descriptor()->method(i), stranger).error_code(),
              expected.at(name).stranger)
        << name << " as a stranger";
    EXPECT_EQ(Call(Descriptor()->method(i), service).error_code(),
              expected.at(name).service)
        << name << " as a service";
  }
  // With well-formed requests, a stranger finds nothing of the couple.
  v1::Question q;
  ASSERT_TRUE(Daily("alice", couple, &q).ok());
  auto as_stranger = [&] { return h_.ContextFor("stranger"); };
  v1::Question out;
  EXPECT_EQ(Daily("stranger", couple, &out).error_code(), C::NOT_FOUND);
  v1::GetQuestionRequest get;
  get.set_name(q.name());
  EXPECT_EQ(stub_->GetQuestion(as_stranger().get(), get, &out).error_code(),
            C::NOT_FOUND);
  v1::ListJournalEntriesRequest journal;
  journal.set_parent(couple);
  v1::ListJournalEntriesResponse entries;
  EXPECT_EQ(stub_->ListJournalEntries(as_stranger().get(), journal, &entries)
                .error_code(),
            C::NOT_FOUND);
  v1::SuggestGestureRequest gesture;
  gesture.set_parent(couple);
  v1::GestureSuggestion g;
  EXPECT_EQ(
      stub_->SuggestGesture(as_stranger().get(), gesture, &g).error_code(),
      C::NOT_FOUND);
  // And a person may not use a service's method on someone else.
  v1::ExportUserDataRequest exp;
  exp.set_user_id("alice");
  v1::ExportUserDataResponse exported;
  EXPECT_EQ(stub_->ExportUserData(h_.ContextFor("bob").get(), exp, &exported)
                .error_code(),
            C::PERMISSION_DENIED);
}

}  // namespace
}  // namespace tend::prompt
