#include "engine/calendar/calendar.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "engine/base/status_macros.h"
#include "engine/calendar/ical_text.h"
#include "engine/calendar/vtimezone.h"
#include "engine/recur/recurrence.h"
#include "engine/recur/rrule.h"

namespace tend::engine {
namespace {

constexpr absl::string_view kProductId = "-//Tend//Tend rituals//EN";

// COUNT up to which the last occurrence is found by expanding the rule, to
// bound the VTIMEZONE; a larger COUNT is treated as open-ended.
constexpr int64_t kMaxCountToExpand = 10000;

absl::Status Invalid(absl::string_view field, absl::string_view rule) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", rule));
}

bool InYearRange(absl::Time t) {
  if (t == absl::InfinitePast() || t == absl::InfiniteFuture()) return false;
  const int64_t year = absl::ToCivilYear(t, absl::UTCTimeZone()).year();
  return year >= 1 && year <= 9999;
}

absl::Status ValidateZone(const absl::TimeZone& zone, absl::string_view field) {
  const std::string name = zone.name();
  const bool iana_like =
      !name.empty() && name != "localtime" &&
      !absl::StartsWith(name, "Fixed/") &&
      std::all_of(name.begin(), name.end(), [](char c) {
        return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '/' ||
               c == '_' || c == '-' || c == '+';
      });
  if (!iana_like) {
    return Invalid(field, absl::StrCat("must be an IANA time zone such as "
                                       "Europe/London, not \"",
                                       name, "\""));
  }
  return absl::OkStatus();
}

absl::Status ValidateEvent(const CalendarEvent& event,
                           absl::string_view field) {
  if (event.uid.empty())
    return Invalid(absl::StrCat(field, ".uid"), "required");
  TEND_RETURN_IF_ERROR(ValidateText(event.uid, absl::StrCat(field, ".uid"),
                                    TextRule::kSingleLine));
  TEND_RETURN_IF_ERROR(ValidateText(
      event.summary, absl::StrCat(field, ".summary"), TextRule::kMultiLine));
  TEND_RETURN_IF_ERROR(ValidateText(event.description,
                                    absl::StrCat(field, ".description"),
                                    TextRule::kMultiLine));
  if (event.dtstart.year() < 1 || event.dtstart.year() > 9999) {
    return Invalid(absl::StrCat(field, ".dtstart"),
                   "year must be from 1 to 9999");
  }
  TEND_RETURN_IF_ERROR(ValidateZone(event.zone, absl::StrCat(field, ".zone")));
  if (event.duration < absl::ZeroDuration() ||
      event.duration == absl::InfiniteDuration() ||
      event.duration % absl::Seconds(1) != absl::ZeroDuration()) {
    return Invalid(absl::StrCat(field, ".duration"),
                   "must be whole seconds, zero or more");
  }
  for (size_t j = 0; j < event.exdates.size(); ++j) {
    if (!InYearRange(event.exdates[j])) {
      return Invalid(absl::StrCat(field, ".exdates[", j, "]"),
                     "must be an instant in the years 1 to 9999");
    }
  }
  return absl::OkStatus();
}

// Whether the RRULE generates DTSTART itself (RFC 5545 §3.8.5.3 calls this
// "synchronized"). Tested on the same rule, open-ended, from a DTSTART whole
// INTERVALs earlier: that keeps the periods the rule selects and what it
// takes from DTSTART (weekday, day of the month, month), so the original
// DTSTART is one of its occurrences exactly when it is on the rule.
bool DtstartOnRule(const Recurrence& r) {
  Rrule open = r.rule();
  open.count = 0;
  open.until = Until();
  const absl::CivilDay day(r.dtstart());
  const int64_t time_of_day = r.dtstart() - absl::CivilSecond(day);
  const int64_t interval = open.interval;
  std::optional<absl::CivilDay> earlier;
  switch (open.freq) {
    case Frequency::kDaily:
      earlier = day - interval;
      break;
    case Frequency::kWeekly:
      earlier = day - 7 * interval;
      break;
    case Frequency::kMonthly:
    case Frequency::kYearly: {
      // The first whole step back whose month has DTSTART's day (the 31st,
      // or February 29 for a yearly rule, needs a few steps).
      const int64_t step =
          open.freq == Frequency::kMonthly ? interval : 12 * interval;
      for (int64_t k = 1; k <= 100 && !earlier; ++k) {
        const absl::CivilMonth month = absl::CivilMonth(day) - k * step;
        if (month.year() < 1) break;
        const absl::CivilDay candidate(month.year(), month.month(), day.day());
        if (candidate.day() == day.day()) earlier = candidate;
      }
      break;
    }
  }
  // Without an earlier start in range (a DTSTART in the first years of the
  // calendar, or a huge INTERVAL), take DTSTART as on the rule.
  if (!earlier || earlier->year() < 1) return true;
  absl::StatusOr<Recurrence> shifted = Recurrence::Parse(
      FormatRrule(open), absl::CivilSecond(*earlier) + time_of_day, r.zone());
  if (!shifted.ok()) return true;
  const std::optional<Occurrence> match = shifted->NextAfter(
      LocalToInstant(r.dtstart(), r.zone()) - absl::Nanoseconds(1));
  return match.has_value() && match->local == r.dtstart();
}

// The UTC UNTIL that keeps exactly the occurrences a local or DATE UNTIL
// keeps: RFC 5545 wants UTC when DTSTART has a TZID. Any instant from the
// last kept occurrence up to the first dropped one would do; the local
// UNTIL's own instant is used when it lies there.
absl::Time UtcUntil(const Recurrence& r) {
  const Until& until = r.rule().until;
  const absl::CivilSecond last_local =
      until.kind == Until::Kind::kDate
          ? absl::CivilSecond(absl::CivilDay(until.local) + 1) - 1
          : until.local;
  Rrule open = r.rule();
  open.until = Until();
  const absl::StatusOr<Recurrence> all =
      Recurrence::Parse(FormatRrule(open), r.dtstart(), r.zone());
  if (!all.ok()) return LocalToInstant(last_local, r.zone());  // cannot be
  // Occurrences up to `low` are kept: no offset moves a local time by three
  // days. The next few (at most one a day, as there is no BYHOUR) show where
  // the rule crosses UNTIL.
  constexpr int64_t kThreeDays = 3 * 86400;
  absl::Time low = LocalToInstant(last_local - kThreeDays, r.zone());
  absl::Time high = absl::InfiniteFuture();
  for (const Occurrence& o : all->Expand(low, 8)) {
    if (o.local > last_local) {
      high = o.instant;
      break;
    }
    low = o.instant;
  }
  return std::clamp(LocalToInstant(last_local, r.zone()), low,
                    high - absl::Seconds(1));
}

// The EXDATE values that skip the occurrence at `local`, which the engine
// puts at `instant`. A local time in a daylight-saving gap gets a second
// value, the wall-clock time of `instant` just past the gap: RFC 5545 maps
// both to the same instant, and libical 3.0.16's iterator yields the
// occurrence at that later wall-clock time, so it only honours the second.
void AddExdate(absl::CivilSecond local, absl::Time instant,
               const absl::TimeZone& zone,
               std::vector<absl::CivilSecond>* exdates) {
  exdates->push_back(local);
  const absl::CivilSecond wall = absl::ToCivilSecond(instant, zone);
  if (wall != local) exdates->push_back(wall);
}

// When and how often one event happens, as its VEVENT says it.
struct EventTimes {
  absl::CivilSecond dtstart;
  std::string rrule;  // empty: a single event
  // The ritual's own first occurrence when DTSTART is not on the rule.
  std::optional<absl::Time> rdate;
  std::vector<absl::CivilSecond> exdates;
  // The instants the event spans, for its zone's VTIMEZONE.
  absl::Time first;
  absl::Time last;  // InfiniteFuture() when open-ended
};

absl::StatusOr<EventTimes> TimesOf(const CalendarEvent& event,
                                   absl::string_view field) {
  EventTimes times;
  times.dtstart = event.dtstart;
  times.first = LocalToInstant(event.dtstart, event.zone);
  times.last = times.first;
  if (event.rrule.empty()) {
    if (std::find(event.exdates.begin(), event.exdates.end(), times.first) !=
        event.exdates.end()) {
      AddExdate(event.dtstart, times.first, event.zone, &times.exdates);
    }
    return times;
  }
  absl::StatusOr<Recurrence> r =
      Recurrence::Parse(event.rrule, event.dtstart, event.zone);
  if (!r.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".", r.status().message()));
  }
  const std::optional<Occurrence> second = r->NextAfter(times.first);
  // A DTSTART off the rule becomes an RDATE (see calendar.h); when that
  // first occurrence is skipped, the RDATE is left out instead.
  const bool first_as_rdate = second.has_value() && !DtstartOnRule(*r);
  bool first_skipped = false;
  for (absl::Time x : event.exdates) {
    const std::optional<Occurrence> o = r->NextAfter(x - absl::Nanoseconds(1));
    if (!o.has_value() || o->instant != x) continue;  // not an occurrence
    if (first_as_rdate && o->index == 0) {
      first_skipped = true;
    } else {
      AddExdate(o->local, o->instant, event.zone, &times.exdates);
    }
  }
  std::sort(times.exdates.begin(), times.exdates.end());
  times.exdates.erase(std::unique(times.exdates.begin(), times.exdates.end()),
                      times.exdates.end());
  if (!second.has_value()) return times;  // DTSTART is all there is

  Rrule rule = r->rule();
  if (rule.until.kind == Until::Kind::kLocal ||
      rule.until.kind == Until::Kind::kDate) {
    rule.until.utc = UtcUntil(*r);
    rule.until.kind = Until::Kind::kUtc;
  }
  if (rule.count > 0 && rule.count <= kMaxCountToExpand) {
    times.last =
        r->Expand(times.first - absl::Seconds(1), static_cast<int>(rule.count))
            .back()
            .instant;
  } else if (rule.until.kind == Until::Kind::kUtc) {
    times.last = std::max(rule.until.utc, times.first);
  } else {
    times.last = absl::InfiniteFuture();
  }
  if (first_as_rdate) {
    if (!first_skipped) times.rdate = times.first;
    times.dtstart = second->local;
    if (rule.count > 0) --rule.count;  // the first occurrence counts too
  }
  times.rrule = FormatRrule(rule);
  return times;
}

// The span of instants one zone has to cover.
struct ZoneSpan {
  absl::TimeZone zone;
  absl::Time first;
  absl::Time last;
};

}  // namespace

absl::StatusOr<std::string> RenderCalendar(
    absl::Span<const CalendarEvent> events, absl::Time now) {
  if (!InYearRange(now)) {
    return Invalid("now", "must be an instant in the years 1 to 9999");
  }
  std::vector<EventTimes> times;
  std::map<std::string, size_t> uids;     // uid -> first event with it
  std::map<std::string, ZoneSpan> zones;  // by name, so output is stable
  for (size_t i = 0; i < events.size(); ++i) {
    const CalendarEvent& event = events[i];
    const std::string field = absl::StrCat("events[", i, "]");
    TEND_RETURN_IF_ERROR(ValidateEvent(event, field));
    const auto [uid, inserted] = uids.emplace(event.uid, i);
    if (!inserted) {
      return Invalid(absl::StrCat(field, ".uid"),
                     absl::StrCat("repeats events[", uid->second, "].uid"));
    }
    TEND_ASSIGN_OR_RETURN(EventTimes t, TimesOf(event, field));
    const absl::Time last =
        t.last == absl::InfiniteFuture() ? t.last : t.last + event.duration;
    auto [span, added] =
        zones.emplace(event.zone.name(), ZoneSpan{event.zone, t.first, last});
    if (!added) {
      span->second.first = std::min(span->second.first, t.first);
      span->second.last = std::max(span->second.last, last);
    }
    times.push_back(std::move(t));
  }

  ContentLines lines;
  lines.Add("BEGIN", "VCALENDAR");
  lines.Add("PRODID", kProductId);
  lines.Add("VERSION", "2.0");
  lines.Add("CALSCALE", "GREGORIAN");
  lines.Add("METHOD", "PUBLISH");
  for (const auto& [name, span] : zones) {
    AppendVtimezone(span.zone,
                    ZoneObservances(span.zone, span.first, span.last), &lines);
  }
  const std::string stamp = FormatUtcDateTime(now);
  for (size_t i = 0; i < events.size(); ++i) {
    const CalendarEvent& event = events[i];
    const EventTimes& t = times[i];
    const std::string tzid = absl::StrCat(";TZID=", event.zone.name());
    lines.Add("BEGIN", "VEVENT");
    lines.Add("UID", EscapeText(event.uid));
    lines.Add("DTSTAMP", stamp);
    lines.Add(absl::StrCat("DTSTART", tzid), FormatLocalDateTime(t.dtstart));
    lines.Add("DURATION", FormatIcalDuration(event.duration));
    if (!t.rrule.empty()) lines.Add("RRULE", t.rrule);
    // In UTC: libical 3.0.16 expands an RDATE's local time as if it were
    // UTC, whatever its TZID, and a UTC RDATE is the same instant to all.
    if (t.rdate.has_value()) lines.Add("RDATE", FormatUtcDateTime(*t.rdate));
    for (const absl::CivilSecond& x : t.exdates) {
      lines.Add(absl::StrCat("EXDATE", tzid), FormatLocalDateTime(x));
    }
    if (!event.summary.empty()) {
      lines.Add("SUMMARY", EscapeText(event.summary));
    }
    if (!event.description.empty()) {
      lines.Add("DESCRIPTION", EscapeText(event.description));
    }
    lines.Add("END", "VEVENT");
  }
  lines.Add("END", "VCALENDAR");
  return std::move(lines).Take();
}

}  // namespace tend::engine
