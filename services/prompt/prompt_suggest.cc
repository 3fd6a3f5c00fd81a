// Prompt: gestures, and the content of the scheduler's reminders.
//
// A reminder's content follows its ritual's practice (a custom ritual's
// own, or its template's):
//
//   check-in, listening,        a question both partners answer, with
//   garden review               reveal-after-both, and a listening guide
//   deeper questions, signs of  a deeper question
//   disconnection
//   repair                      a repair guide, with a listening guide
//   vulnerability               a starter to go first with
//   fun, time together          an idea
//   touch                       an affection gesture
//   love languages, small acts  a gesture in the partner's languages
//
// Items that suit the ritual's template weigh more. Every choice is seeded
// by the couple and the occurrence (a shared ritual) or the recipient's
// local day (a personal one), never by the reminder id, so both partners
// and every lead time of one occurrence agree, and a retried dispatch gets
// the same words.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/base/log.h"
#include "engine/base/status_macros.h"
#include "engine/plan/ritual_templates.h"
#include "services/prompt/prompt.h"
#include "services/prompt/prompt_internal.h"
#include "services/prompt/selection.h"

namespace tend::prompt {
namespace {

using internal::Clip;
using internal::FromProto;
using internal::Invalid;
using internal::ToProto;

constexpr int kMaxTitle = 80;
constexpr int kMaxBody = 500;
// An item suited to the ritual's template, or of the ritual's own
// practice, weighs this much more.
constexpr double kTemplateBoost = 4.0;
constexpr double kPracticeBoost = 2.0;
// Candidates from `items`, those suited to `ritual_template` or of
// `practice` weighing more.
std::vector<Candidate> PoolOf(const std::vector<const v1::CatalogItem*>& items,
                              absl::string_view ritual_template,
                              type::v1::Practice practice);

// How the partner's ranking weighs a gesture's language: the first two
// are "their top languages"; the rest are reached only when every gesture
// in those was suggested within the no-repeat window.
constexpr double kFirstLanguage = 3.0;
constexpr double kSecondLanguage = 2.0;
constexpr int kTopLanguages = 2;

// What a reminder for a practice carries.
enum class Recipe { kQuestion, kGesture, kIdea, kOwnWords };
struct RecipeSpec {
  Recipe recipe;
  v1::CatalogItemKind kind;
  // Listening reflections to add.
  int guide;
};

RecipeSpec RecipeFor(type::v1::Practice practice) {
  using type::v1::Practice;
  switch (practice) {
    case type::v1::PRACTICE_CHECK_IN:
      return {Recipe::kQuestion, v1::CATALOG_ITEM_KIND_CHECK_IN_QUESTION, 2};
    case type::v1::PRACTICE_LISTENING:
      return {Recipe::kQuestion, v1::CATALOG_ITEM_KIND_CHECK_IN_QUESTION, 1};
    case type::v1::PRACTICE_GARDEN_REVIEW:
      return {Recipe::kQuestion, v1::CATALOG_ITEM_KIND_GARDEN_REVIEW_QUESTION,
              1};
    case type::v1::PRACTICE_DEEPER_QUESTIONS:
    case type::v1::PRACTICE_RECOGNIZE_DISCONNECTION:
      return {Recipe::kQuestion, v1::CATALOG_ITEM_KIND_DEEPER_QUESTION, 0};
    case type::v1::PRACTICE_REPAIR:
      return {Recipe::kIdea, v1::CATALOG_ITEM_KIND_REPAIR_GUIDE, 2};
    case type::v1::PRACTICE_VULNERABILITY:
      return {Recipe::kIdea, v1::CATALOG_ITEM_KIND_VULNERABILITY_STARTER, 0};
    case type::v1::PRACTICE_FUN:
    case type::v1::PRACTICE_TIME_TOGETHER:
      return {Recipe::kIdea, v1::CATALOG_ITEM_KIND_FUN_IDEA, 0};
    case type::v1::PRACTICE_TOUCH:
      return {Recipe::kGesture, v1::CATALOG_ITEM_KIND_AFFECTION_GESTURE, 0};
    case type::v1::PRACTICE_LOVE_LANGUAGES:
    case type::v1::PRACTICE_SMALL_ACTS:
      return {Recipe::kGesture, v1::CATALOG_ITEM_KIND_LOVE_LANGUAGE_GESTURE, 0};
    default:
      return {Recipe::kOwnWords, v1::CATALOG_ITEM_KIND_UNSPECIFIED, 0};
  }
}

// The practice of a template, "ritualTemplates/{id}"; unspecified when
// the template is unknown.
type::v1::Practice TemplatePractice(absl::string_view ritual_template) {
  const absl::string_view id =
      absl::StripPrefix(ritual_template, "ritualTemplates/");
  for (const engine::RitualTemplate& t : engine::RitualTemplates()) {
    if (t.id == id) return static_cast<type::v1::Practice>(t.practice);
  }
  return type::v1::PRACTICE_UNSPECIFIED;
}

bool Suits(const v1::CatalogItem& item, absl::string_view ritual_template) {
  return !ritual_template.empty() &&
         std::find(item.ritual_templates().begin(),
                   item.ritual_templates().end(),
                   ritual_template) != item.ritual_templates().end();
}

// How `language` ranks for the partner: 0 for their first.
int RankOf(const pairing::v1::PartnerProfile& profile, int language) {
  const auto& ranking = profile.love_language_ranking();
  for (int i = 0; i < ranking.size(); ++i) {
    if (ranking[i] == language) return i;
  }
  return ranking.size();
}

std::vector<Candidate> PoolOf(const std::vector<const v1::CatalogItem*>& items,
                              absl::string_view ritual_template,
                              type::v1::Practice practice) {
  std::vector<Candidate> pool;
  for (const v1::CatalogItem* item : items) {
    double boost = Suits(*item, ritual_template) ? kTemplateBoost : 1.0;
    if (item->practice() == practice) boost *= kPracticeBoost;
    pool.push_back({std::string(CatalogItemId(*item)), item->practice(),
                    item->depth(), boost});
  }
  return pool;
}

}  // namespace

std::vector<const v1::CatalogItem*> Prompt::ListeningGuide(
    const std::string& ritual_template, int count, uint64_t seed) const {
  const auto& items =
      catalog_.OfKind(v1::CATALOG_ITEM_KIND_LISTENING_REFLECTION);
  std::vector<Candidate> pool;
  for (const v1::CatalogItem* item : items) {
    pool.push_back({std::string(CatalogItemId(*item)), item->practice(),
                    item->depth(), Suits(*item, ritual_template) ? 4.0 : 1.0});
  }
  std::vector<const v1::CatalogItem*> out;
  for (size_t i : PickSeveral(pool, count, seed)) out.push_back(items[i]);
  return out;
}

absl::StatusOr<const v1::CatalogItem*> Prompt::ChooseGesture(
    const Scope& scope, absl::CivilDay day, v1::CatalogItemKind kind) {
  std::vector<const v1::CatalogItem*> items;
  for (v1::CatalogItemKind k : {v1::CATALOG_ITEM_KIND_LOVE_LANGUAGE_GESTURE,
                                v1::CATALOG_ITEM_KIND_AFFECTION_GESTURE}) {
    if (kind != v1::CATALOG_ITEM_KIND_UNSPECIFIED && kind != k) continue;
    const auto& of_kind = catalog_.OfKind(k);
    items.insert(items.end(), of_kind.begin(), of_kind.end());
  }
  // Affection is for everyone when asked for by name; otherwise the
  // partner's ranking decides, with everything equal before they have one.
  const bool by_language =
      kind != v1::CATALOG_ITEM_KIND_AFFECTION_GESTURE &&
      !scope.partner_profile->love_language_ranking().empty();
  const std::string kind_key = absl::StrCat("gestures:", scope.user);
  TEND_ASSIGN_OR_RETURN(
      const History history,
      store_.LoadHistory(scope.couple_id, kind_key,
                         day - options_.gesture_no_repeat_days));
  // The partner's top languages first; the next one only when every
  // gesture in those was suggested within the window.
  std::vector<Candidate> pool;
  std::vector<const v1::CatalogItem*> chosen_from;
  int reach = by_language ? kTopLanguages : 5;
  while (true) {
    pool.clear();
    chosen_from.clear();
    bool any_free = false;
    for (const v1::CatalogItem* item : items) {
      const int rank = RankOf(*scope.partner_profile, item->love_language());
      if (by_language && rank >= reach) continue;
      const double boost = !by_language ? 1.0
                           : rank == 0  ? kFirstLanguage
                           : rank == 1  ? kSecondLanguage
                                        : 1.0;
      pool.push_back({std::string(CatalogItemId(*item)), item->practice(),
                      item->depth(), boost});
      chosen_from.push_back(item);
      any_free |= !SetAsideSince(pool.back(), history, day,
                                 options_.gesture_no_repeat_days,
                                 HistoryRule::kReplayable)
                       .has_value();
    }
    if (any_free || reach >= 5) break;
    ++reach;
  }
  const std::optional<size_t> chosen =
      Pick(pool, history, day, options_.gesture_no_repeat_days,
           HistoryRule::kReplayable, SelectionWeights(),
           StableHash({"gesture", scope.couple_id, scope.user,
                       absl::FormatCivilTime(day)}));
  if (!chosen.has_value()) {
    return absl::FailedPreconditionError("catalog: no gestures to suggest");
  }
  TEND_RETURN_IF_ERROR(store_.NoteMember(scope.couple_id, scope.user));
  TEND_RETURN_IF_ERROR(
      store_.RecordChoice(scope.couple_id, kind_key, pool[*chosen].key, day));
  return chosen_from[*chosen];
}

absl::StatusOr<std::optional<size_t>> Prompt::PickForCouple(
    const Scope& scope, const std::vector<Candidate>& pool, absl::CivilDay day,
    int window_days, HistoryRule rule, uint64_t seed) {
  TEND_ASSIGN_OR_RETURN(const DepthState depth,
                        store_.LoadDepth(scope.couple_id));
  TEND_ASSIGN_OR_RETURN(const CadenceView cadence, CadenceFor(scope, ""));
  TEND_ASSIGN_OR_RETURN(
      const History history,
      store_.LoadHistory(scope.couple_id, "asked", day - window_days));
  return Pick(pool, history, day, window_days, rule,
              WeightsFor(depth.level(), cadence.emphasis, cadence.low_mood),
              seed);
}

absl::StatusOr<const v1::CatalogItem*> Prompt::ChooseIdea(
    const Scope& scope, v1::CatalogItemKind kind, type::v1::Practice practice,
    const std::string& ritual_template, absl::CivilDay day,
    absl::string_view seed) {
  const auto& items = catalog_.OfKind(kind);
  const std::vector<Candidate> pool = PoolOf(items, ritual_template, practice);
  TEND_ASSIGN_OR_RETURN(
      const std::optional<size_t> chosen,
      PickForCouple(scope, pool, day, options_.idea_no_repeat_days,
                    HistoryRule::kReplayable,
                    StableHash({"idea", scope.couple_id, seed})));
  if (!chosen.has_value()) return nullptr;
  TEND_RETURN_IF_ERROR(
      store_.RecordChoice(scope.couple_id, "asked", pool[*chosen].key, day));
  return items[*chosen];
}

absl::StatusOr<QuestionView> Prompt::ReminderQuestion(
    const Scope& scope, const v1::GetReminderContentRequest& req,
    v1::CatalogItemKind kind, type::v1::Practice practice, absl::CivilDay day) {
  const std::string ritual_id(req.ritual().substr(req.ritual().rfind('/') + 1));
  // One question per occurrence of a shared ritual, one per local day of a
  // personal one: both partners answer the same.
  const std::string when =
      req.shared() && req.has_occurrence_time()
          ? absl::FormatTime("%Y%m%dT%H%M%SZ", FromProto(req.occurrence_time()),
                             absl::UTCTimeZone())
          : absl::FormatCivilTime(day);
  std::string id = absl::StrCat("ritual-", ritual_id, "-", when);
  if (id.size() > 128) {
    id = absl::StrCat("ritual-", absl::Hex(StableHash({ritual_id})), "-", when);
  }
  TEND_ASSIGN_OR_RETURN(std::optional<QuestionView> stored,
                        store_.LoadQuestion(scope.couple_id, id));
  if (stored.has_value()) return *std::move(stored);

  const auto& items = catalog_.OfKind(kind);
  const std::vector<Candidate> pool =
      PoolOf(items, req.ritual_template(), practice);
  TEND_ASSIGN_OR_RETURN(
      const std::optional<size_t> chosen,
      PickForCouple(scope, pool, day, options_.question_no_repeat_days,
                    HistoryRule::kBothWays,
                    StableHash({"reminder", scope.couple_id, id})));
  if (!chosen.has_value()) {
    return absl::FailedPreconditionError("catalog: no questions to ask");
  }
  const v1::CatalogItem& item = *items[*chosen];
  NewQuestion fresh;
  fresh.id = id;
  fresh.day = day;
  fresh.history_key = pool[*chosen].key;
  v1::Question& q = fresh.question;
  q.set_name(absl::StrCat(scope.couple->name(), "/questions/", id));
  q.set_origin(v1::QUESTION_ORIGIN_REMINDER);
  q.set_text(item.text());
  q.set_catalog_item(item.name());
  q.set_practice(item.practice());
  q.set_depth(item.depth());
  *q.mutable_date() = internal::ToDate(day);
  q.set_reminder(req.reminder());
  *q.mutable_create_time() = ToProto(clock_->Now());
  return store_.CreateQuestion(scope.couple_id, fresh, clock_->Now());
}

absl::Status Prompt::MaybeNudge(const Scope& scope, absl::CivilDay day,
                                const std::string& reminder_id,
                                type::v1::ReminderContent* content) {
  TEND_ASSIGN_OR_RETURN(
      std::optional<QuestionView> view,
      store_.LoadQuestion(scope.couple_id, absl::FormatCivilTime(day)));
  if (!view.has_value() || view->reveal_time.has_value())
    return absl::OkStatus();
  auto shared = [&](const std::string& user) {
    auto it = view->answers.find(user);
    return it != view->answers.end() && !it->second.journal();
  };
  if (!shared(scope.partner) || shared(scope.user)) return absl::OkStatus();
  TEND_ASSIGN_OR_RETURN(
      const bool claimed,
      store_.ClaimNudge(scope.couple_id, scope.user, day, reminder_id));
  if (!claimed) return absl::OkStatus();
  const std::string who = scope.partner_profile->display_name().empty()
                              ? "Your partner"
                              : scope.partner_profile->display_name();
  content->set_question(view->question.name());
  content->set_question_text(view->question.text());
  content->set_body(absl::StrCat(
      content->body(), "\n\n", who,
      " has answered today's question. Yours is waiting whenever you're "
      "ready; answers show once you've both written."));
  Log(LogLevel::kInfo, "nudge.added",
      {{"couple", scope.couple_id}, {"user", scope.user}});
  return absl::OkStatus();
}

absl::StatusOr<v1::GestureSuggestion> Prompt::SuggestGesture(
    const Caller& caller, const v1::SuggestGestureRequest& req) {
  TEND_RETURN_IF_ERROR(internal::RequireUser(caller));
  TEND_ASSIGN_OR_RETURN(const std::string couple_id,
                        internal::ParseCoupleName("parent", req.parent()));
  if (req.kind() != v1::CATALOG_ITEM_KIND_UNSPECIFIED &&
      req.kind() != v1::CATALOG_ITEM_KIND_LOVE_LANGUAGE_GESTURE &&
      req.kind() != v1::CATALOG_ITEM_KIND_AFFECTION_GESTURE) {
    return Invalid("kind", "a love-language or an affection gesture, or unset");
  }
  TEND_ASSIGN_OR_RETURN(const Scope scope,
                        ScopeOfMember(caller.user_id, couple_id, "parent"));
  TEND_ASSIGN_OR_RETURN(
      const absl::CivilDay day,
      RequestedDay(scope, req.has_date() ? &req.date() : nullptr, "date"));
  if (day < Today(scope) - 1) return Invalid("date", "today or yesterday");
  TEND_ASSIGN_OR_RETURN(const v1::CatalogItem* item,
                        ChooseGesture(scope, day, req.kind()));
  v1::GestureSuggestion suggestion;
  *suggestion.mutable_catalog_item() = *item;
  suggestion.set_love_language(item->love_language());
  suggestion.set_partner_user_id(scope.partner);
  *suggestion.mutable_date() = internal::ToDate(day);
  return suggestion;
}

absl::StatusOr<type::v1::ReminderContent> Prompt::GetReminderContent(
    const Caller& caller, const v1::GetReminderContentRequest& req) {
  TEND_RETURN_IF_ERROR(internal::RequireService(caller));
  TEND_ASSIGN_OR_RETURN(
      const auto reminder,
      internal::ParseChildName("reminder", req.reminder(), "reminders"));
  TEND_ASSIGN_OR_RETURN(
      const auto ritual,
      internal::ParseChildName("ritual", req.ritual(), "rituals"));
  if (ritual.first != reminder.first) {
    return Invalid("ritual", "must belong to the reminder's couple");
  }
  if (!req.ritual_template().empty() &&
      !absl::StartsWith(req.ritual_template(), "ritualTemplates/")) {
    return Invalid("ritual_template",
                   "must look like ritualTemplates/{ritual_template}");
  }
  if (!type::v1::Practice_IsValid(req.practice())) {
    return Invalid("practice", "not a practice");
  }
  TEND_RETURN_IF_ERROR(
      services::ValidateUserId("recipient_user_id", req.recipient_user_id()));
  if (!req.has_local_occurrence_time() && !req.has_occurrence_time()) {
    return Invalid("occurrence_time", "required");
  }
  TEND_ASSIGN_OR_RETURN(
      const Scope scope,
      ScopeOfMember(req.recipient_user_id(), reminder.first, "reminder"));
  absl::CivilDay day =
      absl::ToCivilDay(FromProto(req.occurrence_time()), scope.zone);
  if (req.has_local_occurrence_time()) {
    const type::v1::Date& d = req.local_occurrence_time().date();
    day = absl::CivilDay(d.year(), d.month(), d.day());
    if (day.year() != d.year() || day.month() != d.month() ||
        day.day() != d.day()) {
      return Invalid("local_occurrence_time.date", "not a calendar date");
    }
  }
  type::v1::Practice practice = req.practice();
  if (practice == type::v1::PRACTICE_UNSPECIFIED) {
    practice = TemplatePractice(req.ritual_template());
  }
  const RecipeSpec spec = RecipeFor(practice);
  // What the occurrence is, for seeding: both partners and every lead time
  // of one occurrence agree.
  const std::string occurrence =
      req.shared() && req.has_occurrence_time()
          ? absl::StrCat(ritual.second, "@",
                         absl::ToUnixSeconds(FromProto(req.occurrence_time())))
          : absl::StrCat(ritual.second, "@", absl::FormatCivilTime(day), "@",
                         scope.user);

  type::v1::ReminderContent content;
  content.set_title(Clip(req.ritual_title().empty()
                             ? "A moment for the two of you"
                             : req.ritual_title(),
                         kMaxTitle));
  std::string body = req.ritual_description().empty()
                         ? "A small moment for the two of you."
                         : req.ritual_description();
  switch (spec.recipe) {
    case Recipe::kQuestion: {
      TEND_ASSIGN_OR_RETURN(
          const QuestionView view,
          ReminderQuestion(scope, req, spec.kind, practice, day));
      body = view.question.text();
      content.set_question(view.question.name());
      content.set_question_text(view.question.text());
      if (!view.question.catalog_item().empty()) {
        content.add_catalog_items(view.question.catalog_item());
      }
      break;
    }
    case Recipe::kGesture: {
      TEND_ASSIGN_OR_RETURN(const v1::CatalogItem* item,
                            ChooseGesture(scope, day, spec.kind));
      body = item->text();
      content.add_catalog_items(item->name());
      break;
    }
    case Recipe::kIdea: {
      TEND_ASSIGN_OR_RETURN(const v1::CatalogItem* item,
                            ChooseIdea(scope, spec.kind, practice,
                                       req.ritual_template(), day, occurrence));
      if (item != nullptr) {
        body =
            item->steps().empty()
                ? item->text()
                : absl::StrCat(item->text(), " Start here: ", item->steps(0));
        content.add_catalog_items(item->name());
      }
      break;
    }
    case Recipe::kOwnWords:
      break;
  }
  content.set_body(body);
  for (const v1::CatalogItem* reflection :
       ListeningGuide(req.ritual_template(), spec.guide,
                      StableHash({"guide", scope.couple_id, occurrence}))) {
    content.add_listening_guide(reflection->text());
    content.add_catalog_items(reflection->name());
  }
  if (content.question().empty()) {
    TEND_RETURN_IF_ERROR(MaybeNudge(scope, day, reminder.second, &content));
  }
  content.set_body(Clip(content.body(), kMaxBody));
  return content;
}

}  // namespace tend::prompt
