// tendctl's push commands, on tend.scheduler.v1.SchedulerService at
// --scheduler_addr: a person's devices, what happened to a reminder on its
// way out, and the operator's dead letter.
//
//   tendctl devices register --platform android --device_token T --user alice
//   tendctl deliveries weekly-check-in.1795690800.0.alice --user alice
//   tendctl deadletter list                      (operator)
//   tendctl deadletter retry deadLetters/...     (operator)
//
// Operators are callers with a service token: with neither --user nor
// --token, these commands mint a short-lived one from --service_secret
// (TEND_SERVICE_SECRET), the secret the services share.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "engine/base/status_macros.h"
#include "engine/time/clock.h"
#include "google/protobuf/empty.pb.h"
#include "services/common/auth.h"
#include "services/common/flags.h"
#include "services/tendctl/cli.h"
#include "services/tendctl/commands.h"
#include "tend/scheduler/v1/scheduler.grpc.pb.h"

ABSL_FLAG(std::string, couple, "",
          "deadletter list: only this couple's, couples/{couple} or the bare "
          "id.");
ABSL_FLAG(std::string, platform, "",
          "devices register: android (FCM), ios (APNs) or webhook.");
ABSL_FLAG(std::string, device_token, "",
          "devices register: the FCM registration token or APNs device token. "
          "A secret: the service never shows it again.");
ABSL_FLAG(std::string, webhook_url, "",
          "devices register: the https URL a webhook device receives "
          "reminders at.");
ABSL_FLAG(bool, apns_sandbox, false,
          "devices register: an iOS development build (APNs sandbox).");
ABSL_FLAG(std::string, app_version, "",
          "devices register: the app's version, e.g. 2.3.1.");
ABSL_FLAG(std::string, locale, "",
          "devices register: the device's BCP 47 locale, e.g. en-GB.");
ABSL_FLAG(std::string, device_name, "",
          "devices register: a label you recognise, e.g. \"Sam's phone\".");

namespace tend::tendctl {
namespace {

namespace v1 = ::tend::scheduler::v1;
using Stub = v1::SchedulerService::Stub;

absl::StatusOr<std::unique_ptr<Stub>> SchedulerStub() {
  TEND_ASSIGN_OR_RETURN(
      std::shared_ptr<grpc::Channel> channel,
      OpenChannel("scheduler_addr", absl::GetFlag(FLAGS_scheduler_addr)));
  return v1::SchedulerService::NewStub(channel);
}

// True when the caller said who they are; otherwise they act as operator.
bool ActsAsPerson() {
  return !absl::GetFlag(FLAGS_user).empty() ||
         !absl::GetFlag(FLAGS_token).empty();
}

// An operator's bearer token: a service token minted with
// --service_secret, lasting as long as a --user token.
absl::StatusOr<std::string> OperatorToken() {
  const std::string secret = absl::GetFlag(FLAGS_service_secret);
  if (secret.empty()) {
    return UsageError(
        "operators act with a service token: pass --service_secret or set "
        "TEND_SERVICE_SECRET (or say who you are with --user or --token)");
  }
  return services::MintToken(
      secret, "service:tendctl",
      engine::RealClock::Get()->Now() + kUserTokenLifetime);
}

// Call() as the operator.
template <typename Request, typename Response>
absl::Status CallAsOperator(Stub& stub,
                            grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                         const Request&,
                                                         Response*),
                            const Request& request, Response* response) {
  TEND_ASSIGN_OR_RETURN(const std::string token, OperatorToken());
  grpc::ClientContext context;
  PrepareContext(token, &context);
  return services::FromGrpcStatus((stub.*method)(&context, request, response));
}

std::string EnumWords(absl::string_view name, absl::string_view prefix) {
  std::string words(absl::StripPrefix(name, prefix));
  absl::AsciiStrToLower(&words);
  for (char& c : words) {
    if (c == '_') c = ' ';
  }
  return words;
}

std::string ProviderWords(v1::DeliveryProvider provider) {
  switch (provider) {
    case v1::DELIVERY_PROVIDER_FCM:
      return "FCM";
    case v1::DELIVERY_PROVIDER_APNS:
      return "APNs";
    case v1::DELIVERY_PROVIDER_WEBHOOK:
      return "webhook";
    case v1::DELIVERY_PROVIDER_LIVE_STREAM:
      return "live";
    default:
      return "-";
  }
}

std::string FormatDelivery(const v1::Delivery& d) {
  std::vector<std::string> parts = {
      absl::StrFormat("#%-3s", d.name().substr(d.name().rfind('/') + 1)),
      absl::StrCat("attempt ", d.attempt()),
      FormatInstant(FromTimestamp(d.start_time())),
      absl::StrFormat("%-7s", ProviderWords(d.provider())),
      EnumWords(v1::DeliveryOutcome_Name(d.outcome()), "DELIVERY_OUTCOME_")};
  if (d.http_status() != 0)
    parts.push_back(absl::StrCat("http ", d.http_status()));
  if (d.has_latency()) {
    parts.push_back(absl::StrCat(
        absl::ToInt64Milliseconds(FromDuration(d.latency())), " ms"));
  }
  // A provider that said nothing more than its status is not repeated.
  if (!d.error().empty() &&
      d.error() != absl::StrCat("http ", d.http_status())) {
    parts.push_back(d.error());
  }
  if (d.has_retry_after()) {
    parts.push_back(absl::StrCat(
        "retry after ", DurationInWords(FromDuration(d.retry_after()))));
  }
  if (!d.device().empty()) parts.push_back(d.device());
  return absl::StrCat("  ", absl::StrJoin(parts, "  "), "\n");
}

std::string FormatDevice(const v1::Device& d) {
  std::string line = absl::StrCat(
      "  ", d.name().substr(d.name().rfind('/') + 1), "  ",
      EnumWords(v1::DevicePlatform_Name(d.platform()), "DEVICE_PLATFORM_"));
  if (!d.token_hint().empty()) absl::StrAppend(&line, "  …", d.token_hint());
  if (!d.webhook_url().empty()) absl::StrAppend(&line, "  ", d.webhook_url());
  if (d.apns_sandbox()) absl::StrAppend(&line, "  sandbox");
  if (!d.display_name().empty()) {
    absl::StrAppend(&line, "  \"", d.display_name(), "\"");
  }
  if (!d.app_version().empty()) absl::StrAppend(&line, "  v", d.app_version());
  if (d.has_last_delivery_time()) {
    absl::StrAppend(&line, "  last reached ",
                    FormatInstant(FromTimestamp(d.last_delivery_time())));
  }
  return absl::StrCat(line, "\n");
}

absl::Status RunDeliveries(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {"REMINDER"}));
  TEND_ASSIGN_OR_RETURN(std::unique_ptr<Stub> stub, SchedulerStub());
  v1::ListDeliveriesRequest request;
  request.set_page_size(100);
  const bool person = ActsAsPerson();
  if (absl::StartsWith(args[0], "couples/")) {
    request.set_parent(args[0]);
  } else if (person) {
    TEND_ASSIGN_OR_RETURN(const pairing::v1::Couple couple, CallerCouple());
    request.set_parent(absl::StrCat(couple.name(), "/reminders/", args[0]));
  } else {
    return UsageError(
        "as an operator, name the reminder in full: "
        "couples/{couple}/reminders/{id}");
  }
  v1::ListDeliveriesResponse all;
  if (person) {
    TEND_RETURN_IF_ERROR(
        CallAllPages(*stub, &Stub::ListDeliveries, request, &all));
  } else {
    // Up to 100 are kept per reminder: one page holds them all.
    TEND_RETURN_IF_ERROR(
        CallAsOperator(*stub, &Stub::ListDeliveries, request, &all));
  }
  if (all.deliveries().empty()) {
    return Emit(all, absl::StrCat("No delivery attempts yet for ",
                                  request.parent(), ".\n"));
  }
  std::string text =
      absl::StrCat(all.deliveries_size(),
                   all.deliveries_size() == 1 ? " attempt" : " attempts",
                   " for ", request.parent(), ", oldest first:\n");
  for (const v1::Delivery& d : all.deliveries()) {
    absl::StrAppend(&text, FormatDelivery(d));
  }
  return Emit(all, text);
}

absl::Status RunDeadLetterList(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {}));
  TEND_ASSIGN_OR_RETURN(std::unique_ptr<Stub> stub, SchedulerStub());
  v1::ListDeadLettersRequest request;
  request.set_page_size(100);
  if (std::string couple = absl::GetFlag(FLAGS_couple); !couple.empty()) {
    if (!absl::StartsWith(couple, "couples/")) {
      couple = absl::StrCat("couples/", couple);
    }
    request.set_couple(couple);
  }
  v1::ListDeadLettersResponse all;
  while (true) {
    v1::ListDeadLettersResponse page;
    TEND_RETURN_IF_ERROR(
        CallAsOperator(*stub, &Stub::ListDeadLetters, request, &page));
    all.MergeFrom(page);
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  all.clear_next_page_token();
  if (all.dead_letters().empty()) {
    return Emit(all, "The dead letter is empty.\n");
  }
  std::string text = absl::StrCat(all.dead_letters_size(),
                                  " dead-lettered, "
                                  "oldest first ('tendctl deadletter retry "
                                  "NAME' sends one again):\n");
  for (const v1::DeadLetter& d : all.dead_letters()) {
    absl::StrAppend(&text, "  ", d.name(), "\n");
    if (d.has_reminder()) {
      absl::StrAppend(&text, "    ", d.reminder().ritual_title(), " for ",
                      d.reminder().recipient_user_id(), ", due ",
                      FormatInstant(FromTimestamp(d.reminder().due_time())),
                      "\n");
    }
    absl::StrAppend(
        &text, "    ", d.attempt_count(), " attempts",
        d.last_provider() != v1::DELIVERY_PROVIDER_UNSPECIFIED
            ? absl::StrCat(", last through ", ProviderWords(d.last_provider()))
            : "",
        "; gave up ", FormatInstant(FromTimestamp(d.dead_letter_time())), ": ",
        d.last_error(), "\n");
  }
  return Emit(all, text);
}

absl::Status RunDeadLetterRetry(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {"NAME"}));
  TEND_ASSIGN_OR_RETURN(std::unique_ptr<Stub> stub, SchedulerStub());
  v1::RetryDeadLetterRequest request;
  request.set_name(absl::StartsWith(args[0], "deadLetters/")
                       ? args[0]
                       : absl::StrCat("deadLetters/", args[0]));
  v1::Reminder reminder;
  TEND_RETURN_IF_ERROR(
      CallAsOperator(*stub, &Stub::RetryDeadLetter, request, &reminder));
  return Emit(reminder,
              absl::StrCat("Queued again, due now: ", reminder.name(), "\n"));
}

absl::Status RunDevicesList(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {}));
  TEND_ASSIGN_OR_RETURN(std::unique_ptr<Stub> stub, SchedulerStub());
  v1::ListDevicesRequest request;
  request.set_parent(absl::StrCat("users/", CallerUserId()));
  v1::ListDevicesResponse all;
  TEND_RETURN_IF_ERROR(CallAllPages(*stub, &Stub::ListDevices, request, &all));
  if (all.devices().empty()) {
    return Emit(all,
                "No devices. 'tendctl devices register' adds one; reminders "
                "reach you live in the app meanwhile.\n");
  }
  std::string text = absl::StrCat(all.devices_size(), " device",
                                  all.devices_size() == 1 ? "" : "s", ":\n");
  for (const v1::Device& d : all.devices())
    absl::StrAppend(&text, FormatDevice(d));
  return Emit(all, text);
}

absl::Status RunDevicesRegister(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {}));
  v1::RegisterDeviceRequest request;
  v1::Device* device = request.mutable_device();
  const std::string platform =
      absl::AsciiStrToLower(absl::GetFlag(FLAGS_platform));
  if (platform == "android") {
    device->set_platform(v1::DEVICE_PLATFORM_ANDROID);
  } else if (platform == "ios") {
    device->set_platform(v1::DEVICE_PLATFORM_IOS);
  } else if (platform == "webhook") {
    device->set_platform(v1::DEVICE_PLATFORM_WEB_WEBHOOK);
  } else {
    return UsageError("--platform must be android, ios or webhook");
  }
  device->set_token(absl::GetFlag(FLAGS_device_token));
  device->set_webhook_url(absl::GetFlag(FLAGS_webhook_url));
  device->set_apns_sandbox(absl::GetFlag(FLAGS_apns_sandbox));
  device->set_app_version(absl::GetFlag(FLAGS_app_version));
  device->set_locale(absl::GetFlag(FLAGS_locale));
  device->set_display_name(absl::GetFlag(FLAGS_device_name));
  if (platform == "webhook" ? device->webhook_url().empty()
                            : device->token().empty()) {
    return UsageError(platform == "webhook" ? "a webhook needs --webhook_url"
                                            : "a phone needs --device_token");
  }
  const std::string user = CallerUserId();
  if (user.empty()) {
    return UsageError("who are you? pass --user ID or --token TOKEN");
  }
  request.set_parent(absl::StrCat("users/", user));
  TEND_ASSIGN_OR_RETURN(std::unique_ptr<Stub> stub, SchedulerStub());
  v1::Device registered;
  TEND_RETURN_IF_ERROR(
      Call(*stub, &Stub::RegisterDevice, request, &registered));
  std::string text = absl::StrCat("Registered:\n", FormatDevice(registered));
  if (!registered.webhook_signing_secret().empty()) {
    absl::StrAppend(
        &text,
        "Signing secret (shown this once; verify Tend-Signature with "
        "it):\n  ",
        registered.webhook_signing_secret(), "\n");
  }
  return Emit(registered, text);
}

absl::Status RunDevicesRemove(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {"DEVICE"}));
  TEND_ASSIGN_OR_RETURN(std::unique_ptr<Stub> stub, SchedulerStub());
  v1::UnregisterDeviceRequest request;
  request.set_name(
      absl::StartsWith(args[0], "users/")
          ? args[0]
          : absl::StrCat("users/", CallerUserId(), "/devices/", args[0]));
  google::protobuf::Empty empty;
  TEND_RETURN_IF_ERROR(Call(*stub, &Stub::UnregisterDevice, request, &empty));
  return Emit(empty, absl::StrCat("Removed ", request.name(), ".\n"));
}

}  // namespace

std::vector<Command> DeliveryCommands() {
  const std::vector<std::string> operator_flags = {"service_secret"};
  return {
      {"devices list", "List your devices registered for push.", "",
       "Each device's id (for 'tendctl devices rm'), platform, the last four "
       "characters of its token or its webhook URL, and when a reminder last "
       "reached it. Tokens themselves are never shown.",
       CallFlags({}, "scheduler_addr"), &RunDevicesList},
      {"devices register", "Register a phone or webhook for push.",
       "--platform android|ios|webhook --device_token T|--webhook_url URL "
       "[--apns_sandbox] [--app_version V] [--locale L] [--device_name N]",
       "Registering the same token again refreshes that device. For a "
       "webhook, prints the signing secret once: each delivery is a JSON "
       "POST with Tend-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "
       "\"<t>.<body>\"> and Idempotency-Key: <reminder id>. "
       "FAILED_PRECONDITION until you are paired.",
       CallFlags({"platform", "device_token", "webhook_url", "apns_sandbox",
                  "app_version", "locale", "device_name"},
                 "scheduler_addr"),
       &RunDevicesRegister},
      {"devices rm", "Stop push to one of your devices.", "DEVICE",
       "DEVICE is an id from 'tendctl devices list' or the full name "
       "users/{user}/devices/{id}.",
       CallFlags({}, "scheduler_addr"), &RunDevicesRemove},
      {"deliveries", "Show every delivery attempt of one reminder.", "REMINDER",
       "One line per attempt on each device: when, which provider, how it "
       "ended (delivered, transient or permanent failure, held for quiet "
       "hours), the HTTP status, latency, error and any Retry-After. "
       "REMINDER is an id from 'tendctl reminders' or the full name "
       "couples/{couple}/reminders/{id}. The recipient may look with --user "
       "or --token; an operator gives the full name and --service_secret "
       "instead.",
       CallFlags({"service_secret", "pairing_addr"}, "scheduler_addr"),
       &RunDeliveries},
      {"deadletter list", "Operator: list reminders whose delivery gave up.",
       "[--couple ID] --service_secret S",
       "Every dead-lettered item, oldest first: its name (for 'deadletter "
       "retry'), the reminder and recipient, how many attempts were made, "
       "the last provider and the last error.",
       CallFlags({"couple", "service_secret"}, "scheduler_addr"),
       &RunDeadLetterList},
      {"deadletter retry", "Operator: send a dead-lettered reminder again.",
       "NAME --service_secret S",
       "Puts it back on the due queue, due now, with a fresh attempt budget. "
       "Devices it already reached are not sent to again, and quiet hours "
       "still apply. NOT_FOUND when it is no longer dead-lettered.",
       CallFlags(operator_flags, "scheduler_addr"), &RunDeadLetterRetry},
  };
}

}  // namespace tend::tendctl
