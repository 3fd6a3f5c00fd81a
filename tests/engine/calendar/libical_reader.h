// A rendered calendar read back the way a calendar app built on libical
// reads it: libical's parser, libical's recurrence iterator, and each time
// zone taken from the calendar's own VTIMEZONE (never libical's builtin
// zones), so that the tests check what the calendar says, not what libical
// knows.
//
//   absl::StatusOr<LibicalCalendar> cal = LibicalCalendar::Parse(*ics);
//   for (icalcomponent* event : cal->Events()) {
//     std::vector<LibicalOccurrence> first = cal->Occurrences(event, 200);
//   }
#ifndef TEND_TESTS_ENGINE_CALENDAR_LIBICAL_READER_H_
#define TEND_TESTS_ENGINE_CALENDAR_LIBICAL_READER_H_

#include <libical/ical.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace tend::engine {

// LibicalOccurrence
//
// One occurrence of a VEVENT: the local time the calendar names and the
// instant libical gives it (icaltime_as_timet_with_zone with the VTIMEZONE).
struct LibicalOccurrence {
  absl::CivilSecond local;
  absl::Time instant;
};

// LibicalCalendar
//
// A parsed VCALENDAR. Move-only; owns the libical objects.
class LibicalCalendar {
 public:
  // Parse()
  //
  // INVALID_ARGUMENT when libical cannot parse `text` as one VCALENDAR.
  static absl::StatusOr<LibicalCalendar> Parse(const std::string& text);

  // Events()
  //
  // The VEVENTs, in the calendar's order. Owned by the calendar.
  std::vector<icalcomponent*> Events() const;

  // Zone()
  //
  // The zone of the VTIMEZONE whose TZID is `tzid`, or nullptr when the
  // calendar has none. Owned by the calendar.
  icaltimezone* Zone(const std::string& tzid) const;

  // Occurrences()
  //
  // The first `max` occurrences of `event` in order, as RFC 5545 §3.8.5
  // builds the set: the RRULE walked by libical's iterator from DTSTART
  // (whose first value is DTSTART, as Tend writes DTSTART on its rule), and
  // each RDATE, less each EXDATE. Every local time is turned into an
  // instant with the VTIMEZONE named by DTSTART's TZID
  // (icaltime_as_timet_with_zone), and times are told apart and excluded by
  // instant, as libical's icaltime_compare() does. Fails the calling test
  // (ADD_FAILURE) when a time has another TZID or the VTIMEZONE is missing.
  std::vector<LibicalOccurrence> Occurrences(icalcomponent* event,
                                             int max) const;

 private:
  struct ComponentDeleter {
    void operator()(icalcomponent* c) const { icalcomponent_free(c); }
  };
  struct ZoneDeleter {
    void operator()(icaltimezone* z) const { icaltimezone_free(z, 1); }
  };

  std::unique_ptr<icalcomponent, ComponentDeleter> root_;
  std::map<std::string, std::unique_ptr<icaltimezone, ZoneDeleter>> zones_;
};

// ForeachRecurrence()
//
// The start instants of `event` from `from` to `to` as libical's own
// expansion for apps, icalcomponent_foreach_recurrence(), lists them (it
// finds DTSTART's zone in the VTIMEZONEs of the event's calendar).
std::vector<absl::Time> ForeachRecurrence(icalcomponent* event, absl::Time from,
                                          absl::Time to);

// ToCivil()
//
// The date-time fields of `t`, whatever its zone.
absl::CivilSecond ToCivil(const icaltimetype& t);

// TzidOf()
//
// The TZID parameter of `property`, or "" without one.
std::string TzidOf(icalproperty* property);

}  // namespace tend::engine

#endif  // TEND_TESTS_ENGINE_CALENDAR_LIBICAL_READER_H_
