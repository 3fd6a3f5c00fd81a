// A couple's rituals as an RFC 5545 calendar that calendar apps subscribe
// to or import: one recurring VEVENT per ritual and one VTIMEZONE per zone.
//
// The calendar must make an app compute the instants Tend computes
// (engine/recur/recurrence.h). What sees to that:
//   - Times are local time plus TZID, never UTC, so the event stays at
//     19:00 across daylight-saving changes, and each VTIMEZONE is derived
//     from the same tzdata as absl::TimeZone (vtimezone.h).
//   - RFC 5545 leaves a recurrence undefined when DTSTART is not itself an
//     occurrence of the RRULE (§3.8.5.3), yet Tend counts DTSTART as the
//     first occurrence whatever the rule says (a weekly Sunday check-in
//     created on a Wednesday starts that Wednesday). Such an event is
//     written with DTSTART on the rule's next occurrence, the ritual's own
//     start as an RDATE in UTC (left out when that occurrence is skipped),
//     and COUNT lowered by one. (libical drops a DTSTART that is off its
//     rule, and reads an RDATE's local time as UTC whatever its TZID; a UTC
//     RDATE means the same to every reader.)
//   - RFC 5545 wants UTC in UNTIL when DTSTART has a TZID; a local or DATE
//     UNTIL is rewritten to the UTC instant that keeps the same occurrences.
//   - An EXDATE names the skipped occurrence's local time; for a local time
//     inside a gap it also names the wall-clock time just past the gap (the
//     same instant under RFC 5545), which is where libical-based apps put
//     that occurrence.
//
//   std::vector<CalendarEvent> events(1);
//   events[0].uid = "c42-sunday-check-in@tend";
//   events[0].summary = "Sunday check-in";
//   events[0].rrule = "FREQ=WEEKLY;BYDAY=SU";
//   events[0].dtstart = absl::CivilSecond(2026, 3, 1, 19, 0, 0);
//   absl::LoadTimeZone("Europe/London", &events[0].zone);
//   events[0].duration = absl::Minutes(30);
//   absl::StatusOr<std::string> ics = RenderCalendar(events, clock->Now());
//
// Apps that follow RFC 5545 §3.3.5 agree with Tend on local times that fall
// in a daylight-saving gap or overlap. libical 3.0.16 does not quite: it
// reads a repeated local time as the second of the two, and its iterator
// puts the occurrence after a skipped one late by the length of the gap.
// No calendar text avoids either; tests/engine/calendar/
// calendar_libical_test.cc pins both down.
#ifndef TEND_ENGINE_CALENDAR_CALENDAR_H_
#define TEND_ENGINE_CALENDAR_CALENDAR_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace tend::engine {

// CalendarEvent
//
// One ritual as a recurring VEVENT.
struct CalendarEvent {
  // UID: stable across exports and unique in the calendar, e.g.
  // "{couple}-{ritual}@tend". One line of text, not empty.
  std::string uid;
  // SUMMARY, the title; left out when empty.
  std::string summary;
  // DESCRIPTION; left out when empty. May hold line breaks.
  std::string description;
  // RFC 5545 RRULE as Recurrence::Parse() takes it; empty for a single
  // event at `dtstart`.
  std::string rrule;
  // The first occurrence, local civil time in `zone` (years 1 to 9999).
  absl::CivilSecond dtstart;
  // An IANA zone loaded by name (its name() becomes the TZID).
  absl::TimeZone zone;
  // How long each occurrence lasts: whole seconds, zero or more.
  absl::Duration duration = absl::ZeroDuration();
  // Occurrence start instants that are skipped (EXDATE). An instant that is
  // not an occurrence would exclude nothing and is left out.
  std::vector<absl::Time> exdates;
};

// RenderCalendar()
//
// The iCalendar text (CRLF line ends, lines folded at 75 octets) of a
// VCALENDAR with PRODID, VERSION:2.0, CALSCALE:GREGORIAN and METHOD:PUBLISH,
// one VTIMEZONE per distinct zone, then one VEVENT per event in the order
// given: UID, DTSTAMP (`now`), DTSTART;TZID=..., DURATION, RRULE, RDATE,
// EXDATE;TZID=..., SUMMARY and DESCRIPTION (see above for RDATE and EXDATE).
//
// Returns INVALID_ARGUMENT naming the field and the rule for bad input,
// e.g. "events[2].rrule.FREQ: must be DAILY, WEEKLY, MONTHLY or YEARLY" or
// "events[1].uid: repeats events[0].uid".
absl::StatusOr<std::string> RenderCalendar(
    absl::Span<const CalendarEvent> events, absl::Time now);

}  // namespace tend::engine

#endif  // TEND_ENGINE_CALENDAR_CALENDAR_H_
