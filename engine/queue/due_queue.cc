// DueQueue: the layout and invariants are in due_queue.h; the scripts that
// keep them, one per change, are in lua_scripts.h. This file only decides
// which shard each piece of work goes to and batches it.
//
// Batching. A call turns into one script run per shard it touches (Schedule
// splits a shard's part into runs of 1,000), and the runs go to Redis in one
// pipelined round trip. A run has a fixed cost (some 15 us of Redis time),
// so Claim first asks only one shard per 64 reminders wanted, from a
// rotating start; shards that come up short are dropped and the next round
// shares what is missing over all the others. It never leases more than
// `max`, and skewed queues still fill a batch. Complete acks a batch and
// stores the next reminders in the same run per shard: a couple's next
// occurrence lives in the couple's shard, so its ack and its successor land
// together or not at all.
//
// Reading the layout notes: a dead reminder's payload sits in `deaddata`
// instead of `data` (so Claim never reads it), and its meta carries the
// last error after a fourth '|'. Lease tokens are lease expiries in ms.
//
// Script cache. Scripts go as EVALSHA; when Redis answers NOSCRIPT (it was
// restarted or flushed) the script is loaded and the pipeline resent. The
// scripts tolerate a resend: a repeated ack or schedule changes nothing,
// and a repeated claim at worst leaves the first run's leases to expire
// and come back.
#include "engine/queue/due_queue.h"

#include <algorithm>
#include <iterator>
#include <tuple>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "engine/base/status_macros.h"
#include "engine/queue/lua_scripts.h"

namespace tend::engine {
namespace {

// Most reminders one script run leases, and most expired leases it
// recovers: bounds how long a script holds Redis.
constexpr int kMaxClaimPerRun = 1000;
constexpr int kRecoverPerRun = 1000;
// Most reminders one Schedule script run stores.
constexpr size_t kMaxSchedulePerRun = 1000;
// Claim's first round asks one shard per this many reminders wanted.
constexpr int kMinShare = 64;
// Longest error text kept with a dead letter.
constexpr size_t kMaxErrorBytes = 512;

RedisScript QueueScript(absl::string_view body) {
  return RedisScript(absl::StrCat(queue_lua::kPrelude, body));
}

const RedisScript kScheduleScript = QueueScript(queue_lua::kSchedule);
const RedisScript kClaimScript = QueueScript(queue_lua::kClaim);
const RedisScript kCompleteScript = QueueScript(queue_lua::kComplete);
const RedisScript kNackScript = QueueScript(queue_lua::kNack);
const RedisScript kRecoverScript = QueueScript(queue_lua::kRecover);
const RedisScript kCancelScript = QueueScript(queue_lua::kCancel);
const RedisScript kCancelCoupleScript = QueueScript(queue_lua::kCancelCouple);
const RedisScript kRescheduleScript = QueueScript(queue_lua::kReschedule);
const RedisScript kRetryDeadScript = QueueScript(queue_lua::kRetryDead);
const RedisScript kListDeadScript = QueueScript(queue_lua::kListDead);

// The shard's hash tag, e.g. "tend:q:{s07}:".
std::string ShardPrefix(const QueueOptions& options, int shard) {
  return absl::StrFormat("%s:{s%02d}:", options.prefix, shard);
}

// The shard's seven keys, in the order every script expects (KEYS[1..7]).
std::vector<std::string> ShardKeys(const QueueOptions& options, int shard) {
  const std::string p = ShardPrefix(options, shard);
  return {absl::StrCat(p, "due"),     absl::StrCat(p, "leased"),
          absl::StrCat(p, "data"),    absl::StrCat(p, "meta"),
          absl::StrCat(p, "done"),    absl::StrCat(p, "dead"),
          absl::StrCat(p, "deaddata")};
}

std::string CoupleKey(const QueueOptions& options, int shard,
                      absl::string_view couple_id) {
  return absl::StrCat(ShardPrefix(options, shard), "couple:", couple_id);
}

std::string Millis(absl::Time t) { return absl::StrCat(absl::ToUnixMillis(t)); }

// The `now` argument of a script: empty means Redis's TIME.
std::string NowArg(std::optional<absl::Time> now) {
  return now.has_value() ? Millis(*now) : std::string();
}

QueueOptions Sanitized(QueueOptions options) {
  options.shards = std::max(1, options.shards);
  options.max_attempts = std::max(1, options.max_attempts);
  options.jitter = std::clamp(options.jitter, 0.0, 1.0);
  return options;
}

absl::Status ValidateReminders(const std::vector<QueuedReminder>& reminders,
                               absl::string_view field) {
  for (size_t i = 0; i < reminders.size(); ++i) {
    const QueuedReminder& r = reminders[i];
    if (r.id.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, "[", i, "].id: must not be empty"));
    }
    if (r.couple_id.empty() || absl::StrContains(r.couple_id, '|')) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, "[", i, "].couple_id: must be non-empty and without '|'"));
    }
  }
  return absl::OkStatus();
}

// One script run against one shard: KEYS are the shard's seven followed by
// `keys`.
struct ShardRun {
  int shard = 0;
  std::vector<std::string> keys;
  std::vector<std::string> args;
};

// Adds `reminders` to `run` as the Schedule part of a script expects: one
// couple key each, and (id, due_ms, payload, couple) each.
void AddReminders(const QueueOptions& options,
                  const std::vector<const QueuedReminder*>& reminders,
                  ShardRun* run) {
  for (const QueuedReminder* r : reminders) {
    run->keys.push_back(CoupleKey(options, run->shard, r->couple_id));
    run->args.push_back(r->id);
    run->args.push_back(Millis(r->due));
    run->args.push_back(r->payload);
    run->args.push_back(r->couple_id);
  }
}

// Runs `script` once per entry of `runs`, all in one round trip, and
// returns the replies in order. Reloads the script once on NOSCRIPT.
absl::StatusOr<std::vector<RedisReply>> RunScripts(
    RedisClient* redis, const QueueOptions& options, const RedisScript& script,
    const std::vector<ShardRun>& runs) {
  std::vector<std::vector<std::string>> commands;
  commands.reserve(runs.size());
  for (const ShardRun& run : runs) {
    std::vector<std::string> argv = {"EVALSHA", script.sha1(), ""};
    std::vector<std::string> shard_keys = ShardKeys(options, run.shard);
    argv[2] = absl::StrCat(shard_keys.size() + run.keys.size());
    argv.reserve(3 + shard_keys.size() + run.keys.size() + run.args.size());
    std::move(shard_keys.begin(), shard_keys.end(), std::back_inserter(argv));
    argv.insert(argv.end(), run.keys.begin(), run.keys.end());
    argv.insert(argv.end(), run.args.begin(), run.args.end());
    commands.push_back(std::move(argv));
  }
  absl::StatusOr<std::vector<RedisReply>> replies = redis->Pipeline(commands);
  if (!replies.ok() &&
      absl::StartsWith(replies.status().message(), "redis: NOSCRIPT")) {
    TEND_RETURN_IF_ERROR(
        redis->Command({"SCRIPT", "LOAD", script.source()}).status());
    replies = redis->Pipeline(commands);
  }
  return replies;
}

// Runs `script` once and returns its integer reply.
absl::StatusOr<int64_t> RunScript(RedisClient* redis,
                                  const QueueOptions& options,
                                  const RedisScript& script, ShardRun run) {
  TEND_ASSIGN_OR_RETURN(std::vector<RedisReply> replies,
                        RunScripts(redis, options, script, {std::move(run)}));
  return replies[0].integer;
}

// Whether a script that answers 1 (changed) or 0 (not there) changed it.
absl::StatusOr<bool> Changed(absl::StatusOr<int64_t> reply) {
  if (!reply.ok()) return reply.status();
  return *reply == 1;
}

absl::Status Malformed(absl::string_view what) {
  return absl::InternalError(absl::StrCat("queue: malformed ", what));
}

// A META value: "couple|attempts|due_ms[|error]".
struct Meta {
  std::string couple;
  int attempts = 0;
  int64_t due_ms = 0;
  std::string error;
};

absl::StatusOr<Meta> ParseMeta(absl::string_view text) {
  std::vector<absl::string_view> parts =
      absl::StrSplit(text, absl::MaxSplits('|', 3));
  Meta meta;
  if (parts.size() < 3 || !absl::SimpleAtoi(parts[1], &meta.attempts) ||
      !absl::SimpleAtoi(parts[2], &meta.due_ms)) {
    return Malformed(absl::StrCat("meta '", text, "'"));
  }
  meta.couple = std::string(parts[0]);
  if (parts.size() == 4) meta.error = std::string(parts[3]);
  return meta;
}

// The reminder that a stored id, payload and meta describe (moved out).
QueuedReminder StoredReminder(RedisReply& id, RedisReply& payload, Meta& meta) {
  QueuedReminder reminder;
  reminder.id = std::move(id.str);
  reminder.couple_id = std::move(meta.couple);
  reminder.due = absl::FromUnixMillis(meta.due_ms);
  reminder.payload = std::move(payload.str);
  return reminder;
}

// Appends the reminders of one Claim reply ({now, expire, next_due, (id,
// payload, meta)...}) to `batch` and returns how many there were.
absl::StatusOr<int> AppendClaimed(RedisReply reply, ClaimBatch* batch) {
  if (reply.elements.size() < 3 || (reply.elements.size() - 3) % 3 != 0) {
    return Malformed("claim reply");
  }
  batch->now = absl::FromUnixMillis(reply.elements[0].integer);
  const int64_t next_due_ms = reply.elements[2].integer;
  if (next_due_ms >= 0) {
    const absl::Time next_due = absl::FromUnixMillis(next_due_ms);
    if (!batch->next_due.has_value() || next_due < *batch->next_due) {
      batch->next_due = next_due;
    }
  }
  std::vector<ClaimedReminder>* out = &batch->claimed;
  const int64_t expire_ms = reply.elements[1].integer;
  int count = 0;
  for (size_t i = 3; i + 2 < reply.elements.size(); i += 3) {
    TEND_ASSIGN_OR_RETURN(Meta meta, ParseMeta(reply.elements[i + 2].str));
    ClaimedReminder claimed;
    claimed.reminder =
        StoredReminder(reply.elements[i], reply.elements[i + 1], meta);
    claimed.attempts = meta.attempts;
    claimed.lease_token = expire_ms;
    claimed.lease_expire = absl::FromUnixMillis(expire_ms);
    out->push_back(std::move(claimed));
    ++count;
  }
  return count;
}

// Cuts `error` to kMaxErrorBytes without splitting a UTF-8 sequence.
absl::string_view Truncated(absl::string_view error) {
  if (error.size() <= kMaxErrorBytes) return error;
  size_t n = kMaxErrorBytes;
  while (n > 0 && (static_cast<unsigned char>(error[n]) & 0xC0) == 0x80) --n;
  return error.substr(0, n);
}

double UnitRandom() {
  thread_local absl::BitGen gen;
  return absl::Uniform<double>(gen, 0.0, 1.0);
}

int64_t ScoreMillis(const RedisReply& score) {
  double value = 0;
  return absl::SimpleAtod(score.str, &value) ? static_cast<int64_t>(value) : 0;
}

}  // namespace

DueQueue::DueQueue(RedisClient* redis, QueueOptions options)
    : redis_(redis), options_(Sanitized(std::move(options))) {}

int DueQueue::ShardOf(absl::string_view couple_id) const {
  // FNV-1a: stable across processes, builds and machines, unlike absl::Hash.
  uint32_t hash = 2166136261u;
  for (unsigned char c : couple_id) {
    hash ^= c;
    hash *= 16777619u;
  }
  return static_cast<int>(hash % static_cast<uint32_t>(options_.shards));
}

absl::StatusOr<int> DueQueue::Schedule(
    const std::vector<QueuedReminder>& reminders) {
  TEND_RETURN_IF_ERROR(ValidateReminders(reminders, "reminders"));
  std::vector<std::vector<const QueuedReminder*>> by_shard(options_.shards);
  for (const QueuedReminder& r : reminders) {
    by_shard[ShardOf(r.couple_id)].push_back(&r);
  }
  std::vector<ShardRun> runs;
  for (int shard = 0; shard < options_.shards; ++shard) {
    const std::vector<const QueuedReminder*>& all = by_shard[shard];
    for (size_t i = 0; i < all.size(); i += kMaxSchedulePerRun) {
      ShardRun run;
      run.shard = shard;
      AddReminders(options_,
                   {all.begin() + i,
                    all.begin() + std::min(all.size(), i + kMaxSchedulePerRun)},
                   &run);
      runs.push_back(std::move(run));
    }
  }
  TEND_ASSIGN_OR_RETURN(std::vector<RedisReply> replies,
                        RunScripts(redis_, options_, kScheduleScript, runs));
  int stored = 0;
  for (const RedisReply& reply : replies) stored += reply.integer;
  return stored;
}

absl::StatusOr<bool> DueQueue::Cancel(absl::string_view couple_id,
                                      absl::string_view id) {
  const int shard = ShardOf(couple_id);
  return Changed(RunScript(
      redis_, options_, kCancelScript,
      {shard, {CoupleKey(options_, shard, couple_id)}, {std::string(id)}}));
}

absl::StatusOr<int> DueQueue::CancelCouple(absl::string_view couple_id) {
  const int shard = ShardOf(couple_id);
  TEND_ASSIGN_OR_RETURN(
      int64_t removed,
      RunScript(redis_, options_, kCancelCoupleScript,
                {shard, {CoupleKey(options_, shard, couple_id)}, {}}));
  return static_cast<int>(removed);
}

absl::StatusOr<bool> DueQueue::Reschedule(absl::string_view couple_id,
                                          absl::string_view id,
                                          absl::Time due) {
  return Changed(
      RunScript(redis_, options_, kRescheduleScript,
                {ShardOf(couple_id), {}, {std::string(id), Millis(due)}}));
}

absl::StatusOr<std::vector<ClaimedReminder>> DueQueue::Claim(
    absl::string_view worker, int max, std::optional<absl::Time> now) {
  TEND_ASSIGN_OR_RETURN(ClaimBatch batch, ClaimWithNextDue(worker, max, now));
  return std::move(batch.claimed);
}

absl::StatusOr<ClaimBatch> DueQueue::ClaimWithNextDue(
    absl::string_view worker, int max, std::optional<absl::Time> now) {
  if (max <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("claim.max: must be at least 1 (worker ", worker, ")"));
  }
  // Each thread rotates its own start, from a random first one, so workers
  // and replicas begin at different shards.
  thread_local uint32_t rotation =
      static_cast<uint32_t>(UnitRandom() * 65536.0);
  const int start = static_cast<int>(rotation++ % options_.shards);
  // Shards that may still hold due reminders, in visiting order.
  std::vector<int> open;
  for (int i = 0; i < options_.shards; ++i) {
    open.push_back((start + i) % options_.shards);
  }
  const std::string now_arg = NowArg(now);
  const std::string lease_ms =
      absl::StrCat(absl::ToInt64Milliseconds(options_.lease));
  const std::string max_attempts = absl::StrCat(options_.max_attempts);
  const std::string recover_limit = absl::StrCat(kRecoverPerRun);

  ClaimBatch batch;
  std::vector<ClaimedReminder>& claimed = batch.claimed;
  bool first_round = true;
  while (static_cast<int>(claimed.size()) < max && !open.empty()) {
    const int remaining = max - static_cast<int>(claimed.size());
    // A busy queue fills the batch from a few shards, and fewer script runs
    // per reminder is most of Redis's cost; later rounds sweep the rest.
    const int k = std::min(
        static_cast<int>(open.size()),
        first_round ? (remaining + kMinShare - 1) / kMinShare : remaining);
    first_round = false;
    std::vector<ShardRun> runs;
    std::vector<int> asked;
    for (int i = 0; i < k; ++i) {
      const int share = std::min(kMaxClaimPerRun,
                                 remaining / k + (i < remaining % k ? 1 : 0));
      runs.push_back({open[i],
                      {},
                      {now_arg, lease_ms, absl::StrCat(share), max_attempts,
                       recover_limit}});
      asked.push_back(share);
    }
    absl::StatusOr<std::vector<RedisReply>> replies =
        RunScripts(redis_, options_, kClaimScript, runs);
    if (!replies.ok()) {
      // What earlier rounds leased is ours; hand it out rather than leave
      // it to expire.
      if (!claimed.empty()) break;
      return replies.status();
    }
    std::vector<int> still_open;
    for (size_t i = 0; i < runs.size(); ++i) {
      TEND_ASSIGN_OR_RETURN(int got,
                            AppendClaimed(std::move((*replies)[i]), &batch));
      if (got == asked[i]) still_open.push_back(runs[i].shard);
    }
    still_open.insert(still_open.end(), open.begin() + runs.size(), open.end());
    open = std::move(still_open);
  }
  // A shard never asked may hold something due sooner.
  if (!open.empty()) batch.next_due = std::nullopt;
  return batch;
}

absl::StatusOr<int> DueQueue::Complete(
    const std::vector<ClaimedReminder>& delivered,
    const std::vector<QueuedReminder>& next) {
  TEND_RETURN_IF_ERROR(ValidateReminders(next, "next"));
  struct Batch {
    std::vector<const ClaimedReminder*> acks;
    std::vector<const QueuedReminder*> next;
  };
  std::vector<Batch> by_shard(options_.shards);
  for (const ClaimedReminder& c : delivered) {
    by_shard[ShardOf(c.reminder.couple_id)].acks.push_back(&c);
  }
  for (const QueuedReminder& r : next) {
    by_shard[ShardOf(r.couple_id)].next.push_back(&r);
  }
  const std::string done_memory_ms =
      absl::StrCat(absl::ToInt64Milliseconds(options_.done_memory));
  std::vector<ShardRun> runs;
  for (int shard = 0; shard < options_.shards; ++shard) {
    const Batch& batch = by_shard[shard];
    if (batch.acks.empty() && batch.next.empty()) continue;
    ShardRun run;
    run.shard = shard;
    run.args = {done_memory_ms, absl::StrCat(batch.acks.size())};
    for (const ClaimedReminder* c : batch.acks) {
      run.keys.push_back(CoupleKey(options_, shard, c->reminder.couple_id));
      run.args.push_back(c->reminder.id);
      run.args.push_back(absl::StrCat(c->lease_token));
    }
    AddReminders(options_, batch.next, &run);
    runs.push_back(std::move(run));
  }
  TEND_ASSIGN_OR_RETURN(std::vector<RedisReply> replies,
                        RunScripts(redis_, options_, kCompleteScript, runs));
  int acked = 0;
  for (const RedisReply& reply : replies) {
    if (reply.elements.size() != 2) return Malformed("complete reply");
    acked += static_cast<int>(reply.elements[0].integer);
  }
  return acked;
}

absl::StatusOr<NackOutcome> DueQueue::Nack(
    const ClaimedReminder& claimed, absl::string_view error,
    std::optional<absl::Duration> retry_after, std::optional<absl::Time> now) {
  absl::Duration wait = BackoffFor(claimed.attempts + 1, UnitRandom());
  if (retry_after.has_value()) wait = std::max(wait, *retry_after);
  TEND_ASSIGN_OR_RETURN(
      int64_t outcome,
      RunScript(redis_, options_, kNackScript,
                {ShardOf(claimed.reminder.couple_id),
                 {},
                 {claimed.reminder.id, absl::StrCat(claimed.lease_token),
                  NowArg(now), absl::StrCat(absl::ToInt64Milliseconds(wait)),
                  absl::StrCat(options_.max_attempts),
                  std::string(Truncated(error))}}));
  switch (outcome) {
    case 1:
      return NackOutcome::kRetrying;
    case 2:
      return NackOutcome::kDeadLettered;
    default:
      return NackOutcome::kLeaseLost;
  }
}

absl::StatusOr<int> DueQueue::RecoverExpiredLeases(
    std::optional<absl::Time> now) {
  const std::vector<std::string> args = {NowArg(now),
                                         absl::StrCat(options_.max_attempts),
                                         absl::StrCat(kRecoverPerRun)};
  std::vector<ShardRun> runs;
  for (int shard = 0; shard < options_.shards; ++shard) {
    runs.push_back({shard, {}, args});
  }
  int recovered = 0;
  // A shard that filled its limit may hold more; ask it again.
  while (!runs.empty()) {
    TEND_ASSIGN_OR_RETURN(std::vector<RedisReply> replies,
                          RunScripts(redis_, options_, kRecoverScript, runs));
    std::vector<ShardRun> again;
    for (size_t i = 0; i < runs.size(); ++i) {
      recovered += static_cast<int>(replies[i].integer);
      if (replies[i].integer >= kRecoverPerRun) {
        again.push_back(std::move(runs[i]));
      }
    }
    runs = std::move(again);
  }
  return recovered;
}

absl::StatusOr<std::vector<DeadLetter>> DueQueue::ListDeadLetters(int max) {
  if (max <= 0) {
    return absl::InvalidArgumentError("dead_letters.max: must be at least 1");
  }
  std::vector<ShardRun> runs;
  for (int shard = 0; shard < options_.shards; ++shard) {
    runs.push_back({shard, {}, {absl::StrCat(max)}});
  }
  TEND_ASSIGN_OR_RETURN(std::vector<RedisReply> replies,
                        RunScripts(redis_, options_, kListDeadScript, runs));
  std::vector<DeadLetter> letters;
  for (RedisReply& reply : replies) {
    if (reply.elements.size() % 4 != 0) return Malformed("dead letter reply");
    for (size_t i = 0; i < reply.elements.size(); i += 4) {
      TEND_ASSIGN_OR_RETURN(Meta meta, ParseMeta(reply.elements[i + 3].str));
      DeadLetter letter;
      letter.reminder =
          StoredReminder(reply.elements[i], reply.elements[i + 2], meta);
      letter.attempts = meta.attempts;
      letter.last_error = std::move(meta.error);
      letter.dead_time =
          absl::FromUnixMillis(ScoreMillis(reply.elements[i + 1]));
      letters.push_back(std::move(letter));
    }
  }
  std::sort(letters.begin(), letters.end(),
            [](const DeadLetter& a, const DeadLetter& b) {
              return std::tie(a.dead_time, a.reminder.id) <
                     std::tie(b.dead_time, b.reminder.id);
            });
  if (static_cast<int>(letters.size()) > max) letters.resize(max);
  return letters;
}

absl::StatusOr<bool> DueQueue::RetryDeadLetter(absl::string_view couple_id,
                                               absl::string_view id,
                                               std::optional<absl::Time> now) {
  return Changed(
      RunScript(redis_, options_, kRetryDeadScript,
                {ShardOf(couple_id), {}, {std::string(id), NowArg(now)}}));
}

absl::StatusOr<std::vector<ShardStats>> DueQueue::Stats(
    std::optional<absl::Time> now) {
  int64_t now_ms = 0;
  if (now.has_value()) {
    now_ms = absl::ToUnixMillis(*now);
  } else {
    TEND_ASSIGN_OR_RETURN(RedisReply time, redis_->Command({"TIME"}));
    int64_t seconds = 0, micros = 0;
    if (time.elements.size() != 2 ||
        !absl::SimpleAtoi(time.elements[0].str, &seconds) ||
        !absl::SimpleAtoi(time.elements[1].str, &micros)) {
      return Malformed("TIME reply");
    }
    now_ms = seconds * 1000 + micros / 1000;
  }
  const std::string now_arg = absl::StrCat(now_ms);
  constexpr int kPerShard = 5;
  std::vector<std::vector<std::string>> commands;
  for (int shard = 0; shard < options_.shards; ++shard) {
    const std::vector<std::string> keys = ShardKeys(options_, shard);
    const std::string& due = keys[0];
    commands.push_back({"ZCARD", due});
    commands.push_back({"ZCOUNT", due, "-inf", now_arg});
    commands.push_back({"ZCARD", keys[1]});
    commands.push_back({"ZCARD", keys[5]});
    commands.push_back({"ZRANGE", due, "-inf", now_arg, "BYSCORE", "LIMIT", "0",
                        "1", "WITHSCORES"});
  }
  TEND_ASSIGN_OR_RETURN(std::vector<RedisReply> replies,
                        redis_->Pipeline(commands));
  std::vector<ShardStats> stats;
  for (int shard = 0; shard < options_.shards; ++shard) {
    const RedisReply* r = &replies[shard * kPerShard];
    ShardStats s;
    s.shard = shard;
    s.scheduled = r[0].integer;
    s.due_unclaimed = r[1].integer;
    s.leased = r[2].integer;
    s.dead = r[3].integer;
    s.oldest_overdue = absl::ZeroDuration();
    if (r[4].elements.size() == 2) {
      s.oldest_overdue =
          absl::Milliseconds(now_ms - ScoreMillis(r[4].elements[1]));
    }
    stats.push_back(s);
  }
  return stats;
}

absl::Duration DueQueue::BackoffFor(int attempt, double unit_random) const {
  absl::Duration wait = options_.backoff_base;
  for (int i = 1; i < attempt && wait < options_.backoff_max; ++i) wait *= 2;
  wait = std::min(wait, options_.backoff_max);
  const double u = std::clamp(unit_random, 0.0, 1.0);
  return wait * (1.0 + options_.jitter * (2.0 * u - 1.0));
}

}  // namespace tend::engine
