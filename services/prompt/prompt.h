// Prompt: the prompt service's business logic, without gRPC.
//
// Each method takes the authenticated caller and the request and returns
// the response or a Status whose message names the field and the rule.
// A couple's resources are visible to its two members only; anyone else,
// whether unpaired or in another couple, is answered NOT_FOUND, so a
// couple's existence never leaks. Service-to-service methods need a
// service token (PERMISSION_DENIED otherwise), and person-to-person methods
// refuse service tokens. Answer text, journal entries and check ratings are
// never logged.
//
// Tests build it over a Redis, the embedded catalog, a CoupleDirectory and
// a FakeClock, with no server at all; PromptServiceImpl is the thin gRPC
// layer on top.
//
//   Prompt prompt(&redis, catalog.get(), &couples, &scheduler, &clock, {});
//   absl::StatusOr<v1::Question> q = prompt.GetDailyQuestion(alice, request);
#ifndef TEND_SERVICES_PROMPT_PROMPT_H_
#define TEND_SERVICES_PROMPT_PROMPT_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/redis/redis_client.h"
#include "engine/time/clock.h"
#include "google/protobuf/empty.pb.h"
#include "services/common/auth.h"
#include "services/common/couple_directory.h"
#include "services/common/request_log.h"
#include "services/prompt/catalog.h"
#include "services/prompt/peers.h"
#include "services/prompt/prompt_store.h"
#include "services/prompt/selection.h"
#include "tend/prompt/v1/prompt.pb.h"

namespace tend::prompt {

using services::Caller;

// PromptOptions
//
// The service's rules, with the product's defaults.
struct PromptOptions {
  // A daily question does not come back to a couple within this many days.
  int question_no_repeat_days = 180;
  // A gesture does not come back to a person within this many days.
  int gesture_no_repeat_days = 30;
  // An idea, starter or repair guide does not come back to a couple within
  // this many days.
  int idea_no_repeat_days = 90;
  // How old the remembered cadence may be before a person's call reads it
  // again from the scheduler.
  absl::Duration cadence_refresh = absl::Hours(6);
  // How long a connection-check period waits for the second partner.
  absl::Duration check_window = absl::Hours(24 * 14);
  // How often the connection check comes round.
  absl::Duration check_interval = absl::Hours(24 * 28);
  // How many questions of their own a couple may keep in rotation.
  int max_custom_questions = 100;
};

// Prompt
//
// Thread-safe.
class Prompt {
 public:
  // `scheduler` may be null: cadence then comes from what was remembered,
  // and couple scores wait in the outbox. Everything else must outlive it.
  Prompt(engine::RedisClient* redis, const Catalog* catalog,
         services::CoupleDirectory* couples, SchedulerLink* scheduler,
         const engine::Clock* clock, PromptOptions options);

  // The catalog.
  absl::StatusOr<v1::CatalogItem> GetCatalogItem(
      const Caller& caller, const v1::GetCatalogItemRequest& req);
  absl::StatusOr<v1::ListCatalogItemsResponse> ListCatalogItems(
      const Caller& caller, const v1::ListCatalogItemsRequest& req);

  // Questions and answers.
  absl::StatusOr<v1::Question> GetDailyQuestion(
      const Caller& caller, const v1::GetDailyQuestionRequest& req);
  // The same, with the caller's own "Bearer …" authorization, with which
  // the couple's cadence is read from the scheduler when the remembered one
  // is older than `cadence_refresh`.
  absl::StatusOr<v1::Question> GetDailyQuestion(
      const Caller& caller, const v1::GetDailyQuestionRequest& req,
      const std::string& authorization);
  absl::StatusOr<v1::Question> GetQuestion(const Caller& caller,
                                           const v1::GetQuestionRequest& req);
  absl::StatusOr<v1::ListQuestionsResponse> ListQuestions(
      const Caller& caller, const v1::ListQuestionsRequest& req);
  absl::StatusOr<v1::Answer> AnswerQuestion(
      const Caller& caller, const v1::AnswerQuestionRequest& req);
  absl::StatusOr<v1::GetAnswersResponse> GetAnswers(
      const Caller& caller, const v1::GetAnswersRequest& req);
  absl::StatusOr<v1::ListJournalEntriesResponse> ListJournalEntries(
      const Caller& caller, const v1::ListJournalEntriesRequest& req);
  absl::StatusOr<v1::CustomQuestion> CreateCustomQuestion(
      const Caller& caller, const v1::CreateCustomQuestionRequest& req);
  absl::StatusOr<v1::ListCustomQuestionsResponse> ListCustomQuestions(
      const Caller& caller, const v1::ListCustomQuestionsRequest& req);
  absl::StatusOr<google::protobuf::Empty> DeleteCustomQuestion(
      const Caller& caller, const v1::DeleteCustomQuestionRequest& req);

  // Gestures and reminder content.
  absl::StatusOr<v1::GestureSuggestion> SuggestGesture(
      const Caller& caller, const v1::SuggestGestureRequest& req);
  // Service callers only.
  absl::StatusOr<type::v1::ReminderContent> GetReminderContent(
      const Caller& caller, const v1::GetReminderContentRequest& req);

  // The love-language quiz and the connection check.
  absl::StatusOr<v1::LoveLanguageQuiz> GetLoveLanguageQuiz(
      const Caller& caller, const v1::GetLoveLanguageQuizRequest& req);
  absl::StatusOr<v1::LoveLanguageQuizResult> SubmitQuizAnswers(
      const Caller& caller, const v1::SubmitQuizAnswersRequest& req);
  absl::StatusOr<v1::ConnectionCheck> GetConnectionCheck(
      const Caller& caller, const v1::GetConnectionCheckRequest& req);
  absl::StatusOr<v1::ConnectionCheckResult> SubmitConnectionCheck(
      const Caller& caller, const v1::SubmitConnectionCheckRequest& req);
  absl::StatusOr<v1::ConnectionSummary> GetConnectionSummary(
      const Caller& caller, const v1::GetConnectionSummaryRequest& req);

  // Export and erasure; service callers only.
  absl::StatusOr<v1::ExportUserDataResponse> ExportUserData(
      const Caller& caller, const v1::ExportUserDataRequest& req);
  absl::StatusOr<v1::EraseUserDataResponse> EraseUserData(
      const Caller& caller, const v1::EraseUserDataRequest& req);
  absl::StatusOr<v1::EraseCoupleDataResponse> EraseCoupleData(
      const Caller& caller, const v1::EraseCoupleDataRequest& req);

  // RelayPendingScores()
  //
  // Sends the scheduler every couple score it has not yet acknowledged.
  // The server calls it periodically, so a score completed while the
  // scheduler was away still arrives; tests call it directly. Returns how
  // many were delivered.
  absl::StatusOr<int> RelayPendingScores();

 private:
  // The couple a call is about, seen from one of its members.
  struct Scope {
    services::CoupleRef couple;
    std::string couple_id;
    std::string user;
    std::string partner;
    // Both point into `couple`.
    const pairing::v1::PartnerProfile* me = nullptr;
    const pairing::v1::PartnerProfile* partner_profile = nullptr;
    absl::TimeZone zone;
  };
  // What the cadence says about a couple now.
  struct CadenceView {
    std::vector<type::v1::Practice> emphasis;
    bool low_mood = false;
  };

  // `user`'s couple, seen from `user`; NOT_FOUND (naming `field`) unless
  // it is `couple_id`, so a stranger learns nothing.
  absl::StatusOr<Scope> ScopeOfMember(const std::string& user,
                                      absl::string_view couple_id,
                                      absl::string_view field);
  // The day a request names on the caller's calendar, today when unset.
  // Never after today.
  absl::StatusOr<absl::CivilDay> RequestedDay(const Scope& scope,
                                              const type::v1::Date* date,
                                              absl::string_view field);
  absl::CivilDay Today(const Scope& scope) const;

  v1::Question ToQuestion(const Scope& scope, const QuestionView& view) const;
  // The caller's couple and one of its questions, named by `name`;
  // NOT_FOUND for another couple's or a missing one.
  absl::StatusOr<std::pair<Scope, QuestionView>> QuestionFor(
      const Caller& caller, absl::string_view name);
  absl::StatusOr<QuestionView> CreateDailyQuestion(
      const Scope& scope, absl::CivilDay day, const std::string& id,
      const std::string& authorization);
  absl::StatusOr<QuestionView> ReminderQuestion(
      const Scope& scope, const v1::GetReminderContentRequest& req,
      v1::CatalogItemKind kind, type::v1::Practice practice,
      absl::CivilDay day);
  absl::StatusOr<CadenceView> CadenceFor(const Scope& scope,
                                         const std::string& authorization);
  // A gesture for `scope.user` to make, in `scope.partner`'s languages;
  // records the choice.
  absl::StatusOr<const v1::CatalogItem*> ChooseGesture(
      const Scope& scope, absl::CivilDay day, v1::CatalogItemKind kind);
  // Picks from `pool` by the couple's depth and remembered cadence, against
  // the couple's history of what was asked and offered.
  absl::StatusOr<std::optional<size_t>> PickForCouple(
      const Scope& scope, const std::vector<Candidate>& pool,
      absl::CivilDay day, int window_days, HistoryRule rule, uint64_t seed);
  // An idea, starter or guide for the couple; records the choice.
  absl::StatusOr<const v1::CatalogItem*> ChooseIdea(
      const Scope& scope, v1::CatalogItemKind kind, type::v1::Practice practice,
      const std::string& ritual_template, absl::CivilDay day,
      absl::string_view seed);
  std::vector<const v1::CatalogItem*> ListeningGuide(
      const std::string& ritual_template, int count, uint64_t seed) const;
  // Adds the day's question with a gentle nudge when the partner has
  // answered it and the recipient has not; at most once a day.
  absl::Status MaybeNudge(const Scope& scope, absl::CivilDay day,
                          const std::string& reminder_id,
                          type::v1::ReminderContent* content);
  // Sends the couple's pending score to the scheduler, if any.
  absl::StatusOr<bool> DeliverScore(const std::string& couple_id);

  PromptStore store_;
  services::RequestLog request_log_;
  const Catalog& catalog_;
  services::CoupleDirectory* const couples_;
  SchedulerLink* const scheduler_;
  const engine::Clock* const clock_;
  const PromptOptions options_;
};

}  // namespace tend::prompt

#endif  // TEND_SERVICES_PROMPT_PROMPT_H_
