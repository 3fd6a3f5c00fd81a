#include "services/scheduler/scheduler_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "engine/base/status_macros.h"

namespace tend::scheduler {
namespace {

using engine::RedisReply;
using engine::RedisScript;

constexpr int kMaxCheckIns = 60;
constexpr const char* kKinds[] = {
    "rituals", "skips",    "reminders", "due_index", "ticks",
    "outcomes", "streaks", "checkins",  "cadence",   "connection"};

template <typename Message>
absl::StatusOr<std::vector<Message>> ParseAll(const RedisReply& hash) {
  std::vector<Message> out;
  for (size_t i = 1; i < hash.elements.size(); i += 2) {
    Message m;
    if (!m.ParseFromString(hash.elements[i].str)) {
      return absl::DataLossError("scheduler: a stored record does not parse");
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

std::string SchedulerStore::Key(absl::string_view couple_id,
                                absl::string_view kind) {
  return absl::StrCat("tend:s:{", couple_id, "}:", kind);
}

absl::StatusOr<std::vector<v1::Ritual>> SchedulerStore::LoadRituals(
    absl::string_view couple_id) {
  TEND_ASSIGN_OR_RETURN(RedisReply all,
                        redis_->Command({"HGETALL", Key(couple_id, "rituals")}));
  return ParseAll<v1::Ritual>(all);
}

absl::StatusOr<std::optional<v1::Ritual>> SchedulerStore::LoadRitual(
    absl::string_view couple_id, absl::string_view ritual_id) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply one,
      redis_->Command({"HGET", Key(couple_id, "rituals"), ritual_id}));
  if (one.is_nil()) return std::nullopt;
  v1::Ritual ritual;
  if (!ritual.ParseFromString(one.str)) {
    return absl::DataLossError("ritual: stored record does not parse");
  }
  return ritual;
}

absl::Status SchedulerStore::CreateRitual(absl::string_view couple_id,
                                          absl::string_view ritual_id,
                                          const v1::Ritual& ritual) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply created,
      redis_->Command({"HSETNX", Key(couple_id, "rituals"), ritual_id,
                       ritual.SerializeAsString()}));
  if (created.integer == 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("ritual_id: '", ritual_id, "' is already taken"));
  }
  return absl::OkStatus();
}

absl::Status SchedulerStore::SaveRitual(absl::string_view couple_id,
                                        absl::string_view ritual_id,
                                        const v1::Ritual& ritual) {
  return redis_
      ->Command({"HSET", Key(couple_id, "rituals"), ritual_id,
                 ritual.SerializeAsString()})
      .status();
}

absl::Status SchedulerStore::DeleteRitual(absl::string_view couple_id,
                                          absl::string_view ritual_id) {
  return redis_->Command({"HDEL", Key(couple_id, "rituals"), ritual_id})
      .status();
}

absl::Status SchedulerStore::AddSkip(absl::string_view couple_id,
                                     absl::string_view ritual_id,
                                     absl::Time start, absl::string_view user,
                                     absl::string_view note) {
  return redis_
      ->Command({"HSET", Key(couple_id, "skips"),
                 absl::StrCat(ritual_id, "|", absl::ToUnixSeconds(start)),
                 absl::StrCat(user, "|", note)})
      .status();
}

absl::StatusOr<std::map<std::string, std::vector<absl::Time>>>
SchedulerStore::Skips(absl::string_view couple_id) {
  TEND_ASSIGN_OR_RETURN(RedisReply all,
                        redis_->Command({"HKEYS", Key(couple_id, "skips")}));
  std::map<std::string, std::vector<absl::Time>> out;
  for (const RedisReply& field : all.elements) {
    std::pair<std::string, std::string> parts =
        absl::StrSplit(field.str, absl::MaxSplits('|', 1));
    int64_t seconds = 0;
    if (absl::SimpleAtoi(parts.second, &seconds)) {
      out[parts.first].push_back(absl::FromUnixSeconds(seconds));
    }
  }
  return out;
}

absl::Status SchedulerStore::SaveReminders(
    absl::string_view couple_id, const std::vector<v1::Reminder>& reminders) {
  if (reminders.empty()) return absl::OkStatus();
  std::vector<std::string> records = {"HSET", Key(couple_id, "reminders")};
  std::vector<std::string> index = {"ZADD", Key(couple_id, "due_index")};
  for (const v1::Reminder& r : reminders) {
    absl::string_view name = r.name();
    const std::string id(name.substr(name.rfind('/') + 1));
    records.push_back(id);
    records.push_back(r.SerializeAsString());
    index.push_back(absl::StrCat(
        absl::ToUnixMillis(absl::FromUnixSeconds(r.due_time().seconds()))));
    index.push_back(id);
  }
  return redis_->Pipeline({records, index}).status();
}

absl::StatusOr<std::optional<v1::Reminder>> SchedulerStore::LoadReminder(
    absl::string_view couple_id, absl::string_view reminder_id) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply one,
      redis_->Command({"HGET", Key(couple_id, "reminders"), reminder_id}));
  if (one.is_nil()) return std::nullopt;
  v1::Reminder reminder;
  if (!reminder.ParseFromString(one.str)) {
    return absl::DataLossError("reminder: stored record does not parse");
  }
  return reminder;
}

absl::StatusOr<std::vector<v1::Reminder>> SchedulerStore::LoadReminders(
    absl::string_view couple_id) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply all, redis_->Command({"HGETALL", Key(couple_id, "reminders")}));
  return ParseAll<v1::Reminder>(all);
}

absl::StatusOr<std::vector<std::optional<v1::Reminder>>>
SchedulerStore::LoadRemindersById(absl::string_view couple_id,
                                  const std::vector<std::string>& ids) {
  std::vector<std::optional<v1::Reminder>> out;
  if (ids.empty()) return out;
  std::vector<std::string> argv = {"HMGET", Key(couple_id, "reminders")};
  argv.insert(argv.end(), ids.begin(), ids.end());
  TEND_ASSIGN_OR_RETURN(RedisReply blobs,
                        redis_->Command(absl::MakeConstSpan(argv)));
  for (const RedisReply& blob : blobs.elements) {
    v1::Reminder r;
    if (!blob.is_nil() && r.ParseFromString(blob.str)) {
      out.push_back(std::move(r));
    } else {
      out.push_back(std::nullopt);
    }
  }
  return out;
}

absl::StatusOr<std::vector<v1::Reminder>> SchedulerStore::RemindersDueBetween(
    absl::string_view couple_id, absl::Time from, absl::Time to) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply ids,
      redis_->Command({"ZRANGEBYSCORE", Key(couple_id, "due_index"),
                       absl::StrCat(absl::ToUnixMillis(from)),
                       absl::StrCat("(", absl::ToUnixMillis(to))}));
  if (ids.elements.empty()) return std::vector<v1::Reminder>();
  std::vector<std::string> argv = {"HMGET", Key(couple_id, "reminders")};
  for (const RedisReply& id : ids.elements) argv.push_back(id.str);
  TEND_ASSIGN_OR_RETURN(RedisReply blobs,
                        redis_->Command(absl::MakeConstSpan(argv)));
  std::vector<v1::Reminder> out;
  for (const RedisReply& blob : blobs.elements) {
    v1::Reminder r;
    if (!blob.is_nil() && r.ParseFromString(blob.str)) out.push_back(r);
  }
  return out;
}

absl::Status SchedulerStore::SaveTicks(
    absl::string_view couple_id,
    const std::vector<engine::QueuedReminder>& queued) {
  std::vector<std::string> argv = {"HSET", Key(couple_id, "ticks")};
  for (const engine::QueuedReminder& q : queued) {
    // tick.{ritual}.{participant}.{index}
    std::vector<absl::string_view> parts = absl::StrSplit(q.id, '.');
    if (parts.size() < 2 || parts[0] != "tick") continue;
    argv.push_back(absl::StrCat(parts[1], "|", q.id));
    argv.push_back("");
  }
  if (argv.size() == 2) return absl::OkStatus();
  return redis_->Command(absl::MakeConstSpan(argv)).status();
}

absl::StatusOr<std::vector<std::string>> SchedulerStore::TakeTicks(
    absl::string_view couple_id, absl::string_view ritual_id) {
  TEND_ASSIGN_OR_RETURN(RedisReply all,
                        redis_->Command({"HKEYS", Key(couple_id, "ticks")}));
  std::vector<std::string> ids;
  std::vector<std::string> argv = {"HDEL", Key(couple_id, "ticks")};
  const std::string prefix = absl::StrCat(ritual_id, "|");
  for (const RedisReply& field : all.elements) {
    if (absl::StartsWith(field.str, prefix)) {
      ids.push_back(field.str.substr(prefix.size()));
      argv.push_back(field.str);
    }
  }
  if (argv.size() > 2) {
    TEND_RETURN_IF_ERROR(redis_->Command(absl::MakeConstSpan(argv)).status());
  }
  return ids;
}

absl::StatusOr<bool> SchedulerStore::AddOutcome(absl::string_view couple_id,
                                                absl::string_view key,
                                                absl::string_view outcome) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply set,
      redis_->Command({"HSETNX", Key(couple_id, "outcomes"), key, outcome}));
  return set.integer == 1;
}

absl::Status SchedulerStore::SetOutcome(absl::string_view couple_id,
                                        absl::string_view key,
                                        absl::string_view outcome) {
  return redis_->Command({"HSET", Key(couple_id, "outcomes"), key, outcome})
      .status();
}

absl::StatusOr<std::string> SchedulerStore::Outcome(absl::string_view couple_id,
                                                    absl::string_view key) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply one, redis_->Command({"HGET", Key(couple_id, "outcomes"), key}));
  return one.str;
}

absl::StatusOr<std::map<std::string, nlohmann::json>> SchedulerStore::Streaks(
    absl::string_view couple_id) {
  TEND_ASSIGN_OR_RETURN(RedisReply all,
                        redis_->Command({"HGETALL", Key(couple_id, "streaks")}));
  std::map<std::string, nlohmann::json> out;
  for (size_t i = 0; i + 1 < all.elements.size(); i += 2) {
    out[all.elements[i].str] =
        nlohmann::json::parse(all.elements[i + 1].str, nullptr, false);
  }
  return out;
}

absl::Status SchedulerStore::SaveStreak(absl::string_view couple_id,
                                        absl::string_view key,
                                        const nlohmann::json& streak) {
  return redis_
      ->Command({"HSET", Key(couple_id, "streaks"), key, streak.dump()})
      .status();
}

absl::Status SchedulerStore::AddCheckIn(absl::string_view couple_id,
                                        const nlohmann::json& check_in) {
  const std::string key = Key(couple_id, "checkins");
  return redis_
      ->Pipeline({{"LPUSH", key, check_in.dump()},
                  {"LTRIM", key, "0", absl::StrCat(kMaxCheckIns - 1)}})
      .status();
}

absl::StatusOr<std::vector<nlohmann::json>> SchedulerStore::CheckIns(
    absl::string_view couple_id) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply all,
      redis_->Command({"LRANGE", Key(couple_id, "checkins"), "0", "-1"}));
  std::vector<nlohmann::json> out;
  for (const RedisReply& e : all.elements) {
    out.push_back(nlohmann::json::parse(e.str, nullptr, false));
  }
  return out;
}

absl::StatusOr<std::optional<nlohmann::json>> SchedulerStore::Cadence(
    absl::string_view couple_id) {
  TEND_ASSIGN_OR_RETURN(RedisReply one,
                        redis_->Command({"GET", Key(couple_id, "cadence")}));
  if (one.is_nil()) return std::nullopt;
  return nlohmann::json::parse(one.str, nullptr, false);
}

absl::Status SchedulerStore::SaveCadence(absl::string_view couple_id,
                                         const nlohmann::json& cadence) {
  return redis_->Command({"SET", Key(couple_id, "cadence"), cadence.dump()})
      .status();
}

absl::StatusOr<std::optional<int>> SchedulerStore::ConnectionScore(
    absl::string_view couple_id) {
  TEND_ASSIGN_OR_RETURN(RedisReply one,
                        redis_->Command({"GET", Key(couple_id, "connection")}));
  int score = 0;
  if (one.is_nil() || !absl::SimpleAtoi(one.str, &score)) return std::nullopt;
  return score;
}

absl::Status SchedulerStore::SaveConnectionScore(absl::string_view couple_id,
                                                 int score) {
  return redis_
      ->Command({"SET", Key(couple_id, "connection"), absl::StrCat(score)})
      .status();
}

absl::StatusOr<int> SchedulerStore::EraseCouple(absl::string_view couple_id) {
  std::vector<std::string> argv = {"DEL"};
  for (const char* kind : kKinds) argv.push_back(Key(couple_id, kind));
  TEND_ASSIGN_OR_RETURN(RedisReply removed,
                        redis_->Command(absl::MakeConstSpan(argv)));
  return static_cast<int>(removed.integer);
}

}  // namespace tend::scheduler
