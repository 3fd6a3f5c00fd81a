// SchedulerStore: the scheduler's records of one couple, in Redis.
//
// Every key carries the couple's hash tag, "tend:s:{couple}:…", so the
// records of one couple live in one Redis Cluster slot:
//
//   rituals     hash  ritual id → tend.scheduler.v1.Ritual
//   skips       hash  "ritual|start unix seconds" → "user|note"
//   reminders   hash  reminder id → tend.scheduler.v1.Reminder, the record
//                     of what was planned, sent and answered
//   due_index   zset  reminder id → due time (ms), to find a day's reminders
//   summaries   hash  reminder id → RecordSummary (see .cc), written with
//                     every record, so planning and dispatch read a few
//                     dozen bytes instead of parsing whole records
//   ticks       hash  "ritual|tick id" → "" for each pending tick
//   outcomes    hash  "ritual|participant|index" → "done" | "skipped"
//   streaks     hash  "ritual|participant" or "couple" → JSON streak
//   checkins    list  JSON check-in outcomes, newest first, capped
//   cadence     string JSON memory of the cadence model
//   connection  string latest couple connection score, 0-100
//   epoch       string how many times pairing reported a change to the
//                      couple (see BumpEpoch()); expires kEpochLifetime
//                      after the last change, and absent reads as 0.
//                      Erasing the couple erases it too: its queue is
//                      empty by then, so an answer cached under an older
//                      epoch has nothing left to be used for.
//
// Push, per person and per reminder:
//
//   devices:{user}   hash  device id → tend.scheduler.v1.Device, token and
//                          webhook secret included (secrets: never logged,
//                          never returned by a List), and "{device id}#last"
//                          → unix ms of the last delivery that reached it
//   device_users     set   the users with a devices:{user} key
//   requests:{user}  hash  RequestLog answers of the person's device RPCs
//   deliveries:{reminder}      list  "seq|tend.scheduler.v1.Delivery", every
//                                    attempt, oldest first, capped
//   delivery_state:{reminder}  hash  "seq" → the last attempt's number;
//                                    "{delivery key}|{device id}" →
//                                    "delivered" or "rejected": the devices
//                                    a retry must not send to again
//
// The per-reminder keys expire retention() after their last write.
// EraseCouple finds the per-person keys through device_users and the
// per-reminder ones through the reminders hash, so erasing a couple (on
// unpair, and on either partner's DeleteMyData) leaves no token behind.
//
// The due queue (engine/queue) holds what is waiting to go out; these
// records say what it was and what became of it.
#ifndef TEND_SERVICES_SCHEDULER_SCHEDULER_STORE_H_
#define TEND_SERVICES_SCHEDULER_SCHEDULER_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/queue/due_queue.h"
#include "engine/redis/redis_client.h"
#include "nlohmann/json.hpp"
#include "tend/scheduler/v1/scheduler.pb.h"

namespace tend::scheduler {

// kMaxDeliveriesKept
//
// Delivery attempts kept per reminder; older ones are dropped first.
inline constexpr int kMaxDeliveriesKept = 100;

// kDefaultRetention
//
// How long a reminder's record is kept after its due time, and its delivery
// records after their last write, unless the operator says otherwise
// (--history_retention). Older records are trimmed by the couple's ticks
// and by sweeps the dispatcher queues (see CoupleReads::expired_before), so
// a couple's history stays bounded.
inline constexpr absl::Duration kDefaultRetention = absl::Hours(24 * 35);

// kEpochLifetime
//
// How long a couple's epoch outlives its last change. Longer than any
// cache that trusts it (services::CoupleDirectory::kVersionedTtl), so an
// epoch that expires back to 0 can match no answer still cached.
inline constexpr absl::Duration kEpochLifetime = absl::Hours(1);

// RecordSummary
//
// What planning and dispatch need of a reminder record: enough to count it
// toward a daily budget, merge into it, and know whether it may still be
// sent or re-planned.
struct RecordSummary {
  std::string id;
  v1::ReminderState state = v1::REMINDER_STATE_UNSPECIFIED;
  absl::Time due;
  absl::Time occurrence;
  std::string recipient_user_id;
  std::string ritual;  // the ritual's resource name
  std::string ritual_title;
};

// Summarize()
//
// A record's summary.
RecordSummary Summarize(const v1::Reminder& record);

// PlanInputs
//
// What planning reads about a couple besides its rituals: the agreed skips
// ("ritual id" → occurrence starts), the cadence model's memory, and the
// reminder records due around the occurrences being planned (for daily
// budgets and merging).
struct PlanInputs {
  std::map<std::string, std::vector<absl::Time>> skips;
  std::optional<nlohmann::json> cadence;
  std::vector<RecordSummary> nearby;
};

// CoupleReads
//
// What a batch (the dispatcher's) wants to know about one couple. Empty
// lists cost nothing.
struct CoupleReads {
  std::string couple_id;
  std::vector<std::string> reminder_ids;
  std::vector<std::string> ritual_ids;
  // Keys as internal::OutcomeKey builds them.
  std::vector<std::string> outcome_keys;
  // When set, PlanInputs with the records due in [first, second).
  std::optional<std::pair<absl::Time, absl::Time>> plan_window;
  // When set, the ids of up to kTrimPerRead records due before it, for
  // CoupleWrites::forget.
  std::optional<absl::Time> expired_before;
  static constexpr int kTrimPerRead = 100;
};

// CoupleData
//
// The answer to one CoupleReads, each list in the order asked: nullopt for
// a record that is not there (or does not parse), "" for an unset outcome.
// Reminders come as summaries. A ritual that does not parse is DATA_LOSS
// for the items that need it, not for the whole batch.
struct CoupleData {
  std::vector<std::optional<RecordSummary>> reminders;
  std::vector<absl::StatusOr<std::optional<v1::Ritual>>> rituals;
  std::vector<std::string> outcomes;
  PlanInputs plan;
  std::vector<std::string> expired_ids;
};

// CoupleWrites
//
// Records to save for one couple (as SaveReminders) and queued items whose
// ticks to remember (as SaveTicks).
struct CoupleWrites {
  std::string couple_id;
  std::vector<v1::Reminder> reminders;
  std::vector<engine::QueuedReminder> ticks;
  // False when no record's due time changed since it was last saved (the
  // dispatcher marking what it sent): due_index is then left alone.
  bool reindex = true;
  // Records to delete (retention), with their summaries and index entries.
  std::vector<std::string> forget;
};

// SchedulerStore
//
// Thread-safe; holds nothing but the client and the retention.
class SchedulerStore {
 public:
  explicit SchedulerStore(engine::RedisClient* redis,
                          absl::Duration retention = kDefaultRetention)
      : redis_(redis), retention_(retention) {}

  // retention()
  //
  // How long history is kept: records past their due time, delivery
  // records past their last write.
  absl::Duration retention() const { return retention_; }

  // redis()
  //
  // The client, for helpers that keep their own keys under the couple's
  // (the RequestLog of device RPCs).
  engine::RedisClient* redis() const { return redis_; }

  // Key()
  //
  // "tend:s:{couple}:kind".
  static std::string Key(absl::string_view couple_id, absl::string_view kind);

  // Rituals.
  absl::StatusOr<std::vector<v1::Ritual>> LoadRituals(
      absl::string_view couple_id);
  absl::StatusOr<std::optional<v1::Ritual>> LoadRitual(
      absl::string_view couple_id, absl::string_view ritual_id);
  // ALREADY_EXISTS when the id is taken.
  absl::Status CreateRitual(absl::string_view couple_id,
                            absl::string_view ritual_id,
                            const v1::Ritual& ritual);
  absl::Status SaveRitual(absl::string_view couple_id,
                          absl::string_view ritual_id,
                          const v1::Ritual& ritual);
  // Removes the ritual.
  absl::Status DeleteRitual(absl::string_view couple_id,
                            absl::string_view ritual_id);

  // Skips: occurrence start instants the couple agreed to skip.
  absl::Status AddSkip(absl::string_view couple_id, absl::string_view ritual_id,
                       absl::Time start, absl::string_view user,
                       absl::string_view note);
  absl::StatusOr<std::map<std::string, std::vector<absl::Time>>> Skips(
      absl::string_view couple_id);

  // Reminder records.
  absl::Status SaveReminders(absl::string_view couple_id,
                             const std::vector<v1::Reminder>& reminders);
  absl::StatusOr<std::optional<v1::Reminder>> LoadReminder(
      absl::string_view couple_id, absl::string_view reminder_id);
  absl::StatusOr<std::vector<v1::Reminder>> LoadReminders(
      absl::string_view couple_id);
  // The records with these ids, in order; nullopt where there is none.
  absl::StatusOr<std::vector<std::optional<v1::Reminder>>> LoadRemindersById(
      absl::string_view couple_id, const std::vector<std::string>& ids);

  // Batches, for the dispatcher: many couples in a fixed number of round
  // trips, whatever the batch's size.
  //
  // ReadCouples() answers every CoupleReads in order, in one round trip (two
  // when a plan window is asked for). WriteCouples() saves every
  // CoupleWrites in one round trip; the writes are not atomic together, and
  // each one is idempotent.
  absl::StatusOr<std::vector<CoupleData>> ReadCouples(
      const std::vector<CoupleReads>& reads);
  absl::Status WriteCouples(const std::vector<CoupleWrites>& writes);
  // FindReminders()
  //
  // The records whose summary `wanted` accepts: one read of the couple's
  // summaries (a few dozen bytes each) and one of the records that match.
  // When some records have no summary (saved before summaries existed),
  // every record is read and summarized instead.
  absl::StatusOr<std::vector<v1::Reminder>> FindReminders(
      absl::string_view couple_id,
      const std::function<bool(const RecordSummary&)>& wanted);
  // LoadPlanInputs(): one couple's PlanInputs for records due in [from, to).
  absl::StatusOr<PlanInputs> LoadPlanInputs(absl::string_view couple_id,
                                            absl::Time from, absl::Time to);

  // Ticks: the queue ids of each ritual's pending ticks and resumes, so a
  // change to the ritual can cancel them.
  absl::Status SaveTicks(absl::string_view couple_id,
                         const std::vector<engine::QueuedReminder>& queued);
  // Returns and forgets the pending tick ids of one ritual.
  absl::StatusOr<std::vector<std::string>> TakeTicks(
      absl::string_view couple_id, absl::string_view ritual_id);

  // Occurrence outcomes, for streaks. SetOutcome overwrites; AddOutcome
  // only sets an absent one and says whether it did.
  absl::StatusOr<bool> AddOutcome(absl::string_view couple_id,
                                  absl::string_view key,
                                  absl::string_view outcome);
  absl::Status SetOutcome(absl::string_view couple_id, absl::string_view key,
                          absl::string_view outcome);
  absl::StatusOr<std::string> Outcome(absl::string_view couple_id,
                                      absl::string_view key);

  // JSON documents: streaks, check-ins, cadence memory.
  absl::StatusOr<std::map<std::string, nlohmann::json>> Streaks(
      absl::string_view couple_id);
  absl::Status SaveStreak(absl::string_view couple_id, absl::string_view key,
                          const nlohmann::json& streak);
  absl::Status AddCheckIn(absl::string_view couple_id,
                          const nlohmann::json& check_in);
  absl::StatusOr<std::vector<nlohmann::json>> CheckIns(
      absl::string_view couple_id);
  absl::StatusOr<std::optional<nlohmann::json>> Cadence(
      absl::string_view couple_id);
  absl::Status SaveCadence(absl::string_view couple_id,
                           const nlohmann::json& cadence);
  absl::StatusOr<std::optional<int>> ConnectionScore(
      absl::string_view couple_id);
  absl::Status SaveConnectionScore(absl::string_view couple_id, int score);

  // Devices: one person's, with their tokens. LoadDevices() fills in each
  // device's last_delivery_time.
  absl::StatusOr<std::vector<v1::Device>> LoadDevices(
      absl::string_view couple_id, absl::string_view user_id);
  absl::StatusOr<std::optional<v1::Device>> LoadDevice(
      absl::string_view couple_id, absl::string_view user_id,
      absl::string_view device_id);
  // Stores `device` under `device_id`, and removes `evict_id` (the oldest
  // device, to stay within the cap) when it is not empty.
  absl::Status SaveDevice(absl::string_view couple_id,
                          absl::string_view user_id,
                          absl::string_view device_id, const v1::Device& device,
                          absl::string_view evict_id);
  // Returns whether the device was there.
  absl::StatusOr<bool> RemoveDevice(absl::string_view couple_id,
                                    absl::string_view user_id,
                                    absl::string_view device_id);
  absl::Status MarkDeviceReached(absl::string_view couple_id,
                                 absl::string_view user_id,
                                 absl::string_view device_id, absl::Time at);
  // The key prefix of the person's RequestLog (services/common).
  static std::string RequestLogPrefix(absl::string_view couple_id);

  // Delivery attempts of one reminder.
  //
  // RecordDelivery() appends `delivery` (its name is assigned here), and
  // when `settled_device` is not empty marks that device settled for
  // `delivery_key` with `settled_as` ("delivered" or "rejected"). Returns
  // the attempt's name.
  absl::StatusOr<std::string> RecordDelivery(absl::string_view couple_id,
                                             absl::string_view reminder_id,
                                             const v1::Delivery& delivery,
                                             absl::string_view delivery_key,
                                             absl::string_view settled_device,
                                             absl::string_view settled_as);
  // Every kept attempt, oldest first, names filled in.
  absl::StatusOr<std::vector<v1::Delivery>> LoadDeliveries(
      absl::string_view couple_id, absl::string_view reminder_id);
  // The devices settled for `delivery_key`.
  absl::StatusOr<absl::flat_hash_set<std::string>> SettledDevices(
      absl::string_view couple_id, absl::string_view reminder_id,
      absl::string_view delivery_key);

  // Epochs: a counter per couple that moves whenever pairing reports a
  // change (profiles, membership), so every replica's cached copy of the
  // couple can be checked with one read. Epochs() answers in order, one
  // round trip for all.
  absl::Status BumpEpoch(absl::string_view couple_id);
  absl::StatusOr<std::vector<int64_t>> Epochs(
      const std::vector<std::string>& couple_ids);

  // EraseCouple()
  //
  // Deletes every record of the couple, devices and delivery records
  // included, in one step. Returns how many keys went.
  absl::StatusOr<int> EraseCouple(absl::string_view couple_id);

 private:
  engine::RedisClient* const redis_;
  const absl::Duration retention_;
};

}  // namespace tend::scheduler

#endif  // TEND_SERVICES_SCHEDULER_SCHEDULER_STORE_H_
