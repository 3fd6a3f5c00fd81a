#include "services/scheduler/scheduler_store.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "engine/base/status_macros.h"

namespace tend::scheduler {
namespace {

using engine::RedisReply;
using engine::RedisScript;

constexpr int kMaxCheckIns = 60;
constexpr const char* kKinds[] = {"rituals",   "skips",      "reminders",
                                  "due_index", "summaries",  "ticks",
                                  "outcomes",  "streaks",    "checkins",
                                  "cadence",   "connection", "device_users",
                                  "epoch"};

// A device's last-delivery field in devices:{user}.
constexpr char kLastSuffix[] = "#last";

// RecordDelivery.
// KEYS[1]: deliveries:{reminder} (list)  KEYS[2]: delivery_state:{reminder}
// ARGV: [1] Delivery bytes, name unset  [2] attempts kept  [3] retention ms
//       [4] settled field, "" for none  [5] its value
// Returns: the attempt's number, from 1.
// Invariant: numbers only grow, so a delivery name is never reused even
//   after the list was trimmed; a settled device stays settled.
const RedisScript kRecordDelivery(R"lua(
local seq = redis.call('HINCRBY', KEYS[2], 'seq', 1)
redis.call('RPUSH', KEYS[1], seq .. '|' .. ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
if ARGV[4] ~= '' then redis.call('HSET', KEYS[2], ARGV[4], ARGV[5]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return seq
)lua");

// EraseCouple.
// KEYS: the couple's fixed keys (kKinds); ARGV[1]: its prefix
//   "tend:s:{couple}:", under which every other key of the couple lives.
// Returns: how many keys were removed.
// Invariant: afterwards the couple has no key at all: each person's devices
//   and request log (found through device_users) and each reminder's
//   delivery records (found through the reminders hash) go with the rest.
const RedisScript kEraseCouple(R"lua(
local p = ARGV[1]
local removed = 0
for _, id in ipairs(redis.call('HKEYS', p .. 'reminders')) do
  removed = removed + redis.call('DEL', p .. 'deliveries:' .. id,
                                 p .. 'delivery_state:' .. id)
end
for _, user in ipairs(redis.call('SMEMBERS', p .. 'device_users')) do
  removed = removed + redis.call('DEL', p .. 'devices:' .. user,
                                 p .. 'requests:' .. user)
end
return removed + redis.call('DEL', unpack(KEYS))
)lua");

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

// One stored record: nullopt for a nil reply, DATA_LOSS naming `what`
// when it does not parse.
template <typename Message>
absl::StatusOr<std::optional<Message>> ParseOne(const RedisReply& one,
                                                absl::string_view what) {
  if (one.is_nil()) return std::nullopt;
  Message m;
  if (!m.ParseFromString(one.str)) {
    return absl::DataLossError(
        absl::StrCat(what, ": stored record does not parse"));
  }
  return m;
}

// A reminder record from an HMGET slot; nullopt when absent or unparsable
// (readers of many records skip a bad one rather than fail the batch).
std::optional<v1::Reminder> LenientRecord(const RedisReply& blob) {
  v1::Reminder r;
  if (blob.is_nil() || !r.ParseFromString(blob.str)) return std::nullopt;
  return r;
}

// Every field of an HMGET reply as a lenient record.
std::vector<std::optional<v1::Reminder>> LenientRecords(
    const RedisReply& blobs) {
  std::vector<std::optional<v1::Reminder>> out;
  out.reserve(blobs.elements.size());
  for (const RedisReply& blob : blobs.elements) {
    out.push_back(LenientRecord(blob));
  }
  return out;
}

// The skips hash's fields ("ritual|start seconds") by ritual.
std::map<std::string, std::vector<absl::Time>> SkipsFrom(
    const RedisReply& fields) {
  std::map<std::string, std::vector<absl::Time>> out;
  for (const RedisReply& field : fields.elements) {
    std::pair<std::string, std::string> parts =
        absl::StrSplit(field.str, absl::MaxSplits('|', 1));
    int64_t seconds = 0;
    if (absl::SimpleAtoi(parts.second, &seconds)) {
      out[parts.first].push_back(absl::FromUnixSeconds(seconds));
    }
  }
  return out;
}

std::optional<nlohmann::json> CadenceFrom(const RedisReply& one) {
  if (one.is_nil()) return std::nullopt;
  return nlohmann::json::parse(one.str, nullptr, false);
}

// "HMGET key fields..." (callers skip an empty list: HMGET needs a field).
std::vector<std::string> Hmget(std::string key,
                               const std::vector<std::string>& fields) {
  std::vector<std::string> argv = {"HMGET", std::move(key)};
  argv.insert(argv.end(), fields.begin(), fields.end());
  return argv;
}

// A RecordSummary in the summaries hash: its fields joined by the ASCII
// unit separator, the title last so it may hold anything:
// "state␟due ms␟occurrence ms␟recipient␟ritual␟title".
constexpr char kSep = '\x1f';

std::string EncodeSummary(const RecordSummary& r) {
  return absl::StrCat(static_cast<int>(r.state), std::string(1, kSep),
                      absl::ToUnixMillis(r.due), std::string(1, kSep),
                      absl::ToUnixMillis(r.occurrence), std::string(1, kSep),
                      r.recipient_user_id, std::string(1, kSep), r.ritual,
                      std::string(1, kSep), r.ritual_title);
}

std::optional<RecordSummary> ParseSummary(absl::string_view id,
                                          const RedisReply& one) {
  if (one.is_nil()) return std::nullopt;
  std::vector<absl::string_view> f =
      absl::StrSplit(one.str, absl::MaxSplits(kSep, 5));
  int state = 0;
  int64_t due_ms = 0, occurrence_ms = 0;
  if (f.size() != 6 || !absl::SimpleAtoi(f[0], &state) ||
      !absl::SimpleAtoi(f[1], &due_ms) ||
      !absl::SimpleAtoi(f[2], &occurrence_ms) ||
      !v1::ReminderState_IsValid(state)) {
    return std::nullopt;  // read whole instead
  }
  RecordSummary r;
  r.id = std::string(id);
  r.state = static_cast<v1::ReminderState>(state);
  r.due = absl::FromUnixMillis(due_ms);
  r.occurrence = absl::FromUnixMillis(occurrence_ms);
  r.recipient_user_id = std::string(f[3]);
  r.ritual = std::string(f[4]);
  r.ritual_title = std::string(f[5]);
  return r;
}

// The commands that save one CoupleWrites: the records with their due
// index and summaries, and the pending ticks ("ritual|tick id" → "").
void AppendWrites(const CoupleWrites& w,
                  std::vector<std::vector<std::string>>* commands) {
  if (!w.reminders.empty()) {
    std::vector<std::string> records = {
        "HSET", SchedulerStore::Key(w.couple_id, "reminders")};
    std::vector<std::string> index = {
        "ZADD", SchedulerStore::Key(w.couple_id, "due_index")};
    std::vector<std::string> summaries = {
        "HSET", SchedulerStore::Key(w.couple_id, "summaries")};
    records.reserve(2 + 2 * w.reminders.size());
    index.reserve(2 + 2 * w.reminders.size());
    summaries.reserve(2 + 2 * w.reminders.size());
    for (const v1::Reminder& r : w.reminders) {
      const RecordSummary summary = Summarize(r);
      records.push_back(summary.id);
      records.push_back(r.SerializeAsString());
      index.push_back(absl::StrCat(
          absl::ToUnixMillis(absl::FromUnixSeconds(r.due_time().seconds()))));
      index.push_back(summary.id);
      summaries.push_back(summary.id);
      summaries.push_back(EncodeSummary(summary));
    }
    commands->push_back(std::move(records));
    if (w.reindex) commands->push_back(std::move(index));
    commands->push_back(std::move(summaries));
  }
  std::vector<std::string> ticks = {"HSET",
                                    SchedulerStore::Key(w.couple_id, "ticks")};
  for (const engine::QueuedReminder& q : w.ticks) {
    // tick.{ritual}.{participant}.{index}.{couple}
    std::vector<absl::string_view> parts = absl::StrSplit(q.id, '.');
    if (parts.size() < 2 || parts[0] != "tick") continue;
    ticks.push_back(absl::StrCat(parts[1], "|", q.id));
    ticks.push_back("");
  }
  if (ticks.size() > 2) commands->push_back(std::move(ticks));
  if (!w.forget.empty()) {
    // The index last: cut short, a trim is found again and finished.
    for (const char* kind : {"reminders", "summaries"}) {
      std::vector<std::string> hdel = {"HDEL",
                                       SchedulerStore::Key(w.couple_id, kind)};
      hdel.insert(hdel.end(), w.forget.begin(), w.forget.end());
      commands->push_back(std::move(hdel));
    }
    std::vector<std::string> zrem = {
        "ZREM", SchedulerStore::Key(w.couple_id, "due_index")};
    zrem.insert(zrem.end(), w.forget.begin(), w.forget.end());
    commands->push_back(std::move(zrem));
  }
}

}  // namespace

RecordSummary Summarize(const v1::Reminder& record) {
  RecordSummary r;
  absl::string_view name = record.name();
  r.id = std::string(name.substr(name.rfind('/') + 1));
  r.state = record.state();
  r.due = absl::FromUnixSeconds(record.due_time().seconds()) +
          absl::Nanoseconds(record.due_time().nanos());
  r.occurrence = absl::FromUnixSeconds(record.occurrence_time().seconds()) +
                 absl::Nanoseconds(record.occurrence_time().nanos());
  r.recipient_user_id = record.recipient_user_id();
  r.ritual = record.ritual();
  r.ritual_title = record.ritual_title();
  return r;
}

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
  return ParseOne<v1::Ritual>(one, "ritual");
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
  return SkipsFrom(all);
}

absl::Status SchedulerStore::SaveReminders(
    absl::string_view couple_id, const std::vector<v1::Reminder>& reminders) {
  return WriteCouples({{std::string(couple_id), reminders, {}}});
}

absl::StatusOr<std::optional<v1::Reminder>> SchedulerStore::LoadReminder(
    absl::string_view couple_id, absl::string_view reminder_id) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply one,
      redis_->Command({"HGET", Key(couple_id, "reminders"), reminder_id}));
  return ParseOne<v1::Reminder>(one, "reminder");
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
  if (ids.empty()) return std::vector<std::optional<v1::Reminder>>();
  TEND_ASSIGN_OR_RETURN(RedisReply blobs,
                        redis_->Command(absl::MakeConstSpan(
                            Hmget(Key(couple_id, "reminders"), ids))));
  return LenientRecords(blobs);
}

absl::StatusOr<PlanInputs> SchedulerStore::LoadPlanInputs(
    absl::string_view couple_id, absl::Time from, absl::Time to) {
  CoupleReads read;
  read.couple_id = std::string(couple_id);
  read.plan_window = {from, to};
  TEND_ASSIGN_OR_RETURN(std::vector<CoupleData> data, ReadCouples({read}));
  return std::move(data[0].plan);
}

namespace {

// Reminder ids whose summaries were asked for, and where the answers go.
// Records saved before summaries existed have none; those are read whole,
// once, and summarized here.
class SummaryReads {
 public:
  // Adds the answer to "HMGET summaries ids" for `ids`, into `out`.
  void Add(absl::string_view couple_id, std::vector<std::string> ids,
           const RedisReply& reply,
           std::vector<std::optional<RecordSummary>>* out) {
    std::vector<std::string> missing;
    std::vector<size_t> at;
    out->resize(ids.size());
    for (size_t i = 0; i < ids.size() && i < reply.elements.size(); ++i) {
      (*out)[i] = ParseSummary(ids[i], reply.elements[i]);
      if (!(*out)[i].has_value()) {
        missing.push_back(ids[i]);
        at.push_back(i);
      }
    }
    if (missing.empty()) return;
    commands_.push_back(
        Hmget(SchedulerStore::Key(couple_id, "reminders"), missing));
    pending_.push_back({out, std::move(at)});
  }

  // Reads the records of every summary missing, in one round trip.
  absl::Status Resolve(engine::RedisClient* redis) {
    if (commands_.empty()) return absl::OkStatus();
    TEND_ASSIGN_OR_RETURN(std::vector<RedisReply> blobs,
                          redis->Pipeline(commands_));
    for (size_t k = 0; k < blobs.size(); ++k) {
      const Pending& p = pending_[k];
      for (size_t j = 0; j < p.at.size() && j < blobs[k].elements.size(); ++j) {
        if (std::optional<v1::Reminder> r =
                LenientRecord(blobs[k].elements[j])) {
          (*p.out)[p.at[j]] = Summarize(*r);
        }
      }
    }
    commands_.clear();
    pending_.clear();
    return absl::OkStatus();
  }

 private:
  struct Pending {
    std::vector<std::optional<RecordSummary>>* out;
    std::vector<size_t> at;
  };
  std::vector<std::vector<std::string>> commands_;
  std::vector<Pending> pending_;
};

}  // namespace

absl::StatusOr<std::vector<CoupleData>> SchedulerStore::ReadCouples(
    const std::vector<CoupleReads>& reads) {
  // Where each answer sits in the pipeline's replies; -1 when not asked.
  struct Slots {
    int reminders = -1, rituals = -1, outcomes = -1, skips = -1, cadence = -1,
        window = -1, expired = -1;
  };
  std::vector<std::vector<std::string>> commands;
  std::vector<Slots> slots(reads.size());
  auto add = [&commands](std::vector<std::string> argv) {
    commands.push_back(std::move(argv));
    return static_cast<int>(commands.size()) - 1;
  };
  for (size_t i = 0; i < reads.size(); ++i) {
    const CoupleReads& r = reads[i];
    if (!r.reminder_ids.empty()) {
      slots[i].reminders =
          add(Hmget(Key(r.couple_id, "summaries"), r.reminder_ids));
    }
    if (!r.ritual_ids.empty()) {
      slots[i].rituals = add(Hmget(Key(r.couple_id, "rituals"), r.ritual_ids));
    }
    if (!r.outcome_keys.empty()) {
      slots[i].outcomes =
          add(Hmget(Key(r.couple_id, "outcomes"), r.outcome_keys));
    }
    if (r.plan_window.has_value()) {
      slots[i].skips = add({"HKEYS", Key(r.couple_id, "skips")});
      slots[i].cadence = add({"GET", Key(r.couple_id, "cadence")});
      slots[i].window =
          add({"ZRANGEBYSCORE", Key(r.couple_id, "due_index"),
               absl::StrCat(absl::ToUnixMillis(r.plan_window->first)),
               absl::StrCat("(", absl::ToUnixMillis(r.plan_window->second))});
    }
    if (r.expired_before.has_value()) {
      slots[i].expired =
          add({"ZRANGEBYSCORE", Key(r.couple_id, "due_index"), "-inf",
               absl::StrCat("(", absl::ToUnixMillis(*r.expired_before)),
               "LIMIT", "0", absl::StrCat(CoupleReads::kTrimPerRead)});
    }
  }
  TEND_ASSIGN_OR_RETURN(std::vector<RedisReply> replies,
                        redis_->Pipeline(commands));
  std::vector<CoupleData> out(reads.size());
  SummaryReads summaries;
  // The window's summaries, in a second round trip.
  std::vector<std::vector<std::string>> window_reads;
  std::vector<std::pair<size_t, std::vector<std::string>>> window_ids;
  for (size_t i = 0; i < reads.size(); ++i) {
    const Slots& s = slots[i];
    CoupleData& d = out[i];
    if (s.reminders >= 0) {
      summaries.Add(reads[i].couple_id, reads[i].reminder_ids,
                    replies[s.reminders], &d.reminders);
    }
    if (s.rituals >= 0) {
      for (const RedisReply& blob : replies[s.rituals].elements) {
        d.rituals.push_back(ParseOne<v1::Ritual>(blob, "ritual"));
      }
    }
    if (s.outcomes >= 0) {
      for (const RedisReply& one : replies[s.outcomes].elements) {
        d.outcomes.push_back(one.str);
      }
    }
    if (s.expired >= 0) {
      for (RedisReply& id : replies[s.expired].elements) {
        d.expired_ids.push_back(std::move(id.str));
      }
    }
    if (s.window >= 0) {
      d.plan.skips = SkipsFrom(replies[s.skips]);
      d.plan.cadence = CadenceFrom(replies[s.cadence]);
      std::vector<std::string> ids;
      for (RedisReply& id : replies[s.window].elements) {
        ids.push_back(std::move(id.str));
      }
      if (!ids.empty()) {
        window_reads.push_back(
            Hmget(Key(reads[i].couple_id, "summaries"), ids));
        window_ids.emplace_back(i, std::move(ids));
      }
    }
  }
  std::vector<std::vector<std::optional<RecordSummary>>> windows(
      window_ids.size());
  if (!window_reads.empty()) {
    TEND_ASSIGN_OR_RETURN(std::vector<RedisReply> found,
                          redis_->Pipeline(window_reads));
    for (size_t k = 0; k < found.size(); ++k) {
      const size_t i = window_ids[k].first;
      summaries.Add(reads[i].couple_id, std::move(window_ids[k].second),
                    found[k], &windows[k]);
    }
  }
  TEND_RETURN_IF_ERROR(summaries.Resolve(redis_));
  for (size_t k = 0; k < windows.size(); ++k) {
    for (std::optional<RecordSummary>& r : windows[k]) {
      if (r.has_value()) {
        out[window_ids[k].first].plan.nearby.push_back(*std::move(r));
      }
    }
  }
  return out;
}

absl::StatusOr<std::vector<v1::Reminder>> SchedulerStore::FindReminders(
    absl::string_view couple_id,
    const std::function<bool(const RecordSummary&)>& wanted) {
  TEND_ASSIGN_OR_RETURN(
      std::vector<RedisReply> replies,
      redis_->Pipeline({{"HGETALL", Key(couple_id, "summaries")},
                        {"HLEN", Key(couple_id, "reminders")}}));
  const RedisReply& all = replies[0];
  std::vector<std::string> ids;
  if (static_cast<int64_t>(all.elements.size() / 2) < replies[1].integer) {
    // Some records have no summary yet: read them all.
    TEND_ASSIGN_OR_RETURN(std::vector<v1::Reminder> records,
                          LoadReminders(couple_id));
    std::vector<v1::Reminder> out;
    for (v1::Reminder& r : records) {
      if (wanted(Summarize(r))) out.push_back(std::move(r));
    }
    return out;
  }
  for (size_t i = 0; i + 1 < all.elements.size(); i += 2) {
    std::optional<RecordSummary> s =
        ParseSummary(all.elements[i].str, all.elements[i + 1]);
    if (s.has_value() && wanted(*s)) ids.push_back(s->id);
  }
  TEND_ASSIGN_OR_RETURN(std::vector<std::optional<v1::Reminder>> found,
                        LoadRemindersById(couple_id, ids));
  std::vector<v1::Reminder> out;
  for (std::optional<v1::Reminder>& r : found) {
    if (r.has_value()) out.push_back(*std::move(r));
  }
  return out;
}

absl::Status SchedulerStore::WriteCouples(
    const std::vector<CoupleWrites>& writes) {
  std::vector<std::vector<std::string>> commands;
  for (const CoupleWrites& w : writes) AppendWrites(w, &commands);
  return redis_->Pipeline(commands).status();
}

absl::Status SchedulerStore::SaveTicks(
    absl::string_view couple_id,
    const std::vector<engine::QueuedReminder>& queued) {
  return WriteCouples({{std::string(couple_id), {}, queued}});
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
  return CadenceFrom(one);
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

absl::StatusOr<std::vector<v1::Device>> SchedulerStore::LoadDevices(
    absl::string_view couple_id, absl::string_view user_id) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply all,
      redis_->Command(
          {"HGETALL", Key(couple_id, absl::StrCat("devices:", user_id))}));
  std::vector<v1::Device> devices;
  std::map<std::string, int64_t> last;
  for (size_t i = 0; i + 1 < all.elements.size(); i += 2) {
    absl::string_view field = all.elements[i].str;
    if (absl::ConsumeSuffix(&field, kLastSuffix)) {
      int64_t millis = 0;
      if (absl::SimpleAtoi(all.elements[i + 1].str, &millis)) {
        last[std::string(field)] = millis;
      }
      continue;
    }
    v1::Device device;
    if (!device.ParseFromString(all.elements[i + 1].str)) {
      return absl::DataLossError("device: stored record does not parse");
    }
    devices.push_back(std::move(device));
  }
  for (v1::Device& device : devices) {
    absl::string_view name = device.name();
    auto it = last.find(std::string(name.substr(name.rfind('/') + 1)));
    if (it == last.end()) continue;
    const absl::Time at = absl::FromUnixMillis(it->second);
    device.mutable_last_delivery_time()->set_seconds(absl::ToUnixSeconds(at));
  }
  return devices;
}

absl::StatusOr<std::optional<v1::Device>> SchedulerStore::LoadDevice(
    absl::string_view couple_id, absl::string_view user_id,
    absl::string_view device_id) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply one,
      redis_->Command({"HGET",
                       Key(couple_id, absl::StrCat("devices:", user_id)),
                       device_id}));
  return ParseOne<v1::Device>(one, "device");
}

absl::Status SchedulerStore::SaveDevice(absl::string_view couple_id,
                                        absl::string_view user_id,
                                        absl::string_view device_id,
                                        const v1::Device& device,
                                        absl::string_view evict_id) {
  const std::string key = Key(couple_id, absl::StrCat("devices:", user_id));
  // The index first: a crash in between leaves an index entry without
  // devices (harmless), never devices that erasure cannot find.
  std::vector<std::vector<std::string>> commands = {
      {"SADD", Key(couple_id, "device_users"), std::string(user_id)},
      {"HSET", key, std::string(device_id), device.SerializeAsString()}};
  if (!evict_id.empty()) {
    commands.push_back({"HDEL", key, std::string(evict_id),
                        absl::StrCat(evict_id, kLastSuffix)});
  }
  return redis_->Pipeline(commands).status();
}

absl::StatusOr<bool> SchedulerStore::RemoveDevice(absl::string_view couple_id,
                                                  absl::string_view user_id,
                                                  absl::string_view device_id) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply removed,
      redis_->Command({"HDEL",
                       Key(couple_id, absl::StrCat("devices:", user_id)),
                       device_id, absl::StrCat(device_id, kLastSuffix)}));
  return removed.integer > 0;
}

absl::Status SchedulerStore::MarkDeviceReached(absl::string_view couple_id,
                                               absl::string_view user_id,
                                               absl::string_view device_id,
                                               absl::Time at) {
  const std::string key = Key(couple_id, absl::StrCat("devices:", user_id));
  // Only while the device is still registered: a concurrent removal wins.
  TEND_ASSIGN_OR_RETURN(RedisReply exists,
                        redis_->Command({"HEXISTS", key, device_id}));
  if (exists.integer == 0) return absl::OkStatus();
  return redis_
      ->Command({"HSET", key, absl::StrCat(device_id, kLastSuffix),
                 absl::StrCat(absl::ToUnixMillis(at))})
      .status();
}

std::string SchedulerStore::RequestLogPrefix(absl::string_view couple_id) {
  return Key(couple_id, "requests:");
}

absl::StatusOr<std::string> SchedulerStore::RecordDelivery(
    absl::string_view couple_id, absl::string_view reminder_id,
    const v1::Delivery& delivery, absl::string_view delivery_key,
    absl::string_view settled_device, absl::string_view settled_as) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply seq,
      redis_->Eval(
          kRecordDelivery,
          {Key(couple_id, absl::StrCat("deliveries:", reminder_id)),
           Key(couple_id, absl::StrCat("delivery_state:", reminder_id))},
          {delivery.SerializeAsString(), absl::StrCat(kMaxDeliveriesKept),
           absl::StrCat(absl::ToInt64Milliseconds(retention_)),
           settled_device.empty()
               ? std::string()
               : absl::StrCat(delivery_key, "|", settled_device),
           std::string(settled_as)}));
  return absl::StrCat("couples/", couple_id, "/reminders/", reminder_id,
                      "/deliveries/", seq.integer);
}

absl::StatusOr<std::vector<v1::Delivery>> SchedulerStore::LoadDeliveries(
    absl::string_view couple_id, absl::string_view reminder_id) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply all,
      redis_->Command({"LRANGE",
                       Key(couple_id, absl::StrCat("deliveries:", reminder_id)),
                       "0", "-1"}));
  std::vector<v1::Delivery> out;
  for (const RedisReply& entry : all.elements) {
    const size_t bar = entry.str.find('|');
    v1::Delivery delivery;
    if (bar == std::string::npos ||
        !delivery.ParseFromArray(
            entry.str.data() + bar + 1,
            static_cast<int>(entry.str.size() - bar - 1))) {
      return absl::DataLossError("delivery: stored record does not parse");
    }
    delivery.set_name(absl::StrCat("couples/", couple_id, "/reminders/",
                                   reminder_id, "/deliveries/",
                                   entry.str.substr(0, bar)));
    out.push_back(std::move(delivery));
  }
  return out;
}

absl::StatusOr<absl::flat_hash_set<std::string>> SchedulerStore::SettledDevices(
    absl::string_view couple_id, absl::string_view reminder_id,
    absl::string_view delivery_key) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply fields,
      redis_->Command({"HKEYS", Key(couple_id, absl::StrCat("delivery_state:",
                                                            reminder_id))}));
  absl::flat_hash_set<std::string> settled;
  const std::string prefix = absl::StrCat(delivery_key, "|");
  for (const RedisReply& field : fields.elements) {
    absl::string_view f = field.str;
    if (absl::ConsumePrefix(&f, prefix)) settled.insert(std::string(f));
  }
  return settled;
}

absl::Status SchedulerStore::BumpEpoch(absl::string_view couple_id) {
  const std::string key = Key(couple_id, "epoch");
  return redis_
      ->Pipeline({{"INCR", key},
                  {"PEXPIRE", key,
                   absl::StrCat(absl::ToInt64Milliseconds(kEpochLifetime))}})
      .status();
}

absl::StatusOr<std::vector<int64_t>> SchedulerStore::Epochs(
    const std::vector<std::string>& couple_ids) {
  std::vector<std::vector<std::string>> gets;
  gets.reserve(couple_ids.size());
  for (const std::string& id : couple_ids) {
    gets.push_back({"GET", Key(id, "epoch")});
  }
  TEND_ASSIGN_OR_RETURN(std::vector<RedisReply> replies,
                        redis_->Pipeline(gets));
  std::vector<int64_t> epochs(couple_ids.size(), 0);
  for (size_t i = 0; i < replies.size() && i < epochs.size(); ++i) {
    if (!replies[i].is_nil() && !absl::SimpleAtoi(replies[i].str, &epochs[i])) {
      return absl::DataLossError("epoch: not a number");
    }
  }
  return epochs;
}

absl::StatusOr<int> SchedulerStore::EraseCouple(absl::string_view couple_id) {
  std::vector<std::string> keys;
  for (const char* kind : kKinds) keys.push_back(Key(couple_id, kind));
  TEND_ASSIGN_OR_RETURN(RedisReply removed,
                        redis_->Eval(kEraseCouple, keys, {Key(couple_id, "")}));
  return static_cast<int>(removed.integer);
}

}  // namespace tend::scheduler
