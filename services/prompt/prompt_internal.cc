#include "services/prompt/prompt_internal.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/time_util.h"
#include "services/prompt/catalog.h"

namespace tend::prompt::internal {

using google::protobuf::util::TimeUtil;

absl::Status Invalid(absl::string_view field, absl::string_view rule) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", rule));
}

absl::Status RequireUser(const services::Caller& caller) {
  if (caller.is_service) {
    return absl::PermissionDeniedError(
        "authorization: this method is for people, not services");
  }
  return absl::OkStatus();
}

absl::Status RequireService(const services::Caller& caller) {
  if (!caller.is_service) {
    return absl::PermissionDeniedError(
        "authorization: this method needs a service token");
  }
  return absl::OkStatus();
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(t));
}

type::v1::Date ToDate(absl::CivilDay day) {
  type::v1::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

absl::Status ValidateId(absl::string_view field, absl::string_view id) {
  if (id.empty() || id.size() > 128) {
    return Invalid(field, "an id of 1 to 128 characters");
  }
  for (char c : id) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '-') {
      return Invalid(field, "an id of letters, digits, '.', '_' and '-'");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ParseCoupleName(absl::string_view field,
                                            absl::string_view name) {
  absl::string_view id = name;
  if (!absl::ConsumePrefix(&id, "couples/") || !ValidateId(field, id).ok()) {
    return Invalid(field, "must look like couples/{couple}");
  }
  return std::string(id);
}

absl::StatusOr<std::pair<std::string, std::string>> ParseChildName(
    absl::string_view field, absl::string_view name,
    absl::string_view collection) {
  const std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != "couples" || parts[2] != collection ||
      !ValidateId(field, parts[1]).ok() || !ValidateId(field, parts[3]).ok()) {
    return Invalid(field, absl::StrCat("must look like couples/{couple}/",
                                       collection, "/{id}"));
  }
  return std::make_pair(std::string(parts[1]), std::string(parts[3]));
}

std::string PageToken(absl::string_view kind, int offset) {
  return absl::WebSafeBase64Escape(absl::StrCat(kind, ":", offset));
}

absl::StatusOr<int> PageOffset(absl::string_view kind,
                               absl::string_view token) {
  if (token.empty()) return 0;
  std::string decoded;
  int offset = 0;
  absl::string_view rest;
  if (!absl::WebSafeBase64Unescape(token, &decoded) ||
      !absl::ConsumePrefix(&(rest = decoded), absl::StrCat(kind, ":")) ||
      !absl::SimpleAtoi(rest, &offset) || offset < 0) {
    return Invalid("page_token", "not a token this list handed out");
  }
  return offset;
}

absl::StatusOr<int> PageSize(int page_size, int fallback, int max) {
  if (page_size == 0) return fallback;
  if (page_size < 0 || page_size > max) {
    return Invalid("page_size", absl::StrCat("1 to ", max, ", or 0"));
  }
  return page_size;
}

std::string Clip(absl::string_view text, int max) {
  if (CharCount(text) <= max) return std::string(text);
  std::string out;
  int count = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = text[i];
    if ((c & 0xC0) != 0x80 && ++count > max - 1) break;
    out.push_back(text[i]);
  }
  return absl::StrCat(absl::StripTrailingAsciiWhitespace(out), "…");
}

}  // namespace tend::prompt::internal
