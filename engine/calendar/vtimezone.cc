#include "engine/calendar/vtimezone.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/recur/rrule.h"

namespace tend::engine {
namespace {

// One change of the zone's offset, abbreviation or daylight flag.
struct Change {
  absl::Time at;
  absl::CivilSecond from;  // local time of the change, in offset_from
  int offset_from = 0;
  int offset_to = 0;
  bool daylight = false;
  std::string name;
};

// The first change strictly after `t`.
std::optional<Change> NextChange(const absl::TimeZone& zone, absl::Time t) {
  absl::TimeZone::CivilTransition transition;
  if (!zone.NextTransition(t, &transition)) return std::nullopt;
  Change c;
  c.from = transition.from;
  c.offset_from = zone.At(t).offset;  // nothing changes between t and c.at
  c.at = absl::FromCivil(c.from, absl::UTCTimeZone()) -
         absl::Seconds(c.offset_from);
  const absl::TimeZone::CivilInfo after = zone.At(c.at);
  c.offset_to = after.offset;
  c.daylight = after.is_dst;
  c.name = after.zone_abbr;
  return c;
}

ZoneObservance Once(const Change& c) {
  return ZoneObservance{c.daylight,  c.from, c.offset_from,
                        c.offset_to, c.name, ""};
}

// The observance in force at `start`: the last change at or before it, or,
// for a zone that never changed, one that starts in 1601 (as Outlook and
// most VTIMEZONE writers do).
ZoneObservance InForceAt(const absl::TimeZone& zone, absl::Time start) {
  const absl::TimeZone::CivilInfo info = zone.At(start);
  ZoneObservance o{info.is_dst,    absl::CivilSecond(1601, 1, 1),
                   info.offset,    info.offset,
                   info.zone_abbr, ""};
  absl::TimeZone::CivilTransition transition;
  if (zone.PrevTransition(start + absl::Nanoseconds(1), &transition)) {
    o.onset = transition.from;
    o.offset_from =
        info.offset - static_cast<int>(transition.to - transition.from);
  }
  return o;
}

int DaysInMonth(int64_t year, int month) {
  return (absl::CivilDay(absl::CivilMonth(year, month) + 1) - 1).day();
}

// A day of the year as RRULE can name it with BYMONTH and BYDAY or
// BYMONTHDAY: the `weekday` among the seven days from `first_day` (0: the
// last seven days of the month), or, without a weekday, day `first_day`.
struct DayRule {
  int month = 1;
  int first_day = 1;
  std::optional<absl::Weekday> weekday;
};

std::optional<absl::CivilDay> DayIn(const DayRule& rule, int64_t year) {
  const int days = DaysInMonth(year, rule.month);
  if (!rule.weekday) {
    if (rule.first_day > days) return std::nullopt;
    return absl::CivilDay(year, rule.month, rule.first_day);
  }
  absl::CivilDay day(year, rule.month,
                     rule.first_day == 0 ? days - 6 : rule.first_day);
  while (absl::GetWeekday(day) != *rule.weekday) ++day;
  return day;
}

std::string RruleText(const DayRule& day) {
  Rrule rule;
  rule.freq = Frequency::kYearly;
  rule.by_month = {day.month};
  if (!day.weekday) {
    rule.by_month_day = {day.first_day};
  } else if (day.first_day == 0) {
    rule.by_day = {WeekdayNum{-1, *day.weekday}};
  } else if (day.first_day % 7 == 1) {
    rule.by_day = {WeekdayNum{day.first_day / 7 + 1, *day.weekday}};
  } else {
    for (int d = day.first_day; d < day.first_day + 7; ++d) {
      rule.by_month_day.push_back(d);
    }
    rule.by_day = {WeekdayNum{0, *day.weekday}};
  }
  return FormatRrule(rule);
}

// The day rules that could have put `day` where it is, simplest first:
// "2SU", "-1SU", a weekday in some other seven-day window, a fixed day.
std::vector<DayRule> CandidatesFor(absl::CivilDay day) {
  const int month = day.month();
  const int d = day.day();
  const absl::Weekday weekday = absl::GetWeekday(day);
  std::vector<DayRule> out;
  if (d <= 28) out.push_back({month, (d - 1) / 7 * 7 + 1, weekday});
  if (d > DaysInMonth(day.year(), month) - 7)
    out.push_back({month, 0, weekday});
  // Windows that fit the month in every year (February in 2001 has 28).
  const int shortest = DaysInMonth(2001, month);
  for (int first = std::max(1, d - 6); first <= d && first + 6 <= shortest;
       ++first) {
    if (first % 7 != 1) out.push_back({month, first, weekday});
  }
  out.push_back({month, d, std::nullopt});
  return out;
}

// A change that recurs every year.
struct YearlyChange {
  DayRule day;
  absl::Duration time_of_day;  // of the change's local time, in offset_from
  Change like;                 // offsets, flag and name; `at` unused
};

bool Matches(const YearlyChange& rule, const Change& c, int64_t year) {
  const std::optional<absl::CivilDay> day = DayIn(rule.day, year);
  return day.has_value() &&
         c.from ==
             absl::CivilSecond(*day) + absl::ToInt64Seconds(rule.time_of_day) &&
         c.offset_from == rule.like.offset_from &&
         c.offset_to == rule.like.offset_to &&
         c.daylight == rule.like.daylight && c.name == rule.like.name;
}

// Whether `changes`, one year's, are exactly what `rules` give that year.
bool YearMatches(const std::vector<YearlyChange>& rules,
                 const std::vector<Change>& changes, int64_t year) {
  if (changes.size() != rules.size()) return false;
  for (const YearlyChange& rule : rules) {
    if (std::none_of(changes.begin(), changes.end(),
                     [&](const Change& c) { return Matches(rule, c, year); })) {
      return false;
    }
  }
  return true;
}

// The zone's current yearly rule and the first year it holds, no earlier
// than `first_year`; nullopt when the zone no longer changes twice a year
// or its days cannot be said in RRULE.
struct YearlyRules {
  std::vector<YearlyChange> changes;
  int64_t first_year = 0;
};

std::optional<YearlyRules> FindYearlyRules(
    const std::map<int64_t, std::vector<Change>>& by_year, int64_t first_year,
    int64_t far_year) {
  auto year_changes = [&](int64_t year) -> const std::vector<Change>& {
    static const std::vector<Change> kNone;
    auto it = by_year.find(year);
    return it == by_year.end() ? kNone : it->second;
  };
  const std::vector<Change>& far = year_changes(far_year);
  if (far.size() != 2) return std::nullopt;
  YearlyRules rules;
  for (const Change& c : far) {
    const absl::CivilDay day(c.from);
    const absl::Duration time_of_day =
        absl::Seconds(c.from - absl::CivilSecond(day));
    std::optional<YearlyChange> found;
    for (const DayRule& candidate : CandidatesFor(day)) {
      const YearlyChange rule{candidate, time_of_day, c};
      bool all = true;
      // 40 years hold every weekday and leap-year pattern of a rule.
      for (int64_t year = far_year - 39; year <= far_year && all; ++year) {
        const std::vector<Change>& in_year = year_changes(year);
        all = std::any_of(in_year.begin(), in_year.end(), [&](const Change& x) {
          return Matches(rule, x, year);
        });
      }
      if (all) {
        found = rule;
        break;
      }
    }
    if (!found) return std::nullopt;
    rules.changes.push_back(*found);
  }
  rules.first_year = far_year;
  while (rules.first_year > first_year &&
         YearMatches(rules.changes, year_changes(rules.first_year - 1),
                     rules.first_year - 1)) {
    --rules.first_year;
  }
  return rules;
}

}  // namespace

std::vector<ZoneObservance> ZoneObservances(const absl::TimeZone& zone,
                                            absl::Time start, absl::Time end) {
  const int64_t start_year = absl::ToCivilYear(start, zone).year();
  const int64_t first_year = start_year - 1;
  const int64_t far_year = start_year + kRuleCheckYears;
  const bool open = end == absl::InfiniteFuture();

  // Every change from `first_year` to `far_year`, in order and by year.
  std::vector<Change> changes;
  std::map<int64_t, std::vector<Change>> by_year;
  absl::Time t =
      absl::FromCivil(absl::CivilYear(first_year), zone) - absl::Hours(48);
  while (std::optional<Change> c = NextChange(zone, t)) {
    if (c->from.year() > far_year) break;
    t = c->at;
    if (c->from.year() < first_year) continue;
    changes.push_back(*c);
    by_year[c->from.year()].push_back(*c);
  }

  const std::optional<YearlyRules> rules =
      FindYearlyRules(by_year, first_year, far_year);
  // Yearly observances start on the rule's first year, or the year before
  // the span when the rule held already then: its two onsets precede the
  // span, so nothing else is needed.
  const int64_t rule_year = rules ? std::max(rules->first_year, first_year) : 0;
  const bool use_rules =
      rules && (open || absl::ToCivilYear(end, zone).year() >= rule_year);

  std::vector<ZoneObservance> out;
  if (!use_rules || rule_year > first_year) {
    out.push_back(InForceAt(zone, start));
  }
  for (const Change& c : changes) {
    if (c.at <= start) continue;
    if (use_rules ? c.from.year() >= rule_year : c.at > end) break;
    out.push_back(Once(c));
  }
  if (use_rules) {
    std::vector<ZoneObservance> yearly;
    for (const YearlyChange& rule : rules->changes) {
      ZoneObservance o = Once(rule.like);
      o.onset = absl::CivilSecond(*DayIn(rule.day, rule_year)) +
                absl::ToInt64Seconds(rule.time_of_day);
      o.rrule = RruleText(rule.day);
      yearly.push_back(std::move(o));
    }
    std::sort(yearly.begin(), yearly.end(),
              [](const ZoneObservance& a, const ZoneObservance& b) {
                return a.onset < b.onset;
              });
    out.insert(out.end(), yearly.begin(), yearly.end());
  }
  return out;
}

void AppendVtimezone(const absl::TimeZone& zone,
                     const std::vector<ZoneObservance>& observances,
                     ContentLines* lines) {
  lines->Add("BEGIN", "VTIMEZONE");
  lines->Add("TZID", EscapeText(zone.name()));
  for (const ZoneObservance& o : observances) {
    const char* kind = o.daylight ? "DAYLIGHT" : "STANDARD";
    lines->Add("BEGIN", kind);
    lines->Add("DTSTART", FormatLocalDateTime(o.onset));
    lines->Add("TZOFFSETFROM", FormatUtcOffset(o.offset_from));
    lines->Add("TZOFFSETTO", FormatUtcOffset(o.offset_to));
    lines->Add("TZNAME", EscapeText(o.name));
    if (!o.rrule.empty()) lines->Add("RRULE", o.rrule);
    lines->Add("END", kind);
  }
  lines->Add("END", "VTIMEZONE");
}

}  // namespace tend::engine
