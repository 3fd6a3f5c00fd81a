// The text of an RFC 5545 recurrence rule (RRULE), parsed and checked.
//
// Tend accepts the part of RFC 5545 §3.3.10 that rituals need and rejects
// the rest with a message naming the part, so nothing is silently ignored:
//
//   FREQ      DAILY, WEEKLY, MONTHLY or YEARLY (not SECONDLY..HOURLY)
//   INTERVAL  1..32767
//   COUNT     or UNTIL (YYYYMMDD, YYYYMMDDTHHMMSS local, or ...Z for UTC)
//   BYMONTH, BYMONTHDAY (negative too; not with WEEKLY, as RFC 5545 says),
//   BYDAY (ordinals such as 1FR, -1SU with MONTHLY and YEARLY only),
//   BYSETPOS (not with DAILY, whose period holds a single day), WKST
//
// BYHOUR, BYMINUTE, BYSECOND, BYWEEKNO and BYYEARDAY are refused: every
// occurrence happens at DTSTART's local time of day.
//
//   absl::StatusOr<Rrule> rule = ParseRrule("FREQ=MONTHLY;BYDAY=-1SU");
//   FormatRrule(*rule);  // "FREQ=MONTHLY;BYDAY=-1SU"
//
// Expansion lives in engine/recur/recurrence.h; this file only reads and
// writes the rule.
#ifndef TEND_ENGINE_RECUR_RRULE_H_
#define TEND_ENGINE_RECUR_RRULE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace tend::engine {

// Frequency
//
// The FREQ part: the length of one recurrence period.
enum class Frequency { kDaily, kWeekly, kMonthly, kYearly };

// WeekdayNum
//
// One BYDAY entry: a weekday and, for MONTHLY and YEARLY rules, an optional
// ordinal within the month or year (1FR is the first Friday, -1SU the last
// Sunday; 0 means every such weekday).
struct WeekdayNum {
  int ordinal = 0;
  absl::Weekday weekday = absl::Weekday::monday;

  friend bool operator==(const WeekdayNum& a, const WeekdayNum& b) {
    return a.ordinal == b.ordinal && a.weekday == b.weekday;
  }
};

// Until
//
// The UNTIL part. RFC 5545 compares a UTC UNTIL ("...Z") with the instant
// and a floating one with the local time; a DATE UNTIL keeps the whole local
// day.
struct Until {
  enum class Kind { kNone, kDate, kLocal, kUtc };
  Kind kind = Kind::kNone;
  absl::CivilSecond local;  // kDate (at 00:00:00) and kLocal
  absl::Time utc;           // kUtc
};

// Rrule
//
// A checked rule. Lists are sorted and free of duplicates; `count` is 0 when
// COUNT is absent.
struct Rrule {
  Frequency freq = Frequency::kDaily;
  int interval = 1;
  int64_t count = 0;
  Until until;
  std::vector<int> by_month;      // 1..12
  std::vector<int> by_month_day;  // 1..31 and -31..-1
  std::vector<WeekdayNum> by_day;
  std::vector<int> by_set_pos;  // 1..366 and -366..-1
  absl::Weekday week_start = absl::Weekday::monday;
};

// ParseRrule()
//
// Parses `text`, with or without the "RRULE:" prefix, names and values in
// any case. Returns INVALID_ARGUMENT naming the part on bad input, e.g.
// "rrule: BYHOUR is not supported" or "rrule.INTERVAL: must be an integer
// from 1 to 32767".
absl::StatusOr<Rrule> ParseRrule(absl::string_view text);

// FormatRrule()
//
// The normalized text of `rule`: parts in a fixed order, lists sorted,
// defaults (INTERVAL=1, WKST=MO) left out. ParseRrule(FormatRrule(r)) == r.
std::string FormatRrule(const Rrule& rule);

// ParseLocalDateTime()
//
// Parses an iCalendar local date-time, "YYYYMMDDTHHMMSS" (no zone), as used
// by DTSTART. Years run from 1 to 9999. INVALID_ARGUMENT on a malformed text
// or a date that does not exist, such as 20260230T090000.
absl::StatusOr<absl::CivilSecond> ParseLocalDateTime(absl::string_view text);

// FormatLocalDateTime()
//
// The inverse of ParseLocalDateTime(): "YYYYMMDDTHHMMSS".
std::string FormatLocalDateTime(absl::CivilSecond local);

}  // namespace tend::engine

#endif  // TEND_ENGINE_RECUR_RRULE_H_
