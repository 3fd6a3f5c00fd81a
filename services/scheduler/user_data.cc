// One person's data in the scheduler: export and erasure, for pairing's
// ExportMyData and DeleteMyData (service callers only).
//
// What the scheduler keeps about a person lives under their couple's keys
// (scheduler_store.h): their devices and push tokens (devices:{user}), the
// request log of their device RPCs (requests:{user}), the reminder records
// addressed to them with each one's delivery attempts, and their streaks
// and occurrence outcomes ("ritual|user…" fields). A person who is in no
// couple has nothing here: erasing a couple (on unpair, and on DeleteMyData
// before the person's own event) already took everything of theirs, so
// both calls answer an empty result then.
//
// Push tokens never leave: the export shows devices as ListDevices does,
// with only the token's hint.
#include "services/scheduler/user_data.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/base/log.h"
#include "engine/base/status_macros.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "services/common/request_log.h"
#include "services/scheduler/convert.h"
#include "services/scheduler/scheduler.h"
#include "services/scheduler/scheduler_internal.h"

namespace tend::scheduler {
namespace {

using engine::RedisReply;
using engine::RedisScript;

// EraseUser, for one couple.
// KEYS: devices:{user}, requests:{user}, device_users, reminders, summaries,
//       due_index, streaks, outcomes
// ARGV: user, the couple's prefix "tend:s:{couple}:", then the ids of the
//       reminder records addressed to the user
// Returns: how many records were removed.
// Invariant: afterwards no key of the couple is named after the user and
//   no field of its streaks or outcomes names them; reminder records go
//   with their summaries, index entries and delivery records.
const RedisScript kEraseUser(R"lua(
local user, p = ARGV[1], ARGV[2]
local removed = redis.call('DEL', KEYS[1], KEYS[2])
redis.call('SREM', KEYS[3], user)
for i = 3, #ARGV do
  local id = ARGV[i]
  removed = removed + redis.call('HDEL', KEYS[4], id)
  redis.call('HDEL', KEYS[5], id)
  redis.call('ZREM', KEYS[6], id)
  removed = removed + redis.call('DEL', p .. 'deliveries:' .. id,
                                 p .. 'delivery_state:' .. id)
end
local tail, middle = '|' .. user, '|' .. user .. '|'
for _, field in ipairs(redis.call('HKEYS', KEYS[7])) do
  if field == 'couple' then
  elseif string.sub(field, -#tail) == tail then
    removed = removed + redis.call('HDEL', KEYS[7], field)
  end
end
for _, field in ipairs(redis.call('HKEYS', KEYS[8])) do
  if string.find(field, middle, 1, true) then
    removed = removed + redis.call('HDEL', KEYS[8], field)
  end
end
return removed
)lua");

nlohmann::json ToJson(const google::protobuf::Message& message) {
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json);
  return nlohmann::json::parse(json, nullptr, false);
}

// The id of the couple `user` is in, or nullopt when they are in none.
absl::StatusOr<std::optional<std::string>> CoupleOf(
    services::CoupleDirectory* directory, const std::string& user) {
  absl::StatusOr<services::CoupleRef> couple = directory->ForUser(user);
  if (absl::IsNotFound(couple.status())) return std::nullopt;
  TEND_RETURN_IF_ERROR(couple.status());
  return CoupleId(**couple);
}

}  // namespace

absl::StatusOr<v1::ExportUserDataResponse> Scheduler::ExportUserData(
    const Caller& caller, const v1::ExportUserDataRequest& req) {
  TEND_RETURN_IF_ERROR(internal::RequireService(caller));
  TEND_RETURN_IF_ERROR(services::ValidateUserId("user_id", req.user_id()));
  const std::string& user = req.user_id();
  nlohmann::json data = {
      {"service", "scheduler"},
      {"user_id", user},
      {"export_time",
       absl::FormatTime(absl::RFC3339_sec, clock_->Now(), absl::UTCTimeZone())},
      {"devices", nlohmann::json::array()},
      {"reminders", nlohmann::json::array()},
      {"streaks", nlohmann::json::object()}};
  TEND_ASSIGN_OR_RETURN(std::optional<std::string> couple_id,
                        CoupleOf(directory_, user));
  if (couple_id.has_value()) {
    data["couple"] = absl::StrCat("couples/", *couple_id);
    TEND_ASSIGN_OR_RETURN(std::vector<v1::Device> devices,
                          store_->LoadDevices(*couple_id, user));
    for (v1::Device& device : devices) {
      data["devices"].push_back(ToJson(PublicDevice(std::move(device))));
    }
    TEND_ASSIGN_OR_RETURN(
        std::vector<v1::Reminder> reminders,
        store_->FindReminders(*couple_id, [&](const RecordSummary& s) {
          return s.recipient_user_id == user;
        }));
    for (const v1::Reminder& reminder : reminders) {
      nlohmann::json entry = ToJson(reminder);
      TEND_ASSIGN_OR_RETURN(
          std::vector<v1::Delivery> deliveries,
          store_->LoadDeliveries(*couple_id,
                                 internal::LastSegment(reminder.name())));
      entry["deliveries"] = nlohmann::json::array();
      for (const v1::Delivery& d : deliveries) {
        entry["deliveries"].push_back(ToJson(d));
      }
      data["reminders"].push_back(std::move(entry));
    }
    using Streaks = std::map<std::string, nlohmann::json>;
    TEND_ASSIGN_OR_RETURN(Streaks streaks, store_->Streaks(*couple_id));
    const std::string tail = absl::StrCat("|", user);
    for (const auto& [key, streak] : streaks) {
      if (absl::EndsWith(key, tail)) {
        data["streaks"][key.substr(0, key.size() - tail.size())] = streak;
      }
    }
  }
  v1::ExportUserDataResponse response;
  response.set_json(data.dump(2));
  return response;
}

absl::StatusOr<v1::EraseUserDataResponse> Scheduler::EraseUserData(
    const Caller& caller, const v1::EraseUserDataRequest& req) {
  TEND_RETURN_IF_ERROR(internal::RequireService(caller));
  TEND_RETURN_IF_ERROR(services::ValidateUserId("user_id", req.user_id()));
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  // Erasing is idempotent by itself: a retry finds nothing left and answers
  // 0, so no request log (which would be one more key to erase) is kept.
  const std::string& user = req.user_id();
  v1::EraseUserDataResponse response;
  TEND_ASSIGN_OR_RETURN(std::optional<std::string> couple_id,
                        CoupleOf(directory_, user));
  if (!couple_id.has_value()) return response;
  TEND_ASSIGN_OR_RETURN(
      std::vector<v1::Reminder> reminders,
      store_->FindReminders(*couple_id, [&](const RecordSummary& s) {
        return s.recipient_user_id == user;
      }));
  std::vector<std::string> args = {user, SchedulerStore::Key(*couple_id, "")};
  for (const v1::Reminder& r : reminders) {
    args.push_back(internal::LastSegment(r.name()));
  }
  std::vector<std::string> keys;
  for (const std::string& kind :
       {absl::StrCat("devices:", user), absl::StrCat("requests:", user),
        std::string("device_users"), std::string("reminders"),
        std::string("summaries"), std::string("due_index"),
        std::string("streaks"), std::string("outcomes")}) {
    keys.push_back(SchedulerStore::Key(*couple_id, kind));
  }
  TEND_ASSIGN_OR_RETURN(RedisReply removed,
                        store_->redis()->Eval(kEraseUser, keys, args));
  response.set_erased_records(static_cast<int>(removed.integer));
  Log(LogLevel::kInfo, "user.erased",
      {{"user", user},
       {"couple", *couple_id},
       {"records", response.erased_records()}});
  return response;
}

}  // namespace tend::scheduler
