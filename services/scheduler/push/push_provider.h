// PushProvider: one way to reach a device whose app is closed — FCM, APNs
// or a signed webhook — behind one interface.
//
// A provider sends one message to one device and says how it went, in
// terms the caller can act on: delivered; a transient failure worth
// retrying (a timeout, 429, 5xx), with the provider's Retry-After; a
// rejection not worth retrying; or a dead token the caller should forget.
// Providers keep no per-device state; PushSink (services/scheduler) decides
// which devices to send to and records what happened.
//
// Every send carries the delivery key (the reminder id, see DeliveryKey())
// as its idempotency key — the webhook's Idempotency-Key, the apns-id,
// FCM's data.delivery_key — so a receiver recognises a repeat.
//
//   PushMessage message = MessageFor(reminder);
//   PushResult result = provider->Send(message, device);
//   if (result.outcome == PushOutcome::kTransient) ... retry later ...
#ifndef TEND_SERVICES_SCHEDULER_PUSH_PUSH_PROVIDER_H_
#define TEND_SERVICES_SCHEDULER_PUSH_PUSH_PROVIDER_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "services/scheduler/push/http_client.h"
#include "tend/scheduler/v1/scheduler.pb.h"

namespace tend::scheduler::push {

// PushMessage
//
// What every provider sends: a reminder, content filled in.
struct PushMessage {
  // "couples/{couple}/reminders/{reminder}".
  std::string reminder_name;
  // The reminder id; see DeliveryKey() for what makes a repeat.
  std::string reminder_id;
  std::string delivery_key;
  // "couples/{couple}/rituals/{ritual}" and its id; reminders of one ritual
  // collapse into one notification on the device.
  std::string ritual_name;
  std::string ritual_id;
  std::string recipient_user_id;
  std::string title;
  std::string body;
  absl::Time due_time;
  // Not shown after this (push TTL); unset for never stale.
  std::optional<absl::Time> expire_time;
};

// DeliveryKey()
//
// What makes two sends "the same" to a receiver: the reminder id, and for a
// snoozed reminder coming back, the id plus "~s" and the snooze number —
// the recipient asked to see it again. Retries, quiet-hour moves and
// replicas never change it.
std::string DeliveryKey(const v1::Reminder& reminder);

// MessageFor()
//
// The message for `reminder`.
PushMessage MessageFor(const v1::Reminder& reminder);

// DataFields()
//
// The fields every provider puts in its payload for the app: reminder,
// reminder_id, delivery_key, ritual, due_time (RFC 3339). Strings only, as
// FCM's data map requires.
nlohmann::json DataFields(const PushMessage& message);

// PushOutcome
//
// How one send went, as the caller must act on it.
enum class PushOutcome {
  kDelivered,  // the provider accepted it
  kTransient,  // worth retrying: timeout, 429, 5xx, a provider not ready
  kRejected,   // not worth retrying for this device, the token is fine
  kTokenDead,  // the token is gone for good: forget the device
};

// PushResult
//
// One send's outcome. `error` is the provider's reason, e.g.
// "UNREGISTERED" or "http 503"; never a token or message content.
struct PushResult {
  PushOutcome outcome = PushOutcome::kTransient;
  int http_status = 0;
  std::string error;
  std::optional<absl::Duration> retry_after;
  absl::Duration latency;
};

// PushProvider
//
// Thread-safe.
class PushProvider {
 public:
  virtual ~PushProvider() = default;

  // provider()
  //
  // Which channel this is, for delivery records.
  virtual v1::DeliveryProvider provider() const = 0;

  // Send()
  //
  // Sends `message` to `device` (its token, or its webhook URL and secret).
  virtual PushResult Send(const PushMessage& message,
                          const v1::Device& device) = 0;
};

// ParseRetryAfter()
//
// An HTTP Retry-After value, delay-seconds or an HTTP-date, as a wait from
// `now`. nullopt when empty or unreadable; never negative.
std::optional<absl::Duration> ParseRetryAfter(absl::string_view value,
                                              absl::Time now);

// Rfc3339Utc()
//
// "2026-11-26T08:00:00Z".
std::string Rfc3339Utc(absl::Time t);

// TransientFor()
//
// The result for a transport failure (a timeout, a refused connection):
// transient, with the failure's code name as the error.
PushResult TransientFor(const absl::Status& transport_failure);

// Verdict()
//
// The outcome of a provider's answer, by the rule every provider shares:
// any 2xx is delivered; otherwise `reason` is the error, and the token is
// dead when `token_dead`, the failure transient for 408, 429 and 5xx (and
// when `transient`), with the answer's Retry-After read at `now`, and a
// rejection in any other case.
PushResult Verdict(const HttpResponse& response, absl::Time now,
                   std::string reason, bool token_dead, bool transient = false);

}  // namespace tend::scheduler::push

#endif  // TEND_SERVICES_SCHEDULER_PUSH_PUSH_PROVIDER_H_
