#include "services/scheduler/push/push_provider.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace tend::scheduler::push {
namespace {

absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

std::string LastSegment(absl::string_view name) {
  return std::string(name.substr(name.rfind('/') + 1));
}

}  // namespace

std::string Rfc3339Utc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%SZ", t, absl::UTCTimeZone());
}

std::string DeliveryKey(const v1::Reminder& reminder) {
  int snoozes = 0;
  for (const v1::ScheduleAdjustment& a : reminder.adjustments()) {
    if (a.reason() == v1::ADJUSTMENT_REASON_SNOOZED) ++snoozes;
  }
  const std::string id = LastSegment(reminder.name());
  return snoozes == 0 ? id : absl::StrCat(id, "~s", snoozes);
}

PushMessage MessageFor(const v1::Reminder& reminder) {
  PushMessage m;
  m.reminder_name = reminder.name();
  m.reminder_id = LastSegment(reminder.name());
  m.delivery_key = DeliveryKey(reminder);
  m.ritual_name = reminder.ritual();
  m.ritual_id = LastSegment(reminder.ritual());
  m.recipient_user_id = reminder.recipient_user_id();
  m.title = reminder.content().title().empty() ? reminder.ritual_title()
                                               : reminder.content().title();
  m.body = reminder.content().body();
  m.due_time = TimeOf(reminder.due_time());
  if (reminder.has_expire_time())
    m.expire_time = TimeOf(reminder.expire_time());
  return m;
}

nlohmann::json DataFields(const PushMessage& message) {
  return {{"reminder", message.reminder_name},
          {"reminder_id", message.reminder_id},
          {"delivery_key", message.delivery_key},
          {"ritual", message.ritual_name},
          {"due_time", Rfc3339Utc(message.due_time)}};
}

std::optional<absl::Duration> ParseRetryAfter(absl::string_view value,
                                              absl::Time now) {
  value = absl::StripAsciiWhitespace(value);
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  if (absl::SimpleAtoi(value, &seconds)) {
    return absl::Seconds(std::max<int64_t>(seconds, 0));
  }
  absl::Time at;
  std::string error;
  if (absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", std::string(value),
                      absl::UTCTimeZone(), &at, &error)) {
    return std::max(at - now, absl::ZeroDuration());
  }
  return std::nullopt;
}

PushResult TransientFor(const absl::Status& transport_failure) {
  PushResult result;
  result.outcome = PushOutcome::kTransient;
  result.error = absl::IsDeadlineExceeded(transport_failure)
                     ? "timeout"
                     : std::string(transport_failure.message());
  return result;
}

PushResult Verdict(const HttpResponse& response, absl::Time now,
                   std::string reason, bool token_dead, bool transient) {
  PushResult result;
  result.http_status = response.status;
  result.latency = response.latency;
  if (response.status >= 200 && response.status < 300) {
    result.outcome = PushOutcome::kDelivered;
    return result;
  }
  result.error = std::move(reason);
  const bool retryable = response.status == 408 || response.status == 429 ||
                         (response.status >= 500 && response.status <= 599);
  if (token_dead) {
    result.outcome = PushOutcome::kTokenDead;
  } else if (retryable || transient) {
    result.outcome = PushOutcome::kTransient;
    result.retry_after = ParseRetryAfter(response.Header("retry-after"), now);
  } else {
    result.outcome = PushOutcome::kRejected;
  }
  return result;
}

}  // namespace tend::scheduler::push
