// Ritual planning for two people: when each occurrence of a couple's rituals
// happens, and when each partner is reminded of it.
//
// The planner applies DESIGN.md's time rules, deterministically:
//   - A shared ritual happens at one instant for both partners, anchored in
//     the couple's home zone (or its own pinned zone). When it falls outside
//     either partner's waking hours it is not moved: the plan reports a
//     Conflict with the nearest start times that suit both.
//   - A personal ritual follows its participant's current zone, travel
//     included. When a zone change makes the local clock jump past an
//     occurrence, it happens on arrival; when the clock goes back over it,
//     it still happens once.
//   - Local times follow RFC 5545 §3.3.5: a time in a daylight-saving gap
//     uses the offset before the gap (02:30 becomes 03:30), and a repeated
//     time is the first of the two. Each is recorded on the occurrence.
//   - Reminders go to each recipient at the ritual's lead times. One inside
//     the recipient's quiet hours moves to the end of those hours, or is
//     dropped when that is after the ritual begins. A recipient's reminders
//     within kMergeWindow of each other go out as one. At most
//     `daily_budget` go out per recipient per local day; the rest are
//     dropped. Every move, merge and drop carries its reason.
//
//   Couple couple;
//   couple.home_zone = new_york;    // an absl::TimeZone loaded from tzdata
//   couple.partners = {alex, sam};  // each with zone, waking and quiet hours
//   NextRequest request;
//   request.after = clock->Now();
//   TEND_ASSIGN_OR_RETURN(Plan plan, NextReminders(couple, rituals, request));
//   for (const PlannedReminder& r : plan.reminders) {
//     if (r.state == ReminderState::kScheduled) queue.Add(r.id, r.due);
//   }
//
// The scheduler computes only the next occurrence of each ritual, with
// NextReminders(); PlanRituals() plans a range, for previews, tools and
// tests.
#ifndef TEND_ENGINE_PLAN_PLANNER_H_
#define TEND_ENGINE_PLAN_PLANNER_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "engine/plan/ritual.h"

namespace tend::engine {

// kMergeWindow
//
// A recipient's reminders this close together go out as one.
inline constexpr absl::Duration kMergeWindow = absl::Minutes(10);

// kMaxPlanRange
//
// The longest range PlanRituals() accepts.
inline constexpr absl::Duration kMaxPlanRange = absl::Hours(24 * 800);

// ZoneChange
//
// From `at` on, a partner is in `zone` (they travelled, or moved).
struct ZoneChange {
  absl::Time at;
  absl::TimeZone zone;
};

// Partner
//
// One person of the couple and the settings planning needs. Times of day
// are local to the zone the person is in at that moment.
struct Partner {
  // User id; distinct from the other partner's.
  std::string id;
  // The name used in explanations, e.g. "Sam"; `id` when empty.
  std::string display_name;
  // The zone the person is in, before any `travel`.
  absl::TimeZone zone;
  // Later zone changes, in strictly increasing order of `at`.
  std::vector<ZoneChange> travel;
  // Shared rituals must fall inside these hours.
  TimeWindow waking_hours{{7, 0}, {22, 0}};
  // No reminder arrives inside these hours; unset for none.
  std::optional<TimeWindow> quiet_hours = TimeWindow{{22, 0}, {7, 0}};
  // The most reminders this person receives in one local day, 1 to 20.
  int daily_budget = 6;
  // The usual time of leaving for work; unset when there is no such
  // routine, and then rituals anchored to it have no occurrences.
  std::optional<TimeOfDay> leave_for_work;

  // ZoneAt()
  //
  // The zone the person is in at `t`.
  absl::TimeZone ZoneAt(absl::Time t) const;

  // Name()
  //
  // `display_name`, or `id` when that is empty.
  absl::string_view Name() const;
};

// Couple
//
// Two partners and the zone their shared rituals are anchored in.
struct Couple {
  absl::TimeZone home_zone;
  std::array<Partner, 2> partners;
};

// AdjustmentAction
//
// What a rule did to an occurrence or a reminder.
enum class AdjustmentAction {
  kMoved,    // it happens at another time than its rule says
  kDropped,  // it does not go out at all
  kMerged,   // it goes out inside another reminder
  kNoted,    // a rule applied without changing the time
};

// AdjustmentReason
//
// Which rule applied. Mirrors `tend.scheduler.v1.AdjustmentReason` where
// that has a value; kMerged, kTravel, kPast and kNoAnchor are the engine's.
enum class AdjustmentReason {
  kQuietHours,          // inside the recipient's quiet hours
  kDailyBudget,         // the recipient's daily budget was spent
  kDstGap,              // the local time does not exist that day
  kDstOverlap,          // the local time happens twice that day
  kSkipped,             // the couple skipped the occurrence
  kPaused,              // the ritual is paused
  kOutsideWakingHours,  // a shared occurrence outside someone's waking hours
  kMerged,              // within kMergeWindow of another reminder
  kTravel,              // a zone change jumped the local clock past it
  kPast,                // its time had passed when it was planned
};

// AdjustmentReasonName()
//
// e.g. "QUIET_HOURS", as the proto enum without its prefix.
absl::string_view AdjustmentReasonName(AdjustmentReason reason);

// Adjustment
//
// One rule applied to an occurrence or a reminder, and why, in words.
struct Adjustment {
  AdjustmentAction action = AdjustmentAction::kNoted;
  AdjustmentReason reason = AdjustmentReason::kQuietHours;
  // The instant it was planned for before this change.
  absl::Time original;
  // A human sentence, e.g. "Moved to 07:00: 06:30 is inside Sam's quiet
  // hours (22:00-07:00)".
  std::string explanation;
};

// PartnerTime
//
// An instant as one partner reads it on their clock.
struct PartnerTime {
  std::string partner_id;
  absl::TimeZone zone;  // where the partner is at that instant
  absl::CivilSecond local;
  absl::Duration utc_offset;
};

// OccurrenceState
//
// What happens to one occurrence.
enum class OccurrenceState {
  kPlanned,  // it happens, and its reminders are planned
  kSkipped,  // the couple skipped it; no reminders
  kPaused,   // the ritual is paused; no reminders
};

// PlannedOccurrence
//
// One occurrence of a ritual: for a shared ritual, one for the couple; for
// a personal ritual, one per participant.
struct PlannedOccurrence {
  std::string ritual_id;
  std::string title;
  RitualKind kind = RitualKind::kShared;
  Practice practice = Practice::kUnspecified;
  // Its position in the recurrence, from 0 at DTSTART.
  int64_t index = 0;
  // Both partners for a shared ritual; the participant for a personal one.
  std::vector<std::string> participant_ids;
  // The local time the rule gives, in `zone`: the home or pinned zone, or
  // the zone the participant is in.
  absl::CivilSecond local;
  absl::TimeZone zone;
  absl::Time start;
  absl::Time end;  // start + duration
  // The start as each partner reads it, in couple order.
  std::array<PartnerTime, 2> local_start;
  OccurrenceState state = OccurrenceState::kPlanned;
  // DST, travel, skip, pause and waking-hours notes.
  std::vector<Adjustment> adjustments;
  // True when it falls outside either partner's waking hours; the plan's
  // `conflicts` hold the proposals.
  bool conflict = false;
};

// ReminderState
//
// Whether a reminder goes out.
enum class ReminderState {
  kScheduled,  // goes out at `due`
  kMerged,     // goes out inside the reminder `merged_into`
  kDropped,    // does not go out; `adjustments` says why
};

// PlannedReminder
//
// One reminder for one recipient about one occurrence.
struct PlannedReminder {
  // The occurrence key: ritual, occurrence start, recipient and lead time,
  // e.g. "date-night/1772218800/u-sam/86400". The same occurrence always
  // gets the same id, so planning twice stores one reminder.
  std::string id;
  std::string ritual_id;
  std::string title;
  RitualKind kind = RitualKind::kShared;
  std::string recipient_id;
  int64_t occurrence_index = 0;
  absl::Time occurrence_start;
  absl::Duration lead_time;
  // occurrence_start - lead_time.
  absl::Time planned;
  // When it goes out: `planned` unless moved; for a merged reminder, the
  // `due` of the one that carries it.
  absl::Time due;
  // `due` as each partner reads it, in couple order.
  std::array<PartnerTime, 2> local_due;
  ReminderState state = ReminderState::kScheduled;
  std::vector<Adjustment> adjustments;
  // kMerged: the id of the reminder that carries this one.
  std::string merged_into;
  // kScheduled: the ids of reminders merged into this one.
  std::vector<std::string> carries;
};

// Proposal
//
// A start time that suits both partners.
struct Proposal {
  absl::Time start;
  std::array<PartnerTime, 2> local_start;
};

// Conflict
//
// A shared occurrence outside a partner's waking hours. It stays where its
// rule puts it until the couple chooses; these are the nearest starts that
// fit inside both partners' waking hours, nearest first (at most one
// earlier and one later, within a day). Empty when their waking hours never
// overlap long enough.
struct Conflict {
  std::string ritual_id;
  int64_t index = 0;
  absl::Time start;
  // The partners whose waking hours it misses.
  std::vector<std::string> partner_ids;
  std::string explanation;
  std::vector<Proposal> proposals;
};

// Notice
//
// Something about a ritual the couple should know that is not tied to one
// occurrence, e.g. a ritual anchored to leaving for work for a partner with
// no such routine, or a ritual with no further occurrences.
struct Notice {
  std::string ritual_id;
  std::string partner_id;  // empty when it concerns both
  std::string explanation;
};

// Plan
//
// The result of planning, sorted by time, ties broken by ritual, partner
// and lead time, so the same input always yields the same plan.
struct Plan {
  std::vector<PlannedOccurrence> occurrences;
  std::vector<PlannedReminder> reminders;
  std::vector<Conflict> conflicts;
  std::vector<Notice> notices;
};

// PlanRituals()
//
// Plans the occurrences that start in [from, to) and every reminder for
// them. Reminders whose time is before `from` are dropped as past. The
// daily budget counts only reminders in this plan.
//
// INVALID_ARGUMENT, naming the field and the rule, for a bad couple (empty
// or equal partner ids, bad windows, a budget outside 1 to 20, unordered
// travel), a bad ritual (see ValidateRitual(), participants that are not
// partners, duplicate ids, an RRULE the recurrence library rejects) or a
// range that is empty or longer than kMaxPlanRange.
absl::StatusOr<Plan> PlanRituals(const Couple& couple,
                                 absl::Span<const Ritual> rituals,
                                 absl::Time from, absl::Time to);

// StreamCursor
//
// The last occurrence already planned for one ritual (and, for a personal
// ritual, one participant), so NextReminders() never plans it twice.
struct StreamCursor {
  std::string ritual_id;
  std::string participant_id;  // empty for a shared ritual
  int64_t last_index = -1;
};

// SentReminder
//
// A reminder already on the queue or sent, which counts toward its
// recipient's daily budget and can carry a new reminder merged into it.
struct SentReminder {
  std::string id;
  std::string recipient_id;
  absl::Time due;
  std::string title;
};

// NextRequest
//
// What NextReminders() plans from.
struct NextRequest {
  // Plan the first occurrence of each ritual that starts strictly after
  // this instant, usually now.
  absl::Time after;
  std::vector<StreamCursor> cursors;
  std::vector<SentReminder> sent;
};

// NextReminders()
//
// For each ritual (and participant of a personal ritual): its next
// occurrence after `request.after` and past its cursor, with reminders,
// under the same rules as PlanRituals(). Occurrences the couple skipped on
// the way are listed as skipped; a paused ritual lists its next occurrence
// as paused; a ritual with no further occurrences gets a Notice. Reminders
// whose time is before `request.after` are dropped as past; `sent`
// reminders count toward the budget and can carry new ones merged in.
//
// Errors as PlanRituals().
absl::StatusOr<Plan> NextReminders(const Couple& couple,
                                   absl::Span<const Ritual> rituals,
                                   const NextRequest& request);

}  // namespace tend::engine

#endif  // TEND_ENGINE_PLAN_PLANNER_H_
