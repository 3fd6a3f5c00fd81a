#include "services/scheduler/push_sink.h"

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include "services/scheduler/scheduler_metrics.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "engine/base/log.h"
#include "engine/base/status_macros.h"
#include "services/scheduler/convert.h"
#include "services/scheduler/scheduler_internal.h"

namespace tend::scheduler {
namespace {

// A longer Retry-After is cut to this: by then the reminder would be stale,
// and the queue's own backoff still applies.
constexpr absl::Duration kMaxRetryAfter = absl::Hours(1);

v1::DeliveryProvider ProviderOf(v1::DevicePlatform platform) {
  switch (platform) {
    case v1::DEVICE_PLATFORM_ANDROID:
      return v1::DELIVERY_PROVIDER_FCM;
    case v1::DEVICE_PLATFORM_IOS:
      return v1::DELIVERY_PROVIDER_APNS;
    case v1::DEVICE_PLATFORM_WEB_WEBHOOK:
      return v1::DELIVERY_PROVIDER_WEBHOOK;
    default:
      return v1::DELIVERY_PROVIDER_UNSPECIFIED;
  }
}

v1::DeliveryOutcome OutcomeOf(push::PushOutcome outcome) {
  switch (outcome) {
    case push::PushOutcome::kDelivered:
      return v1::DELIVERY_OUTCOME_DELIVERED;
    case push::PushOutcome::kTransient:
      return v1::DELIVERY_OUTCOME_TRANSIENT_FAILURE;
    case push::PushOutcome::kRejected:
    case push::PushOutcome::kTokenDead:
      return v1::DELIVERY_OUTCOME_PERMANENT_FAILURE;
  }
  return v1::DELIVERY_OUTCOME_UNSPECIFIED;
}

// "FCM" for DELIVERY_PROVIDER_FCM.
std::string ShortName(v1::DeliveryProvider provider) {
  std::string name = v1::DeliveryProvider_Name(provider);
  return name.substr(name.rfind('_') + 1);
}

}  // namespace

PushSink::PushSink(SchedulerStore* store, const push::ProviderSet* providers,
                   const engine::Clock* clock, std::string worker)
    : store_(store),
      providers_(providers),
      clock_(clock),
      worker_(std::move(worker)) {}

absl::Status PushSink::Deliver(const v1::Reminder& reminder) {
  TEND_ASSIGN_OR_RETURN(
      auto parts,
      internal::ParseChildName("reminder.name", reminder.name(), "reminders"));
  const std::string& couple_id = parts.first;
  const std::string& reminder_id = parts.second;
  const std::string& user = reminder.recipient_user_id();
  TEND_ASSIGN_OR_RETURN(std::vector<v1::Device> devices,
                        store_->LoadDevices(couple_id, user));
  if (devices.empty()) return absl::OkStatus();
  const push::PushMessage message = push::MessageFor(reminder);
  TEND_ASSIGN_OR_RETURN(
      absl::flat_hash_set<std::string> settled,
      store_->SettledDevices(couple_id, reminder_id, message.delivery_key));

  int failed = 0;
  std::string last_error;
  std::optional<absl::Duration> wait;
  for (const v1::Device& device : devices) {
    const std::string device_id = internal::LastSegment(device.name());
    if (settled.contains(device_id)) continue;  // reached, or never will be
    const absl::Time start = clock_->Now();
    push::PushProvider* provider = providers_->For(device.platform());
    push::PushResult result;
    if (provider == nullptr) {
      result.outcome = push::PushOutcome::kTransient;
      result.error = "not configured on this replica";
    } else {
      result = provider->Send(message, device);
    }
    v1::Delivery delivery;
    delivery.set_device(device.name());
    delivery.set_provider(ProviderOf(device.platform()));
    delivery.set_attempt(reminder.attempt_count());
    delivery.set_outcome(OutcomeOf(result.outcome));
    *delivery.mutable_start_time() = ToProto(start);
    *delivery.mutable_latency() = ToProto(result.latency);
    delivery.set_http_status(result.http_status);
    delivery.set_error(result.error);
    if (result.retry_after.has_value()) {
      *delivery.mutable_retry_after() = ToProto(*result.retry_after);
    }
    delivery.set_worker(worker_);
    const char* settled_as =
        result.outcome == push::PushOutcome::kDelivered   ? "delivered"
        : result.outcome == push::PushOutcome::kTransient ? ""
                                                          : "rejected";
    TEND_RETURN_IF_ERROR(
        store_
            ->RecordDelivery(couple_id, reminder_id, delivery,
                             message.delivery_key,
                             *settled_as == '\0' ? "" : device_id, settled_as)
            .status());

    const std::string provider_name = ShortName(delivery.provider());
    RecordDelivery(provider_name,
                   absl::AsciiStrToLower(absl::StripPrefix(
                       v1::DeliveryOutcome_Name(delivery.outcome()),
                       "DELIVERY_OUTCOME_")));
    const nlohmann::json fields = {
        {"couple", couple_id},
        {"reminder", reminder_id},
        {"device", device_id},
        {"provider", provider_name},
        {"outcome", v1::DeliveryOutcome_Name(delivery.outcome())},
        {"http_status", result.http_status},
        {"error", result.error},
        {"latency_ms", absl::ToInt64Milliseconds(result.latency)}};
    switch (result.outcome) {
      case push::PushOutcome::kDelivered:
        Log(LogLevel::kDebug, "push.delivered", fields);
        // Only for ListDevices: a failure to note it costs nothing else.
        (void)store_->MarkDeviceReached(couple_id, user, device_id, start);
        break;
      case push::PushOutcome::kTransient:
        Log(LogLevel::kInfo, "push.failed", fields);
        ++failed;
        last_error = absl::StrCat(provider_name, ": ", result.error);
        if (result.retry_after.has_value()) {
          wait = std::min(kMaxRetryAfter,
                          std::max(wait.value_or(absl::ZeroDuration()),
                                   *result.retry_after));
        }
        break;
      case push::PushOutcome::kRejected:
        Log(LogLevel::kWarning, "push.rejected", fields);
        break;
      case push::PushOutcome::kTokenDead:
        Log(LogLevel::kWarning, "push.token_removed", fields);
        TEND_RETURN_IF_ERROR(
            store_->RemoveDevice(couple_id, user, device_id).status());
        break;
    }
  }
  if (failed == 0) return absl::OkStatus();
  absl::Status status = absl::UnavailableError(
      absl::StrCat("push: ", failed, failed == 1 ? " device" : " devices",
                   " not reached; last error ", last_error));
  return wait.has_value() ? WithRetryAfter(status, *wait) : status;
}

}  // namespace tend::scheduler
