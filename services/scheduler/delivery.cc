#include "services/scheduler/delivery.h"

#include <algorithm>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"

namespace tend::scheduler {
namespace {

// The payload's value is the wait in milliseconds, as decimal text.
constexpr char kRetryAfterPayload[] =
    "type.googleapis.com/tend.scheduler.RetryAfter";

}  // namespace

absl::Status DeliverToAll(const std::vector<DeliverySink*>& sinks,
                          const v1::Reminder& reminder) {
  absl::Status failed;
  std::optional<absl::Duration> wait;
  for (DeliverySink* sink : sinks) {
    absl::Status status = sink->Deliver(reminder);
    if (std::optional<absl::Duration> w = RetryAfterOf(status)) {
      wait = std::max(wait.value_or(absl::ZeroDuration()), *w);
    }
    failed.Update(status);
  }
  if (failed.ok() || !wait.has_value()) return failed;
  return WithRetryAfter(failed, *wait);
}

absl::Status WithRetryAfter(absl::Status status, absl::Duration wait) {
  if (status.ok()) return status;
  status.SetPayload(kRetryAfterPayload,
                    absl::Cord(absl::StrCat(absl::ToInt64Milliseconds(wait))));
  return status;
}

std::optional<absl::Duration> RetryAfterOf(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kRetryAfterPayload);
  int64_t millis = 0;
  if (!payload.has_value() ||
      !absl::SimpleAtoi(std::string(*payload), &millis) || millis < 0) {
    return std::nullopt;
  }
  return absl::Milliseconds(millis);
}

}  // namespace tend::scheduler
