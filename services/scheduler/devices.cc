// Devices: where push reaches a person whose app is closed.
//
// A device is one of the caller's phones (an FCM registration token or an
// APNs device token) or a webhook URL. Its id is derived from the platform
// and the token (or URL), so registering the same token again refreshes
// the same device rather than adding a second one that would receive every
// reminder twice. Tokens are secrets: they are stored only under the
// person's key in their couple (see scheduler_store.h), never returned,
// never logged; a device shows only the last four characters as its
// token_hint. A webhook gets a signing secret, returned by the
// RegisterDevice call that created it and never again (a retry with the
// same request_id gets the same answer).
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/base/log.h"
#include "engine/base/status_macros.h"
#include "services/common/request_log.h"
#include "services/scheduler/convert.h"
#include "services/scheduler/push/crypto.h"
#include "services/scheduler/scheduler.h"
#include "services/scheduler/scheduler_internal.h"
#include "services/scheduler/user_data.h"

namespace tend::scheduler {
namespace {

using internal::Invalid;
using internal::RequireUser;

constexpr size_t kMaxFcmToken = 4096;
constexpr size_t kMinApnsToken = 64;
constexpr size_t kMaxApnsToken = 200;
constexpr size_t kMaxWebhookUrl = 2048;
constexpr size_t kMaxAppVersion = 32;
constexpr size_t kMaxLocale = 35;
constexpr size_t kMaxDisplayName = 100;
constexpr int kMaxPageSize = 100;

bool AllOf(absl::string_view text, bool (*ok)(char)) {
  return std::all_of(text.begin(), text.end(), ok);
}

bool FcmTokenChar(char c) {
  return absl::ascii_isalnum(c) || c == '_' || c == '-' || c == ':' || c == '.';
}

bool HexChar(char c) { return absl::ascii_isxdigit(c); }

bool UrlChar(char c) {
  // Printable ASCII without space, quotes, angle brackets or backslash.
  return c > ' ' && c < 0x7f && c != '"' && c != '<' && c != '>' && c != '\\';
}

bool VersionChar(char c) { return c >= ' ' && c < 0x7f; }

bool LocaleChar(char c) {
  return absl::ascii_isalnum(c) || c == '-' || c == '_';
}

// Checks the device as given and keeps only the fields a caller may set.
absl::StatusOr<v1::Device> Validated(const v1::Device& in, bool allow_http) {
  v1::Device out;
  out.set_platform(in.platform());
  switch (in.platform()) {
    case v1::DEVICE_PLATFORM_ANDROID:
      if (in.token().empty() || in.token().size() > kMaxFcmToken ||
          !AllOf(in.token(), &FcmTokenChar)) {
        return Invalid("device.token",
                       "an FCM registration token of 1 to 4096 characters "
                       "[A-Za-z0-9_:.-]");
      }
      out.set_token(in.token());
      break;
    case v1::DEVICE_PLATFORM_IOS:
      if (in.token().size() < kMinApnsToken ||
          in.token().size() > kMaxApnsToken || !AllOf(in.token(), &HexChar)) {
        return Invalid("device.token",
                       "an APNs device token: 64 to 200 hex digits");
      }
      out.set_token(absl::AsciiStrToLower(in.token()));
      out.set_apns_sandbox(in.apns_sandbox());
      break;
    case v1::DEVICE_PLATFORM_WEB_WEBHOOK: {
      if (!in.token().empty()) {
        return Invalid("device.token", "must be empty for a webhook");
      }
      absl::string_view url = in.webhook_url();
      const bool https = absl::StartsWith(url, "https://");
      const bool http = allow_http && absl::StartsWith(url, "http://");
      absl::string_view host = url.substr(url.find("://") + 3);
      host = host.substr(0, host.find_first_of("/?#"));
      if ((!https && !http) || url.size() > kMaxWebhookUrl ||
          !AllOf(url, &UrlChar) || host.empty() ||
          absl::StrContains(host, '@')) {
        return Invalid("device.webhook_url",
                       allow_http ? "an http(s):// URL without credentials, "
                                    "at most 2048 characters"
                                  : "an https:// URL without credentials, at "
                                    "most 2048 characters");
      }
      out.set_webhook_url(std::string(url));
      break;
    }
    default:
      return Invalid("device.platform", "must be ANDROID, IOS or WEB_WEBHOOK");
  }
  if (in.platform() != v1::DEVICE_PLATFORM_WEB_WEBHOOK &&
      !in.webhook_url().empty()) {
    return Invalid("device.webhook_url", "only for WEB_WEBHOOK devices");
  }
  if (in.platform() != v1::DEVICE_PLATFORM_IOS && in.apns_sandbox()) {
    return Invalid("device.apns_sandbox", "only for IOS devices");
  }
  if (in.app_version().size() > kMaxAppVersion ||
      !AllOf(in.app_version(), &VersionChar)) {
    return Invalid("device.app_version", "at most 32 printable characters");
  }
  if (in.locale().size() > kMaxLocale || !AllOf(in.locale(), &LocaleChar)) {
    return Invalid("device.locale", "a BCP 47 tag such as en-GB");
  }
  if (in.display_name().size() > kMaxDisplayName) {
    return Invalid("device.display_name", "at most 100 bytes");
  }
  out.set_app_version(in.app_version());
  out.set_locale(in.locale());
  out.set_display_name(in.display_name());
  return out;
}

// A device id that is the same whenever the same token is registered.
std::string DeviceIdFor(const v1::Device& device) {
  const std::string& address =
      device.platform() == v1::DEVICE_PLATFORM_WEB_WEBHOOK
          ? device.webhook_url()
          : device.token();
  return push::Sha256Hex(absl::StrCat(device.platform(), "|", address))
      .substr(0, 16);
}

}  // namespace

v1::Device PublicDevice(v1::Device device) {
  device.clear_token();
  device.clear_webhook_signing_secret();
  return device;
}

absl::StatusOr<std::string> Scheduler::DeviceScope(
    const Caller& caller, absl::string_view field,
    absl::string_view user_name) {
  TEND_RETURN_IF_ERROR(RequireUser(caller));
  absl::string_view user = user_name;
  if (!absl::ConsumePrefix(&user, "users/") || user.empty() ||
      absl::StrContains(user, '/')) {
    return Invalid(field, "must look like users/{user}");
  }
  if (user != caller.user_id) {
    return absl::PermissionDeniedError(
        absl::StrCat(field, ": you can manage your own devices only"));
  }
  absl::StatusOr<services::CoupleRef> couple =
      directory_->ForUser(caller.user_id);
  if (!couple.ok()) return couple.status();
  return CoupleId(**couple);
}

absl::StatusOr<v1::Device> Scheduler::RegisterDevice(
    const Caller& caller, const v1::RegisterDeviceRequest& req) {
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  absl::StatusOr<std::string> couple_id =
      DeviceScope(caller, "parent", req.parent());
  if (absl::IsNotFound(couple_id.status())) {
    return absl::FailedPreconditionError(
        "parent: pair with your partner first; devices receive your couple's "
        "reminders");
  }
  TEND_RETURN_IF_ERROR(couple_id.status());
  TEND_ASSIGN_OR_RETURN(v1::Device device,
                        Validated(req.device(), options_.allow_http_webhooks));
  services::RequestLog requests(store_->redis(),
                                SchedulerStore::RequestLogPrefix(*couple_id));
  return requests.Once<v1::Device>(
      caller, "RegisterDevice", req.request_id(),
      [&] { return RegisterDeviceOnce(caller, *couple_id, device); });
}

absl::StatusOr<v1::Device> Scheduler::RegisterDeviceOnce(
    const Caller& caller, const std::string& couple_id, v1::Device device) {
  const std::string id = DeviceIdFor(device);
  const absl::Time now = clock_->Now();
  TEND_ASSIGN_OR_RETURN(std::optional<v1::Device> existing,
                        store_->LoadDevice(couple_id, caller.user_id, id));
  device.set_name(absl::StrCat("users/", caller.user_id, "/devices/", id));
  if (device.token().size() >= 4) {
    device.set_token_hint(device.token().substr(device.token().size() - 4));
  }
  *device.mutable_update_time() = ToProto(now);
  std::string evict;
  if (existing.has_value()) {
    *device.mutable_create_time() = existing->create_time();
    device.set_webhook_signing_secret(existing->webhook_signing_secret());
  } else {
    *device.mutable_create_time() = ToProto(now);
    if (device.platform() == v1::DEVICE_PLATFORM_WEB_WEBHOOK) {
      TEND_ASSIGN_OR_RETURN(std::string secret, push::RandomHex(32));
      device.set_webhook_signing_secret(absl::StrCat("whsec_", secret));
    }
    TEND_ASSIGN_OR_RETURN(std::vector<v1::Device> all,
                          store_->LoadDevices(couple_id, caller.user_id));
    if (static_cast<int>(all.size()) >= options_.max_devices_per_person) {
      auto oldest = std::min_element(
          all.begin(), all.end(), [](const v1::Device& a, const v1::Device& b) {
            return a.update_time().seconds() < b.update_time().seconds();
          });
      evict = internal::LastSegment(oldest->name());
    }
  }
  TEND_RETURN_IF_ERROR(
      store_->SaveDevice(couple_id, caller.user_id, id, device, evict));
  Log(LogLevel::kInfo, "devices.registered",
      {{"user", caller.user_id},
       {"couple", couple_id},
       {"device", id},
       {"platform", v1::DevicePlatform_Name(device.platform())},
       {"new", !existing.has_value()},
       {"evicted", evict}});
  v1::Device response = PublicDevice(device);
  if (!existing.has_value() && !device.webhook_signing_secret().empty()) {
    // The only time the secret leaves the service.
    response.set_webhook_signing_secret(device.webhook_signing_secret());
  }
  return response;
}

absl::StatusOr<google::protobuf::Empty> Scheduler::UnregisterDevice(
    const Caller& caller, const v1::UnregisterDeviceRequest& req) {
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  absl::string_view name = req.name();
  const size_t slash = name.find("/devices/");
  if (slash == absl::string_view::npos) {
    return Invalid("name", "must look like users/{user}/devices/{device}");
  }
  const std::string device_id(name.substr(slash + 9));
  absl::StatusOr<std::string> couple_id =
      DeviceScope(caller, "name", name.substr(0, slash));
  if (absl::IsPermissionDenied(couple_id.status()) ||
      absl::IsNotFound(couple_id.status()) || device_id.empty()) {
    // Someone else's device looks exactly like a missing one.
    return absl::NotFoundError(absl::StrCat("name: ", name, " not found"));
  }
  TEND_RETURN_IF_ERROR(couple_id.status());
  services::RequestLog requests(store_->redis(),
                                SchedulerStore::RequestLogPrefix(*couple_id));
  return requests.Once<google::protobuf::Empty>(
      caller, "UnregisterDevice", req.request_id(),
      [&]() -> absl::StatusOr<google::protobuf::Empty> {
        TEND_ASSIGN_OR_RETURN(
            bool removed,
            store_->RemoveDevice(*couple_id, caller.user_id, device_id));
        if (!removed) {
          return absl::NotFoundError(
              absl::StrCat("name: ", req.name(), " not found"));
        }
        Log(LogLevel::kInfo, "devices.unregistered",
            {{"user", caller.user_id},
             {"couple", *couple_id},
             {"device", device_id}});
        return google::protobuf::Empty();
      });
}

absl::StatusOr<v1::ListDevicesResponse> Scheduler::ListDevices(
    const Caller& caller, const v1::ListDevicesRequest& req) {
  if (req.page_size() < 0 || req.page_size() > kMaxPageSize) {
    return Invalid("page_size", "1 to 100, or 0 for 50");
  }
  const int page_size = req.page_size() == 0 ? 50 : req.page_size();
  const std::string parent = req.parent().empty()
                                 ? absl::StrCat("users/", caller.user_id)
                                 : req.parent();
  absl::StatusOr<std::string> couple_id = DeviceScope(caller, "parent", parent);
  v1::ListDevicesResponse response;
  if (absl::IsNotFound(couple_id.status())) return response;  // unpaired
  TEND_RETURN_IF_ERROR(couple_id.status());
  TEND_ASSIGN_OR_RETURN(std::vector<v1::Device> devices,
                        store_->LoadDevices(*couple_id, caller.user_id));
  std::sort(devices.begin(), devices.end(),
            [](const v1::Device& a, const v1::Device& b) {
              return a.name() < b.name();
            });
  // The page token is the name of the last device of the previous page.
  for (v1::Device& device : devices) {
    if (!req.page_token().empty() && device.name() <= req.page_token()) {
      continue;
    }
    if (response.devices_size() == page_size) {
      response.set_next_page_token(
          response.devices(response.devices_size() - 1).name());
      break;
    }
    *response.add_devices() = PublicDevice(std::move(device));
  }
  return response;
}

}  // namespace tend::scheduler
