#include "services/common/request_log.h"

namespace tend::services {
namespace {
constexpr int kKeepSeconds = 24 * 60 * 60;
}  // namespace

absl::Status ValidateRequestId(absl::string_view request_id) {
  if (request_id.size() > 64) {
    return absl::InvalidArgumentError("request_id: at most 64 characters");
  }
  for (char c : request_id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) {
      return absl::InvalidArgumentError(
          "request_id: only letters, digits, '-' and '_'");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RequestLog::Lookup(const Caller& caller,
                                               const std::string& field) {
  absl::StatusOr<engine::RedisReply> reply =
      redis_->Command({"HGET", KeyFor(caller.user_id), field});
  if (!reply.ok()) return reply.status();
  return reply->str;
}

absl::Status RequestLog::Remember(const Caller& caller,
                                  const std::string& field,
                                  const std::string& value) {
  const std::string key = KeyFor(caller.user_id);
  return redis_
      ->Pipeline({{"HSET", key, field, value},
                  {"EXPIRE", key, absl::StrCat(kKeepSeconds)}})
      .status();
}

}  // namespace tend::services
