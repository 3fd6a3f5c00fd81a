// Prompt: scope, the catalog, the daily question, answers and the couple's
// own questions. Gestures and reminder content are in prompt_suggest.cc;
// the quiz, the connection check and erasure in prompt_connection.cc.
#include "services/prompt/prompt.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/base/log.h"
#include "engine/base/status_macros.h"
#include "services/prompt/prompt_internal.h"
#include "services/prompt/selection.h"

namespace tend::prompt {
namespace {

using internal::Invalid;
using internal::PageOffset;
using internal::PageSize;
using internal::PageToken;
using internal::RequireUser;
using internal::ToProto;

// A couple's own question weighs this much more than a catalog one, so a
// question they just added comes round soon.
constexpr double kCustomBoost = 3.0;
constexpr int kMaxAnswerChars = 4000;
constexpr int kMaxCustomChars = 500;

absl::Status NotFound(absl::string_view field, absl::string_view name) {
  return absl::NotFoundError(absl::StrCat(field, ": ", name, " not found"));
}

// A person's words: not blank, at most `max` characters.
absl::Status CheckWords(absl::string_view field, absl::string_view text,
                        int max) {
  if (absl::StripAsciiWhitespace(text).empty()) {
    return Invalid(field, "must not be empty");
  }
  if (CharCount(text) > max) {
    return Invalid(field, absl::StrCat("at most ", max, " characters"));
  }
  return absl::OkStatus();
}

bool IsValidDepth(int depth) {
  return v1::Depth_IsValid(depth) && depth != v1::DEPTH_UNSPECIFIED;
}

}  // namespace

Prompt::Prompt(engine::RedisClient* redis, const Catalog* catalog,
               services::CoupleDirectory* couples, SchedulerLink* scheduler,
               const engine::Clock* clock, PromptOptions options)
    : store_(redis),
      request_log_(redis, absl::StrCat(kKeyPrefix, "req:")),
      catalog_(*catalog),
      couples_(couples),
      scheduler_(scheduler),
      clock_(clock),
      options_(options) {}

absl::StatusOr<Prompt::Scope> Prompt::ScopeOfMember(const std::string& user,
                                                    absl::string_view couple_id,
                                                    absl::string_view field) {
  absl::StatusOr<services::CoupleRef> couple = couples_->ForUser(user);
  if (absl::IsNotFound(couple.status())) {
    // Unpaired, or paired with someone else: either way, not theirs.
    return absl::NotFoundError(
        absl::StrCat(field, ": couples/", couple_id, " not found"));
  }
  if (!couple.ok()) return couple.status();
  Scope scope;
  scope.couple = *std::move(couple);
  scope.couple_id =
      std::string(absl::StripPrefix(scope.couple->name(), "couples/"));
  if (!couple_id.empty() && scope.couple_id != couple_id) {
    return absl::NotFoundError(
        absl::StrCat(field, ": couples/", couple_id, " not found"));
  }
  scope.user = user;
  static const pairing::v1::PartnerProfile kNoProfile;
  scope.me = scope.partner_profile = &kNoProfile;
  for (const pairing::v1::Partner& p : scope.couple->partners()) {
    if (p.user_id() == user) {
      scope.me = &p.profile();
    } else {
      scope.partner = p.user_id();
      scope.partner_profile = &p.profile();
    }
  }
  if (!absl::LoadTimeZone(scope.me->time_zone(), &scope.zone)) {
    scope.zone = absl::UTCTimeZone();
  }
  return scope;
}

absl::CivilDay Prompt::Today(const Scope& scope) const {
  return absl::ToCivilDay(clock_->Now(), scope.zone);
}

absl::StatusOr<absl::CivilDay> Prompt::RequestedDay(const Scope& scope,
                                                    const type::v1::Date* date,
                                                    absl::string_view field) {
  const absl::CivilDay today = Today(scope);
  if (date == nullptr) return today;
  const absl::CivilDay day(date->year(), date->month(), date->day());
  if (date->year() < 1 || date->year() > 9999 || day.year() != date->year() ||
      day.month() != date->month() || day.day() != date->day()) {
    return Invalid(field, "not a calendar date");
  }
  if (day > today) {
    return Invalid(
        field,
        absl::StrCat(absl::FormatCivilTime(day), " is after your today, ",
                     absl::FormatCivilTime(today),
                     "; a day's question is not asked early"));
  }
  return day;
}

v1::Question Prompt::ToQuestion(const Scope& scope,
                                const QuestionView& view) const {
  v1::Question question = view.question;
  for (const std::string& user : {scope.user, scope.partner}) {
    auto it = view.answers.find(user);
    if (it != view.answers.end() && !it->second.journal()) {
      question.add_answered_user_ids(user);
    }
  }
  if (view.reveal_time)
    *question.mutable_reveal_time() = ToProto(*view.reveal_time);
  return question;
}

absl::StatusOr<v1::CatalogItem> Prompt::GetCatalogItem(
    const Caller& caller, const v1::GetCatalogItemRequest& req) {
  absl::string_view id = req.name();
  if (!absl::ConsumePrefix(&id, "catalogItems/") || id.empty()) {
    return Invalid("name", "must look like catalogItems/{catalog_item}");
  }
  const v1::CatalogItem* item = catalog_.Find(id);
  if (item == nullptr) return NotFound("name", req.name());
  return *item;
}

absl::StatusOr<v1::ListCatalogItemsResponse> Prompt::ListCatalogItems(
    const Caller& caller, const v1::ListCatalogItemsRequest& req) {
  TEND_ASSIGN_OR_RETURN(const int size, PageSize(req.page_size(), 100, 500));
  TEND_ASSIGN_OR_RETURN(const int offset,
                        PageOffset("catalogItems", req.page_token()));
  if (!v1::CatalogItemKind_IsValid(req.kind())) {
    return Invalid("kind", "not a catalog item kind");
  }
  if (!type::v1::Practice_IsValid(req.practice())) {
    return Invalid("practice", "not a practice");
  }
  if (!v1::Depth_IsValid(req.depth())) return Invalid("depth", "not a depth");
  if (!type::v1::LoveLanguage_IsValid(req.love_language())) {
    return Invalid("love_language", "not a love language");
  }
  if (!req.ritual_template().empty() &&
      !absl::StartsWith(req.ritual_template(), "ritualTemplates/")) {
    return Invalid("ritual_template",
                   "must look like ritualTemplates/{ritual_template}");
  }
  auto matches = [&](const v1::CatalogItem& item) {
    if (req.kind() && item.kind() != req.kind()) return false;
    if (req.practice() && item.practice() != req.practice()) return false;
    if (req.depth() && item.depth() != req.depth()) return false;
    if (req.love_language() && item.love_language() != req.love_language()) {
      return false;
    }
    if (!req.ritual_template().empty() &&
        std::find(item.ritual_templates().begin(),
                  item.ritual_templates().end(),
                  req.ritual_template()) == item.ritual_templates().end()) {
      return false;
    }
    return true;
  };
  v1::ListCatalogItemsResponse response;
  int seen = 0;
  for (const v1::CatalogItem& item : catalog_.items()) {
    if (!matches(item)) continue;
    if (seen++ < offset) continue;
    if (response.catalog_items_size() == size) {
      response.set_next_page_token(PageToken("catalogItems", offset + size));
      break;
    }
    *response.add_catalog_items() = item;
  }
  return response;
}

absl::StatusOr<Prompt::CadenceView> Prompt::CadenceFor(
    const Scope& scope, const std::string& authorization) {
  TEND_ASSIGN_OR_RETURN(auto remembered, store_.LoadCadence(scope.couple_id));
  std::optional<scheduler::v1::Cadence> cadence;
  if (remembered.has_value()) cadence = remembered->first;
  const absl::Time now = clock_->Now();
  const bool stale = !remembered.has_value() ||
                     now - remembered->second >= options_.cadence_refresh;
  if (scheduler_ != nullptr && !authorization.empty() && stale) {
    absl::StatusOr<scheduler::v1::Cadence> fresh =
        scheduler_->GetCadence(scope.couple->name(), authorization);
    if (fresh.ok()) {
      cadence = *fresh;
      TEND_RETURN_IF_ERROR(store_.SaveCadence(scope.couple_id, *fresh, now));
    } else {
      // Selection goes on with what was remembered, or evenly.
      Log(LogLevel::kWarning, "cadence.unavailable",
          {{"couple", scope.couple_id},
           {"code", absl::StatusCodeToString(fresh.status().code())}});
    }
  }
  CadenceView view;
  if (cadence.has_value()) {
    for (int p : cadence->emphasised_practices()) {
      view.emphasis.push_back(static_cast<type::v1::Practice>(p));
    }
    view.low_mood =
        cadence->recent_mood() > 0 && cadence->recent_mood() < kLowMood;
  }
  return view;
}

absl::StatusOr<v1::Question> Prompt::GetDailyQuestion(
    const Caller& caller, const v1::GetDailyQuestionRequest& req) {
  return GetDailyQuestion(caller, req, "");
}

absl::StatusOr<v1::Question> Prompt::GetDailyQuestion(
    const Caller& caller, const v1::GetDailyQuestionRequest& req,
    const std::string& authorization) {
  TEND_RETURN_IF_ERROR(RequireUser(caller));
  TEND_ASSIGN_OR_RETURN(const std::string couple_id,
                        internal::ParseCoupleName("parent", req.parent()));
  TEND_ASSIGN_OR_RETURN(const Scope scope,
                        ScopeOfMember(caller.user_id, couple_id, "parent"));
  TEND_ASSIGN_OR_RETURN(
      const absl::CivilDay day,
      RequestedDay(scope, req.has_date() ? &req.date() : nullptr, "date"));
  const std::string id = absl::FormatCivilTime(day);
  TEND_ASSIGN_OR_RETURN(std::optional<QuestionView> stored,
                        store_.LoadQuestion(couple_id, id));
  if (stored.has_value()) return ToQuestion(scope, *stored);
  // Yesterday may still be asked: the partners' days need not line up.
  if (day < Today(scope) - 1) {
    return absl::NotFoundError(
        absl::StrCat("date: no question was asked on ", id));
  }
  TEND_ASSIGN_OR_RETURN(const QuestionView created,
                        CreateDailyQuestion(scope, day, id, authorization));
  return ToQuestion(scope, created);
}

absl::StatusOr<QuestionView> Prompt::CreateDailyQuestion(
    const Scope& scope, absl::CivilDay day, const std::string& id,
    const std::string& authorization) {
  // Count the days before in: depth rises gently while both answer, and
  // falls back after a day nobody finished (or several days without a
  // question at all).
  TEND_ASSIGN_OR_RETURN(DepthState depth, store_.LoadDepth(scope.couple_id));
  TEND_ASSIGN_OR_RETURN(auto previous,
                        store_.LastDailyBefore(scope.couple_id, day));
  bool depth_changed = false;
  if (previous.has_value() &&
      (!depth.through.has_value() || previous->second > *depth.through)) {
    TEND_ASSIGN_OR_RETURN(
        std::optional<QuestionView> before,
        store_.LoadQuestion(scope.couple_id, previous->first));
    const bool answered = before.has_value() && before->reveal_time.has_value();
    depth = AdvanceDepth(
        depth, answered ? DayOutcome::kAnsweredByBoth : DayOutcome::kMissed);
    if (day - previous->second > 2)
      depth = AdvanceDepth(depth, DayOutcome::kMissed);
    depth.through = previous->second;
    depth_changed = true;
  }
  TEND_ASSIGN_OR_RETURN(const CadenceView cadence,
                        CadenceFor(scope, authorization));
  const SelectionWeights weights =
      WeightsFor(depth.level(), cadence.emphasis, cadence.low_mood);

  std::vector<Candidate> pool;
  const auto& items = catalog_.OfKind(v1::CATALOG_ITEM_KIND_DEEPER_QUESTION);
  for (const v1::CatalogItem* item : items) {
    pool.push_back({std::string(CatalogItemId(*item)), item->practice(),
                    item->depth(), 1.0});
  }
  TEND_ASSIGN_OR_RETURN(std::vector<v1::CustomQuestion> custom,
                        store_.LoadCustom(scope.couple_id));
  for (const v1::CustomQuestion& q : custom) {
    const std::string custom_id(q.name().substr(q.name().rfind('/') + 1));
    pool.push_back({absl::StrCat("custom:", custom_id), q.practice(), q.depth(),
                    kCustomBoost});
  }
  TEND_ASSIGN_OR_RETURN(
      const History history,
      store_.LoadHistory(scope.couple_id, "asked",
                         day - options_.question_no_repeat_days));
  std::optional<size_t> chosen;
  for (size_t i = 0; i < custom.size(); ++i) {
    // A question the couple added and was never asked comes next.
    if (!custom[i].has_last_asked_time()) {
      chosen = items.size() + i;
      break;
    }
  }
  if (!chosen.has_value()) {
    chosen = Pick(pool, history, day, options_.question_no_repeat_days,
                  HistoryRule::kBothWays, weights,
                  StableHash({"daily", scope.couple_id, id}));
  }
  if (!chosen.has_value()) {
    return absl::FailedPreconditionError("catalog: no questions to ask");
  }

  NewQuestion fresh;
  fresh.id = id;
  fresh.day = day;
  fresh.daily = true;
  fresh.history_key = pool[*chosen].key;
  if (depth_changed) fresh.depth = depth;
  v1::Question& q = fresh.question;
  q.set_name(absl::StrCat(scope.couple->name(), "/questions/", id));
  q.set_origin(v1::QUESTION_ORIGIN_DAILY);
  q.set_practice(pool[*chosen].practice);
  q.set_depth(pool[*chosen].depth);
  *q.mutable_date() = internal::ToDate(day);
  *q.mutable_create_time() = ToProto(clock_->Now());
  if (*chosen < items.size()) {
    q.set_text(items[*chosen]->text());
    q.set_catalog_item(items[*chosen]->name());
  } else {
    const v1::CustomQuestion& c = custom[*chosen - items.size()];
    q.set_text(c.text());
    q.set_custom_question(c.name());
    fresh.custom_id = c.name().substr(c.name().rfind('/') + 1);
  }
  TEND_ASSIGN_OR_RETURN(
      QuestionView view,
      store_.CreateQuestion(scope.couple_id, fresh, clock_->Now()));
  Log(LogLevel::kInfo, "question.asked",
      {{"couple", scope.couple_id},
       {"question", id},
       {"item", fresh.history_key},
       {"depth_level", depth.level()}});
  return view;
}

absl::StatusOr<std::pair<Prompt::Scope, QuestionView>> Prompt::QuestionFor(
    const Caller& caller, absl::string_view name) {
  TEND_RETURN_IF_ERROR(RequireUser(caller));
  TEND_ASSIGN_OR_RETURN(auto parts,
                        internal::ParseChildName("name", name, "questions"));
  TEND_ASSIGN_OR_RETURN(Scope scope,
                        ScopeOfMember(caller.user_id, parts.first, "name"));
  TEND_ASSIGN_OR_RETURN(std::optional<QuestionView> view,
                        store_.LoadQuestion(parts.first, parts.second));
  if (!view.has_value()) return NotFound("name", name);
  return std::make_pair(std::move(scope), *std::move(view));
}

absl::StatusOr<v1::Question> Prompt::GetQuestion(
    const Caller& caller, const v1::GetQuestionRequest& req) {
  TEND_ASSIGN_OR_RETURN(const auto found, QuestionFor(caller, req.name()));
  return ToQuestion(found.first, found.second);
}

absl::StatusOr<v1::ListQuestionsResponse> Prompt::ListQuestions(
    const Caller& caller, const v1::ListQuestionsRequest& req) {
  TEND_RETURN_IF_ERROR(RequireUser(caller));
  TEND_ASSIGN_OR_RETURN(const std::string couple_id,
                        internal::ParseCoupleName("parent", req.parent()));
  TEND_ASSIGN_OR_RETURN(const int size, PageSize(req.page_size(), 30, 100));
  TEND_ASSIGN_OR_RETURN(const int offset,
                        PageOffset("questions", req.page_token()));
  TEND_ASSIGN_OR_RETURN(const Scope scope,
                        ScopeOfMember(caller.user_id, couple_id, "parent"));
  TEND_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                        store_.QuestionIds(couple_id, offset, size + 1));
  v1::ListQuestionsResponse response;
  if (static_cast<int>(ids.size()) > size) {
    ids.resize(size);
    response.set_next_page_token(PageToken("questions", offset + size));
  }
  TEND_ASSIGN_OR_RETURN(std::vector<QuestionView> views,
                        store_.LoadQuestions(couple_id, ids));
  for (const QuestionView& view : views) {
    *response.add_questions() = ToQuestion(scope, view);
  }
  return response;
}

absl::StatusOr<v1::Answer> Prompt::AnswerQuestion(
    const Caller& caller, const v1::AnswerQuestionRequest& req) {
  TEND_RETURN_IF_ERROR(RequireUser(caller));
  TEND_ASSIGN_OR_RETURN(
      auto parts, internal::ParseChildName("name", req.name(), "questions"));
  TEND_RETURN_IF_ERROR(CheckWords("text", req.text(), kMaxAnswerChars));
  return request_log_.Once<v1::Answer>(
      caller, "AnswerQuestion", req.request_id(),
      [&]() -> absl::StatusOr<v1::Answer> {
        TEND_ASSIGN_OR_RETURN(auto found, QuestionFor(caller, req.name()));
        const Scope& scope = found.first;
        const QuestionView* view = &found.second;
        if (view->reveal_time.has_value()) {
          return absl::FailedPreconditionError(
              "name: both answers are revealed; an answer cannot change "
              "after that");
        }
        const absl::Time now = clock_->Now();
        v1::Answer answer;
        answer.set_name(absl::StrCat(req.name(), "/answers/", scope.user));
        answer.set_author_user_id(scope.user);
        answer.set_text(req.text());
        answer.set_journal(req.journal());
        auto earlier = view->answers.find(scope.user);
        *answer.mutable_create_time() = earlier != view->answers.end()
                                            ? earlier->second.create_time()
                                            : ToProto(now);
        *answer.mutable_update_time() = ToProto(now);
        TEND_RETURN_IF_ERROR(store_.NoteMember(scope.couple_id, scope.user));
        TEND_ASSIGN_OR_RETURN(
            const bool revealed,
            store_.SaveAnswer(scope.couple_id, parts.second, scope.user,
                              scope.partner, answer, now));
        // Never the text: only that something was written.
        Log(LogLevel::kInfo, "answer.saved",
            {{"couple", scope.couple_id},
             {"question", parts.second},
             {"user", scope.user},
             {"journal", req.journal()},
             {"revealed", revealed}});
        answer.set_question_text(view->question.text());
        return answer;
      });
}

absl::StatusOr<v1::GetAnswersResponse> Prompt::GetAnswers(
    const Caller& caller, const v1::GetAnswersRequest& req) {
  TEND_ASSIGN_OR_RETURN(const auto found, QuestionFor(caller, req.name()));
  const Scope& scope = found.first;
  const QuestionView* view = &found.second;
  v1::GetAnswersResponse response;
  *response.mutable_question() = ToQuestion(scope, *view);
  auto mine = view->answers.find(scope.user);
  if (mine != view->answers.end()) {
    *response.mutable_my_answer() = mine->second;
    response.mutable_my_answer()->set_question_text(view->question.text());
  }
  auto theirs = view->answers.find(scope.partner);
  if (view->reveal_time.has_value()) {
    response.set_partner_state(v1::PARTNER_ANSWER_STATE_REVEALED);
    if (theirs != view->answers.end() && !theirs->second.journal()) {
      *response.mutable_partner_answer() = theirs->second;
      response.mutable_partner_answer()->set_question_text(
          view->question.text());
    }
  } else if (theirs != view->answers.end() && !theirs->second.journal()) {
    response.set_partner_state(v1::PARTNER_ANSWER_STATE_ANSWERED);
  } else {
    // A journal entry looks exactly like no answer.
    response.set_partner_state(v1::PARTNER_ANSWER_STATE_NOT_ANSWERED);
  }
  return response;
}

absl::StatusOr<v1::ListJournalEntriesResponse> Prompt::ListJournalEntries(
    const Caller& caller, const v1::ListJournalEntriesRequest& req) {
  TEND_RETURN_IF_ERROR(RequireUser(caller));
  TEND_ASSIGN_OR_RETURN(const std::string couple_id,
                        internal::ParseCoupleName("parent", req.parent()));
  TEND_ASSIGN_OR_RETURN(const int size, PageSize(req.page_size(), 30, 100));
  TEND_ASSIGN_OR_RETURN(const int offset,
                        PageOffset("journal", req.page_token()));
  TEND_ASSIGN_OR_RETURN(const Scope scope,
                        ScopeOfMember(caller.user_id, couple_id, "parent"));
  TEND_ASSIGN_OR_RETURN(
      std::vector<std::string> ids,
      store_.JournalIds(couple_id, scope.user, offset, size + 1));
  v1::ListJournalEntriesResponse response;
  if (static_cast<int>(ids.size()) > size) {
    ids.resize(size);
    response.set_next_page_token(PageToken("journal", offset + size));
  }
  TEND_ASSIGN_OR_RETURN(std::vector<QuestionView> views,
                        store_.LoadQuestions(couple_id, ids));
  for (const QuestionView& view : views) {
    auto mine = view.answers.find(scope.user);
    if (mine == view.answers.end() || !mine->second.journal()) continue;
    v1::Answer* entry = response.add_answers();
    *entry = mine->second;
    entry->set_question_text(view.question.text());
  }
  return response;
}

absl::StatusOr<v1::CustomQuestion> Prompt::CreateCustomQuestion(
    const Caller& caller, const v1::CreateCustomQuestionRequest& req) {
  TEND_RETURN_IF_ERROR(RequireUser(caller));
  TEND_ASSIGN_OR_RETURN(const std::string couple_id,
                        internal::ParseCoupleName("parent", req.parent()));
  const v1::CustomQuestion& in = req.custom_question();
  TEND_RETURN_IF_ERROR(
      CheckWords("custom_question.text", in.text(), kMaxCustomChars));
  if (in.depth() != v1::DEPTH_UNSPECIFIED && !IsValidDepth(in.depth())) {
    return Invalid("custom_question.depth", "not a depth");
  }
  if (!type::v1::Practice_IsValid(in.practice())) {
    return Invalid("custom_question.practice", "not a practice");
  }
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  TEND_ASSIGN_OR_RETURN(const Scope scope,
                        ScopeOfMember(caller.user_id, couple_id, "parent"));
  return request_log_.Once<v1::CustomQuestion>(
      caller, "CreateCustomQuestion", req.request_id(),
      [&]() -> absl::StatusOr<v1::CustomQuestion> {
        TEND_ASSIGN_OR_RETURN(const std::string id,
                              store_.NextCustomId(couple_id));
        v1::CustomQuestion question;
        question.set_name(
            absl::StrCat(scope.couple->name(), "/customQuestions/", id));
        question.set_text(std::string(absl::StripAsciiWhitespace(in.text())));
        question.set_depth(in.depth() == v1::DEPTH_UNSPECIFIED
                               ? v1::DEPTH_MEDIUM
                               : in.depth());
        question.set_practice(in.practice() == type::v1::PRACTICE_UNSPECIFIED
                                  ? type::v1::PRACTICE_DEEPER_QUESTIONS
                                  : in.practice());
        question.set_author_user_id(scope.user);
        *question.mutable_create_time() = ToProto(clock_->Now());
        TEND_RETURN_IF_ERROR(store_.NoteMember(couple_id, scope.user));
        TEND_RETURN_IF_ERROR(store_.SaveCustom(couple_id, id, question,
                                               options_.max_custom_questions));
        Log(LogLevel::kInfo, "custom_question.added",
            {{"couple", couple_id}, {"user", scope.user}, {"id", id}});
        return question;
      });
}

absl::StatusOr<v1::ListCustomQuestionsResponse> Prompt::ListCustomQuestions(
    const Caller& caller, const v1::ListCustomQuestionsRequest& req) {
  TEND_RETURN_IF_ERROR(RequireUser(caller));
  TEND_ASSIGN_OR_RETURN(const std::string couple_id,
                        internal::ParseCoupleName("parent", req.parent()));
  TEND_ASSIGN_OR_RETURN(const int size, PageSize(req.page_size(), 50, 100));
  TEND_ASSIGN_OR_RETURN(const int offset,
                        PageOffset("customQuestions", req.page_token()));
  TEND_RETURN_IF_ERROR(
      ScopeOfMember(caller.user_id, couple_id, "parent").status());
  TEND_ASSIGN_OR_RETURN(std::vector<v1::CustomQuestion> all,
                        store_.LoadCustom(couple_id));
  v1::ListCustomQuestionsResponse response;
  for (int i = offset; i < static_cast<int>(all.size()); ++i) {
    if (response.custom_questions_size() == size) {
      response.set_next_page_token(PageToken("customQuestions", i));
      break;
    }
    *response.add_custom_questions() = all[i];
  }
  return response;
}

absl::StatusOr<google::protobuf::Empty> Prompt::DeleteCustomQuestion(
    const Caller& caller, const v1::DeleteCustomQuestionRequest& req) {
  TEND_RETURN_IF_ERROR(RequireUser(caller));
  TEND_ASSIGN_OR_RETURN(auto parts, internal::ParseChildName(
                                        "name", req.name(), "customQuestions"));
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  TEND_RETURN_IF_ERROR(
      ScopeOfMember(caller.user_id, parts.first, "name").status());
  return request_log_.Once<google::protobuf::Empty>(
      caller, "DeleteCustomQuestion", req.request_id(),
      [&]() -> absl::StatusOr<google::protobuf::Empty> {
        TEND_ASSIGN_OR_RETURN(const bool deleted,
                              store_.DeleteCustom(parts.first, parts.second));
        if (!deleted) return NotFound("name", req.name());
        return google::protobuf::Empty();
      });
}

}  // namespace tend::prompt
