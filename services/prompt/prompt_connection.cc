// Prompt: the love-language quiz, the private connection check with its
// couple score for the scheduler, and export and erasure.
//
// The connection check comes round every `check_interval`. A period opens
// with the first partner's answers and waits `check_window` for the
// second's; when both have answered, the couple score (scoring.h) is
// stored and sent to the scheduler's RecordConnectionScore. Neither the
// ratings nor a partner's own score ever leave the service: the partner
// sees only the couple summary. A score the scheduler could not take stays
// pending and RelayPendingScores() sends it later.
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/base/log.h"
#include "engine/base/status_macros.h"
#include "google/protobuf/util/json_util.h"
#include "services/prompt/prompt.h"
#include "services/prompt/prompt_internal.h"
#include "services/prompt/scoring.h"

namespace tend::prompt {
namespace {

using internal::Invalid;
using internal::RequireService;
using internal::RequireUser;
using internal::ToProto;

constexpr int kSummaryHistory = 12;

// A request naming another version of the quiz or check than the one
// served: retired when it looks like one, malformed otherwise.
absl::Status CheckVersion(absl::string_view field, absl::string_view asked,
                          absl::string_view current,
                          absl::string_view collection) {
  if (asked == current) return absl::OkStatus();
  if (absl::StartsWith(asked, collection) && asked.size() > collection.size()) {
    return absl::FailedPreconditionError(absl::StrCat(
        field, ": ", asked, " is retired; answer ", current, " instead"));
  }
  return Invalid(field, absl::StrCat("must be ", current));
}

CheckScore ToCheckScore(const CheckEntry& entry) {
  CheckScore score;
  score.score = entry.score;
  for (const auto& [sign, value] : entry.signs) {
    v1::SignScore& s = score.signs.emplace_back();
    s.set_sign(static_cast<v1::DisconnectionSign>(sign));
    s.set_score(value);
  }
  return score;
}

}  // namespace

absl::StatusOr<v1::LoveLanguageQuiz> Prompt::GetLoveLanguageQuiz(
    const Caller& caller, const v1::GetLoveLanguageQuizRequest& req) {
  return catalog_.quiz();
}

absl::StatusOr<v1::LoveLanguageQuizResult> Prompt::SubmitQuizAnswers(
    const Caller& caller, const v1::SubmitQuizAnswersRequest& req) {
  TEND_RETURN_IF_ERROR(RequireUser(caller));
  TEND_RETURN_IF_ERROR(CheckVersion("quiz", req.quiz(), catalog_.quiz().name(),
                                    "loveLanguageQuizzes/"));
  TEND_ASSIGN_OR_RETURN(v1::LoveLanguageQuizResult result,
                        ScoreQuiz(catalog_.quiz(), req.answers()));
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  return request_log_.Once<v1::LoveLanguageQuizResult>(
      caller, "SubmitQuizAnswers", req.request_id(),
      [&]() -> absl::StatusOr<v1::LoveLanguageQuizResult> {
        const absl::Time now = clock_->Now();
        *result.mutable_submit_time() = ToProto(now);
        nlohmann::json picks = nlohmann::json::object();
        for (const v1::QuizAnswer& a : req.answers()) {
          picks[a.item_id()] = a.option_id();
        }
        std::string json;
        (void)google::protobuf::util::MessageToJsonString(result, &json);
        TEND_RETURN_IF_ERROR(store_.SaveQuiz(
            caller.user_id,
            {{"quiz", req.quiz()},
             {"answers", picks},
             {"result", nlohmann::json::parse(json, nullptr, false)}}));
        Log(LogLevel::kInfo, "quiz.scored", {{"user", caller.user_id}});
        return result;
      });
}

absl::StatusOr<v1::ConnectionCheck> Prompt::GetConnectionCheck(
    const Caller& caller, const v1::GetConnectionCheckRequest& req) {
  return catalog_.connection_check();
}

absl::StatusOr<v1::ConnectionCheckResult> Prompt::SubmitConnectionCheck(
    const Caller& caller, const v1::SubmitConnectionCheckRequest& req) {
  TEND_RETURN_IF_ERROR(RequireUser(caller));
  TEND_ASSIGN_OR_RETURN(const std::string couple_id,
                        internal::ParseCoupleName("parent", req.parent()));
  TEND_RETURN_IF_ERROR(CheckVersion("connection_check", req.connection_check(),
                                    catalog_.connection_check().name(),
                                    "connectionChecks/"));
  TEND_ASSIGN_OR_RETURN(const CheckScore mine,
                        ScoreCheck(catalog_.connection_check(), req.answers()));
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  TEND_ASSIGN_OR_RETURN(const Scope scope,
                        ScopeOfMember(caller.user_id, couple_id, "parent"));
  return request_log_.Once<v1::ConnectionCheckResult>(
      caller, "SubmitConnectionCheck", req.request_id(),
      [&]() -> absl::StatusOr<v1::ConnectionCheckResult> {
        const absl::Time now = clock_->Now();
        CheckEntry entry;
        entry.submit_time = now;
        entry.score = mine.score;
        for (const v1::SignScore& s : mine.signs) {
          entry.signs.emplace_back(s.sign(), s.score());
        }
        for (const v1::ConnectionCheckAnswer& a : req.answers()) {
          entry.answers.emplace_back(a.item_id(), a.rating());
        }
        TEND_RETURN_IF_ERROR(store_.NoteMember(couple_id, scope.user));
        TEND_ASSIGN_OR_RETURN(
            const CheckSubmission submission,
            store_.SubmitCheck(couple_id, scope.user, scope.partner, entry,
                               options_.check_window, options_.check_interval));
        bool completed = false;
        if (submission.partner.has_value()) {
          const CheckScore theirs = ToCheckScore(*submission.partner);
          std::vector<int> focus;
          for (v1::DisconnectionSign s : FocusSigns(mine, theirs)) {
            focus.push_back(s);
          }
          TEND_ASSIGN_OR_RETURN(
              completed,
              store_.CompleteCheck(couple_id, submission.open_time,
                                   CoupleScore(mine.score, theirs.score), focus,
                                   now));
        }
        // Neither the ratings nor the person's own score: only that it
        // happened.
        Log(LogLevel::kInfo, "connection_check.submitted",
            {{"couple", couple_id},
             {"user", scope.user},
             {"completed", completed}});
        if (completed) {
          absl::StatusOr<bool> sent = DeliverScore(couple_id);
          if (!sent.ok()) {
            // It stays pending; the relay tries again.
            Log(LogLevel::kWarning, "connection_score.deferred",
                {{"couple", couple_id},
                 {"code", absl::StatusCodeToString(sent.status().code())}});
          }
        }
        v1::ConnectionCheckResult result;
        result.set_score(mine.score);
        for (const v1::SignScore& s : mine.signs) *result.add_sign_scores() = s;
        *result.mutable_submit_time() = ToProto(now);
        result.set_couple_score_updated(completed);
        *result.mutable_next_check_time() =
            ToProto(submission.open_time + options_.check_interval);
        return result;
      });
}

absl::StatusOr<v1::ConnectionSummary> Prompt::GetConnectionSummary(
    const Caller& caller, const v1::GetConnectionSummaryRequest& req) {
  TEND_RETURN_IF_ERROR(RequireUser(caller));
  absl::string_view couple_name = req.name();
  if (!absl::ConsumeSuffix(&couple_name, "/connectionSummary")) {
    return Invalid("name", "must look like couples/{couple}/connectionSummary");
  }
  TEND_ASSIGN_OR_RETURN(const std::string couple_id,
                        internal::ParseCoupleName("name", couple_name));
  TEND_ASSIGN_OR_RETURN(const Scope scope,
                        ScopeOfMember(caller.user_id, couple_id, "name"));
  TEND_ASSIGN_OR_RETURN(const CheckPeriod period,
                        store_.LoadCheckPeriod(couple_id));
  if (period.pending_time.has_value()) {
    TEND_RETURN_IF_ERROR(store_.QueueScore(couple_id, *period.pending_time));
  }
  TEND_ASSIGN_OR_RETURN(const auto scores,
                        store_.CoupleScores(couple_id, kSummaryHistory + 1));
  const absl::Time now = clock_->Now();
  v1::ConnectionSummary summary;
  summary.set_name(req.name());
  std::vector<int> values;
  for (const auto& [time, score] : scores) values.push_back(score);
  if (!scores.empty()) {
    summary.set_score(scores.front().second);
    *summary.mutable_measure_time() = ToProto(scores.front().first);
    for (size_t i = 1; i < scores.size(); ++i) {
      v1::ConnectionScorePoint* point = summary.add_history();
      point->set_score(scores[i].second);
      *point->mutable_measure_time() = ToProto(scores[i].first);
    }
  }
  summary.set_trend(TrendOf(values));
  summary.set_counselling_suggested(CounsellingSuggested(values));
  for (int sign : period.focus) {
    summary.add_focus_signs(static_cast<v1::DisconnectionSign>(sign));
  }
  int submitted = 0;
  absl::Time next = now;  // due now, unless a completed period says later
  if (period.open_time.has_value()) {
    if (period.done_time.has_value()) {
      next = *period.open_time + options_.check_interval;
      if (now < next) submitted = 2;
    } else if (now < *period.open_time + options_.check_window) {
      for (const std::string& user : {scope.user, scope.partner}) {
        TEND_ASSIGN_OR_RETURN(std::optional<CheckEntry> entry,
                              store_.LoadCheckEntry(couple_id, user));
        if (entry.has_value() && entry->submit_time >= *period.open_time) {
          ++submitted;
        }
      }
    }
  }
  summary.set_partners_submitted(submitted);
  *summary.mutable_next_check_time() = ToProto(next);
  return summary;
}

absl::StatusOr<bool> Prompt::DeliverScore(const std::string& couple_id) {
  TEND_ASSIGN_OR_RETURN(const CheckPeriod period,
                        store_.LoadCheckPeriod(couple_id));
  if (!period.pending_time.has_value()) {
    TEND_RETURN_IF_ERROR(
        store_.ScoreDelivered(couple_id, absl::InfinitePast()));
    return false;
  }
  if (scheduler_ == nullptr) {
    return absl::UnavailableError("scheduler: --scheduler_addr is not set");
  }
  scheduler::v1::RecordConnectionScoreRequest request;
  request.set_parent(absl::StrCat("couples/", couple_id));
  request.set_score(period.score);
  *request.mutable_measure_time() = ToProto(*period.pending_time);
  // Derived from the check, so a resend records one signal.
  request.set_request_id(
      absl::StrCat("check-", absl::ToUnixMicros(*period.pending_time)));
  absl::StatusOr<scheduler::v1::Cadence> cadence =
      scheduler_->RecordConnectionScore(request);
  if (!cadence.ok()) {
    const absl::Status& s = cadence.status();
    if (absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s) ||
        absl::IsResourceExhausted(s) || absl::IsInternal(s) ||
        absl::IsUnknown(s) || absl::IsAborted(s)) {
      return s;  // worth another try
    }
    // The scheduler will never take it (e.g. the couple has no schedule):
    // the summary keeps the score; the signal is dropped.
    Log(LogLevel::kWarning, "connection_score.dropped",
        {{"couple", couple_id}, {"code", absl::StatusCodeToString(s.code())}});
    TEND_RETURN_IF_ERROR(
        store_.ScoreDelivered(couple_id, *period.pending_time));
    return false;
  }
  TEND_RETURN_IF_ERROR(store_.ScoreDelivered(couple_id, *period.pending_time));
  // The answer is the cadence after the signal: the freshest there is.
  TEND_RETURN_IF_ERROR(store_.SaveCadence(couple_id, *cadence, clock_->Now()));
  Log(LogLevel::kInfo, "connection_score.sent", {{"couple", couple_id}});
  return true;
}

absl::StatusOr<int> Prompt::RelayPendingScores() {
  TEND_ASSIGN_OR_RETURN(const std::vector<std::string> couples,
                        store_.PendingScoreCouples(100));
  int delivered = 0;
  absl::Status first_error;
  for (const std::string& couple_id : couples) {
    absl::StatusOr<bool> sent = DeliverScore(couple_id);
    if (sent.ok()) {
      delivered += *sent ? 1 : 0;
    } else if (first_error.ok()) {
      first_error = sent.status();
    }
  }
  if (delivered == 0 && !first_error.ok()) return first_error;
  return delivered;
}

absl::StatusOr<v1::ExportUserDataResponse> Prompt::ExportUserData(
    const Caller& caller, const v1::ExportUserDataRequest& req) {
  TEND_RETURN_IF_ERROR(RequireService(caller));
  TEND_RETURN_IF_ERROR(services::ValidateUserId("user_id", req.user_id()));
  TEND_ASSIGN_OR_RETURN(nlohmann::json data, store_.Export(req.user_id()));
  data["service"] = "prompt";
  data["export_time"] =
      absl::FormatTime(absl::RFC3339_sec, clock_->Now(), absl::UTCTimeZone());
  v1::ExportUserDataResponse response;
  response.set_json(data.dump(2));
  return response;
}

absl::StatusOr<v1::EraseUserDataResponse> Prompt::EraseUserData(
    const Caller& caller, const v1::EraseUserDataRequest& req) {
  TEND_RETURN_IF_ERROR(RequireService(caller));
  TEND_RETURN_IF_ERROR(services::ValidateUserId("user_id", req.user_id()));
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  return request_log_.Once<v1::EraseUserDataResponse>(
      caller, "EraseUserData", req.request_id(),
      [&]() -> absl::StatusOr<v1::EraseUserDataResponse> {
        TEND_ASSIGN_OR_RETURN(const int erased,
                              store_.EraseUser(req.user_id()));
        Log(LogLevel::kInfo, "user.erased",
            {{"user", req.user_id()}, {"records", erased}});
        v1::EraseUserDataResponse response;
        response.set_erased_records(erased);
        return response;
      });
}

absl::StatusOr<v1::EraseCoupleDataResponse> Prompt::EraseCoupleData(
    const Caller& caller, const v1::EraseCoupleDataRequest& req) {
  TEND_RETURN_IF_ERROR(RequireService(caller));
  TEND_ASSIGN_OR_RETURN(const std::string couple_id,
                        internal::ParseCoupleName("parent", req.parent()));
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  return request_log_.Once<v1::EraseCoupleDataResponse>(
      caller, "EraseCoupleData", req.request_id(),
      [&]() -> absl::StatusOr<v1::EraseCoupleDataResponse> {
        TEND_ASSIGN_OR_RETURN(const int erased, store_.EraseCouple(couple_id));
        Log(LogLevel::kInfo, "couple.erased",
            {{"couple", couple_id}, {"records", erased}});
        v1::EraseCoupleDataResponse response;
        response.set_erased_records(erased);
        return response;
      });
}

}  // namespace tend::prompt
