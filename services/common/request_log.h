// RequestLog: idempotent mutations keyed by `request_id` (AIP-155).
//
// A client that retries a mutation with the same request_id gets the first
// answer again instead of a second effect (a second invite, a failed accept
// of an already used code). Answers are kept for 24 hours, in one Redis hash
// per user, so DeleteMyData erases them with one key.
//
//   return request_log_.Once<Invite>(caller, "CreateInvite",
//                                    request.request_id(),
//                                    [&] { return CreateInviteOnce(caller); });
#ifndef TEND_SERVICES_COMMON_REQUEST_LOG_H_
#define TEND_SERVICES_COMMON_REQUEST_LOG_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "engine/redis/redis_client.h"
#include "services/common/auth.h"

namespace tend::services {

// ValidateRequestId()
//
// Empty, or 1 to 64 characters of [A-Za-z0-9_-]. Errors name `request_id`.
absl::Status ValidateRequestId(absl::string_view request_id);

// RequestLog
//
// Thread-safe. Two concurrent first attempts with one id may both run;
// the operations it wraps are themselves safe to race.
class RequestLog {
 public:
  // Keys are `key_prefix` + user id.
  RequestLog(engine::RedisClient* redis, std::string key_prefix)
      : redis_(redis), key_prefix_(std::move(key_prefix)) {}

  // Once()
  //
  // Runs `fn` unless `request_id` already has a stored answer for this
  // caller and method, in which case that answer is returned. Only
  // successful answers are stored; an empty request_id always runs `fn`.
  template <typename Response>
  absl::StatusOr<Response> Once(
      const Caller& caller, absl::string_view method,
      absl::string_view request_id,
      const std::function<absl::StatusOr<Response>()>& fn) {
    if (absl::Status valid = ValidateRequestId(request_id); !valid.ok()) {
      return valid;
    }
    if (request_id.empty()) return fn();
    const std::string field = absl::StrCat(method, ":", request_id);
    absl::StatusOr<std::string> stored = Lookup(caller, field);
    if (!stored.ok()) return stored.status();
    Response response;
    if (!stored->empty() && response.ParseFromString(*stored)) return response;
    absl::StatusOr<Response> result = fn();
    if (result.ok()) {
      // The effect happened; failing to remember it only costs idempotency.
      (void)Remember(caller, field, result->SerializeAsString());
    }
    return result;
  }

  // KeyFor()
  //
  // The Redis key that holds `user_id`'s answers.
  std::string KeyFor(absl::string_view user_id) const {
    return absl::StrCat(key_prefix_, user_id);
  }

 private:
  absl::StatusOr<std::string> Lookup(const Caller& caller,
                                     const std::string& field);
  absl::Status Remember(const Caller& caller, const std::string& field,
                        const std::string& value);

  engine::RedisClient* const redis_;
  const std::string key_prefix_;
};

}  // namespace tend::services

#endif  // TEND_SERVICES_COMMON_REQUEST_LOG_H_
