// Recurrence: when a ritual happens, from an RFC 5545 RRULE, a DTSTART in
// local civil time and an IANA zone.
//
// Occurrences are expanded in local civil time, as RFC 5545 wants, and only
// then mapped to instants with absl::TimeZone (LocalToInstant below). So a
// daily 07:30 ritual stays at 07:30 local across daylight-saving changes,
// and a tzdata update moves future occurrences correctly.
//
//   absl::TimeZone ny;
//   absl::LoadTimeZone("America/New_York", &ny);
//   absl::StatusOr<Recurrence> weekly = Recurrence::Parse(
//       "FREQ=WEEKLY;BYDAY=SU", absl::CivilSecond(2026, 3, 1, 2, 30, 0), ny);
//   std::optional<Occurrence> next = weekly->NextAfter(now, last_fired);
//   // 2026-03-08 02:30 does not exist in New York: next->instant is 03:30 EDT.
//
// Semantics, all per RFC 5545:
//   - DTSTART is always the first occurrence (index 0) and counts toward
//     COUNT, even when it does not match the rule.
//   - A date that does not exist (the 31st of a 30-day month, Feb 29 outside
//     leap years) is skipped. A local time that does not exist is kept and
//     counts toward COUNT; LocalToInstant moves it past the gap.
//   - UNTIL is inclusive: "...Z" compares with the instant, a floating
//     UNTIL with the local time, a DATE with the local day.
//   - Where RFC 5545 leaves a YEARLY rule open, libical's reading is used:
//     BYMONTHDAY without BYMONTH takes DTSTART's month, and a BYDAY ordinal
//     counts within the year unless BYMONTH is set.
//
// Cost: NextAfter() does not walk from DTSTART. It jumps to the period (day,
// week, month or year) that holds `t` and expands only that period and the
// next ones. The occurrence index (needed for COUNT) is arithmetic when
// every period of the rule yields the same number of dates, which is true of
// the ritual cadences (daily, weekly BYDAY, monthly BYMONTHDAY=1..28 or BYDAY
// ordinal 1..4/-1..-4, yearly off Feb 29); for other rules it is counted
// from `cursor`, the last occurrence the caller kept, or else from DTSTART.
// About 100-200 ns per call (tests/bench/RESULTS-recurrence.md).
//
// libical is the reference, not the engine: tests/engine/recur checks this
// expansion against its iterator (engine/recur/libical_walk.h) on thousands
// of random rules. Walking that iterator from a DTSTART ten years back costs
// 0.06-7 ms, it cannot start mid-way with COUNT, and libical 3.0 gets a few
// rules wrong (listed in libical_walk.h), so it stays off the hot path.
#ifndef TEND_ENGINE_RECUR_RECURRENCE_H_
#define TEND_ENGINE_RECUR_RECURRENCE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/recur/rrule.h"

namespace tend::engine {

// Occurrence
//
// One occurrence of a recurrence. `index` is 0-based and counts toward
// COUNT: DTSTART is index 0. `local` is the civil time the rule produced,
// which may not exist in the zone (a DST gap); `instant` is where it falls.
struct Occurrence {
  int64_t index = 0;
  absl::CivilSecond local;
  absl::Time instant;

  friend bool operator==(const Occurrence& a, const Occurrence& b) {
    return a.index == b.index && a.local == b.local && a.instant == b.instant;
  }
  friend bool operator!=(const Occurrence& a, const Occurrence& b) {
    return !(a == b);
  }
};

// Recurrence
//
// A parsed rule bound to its DTSTART and zone. A small value type: cheap to
// copy, immutable, and safe to share between threads.
class Recurrence {
 public:
  // Parse()
  //
  // Parses `rrule` (with or without the "RRULE:" prefix) for `dtstart`, a
  // local civil time in `zone`. Returns INVALID_ARGUMENT naming the part,
  // e.g. "rrule: BYHOUR is not supported" or "rrule.FREQ: must be DAILY,
  // WEEKLY, MONTHLY or YEARLY"; see engine/recur/rrule.h.
  static absl::StatusOr<Recurrence> Parse(absl::string_view rrule,
                                          absl::CivilSecond dtstart,
                                          absl::TimeZone zone);

  // NextAfter()
  //
  // The first occurrence whose instant is strictly after `t`, or nullopt
  // when the rule has ended (COUNT, UNTIL, or no date can ever match again).
  //
  // `cursor` is an earlier occurrence of this same recurrence, typically the
  // last one fired and stored with the ritual. It only saves work: for rules
  // whose periods yield a varying number of dates it is where the occurrence
  // index is counted from, so the cost does not grow with the age of
  // DTSTART. A cursor that is not an occurrence of this recurrence is
  // ignored.
  //
  // In the rare case where two occurrences map to the same instant (Apia
  // skipped 2011-12-30 entirely, so 10:00 on the 30th and on the 31st are
  // one instant), only the first is returned; the index then jumps by two.
  std::optional<Occurrence> NextAfter(
      absl::Time t,
      const std::optional<Occurrence>& cursor = std::nullopt) const;

  // Expand()
  //
  // Up to `max` occurrences strictly after `after`, in order: the answers
  // NextAfter() would give one after the other.
  std::vector<Occurrence> Expand(absl::Time after, int max) const;

  // zone(), dtstart(), rrule(), rule()
  //
  // What the recurrence was built from; rrule() is the normalized text (see
  // FormatRrule()), which is what to store.
  absl::TimeZone zone() const { return zone_; }
  absl::CivilSecond dtstart() const { return dtstart_; }
  const std::string& rrule() const { return text_; }
  const Rrule& rule() const { return rule_; }

 private:
  class Expander;

  Recurrence() = default;

  // Derived at Parse() so NextAfter() does arithmetic only.
  Rrule rule_;
  std::string text_;
  absl::CivilSecond dtstart_;
  absl::TimeZone zone_;
  absl::Time dtstart_instant_;
  int64_t dtstart_day_ = 0;   // days since 1970-01-01
  int64_t time_of_day_ = 0;   // seconds after local midnight
  int64_t first_period_ = 0;  // period index of DTSTART (see Expander)
  // Dates per selected period when it never varies, else -1.
  int64_t fixed_count_ = -1;
  // Dates of DTSTART's period on or before DTSTART's day: they are not
  // occurrences (DTSTART itself is index 0 whether it matches or not).
  int64_t dates_before_start_ = 0;
  // Selected periods after which the calendar repeats (400 Gregorian years);
  // a rule with no date in that many periods never has one again.
  int64_t cycle_periods_ = 0;
  bool has_dates_ = false;  // whether any date after DTSTART matches
  // The BY rules as bit masks, for the per-day tests.
  uint32_t month_mask_ = 0;          // bit m for BYMONTH=m; 0 when absent
  uint32_t month_day_mask_ = 0;      // bit d for BYMONTHDAY=d
  uint32_t neg_month_day_mask_ = 0;  // bit d for BYMONTHDAY=-d
  uint32_t weekday_mask_ = 0;        // bit w (Monday 0) for BYDAY=w, no ordinal
};

// LocalToInstant()
//
// Maps a local civil time to an instant per RFC 5545 §3.3.5: a time skipped
// by a forward shift uses the offset from before the gap (02:30 on a
// spring-forward night in New York becomes 03:30 EDT), and a repeated time
// is the first of the two. (absl::FromCivil differs for a skipped time: it
// returns the transition, 03:00 EDT.)
absl::Time LocalToInstant(absl::CivilSecond local, absl::TimeZone zone);

}  // namespace tend::engine

#endif  // TEND_ENGINE_RECUR_RECURRENCE_H_
