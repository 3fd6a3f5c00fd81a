// DueQueue: every couple's upcoming reminders, in Redis, due by the minute.
//
// The queue is a set of shards. A reminder lives in the shard its couple
// hashes to, and every key of a shard carries the shard's hash tag, e.g.
// "tend:q:{s07}:due", so each Lua script touches one Redis Cluster slot.
// Per shard:
//
//   {sNN}:due      zset  reminder id → due time (ms since epoch)
//   {sNN}:leased   zset  reminder id → lease expiry (ms); the score is the
//                        lease token a worker must show to ack or nack
//   {sNN}:data     hash  reminder id → payload (opaque bytes, the caller's)
//   {sNN}:meta     hash  reminder id → "couple|attempts|due_ms" (see .cc)
//   {sNN}:couple:{couple}  set  the couple's reminder ids, for cancelling
//   {sNN}:done     zset  SHA-1 of the reminder id → completion time;
//                        remembered for QueueOptions::done_memory so
//                        re-scheduling a delivered occurrence is a no-op.
//                        Hashed because ids name people, and a couple's
//                        erasure cannot find these entries.
//   {sNN}:dead     zset  reminder id → dead-letter time
//   {sNN}:deaddata hash  reminder id → payload, with its last error in meta
//
// Invariants, each kept by a single Lua script per change:
//   - a reminder id is in exactly one of due, leased, done or dead, or in
//     none (cancelled); data and meta exist exactly while it is in due,
//     leased or dead;
//   - while a lease holds, no other worker can claim the reminder; an ack
//     or nack with a stale token changes nothing;
//   - a leased reminder whose lease expired returns to `due` (counted as an
//     attempt), so a worker killed at any instruction loses nothing.
//
// Due-ness and leases are judged by one clock for all replicas: Redis's own
// TIME, unless the caller passes `now` (tests with a FakeClock, and the
// scheduler's --test_clock mode).
//
//   DueQueue queue(&redis, QueueOptions{});
//   QueuedReminder reminder{/*id=*/"r1", /*couple_id=*/"c9", /*due=*/t,
//                           /*payload=*/p};
//   queue.Schedule({reminder});
//   absl::StatusOr<std::vector<ClaimedReminder>> batch =
//       queue.Claim("worker-1", 100, std::nullopt);
//   ... deliver ...
//   queue.Complete(*batch, next_reminders);
#ifndef TEND_ENGINE_QUEUE_DUE_QUEUE_H_
#define TEND_ENGINE_QUEUE_DUE_QUEUE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/redis/redis_client.h"

namespace tend::engine {

// QueueOptions
//
// Shape and patience of the queue. Every replica must use the same
// `prefix` and `shards`.
struct QueueOptions {
  std::string prefix = "tend:q";
  // Number of shards; a couple's shard is a stable hash of its id.
  int shards = 16;
  // How long a claimed reminder is reserved for the worker that claimed it.
  absl::Duration lease = absl::Seconds(30);
  // Attempts (failed sends and expired leases) before the dead letter.
  int max_attempts = 8;
  // Retry n waits min(backoff_max, backoff_base * 2^(n-1)), then +-jitter.
  absl::Duration backoff_base = absl::Seconds(5);
  absl::Duration backoff_max = absl::Minutes(15);
  double jitter = 0.2;
  // How long a delivered reminder's id is remembered (idempotent schedule).
  absl::Duration done_memory = absl::Hours(24 * 8);
};

// QueuedReminder
//
// What the scheduler stores: an id that is stable for (ritual, occurrence
// instant, recipient), the couple that picks the shard, when it is due, and
// an opaque payload.
struct QueuedReminder {
  std::string id;
  std::string couple_id;
  absl::Time due;
  std::string payload;
};

// ClaimedReminder
//
// A reminder reserved for one worker until `lease_expire`.
struct ClaimedReminder {
  QueuedReminder reminder;
  // Attempts before this one.
  int attempts = 0;
  // Shows the lease is still this worker's when acking or nacking.
  int64_t lease_token = 0;
  absl::Time lease_expire;
};

// ClaimBatch
//
// What one Claim() found: the reminders leased, and when the queue next has
// work (for an idle worker's wait).
struct ClaimBatch {
  std::vector<ClaimedReminder> claimed;
  // The earliest due time still waiting, when every shard was asked and
  // came up short of `max`; nullopt when nothing waits or it was not asked.
  std::optional<absl::Time> next_due;
  // The queue's clock when it answered (Redis TIME, or the caller's `now`).
  absl::Time now;
};

// NackOutcome
//
// What a failed delivery led to.
enum class NackOutcome {
  kRetrying,      // back in `due` after a backoff
  kDeadLettered,  // out of attempts: in the dead letter
  kLeaseLost,     // the lease had expired: nothing changed
};

// DeadLetter
//
// A reminder that ran out of attempts.
struct DeadLetter {
  QueuedReminder reminder;
  int attempts = 0;
  std::string last_error;
  absl::Time dead_time;
};

// ShardStats
//
// Operator's view of one shard.
struct ShardStats {
  int shard = 0;
  int64_t scheduled = 0;      // in `due`, due or not
  int64_t due_unclaimed = 0;  // due now, not yet claimed
  int64_t leased = 0;
  int64_t dead = 0;
  // Age of the oldest due-but-unclaimed reminder; zero when none.
  absl::Duration oldest_overdue;
};

// DueQueue
//
// Thread-safe; any number of processes may share one Redis.
class DueQueue {
 public:
  DueQueue(RedisClient* redis, QueueOptions options);

  // ShardOf()
  //
  // The shard a couple's reminders live in.
  int ShardOf(absl::string_view couple_id) const;

  // Schedule()
  //
  // Stores reminders; idempotent on id: an id already due, leased, dead or
  // recently done is left as it is. Returns how many were newly stored.
  absl::StatusOr<int> Schedule(const std::vector<QueuedReminder>& reminders);

  // Cancel()
  //
  // Removes one not-yet-claimed reminder. Returns whether it was there.
  absl::StatusOr<bool> Cancel(absl::string_view couple_id,
                              absl::string_view id);

  // CancelCouple()
  //
  // Removes every reminder of a couple, dead letters included. Returns how
  // many were removed.
  absl::StatusOr<int> CancelCouple(absl::string_view couple_id);

  // Reschedule()
  //
  // Moves a not-yet-claimed reminder to `due`. Returns whether it was there.
  absl::StatusOr<bool> Reschedule(absl::string_view couple_id,
                                  absl::string_view id, absl::Time due);

  // Claim()
  //
  // Atomically leases up to `max` reminders that are due at `now` (Redis
  // TIME when unset), oldest first, visiting shards from a rotating start so
  // replicas spread out.
  absl::StatusOr<std::vector<ClaimedReminder>> Claim(
      absl::string_view worker, int max, std::optional<absl::Time> now);
  // The same, also saying when the queue next has work.
  absl::StatusOr<ClaimBatch> ClaimWithNextDue(absl::string_view worker, int max,
                                              std::optional<absl::Time> now);

  // Complete()
  //
  // Acks `delivered` and schedules `next` (e.g. each ritual's next
  // occurrence) in one step per shard, so a worker dying between the two
  // can neither lose the next occurrence nor deliver the last one again
  // after its ack. Acks with a lost lease are ignored. Returns how many
  // acks took effect.
  absl::StatusOr<int> Complete(const std::vector<ClaimedReminder>& delivered,
                               const std::vector<QueuedReminder>& next);

  // Nack()
  //
  // Records a failed delivery: back to `due` after the backoff (or after
  // `retry_after` when the provider said so, whichever is later), or to the
  // dead letter once `max_attempts` is reached.
  absl::StatusOr<NackOutcome> Nack(const ClaimedReminder& claimed,
                                   absl::string_view error,
                                   std::optional<absl::Duration> retry_after,
                                   std::optional<absl::Time> now);

  // RecoverExpiredLeases()
  //
  // Returns reminders whose lease expired to `due` (any replica may call it;
  // Claim() calls it too). Returns how many were recovered.
  absl::StatusOr<int> RecoverExpiredLeases(std::optional<absl::Time> now);

  // ListDeadLetters() / RetryDeadLetter()
  //
  // The operator's view of the dead letter, and putting one back (due now,
  // attempts reset).
  absl::StatusOr<std::vector<DeadLetter>> ListDeadLetters(int max);
  absl::StatusOr<bool> RetryDeadLetter(absl::string_view couple_id,
                                       absl::string_view id,
                                       std::optional<absl::Time> now);

  // Stats()
  //
  // One entry per shard.
  absl::StatusOr<std::vector<ShardStats>> Stats(std::optional<absl::Time> now);

  // BackoffFor()
  //
  // The wait before retry number `attempt` (1-based), jitter included,
  // drawn from `unit_random` in [0, 1). Pure, for tests.
  absl::Duration BackoffFor(int attempt, double unit_random) const;

  const QueueOptions& options() const { return options_; }

 private:
  RedisClient* const redis_;
  const QueueOptions options_;
};

}  // namespace tend::engine

#endif  // TEND_ENGINE_QUEUE_DUE_QUEUE_H_
