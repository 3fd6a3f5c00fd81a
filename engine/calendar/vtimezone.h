// VTIMEZONE components derived from the system's tzdata through
// absl::TimeZone, so that a calendar app maps each DTSTART;TZID=... to the
// same instant Tend does, whatever tzdata version the app carries.
//
// A VTIMEZONE is a list of observances (STANDARD or DAYLIGHT), each an onset
// in local time with the UTC offset before and after it. For the years a
// calendar spans, ZoneObservances() lists:
//   - the observance in force when the span starts (the zone's last offset
//     change before it, or a 1601 onset when the zone never changed);
//   - every offset change inside the span, one observance each, without
//     RDATE, which some calendar apps ignore inside a VTIMEZONE;
//   - and, when the zone still changes its clocks every year, two yearly
//     observances with an RRULE that hold from the first year on which the
//     zone's current rule (its POSIX TZ rule, as tzdata states it) applies,
//     so that an open-ended ritual is covered for ever.
//
// The yearly rule is found, not parsed: the zone's changes in a far year are
// matched against the day rules RRULE can say ("2SU", "-1SU", the Saturday
// of the 24th to the 30th, a fixed day), and the rule is kept only if it
// reproduces every change from its first year up to that far year. A zone
// whose rule cannot be said that way gets its changes listed one by one up
// to the far year instead (kRuleCheckYears).
//
//   absl::TimeZone ny;
//   absl::LoadTimeZone("America/New_York", &ny);
//   std::vector<ZoneObservance> o =
//       ZoneObservances(ny, start, absl::InfiniteFuture());
//   // {DAYLIGHT 20070311T020000 -0500 -> -0400 EDT RRULE:...;BYDAY=2SU,
//   //  STANDARD 20071104T020000 -0400 -> -0500 EST RRULE:...;BYDAY=1SU}
#ifndef TEND_ENGINE_CALENDAR_VTIMEZONE_H_
#define TEND_ENGINE_CALENDAR_VTIMEZONE_H_

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/calendar/ical_text.h"

namespace tend::engine {

// kRuleCheckYears
//
// How far past the span's start ZoneObservances() checks a yearly rule
// against the zone: beyond every explicit change tzdata lists (Morocco's run
// to 2087) and over whole 28-year weekday cycles.
inline constexpr int kRuleCheckYears = 400;

// ZoneObservance
//
// One STANDARD or DAYLIGHT sub-component of a VTIMEZONE.
struct ZoneObservance {
  bool daylight = false;
  // DTSTART: the local time of the change, read with `offset_from`.
  absl::CivilSecond onset;
  // TZOFFSETFROM and TZOFFSETTO, in seconds east of UTC.
  int offset_from = 0;
  int offset_to = 0;
  // TZNAME, the abbreviation tzdata gives, e.g. "EDT" or "+1030".
  std::string name;
  // A yearly RRULE such as "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", or empty for
  // a change that happens once, at `onset`.
  std::string rrule;

  friend bool operator==(const ZoneObservance& a, const ZoneObservance& b) {
    return a.daylight == b.daylight && a.onset == b.onset &&
           a.offset_from == b.offset_from && a.offset_to == b.offset_to &&
           a.name == b.name && a.rrule == b.rrule;
  }
};

// ZoneObservances()
//
// Observances, in order of onset, under which every instant from `start` to
// `end` (InfiniteFuture() for an open end) gets the UTC offset `zone` gives
// it. `start` and `end` are finite or `end` is InfiniteFuture(), start <=
// end, and both lie in the years 1 to 9999.
std::vector<ZoneObservance> ZoneObservances(const absl::TimeZone& zone,
                                            absl::Time start, absl::Time end);

// AppendVtimezone()
//
// Writes BEGIN:VTIMEZONE ... END:VTIMEZONE for `zone` (TZID is its name)
// with `observances`.
void AppendVtimezone(const absl::TimeZone& zone,
                     const std::vector<ZoneObservance>& observances,
                     ContentLines* lines);

}  // namespace tend::engine

#endif  // TEND_ENGINE_CALENDAR_VTIMEZONE_H_
