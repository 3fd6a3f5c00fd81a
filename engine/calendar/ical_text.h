// The text layer of an RFC 5545 iCalendar stream: content lines, TEXT
// escaping, line folding and the value formats Tend writes.
//
// Everything here is about octets on the wire, nothing about time zones or
// recurrence (calendar.h and vtimezone.h build on it):
//
//   ContentLines lines;
//   lines.Add("BEGIN", "VEVENT");
//   lines.Add("SUMMARY", EscapeText("Dinner, then a walk; no phones"));
//   lines.Add("DTSTART;TZID=Europe/London", FormatLocalDateTime(start));
//   std::string text = std::move(lines).Take();  // CRLF, folded at 75 octets
#ifndef TEND_ENGINE_CALENDAR_ICAL_TEXT_H_
#define TEND_ENGINE_CALENDAR_ICAL_TEXT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tend::engine {

// kMaxLineOctets
//
// RFC 5545 §3.1: a content line SHOULD NOT be longer than 75 octets, not
// counting the CRLF. Longer lines are folded: CRLF followed by one space,
// which counts toward the next line's 75.
inline constexpr int kMaxLineOctets = 75;

// ContentLines
//
// An iCalendar stream being written, one content line at a time.
class ContentLines {
 public:
  // Add()
  //
  // Appends "name:value" (`name` may carry parameters, "DTSTART;TZID=...")
  // folded at kMaxLineOctets without splitting a UTF-8 sequence, then CRLF.
  // The caller escapes the value (EscapeText) and checks that it is valid
  // UTF-8 (ValidateText): Add() does neither.
  void Add(absl::string_view name, absl::string_view value);

  // Take()
  //
  // The stream written so far.
  std::string Take() && { return std::move(text_); }

 private:
  std::string text_;
};

// TextRule
//
// What ValidateText() accepts besides printable UTF-8.
enum class TextRule {
  kSingleLine,  // no control characters at all (UID, TZNAME)
  kMultiLine,   // also TAB and line breaks, LF, CR or CRLF (SUMMARY, ...)
};

// ValidateText()
//
// OK when `text` is well-formed UTF-8 without control characters other than
// those `rule` allows (RFC 5545 §3.3.11 has no place for them). Otherwise
// INVALID_ARGUMENT naming `field`, e.g. "events[0].summary: must be UTF-8
// text without control characters".
absl::Status ValidateText(absl::string_view text, absl::string_view field,
                          TextRule rule);

// EscapeText()
//
// `text` as an RFC 5545 TEXT value (§3.3.11): backslash, semicolon and comma
// get a backslash, and each line break (LF, CR or CRLF) becomes "\n".
std::string EscapeText(absl::string_view text);

// FormatUtcDateTime()
//
// A DATE-TIME in UTC, "YYYYMMDDTHHMMSSZ", sub-seconds dropped.
std::string FormatUtcDateTime(absl::Time t);

// FormatUtcOffset()
//
// A UTC-OFFSET value (§3.3.14), "+HHMM", or "+HHMMSS" when the offset has
// seconds (old local mean times). Zero is "+0000", never "-0000".
std::string FormatUtcOffset(int seconds_east);

// FormatIcalDuration()
//
// An exact DURATION value (§3.3.6) in hours, minutes and seconds, such as
// "PT1H30M" or "PT0S". Days ("P1D") are left out on purpose: a day there is
// a nominal day, 23 or 25 hours across a daylight-saving change. `d` is
// whole seconds and not negative.
std::string FormatIcalDuration(absl::Duration d);

}  // namespace tend::engine

#endif  // TEND_ENGINE_CALENDAR_ICAL_TEXT_H_
