#include "engine/calendar/ical_text.h"

#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "engine/recur/rrule.h"

namespace tend::engine {
namespace {

bool IsContinuationByte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// The code point that starts at text[*pos], advancing *pos past it; -1 for
// a malformed, overlong or surrogate sequence.
int32_t NextCodePoint(absl::string_view text, size_t* pos) {
  const auto lead = static_cast<unsigned char>(text[*pos]);
  ++*pos;
  if (lead < 0x80) return lead;
  int trailing = 0;
  int32_t min = 0;
  int32_t cp = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    trailing = 1, min = 0x80, cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    trailing = 2, min = 0x800, cp = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    trailing = 3, min = 0x10000, cp = lead & 0x07;
  } else {
    return -1;
  }
  for (; trailing > 0; --trailing, ++*pos) {
    if (*pos >= text.size() || !IsContinuationByte(text[*pos])) return -1;
    cp = (cp << 6) | (static_cast<unsigned char>(text[*pos]) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  return cp;
}

bool IsControl(int32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0);
}

}  // namespace

void ContentLines::Add(absl::string_view name, absl::string_view value) {
  const std::string line = absl::StrCat(name, ":", value);
  absl::string_view rest = line;
  int room = kMaxLineOctets;
  while (static_cast<int>(rest.size()) > room) {
    // Back up to the start of a UTF-8 sequence. A line holds at least one
    // whole sequence (4 octets at most), so this always makes progress.
    size_t cut = room;
    while (cut > 0 && IsContinuationByte(rest[cut])) --cut;
    absl::StrAppend(&text_, rest.substr(0, cut), "\r\n ");
    rest.remove_prefix(cut);
    room = kMaxLineOctets - 1;  // the leading space of a continuation
  }
  absl::StrAppend(&text_, rest, "\r\n");
}

absl::Status ValidateText(absl::string_view text, absl::string_view field,
                          TextRule rule) {
  size_t pos = 0;
  while (pos < text.size()) {
    const int32_t cp = NextCodePoint(text, &pos);
    if (cp < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": must be valid UTF-8"));
    }
    const bool allowed_control = rule == TextRule::kMultiLine &&
                                 (cp == '\t' || cp == '\n' || cp == '\r');
    if (IsControl(cp) && !allowed_control) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, rule == TextRule::kMultiLine
                                  ? ": must be text without control "
                                    "characters other than tabs and line "
                                    "breaks"
                                  : ": must be one line of text without "
                                    "control characters"));
    }
  }
  return absl::OkStatus();
}

std::string EscapeText(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '\\':
      case ';':
      case ',':
        out.push_back('\\');
        out.push_back(c);
        break;
      case '\r':
        if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        out.append("\\n");
        break;
      case '\n':
        out.append("\\n");
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string FormatUtcDateTime(absl::Time t) {
  return absl::StrCat(
      FormatLocalDateTime(absl::ToCivilSecond(t, absl::UTCTimeZone())), "Z");
}

std::string FormatUtcOffset(int seconds_east) {
  const char sign = seconds_east < 0 ? '-' : '+';
  const int total = std::abs(seconds_east);
  const int hours = total / 3600;
  const int minutes = total / 60 % 60;
  const int seconds = total % 60;
  if (seconds != 0) {
    return absl::StrFormat("%c%02d%02d%02d", sign, hours, minutes, seconds);
  }
  return absl::StrFormat("%c%02d%02d", sign, hours, minutes);
}

std::string FormatIcalDuration(absl::Duration d) {
  const int64_t total = absl::ToInt64Seconds(d);
  if (total <= 0) return "PT0S";
  const int64_t hours = total / 3600;
  const int64_t minutes = total / 60 % 60;
  const int64_t seconds = total % 60;
  // RFC 5545's dur-time grammar lets a unit be left out only at the end:
  // "PT1H0M5S", not "PT1H5S".
  std::string out = "PT";
  if (hours > 0) absl::StrAppend(&out, hours, "H");
  if (minutes > 0 || (hours > 0 && seconds > 0)) {
    absl::StrAppend(&out, minutes, "M");
  }
  if (seconds > 0) absl::StrAppend(&out, seconds, "S");
  return out;
}

}  // namespace tend::engine
