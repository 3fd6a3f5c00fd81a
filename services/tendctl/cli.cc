#include "services/tendctl/cli.h"

#include <cstdio>
#include <optional>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "engine/base/status_macros.h"
#include "engine/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "nlohmann/json.hpp"
#include "services/common/auth.h"
#include "services/common/flags.h"
#include "tend/pairing/v1/pairing.grpc.pb.h"

ABSL_FLAG(std::string, user, "",
          "Act as this user id. tendctl mints a token for it that lasts five "
          "minutes, signed with the dev secret (--jwt_secret or "
          "TEND_JWT_SECRET). For development; against a real deployment use "
          "--token.");
ABSL_FLAG(std::string, token, "",
          "Bearer token to act with, e.g. from 'tendctl token'. Prefer "
          "TEND_TOKEN so it stays out of process listings.");
ABSL_FLAG(bool, json, false,
          "Print the response message as JSON (every field, defaults "
          "included) instead of prose, for scripts.");

namespace tend::tendctl {
namespace {

using ::tend::type::v1::LoveLanguage;
using ::tend::type::v1::TimeOfDay;
using ::tend::type::v1::TimeWindow;

// Marks a status as a usage error; the payload carries nothing else.
constexpr char kUsagePayload[] = "type.googleapis.com/tend.tendctl.UsageError";

// One love language as the command line and the prose name it.
struct LoveLanguageName {
  LoveLanguage language;
  const char* short_name;
  const char* words;
};

constexpr LoveLanguageName kLoveLanguageNames[] = {
    {tend::type::v1::LOVE_LANGUAGE_PHYSICAL_TOUCH, "touch", "physical touch"},
    {tend::type::v1::LOVE_LANGUAGE_QUALITY_TIME, "time", "quality time"},
    {tend::type::v1::LOVE_LANGUAGE_WORDS_OF_AFFIRMATION, "words",
     "words of affirmation"},
    {tend::type::v1::LOVE_LANGUAGE_ACTS_OF_SERVICE, "service",
     "acts of service"},
    {tend::type::v1::LOVE_LANGUAGE_RECEIVING_GIFTS, "gifts", "receiving gifts"},
};

// "1 hour", "3 hours".
std::string Count(int64_t n, absl::string_view unit) {
  return absl::StrCat(n, " ", unit, n == 1 ? "" : "s");
}

// "3 hours 5 minutes", leaving out a zero second unit.
std::string TwoUnits(int64_t big, absl::string_view big_unit, int64_t small,
                     absl::string_view small_unit) {
  if (big == 0) return Count(small, small_unit);
  if (small == 0) return Count(big, big_unit);
  return absl::StrCat(Count(big, big_unit), " ", Count(small, small_unit));
}

// Reads "H:MM" or "HH:MM" without checking that it is a time of day;
// nullopt when it is not of that shape.
std::optional<TimeOfDay> ReadClock(absl::string_view text) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  if (parts.size() != 2 || parts[0].empty() || parts[0].size() > 2 ||
      parts[1].size() != 2) {
    return std::nullopt;
  }
  for (absl::string_view part : parts) {
    for (char c : part) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
        return std::nullopt;
      }
    }
  }
  int hours = 0;
  int minutes = 0;
  if (!absl::SimpleAtoi(parts[0], &hours) ||
      !absl::SimpleAtoi(parts[1], &minutes)) {
    return std::nullopt;
  }
  TimeOfDay time;
  time.set_hours(hours);
  time.set_minutes(minutes);
  return time;
}

// A UsageError when `time`, read from `text`, is past 23:59.
absl::Status CheckClock(absl::string_view flag, absl::string_view text,
                        const TimeOfDay& time) {
  if (time.hours() <= 23 && time.minutes() <= 59) return absl::OkStatus();
  return UsageError(absl::StrCat("--", flag, ": ", text,
                                 " is not a time of day (00:00 to 23:59)"));
}

}  // namespace

std::vector<std::string> CallFlags(std::vector<std::string> own,
                                   absl::string_view address_flag) {
  own.emplace_back(address_flag);
  for (const char* flag : {"user", "token", "jwt_secret", "json"}) {
    own.emplace_back(flag);
  }
  return own;
}

absl::Status UsageError(absl::string_view message) {
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kUsagePayload, absl::Cord());
  return status;
}

bool IsUsageError(const absl::Status& status) {
  return status.GetPayload(kUsagePayload).has_value();
}

absl::Status ExpectArgs(const std::vector<std::string>& args,
                        const std::vector<std::string>& names) {
  if (args.size() < names.size()) {
    return UsageError(absl::StrCat("missing ", names[args.size()]));
  }
  if (args.size() > names.size()) {
    return UsageError(
        absl::StrCat("unexpected argument '", args[names.size()], "'"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ResolveToken() {
  const std::string token = absl::GetFlag(FLAGS_token);
  const std::string user = absl::GetFlag(FLAGS_user);
  if (!token.empty() && !user.empty()) {
    return UsageError(
        "--token and --user both say who you are; pass only one (TEND_TOKEN "
        "and TEND_USER count too)");
  }
  if (!token.empty()) return token;
  if (user.empty()) {
    return UsageError(
        "who are you? pass --user ID (signed with the dev secret) or --token "
        "TOKEN (or set TEND_TOKEN)");
  }
  const absl::Status valid = services::ValidateUserId("--user", user);
  if (!valid.ok()) return UsageError(valid.message());
  const std::string secret = absl::GetFlag(FLAGS_jwt_secret);
  if (secret.empty()) {
    return UsageError(
        "--user needs the dev secret to sign a token: pass --jwt_secret or "
        "set TEND_JWT_SECRET");
  }
  return services::MintToken(
      secret, user, engine::RealClock::Get()->Now() + kUserTokenLifetime);
}

std::string CallerUserId() {
  const std::string user = absl::GetFlag(FLAGS_user);
  if (!user.empty()) return user;
  const std::vector<absl::string_view> parts =
      absl::StrSplit(absl::GetFlag(FLAGS_token), '.');
  std::string payload;
  if (parts.size() != 3 || !absl::WebSafeBase64Unescape(parts[1], &payload)) {
    return "";
  }
  const nlohmann::json claims =
      nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object() || !claims.contains("sub") ||
      !claims["sub"].is_string()) {
    return "";
  }
  return claims["sub"].get<std::string>();
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(
    absl::string_view flag_name, const std::string& address) {
  if (address.empty()) {
    return UsageError(absl::StrCat("no address: pass --", flag_name,
                                   "=HOST:PORT or set TEND_",
                                   absl::AsciiStrToUpper(flag_name)));
  }
  return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
}

void PrepareContext(absl::string_view token, grpc::ClientContext* context) {
  context->set_deadline(
      absl::ToChronoTime(engine::RealClock::Get()->Now() + kCallDeadline));
  context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
}

absl::StatusOr<tend::pairing::v1::Couple> CallerCouple() {
  using Stub = tend::pairing::v1::PairingService::Stub;
  TEND_ASSIGN_OR_RETURN(
      std::shared_ptr<grpc::Channel> channel,
      OpenChannel("pairing_addr", absl::GetFlag(FLAGS_pairing_addr)));
  std::unique_ptr<Stub> stub =
      tend::pairing::v1::PairingService::NewStub(channel);
  tend::pairing::v1::Couple couple;
  TEND_RETURN_IF_ERROR(Call(*stub, &Stub::GetCouple,
                            tend::pairing::v1::GetCoupleRequest(), &couple));
  return couple;
}

absl::Status Emit(const google::protobuf::Message& response,
                  absl::string_view human) {
  std::string text;
  if (absl::GetFlag(FLAGS_json)) {
    google::protobuf::util::JsonPrintOptions options;
    options.add_whitespace = true;
    options.always_print_primitive_fields = true;
    const auto converted =
        google::protobuf::util::MessageToJsonString(response, &text, options);
    if (!converted.ok()) {
      return absl::InternalError(
          absl::StrCat("printing JSON: ", converted.ToString()));
    }
  } else {
    text = std::string(human);
  }
  if (text.empty() || text.back() != '\n') text.push_back('\n');
  std::fputs(text.c_str(), stdout);
  return absl::OkStatus();
}

absl::StatusOr<TimeOfDay> ParseTimeOfDay(absl::string_view flag,
                                         absl::string_view text) {
  const std::optional<TimeOfDay> time = ReadClock(text);
  if (!time.has_value()) {
    return UsageError(absl::StrCat(
        "--", flag, ": expected HH:MM (e.g. 08:15), got \"", text, "\""));
  }
  TEND_RETURN_IF_ERROR(CheckClock(flag, text, *time));
  return *time;
}

absl::StatusOr<TimeWindow> ParseTimeWindow(absl::string_view flag,
                                           absl::string_view text) {
  const std::vector<absl::string_view> ends = absl::StrSplit(text, '-');
  std::optional<TimeOfDay> start;
  std::optional<TimeOfDay> end;
  if (ends.size() == 2) {
    start = ReadClock(ends[0]);
    end = ReadClock(ends[1]);
  }
  if (!start.has_value() || !end.has_value()) {
    return UsageError(absl::StrCat(
        "--", flag, ": expected HH:MM-HH:MM (e.g. 22:00-07:00), got \"", text,
        "\""));
  }
  TEND_RETURN_IF_ERROR(CheckClock(flag, ends[0], *start));
  TEND_RETURN_IF_ERROR(CheckClock(flag, ends[1], *end));
  TimeWindow window;
  *window.mutable_start() = *start;
  *window.mutable_end() = *end;
  return window;
}

std::string FormatTimeOfDay(const TimeOfDay& time) {
  return absl::StrFormat("%02d:%02d", time.hours(), time.minutes());
}

std::string FormatTimeWindow(const TimeWindow& window) {
  const auto minute_of_day = [](const TimeOfDay& t) {
    return t.hours() * 60 + t.minutes();
  };
  std::string text = absl::StrCat(FormatTimeOfDay(window.start()), "-",
                                  FormatTimeOfDay(window.end()));
  if (minute_of_day(window.end()) < minute_of_day(window.start())) {
    absl::StrAppend(&text, ", overnight");
  }
  return text;
}

absl::StatusOr<std::vector<LoveLanguage>> ParseLoveLanguages(
    absl::string_view flag, absl::string_view text) {
  std::vector<LoveLanguage> ranking;
  if (absl::AsciiStrToLower(absl::StripAsciiWhitespace(text)) == "none") {
    return ranking;
  }
  for (absl::string_view entry : absl::StrSplit(text, ',')) {
    const std::string lower =
        absl::AsciiStrToLower(absl::StripAsciiWhitespace(entry));
    absl::string_view name = lower;
    absl::ConsumePrefix(&name, "love_language_");
    bool found = false;
    for (const LoveLanguageName& known : kLoveLanguageNames) {
      const std::string enum_lower = absl::AsciiStrToLower(
          tend::type::v1::LoveLanguage_Name(known.language));
      absl::string_view enum_name = enum_lower;
      absl::ConsumePrefix(&enum_name, "love_language_");
      if (name == known.short_name || name == enum_name) {
        ranking.push_back(known.language);
        found = true;
        break;
      }
    }
    if (!found) {
      return UsageError(absl::StrCat(
          "--", flag, ": unknown love language \"", entry,
          "\"; use touch, time, words, service and gifts, most felt first"));
    }
  }
  return ranking;
}

std::string FormatLoveLanguage(LoveLanguage language) {
  for (const LoveLanguageName& known : kLoveLanguageNames) {
    if (known.language == language) return known.words;
  }
  return absl::StrCat("love language ", static_cast<int>(language));
}

std::string DurationInWords(absl::Duration duration) {
  duration = absl::AbsDuration(duration);
  if (duration < absl::Minutes(1)) return "less than a minute";
  const int64_t minutes = absl::ToInt64Minutes(
      absl::Floor(duration + absl::Seconds(30), absl::Minutes(1)));
  if (minutes < 48 * 60) {
    return TwoUnits(minutes / 60, "hour", minutes % 60, "minute");
  }
  const int64_t hours = absl::ToInt64Hours(
      absl::Floor(duration + absl::Minutes(30), absl::Hours(1)));
  return TwoUnits(hours / 24, "day", hours % 24, "hour");
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixMicros(
      google::protobuf::util::TimeUtil::TimestampToMicroseconds(timestamp));
}

absl::Duration FromDuration(const google::protobuf::Duration& duration) {
  return absl::Seconds(duration.seconds()) +
         absl::Nanoseconds(duration.nanos());
}

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
      absl::ToUnixMicros(time));
}

std::string FormatInstant(absl::Time time) {
  return absl::FormatTime("%Y-%m-%d %H:%M %Z", time, absl::LocalTimeZone());
}

std::string FormatZoneNow(absl::string_view zone, absl::Time now) {
  if (zone.empty()) return "(not set)";
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(std::string(zone), &tz)) return std::string(zone);
  return absl::StrCat(zone, ", now ", absl::FormatTime("%H:%M %Z", now, tz));
}

}  // namespace tend::tendctl
