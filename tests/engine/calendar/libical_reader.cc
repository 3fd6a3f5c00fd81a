#include "tests/engine/calendar/libical_reader.h"

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace tend::engine {

absl::CivilSecond ToCivil(const icaltimetype& t) {
  return absl::CivilSecond(t.year, t.month, t.day, t.hour, t.minute, t.second);
}

std::string TzidOf(icalproperty* property) {
  icalparameter* tzid =
      icalproperty_get_first_parameter(property, ICAL_TZID_PARAMETER);
  return tzid == nullptr ? "" : icalparameter_get_tzid(tzid);
}

absl::StatusOr<LibicalCalendar> LibicalCalendar::Parse(
    const std::string& text) {
  LibicalCalendar cal;
  cal.root_.reset(icalparser_parse_string(text.c_str()));
  if (cal.root_ == nullptr ||
      icalcomponent_isa(cal.root_.get()) != ICAL_VCALENDAR_COMPONENT) {
    return absl::InvalidArgumentError("libical found no VCALENDAR");
  }
  // The parser notes what it could not read as X-LIC-ERROR properties.
  if (icalcomponent_count_errors(cal.root_.get()) > 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("libical reports errors:\n",
                     icalcomponent_as_ical_string(cal.root_.get())));
  }
  for (icalcomponent* c = icalcomponent_get_first_component(
           cal.root_.get(), ICAL_VTIMEZONE_COMPONENT);
       c != nullptr; c = icalcomponent_get_next_component(
                         cal.root_.get(), ICAL_VTIMEZONE_COMPONENT)) {
    icalproperty* tzid =
        icalcomponent_get_first_property(c, ICAL_TZID_PROPERTY);
    if (tzid == nullptr) {
      return absl::InvalidArgumentError("VTIMEZONE without TZID");
    }
    std::unique_ptr<icaltimezone, ZoneDeleter> zone(icaltimezone_new());
    if (!icaltimezone_set_component(zone.get(), icalcomponent_new_clone(c))) {
      return absl::InvalidArgumentError("libical refuses a VTIMEZONE");
    }
    const auto [it, added] =
        cal.zones_.emplace(icalproperty_get_tzid(tzid), std::move(zone));
    if (!added) {
      return absl::InvalidArgumentError(
          absl::StrCat("two VTIMEZONEs for ", it->first));
    }
  }
  return cal;
}

std::vector<icalcomponent*> LibicalCalendar::Events() const {
  std::vector<icalcomponent*> out;
  for (icalcomponent* c = icalcomponent_get_first_component(
           root_.get(), ICAL_VEVENT_COMPONENT);
       c != nullptr; c = icalcomponent_get_next_component(
                         root_.get(), ICAL_VEVENT_COMPONENT)) {
    out.push_back(c);
  }
  return out;
}

icaltimezone* LibicalCalendar::Zone(const std::string& tzid) const {
  auto it = zones_.find(tzid);
  return it == zones_.end() ? nullptr : it->second.get();
}

std::vector<LibicalOccurrence> LibicalCalendar::Occurrences(
    icalcomponent* event, int max) const {
  icalproperty* start_property =
      icalcomponent_get_first_property(event, ICAL_DTSTART_PROPERTY);
  if (start_property == nullptr) {
    ADD_FAILURE() << "VEVENT without DTSTART";
    return {};
  }
  const std::string tzid = TzidOf(start_property);
  icaltimezone* zone = Zone(tzid);
  if (zone == nullptr) {
    ADD_FAILURE() << "no VTIMEZONE for DTSTART;TZID=" << tzid;
    return {};
  }
  icaltimezone* utc = icaltimezone_get_utc_timezone();
  // A time with DTSTART's TZID, or one in UTC.
  auto zoned = [&](icalproperty* p, icaltimetype t) {
    if (icaltime_is_utc(t) != 0) return t;
    EXPECT_EQ(TzidOf(p), tzid) << icalproperty_as_ical_string(p);
    t.zone = zone;
    return t;
  };
  auto instant_of = [&](const icaltimetype& t) {
    return absl::FromTimeT(
        icaltime_as_timet_with_zone(t, t.zone == utc ? utc : zone));
  };

  icaltimetype dtstart = icalproperty_get_dtstart(start_property);
  dtstart.zone = zone;
  // By instant: what libical's icaltime_compare() goes by.
  std::map<absl::Time, icaltimetype> set;
  std::set<absl::Time> excluded;
  for (icalproperty* p =
           icalcomponent_get_first_property(event, ICAL_RDATE_PROPERTY);
       p != nullptr;
       p = icalcomponent_get_next_property(event, ICAL_RDATE_PROPERTY)) {
    const icaltimetype t = zoned(p, icalproperty_get_rdate(p).time);
    set.emplace(instant_of(t), t);
  }
  for (icalproperty* p =
           icalcomponent_get_first_property(event, ICAL_EXDATE_PROPERTY);
       p != nullptr;
       p = icalcomponent_get_next_property(event, ICAL_EXDATE_PROPERTY)) {
    excluded.insert(instant_of(zoned(p, icalproperty_get_exdate(p))));
  }
  // DTSTART is the iterator's first value: Tend writes DTSTART on its rule.
  // Without an RRULE it is the only one.
  icalproperty* rrule =
      icalcomponent_get_first_property(event, ICAL_RRULE_PROPERTY);
  if (rrule == nullptr) set.emplace(instant_of(dtstart), dtstart);
  // The rule's first `want` dates hold the first `max` of the whole set.
  const size_t want = static_cast<size_t>(max) + excluded.size() + 1;
  for (icalproperty* p = rrule; p != nullptr;
       p = icalcomponent_get_next_property(event, ICAL_RRULE_PROPERTY)) {
    icalrecur_iterator* it =
        icalrecur_iterator_new(icalproperty_get_rrule(p), dtstart);
    if (it == nullptr) {
      ADD_FAILURE() << "libical cannot iterate "
                    << icalproperty_as_ical_string(p);
      continue;
    }
    for (size_t n = 0; n < want; ++n) {
      const icaltimetype t = icalrecur_iterator_next(it);
      if (icaltime_is_null_time(t) != 0) break;
      set.emplace(instant_of(t), t);
    }
    icalrecur_iterator_free(it);
  }

  std::vector<LibicalOccurrence> out;
  for (const auto& [instant, t] : set) {
    if (static_cast<int>(out.size()) == max) break;
    if (excluded.count(instant) > 0) continue;
    out.push_back(LibicalOccurrence{
        ToCivil(t.zone == utc ? icaltime_convert_to_zone(t, zone) : t),
        instant});
  }
  return out;
}

std::vector<absl::Time> ForeachRecurrence(icalcomponent* event, absl::Time from,
                                          absl::Time to) {
  auto as_ical = [](absl::Time t) {
    return icaltime_from_timet_with_zone(absl::ToTimeT(t), 0,
                                         icaltimezone_get_utc_timezone());
  };
  std::vector<absl::Time> out;
  icalcomponent_foreach_recurrence(
      event, as_ical(from), as_ical(to),
      [](icalcomponent*, icaltime_span* span, void* data) {
        static_cast<std::vector<absl::Time>*>(data)->push_back(
            absl::FromTimeT(span->start));
      },
      &out);
  return out;
}

}  // namespace tend::engine
