#include "engine/recur/rrule.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "engine/base/status_macros.h"

namespace tend::engine {
namespace {

struct WeekdayCode {
  absl::string_view code;
  absl::Weekday weekday;
};
constexpr WeekdayCode kWeekdayCodes[] = {
    {"MO", absl::Weekday::monday},    {"TU", absl::Weekday::tuesday},
    {"WE", absl::Weekday::wednesday}, {"TH", absl::Weekday::thursday},
    {"FR", absl::Weekday::friday},    {"SA", absl::Weekday::saturday},
    {"SU", absl::Weekday::sunday},
};

absl::Status PartError(absl::string_view part, absl::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat("rrule.", part, ": ", message));
}

absl::Status RuleError(absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat("rrule: ", message));
}

std::optional<absl::Weekday> WeekdayFromCode(absl::string_view code) {
  for (const WeekdayCode& c : kWeekdayCodes) {
    if (c.code == code) return c.weekday;
  }
  return std::nullopt;
}

absl::string_view WeekdayCodeOf(absl::Weekday weekday) {
  for (const WeekdayCode& c : kWeekdayCodes) {
    if (c.weekday == weekday) return c.code;
  }
  return "??";
}

// Reads an optionally signed decimal integer made only of digits, without
// the leniency of SimpleAtoi (no spaces, no "0x").
std::optional<int64_t> ParseInt(absl::string_view text, bool allow_sign) {
  bool negative = false;
  if (allow_sign && !text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty() || text.size() > 10) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return std::nullopt;
    }
    value = value * 10 + (c - '0');
  }
  return negative ? -value : value;
}

// Parses a comma-separated list of integers in [-max, -1] and [1, max] (or
// [1, max] when `!allow_negative`), sorted with positives first and
// duplicates dropped.
absl::StatusOr<std::vector<int>> ParseIntList(absl::string_view part,
                                              absl::string_view value, int max,
                                              bool allow_negative,
                                              absl::string_view expected) {
  std::vector<int> out;
  for (absl::string_view item : absl::StrSplit(value, ',')) {
    std::optional<int64_t> n = ParseInt(item, allow_negative);
    if (!n || *n == 0 || *n > max || *n < -max) {
      return PartError(part, absl::StrCat("must be a list of ", expected));
    }
    out.push_back(static_cast<int>(*n));
  }
  std::sort(out.begin(), out.end(), [](int a, int b) {
    if ((a > 0) != (b > 0)) return a > 0;
    return std::abs(a) < std::abs(b);
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

absl::StatusOr<std::vector<WeekdayNum>> ParseByDay(absl::string_view value) {
  std::vector<WeekdayNum> out;
  for (absl::string_view item : absl::StrSplit(value, ',')) {
    absl::Status bad = PartError(
        "BYDAY", absl::StrCat("\"", item,
                              "\" is not a weekday such as MO, 1FR or -1SU"));
    if (item.size() < 2) return bad;
    std::optional<absl::Weekday> weekday =
        WeekdayFromCode(item.substr(item.size() - 2));
    if (!weekday) return bad;
    WeekdayNum entry;
    entry.weekday = *weekday;
    absl::string_view ordinal = item.substr(0, item.size() - 2);
    if (!ordinal.empty()) {
      std::optional<int64_t> n = ParseInt(ordinal, /*allow_sign=*/true);
      if (!n || *n == 0 || *n > 53 || *n < -53) return bad;
      entry.ordinal = static_cast<int>(*n);
    }
    out.push_back(entry);
  }
  auto key = [](const WeekdayNum& w) {
    int group = w.ordinal == 0 ? 0 : (w.ordinal > 0 ? 1 : 2);
    // absl::Weekday counts from Monday.
    return std::make_tuple(group, std::abs(w.ordinal),
                           static_cast<int>(w.weekday));
  };
  std::sort(out.begin(), out.end(),
            [&](const WeekdayNum& a, const WeekdayNum& b) {
              return key(a) < key(b);
            });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

absl::StatusOr<Until> ParseUntil(absl::string_view value) {
  Until until;
  if (value.size() == 8) {
    absl::StatusOr<absl::CivilSecond> day =
        ParseLocalDateTime(absl::StrCat(value, "T000000"));
    if (!day.ok()) {
      return PartError("UNTIL", absl::StrCat(value, " is not a valid date"));
    }
    until.kind = Until::Kind::kDate;
    until.local = *day;
    return until;
  }
  bool utc = value.size() == 16 && value.back() == 'Z';
  if (value.size() != 15 && !utc) {
    return PartError("UNTIL",
                     "must be YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ");
  }
  absl::StatusOr<absl::CivilSecond> local =
      ParseLocalDateTime(value.substr(0, 15));
  if (!local.ok()) {
    return PartError("UNTIL", absl::StrCat(value, " is not a valid date-time"));
  }
  if (utc) {
    until.kind = Until::Kind::kUtc;
    until.utc = absl::FromCivil(*local, absl::UTCTimeZone());
  } else {
    until.kind = Until::Kind::kLocal;
    until.local = *local;
  }
  return until;
}

// Parts RFC 5545 defines that Tend refuses on purpose.
constexpr absl::string_view kUnsupportedParts[] = {
    "BYSECOND",  "BYMINUTE", "BYHOUR", "BYWEEKNO",
    "BYYEARDAY", "RSCALE",   "SKIP"};

absl::Status CheckCombination(const Rrule& rule, bool has_by_rule) {
  if (rule.count > 0 && rule.until.kind != Until::Kind::kNone) {
    return RuleError("COUNT and UNTIL cannot both be set");
  }
  if (!rule.by_set_pos.empty() && !has_by_rule) {
    return RuleError("BYSETPOS needs another BY rule");
  }
  if (rule.freq == Frequency::kDaily && !rule.by_set_pos.empty()) {
    // A day holds one date, so BYSETPOS could only keep or drop it.
    return RuleError("BYSETPOS needs FREQ=WEEKLY, MONTHLY or YEARLY");
  }
  if (rule.freq == Frequency::kWeekly && !rule.by_month_day.empty()) {
    return RuleError("BYMONTHDAY cannot be used with FREQ=WEEKLY");
  }
  // An ordinal counts within the month for MONTHLY, and for YEARLY when
  // BYMONTH is set; otherwise within the year.
  bool within_month =
      rule.freq == Frequency::kMonthly ||
      (rule.freq == Frequency::kYearly && !rule.by_month.empty());
  for (const WeekdayNum& entry : rule.by_day) {
    if (entry.ordinal == 0) continue;
    if (rule.freq == Frequency::kDaily || rule.freq == Frequency::kWeekly) {
      return PartError("BYDAY",
                       "ordinals such as 1FR need FREQ=MONTHLY or YEARLY");
    }
    if (within_month && std::abs(entry.ordinal) > 5) {
      return PartError("BYDAY",
                       "an ordinal within a month must be 1 to 5 or -5 to -1");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<absl::CivilSecond> ParseLocalDateTime(absl::string_view text) {
  absl::Status bad = absl::InvalidArgumentError(
      absl::StrCat("\"", text, "\" is not a local date-time YYYYMMDDTHHMMSS"));
  if (text.size() != 15 || text[8] != 'T') return bad;
  auto field = [&](size_t pos, size_t len) -> std::optional<int64_t> {
    return ParseInt(text.substr(pos, len), /*allow_sign=*/false);
  };
  std::optional<int64_t> y = field(0, 4), mo = field(4, 2), d = field(6, 2),
                         h = field(9, 2), mi = field(11, 2), s = field(13, 2);
  if (!y || !mo || !d || !h || !mi || !s || *y < 1) return bad;
  absl::CivilSecond local(*y, *mo, *d, *h, *mi, *s);
  // CivilSecond normalizes out-of-range fields (Feb 30 becomes Mar 2), so a
  // round trip tells a real date from an impossible one.
  if (local.month() != *mo || local.day() != *d || local.hour() != *h ||
      local.minute() != *mi || local.second() != *s) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text, "\" is not a valid date-time"));
  }
  return local;
}

std::string FormatLocalDateTime(absl::CivilSecond local) {
  return absl::StrFormat("%04d%02d%02dT%02d%02d%02d", local.year(),
                         local.month(), local.day(), local.hour(),
                         local.minute(), local.second());
}

absl::StatusOr<Rrule> ParseRrule(absl::string_view text) {
  std::string upper = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(text));
  absl::string_view rest = upper;
  absl::ConsumePrefix(&rest, "RRULE:");
  if (rest.empty()) return RuleError("is empty");

  Rrule rule;
  bool has_freq = false, has_by_rule = false;
  std::vector<std::string> seen;
  for (absl::string_view part : absl::StrSplit(rest, ';', absl::SkipEmpty())) {
    size_t eq = part.find('=');
    if (eq == absl::string_view::npos || eq == 0) {
      return RuleError(absl::StrCat("\"", part, "\" is not NAME=VALUE"));
    }
    absl::string_view name = part.substr(0, eq);
    absl::string_view value = part.substr(eq + 1);
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      return PartError(name, "is given more than once");
    }
    seen.emplace_back(name);
    if (std::find(std::begin(kUnsupportedParts), std::end(kUnsupportedParts),
                  name) != std::end(kUnsupportedParts)) {
      return RuleError(absl::StrCat(name, " is not supported"));
    }
    if (name == "FREQ") {
      has_freq = true;
      if (value == "DAILY") {
        rule.freq = Frequency::kDaily;
      } else if (value == "WEEKLY") {
        rule.freq = Frequency::kWeekly;
      } else if (value == "MONTHLY") {
        rule.freq = Frequency::kMonthly;
      } else if (value == "YEARLY") {
        rule.freq = Frequency::kYearly;
      } else {
        return PartError("FREQ", "must be DAILY, WEEKLY, MONTHLY or YEARLY");
      }
    } else if (name == "INTERVAL") {
      std::optional<int64_t> n = ParseInt(value, /*allow_sign=*/false);
      if (!n || *n < 1 || *n > 32767) {
        return PartError("INTERVAL", "must be an integer from 1 to 32767");
      }
      rule.interval = static_cast<int>(*n);
    } else if (name == "COUNT") {
      std::optional<int64_t> n = ParseInt(value, /*allow_sign=*/false);
      if (!n || *n < 1 || *n > 2147483647) {
        return PartError("COUNT", "must be a positive integer");
      }
      rule.count = *n;
    } else if (name == "UNTIL") {
      TEND_ASSIGN_OR_RETURN(rule.until, ParseUntil(value));
    } else if (name == "BYMONTH") {
      has_by_rule = true;
      TEND_ASSIGN_OR_RETURN(
          rule.by_month,
          ParseIntList("BYMONTH", value, 12,
                       /*allow_negative=*/false, "months 1 to 12"));
    } else if (name == "BYMONTHDAY") {
      has_by_rule = true;
      TEND_ASSIGN_OR_RETURN(
          rule.by_month_day,
          ParseIntList("BYMONTHDAY", value, 31, /*allow_negative=*/true,
                       "days 1 to 31 or -31 to -1"));
    } else if (name == "BYDAY") {
      has_by_rule = true;
      TEND_ASSIGN_OR_RETURN(rule.by_day, ParseByDay(value));
    } else if (name == "BYSETPOS") {
      TEND_ASSIGN_OR_RETURN(
          rule.by_set_pos,
          ParseIntList("BYSETPOS", value, 366, /*allow_negative=*/true,
                       "positions 1 to 366 or -366 to -1"));
    } else if (name == "WKST") {
      std::optional<absl::Weekday> weekday = WeekdayFromCode(value);
      if (!weekday) {
        return PartError("WKST", "must be MO, TU, WE, TH, FR, SA or SU");
      }
      rule.week_start = *weekday;
    } else {
      return RuleError(absl::StrCat(name, " is not a recurrence rule part"));
    }
  }
  if (!has_freq) return RuleError("FREQ is required");
  TEND_RETURN_IF_ERROR(CheckCombination(rule, has_by_rule));
  return rule;
}

std::string FormatRrule(const Rrule& rule) {
  constexpr absl::string_view kFreq[] = {"DAILY", "WEEKLY", "MONTHLY",
                                         "YEARLY"};
  std::vector<std::string> parts;
  parts.push_back(absl::StrCat("FREQ=", kFreq[static_cast<int>(rule.freq)]));
  if (rule.interval != 1) {
    parts.push_back(absl::StrCat("INTERVAL=", rule.interval));
  }
  if (rule.count > 0) parts.push_back(absl::StrCat("COUNT=", rule.count));
  switch (rule.until.kind) {
    case Until::Kind::kNone:
      break;
    case Until::Kind::kDate:
      parts.push_back(absl::StrCat(
          "UNTIL=", FormatLocalDateTime(rule.until.local).substr(0, 8)));
      break;
    case Until::Kind::kLocal:
      parts.push_back(
          absl::StrCat("UNTIL=", FormatLocalDateTime(rule.until.local)));
      break;
    case Until::Kind::kUtc:
      parts.push_back(absl::StrCat("UNTIL=",
                                   FormatLocalDateTime(absl::ToCivilSecond(
                                       rule.until.utc, absl::UTCTimeZone())),
                                   "Z"));
      break;
  }
  if (!rule.by_month.empty()) {
    parts.push_back(
        absl::StrCat("BYMONTH=", absl::StrJoin(rule.by_month, ",")));
  }
  if (!rule.by_month_day.empty()) {
    parts.push_back(
        absl::StrCat("BYMONTHDAY=", absl::StrJoin(rule.by_month_day, ",")));
  }
  if (!rule.by_day.empty()) {
    parts.push_back(absl::StrCat(
        "BYDAY=", absl::StrJoin(rule.by_day, ",",
                                [](std::string* out, const WeekdayNum& w) {
                                  if (w.ordinal != 0) {
                                    absl::StrAppend(out, w.ordinal);
                                  }
                                  absl::StrAppend(out,
                                                  WeekdayCodeOf(w.weekday));
                                })));
  }
  if (!rule.by_set_pos.empty()) {
    parts.push_back(
        absl::StrCat("BYSETPOS=", absl::StrJoin(rule.by_set_pos, ",")));
  }
  if (rule.week_start != absl::Weekday::monday) {
    parts.push_back(absl::StrCat("WKST=", WeekdayCodeOf(rule.week_start)));
  }
  return absl::StrJoin(parts, ";");
}

}  // namespace tend::engine
