// A couple's plan as text, day by day, for `tend-plan preview`.
//
// Days are the couple's home-zone days. Each occurrence and each reminder
// is one line that gives its time on both partners' clocks, then what it
// is; a line for every rule that moved, merged or dropped it follows, in
// the planner's own words, and a shared occurrence outside someone's
// waking hours lists the times that would suit both:
//
//   Tue 2026-03-03
//     07:00 New York (Tue) · 12:00 London (Tue)  reminder for Alex: Morning
//                                                call, 1h30m before — moved
//         Moved to 07:00: 06:30 is inside Alex's quiet hours (22:00-07:00).
//     08:00 New York (Tue) · 13:00 London (Tue)  Morning call (shared, 20m)
//
// (Lines are not wrapped; the example is, to fit here.)
//
//   PreviewRange range = MakePreviewRange(from, 14, couple.home_zone);
//   absl::StatusOr<Plan> plan =
//       PlanRituals(couple, rituals, range.from, range.to);
//   std::fputs(FormatPlanText(couple, *plan, range).c_str(), stdout);
#ifndef TEND_ENGINE_TOOLS_PLAN_TEXT_H_
#define TEND_ENGINE_TOOLS_PLAN_TEXT_H_

#include <array>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/plan/planner.h"

namespace tend::engine {

// PreviewRange
//
// The stretch of time a preview plans: from `from` to the end of the
// `days`-th home-zone day, counting the day that holds `from` as the first.
struct PreviewRange {
  absl::Time from;
  absl::Time to;
  absl::TimeZone home_zone;
  absl::CivilDay first_day;  // in the home zone
  int days = 0;
};

// MakePreviewRange()
//
// The range of `days` home-zone days starting with the one holding `from`.
PreviewRange MakePreviewRange(absl::Time from, int days,
                              absl::TimeZone home_zone);

// WeekdayName()
//
// "Sun", for labels.
absl::string_view WeekdayName(absl::CivilDay day);

// ZoneLabel()
//
// A zone's short name for people: its last part with spaces, "New York"
// for America/New_York, "UTC" for UTC.
std::string ZoneLabel(absl::TimeZone zone);

// ClocksText()
//
// An instant on both partners' clocks, in couple order:
// "19:00 New York (Sun) · 00:00 London (Mon)", or "08:00 Paris (Mon), both"
// when they are in one zone.
std::string ClocksText(const std::array<PartnerTime, 2>& times);

// PlanSummary()
//
// One sentence counting the plan's occurrences, conflicts and reminders by
// what happens to them.
std::string PlanSummary(const Plan& plan);

// FormatPlanText()
//
// The whole preview: a header naming both partners and their zones, the
// plan's notices, every home-zone day of `range` with its occurrences and
// reminders in time order, and a summary line. Reminders that were due
// before `range.from` (dropped as past) are listed on the first day.
std::string FormatPlanText(const Couple& couple, const Plan& plan,
                           const PreviewRange& range);

}  // namespace tend::engine

#endif  // TEND_ENGINE_TOOLS_PLAN_TEXT_H_
