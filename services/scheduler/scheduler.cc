// Rituals, templates, previews and the service-to-service methods. The
// reminder-side methods (answers, streaks, cadence, ticks) are in care.cc.
#include "services/scheduler/scheduler.h"

#include <algorithm>
#include <functional>
#include <set>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "engine/base/log.h"
#include "engine/base/status_macros.h"
#include "engine/calendar/calendar.h"
#include "engine/plan/ritual_templates.h"
#include "engine/recur/recurrence.h"
#include "google/protobuf/util/field_mask_util.h"
#include "services/common/request_log.h"
#include "services/scheduler/convert.h"
#include "services/scheduler/scheduler_internal.h"

namespace tend::scheduler {

using internal::Invalid;
using internal::RequireUser;

namespace internal {

absl::Status Invalid(absl::string_view field, absl::string_view rule) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", rule));
}

absl::Status RequireUser(const Caller& caller) {
  if (caller.is_service) {
    return absl::PermissionDeniedError(
        "authorization: this method is for users, not services");
  }
  return absl::OkStatus();
}

absl::Status RequireService(const Caller& caller) {
  if (!caller.is_service) {
    return absl::PermissionDeniedError(
        "authorization: this method needs a service token");
  }
  return absl::OkStatus();
}

std::string LastSegment(absl::string_view name) {
  return std::string(name.substr(name.rfind('/') + 1));
}

absl::StatusOr<std::string> ParseCoupleName(absl::string_view field,
                                            absl::string_view name) {
  absl::string_view id = name;
  bool ok =
      absl::ConsumePrefix(&id, "couples/") && !id.empty() && id.size() <= 64;
  for (char c : id) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || c == '-' || c == '_');
  }
  if (!ok) {
    return Invalid(field,
                   "must look like couples/{couple}, the id 1 to 64 of "
                   "[A-Za-z0-9_-]");
  }
  return std::string(id);
}

absl::StatusOr<std::pair<std::string, std::string>> ParseChildName(
    absl::string_view field, absl::string_view name,
    absl::string_view collection) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != "couples" || parts[2] != collection ||
      parts[1].empty() || parts[3].empty()) {
    return Invalid(field, absl::StrCat("must look like couples/{couple}/",
                                       collection, "/{id}"));
  }
  return std::make_pair(std::string(parts[1]), std::string(parts[3]));
}

}  // namespace internal

namespace {

using internal::LastSegment;
using internal::ParseChildName;

constexpr int kMaxTitle = 80;
constexpr int kMaxDescription = 1000;
constexpr int kMaxNote = 280;
constexpr absl::Duration kConflictHorizon = absl::Hours(24 * 60);

bool IsValidRitualId(absl::string_view id) {
  if (id.empty() || id.size() > 40) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return true;
}

std::string Etag(v1::Ritual ritual) {
  ritual.clear_etag();
  ritual.clear_next_occurrence_time();
  return absl::StrCat(
      absl::Hex(std::hash<std::string>()(ritual.SerializeAsString())));
}

absl::Status CheckEtag(absl::string_view given, const v1::Ritual& ritual) {
  if (!given.empty() && given != Etag(ritual)) {
    return absl::AbortedError(
        "etag: the ritual changed since you read it; reload it");
  }
  return absl::OkStatus();
}

bool IsPartner(const pairing::v1::Couple& couple, absl::string_view user) {
  for (const auto& p : couple.partners()) {
    if (p.user_id() == user) return true;
  }
  return false;
}

// The partners whose acceptance makes a proposal active: both.
bool AllAccepted(const pairing::v1::Couple& couple,
                 const v1::RitualProposal& proposal) {
  for (const auto& p : couple.partners()) {
    if (std::find(proposal.accepted_user_ids().begin(),
                  proposal.accepted_user_ids().end(),
                  p.user_id()) == proposal.accepted_user_ids().end()) {
      return false;
    }
  }
  return true;
}

absl::Status ValidateTexts(const v1::Ritual& ritual, absl::string_view note) {
  if (ritual.title().empty() || ritual.title().size() > kMaxTitle) {
    return Invalid("ritual.title", "1 to 80 characters");
  }
  if (ritual.description().size() > kMaxDescription) {
    return Invalid("ritual.description", "at most 1000 characters");
  }
  if (note.size() > kMaxNote) return Invalid("note", "at most 280 characters");
  return absl::OkStatus();
}

// Fills what a ritual leaves unset from its template, or checks a custom
// ritual has what it needs.
absl::Status ApplyTemplate(const engine::Couple& couple, absl::Time now,
                           v1::Ritual* ritual) {
  if (ritual->ritual_template().empty()) {
    if (ritual->kind() == v1::RITUAL_KIND_UNSPECIFIED) {
      return Invalid("ritual.kind", "required for a custom ritual");
    }
    if (!ritual->recurrence().has_dtstart()) {
      return Invalid("ritual.recurrence.dtstart",
                     "required for a custom ritual");
    }
    return absl::OkStatus();
  }
  absl::string_view id = ritual->ritual_template();
  if (!absl::ConsumePrefix(&id, "ritualTemplates/")) {
    return Invalid("ritual.ritual_template",
                   "must look like ritualTemplates/{id}");
  }
  const engine::RitualTemplate* t = engine::FindRitualTemplate(id);
  if (t == nullptr) {
    return Invalid("ritual.ritual_template",
                   absl::StrCat("no template '", id, "'"));
  }
  const v1::RitualTemplate defaults = FromTemplate(*t);
  if (ritual->title().empty()) ritual->set_title(defaults.title());
  if (ritual->description().empty()) {
    ritual->set_description(defaults.description());
  }
  if (ritual->kind() == v1::RITUAL_KIND_UNSPECIFIED) {
    ritual->set_kind(defaults.kind());
  }
  if (ritual->practice() == type::v1::PRACTICE_UNSPECIFIED) {
    ritual->set_practice(defaults.practice());
  }
  v1::Recurrence* rec = ritual->mutable_recurrence();
  if (rec->rrule().empty() && !rec->has_dtstart()) rec->set_rrule(t->rrule);
  if (!rec->has_dtstart()) {
    // The first day from tomorrow on that the rule itself gives, at the
    // template's time in the couple's home zone. (DTSTART always counts as
    // an occurrence, so starting on a day the rule skips would add one.)
    const absl::CivilDay tomorrow = absl::ToCivilDay(now, couple.home_zone) + 1;
    absl::CivilDay first = tomorrow;
    const absl::CivilSecond at(2000, 1, 1, t->time.hours, t->time.minutes, 0);
    if (!rec->rrule().empty()) {
      const absl::CivilDay back = tomorrow - 800;
      absl::StatusOr<engine::Recurrence> probe = engine::Recurrence::Parse(
          rec->rrule(),
          absl::CivilSecond(back.year(), back.month(), back.day(), at.hour(),
                            at.minute(), 0),
          couple.home_zone);
      if (probe.ok()) {
        if (auto next = probe->NextAfter(
                absl::FromCivil(absl::CivilSecond(tomorrow), couple.home_zone) -
                absl::Seconds(1))) {
          first = absl::CivilDay(next->local);
        }
      }
    }
    type::v1::LocalDateTime* start = rec->mutable_dtstart();
    start->mutable_date()->set_year(static_cast<int32_t>(first.year()));
    start->mutable_date()->set_month(first.month());
    start->mutable_date()->set_day(first.day());
    *start->mutable_time() = defaults.time();
  }
  if (rec->anchor() == v1::TIME_ANCHOR_UNSPECIFIED) {
    rec->set_anchor(defaults.anchor());
    *rec->mutable_anchor_offset() = defaults.anchor_offset();
  }
  if (!ritual->has_duration())
    *ritual->mutable_duration() = defaults.duration();
  if (ritual->lead_times().empty()) {
    *ritual->mutable_lead_times() = defaults.lead_times();
  }
  return absl::OkStatus();
}

// The participants: both partners for a shared ritual; the caller by
// default for a personal one.
absl::Status FixParticipants(const pairing::v1::Couple& couple,
                             const std::string& caller, v1::Ritual* ritual) {
  if (ritual->kind() == v1::RITUAL_KIND_SHARED) {
    ritual->clear_participant_user_ids();
    for (const auto& p : couple.partners()) {
      ritual->add_participant_user_ids(p.user_id());
    }
    return absl::OkStatus();
  }
  if (ritual->participant_user_ids().empty()) {
    ritual->add_participant_user_ids(caller);
  }
  std::set<std::string> seen;
  for (const std::string& id : ritual->participant_user_ids()) {
    if (!IsPartner(couple, id)) {
      return Invalid("ritual.participant_user_ids",
                     "every participant must be a partner of the couple");
    }
    if (!seen.insert(id).second) {
      return Invalid("ritual.participant_user_ids", "names someone twice");
    }
  }
  return absl::OkStatus();
}

// Checks a ritual the way the planner will use it, and that a shared one
// fits both partners' waking hours. The API says so when it does not.
absl::Status ValidateForCouple(const pairing::v1::Couple& couple,
                               const v1::Ritual& ritual, absl::Time now) {
  TEND_ASSIGN_OR_RETURN(engine::Couple engine_couple, ToEngineCouple(couple));
  TEND_ASSIGN_OR_RETURN(engine::Ritual engine_ritual, ToEngineRitual(ritual));
  TEND_RETURN_IF_ERROR(engine::ValidateRitual(engine_ritual));
  absl::StatusOr<engine::Plan> plan = engine::PlanRituals(
      engine_couple, {engine_ritual}, now, now + kConflictHorizon);
  if (!plan.ok()) {
    // The engine names fields as ritual[id].x; the API calls it ritual.x.
    std::string message(plan.status().message());
    const std::string prefix = absl::StrCat("ritual[", engine_ritual.id, "]");
    if (absl::StartsWith(message, prefix)) {
      message = absl::StrCat("ritual", message.substr(prefix.size()));
    }
    return absl::Status(plan.status().code(), message);
  }
  if (!plan->conflicts.empty()) {
    const engine::Conflict& c = plan->conflicts.front();
    return absl::FailedPreconditionError(
        absl::StrCat("ritual.recurrence: ", c.explanation));
  }
  return absl::OkStatus();
}

// For a suggestion (never a partner's own choice): when a shared ritual
// falls outside someone's waking hours, takes the planner's nearest
// proposal that suits both, keeping its day of the week.
absl::Status FitToBothPartners(const pairing::v1::Couple& couple,
                               absl::Time now, v1::Ritual* ritual) {
  absl::Status fits = ValidateForCouple(couple, *ritual, now);
  if (!absl::IsFailedPrecondition(fits)) return fits;
  TEND_ASSIGN_OR_RETURN(engine::Couple c, ToEngineCouple(couple));
  TEND_ASSIGN_OR_RETURN(engine::Ritual r, ToEngineRitual(*ritual));
  TEND_ASSIGN_OR_RETURN(
      engine::Plan plan,
      engine::PlanRituals(c, {r}, now, now + kConflictHorizon));
  for (const engine::Conflict& conflict : plan.conflicts) {
    for (const engine::Proposal& p : conflict.proposals) {
      const absl::TimeZone zone = r.zone.value_or(c.home_zone);
      const absl::CivilSecond local = absl::ToCivilSecond(p.start, zone);
      const absl::CivilSecond original =
          absl::ToCivilSecond(conflict.start, zone);
      if (absl::CivilDay(local) != absl::CivilDay(original)) continue;
      ritual->mutable_recurrence()
          ->mutable_dtstart()
          ->mutable_time()
          ->set_hours(local.hour());
      ritual->mutable_recurrence()
          ->mutable_dtstart()
          ->mutable_time()
          ->set_minutes(local.minute());
      return ValidateForCouple(couple, *ritual, now);
    }
  }
  return fits;
}

// Copies the masked fields of `from` into `to`; lists are replaced whole.
void ApplyMask(const v1::Ritual& from, const google::protobuf::FieldMask& mask,
               v1::Ritual* to) {
  google::protobuf::util::FieldMaskUtil::MergeOptions options;
  options.set_replace_repeated_fields(true);
  google::protobuf::util::FieldMaskUtil::MergeMessageTo(from, mask, options,
                                                        to);
}

}  // namespace

Scheduler::Scheduler(SchedulerStore* store, engine::DueQueue* queue,
                     services::CoupleDirectory* directory,
                     const engine::Clock* clock,
                     SchedulerOptions options)
    : store_(store),
      queue_(queue),
      directory_(directory),
      clock_(clock),
      options_(options),
      planner_(store, clock) {}

absl::StatusOr<Scheduler::Scope> Scheduler::ScopeFor(const Caller& caller,
                                                     absl::string_view field,
                                                     absl::string_view name) {
  TEND_RETURN_IF_ERROR(RequireUser(caller));
  TEND_ASSIGN_OR_RETURN(services::CoupleRef couple,
                        directory_->ForUser(caller.user_id));
  Scope scope{*couple, CoupleId(*couple)};
  if (!name.empty()) {
    TEND_ASSIGN_OR_RETURN(
        std::string id,
        internal::ParseCoupleName(field, name.substr(0, name.find('/', 8))));
    if (id != scope.couple_id) {
      // Another couple's resource looks exactly like a missing one.
      return absl::NotFoundError(absl::StrCat(field, ": ", name, " not found"));
    }
  }
  return scope;
}

absl::StatusOr<std::pair<Scheduler::Scope, v1::Ritual>>
Scheduler::LoadRitualFor(const Caller& caller, absl::string_view name) {
  TEND_ASSIGN_OR_RETURN(auto parts, ParseChildName("name", name, "rituals"));
  TEND_ASSIGN_OR_RETURN(Scope scope, ScopeFor(caller, "name", name));
  TEND_ASSIGN_OR_RETURN(std::optional<v1::Ritual> ritual,
                        store_->LoadRitual(scope.couple_id, parts.second));
  if (!ritual.has_value()) {
    return absl::NotFoundError(absl::StrCat("name: ", name, " not found"));
  }
  return std::make_pair(std::move(scope), *std::move(ritual));
}

v1::Ritual Scheduler::Finish(const Scope& scope, v1::Ritual ritual) {
  ritual.clear_next_occurrence_time();
  if (ritual.state() == v1::RITUAL_STATE_ACTIVE ||
      ritual.state() == v1::RITUAL_STATE_PROPOSED) {
    absl::StatusOr<engine::Couple> couple = ToEngineCouple(scope.couple);
    absl::StatusOr<engine::Ritual> r = ToEngineRitual(ritual);
    if (couple.ok() && r.ok()) {
      absl::TimeZone zone = couple->home_zone;
      if (r->zone.has_value()) {
        zone = *r->zone;
      } else if (r->kind == engine::RitualKind::kPersonal &&
                 !r->participant_ids.empty()) {
        for (const engine::Partner& p : couple->partners) {
          if (p.id == r->participant_ids.front()) zone = p.zone;
        }
      }
      absl::StatusOr<engine::Recurrence> rec = engine::Recurrence::Parse(
          r->rrule.empty() ? "FREQ=DAILY;COUNT=1" : r->rrule, r->dtstart, zone);
      if (rec.ok()) {
        if (auto next = rec->NextAfter(clock_->Now())) {
          *ritual.mutable_next_occurrence_time() = ToProto(next->instant);
        }
      }
    }
  }
  ritual.set_etag(Etag(ritual));
  return ritual;
}

absl::Status Scheduler::PlanAndQueue(const Scope& scope,
                                     const std::vector<v1::Ritual>& rituals) {
  TEND_ASSIGN_OR_RETURN(
      PlannedItems items,
      planner_.PlanNext(scope.couple, rituals, clock_->Now(), {}));
  TEND_RETURN_IF_ERROR(queue_->Schedule(items.queued).status());
  return store_->SaveTicks(scope.couple_id, items.queued);
}

absl::Status Scheduler::CancelQueued(const Scope& scope,
                                     absl::string_view ritual_id) {
  const std::string ritual_name = RitualName(scope.couple_id, ritual_id);
  TEND_ASSIGN_OR_RETURN(
      std::vector<v1::Reminder> records,
      store_->FindReminders(scope.couple_id, [&](const RecordSummary& s) {
        return s.ritual == ritual_name;
      }));
  std::vector<v1::Reminder> cancelled;
  for (v1::Reminder& r : records) {
    if (r.ritual() != ritual_name ||
        (r.state() != v1::REMINDER_STATE_SCHEDULED &&
         r.state() != v1::REMINDER_STATE_SNOOZED)) {
      continue;
    }
    TEND_RETURN_IF_ERROR(
        queue_->Cancel(scope.couple_id, ReminderId(r)).status());
    r.set_state(v1::REMINDER_STATE_CANCELLED);
    cancelled.push_back(std::move(r));
  }
  TEND_RETURN_IF_ERROR(store_->SaveReminders(scope.couple_id, cancelled));
  TEND_ASSIGN_OR_RETURN(std::vector<std::string> ticks,
                        store_->TakeTicks(scope.couple_id, ritual_id));
  for (const std::string& tick : ticks) {
    TEND_RETURN_IF_ERROR(queue_->Cancel(scope.couple_id, tick).status());
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Ritual> Scheduler::Activate(const Scope& scope,
                                               v1::Ritual ritual,
                                               const std::string& caller_id) {
  ritual.set_state(v1::RITUAL_STATE_ACTIVE);
  ritual.clear_proposal();
  *ritual.mutable_accept_time() = ToProto(clock_->Now());
  *ritual.mutable_update_time() = ToProto(clock_->Now());
  const std::string id = LastSegment(ritual.name());
  TEND_RETURN_IF_ERROR(store_->SaveRitual(scope.couple_id, id, ritual));
  TEND_RETURN_IF_ERROR(PlanAndQueue(scope, {ritual}));
  Log(LogLevel::kInfo, "ritual.active",
      {{"couple", scope.couple_id}, {"ritual", id}, {"user", caller_id}});
  return Finish(scope, std::move(ritual));
}

absl::StatusOr<v1::Ritual> Scheduler::CreateRitual(
    const Caller& caller, const v1::CreateRitualRequest& req) {
  TEND_ASSIGN_OR_RETURN(Scope scope, ScopeFor(caller, "parent", req.parent()));
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  const absl::Time now = clock_->Now();
  TEND_ASSIGN_OR_RETURN(engine::Couple engine_couple,
                        ToEngineCouple(scope.couple));
  v1::Ritual ritual = req.ritual();
  TEND_RETURN_IF_ERROR(ApplyTemplate(engine_couple, now, &ritual));
  TEND_RETURN_IF_ERROR(FixParticipants(scope.couple, caller.user_id, &ritual));
  TEND_RETURN_IF_ERROR(ValidateTexts(ritual, req.note()));
  std::string id = req.ritual_id();
  if (id.empty()) {
    const std::string base = ritual.ritual_template().empty()
                                 ? "ritual"
                                 : LastSegment(ritual.ritual_template());
    // Random, not time-based: two rituals created in the same instant must
    // not collide.
    static absl::Mutex gen_mu(absl::kConstInit);
    static absl::BitGen* const gen = new absl::BitGen();
    uint32_t suffix;
    {
      absl::MutexLock lock(&gen_mu);
      suffix = absl::Uniform<uint32_t>(*gen);
    }
    id = absl::StrCat(base, "-", absl::Hex(suffix, absl::kZeroPad8));
  }
  if (!IsValidRitualId(id)) {
    return Invalid("ritual_id", "1 to 40 of a-z, 0-9 and '-'");
  }
  ritual.set_name(RitualName(scope.couple_id, id));
  TEND_RETURN_IF_ERROR(ValidateForCouple(scope.couple, ritual, now));

  const bool just_mine = ritual.kind() == v1::RITUAL_KIND_PERSONAL &&
                         ritual.participant_user_ids_size() == 1 &&
                         ritual.participant_user_ids(0) == caller.user_id;
  *ritual.mutable_create_time() = ToProto(now);
  *ritual.mutable_update_time() = ToProto(now);
  ritual.clear_proposal();
  ritual.clear_pause();
  if (just_mine) {
    ritual.set_state(v1::RITUAL_STATE_ACTIVE);
    *ritual.mutable_accept_time() = ToProto(now);
  } else {
    ritual.set_state(v1::RITUAL_STATE_PROPOSED);
    v1::RitualProposal* proposal = ritual.mutable_proposal();
    proposal->set_proposer_user_id(caller.user_id);
    proposal->add_accepted_user_ids(caller.user_id);
    proposal->set_note(req.note());
    *proposal->mutable_create_time() = ToProto(now);
  }
  if (req.validate_only()) return Finish(scope, std::move(ritual));
  TEND_RETURN_IF_ERROR(store_->CreateRitual(scope.couple_id, id, ritual));
  if (just_mine) TEND_RETURN_IF_ERROR(PlanAndQueue(scope, {ritual}));
  Log(LogLevel::kInfo, "ritual.created",
      {{"couple", scope.couple_id}, {"ritual", id}, {"user", caller.user_id}});
  return Finish(scope, std::move(ritual));
}

absl::StatusOr<v1::Ritual> Scheduler::GetRitual(
    const Caller& caller, const v1::GetRitualRequest& req) {
  TEND_ASSIGN_OR_RETURN(auto loaded, LoadRitualFor(caller, req.name()));
  return Finish(loaded.first, std::move(loaded.second));
}

absl::StatusOr<v1::ListRitualsResponse> Scheduler::ListRituals(
    const Caller& caller, const v1::ListRitualsRequest& req) {
  TEND_ASSIGN_OR_RETURN(Scope scope, ScopeFor(caller, "parent", req.parent()));
  if (req.page_size() < 0) return Invalid("page_size", "must not be negative");
  const int page_size =
      req.page_size() == 0 ? 50 : std::min(req.page_size(), 200);
  TEND_ASSIGN_OR_RETURN(std::vector<v1::Ritual> rituals,
                        store_->LoadRituals(scope.couple_id));
  std::sort(rituals.begin(), rituals.end(),
            [](const v1::Ritual& a, const v1::Ritual& b) {
              return a.name() < b.name();
            });
  // The page token is the name of the last ritual of the previous page.
  v1::ListRitualsResponse response;
  for (v1::Ritual& r : rituals) {
    if (!req.page_token().empty() && r.name() <= req.page_token()) continue;
    if (!req.states().empty() &&
        std::find(req.states().begin(), req.states().end(), r.state()) ==
            req.states().end()) {
      continue;
    }
    if (response.rituals_size() == page_size) {
      response.set_next_page_token(
          response.rituals(response.rituals_size() - 1).name());
      break;
    }
    *response.add_rituals() = Finish(scope, std::move(r));
  }
  return response;
}

absl::StatusOr<v1::Ritual> Scheduler::UpdateRitual(
    const Caller& caller, const v1::UpdateRitualRequest& req) {
  TEND_ASSIGN_OR_RETURN(auto loaded,
                        LoadRitualFor(caller, req.ritual().name()));
  auto& [scope, ritual] = loaded;
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  TEND_RETURN_IF_ERROR(CheckEtag(req.ritual().etag(), ritual));
  static const std::set<std::string> kMutable = {"title",
                                                 "description",
                                                 "recurrence",
                                                 "recurrence.rrule",
                                                 "recurrence.dtstart",
                                                 "recurrence.time_zone",
                                                 "recurrence.anchor",
                                                 "recurrence.anchor_offset",
                                                 "duration",
                                                 "lead_times",
                                                 "participant_user_ids",
                                                 "practice"};
  if (req.update_mask().paths().empty()) {
    return Invalid("update_mask", "name the fields to change");
  }
  for (const std::string& path : req.update_mask().paths()) {
    if (!kMutable.count(path)) {
      return Invalid("update_mask.paths",
                     absl::StrCat("'", path, "' cannot be changed"));
    }
  }
  if (ritual.state() == v1::RITUAL_STATE_DECLINED ||
      ritual.state() == v1::RITUAL_STATE_ENDED) {
    return absl::FailedPreconditionError(
        "ritual.state: a declined or ended ritual cannot change");
  }
  v1::Ritual changed = ritual;
  ApplyMask(req.ritual(), req.update_mask(), &changed);
  TEND_RETURN_IF_ERROR(FixParticipants(scope.couple, caller.user_id, &changed));
  TEND_RETURN_IF_ERROR(ValidateTexts(changed, req.note()));
  const absl::Time now = clock_->Now();
  TEND_RETURN_IF_ERROR(ValidateForCouple(scope.couple, changed, now));
  if (req.validate_only()) return Finish(scope, std::move(changed));
  const std::string id = LastSegment(ritual.name());

  const bool own_proposal =
      ritual.state() == v1::RITUAL_STATE_PROPOSED &&
      ritual.proposal().proposer_user_id() == caller.user_id;
  const bool just_mine = ritual.kind() == v1::RITUAL_KIND_PERSONAL &&
                         changed.participant_user_ids_size() == 1 &&
                         changed.participant_user_ids(0) == caller.user_id;
  if (own_proposal || just_mine) {
    // Nobody else has agreed to it yet, or it concerns only the caller.
    *changed.mutable_update_time() = ToProto(now);
    TEND_RETURN_IF_ERROR(store_->SaveRitual(scope.couple_id, id, changed));
    if (changed.state() == v1::RITUAL_STATE_ACTIVE) {
      TEND_RETURN_IF_ERROR(CancelQueued(scope, id));
      TEND_RETURN_IF_ERROR(PlanAndQueue(scope, {changed}));
    }
    return Finish(scope, std::move(changed));
  }
  // A change to an agreed ritual is a proposal the partner accepts.
  v1::RitualProposal* proposal = ritual.mutable_proposal();
  proposal->Clear();
  proposal->set_proposer_user_id(caller.user_id);
  proposal->add_accepted_user_ids(caller.user_id);
  *proposal->mutable_change() = req.ritual();
  proposal->mutable_change()->clear_etag();
  *proposal->mutable_update_mask() = req.update_mask();
  proposal->set_note(req.note());
  *proposal->mutable_create_time() = ToProto(now);
  *ritual.mutable_update_time() = ToProto(now);
  TEND_RETURN_IF_ERROR(store_->SaveRitual(scope.couple_id, id, ritual));
  return Finish(scope, std::move(ritual));
}

absl::StatusOr<google::protobuf::Empty> Scheduler::DeleteRitual(
    const Caller& caller, const v1::DeleteRitualRequest& req) {
  TEND_ASSIGN_OR_RETURN(auto loaded, LoadRitualFor(caller, req.name()));
  auto& [scope, ritual] = loaded;
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  TEND_RETURN_IF_ERROR(CheckEtag(req.etag(), ritual));
  const std::string id = LastSegment(ritual.name());
  TEND_RETURN_IF_ERROR(CancelQueued(scope, id));
  TEND_RETURN_IF_ERROR(store_->DeleteRitual(scope.couple_id, id));
  Log(LogLevel::kInfo, "ritual.deleted",
      {{"couple", scope.couple_id}, {"ritual", id}, {"user", caller.user_id}});
  return google::protobuf::Empty();
}

absl::StatusOr<v1::Ritual> Scheduler::AcceptRitual(
    const Caller& caller, const v1::AcceptRitualRequest& req) {
  TEND_ASSIGN_OR_RETURN(auto loaded, LoadRitualFor(caller, req.name()));
  auto& [scope, ritual] = loaded;
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  TEND_RETURN_IF_ERROR(CheckEtag(req.etag(), ritual));
  if (!ritual.has_proposal()) {
    return absl::FailedPreconditionError(
        "name: nothing about this ritual waits for acceptance");
  }
  v1::RitualProposal* proposal = ritual.mutable_proposal();
  const auto& accepted = proposal->accepted_user_ids();
  if (std::find(accepted.begin(), accepted.end(), caller.user_id) !=
      accepted.end()) {
    return absl::FailedPreconditionError(
        "name: you have accepted already; it waits for your partner");
  }
  proposal->add_accepted_user_ids(caller.user_id);
  const std::string id = LastSegment(ritual.name());
  if (!AllAccepted(scope.couple, *proposal)) {
    TEND_RETURN_IF_ERROR(store_->SaveRitual(scope.couple_id, id, ritual));
    return Finish(scope, std::move(ritual));
  }
  if (ritual.state() == v1::RITUAL_STATE_PROPOSED) {
    return Activate(scope, std::move(ritual), caller.user_id);
  }
  // An agreed change: apply it and re-plan.
  v1::Ritual changed = ritual;
  ApplyMask(proposal->change(), proposal->update_mask(), &changed);
  changed.clear_proposal();
  TEND_RETURN_IF_ERROR(ValidateForCouple(scope.couple, changed, clock_->Now()));
  *changed.mutable_update_time() = ToProto(clock_->Now());
  TEND_RETURN_IF_ERROR(store_->SaveRitual(scope.couple_id, id, changed));
  if (changed.state() == v1::RITUAL_STATE_ACTIVE) {
    TEND_RETURN_IF_ERROR(CancelQueued(scope, id));
    TEND_RETURN_IF_ERROR(PlanAndQueue(scope, {changed}));
  }
  return Finish(scope, std::move(changed));
}

absl::StatusOr<v1::BatchAcceptRitualsResponse> Scheduler::BatchAcceptRituals(
    const Caller& caller, const v1::BatchAcceptRitualsRequest& req) {
  TEND_ASSIGN_OR_RETURN(Scope scope, ScopeFor(caller, "parent", req.parent()));
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  std::vector<std::string> names(req.names().begin(), req.names().end());
  if (names.empty()) {
    // Everything that waits for the caller.
    TEND_ASSIGN_OR_RETURN(std::vector<v1::Ritual> rituals,
                          store_->LoadRituals(scope.couple_id));
    for (const v1::Ritual& r : rituals) {
      const auto& accepted = r.proposal().accepted_user_ids();
      if (r.has_proposal() && std::find(accepted.begin(), accepted.end(),
                                        caller.user_id) == accepted.end()) {
        names.push_back(r.name());
      }
    }
  }
  v1::BatchAcceptRitualsResponse response;
  for (const std::string& name : names) {
    v1::AcceptRitualRequest one;
    one.set_name(name);
    TEND_ASSIGN_OR_RETURN(*response.add_rituals(), AcceptRitual(caller, one));
  }
  return response;
}

absl::StatusOr<v1::Ritual> Scheduler::DeclineRitual(
    const Caller& caller, const v1::DeclineRitualRequest& req) {
  TEND_ASSIGN_OR_RETURN(auto loaded, LoadRitualFor(caller, req.name()));
  auto& [scope, ritual] = loaded;
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  TEND_RETURN_IF_ERROR(CheckEtag(req.etag(), ritual));
  if (req.note().size() > kMaxNote) {
    return Invalid("note", "at most 280 characters");
  }
  if (!ritual.has_proposal()) {
    return absl::FailedPreconditionError("name: there is nothing to decline");
  }
  if (ritual.state() == v1::RITUAL_STATE_PROPOSED) {
    ritual.set_state(v1::RITUAL_STATE_DECLINED);
  }
  ritual.clear_proposal();
  *ritual.mutable_update_time() = ToProto(clock_->Now());
  TEND_RETURN_IF_ERROR(
      store_->SaveRitual(scope.couple_id, LastSegment(ritual.name()), ritual));
  return Finish(scope, std::move(ritual));
}

absl::StatusOr<v1::Ritual> Scheduler::PauseRitual(
    const Caller& caller, const v1::PauseRitualRequest& req) {
  TEND_ASSIGN_OR_RETURN(auto loaded, LoadRitualFor(caller, req.name()));
  auto& [scope, ritual] = loaded;
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  if (req.note().size() > kMaxNote) {
    return Invalid("note", "at most 280 characters");
  }
  if (ritual.state() != v1::RITUAL_STATE_ACTIVE) {
    return absl::FailedPreconditionError("name: only an active ritual pauses");
  }
  const absl::Time now = clock_->Now();
  if (req.has_resume_time() && FromProto(req.resume_time()) <= now) {
    return Invalid("resume_time", "must be in the future");
  }
  const std::string id = LastSegment(ritual.name());
  TEND_RETURN_IF_ERROR(CancelQueued(scope, id));
  ritual.set_state(v1::RITUAL_STATE_PAUSED);
  v1::RitualPause* pause = ritual.mutable_pause();
  pause->set_paused_by_user_id(caller.user_id);
  *pause->mutable_pause_time() = ToProto(now);
  pause->set_note(req.note());
  if (req.has_resume_time()) {
    *pause->mutable_resume_time() = req.resume_time();
    // A queue item resumes it by itself at that time.
    TEND_RETURN_IF_ERROR(
        queue_
            ->Schedule(
                {{absl::StrCat("resume.", id, ".", req.resume_time().seconds(),
                               ".", scope.couple_id),
                  scope.couple_id, FromProto(req.resume_time()),
                  EncodeResume(id, caller.user_id)}})
            .status());
  }
  *ritual.mutable_update_time() = ToProto(now);
  TEND_RETURN_IF_ERROR(store_->SaveRitual(scope.couple_id, id, ritual));
  return Finish(scope, std::move(ritual));
}

absl::StatusOr<v1::Ritual> Scheduler::ResumeRitual(
    const Caller& caller, const v1::ResumeRitualRequest& req) {
  TEND_ASSIGN_OR_RETURN(auto loaded, LoadRitualFor(caller, req.name()));
  auto& [scope, ritual] = loaded;
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  if (ritual.state() != v1::RITUAL_STATE_PAUSED) {
    return absl::FailedPreconditionError("name: the ritual is not paused");
  }
  ritual.clear_pause();
  ritual.set_state(v1::RITUAL_STATE_ACTIVE);
  *ritual.mutable_update_time() = ToProto(clock_->Now());
  TEND_RETURN_IF_ERROR(
      store_->SaveRitual(scope.couple_id, LastSegment(ritual.name()), ritual));
  TEND_RETURN_IF_ERROR(PlanAndQueue(scope, {ritual}));
  return Finish(scope, std::move(ritual));
}

absl::StatusOr<v1::Occurrence> Scheduler::SkipOccurrence(
    const Caller& caller, const v1::SkipOccurrenceRequest& req) {
  TEND_ASSIGN_OR_RETURN(auto loaded, LoadRitualFor(caller, req.name()));
  auto& [scope, ritual] = loaded;
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  if (req.note().size() > kMaxNote) {
    return Invalid("note", "at most 280 characters");
  }
  if (!req.has_occurrence_time()) return Invalid("occurrence_time", "required");
  const absl::Time start = FromProto(req.occurrence_time());
  const absl::Time now = clock_->Now();
  if (start <= now) {
    return Invalid("occurrence_time", "must be a future occurrence");
  }
  // It must be one of the ritual's occurrences.
  TEND_ASSIGN_OR_RETURN(engine::Couple couple, ToEngineCouple(scope.couple));
  TEND_ASSIGN_OR_RETURN(engine::Ritual r, ToEngineRitual(ritual));
  r.paused = false;
  TEND_ASSIGN_OR_RETURN(
      engine::Plan plan,
      engine::PlanRituals(couple, {r}, start, start + absl::Seconds(1)));
  const engine::PlannedOccurrence* found = nullptr;
  for (const engine::PlannedOccurrence& o : plan.occurrences) {
    if (o.start == start) found = &o;
  }
  if (found == nullptr) {
    return Invalid("occurrence_time", "is not an occurrence of this ritual");
  }
  const std::string id = LastSegment(ritual.name());
  TEND_RETURN_IF_ERROR(
      store_->AddSkip(scope.couple_id, id, start, caller.user_id, req.note()));
  TEND_RETURN_IF_ERROR(store_->SetOutcome(
      scope.couple_id, internal::OutcomeKey(id, "", start), "skipped"));
  for (const std::string& p : found->participant_ids) {
    TEND_RETURN_IF_ERROR(store_->SetOutcome(
        scope.couple_id, internal::OutcomeKey(id, p, start), "skipped"));
  }
  // Its reminders no longer go out; its tick still plans the next one.
  TEND_ASSIGN_OR_RETURN(
      std::vector<v1::Reminder> records,
      store_->FindReminders(
          scope.couple_id, [&, &name = ritual.name()](const RecordSummary& s) {
            return s.ritual == name && s.state == v1::REMINDER_STATE_SCHEDULED;
          }));
  std::vector<v1::Reminder> dropped;
  for (v1::Reminder& rec : records) {
    if (rec.ritual() == ritual.name() &&
        FromProto(rec.occurrence_time()) == start &&
        rec.state() == v1::REMINDER_STATE_SCHEDULED) {
      TEND_RETURN_IF_ERROR(
          queue_->Cancel(scope.couple_id, ReminderId(rec)).status());
      rec.set_state(v1::REMINDER_STATE_DROPPED);
      v1::ScheduleAdjustment* a = rec.add_adjustments();
      a->set_action(v1::ADJUSTMENT_ACTION_DROPPED);
      a->set_reason(v1::ADJUSTMENT_REASON_SKIPPED);
      *a->mutable_original_time() = rec.due_time();
      a->set_explanation("The two of you agreed to skip this one.");
      dropped.push_back(std::move(rec));
    }
  }
  TEND_RETURN_IF_ERROR(store_->SaveReminders(scope.couple_id, dropped));
  v1::Occurrence out = ToOccurrence(scope.couple.name(), *found);
  out.set_state(v1::OCCURRENCE_STATE_SKIPPED);
  out.set_skipped_by_user_id(caller.user_id);
  out.set_skip_note(req.note());
  return out;
}

absl::StatusOr<v1::RitualTemplate> Scheduler::GetRitualTemplate(
    const Caller& caller, const v1::GetRitualTemplateRequest& req) {
  absl::string_view id = req.name();
  if (!absl::ConsumePrefix(&id, "ritualTemplates/")) {
    return Invalid("name", "must look like ritualTemplates/{id}");
  }
  const engine::RitualTemplate* t = engine::FindRitualTemplate(id);
  if (t == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("name: ", req.name(), " not found"));
  }
  return FromTemplate(*t);
}

absl::StatusOr<v1::ListRitualTemplatesResponse> Scheduler::ListRitualTemplates(
    const Caller& caller, const v1::ListRitualTemplatesRequest& req) {
  if (req.page_size() < 0) return Invalid("page_size", "must not be negative");
  const int page_size =
      req.page_size() == 0 ? 50 : std::min(req.page_size(), 200);
  int start = 0;
  if (!req.page_token().empty() &&
      (!absl::SimpleAtoi(req.page_token(), &start) || start < 0)) {
    return Invalid("page_token", "not a token this service gave out");
  }
  v1::ListRitualTemplatesResponse response;
  int seen = 0;
  for (const engine::RitualTemplate& t : engine::RitualTemplates()) {
    if (req.practice() != type::v1::PRACTICE_UNSPECIFIED &&
        static_cast<int>(t.practice) != static_cast<int>(req.practice())) {
      continue;
    }
    if (seen++ < start) continue;
    if (response.ritual_templates_size() == page_size) {
      response.set_next_page_token(absl::StrCat(seen - 1));
      break;
    }
    *response.add_ritual_templates() = FromTemplate(t);
  }
  return response;
}

absl::StatusOr<v1::PreviewScheduleResponse> Scheduler::PreviewSchedule(
    const Caller& caller, const v1::PreviewScheduleRequest& req) {
  TEND_ASSIGN_OR_RETURN(Scope scope, ScopeFor(caller, "parent", req.parent()));
  if (req.days() < 0 || req.days() > 366) {
    return Invalid("days", "0 to 366 (0 means 14)");
  }
  const int days = req.days() == 0 ? 14 : req.days();
  const absl::Time from =
      req.has_start_time() ? FromProto(req.start_time()) : clock_->Now();
  TEND_ASSIGN_OR_RETURN(std::vector<v1::Ritual> rituals,
                        store_->LoadRituals(scope.couple_id));
  if (!req.rituals().empty()) {
    std::set<std::string> wanted(req.rituals().begin(), req.rituals().end());
    rituals.erase(std::remove_if(rituals.begin(), rituals.end(),
                                 [&](const v1::Ritual& r) {
                                   return !wanted.count(r.name());
                                 }),
                  rituals.end());
  }
  TEND_ASSIGN_OR_RETURN(std::vector<engine::Ritual> engine_rituals,
                        planner_.ToEngineRituals(scope.couple_id, rituals,
                                                 req.include_proposed()));
  if (req.has_draft()) {
    v1::Ritual draft = req.draft();
    TEND_ASSIGN_OR_RETURN(engine::Couple c, ToEngineCouple(scope.couple));
    TEND_RETURN_IF_ERROR(ApplyTemplate(c, from, &draft));
    TEND_RETURN_IF_ERROR(FixParticipants(scope.couple, caller.user_id, &draft));
    draft.set_name(RitualName(scope.couple_id, "draft"));
    draft.set_state(v1::RITUAL_STATE_ACTIVE);
    TEND_ASSIGN_OR_RETURN(engine::Ritual r, ToEngineRitual(draft));
    engine_rituals.push_back(std::move(r));
  }
  TEND_ASSIGN_OR_RETURN(engine::Couple couple, ToEngineCouple(scope.couple));
  TEND_ASSIGN_OR_RETURN(engine::Plan plan,
                        engine::PlanRituals(couple, engine_rituals, from,
                                            from + absl::Hours(24) * days));
  v1::PreviewScheduleResponse response;
  for (const auto& o : plan.occurrences) {
    *response.add_occurrences() = ToOccurrence(scope.couple.name(), o);
  }
  for (const auto& r : plan.reminders) {
    *response.add_reminders() = ToPlannedReminder(scope.couple.name(), r);
  }
  for (const auto& c : plan.conflicts) {
    *response.add_conflicts() = ToConflict(scope.couple.name(), c);
  }
  return response;
}

absl::StatusOr<v1::ExportCalendarResponse> Scheduler::ExportCalendar(
    const Caller& caller, const v1::ExportCalendarRequest& req) {
  TEND_ASSIGN_OR_RETURN(Scope scope, ScopeFor(caller, "parent", req.parent()));
  TEND_ASSIGN_OR_RETURN(engine::Couple couple, ToEngineCouple(scope.couple));
  TEND_ASSIGN_OR_RETURN(std::vector<v1::Ritual> rituals,
                        store_->LoadRituals(scope.couple_id));
  TEND_ASSIGN_OR_RETURN(
      std::vector<engine::Ritual> active,
      planner_.ToEngineRituals(scope.couple_id, rituals, false));
  std::vector<engine::CalendarEvent> events;
  for (const engine::Ritual& r : active) {
    const v1::Ritual* source = nullptr;
    for (const v1::Ritual& v : rituals) {
      if (LastSegment(v.name()) == r.id) source = &v;
    }
    engine::CalendarEvent event;
    event.summary = r.title;
    event.description = source != nullptr ? source->description() : "";
    event.rrule = r.rrule;
    event.duration = r.duration;
    event.exdates = r.skipped;
    event.dtstart = r.dtstart;
    if (r.kind == engine::RitualKind::kShared) {
      event.uid = absl::StrCat(scope.couple_id, "-", r.id, "@tend");
      event.zone = r.zone.value_or(couple.home_zone);
      events.push_back(std::move(event));
      continue;
    }
    if (!req.include_personal()) continue;
    // A personal ritual is one event per participant, in their zone.
    for (const engine::Partner& p : couple.partners) {
      if (std::find(r.participant_ids.begin(), r.participant_ids.end(), p.id) ==
          r.participant_ids.end()) {
        continue;
      }
      engine::CalendarEvent mine = event;
      mine.uid = absl::StrCat(scope.couple_id, "-", r.id, "-", p.id, "@tend");
      mine.summary = absl::StrCat(r.title, " (", p.Name(), ")");
      mine.zone = r.zone.value_or(p.zone);
      if (r.anchor == engine::TimeAnchor::kLeaveForWork) {
        if (!p.leave_for_work.has_value()) continue;
        const absl::CivilSecond at =
            absl::CivilSecond(r.dtstart.year(), r.dtstart.month(),
                              r.dtstart.day(), p.leave_for_work->hours,
                              p.leave_for_work->minutes, 0) +
            absl::ToInt64Seconds(r.anchor_offset);
        mine.dtstart = at;
      }
      events.push_back(std::move(mine));
    }
  }
  TEND_ASSIGN_OR_RETURN(std::string ics,
                        engine::RenderCalendar(events, clock_->Now()));
  v1::ExportCalendarResponse response;
  response.set_ics(std::move(ics));
  return response;
}

absl::StatusOr<v1::SeedDefaultRitualsResponse> Scheduler::SeedDefaultRituals(
    const Caller& caller, const v1::SeedDefaultRitualsRequest& req) {
  TEND_RETURN_IF_ERROR(internal::RequireService(caller));
  if (req.partner_user_ids().empty()) {
    return Invalid("partner_user_ids", "name at least one partner");
  }
  directory_->Forget(LastSegment(req.parent()));
  TEND_ASSIGN_OR_RETURN(services::CoupleRef ref,
                        directory_->ForUser(req.partner_user_ids(0)));
  const pairing::v1::Couple& couple = *ref;
  Scope scope{couple, CoupleId(couple)};
  if (req.parent() != couple.name()) {
    return absl::NotFoundError(
        absl::StrCat("parent: ", req.parent(), " not found"));
  }
  // A new couple: every replica's dispatcher must fetch it again.
  TEND_RETURN_IF_ERROR(store_->BumpEpoch(scope.couple_id));
  TEND_ASSIGN_OR_RETURN(engine::Couple engine_couple, ToEngineCouple(couple));
  TEND_ASSIGN_OR_RETURN(std::vector<v1::Ritual> existing,
                        store_->LoadRituals(scope.couple_id));
  v1::SeedDefaultRitualsResponse response;
  if (!existing.empty()) {
    // The two paired again within the undo window: their rituals return.
    TEND_RETURN_IF_ERROR(PlanAndQueue(scope, existing));
    for (v1::Ritual& r : existing) {
      *response.add_rituals() = Finish(scope, std::move(r));
    }
    return response;
  }
  const absl::Time now = clock_->Now();
  for (const engine::RitualTemplate& t : engine::RitualTemplates()) {
    if (!t.seeded_by_default) continue;
    v1::Ritual ritual;
    ritual.set_ritual_template(absl::StrCat("ritualTemplates/", t.id));
    TEND_RETURN_IF_ERROR(ApplyTemplate(engine_couple, now, &ritual));
    if (ritual.kind() == v1::RITUAL_KIND_PERSONAL) {
      for (const auto& p : couple.partners()) {
        ritual.add_participant_user_ids(p.user_id());
      }
    }
    TEND_RETURN_IF_ERROR(FixParticipants(couple, "", &ritual));
    ritual.set_name(RitualName(scope.couple_id, t.id));
    // A shared suggestion moves to the nearest time that suits both
    // partners' waking hours; one that cannot fit at all is left out.
    if (absl::Status fits = FitToBothPartners(couple, now, &ritual);
        !fits.ok()) {
      Log(LogLevel::kInfo, "rituals.suggestion_left_out",
          {{"couple", scope.couple_id},
           {"template", t.id},
           {"why", std::string(fits.message())}});
      continue;
    }
    ritual.set_state(v1::RITUAL_STATE_PROPOSED);
    *ritual.mutable_proposal()->mutable_create_time() = ToProto(now);
    *ritual.mutable_create_time() = ToProto(now);
    *ritual.mutable_update_time() = ToProto(now);
    absl::Status created = store_->CreateRitual(scope.couple_id, t.id, ritual);
    if (!created.ok() && !absl::IsAlreadyExists(created)) return created;
    *response.add_rituals() = Finish(scope, std::move(ritual));
  }
  Log(LogLevel::kInfo, "rituals.seeded",
      {{"couple", scope.couple_id}, {"count", response.rituals_size()}});
  return response;
}

absl::StatusOr<v1::CancelCoupleScheduleResponse>
Scheduler::CancelCoupleSchedule(const Caller& caller,
                                const v1::CancelCoupleScheduleRequest& req) {
  TEND_RETURN_IF_ERROR(internal::RequireService(caller));
  TEND_ASSIGN_OR_RETURN(const std::string couple_id,
                        internal::ParseCoupleName("parent", req.parent()));
  // Nothing of the couple stays queued for a dispatcher to look it up for,
  // so only this replica's copy needs dropping.
  directory_->Forget(couple_id);
  v1::CancelCoupleScheduleResponse response;
  TEND_ASSIGN_OR_RETURN(int cancelled, queue_->CancelCouple(couple_id));
  response.set_cancelled_reminders(cancelled);
  if (req.erase()) {
    TEND_ASSIGN_OR_RETURN(int erased, store_->EraseCouple(couple_id));
    response.set_erased_records(erased);
  }
  Log(LogLevel::kInfo, "couple.schedule_cancelled",
      {{"couple", couple_id},
       {"reminders", cancelled},
       {"erase", req.erase()}});
  return response;
}

absl::StatusOr<v1::RescheduleCoupleResponse> Scheduler::RescheduleCouple(
    const Caller& caller, const v1::RescheduleCoupleRequest& req) {
  TEND_RETURN_IF_ERROR(internal::RequireService(caller));
  TEND_ASSIGN_OR_RETURN(const std::string id,
                        internal::ParseCoupleName("parent", req.parent()));
  directory_->Forget(id);
  TEND_ASSIGN_OR_RETURN(std::vector<v1::Ritual> rituals,
                        store_->LoadRituals(id));
  v1::RescheduleCoupleResponse response;
  if (rituals.empty()) return response;
  // Any member will do to find the couple; the ritual lists both.
  TEND_ASSIGN_OR_RETURN(
      services::CoupleRef ref,
      directory_->ForUser(rituals.front().participant_user_ids(0)));
  const pairing::v1::Couple& couple = *ref;
  Scope scope{couple, CoupleId(couple)};
  if (scope.couple_id != id) {
    return absl::NotFoundError(
        absl::StrCat("parent: ", req.parent(), " not found"));
  }
  // Its profiles changed: every replica's dispatcher must fetch it again.
  TEND_RETURN_IF_ERROR(store_->BumpEpoch(id));
  for (const v1::Ritual& r : rituals) {
    TEND_RETURN_IF_ERROR(CancelQueued(scope, LastSegment(r.name())));
  }
  TEND_ASSIGN_OR_RETURN(PlannedItems items,
                        planner_.PlanNext(couple, rituals, clock_->Now(), {}));
  TEND_RETURN_IF_ERROR(queue_->Schedule(items.queued).status());
  TEND_RETURN_IF_ERROR(store_->SaveTicks(scope.couple_id, items.queued));
  response.set_replanned_reminders(static_cast<int32_t>(items.records.size()));
  return response;
}

}  // namespace tend::scheduler
