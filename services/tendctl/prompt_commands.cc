// tendctl's prompt commands: tend.prompt.v1.PromptService at --prompt_addr.
// The daily question and its answers (revealed once you have both
// answered), a gesture in your partner's love language, the love-language
// quiz, and the private connection check.
//
// The prompt service names things under the caller's couple,
// "couples/{id}", which only pairing knows: each command asks pairing's
// GetCouple once (CallerCouple()), which also gives the partner's name.
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "engine/base/status_macros.h"
#include "services/common/flags.h"
#include "services/tendctl/cli.h"
#include "services/tendctl/commands.h"
#include "tend/pairing/v1/pairing.grpc.pb.h"
#include "tend/prompt/v1/prompt.grpc.pb.h"

ABSL_FLAG(std::string, date, "",
          "question, gesture: the day, YYYY-MM-DD on your clock; today when "
          "not given. Yesterday still works; tomorrow does not.");
ABSL_FLAG(std::string, question, "",
          "answer, answers: the question's id (e.g. 2025-03-14, as "
          "'tendctl question' prints it) or its full name "
          "couples/{couple}/questions/{id}; today's question when not given.");
ABSL_FLAG(bool, journal, false,
          "answer: keep it as a private journal entry that is never shown to "
          "your partner.");
ABSL_FLAG(std::string, picks, "",
          "quiz: your choice for every item, in order, as letters: 'abba…' "
          "or 'a,b,b,a,…'. Without it, 'tendctl quiz' prints the items.");
ABSL_FLAG(bool, save, false,
          "quiz: also save the ranking to your pairing profile, so your "
          "partner's gesture suggestions speak it.");
ABSL_FLAG(std::string, ratings, "",
          "check: your rating of every statement, in order, 1 (never) to 5 "
          "(almost always), e.g. 2,1,3,…. Without it, 'tendctl check' prints "
          "the statements and your couple's summary.");

namespace tend::tendctl {
namespace {

namespace v1 = ::tend::prompt::v1;
using Stub = v1::PromptService::Stub;

absl::StatusOr<std::unique_ptr<Stub>> PromptStub() {
  TEND_ASSIGN_OR_RETURN(
      std::shared_ptr<grpc::Channel> channel,
      OpenChannel("prompt_addr", absl::GetFlag(FLAGS_prompt_addr)));
  return v1::PromptService::NewStub(channel);
}

// What a couple-scoped command starts from.
struct Session {
  std::unique_ptr<Stub> stub;
  // "couples/{id}".
  std::string couple;
  std::string me;
  // The partner's display name, or "your partner".
  std::string partner;
};

// Opens the prompt channel (a missing address is a usage error found
// before anything is sent), then asks pairing for the caller's couple.
absl::StatusOr<Session> OpenSession() {
  TEND_ASSIGN_OR_RETURN(std::unique_ptr<Stub> stub, PromptStub());
  TEND_ASSIGN_OR_RETURN(const pairing::v1::Couple couple, CallerCouple());
  Session session{std::move(stub), couple.name(), CallerUserId(),
                  "your partner"};
  for (const pairing::v1::Partner& p : couple.partners()) {
    if (p.user_id() == session.me) continue;
    if (!p.profile().display_name().empty()) {
      session.partner = p.profile().display_name();
    }
  }
  return session;
}

// The flags of a couple-scoped command: `own`, the pairing address, and
// what every prompt call reads.
std::vector<std::string> CoupleFlags(std::vector<std::string> own) {
  own.emplace_back("pairing_addr");
  return CallFlags(std::move(own), "prompt_addr");
}

std::string Capitalized(std::string text) {
  if (!text.empty()) text[0] = absl::ascii_toupper(text[0]);
  return text;
}

std::string FormatDate(const type::v1::Date& date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(),
                         date.day());
}

// --date as a Date, or nullopt when not given.
absl::StatusOr<std::optional<type::v1::Date>> DateFlag() {
  const std::string text = absl::GetFlag(FLAGS_date);
  if (text.empty()) return std::nullopt;
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day)) {
    return UsageError(
        absl::StrCat("--date: '", text, "' is not a date like 2025-03-14"));
  }
  type::v1::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

// The question a command is about: --question, else today's (asked now if
// it was not yet).
absl::StatusOr<std::string> QuestionName(Session& session,
                                         const std::string& given) {
  if (!given.empty()) {
    return absl::StrContains(given, "/")
               ? given
               : absl::StrCat(session.couple, "/questions/", given);
  }
  v1::GetDailyQuestionRequest request;
  request.set_parent(session.couple);
  v1::Question question;
  TEND_RETURN_IF_ERROR(
      Call(*session.stub, &Stub::GetDailyQuestion, request, &question));
  return question.name();
}

std::string Indent(absl::string_view text) {
  return absl::StrCat("  ", absl::StrJoin(absl::StrSplit(text, '\n'), "\n  "),
                      "\n");
}

// Where the answers stand, from the caller's side.
std::string AnswerState(const Session& session, const v1::Question& question) {
  if (question.has_reveal_time()) {
    return "You have both answered: 'tendctl answers' shows them.\n";
  }
  bool me = false;
  bool partner = false;
  for (const std::string& user : question.answered_user_ids()) {
    (user == session.me ? me : partner) = true;
  }
  if (me) {
    return absl::StrCat("You have answered; ", session.partner,
                        " has not yet. You'll see each other's answers once "
                        "they have.\n");
  }
  if (partner) {
    return absl::StrCat(Capitalized(session.partner),
                        " has answered. Answer to see theirs: tendctl answer "
                        "\"...\"\n");
  }
  return "Neither of you has answered yet: tendctl answer \"...\"\n";
}

std::string FormatAnswers(const Session& session,
                          const v1::GetAnswersResponse& answers) {
  const v1::Question& q = answers.question();
  std::string out = absl::StrCat(
      q.origin() == v1::QUESTION_ORIGIN_DAILY ? "The question of "
                                              : "The question asked on ",
      FormatDate(q.date()), ":\n\n", Indent(q.text()), "\n");
  if (answers.has_my_answer()) {
    absl::StrAppend(&out,
                    answers.my_answer().journal()
                        ? "You (a private journal entry, never shown):\n"
                        : "You:\n",
                    Indent(answers.my_answer().text()));
  } else {
    absl::StrAppend(&out, "You have not answered yet.\n");
  }
  switch (answers.partner_state()) {
    case v1::PARTNER_ANSWER_STATE_REVEALED:
      absl::StrAppend(&out, Capitalized(session.partner), ":\n",
                      answers.has_partner_answer()
                          ? Indent(answers.partner_answer().text())
                          : "  (erased)\n");
      break;
    case v1::PARTNER_ANSWER_STATE_ANSWERED:
      absl::StrAppend(&out, Capitalized(session.partner),
                      " has answered; you'll see it once you answer too.\n");
      break;
    default:
      absl::StrAppend(&out, Capitalized(session.partner),
                      " has not answered yet.\n");
  }
  return out;
}

absl::Status RunQuestion(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {}));
  TEND_ASSIGN_OR_RETURN(const std::optional<type::v1::Date> date, DateFlag());
  TEND_ASSIGN_OR_RETURN(Session session, OpenSession());
  v1::GetDailyQuestionRequest request;
  request.set_parent(session.couple);
  if (date.has_value()) *request.mutable_date() = *date;
  v1::Question question;
  TEND_RETURN_IF_ERROR(
      Call(*session.stub, &Stub::GetDailyQuestion, request, &question));
  const std::string id = question.name().substr(question.name().rfind('/') + 1);
  return Emit(
      question,
      absl::StrCat("The question of ", FormatDate(question.date()),
                   ", for you both (id ", id, "):\n\n", Indent(question.text()),
                   "\n", AnswerState(session, question)));
}

absl::Status RunAnswer(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {"TEXT"}));
  TEND_ASSIGN_OR_RETURN(Session session, OpenSession());
  TEND_ASSIGN_OR_RETURN(const std::string name,
                        QuestionName(session, absl::GetFlag(FLAGS_question)));
  v1::AnswerQuestionRequest request;
  request.set_name(name);
  request.set_text(args[0]);
  request.set_journal(absl::GetFlag(FLAGS_journal));
  v1::Answer answer;
  TEND_RETURN_IF_ERROR(
      Call(*session.stub, &Stub::AnswerQuestion, request, &answer));
  v1::GetAnswersRequest get;
  get.set_name(name);
  v1::GetAnswersResponse answers;
  TEND_RETURN_IF_ERROR(Call(*session.stub, &Stub::GetAnswers, get, &answers));
  std::string human;
  if (answer.journal()) {
    human = absl::StrCat(
        "Saved as a private journal entry. ", Capitalized(session.partner),
        " never sees it; 'tendctl answer --question ... \"...\"' "
        "without --journal shares an answer instead.\n");
  } else if (answers.partner_state() == v1::PARTNER_ANSWER_STATE_REVEALED) {
    human = absl::StrCat("Saved. You have both answered:\n\n",
                         FormatAnswers(session, answers));
  } else {
    human = absl::StrCat(
        "Saved. ", Capitalized(session.partner),
        " has not answered yet; you'll see each other's answers once they "
        "have. You may change yours until then.\n");
  }
  return Emit(answer, human);
}

absl::Status RunAnswers(const std::vector<std::string>& args) {
  if (args.size() > 1) {
    return UsageError(absl::StrCat("unexpected argument '", args[1], "'"));
  }
  TEND_ASSIGN_OR_RETURN(Session session, OpenSession());
  TEND_ASSIGN_OR_RETURN(
      const std::string name,
      QuestionName(session,
                   args.empty() ? absl::GetFlag(FLAGS_question) : args[0]));
  v1::GetAnswersRequest request;
  request.set_name(name);
  v1::GetAnswersResponse answers;
  TEND_RETURN_IF_ERROR(
      Call(*session.stub, &Stub::GetAnswers, request, &answers));
  return Emit(answers, FormatAnswers(session, answers));
}

std::string FormatQuiz(const v1::LoveLanguageQuiz& quiz) {
  std::string out = absl::StrCat(
      "The love-language quiz: ", quiz.items_size(),
      " pairs. For each, pick the one that would mean more to you; there are "
      "no wrong answers.\n\n");
  int n = 0;
  for (const v1::QuizItem& item : quiz.items()) {
    absl::StrAppendFormat(&out, "%2d. %s\n", ++n, item.prompt());
    for (const v1::QuizOption& option : item.options()) {
      absl::StrAppend(&out, "    ", option.id(), ") ", option.text(), "\n");
    }
  }
  absl::StrAppend(&out, "\nThen: tendctl quiz --picks ",
                  std::string(std::min(quiz.items_size(), 5), 'a'),
                  "... (one letter per item, in order) [--save]\n");
  return out;
}

// --picks: "abba…" or "a,b,b,a,…", one per item.
absl::StatusOr<std::vector<std::string>> ParsePicks(absl::string_view text,
                                                    int items) {
  std::vector<std::string> picks;
  if (absl::StrContains(text, ",")) {
    for (absl::string_view p : absl::StrSplit(text, ',')) {
      picks.emplace_back(absl::StripAsciiWhitespace(p));
    }
  } else {
    for (char c : text) picks.emplace_back(1, c);
  }
  if (static_cast<int>(picks.size()) != items) {
    return UsageError(absl::StrCat("--picks: ", picks.size(),
                                   " choices for a quiz of ", items, " items"));
  }
  return picks;
}

absl::Status RunQuiz(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {}));
  TEND_ASSIGN_OR_RETURN(std::unique_ptr<Stub> stub, PromptStub());
  v1::LoveLanguageQuiz quiz;
  TEND_RETURN_IF_ERROR(Call(*stub, &Stub::GetLoveLanguageQuiz,
                            v1::GetLoveLanguageQuizRequest(), &quiz));
  const std::string picks_flag = absl::GetFlag(FLAGS_picks);
  if (picks_flag.empty()) {
    if (absl::GetFlag(FLAGS_save)) {
      return UsageError("--save needs your --picks");
    }
    return Emit(quiz, FormatQuiz(quiz));
  }
  TEND_ASSIGN_OR_RETURN(const std::vector<std::string> picks,
                        ParsePicks(picks_flag, quiz.items_size()));
  v1::SubmitQuizAnswersRequest request;
  request.set_quiz(quiz.name());
  for (int i = 0; i < quiz.items_size(); ++i) {
    v1::QuizAnswer* answer = request.add_answers();
    answer->set_item_id(quiz.items(i).id());
    answer->set_option_id(picks[i]);
  }
  v1::LoveLanguageQuizResult result;
  TEND_RETURN_IF_ERROR(Call(*stub, &Stub::SubmitQuizAnswers, request, &result));
  std::string human = "Your love languages, most felt first:\n";
  int rank = 0;
  for (const v1::LoveLanguageScore& score : result.scores()) {
    absl::StrAppendFormat(&human, "  %d. %-22s %3.0f%%\n", ++rank,
                          FormatLoveLanguage(score.love_language()),
                          100 * score.share());
  }
  if (absl::GetFlag(FLAGS_save)) {
    // The ranking is the person's own setting in pairing, saved with their
    // own token.
    TEND_ASSIGN_OR_RETURN(
        std::shared_ptr<grpc::Channel> channel,
        OpenChannel("pairing_addr", absl::GetFlag(FLAGS_pairing_addr)));
    auto pairing = pairing::v1::PairingService::NewStub(channel);
    pairing::v1::UpdatePartnerProfileRequest save;
    *save.mutable_profile()->mutable_love_language_ranking() = result.ranking();
    save.mutable_update_mask()->add_paths("love_language_ranking");
    pairing::v1::PartnerProfile profile;
    TEND_RETURN_IF_ERROR(
        Call(*pairing, &pairing::v1::PairingService::Stub::UpdatePartnerProfile,
             save, &profile));
    absl::StrAppend(&human,
                    "\nSaved to your profile: your partner's gesture "
                    "suggestions now speak it.\n");
  } else {
    absl::StrAppend(&human,
                    "\nRun again with --save to keep it in your profile, so "
                    "your partner's gesture suggestions speak it.\n");
  }
  return Emit(result, human);
}

absl::Status RunGesture(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {}));
  TEND_ASSIGN_OR_RETURN(const std::optional<type::v1::Date> date, DateFlag());
  TEND_ASSIGN_OR_RETURN(Session session, OpenSession());
  v1::SuggestGestureRequest request;
  request.set_parent(session.couple);
  if (date.has_value()) *request.mutable_date() = *date;
  v1::GestureSuggestion suggestion;
  TEND_RETURN_IF_ERROR(
      Call(*session.stub, &Stub::SuggestGesture, request, &suggestion));
  return Emit(suggestion,
              absl::StrCat("A small act for ", session.partner, " on ",
                           FormatDate(suggestion.date()), ", in ",
                           FormatLoveLanguage(suggestion.love_language()),
                           ":\n\n", Indent(suggestion.catalog_item().title()),
                           Indent(suggestion.catalog_item().text())));
}

std::string SignName(v1::DisconnectionSign sign) {
  switch (sign) {
    case v1::DISCONNECTION_SIGN_LOGISTICS_ONLY:
      return "talking only logistics";
    case v1::DISCONNECTION_SIGN_RARE_FEELINGS_CHECK_IN:
      return "rarely checking in on feelings";
    case v1::DISCONNECTION_SIGN_ROUTINE_AFFECTION:
      return "routine or absent affection";
    case v1::DISCONNECTION_SIGN_LONELY_TOGETHER:
      return "feeling lonely together";
    case v1::DISCONNECTION_SIGN_AVOIDING_DEEP_TALKS:
      return "avoiding deeper talks";
    case v1::DISCONNECTION_SIGN_ROOMMATES:
      return "feeling like roommates";
    default:
      return "unknown";
  }
}

std::string FormatSummary(const Session& session,
                          const v1::ConnectionSummary& summary) {
  std::string out = "Your couple's connection";
  if (!summary.has_measure_time()) {
    absl::StrAppend(&out, ": no check completed yet.\n");
  } else {
    absl::StrAppend(&out, ": ", summary.score(), "/100 on ",
                    FormatInstant(FromTimestamp(summary.measure_time())));
    switch (summary.trend()) {
      case v1::CONNECTION_TREND_IMPROVING:
        absl::StrAppend(&out, ", improving");
        break;
      case v1::CONNECTION_TREND_DECLINING:
        absl::StrAppend(&out, ", declining");
        break;
      case v1::CONNECTION_TREND_STEADY:
        absl::StrAppend(&out, ", steady");
        break;
      default:
        break;
    }
    absl::StrAppend(&out, ".\n");
  }
  if (!summary.focus_signs().empty()) {
    std::vector<std::string> signs;
    for (int s : summary.focus_signs()) {
      signs.push_back(SignName(static_cast<v1::DisconnectionSign>(s)));
    }
    absl::StrAppend(
        &out, "Worth some care together: ", absl::StrJoin(signs, ", "), ".\n");
  }
  absl::StrAppend(&out, summary.partners_submitted(),
                  " of 2 have taken this period's check; the next is due ",
                  FormatInstant(FromTimestamp(summary.next_check_time())),
                  ".\n");
  if (summary.counselling_suggested()) {
    absl::StrAppend(&out,
                    "The signals have stayed low for a while. Talking with a "
                    "couples counsellor together can help; it is a sign of "
                    "care, not of failure.\n");
  }
  return out;
}

absl::Status RunCheck(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {}));
  TEND_ASSIGN_OR_RETURN(Session session, OpenSession());
  v1::ConnectionCheck check;
  TEND_RETURN_IF_ERROR(Call(*session.stub, &Stub::GetConnectionCheck,
                            v1::GetConnectionCheckRequest(), &check));
  v1::GetConnectionSummaryRequest get;
  get.set_name(absl::StrCat(session.couple, "/connectionSummary"));
  const std::string ratings_flag = absl::GetFlag(FLAGS_ratings);
  if (ratings_flag.empty()) {
    v1::ConnectionSummary summary;
    TEND_RETURN_IF_ERROR(
        Call(*session.stub, &Stub::GetConnectionSummary, get, &summary));
    std::string out =
        "The connection check: how often does each of these feel true "
        "lately? Your answers stay yours; only your couple's combined score "
        "is shared.\n\n";
    int n = 0;
    for (const v1::ConnectionCheckItem& item : check.items()) {
      absl::StrAppendFormat(&out, "%2d. %s\n", ++n, item.text());
    }
    std::vector<std::string> scale;
    for (int i = 0; i < check.scale_labels_size(); ++i) {
      scale.push_back(absl::StrCat(i + 1, " ", check.scale_labels(i)));
    }
    absl::StrAppend(&out, "\nRate each ", absl::StrJoin(scale, ", "),
                    ":\n  tendctl check --ratings 2,1,3,...\n\n",
                    FormatSummary(session, summary));
    return Emit(summary, out);
  }
  v1::SubmitConnectionCheckRequest request;
  request.set_parent(session.couple);
  request.set_connection_check(check.name());
  const std::vector<std::string> ratings =
      absl::StrSplit(ratings_flag, ',', absl::SkipEmpty());
  if (static_cast<int>(ratings.size()) != check.items_size()) {
    return UsageError(absl::StrCat("--ratings: ", ratings.size(),
                                   " ratings for ", check.items_size(),
                                   " statements"));
  }
  for (int i = 0; i < check.items_size(); ++i) {
    int rating = 0;
    if (!absl::SimpleAtoi(ratings[i], &rating)) {
      return UsageError(
          absl::StrCat("--ratings: '", ratings[i], "' is not a number"));
    }
    v1::ConnectionCheckAnswer* answer = request.add_answers();
    answer->set_item_id(check.items(i).id());
    answer->set_rating(rating);
  }
  v1::ConnectionCheckResult result;
  TEND_RETURN_IF_ERROR(
      Call(*session.stub, &Stub::SubmitConnectionCheck, request, &result));
  v1::ConnectionSummary summary;
  TEND_RETURN_IF_ERROR(
      Call(*session.stub, &Stub::GetConnectionSummary, get, &summary));
  std::string human = absl::StrCat(
      "Your own connection: ", result.score(), "/100. Only you see this.\n",
      result.couple_score_updated()
          ? absl::StrCat("You have both taken it: your couple score is "
                         "updated, and your check-in rhythm follows it.\n")
          : absl::StrCat("When ", session.partner,
                         " takes it too, your couple score updates.\n"),
      "\n", FormatSummary(session, summary));
  return Emit(result, human);
}

}  // namespace

std::vector<Command> PromptCommands() {
  return {
      {"question", "Show today's question for you both.", "[--date D]",
       "The couple's question of the day: the same for you both, each on "
       "your own local day. Prints whether each of you has answered; "
       "answers show once you both have.",
       CoupleFlags({"date"}), &RunQuestion},
      {"answer", "Answer the question, privately until you both have.",
       "TEXT [--question ID] [--journal]",
       "Answers today's question unless --question names another. You may "
       "change your answer until you have both answered, never after. With "
       "--journal it is a private journal entry your partner never sees.",
       CoupleFlags({"question", "journal"}), &RunAnswer},
      {"answers", "Show the answers to a question.", "[ID]",
       "Your answer, and your partner's once you have both answered; before "
       "that only whether they have. Today's question unless ID (or "
       "--question) names another.",
       CoupleFlags({"question"}), &RunAnswers},
      {"quiz", "Take the love-language quiz.", "[--picks abab...] [--save]",
       "Without --picks, prints the forced-choice items. With them, prints "
       "your ranking of the five love languages; --save keeps it in your "
       "pairing profile (UpdatePartnerProfile, with your own token) so your "
       "partner's gesture suggestions speak it.",
       CallFlags({"picks", "save", "pairing_addr"}, "prompt_addr"), &RunQuiz},
      {"gesture", "Suggest a small act for your partner today.", "[--date D]",
       "A gesture in your partner's top love languages (from their profile), "
       "not repeated within 30 days; the same all day.",
       CoupleFlags({"date"}), &RunGesture},
      {"check", "Take the private connection check, or see your summary.",
       "[--ratings 1,2,...]",
       "Built on the signs of disconnection. Without --ratings, prints the "
       "statements and your couple's summary. Your ratings and own score "
       "stay yours; when you have both taken it, only the combined couple "
       "score is shared, and it shapes your check-in rhythm.",
       CoupleFlags({"ratings"}), &RunCheck},
  };
}

}  // namespace tend::tendctl
