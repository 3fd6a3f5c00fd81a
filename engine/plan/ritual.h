// Rituals as the planner sees them: what recurs, for whom, and how each
// person is reminded, plus the local times of day they are built from.
//
// A Ritual is plain data. Templates (ritual_templates.h) fill one with good
// defaults; the scheduler fills one from its stored resource; the planner
// (planner.h) turns rituals into occurrences and reminders.
//
//   Ritual r;
//   r.id = "sunday-check-in";
//   r.kind = RitualKind::kShared;
//   r.rrule = "FREQ=WEEKLY;BYDAY=SU";
//   r.dtstart = absl::CivilSecond(2026, 3, 1, 19, 0, 0);  // home zone
//   r.duration = absl::Minutes(30);
//   r.lead_times = {absl::Hours(2), absl::ZeroDuration()};
//   TEND_RETURN_IF_ERROR(ValidateRitual(r));
#ifndef TEND_ENGINE_PLAN_RITUAL_H_
#define TEND_ENGINE_PLAN_RITUAL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/cadence/practice.h"

namespace tend::engine {

// TimeOfDay
//
// A wall-clock time in some person's local zone, without a date.
struct TimeOfDay {
  int hours = 0;    // 0..23
  int minutes = 0;  // 0..59

  // MinuteOfDay()
  //
  // Minutes since local midnight, 0..1439.
  int MinuteOfDay() const { return hours * 60 + minutes; }

  friend bool operator==(TimeOfDay a, TimeOfDay b) {
    return a.MinuteOfDay() == b.MinuteOfDay();
  }
};

// TimeOfDayOf()
//
// The time of day of a civil time, seconds dropped.
TimeOfDay TimeOfDayOf(absl::CivilSecond local);

// FormatTimeOfDay()
//
// "07:05".
std::string FormatTimeOfDay(TimeOfDay t);

// TimeWindow
//
// A daily window of local time from `start` up to, not including, `end`. A
// window whose end is earlier than its start wraps past midnight, so
// 22:00-07:00 is a night. Start and end differ.
struct TimeWindow {
  TimeOfDay start;
  TimeOfDay end;

  // Contains()
  //
  // Whether the minute `t` lies inside the window.
  bool Contains(TimeOfDay t) const;

  // MinutesLeft()
  //
  // For a `t` inside the window: how many minutes from `t` until the window
  // ends. Zero for a `t` outside it.
  int MinutesLeft(TimeOfDay t) const;

  // EndAfter()
  //
  // For a `local` inside the window: the civil time at which that stretch
  // of the window ends (the same day or, for a wrapping window, the next).
  absl::CivilSecond EndAfter(absl::CivilSecond local) const;
};

// ValidateTimeOfDay(), ValidateTimeWindow()
//
// INVALID_ARGUMENT naming `field` when hours or minutes are out of range or
// a window is empty.
absl::Status ValidateTimeOfDay(TimeOfDay t, absl::string_view field);
absl::Status ValidateTimeWindow(const TimeWindow& w, absl::string_view field);

// RitualKind
//
// Together at one instant, or each person on their own.
enum class RitualKind {
  // Both partners at one instant, anchored in the couple's home zone; must
  // fall inside both partners' waking hours.
  kShared,
  // Each participant at their own local time in their current zone, so it
  // travels with them.
  kPersonal,
};

// TimeAnchor
//
// A point in a participant's day that a personal ritual's time follows
// instead of `dtstart`'s time of day.
enum class TimeAnchor {
  kNone,
  kLeaveForWork,  // the participant's usual time of leaving for work
  kWakingStart,   // the start of their waking hours
  kWakingEnd,     // the end of their waking hours
};

// kMaxLeadTimes, kMaxLeadTime, kMaxDuration, kMaxAnchorOffset
//
// Limits ValidateRitual() enforces.
inline constexpr int kMaxLeadTimes = 3;
inline constexpr absl::Duration kMaxLeadTime = absl::Hours(7 * 24);
inline constexpr absl::Duration kMaxDuration = absl::Hours(24);
inline constexpr absl::Duration kMaxAnchorOffset = absl::Hours(12);

// Ritual
//
// One ritual of a couple.
struct Ritual {
  // Stable id, unique within the couple, e.g. "sunday-check-in".
  std::string id;
  // What the partners see, e.g. "Sunday check-in".
  std::string title;
  // The practice it serves.
  Practice practice = Practice::kUnspecified;
  RitualKind kind = RitualKind::kShared;
  // Personal rituals: the partner ids it reminds, one or both; each gets
  // their own occurrences. Shared rituals: empty or both partners.
  std::vector<std::string> participant_ids;
  // RFC 5545 RRULE without "RRULE:", e.g. "FREQ=WEEKLY;BYDAY=SU". Empty
  // means one occurrence at `dtstart`.
  std::string rrule;
  // The first occurrence in local civil time: in the home zone for a shared
  // ritual, in each participant's current zone for a personal one, or in
  // `zone` when that is set.
  absl::CivilSecond dtstart;
  // Pins the ritual to one zone. Unset: shared rituals use the couple's
  // home zone and personal ones follow each participant's current zone.
  std::optional<absl::TimeZone> zone;
  // Personal rituals only: the point in the participant's day each
  // occurrence follows, and how far after it (negative: before).
  TimeAnchor anchor = TimeAnchor::kNone;
  absl::Duration anchor_offset = absl::ZeroDuration();
  // How long each occurrence lasts; zero for a moment such as a gesture.
  absl::Duration duration = absl::ZeroDuration();
  // How long before each occurrence a reminder goes out, at most
  // kMaxLeadTimes, each from zero to kMaxLeadTime. Empty: one reminder at
  // the start.
  std::vector<absl::Duration> lead_times;
  // A paused ritual plans no reminders; its occurrences say why.
  bool paused = false;
  // Occurrence start instants the couple agreed to skip.
  std::vector<absl::Time> skipped;
};

// ValidateRitual()
//
// Checks the fields that need no couple: id, lead times, duration and the
// anchor. INVALID_ARGUMENT names the field and the rule, e.g.
// "ritual[date-night].lead_times: at most 3". The planner also checks the
// participants against the couple and parses the RRULE.
absl::Status ValidateRitual(const Ritual& ritual);

// EffectiveLeadTimes()
//
// The ritual's lead times, or {0} when it has none, largest first.
std::vector<absl::Duration> EffectiveLeadTimes(const Ritual& ritual);

}  // namespace tend::engine

#endif  // TEND_ENGINE_PLAN_RITUAL_H_
