#include "services/scheduler/convert.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/base/status_macros.h"
#include "google/protobuf/util/time_util.h"

namespace tend::scheduler {
namespace {

using google::protobuf::util::TimeUtil;

// Whether `name` could be in the tz database. Nothing else may reach
// absl::LoadTimeZone(): it reads any file a name points to ("/dev/stdin"
// blocks the call; "../" and "file:" reach anywhere) and caches every name
// it is asked for, for good. The rule is pairing's ValidateTimeZone()'s.
bool IsZoneName(absl::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '/' ||
      absl::StrContains(name, "..")) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '/' || c == '_' || c == '-' ||
           c == '+';
  });
}

absl::StatusOr<absl::TimeZone> LoadZone(absl::string_view field,
                                        const std::string& name) {
  absl::TimeZone zone;
  if (!IsZoneName(name) || !absl::LoadTimeZone(name, &zone)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": '", name, "' is not in the time zone database"));
  }
  return zone;
}

engine::TimeOfDay ToEngine(const type::v1::TimeOfDay& t) {
  return {t.hours(), t.minutes()};
}

engine::TimeWindow ToEngine(const type::v1::TimeWindow& w) {
  return {ToEngine(w.start()), ToEngine(w.end())};
}

type::v1::TimeOfDay ToProto(engine::TimeOfDay t) {
  type::v1::TimeOfDay out;
  out.set_hours(t.hours);
  out.set_minutes(t.minutes);
  return out;
}

v1::TimeAnchor ToProto(engine::TimeAnchor a) {
  switch (a) {
    case engine::TimeAnchor::kLeaveForWork:
      return v1::TIME_ANCHOR_LEAVE_FOR_WORK;
    case engine::TimeAnchor::kWakingStart:
      return v1::TIME_ANCHOR_WAKING_START;
    case engine::TimeAnchor::kWakingEnd:
      return v1::TIME_ANCHOR_WAKING_END;
    case engine::TimeAnchor::kNone:
      break;
  }
  return v1::TIME_ANCHOR_UNSPECIFIED;
}

v1::RitualKind ToProto(engine::RitualKind kind) {
  return kind == engine::RitualKind::kShared ? v1::RITUAL_KIND_SHARED
                                             : v1::RITUAL_KIND_PERSONAL;
}

}  // namespace

type::v1::LocalDateTime ToLocal(absl::CivilSecond c) {
  type::v1::LocalDateTime out;
  out.mutable_date()->set_year(static_cast<int32_t>(c.year()));
  out.mutable_date()->set_month(c.month());
  out.mutable_date()->set_day(c.day());
  out.mutable_time()->set_hours(c.hour());
  out.mutable_time()->set_minutes(c.minute());
  return out;
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

google::protobuf::Duration ToProto(absl::Duration d) {
  return TimeUtil::MicrosecondsToDuration(absl::ToInt64Microseconds(d));
}

absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

std::string CoupleId(const pairing::v1::Couple& couple) {
  absl::string_view name = couple.name();
  absl::ConsumePrefix(&name, "couples/");
  return std::string(name);
}

std::string RitualName(absl::string_view couple_id,
                       absl::string_view ritual_id) {
  return absl::StrCat("couples/", couple_id, "/rituals/", ritual_id);
}

absl::StatusOr<engine::Couple> ToEngineCouple(
    const pairing::v1::Couple& couple) {
  if (couple.partners_size() != 2) {
    return absl::FailedPreconditionError("couple: needs two partners");
  }
  engine::Couple out;
  TEND_ASSIGN_OR_RETURN(out.home_zone, LoadZone("couple.home_time_zone",
                                                couple.home_time_zone()));
  for (int i = 0; i < 2; ++i) {
    const pairing::v1::Partner& in = couple.partners(i);
    const pairing::v1::PartnerProfile& p = in.profile();
    engine::Partner& partner = out.partners[i];
    partner.id = in.user_id();
    partner.display_name = p.display_name();
    TEND_ASSIGN_OR_RETURN(
        partner.zone,
        LoadZone(absl::StrCat("partners[", i, "].profile.time_zone"),
                 p.time_zone()));
    if (p.has_waking_hours()) partner.waking_hours = ToEngine(p.waking_hours());
    partner.quiet_hours.reset();
    if (p.has_quiet_hours()) partner.quiet_hours = ToEngine(p.quiet_hours());
    if (p.daily_notification_budget() > 0) {
      partner.daily_budget = p.daily_notification_budget();
    }
    if (p.has_leave_for_work_time()) {
      partner.leave_for_work = ToEngine(p.leave_for_work_time());
    }
  }
  return out;
}

absl::StatusOr<engine::Ritual> ToEngineRitual(const v1::Ritual& ritual) {
  engine::Ritual out;
  absl::string_view name = ritual.name();
  const size_t slash = name.rfind('/');
  out.id = std::string(slash == absl::string_view::npos
                           ? name
                           : name.substr(slash + 1));
  out.title = ritual.title();
  out.practice = static_cast<engine::Practice>(ritual.practice());
  switch (ritual.kind()) {
    case v1::RITUAL_KIND_SHARED:
      out.kind = engine::RitualKind::kShared;
      break;
    case v1::RITUAL_KIND_PERSONAL:
      out.kind = engine::RitualKind::kPersonal;
      break;
    default:
      return absl::InvalidArgumentError(
          "ritual.kind: must be RITUAL_KIND_SHARED or RITUAL_KIND_PERSONAL");
  }
  out.participant_ids.assign(ritual.participant_user_ids().begin(),
                             ritual.participant_user_ids().end());
  const v1::Recurrence& rec = ritual.recurrence();
  out.rrule = rec.rrule();
  const type::v1::Date& d = rec.dtstart().date();
  const type::v1::TimeOfDay& t = rec.dtstart().time();
  if (d.month() < 1 || d.month() > 12 || d.day() < 1 || d.day() > 31 ||
      d.year() < 1900 || d.year() > 2200) {
    return absl::InvalidArgumentError(
        "ritual.recurrence.dtstart.date: not a valid date");
  }
  const absl::CivilDay day(d.year(), d.month(), d.day());
  if (day.month() != d.month() || day.day() != d.day()) {
    return absl::InvalidArgumentError(
        "ritual.recurrence.dtstart.date: no such day in that month");
  }
  if (t.hours() < 0 || t.hours() > 23 || t.minutes() < 0 || t.minutes() > 59) {
    return absl::InvalidArgumentError(
        "ritual.recurrence.dtstart.time: must be 00:00 to 23:59");
  }
  out.dtstart = absl::CivilSecond(d.year(), d.month(), d.day(), t.hours(),
                                  t.minutes(), 0);
  if (!rec.time_zone().empty()) {
    TEND_ASSIGN_OR_RETURN(out.zone, LoadZone("ritual.recurrence.time_zone",
                                             rec.time_zone()));
  }
  switch (rec.anchor()) {
    case v1::TIME_ANCHOR_LEAVE_FOR_WORK:
      out.anchor = engine::TimeAnchor::kLeaveForWork;
      break;
    case v1::TIME_ANCHOR_WAKING_START:
      out.anchor = engine::TimeAnchor::kWakingStart;
      break;
    case v1::TIME_ANCHOR_WAKING_END:
      out.anchor = engine::TimeAnchor::kWakingEnd;
      break;
    default:
      out.anchor = engine::TimeAnchor::kNone;
  }
  out.anchor_offset = FromProto(rec.anchor_offset());
  out.duration = FromProto(ritual.duration());
  for (const auto& lead : ritual.lead_times()) {
    out.lead_times.push_back(FromProto(lead));
  }
  out.paused = ritual.state() == v1::RITUAL_STATE_PAUSED;
  return out;
}

v1::RitualTemplate FromTemplate(const engine::RitualTemplate& t) {
  v1::RitualTemplate out;
  out.set_name(absl::StrCat("ritualTemplates/", t.id));
  out.set_title(t.title);
  out.set_description(t.description);
  out.set_practice(static_cast<type::v1::Practice>(t.practice));
  out.set_kind(ToProto(t.kind));
  out.set_rrule(t.rrule);
  *out.mutable_time() = ToProto(t.time);
  out.set_anchor(ToProto(t.anchor));
  *out.mutable_anchor_offset() = ToProto(t.anchor_offset);
  *out.mutable_duration() = ToProto(t.duration);
  for (absl::Duration lead : t.lead_times) *out.add_lead_times() = ToProto(lead);
  out.set_seeded_by_default(t.seeded_by_default);
  return out;
}

v1::PartnerTime ToPartnerTime(const engine::PartnerTime& t) {
  v1::PartnerTime out;
  out.set_user_id(t.partner_id);
  out.set_time_zone(t.zone.name());
  *out.mutable_local_time() = ToLocal(t.local);
  *out.mutable_utc_offset() = ToProto(t.utc_offset);
  return out;
}

v1::ScheduleAdjustment ToAdjustment(const engine::Adjustment& a) {
  v1::ScheduleAdjustment out;
  out.set_action(a.action == engine::AdjustmentAction::kDropped ||
                         a.action == engine::AdjustmentAction::kMerged
                     ? v1::ADJUSTMENT_ACTION_DROPPED
                     : v1::ADJUSTMENT_ACTION_MOVED);
  v1::AdjustmentReason reason = v1::ADJUSTMENT_REASON_UNSPECIFIED;
  switch (a.reason) {
    case engine::AdjustmentReason::kQuietHours:
      reason = v1::ADJUSTMENT_REASON_QUIET_HOURS;
      break;
    case engine::AdjustmentReason::kDailyBudget:
      reason = v1::ADJUSTMENT_REASON_DAILY_BUDGET;
      break;
    case engine::AdjustmentReason::kDstGap:
      reason = v1::ADJUSTMENT_REASON_DST_GAP;
      break;
    case engine::AdjustmentReason::kDstOverlap:
      reason = v1::ADJUSTMENT_REASON_DST_OVERLAP;
      break;
    case engine::AdjustmentReason::kSkipped:
      reason = v1::ADJUSTMENT_REASON_SKIPPED;
      break;
    case engine::AdjustmentReason::kPaused:
      reason = v1::ADJUSTMENT_REASON_PAUSED;
      break;
    case engine::AdjustmentReason::kOutsideWakingHours:
      reason = v1::ADJUSTMENT_REASON_OUTSIDE_WAKING_HOURS;
      break;
    default:
      break;  // merged, travel, past: the explanation says which
  }
  out.set_reason(reason);
  *out.mutable_original_time() = ToProto(a.original);
  out.set_explanation(a.explanation);
  return out;
}

v1::Occurrence ToOccurrence(const std::string& couple_name,
                            const engine::PlannedOccurrence& o) {
  v1::Occurrence out;
  out.set_ritual(absl::StrCat(couple_name, "/rituals/", o.ritual_id));
  out.set_title(o.title);
  *out.mutable_start_time() = ToProto(o.start);
  *out.mutable_end_time() = ToProto(o.end);
  for (const engine::PartnerTime& t : o.local_start) {
    *out.add_local_start_times() = ToPartnerTime(t);
  }
  for (const std::string& id : o.participant_ids) {
    out.add_participant_user_ids(id);
  }
  switch (o.state) {
    case engine::OccurrenceState::kPlanned:
      out.set_state(v1::OCCURRENCE_STATE_PLANNED);
      break;
    case engine::OccurrenceState::kSkipped:
      out.set_state(v1::OCCURRENCE_STATE_SKIPPED);
      break;
    case engine::OccurrenceState::kPaused:
      out.set_state(v1::OCCURRENCE_STATE_PAUSED);
      break;
  }
  return out;
}

v1::PlannedReminder ToPlannedReminder(const std::string& couple_name,
                                      const engine::PlannedReminder& r) {
  v1::PlannedReminder out;
  out.set_ritual(absl::StrCat(couple_name, "/rituals/", r.ritual_id));
  out.set_ritual_title(r.title);
  out.set_recipient_user_id(r.recipient_id);
  *out.mutable_occurrence_time() = ToProto(r.occurrence_start);
  *out.mutable_lead_time() = ToProto(r.lead_time);
  *out.mutable_due_time() = ToProto(r.due);
  for (const engine::PartnerTime& t : r.local_due) {
    *out.add_local_times() = ToPartnerTime(t);
  }
  out.set_dropped(r.state != engine::ReminderState::kScheduled);
  for (const engine::Adjustment& a : r.adjustments) {
    *out.add_adjustments() = ToAdjustment(a);
  }
  return out;
}

v1::ScheduleConflict ToConflict(const std::string& couple_name,
                                const engine::Conflict& c) {
  v1::ScheduleConflict out;
  out.set_ritual(absl::StrCat(couple_name, "/rituals/", c.ritual_id));
  *out.mutable_occurrence_time() = ToProto(c.start);
  for (const std::string& id : c.partner_ids) out.add_affected_user_ids(id);
  out.set_reason(v1::CONFLICT_REASON_OUTSIDE_WAKING_HOURS);
  for (const engine::Proposal& p : c.proposals) {
    v1::AlternativeTime* alt = out.add_alternatives();
    *alt->mutable_start_time() = ToProto(p.start);
    for (const engine::PartnerTime& t : p.local_start) {
      *alt->add_local_times() = ToPartnerTime(t);
    }
  }
  return out;
}

}  // namespace tend::scheduler
