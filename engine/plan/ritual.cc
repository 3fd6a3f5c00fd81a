#include "engine/plan/ritual.h"

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace tend::engine {
namespace {

constexpr int kMinutesPerDay = 24 * 60;

std::string Field(const Ritual& r, absl::string_view field) {
  return absl::StrCat("ritual[", r.id, "].", field);
}

}  // namespace

TimeOfDay TimeOfDayOf(absl::CivilSecond local) {
  return TimeOfDay{local.hour(), local.minute()};
}

std::string FormatTimeOfDay(TimeOfDay t) {
  // Plain digits: explanations format many of these on the planner's path.
  std::string out = "00:00";
  out[0] = static_cast<char>('0' + t.hours / 10 % 10);
  out[1] = static_cast<char>('0' + t.hours % 10);
  out[3] = static_cast<char>('0' + t.minutes / 10 % 10);
  out[4] = static_cast<char>('0' + t.minutes % 10);
  return out;
}

bool TimeWindow::Contains(TimeOfDay t) const {
  const int s = start.MinuteOfDay(), e = end.MinuteOfDay(), m = t.MinuteOfDay();
  if (s < e) return m >= s && m < e;
  return m >= s || m < e;  // wraps past midnight
}

int TimeWindow::MinutesLeft(TimeOfDay t) const {
  if (!Contains(t)) return 0;
  const int left = end.MinuteOfDay() - t.MinuteOfDay();
  return left > 0 ? left : left + kMinutesPerDay;
}

absl::CivilSecond TimeWindow::EndAfter(absl::CivilSecond local) const {
  const absl::CivilMinute minute(local);
  return absl::CivilSecond(minute + MinutesLeft(TimeOfDayOf(local)));
}

absl::Status ValidateTimeOfDay(TimeOfDay t, absl::string_view field) {
  if (t.hours < 0 || t.hours > 23 || t.minutes < 0 || t.minutes > 59) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": hours must be 0-23 and minutes 0-59, got ",
                     t.hours, ":", t.minutes));
  }
  return absl::OkStatus();
}

absl::Status ValidateTimeWindow(const TimeWindow& w, absl::string_view field) {
  if (absl::Status s =
          ValidateTimeOfDay(w.start, absl::StrCat(field, ".start"));
      !s.ok()) {
    return s;
  }
  if (absl::Status s = ValidateTimeOfDay(w.end, absl::StrCat(field, ".end"));
      !s.ok()) {
    return s;
  }
  if (w.start == w.end) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": start and end must differ"));
  }
  return absl::OkStatus();
}

absl::Status ValidateRitual(const Ritual& r) {
  if (r.id.empty()) {
    return absl::InvalidArgumentError("ritual.id: must not be empty");
  }
  if (r.lead_times.size() > static_cast<size_t>(kMaxLeadTimes)) {
    return absl::InvalidArgumentError(
        absl::StrCat(Field(r, "lead_times"), ": at most ", kMaxLeadTimes));
  }
  for (absl::Duration lead : r.lead_times) {
    if (lead < absl::ZeroDuration() || lead > kMaxLeadTime) {
      return absl::InvalidArgumentError(absl::StrCat(
          Field(r, "lead_times"), ": each must be from 0 to 7 days, got ",
          absl::FormatDuration(lead)));
    }
  }
  if (r.duration < absl::ZeroDuration() || r.duration > kMaxDuration) {
    return absl::InvalidArgumentError(
        absl::StrCat(Field(r, "duration"), ": must be from 0 to 24h, got ",
                     absl::FormatDuration(r.duration)));
  }
  if (r.anchor != TimeAnchor::kNone && r.kind != RitualKind::kPersonal) {
    return absl::InvalidArgumentError(
        absl::StrCat(Field(r, "anchor"),
                     ": only personal rituals follow a "
                     "point in a person's day"));
  }
  if (absl::AbsDuration(r.anchor_offset) > kMaxAnchorOffset) {
    return absl::InvalidArgumentError(
        absl::StrCat(Field(r, "anchor_offset"), ": must be within 12h, got ",
                     absl::FormatDuration(r.anchor_offset)));
  }
  return absl::OkStatus();
}

std::vector<absl::Duration> EffectiveLeadTimes(const Ritual& ritual) {
  std::vector<absl::Duration> leads = ritual.lead_times;
  if (leads.empty()) leads.push_back(absl::ZeroDuration());
  std::sort(leads.begin(), leads.end(), std::greater<absl::Duration>());
  leads.erase(std::unique(leads.begin(), leads.end()), leads.end());
  return leads;
}

}  // namespace tend::engine
