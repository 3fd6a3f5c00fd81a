// The reminder side of the scheduler: answers, streaks, the adaptive
// cadence, and what a tick does when an occurrence begins.
//
// Streaks are kind. An occurrence counts once, when the first partner marks
// it done; an occurrence the couple agreed to skip, or that fell while the
// ritual was paused, leaves a streak as it is; only an occurrence nobody
// kept resets it, and that is settled by the next occurrence's tick.
#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/base/log.h"
#include "engine/base/status_macros.h"
#include "engine/cadence/cadence.h"
#include "services/common/auth.h"
#include "services/common/request_log.h"
#include "services/scheduler/convert.h"
#include "services/scheduler/scheduler.h"
#include "services/scheduler/scheduler_internal.h"

namespace tend::scheduler {
namespace {

using internal::Invalid;
using internal::LastSegment;
using internal::OutcomeKey;

constexpr absl::Duration kMinSnooze = absl::Minutes(1);
constexpr absl::Duration kMaxSnooze = absl::Hours(24);

std::string DayString(absl::CivilDay day) { return absl::FormatCivilTime(day); }

absl::CivilDay ParseDay(const std::string& text) {
  absl::CivilDay day;
  (void)absl::ParseCivilTime(text, &day);
  return day;
}

nlohmann::json DecisionToJson(const engine::CadenceDecision& d) {
  nlohmann::json emphasis = nlohmann::json::array();
  for (engine::Practice p : d.emphasis) emphasis.push_back(static_cast<int>(p));
  nlohmann::json j = {{"interval_days", d.interval_days},
                      {"emphasis", emphasis},
                      {"reason", d.reason},
                      {"drifting", d.drifting},
                      {"nudge", d.nudge},
                      {"counselling_suggested", d.counselling_suggested},
                      {"counselling_reason", d.counselling_reason},
                      {"band", static_cast<int>(d.band)},
                      {"evaluated_on", DayString(d.evaluated_on)},
                      {"pending_since", DayString(d.pending_since)}};
  if (d.score) j["score"] = *d.score;
  if (d.pending_band) j["pending_band"] = static_cast<int>(*d.pending_band);
  if (d.low_since) j["low_since"] = DayString(*d.low_since);
  if (d.changed_on) j["changed_on"] = DayString(*d.changed_on);
  return j;
}

engine::CadenceDecision DecisionFromJson(const nlohmann::json& j) {
  engine::CadenceDecision d;
  d.interval_days = j.value("interval_days", engine::kMaxIntervalDays);
  for (int p : j.value("emphasis", std::vector<int>())) {
    d.emphasis.push_back(static_cast<engine::Practice>(p));
  }
  d.reason = j.value("reason", "");
  d.drifting = j.value("drifting", false);
  d.nudge = j.value("nudge", "");
  d.counselling_suggested = j.value("counselling_suggested", false);
  d.counselling_reason = j.value("counselling_reason", "");
  if (j.contains("score")) d.score = j.value("score", 0.0);
  d.band = static_cast<engine::CadenceBand>(j.value("band", 1));
  d.evaluated_on = ParseDay(j.value("evaluated_on", "1970-01-01"));
  d.pending_since = ParseDay(j.value("pending_since", "1970-01-01"));
  if (j.contains("pending_band")) {
    d.pending_band =
        static_cast<engine::CadenceBand>(j.value("pending_band", 1));
  }
  if (j.contains("low_since")) {
    d.low_since = ParseDay(j.value("low_since", "1970-01-01"));
  }
  if (j.contains("changed_on")) {
    d.changed_on = ParseDay(j.value("changed_on", "1970-01-01"));
  }
  return d;
}

engine::CheckInOutcome OutcomeFromName(const std::string& name) {
  if (name == "done") return engine::CheckInOutcome::kDone;
  if (name == "skipped") return engine::CheckInOutcome::kSkipped;
  return engine::CheckInOutcome::kMissed;
}

}  // namespace

absl::StatusOr<v1::Reminder> Scheduler::GetReminder(
    const Caller& caller, const v1::GetReminderRequest& req) {
  TEND_ASSIGN_OR_RETURN(
      auto parts, internal::ParseChildName("name", req.name(), "reminders"));
  TEND_ASSIGN_OR_RETURN(Scope scope, ScopeFor(caller, "name", req.name()));
  TEND_ASSIGN_OR_RETURN(std::optional<v1::Reminder> reminder,
                        store_->LoadReminder(scope.couple_id, parts.second));
  if (!reminder.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("name: ", req.name(), " not found"));
  }
  return *reminder;
}

absl::StatusOr<v1::ListRemindersResponse> Scheduler::ListReminders(
    const Caller& caller, const v1::ListRemindersRequest& req) {
  TEND_ASSIGN_OR_RETURN(Scope scope, ScopeFor(caller, "parent", req.parent()));
  if (req.page_size() < 0) return Invalid("page_size", "must not be negative");
  if (!req.recipient_user_id().empty()) {
    TEND_RETURN_IF_ERROR(
        services::ValidateUserId("recipient_user_id", req.recipient_user_id()));
  }
  const int page_size =
      req.page_size() == 0 ? 50 : std::min(req.page_size(), 500);
  // Only the records that can be on the page are read whole (and the one
  // the page token names, which the previous page showed).
  const std::string token_id = LastSegment(req.page_token());
  TEND_ASSIGN_OR_RETURN(
      std::vector<v1::Reminder> all,
      store_->FindReminders(scope.couple_id, [&](const RecordSummary& s) {
        if (!req.page_token().empty() && s.id == token_id) return true;
        const int64_t due = absl::ToUnixSeconds(s.due);
        return (req.recipient_user_id().empty() ||
                s.recipient_user_id == req.recipient_user_id()) &&
               (req.states().empty() ||
                std::find(req.states().begin(), req.states().end(), s.state) !=
                    req.states().end()) &&
               (!req.has_start_time() || due >= req.start_time().seconds()) &&
               (!req.has_end_time() || due < req.end_time().seconds());
      }));
  // Newest due first; the page token is the last name of the previous page.
  std::sort(all.begin(), all.end(),
            [](const v1::Reminder& a, const v1::Reminder& b) {
              if (a.due_time().seconds() != b.due_time().seconds()) {
                return a.due_time().seconds() > b.due_time().seconds();
              }
              return a.name() < b.name();
            });
  v1::ListRemindersResponse response;
  bool past_token = req.page_token().empty();
  for (v1::Reminder& r : all) {
    if (!past_token) {
      past_token = r.name() == req.page_token();
      continue;
    }
    if (!req.recipient_user_id().empty() &&
        r.recipient_user_id() != req.recipient_user_id()) {
      continue;
    }
    if (!req.states().empty() &&
        std::find(req.states().begin(), req.states().end(), r.state()) ==
            req.states().end()) {
      continue;
    }
    if (req.has_start_time() &&
        r.due_time().seconds() < req.start_time().seconds()) {
      continue;
    }
    if (req.has_end_time() &&
        r.due_time().seconds() >= req.end_time().seconds()) {
      continue;
    }
    if (response.reminders_size() == page_size) {
      response.set_next_page_token(
          response.reminders(response.reminders_size() - 1).name());
      break;
    }
    *response.add_reminders() = std::move(r);
  }
  return response;
}

namespace internal {

std::optional<QuietEdge> QuietHoursAt(const engine::Couple& couple,
                                      absl::string_view user_id, absl::Time t) {
  for (const engine::Partner& p : couple.partners) {
    if (p.id != user_id || !p.quiet_hours.has_value()) continue;
    const absl::TimeZone zone = p.ZoneAt(t);
    const absl::CivilSecond local = absl::ToCivilSecond(t, zone);
    if (!p.quiet_hours->Contains(engine::TimeOfDayOf(local))) continue;
    return QuietEdge{absl::FromCivil(p.quiet_hours->EndAfter(local), zone),
                     zone};
  }
  return std::nullopt;
}

}  // namespace internal

absl::StatusOr<v1::Reminder> Scheduler::AcknowledgeReminder(
    const Caller& caller, const v1::AcknowledgeReminderRequest& req) {
  TEND_ASSIGN_OR_RETURN(
      auto parts, internal::ParseChildName("name", req.name(), "reminders"));
  TEND_ASSIGN_OR_RETURN(Scope scope, ScopeFor(caller, "name", req.name()));
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  TEND_ASSIGN_OR_RETURN(std::optional<v1::Reminder> found,
                        store_->LoadReminder(scope.couple_id, parts.second));
  // A partner's reminder is as invisible as a missing one.
  if (!found.has_value() || found->recipient_user_id() != caller.user_id) {
    return absl::NotFoundError(
        absl::StrCat("name: ", req.name(), " not found"));
  }
  v1::Reminder reminder = *std::move(found);
  if (req.action() == v1::ACKNOWLEDGE_ACTION_UNSPECIFIED ||
      !v1::AcknowledgeAction_IsValid(req.action())) {
    return Invalid("action", "must be DONE, SNOOZE or SKIP");
  }
  if (req.mood() < 0 || req.mood() > 5) {
    return Invalid("mood", "1 (low) to 5 (great), or 0 for none");
  }
  switch (reminder.state()) {
    case v1::REMINDER_STATE_DONE:
    case v1::REMINDER_STATE_SKIPPED:
      if (reminder.acknowledgement().action() == req.action()) return reminder;
      return absl::FailedPreconditionError(
          "name: this reminder was already answered");
    case v1::REMINDER_STATE_CANCELLED:
    case v1::REMINDER_STATE_DROPPED:
      return absl::FailedPreconditionError(
          "name: this reminder was not sent and cannot be answered");
    default:
      break;
  }
  const absl::Time now = clock_->Now();
  const std::string ritual_id = LastSegment(reminder.ritual());
  const std::string participant = reminder.kind() == v1::RITUAL_KIND_PERSONAL
                                      ? reminder.recipient_user_id()
                                      : "";
  const absl::Time occurrence = FromProto(reminder.occurrence_time());
  v1::Acknowledgement* ack = reminder.mutable_acknowledgement();
  ack->Clear();
  ack->set_action(req.action());
  ack->set_mood(req.mood());
  *ack->mutable_acknowledge_time() = ToProto(now);

  if (req.action() == v1::ACKNOWLEDGE_ACTION_SNOOZE) {
    const absl::Duration snooze = FromProto(req.snooze_duration());
    if (snooze < kMinSnooze || snooze > kMaxSnooze) {
      return Invalid("snooze_duration", "1 minute to 24 hours");
    }
    *ack->mutable_snooze_duration() = req.snooze_duration();
    absl::Time due = now + snooze;
    // Never into quiet hours: to the end of the window instead.
    TEND_ASSIGN_OR_RETURN(engine::Couple couple, ToEngineCouple(scope.couple));
    if (std::optional<internal::QuietEdge> quiet =
            internal::QuietHoursAt(couple, caller.user_id, due)) {
      v1::ScheduleAdjustment* a = reminder.add_adjustments();
      a->set_action(v1::ADJUSTMENT_ACTION_MOVED);
      a->set_reason(v1::ADJUSTMENT_REASON_QUIET_HOURS);
      *a->mutable_original_time() = ToProto(due);
      a->set_explanation(absl::StrCat(
          "Snoozed to ", absl::FormatTime("%H:%M", quiet->end, quiet->zone),
          ": the end of your quiet hours."));
      due = quiet->end;
    }
    v1::ScheduleAdjustment* a = reminder.add_adjustments();
    a->set_action(v1::ADJUSTMENT_ACTION_MOVED);
    a->set_reason(v1::ADJUSTMENT_REASON_SNOOZED);
    *a->mutable_original_time() = reminder.due_time();
    a->set_explanation("You snoozed it.");
    *reminder.mutable_due_time() = ToProto(due);
    reminder.set_state(v1::REMINDER_STATE_SNOOZED);
    const std::string queue_id =
        absl::StrCat(parts.second, "#s", reminder.adjustments_size());
    TEND_RETURN_IF_ERROR(queue_
                             ->Schedule({{queue_id, scope.couple_id, due,
                                          EncodeReminder(reminder)}})
                             .status());
    TEND_RETURN_IF_ERROR(store_->SaveReminders(scope.couple_id, {reminder}));
    return reminder;
  }

  const bool done = req.action() == v1::ACKNOWLEDGE_ACTION_DONE;
  reminder.set_state(done ? v1::REMINDER_STATE_DONE
                          : v1::REMINDER_STATE_SKIPPED);
  // An answer before it went out: it need not go out any more.
  TEND_RETURN_IF_ERROR(queue_->Cancel(scope.couple_id, parts.second).status());
  TEND_RETURN_IF_ERROR(store_->SaveReminders(scope.couple_id, {reminder}));
  // The same occurrence's other reminders (earlier or later lead times) are
  // answered with it.
  const RecordSummary answering = Summarize(reminder);
  TEND_ASSIGN_OR_RETURN(
      std::vector<v1::Reminder> siblings,
      store_->FindReminders(scope.couple_id, [&](const RecordSummary& s) {
        return s.ritual == answering.ritual &&
               s.recipient_user_id == caller.user_id &&
               absl::ToUnixSeconds(s.occurrence) ==
                   absl::ToUnixSeconds(answering.occurrence) &&
               s.id != answering.id;
      }));
  std::vector<v1::Reminder> answered;
  for (v1::Reminder& s : siblings) {
    if (s.ritual() == reminder.ritual() &&
        s.recipient_user_id() == caller.user_id &&
        s.occurrence_time().seconds() == reminder.occurrence_time().seconds() &&
        s.name() != reminder.name() &&
        (s.state() == v1::REMINDER_STATE_SCHEDULED ||
         s.state() == v1::REMINDER_STATE_DELIVERED ||
         s.state() == v1::REMINDER_STATE_SNOOZED)) {
      TEND_RETURN_IF_ERROR(
          queue_->Cancel(scope.couple_id, ReminderId(s)).status());
      s.set_state(reminder.state());
      *s.mutable_acknowledgement() = reminder.acknowledgement();
      answered.push_back(std::move(s));
    }
  }
  TEND_RETURN_IF_ERROR(store_->SaveReminders(scope.couple_id, answered));

  if (done) {
    TEND_ASSIGN_OR_RETURN(
        bool first,
        store_->AddOutcome(scope.couple_id,
                           OutcomeKey(ritual_id, participant, occurrence),
                           "done"));
    if (first) {
      TEND_RETURN_IF_ERROR(
          UpdateStreak(scope, ritual_id, participant, 0, "done"));
    }
  }
  if (reminder.practice() == type::v1::PRACTICE_CHECK_IN) {
    TEND_ASSIGN_OR_RETURN(engine::Couple couple, ToEngineCouple(scope.couple));
    TEND_RETURN_IF_ERROR(store_->AddCheckIn(
        scope.couple_id,
        {{"day", DayString(absl::ToCivilDay(occurrence, couple.home_zone))},
         {"outcome", done ? "done" : "skipped"},
         {"mood", req.mood()},
         {"at", absl::ToUnixSeconds(now)}}));
    TEND_RETURN_IF_ERROR(EvaluateCadence(scope).status());
  }
  Log(LogLevel::kInfo, "reminder.answered",
      {{"couple", scope.couple_id},
       {"ritual", ritual_id},
       {"action", v1::AcknowledgeAction_Name(req.action())}});
  return reminder;
}

absl::Status Scheduler::UpdateStreak(const Scope& scope,
                                     const std::string& ritual_id,
                                     const std::string& participant,
                                     int64_t /*index*/,
                                     const std::string& outcome) {
  TEND_ASSIGN_OR_RETURN(auto streaks, store_->Streaks(scope.couple_id));
  TEND_ASSIGN_OR_RETURN(std::optional<v1::Ritual> ritual,
                        store_->LoadRitual(scope.couple_id, ritual_id));
  std::vector<std::string> keys = {absl::StrCat(ritual_id, "|", participant)};
  // Shared rituals also make the couple's own streak.
  if (ritual.has_value() && ritual->kind() == v1::RITUAL_KIND_SHARED) {
    keys.push_back("couple");
  }
  for (const std::string& key : keys) {
    nlohmann::json s = streaks.count(key) && streaks[key].is_object()
                           ? streaks[key]
                           : nlohmann::json::object();
    int current = s.value("current", 0);
    int longest = s.value("longest", 0);
    if (outcome == "done") {
      ++current;
      s["last_kept"] = absl::ToUnixSeconds(clock_->Now());
    } else if (outcome == "missed") {
      current = 0;
    }
    s["current"] = current;
    s["longest"] = std::max(longest, current);
    TEND_RETURN_IF_ERROR(store_->SaveStreak(scope.couple_id, key, s));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Streaks> Scheduler::GetStreaks(
    const Caller& caller, const v1::GetStreaksRequest& req) {
  TEND_ASSIGN_OR_RETURN(Scope scope, ScopeFor(caller, "name", req.name()));
  TEND_ASSIGN_OR_RETURN(auto streaks, store_->Streaks(scope.couple_id));
  TEND_ASSIGN_OR_RETURN(std::vector<v1::Ritual> rituals,
                        store_->LoadRituals(scope.couple_id));
  auto fill = [&](const nlohmann::json& j, v1::Streak* out) {
    if (!j.is_object()) return;
    out->set_current_count(j.value("current", 0));
    out->set_longest_count(j.value("longest", 0));
    if (j.contains("last_kept")) {
      *out->mutable_last_kept_time() =
          ToProto(absl::FromUnixSeconds(j.value("last_kept", int64_t{0})));
    }
  };
  v1::Streaks out;
  out.set_name(absl::StrCat(scope.couple.name(), "/streaks"));
  if (streaks.count("couple")) fill(streaks["couple"], out.mutable_couple());
  for (const v1::Ritual& r : rituals) {
    const std::string id = LastSegment(r.name());
    std::vector<std::string> participants = {""};
    if (r.kind() == v1::RITUAL_KIND_PERSONAL) {
      participants.assign(r.participant_user_ids().begin(),
                          r.participant_user_ids().end());
    }
    for (const std::string& p : participants) {
      v1::Streak* s = out.add_rituals();
      s->set_ritual(r.name());
      s->set_user_id(p);
      s->set_frozen(r.state() == v1::RITUAL_STATE_PAUSED);
      const std::string key = absl::StrCat(id, "|", p);
      if (streaks.count(key)) fill(streaks[key], s);
    }
  }
  return out;
}

absl::StatusOr<v1::Cadence> Scheduler::EvaluateCadence(const Scope& scope) {
  TEND_ASSIGN_OR_RETURN(engine::Couple couple, ToEngineCouple(scope.couple));
  const absl::Time now = clock_->Now();
  engine::CadenceSignals signals;
  signals.today = absl::ToCivilDay(now, couple.home_zone);
  TEND_ASSIGN_OR_RETURN(std::vector<nlohmann::json> check_ins,
                        store_->CheckIns(scope.couple_id));
  double mood_sum = 0;
  int moods = 0;
  std::optional<absl::CivilDay> last_done;
  std::optional<absl::Time> last_done_time;
  for (const nlohmann::json& c : check_ins) {
    if (!c.is_object()) continue;
    const absl::CivilDay day = ParseDay(c.value("day", "1970-01-01"));
    if (day > signals.today) continue;
    const std::string outcome = c.value("outcome", "missed");
    signals.recent_check_ins.push_back({day, OutcomeFromName(outcome)});
    if (c.value("mood", 0) > 0 &&
        signals.today - day <= engine::kSignalWindowDays) {
      mood_sum += c.value("mood", 0);
      ++moods;
    }
    if (outcome == "done" && (!last_done || day > *last_done)) {
      last_done = day;
      last_done_time = absl::FromUnixSeconds(c.value("at", int64_t{0}));
    }
  }
  if (moods > 0) signals.mood = mood_sum / moods;
  TEND_ASSIGN_OR_RETURN(signals.connection_score,
                        store_->ConnectionScore(scope.couple_id));
  const absl::CivilDay since = last_done.value_or(absl::ToCivilDay(
      FromProto(scope.couple.create_time()), couple.home_zone));
  signals.days_since_last_check_in =
      std::max<int>(0, static_cast<int>(signals.today - since));
  TEND_ASSIGN_OR_RETURN(std::optional<nlohmann::json> stored,
                        store_->Cadence(scope.couple_id));
  std::optional<engine::CadenceDecision> previous;
  if (stored.has_value() && stored->is_object()) {
    previous = DecisionFromJson(*stored);
  }
  TEND_ASSIGN_OR_RETURN(engine::CadenceDecision decision,
                        engine::DecideCadence(signals, previous));
  TEND_RETURN_IF_ERROR(
      store_->SaveCadence(scope.couple_id, DecisionToJson(decision)));
  const int before = previous ? previous->interval_days : 7;
  if (decision.interval_days != before) {
    // Future check-ins follow the new cadence from now on.
    TEND_ASSIGN_OR_RETURN(std::vector<v1::Ritual> rituals,
                          store_->LoadRituals(scope.couple_id));
    std::vector<v1::Ritual> check_ins_rituals;
    for (const v1::Ritual& r : rituals) {
      if (r.ritual_template() == "ritualTemplates/weekly-check-in" &&
          r.state() == v1::RITUAL_STATE_ACTIVE) {
        TEND_RETURN_IF_ERROR(CancelQueued(scope, LastSegment(r.name())));
        check_ins_rituals.push_back(r);
      }
    }
    if (!check_ins_rituals.empty()) {
      TEND_RETURN_IF_ERROR(PlanAndQueue(scope, check_ins_rituals));
    }
    Log(LogLevel::kInfo, "cadence.changed",
        {{"couple", scope.couple_id},
         {"from_days", before},
         {"to_days", decision.interval_days}});
  }
  v1::Cadence out;
  out.set_name(absl::StrCat(scope.couple.name(), "/cadence"));
  *out.mutable_check_in_interval() =
      ToProto(absl::Hours(24) * decision.interval_days);
  for (engine::Practice p : decision.emphasis) {
    out.add_emphasised_practices(static_cast<type::v1::Practice>(p));
  }
  out.set_reason(decision.reason);
  out.set_counselling_suggested(decision.counselling_suggested);
  out.set_counselling_reason(decision.counselling_reason);
  out.set_recent_mood(signals.mood);
  if (signals.connection_score) {
    out.set_connection_score(*signals.connection_score);
  }
  if (last_done_time)
    *out.mutable_last_check_in_time() = ToProto(*last_done_time);
  out.set_drifting(decision.drifting);
  *out.mutable_update_time() = ToProto(now);
  return out;
}

absl::StatusOr<v1::Cadence> Scheduler::GetCadence(
    const Caller& caller, const v1::GetCadenceRequest& req) {
  TEND_ASSIGN_OR_RETURN(Scope scope, ScopeFor(caller, "name", req.name()));
  return EvaluateCadence(scope);
}

absl::StatusOr<v1::Cadence> Scheduler::RecordConnectionScore(
    const Caller& caller, const v1::RecordConnectionScoreRequest& req) {
  TEND_RETURN_IF_ERROR(internal::RequireService(caller));
  if (req.score() < 0 || req.score() > 100) {
    return Invalid("score", "0 to 100");
  }
  absl::string_view id = req.parent();
  if (!absl::ConsumePrefix(&id, "couples/") || id.empty()) {
    return Invalid("parent", "must look like couples/{couple}");
  }
  TEND_ASSIGN_OR_RETURN(std::vector<v1::Ritual> rituals,
                        store_->LoadRituals(id));
  if (rituals.empty() || rituals.front().participant_user_ids().empty()) {
    return absl::NotFoundError(
        absl::StrCat("parent: ", req.parent(), " has no schedule"));
  }
  TEND_ASSIGN_OR_RETURN(
      services::CoupleRef couple,
      directory_->ForUser(rituals.front().participant_user_ids(0)));
  Scope scope{*couple, CoupleId(*couple)};
  if (scope.couple_id != id) {
    return absl::NotFoundError(
        absl::StrCat("parent: ", req.parent(), " not found"));
  }
  TEND_RETURN_IF_ERROR(
      store_->SaveConnectionScore(scope.couple_id, req.score()));
  return EvaluateCadence(scope);
}

absl::Status Scheduler::ResumeAtTime(const pairing::v1::Couple& couple,
                                     const std::string& ritual_id) {
  Scope scope{couple, CoupleId(couple)};
  TEND_ASSIGN_OR_RETURN(std::optional<v1::Ritual> ritual,
                        store_->LoadRitual(scope.couple_id, ritual_id));
  if (!ritual.has_value() || ritual->state() != v1::RITUAL_STATE_PAUSED ||
      FromProto(ritual->pause().resume_time()) > clock_->Now()) {
    return absl::OkStatus();  // resumed, changed or deleted meanwhile
  }
  ritual->clear_pause();
  ritual->set_state(v1::RITUAL_STATE_ACTIVE);
  *ritual->mutable_update_time() = ToProto(clock_->Now());
  TEND_RETURN_IF_ERROR(store_->SaveRitual(scope.couple_id, ritual_id, *ritual));
  return PlanAndQueue(scope, {*ritual});
}

absl::StatusOr<bool> Scheduler::SettleMissed(const Scope& scope,
                                             const v1::Ritual& ritual,
                                             const Tick& tick) {
  const std::string key =
      OutcomeKey(tick.ritual_id, tick.participant_id, *tick.previous_start);
  // Nobody kept it, and it was neither skipped nor paused; the first tick
  // to get here records it.
  TEND_ASSIGN_OR_RETURN(bool first,
                        store_->AddOutcome(scope.couple_id, key, "missed"));
  if (!first) return false;
  TEND_RETURN_IF_ERROR(
      UpdateStreak(scope, tick.ritual_id, tick.participant_id, 0, "missed"));
  if (ritual.practice() != type::v1::PRACTICE_CHECK_IN) return false;
  TEND_ASSIGN_OR_RETURN(engine::Couple c, ToEngineCouple(scope.couple));
  TEND_RETURN_IF_ERROR(store_->AddCheckIn(
      scope.couple_id,
      {{"day", DayString(absl::ToCivilDay(*tick.previous_start, c.home_zone))},
       {"outcome", "missed"},
       {"mood", 0},
       {"at", absl::ToUnixSeconds(clock_->Now())}}));
  TEND_RETURN_IF_ERROR(EvaluateCadence(scope).status());
  return true;
}

absl::StatusOr<PlannedItems> Scheduler::SettleAndPlan(
    const pairing::v1::Couple& couple, const Tick& tick) {
  return std::move(SettleAndPlanBatch({{&couple, &tick}})[0]);
}

std::vector<absl::StatusOr<PlannedItems>> Scheduler::SettleAndPlanBatch(
    const std::vector<TickJob>& jobs) {
  constexpr size_t kNone = static_cast<size_t>(-1);
  std::vector<absl::StatusOr<PlannedItems>> results(jobs.size(),
                                                    PlannedItems());
  // One read for the whole batch: per couple, each tick's ritual, the
  // outcome of the occurrence it settles, and the plan inputs over the
  // union of the ticks' windows.
  std::vector<Scope> scopes;
  std::vector<CoupleReads> reads;
  absl::flat_hash_map<std::string, size_t> couple_slot;
  std::vector<size_t> read_of(jobs.size()), ritual_at(jobs.size()),
      outcome_at(jobs.size(), kNone);
  for (size_t i = 0; i < jobs.size(); ++i) {
    const Tick& tick = *jobs[i].tick;
    std::string couple_id = CoupleId(*jobs[i].couple);
    auto [it, added] = couple_slot.try_emplace(couple_id, reads.size());
    if (added) {
      scopes.push_back({*jobs[i].couple, couple_id});
      reads.push_back({});
      reads.back().couple_id = couple_id;
      reads.back().plan_window = PlanWindow(tick.start);
      reads.back().expired_before = clock_->Now() - store_->retention();
    }
    CoupleReads& r = reads[it->second];
    read_of[i] = it->second;
    const auto window = PlanWindow(tick.start);
    r.plan_window->first = std::min(r.plan_window->first, window.first);
    r.plan_window->second = std::max(r.plan_window->second, window.second);
    ritual_at[i] = r.ritual_ids.size();
    r.ritual_ids.push_back(tick.ritual_id);
    if (tick.previous_start.has_value()) {
      outcome_at[i] = r.outcome_keys.size();
      r.outcome_keys.push_back(OutcomeKey(tick.ritual_id, tick.participant_id,
                                          *tick.previous_start));
    }
  }
  auto fail_all = [&results](const absl::Status& status) {
    for (absl::StatusOr<PlannedItems>& r : results) {
      if (r.ok()) r = status;
    }
  };
  absl::StatusOr<std::vector<CoupleData>> data = store_->ReadCouples(reads);
  if (!data.ok()) {
    fail_all(data.status());
    return results;
  }
  // Settle and draft tick by tick, in claim order, as if one at a time.
  for (size_t i = 0; i < jobs.size(); ++i) {
    const Tick& tick = *jobs[i].tick;
    const Scope& scope = scopes[read_of[i]];
    CoupleData& d = (*data)[read_of[i]];
    if (!d.rituals[ritual_at[i]].ok()) {
      results[i] = d.rituals[ritual_at[i]].status();
      continue;
    }
    const std::optional<v1::Ritual>& ritual = *d.rituals[ritual_at[i]];
    if (!ritual.has_value() || ritual->state() != v1::RITUAL_STATE_ACTIVE) {
      continue;  // deleted or paused since: the chain ends here
    }
    if (outcome_at[i] != kNone && d.outcomes[outcome_at[i]].empty()) {
      absl::StatusOr<bool> evaluated = SettleMissed(scope, *ritual, tick);
      if (evaluated.ok() && *evaluated) {
        // The cadence may have changed what the next check-in is.
        absl::StatusOr<std::optional<nlohmann::json>> cadence =
            store_->Cadence(scope.couple_id);
        if (cadence.ok()) d.plan.cadence = *std::move(cadence);
        evaluated = cadence.status().ok() ? evaluated : cadence.status();
      }
      if (!evaluated.ok()) {
        results[i] = evaluated.status();
        continue;
      }
    }
    engine::StreamCursor cursor{tick.ritual_id, tick.participant_id,
                                tick.index};
    results[i] =
        planner_.Draft(scope.couple, {*ritual}, tick.start, {cursor}, &d.plan);
  }
  // A reminder already sent or answered keeps its record: one read of
  // every draft's record, then one write of what is left.
  std::vector<CoupleReads> existing(reads.size());
  for (size_t k = 0; k < reads.size(); ++k) {
    existing[k].couple_id = reads[k].couple_id;
  }
  std::vector<size_t> first_record(jobs.size(), 0);
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (!results[i].ok()) continue;
    std::vector<std::string>& ids = existing[read_of[i]].reminder_ids;
    first_record[i] = ids.size();
    for (const v1::Reminder& r : results[i]->records) {
      ids.push_back(ReminderId(r));
    }
  }
  absl::StatusOr<std::vector<CoupleData>> records =
      store_->ReadCouples(existing);
  if (!records.ok()) {
    fail_all(records.status());
    return results;
  }
  std::vector<CoupleWrites> writes(reads.size());
  for (size_t k = 0; k < reads.size(); ++k) {
    writes[k].couple_id = reads[k].couple_id;
    writes[k].forget = std::move((*data)[k].expired_ids);
  }
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (!results[i].ok()) continue;
    const std::vector<std::optional<RecordSummary>>& all =
        (*records)[read_of[i]].reminders;
    PlannedItems& items = *results[i];
    const auto from = all.begin() + first_record[i];
    ReminderPlanner::DropSettled({from, from + items.records.size()}, &items);
    CoupleWrites& w = writes[read_of[i]];
    w.reminders.insert(w.reminders.end(), items.records.begin(),
                       items.records.end());
    w.ticks.insert(w.ticks.end(), items.queued.begin(), items.queued.end());
  }
  absl::Status written = store_->WriteCouples(writes);
  if (!written.ok()) fail_all(written);
  return results;
}

}  // namespace tend::scheduler
