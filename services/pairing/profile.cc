#include "services/pairing/profile.h"

#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/base/status_macros.h"

namespace tend::pairing {
namespace {

using ::tend::type::v1::LoveLanguage;
using ::tend::type::v1::TimeOfDay;
using ::tend::type::v1::TimeWindow;

constexpr int kMaxNameCodePoints = 64;

TimeOfDay At(int hours, int minutes) {
  TimeOfDay t;
  t.set_hours(hours);
  t.set_minutes(minutes);
  return t;
}

TimeWindow Window(int from_h, int from_m, int to_h, int to_m) {
  TimeWindow w;
  *w.mutable_start() = At(from_h, from_m);
  *w.mutable_end() = At(to_h, to_m);
  return w;
}

// Counts code points; fails on malformed UTF-8 and on control characters.
absl::StatusOr<int> CountPrintableCodePoints(absl::string_view text) {
  int count = 0;
  for (size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    int length = 0;
    uint32_t cp = 0;
    if (lead < 0x80) {
      length = 1;
      cp = lead;
    } else if ((lead & 0xE0) == 0xC0 && lead >= 0xC2) {
      length = 2;
      cp = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      cp = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0 && lead <= 0xF4) {
      length = 4;
      cp = lead & 0x07;
    } else {
      return absl::InvalidArgumentError("not valid UTF-8");
    }
    if (i + length > text.size()) {
      return absl::InvalidArgumentError("not valid UTF-8");
    }
    for (int k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) {
        return absl::InvalidArgumentError("not valid UTF-8");
      }
      cp = (cp << 6) | (next & 0x3F);
    }
    const bool overlong = (length == 3 && cp < 0x800) ||
                          (length == 4 && (cp < 0x10000 || cp > 0x10FFFF));
    if (overlong || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return absl::InvalidArgumentError("not valid UTF-8");
    }
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
      return absl::InvalidArgumentError("contains control characters");
    }
    i += length;
    ++count;
  }
  return count;
}

absl::Status Invalid(absl::string_view field, absl::string_view rule) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", rule));
}

absl::Status ValidateRanking(
    const google::protobuf::RepeatedField<int>& ranking) {
  constexpr absl::string_view kField = "profile.love_language_ranking";
  if (ranking.empty()) return absl::OkStatus();
  std::set<int> seen;
  for (int language : ranking) {
    if (language <= tend::type::v1::LOVE_LANGUAGE_UNSPECIFIED ||
        language > tend::type::v1::LOVE_LANGUAGE_PHYSICAL_TOUCH) {
      return Invalid(kField, "holds a value that is not a love language");
    }
    if (!seen.insert(language).second) {
      return Invalid(kField, "names a love language twice");
    }
  }
  if (seen.size() != 5) {
    return Invalid(kField, "must rank all five love languages, or none");
  }
  return absl::OkStatus();
}

}  // namespace

PartnerProfile DefaultProfile() {
  PartnerProfile profile;
  profile.set_time_zone("UTC");
  *profile.mutable_quiet_hours() = Window(22, 0, 7, 0);
  *profile.mutable_waking_hours() = Window(7, 0, 22, 0);
  profile.set_daily_notification_budget(3);
  return profile;
}

absl::Status ValidateTimeZone(absl::string_view field, absl::string_view zone) {
  if (zone.empty()) return Invalid(field, "required, e.g. Europe/London");
  if (zone.size() > 64) return Invalid(field, "at most 64 characters");
  for (char c : zone) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '/' || c == '_' ||
                    c == '-' || c == '+';
    if (!ok) return Invalid(field, "is not an IANA time zone name");
  }
  // absl also accepts its own "Fixed/UTC+hh:mm:ss" names; Tend stores zones,
  // never fixed offsets.
  if (absl::StartsWith(zone, "Fixed/") || absl::StrContains(zone, "..") ||
      zone.front() == '/') {
    return Invalid(field, "is not an IANA time zone name");
  }
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(std::string(zone), &tz)) {
    return Invalid(
        field, absl::StrCat("'", zone, "' is not in the time zone database"));
  }
  return absl::OkStatus();
}

absl::Status ValidateTimeOfDay(absl::string_view field, const TimeOfDay& time) {
  if (time.hours() < 0 || time.hours() > 23) {
    return Invalid(absl::StrCat(field, ".hours"), "must be 0 to 23");
  }
  if (time.minutes() < 0 || time.minutes() > 59) {
    return Invalid(absl::StrCat(field, ".minutes"), "must be 0 to 59");
  }
  return absl::OkStatus();
}

absl::Status ValidateTimeWindow(absl::string_view field,
                                const TimeWindow& window) {
  if (!window.has_start()) return Invalid(field, "start is required");
  if (!window.has_end()) return Invalid(field, "end is required");
  TEND_RETURN_IF_ERROR(
      ValidateTimeOfDay(absl::StrCat(field, ".start"), window.start()));
  TEND_RETURN_IF_ERROR(
      ValidateTimeOfDay(absl::StrCat(field, ".end"), window.end()));
  if (window.start().hours() == window.end().hours() &&
      window.start().minutes() == window.end().minutes()) {
    return Invalid(field, "start and end must differ");
  }
  return absl::OkStatus();
}

absl::Status ValidateProfile(const PartnerProfile& profile) {
  absl::StatusOr<int> name_length =
      CountPrintableCodePoints(profile.display_name());
  if (!name_length.ok()) {
    return Invalid("profile.display_name", name_length.status().message());
  }
  if (*name_length > kMaxNameCodePoints) {
    return Invalid("profile.display_name", "at most 64 characters");
  }
  TEND_RETURN_IF_ERROR(
      ValidateTimeZone("profile.time_zone", profile.time_zone()));
  if (!profile.has_quiet_hours()) {
    return Invalid("profile.quiet_hours", "required");
  }
  TEND_RETURN_IF_ERROR(
      ValidateTimeWindow("profile.quiet_hours", profile.quiet_hours()));
  if (!profile.has_waking_hours()) {
    return Invalid("profile.waking_hours", "required");
  }
  TEND_RETURN_IF_ERROR(
      ValidateTimeWindow("profile.waking_hours", profile.waking_hours()));
  TEND_RETURN_IF_ERROR(ValidateRanking(profile.love_language_ranking()));
  if (profile.has_leave_for_work_time()) {
    TEND_RETURN_IF_ERROR(ValidateTimeOfDay("profile.leave_for_work_time",
                                           profile.leave_for_work_time()));
  }
  if (profile.daily_notification_budget() < 1 ||
      profile.daily_notification_budget() > 20) {
    return Invalid("profile.daily_notification_budget", "must be 1 to 20");
  }
  return absl::OkStatus();
}

absl::StatusOr<PartnerProfile> ApplyProfileUpdate(
    const PartnerProfile& current, const PartnerProfile& update,
    const google::protobuf::FieldMask& mask) {
  if (mask.paths().empty()) {
    TEND_RETURN_IF_ERROR(ValidateProfile(update));
    return update;
  }
  PartnerProfile merged = current;
  const google::protobuf::Descriptor* descriptor = PartnerProfile::descriptor();
  const google::protobuf::Reflection* reflection =
      PartnerProfile::GetReflection();
  for (const std::string& path : mask.paths()) {
    const google::protobuf::FieldDescriptor* field =
        descriptor->FindFieldByName(path);
    if (field == nullptr) {
      return Invalid("update_mask.paths",
                     absl::StrCat("unknown profile field '", path, "'"));
    }
    reflection->ClearField(&merged, field);
    if (field->is_repeated() || field->message_type() == nullptr ||
        reflection->HasField(update, field)) {
      // Copy one field through a scratch message that holds only it.
      PartnerProfile only;
      const std::vector<const google::protobuf::FieldDescriptor*> fields = {
          field};
      PartnerProfile source = update;
      reflection->SwapFields(&only, &source, fields);
      merged.MergeFrom(only);
    }
  }
  TEND_RETURN_IF_ERROR(ValidateProfile(merged));
  return merged;
}

}  // namespace tend::pairing
