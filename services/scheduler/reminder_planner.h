// ReminderPlanner: from a couple's rituals to queued reminders.
//
// The scheduler plans one occurrence ahead per ritual stream (a shared
// ritual, or one participant of a personal ritual). Each planned occurrence
// puts two kinds of items on the due queue, both with ids derived from the
// occurrence key so planning twice stores one:
//
//   - a reminder per recipient and lead time ("R" payload: the Reminder);
//   - a tick at the occurrence's start ("T" payload). When the tick is
//     claimed, the dispatcher settles the previous occurrence (streaks,
//     check-in outcomes) and plans the next one, acking the tick and queuing
//     the next items in one atomic step. The chain of ticks keeps every
//     ritual going even when all of an occurrence's reminders were dropped
//     (quiet hours, budget), and a worker killed mid-way loses nothing.
#ifndef TEND_SERVICES_SCHEDULER_REMINDER_PLANNER_H_
#define TEND_SERVICES_SCHEDULER_REMINDER_PLANNER_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/plan/planner.h"
#include "engine/queue/due_queue.h"
#include "engine/time/clock.h"
#include "services/scheduler/scheduler_store.h"
#include "tend/pairing/v1/pairing.pb.h"
#include "tend/scheduler/v1/scheduler.pb.h"

namespace tend::scheduler {

// Tick
//
// The queue item at an occurrence's start that plans the next occurrence.
// It remembers the occurrence before it, which it settles.
struct Tick {
  std::string ritual_id;
  std::string participant_id;  // empty for a shared ritual
  int64_t index = 0;
  absl::Time start;
  std::optional<absl::Time> previous_start;
  // A partner of the couple, to look the couple up by.
  std::string user_id;
};

// QueueItem
//
// A decoded queue payload: a reminder to deliver, a tick, a paused ritual
// to resume, or a sweep of the couple's history past its retention.
struct QueueItem {
  std::optional<v1::Reminder> reminder;
  std::optional<Tick> tick;
  std::optional<std::string> resume_ritual_id;
  std::string resume_user_id;
  bool sweep = false;
};

// EncodeReminder(), EncodeTick(), EncodeResume(), DecodeItem()
//
// The queue payload formats: "R" + Reminder bytes, "T" + JSON tick,
// "U" + ritual id + "|" + a partner's user id, "W" for a sweep.
std::string EncodeReminder(const v1::Reminder& reminder);
std::string EncodeTick(const Tick& tick);
std::string EncodeResume(absl::string_view ritual_id,
                         absl::string_view user_id);
absl::StatusOr<QueueItem> DecodeItem(absl::string_view payload);

// kSweepPayload
//
// The payload of every sweep: the couple is the queue item's own.
inline constexpr absl::string_view kSweepPayload = "W";

// SweepItem()
//
// The queue item that trims the couple's records due more than `retention`
// before it runs, for a record due at `due`. Time is cut in slots of
// max(retention / 4, 1 minute); the sweep runs at the end of the slot that
// due + retention falls in, and its id names the slot, so every record of
// the couple in one slot asks for one sweep. A record is therefore kept at
// least `retention` and at most 1.25 times as long (or a minute longer).
engine::QueuedReminder SweepItem(absl::string_view couple_id, absl::Time due,
                                 absl::Duration retention);

// SweepNow()
//
// A sweep of the couple due `now`, for one that found more to forget than
// a read returns.
engine::QueuedReminder SweepNow(absl::string_view couple_id, absl::Time now);

// IsTickId()
//
// Whether a queue id is a tick's.
inline bool IsTickId(absl::string_view id) {
  return id.substr(0, 5) == "tick.";
}

// ReminderId()
//
// The id part of a reminder's name, "couples/{c}/reminders/{id}".
std::string ReminderId(const v1::Reminder& reminder);

// PlannedItems
//
// What planning produced: records to keep and items to queue.
struct PlannedItems {
  std::vector<engine::QueuedReminder> queued;
  std::vector<v1::Reminder> records;
};

// IsOpenRecord()
//
// Whether re-planning may overwrite a reminder record: absent, or not sent
// nor answered yet (scheduled, dropped or cancelled).
bool IsOpenRecord(const std::optional<RecordSummary>& record);

// PlanWindow()
//
// The records planning from `after` looks at, by due time: [first, second).
std::pair<absl::Time, absl::Time> PlanWindow(absl::Time after);

// ReminderPlanner
//
// Thread-safe.
class ReminderPlanner {
 public:
  ReminderPlanner(SchedulerStore* store, const engine::Clock* clock)
      : store_(store), clock_(clock) {}

  // PlanNext()
  //
  // Plans the next occurrence after `after` of every ACTIVE ritual in
  // `rituals` (past `cursors`), saves the reminder records, and returns the
  // items to queue. The caller queues them (DueQueue::Schedule, or
  // DueQueue::Complete together with the tick it acks).
  absl::StatusOr<PlannedItems> PlanNext(
      const pairing::v1::Couple& couple, const std::vector<v1::Ritual>& rituals,
      absl::Time after, const std::vector<engine::StreamCursor>& cursors);

  // Draft() / DropSettled()
  //
  // PlanNext() in steps, for a batch of ticks whose reads and writes are
  // shared (Scheduler::SettleAndPlanBatch): Draft() plans in memory from
  // `inputs` (whose `nearby` must cover PlanWindow(after)) and adds its
  // drafts to `inputs->nearby`, so a later draft for the same couple sees
  // them. DropSettled() then removes the drafts whose record (`existing`,
  // in the order of `items->records`) was already sent or answered; the
  // caller saves what remains and queues `items->queued`.
  absl::StatusOr<PlannedItems> Draft(
      const pairing::v1::Couple& couple, const std::vector<v1::Ritual>& rituals,
      absl::Time after, const std::vector<engine::StreamCursor>& cursors,
      PlanInputs* inputs);
  static void DropSettled(
      const std::vector<std::optional<RecordSummary>>& existing,
      PlannedItems* items);

  // CheckInInterval()
  //
  // The cadence model's current interval for the couple's check-ins, in
  // days; 7 when it has not spoken yet.
  absl::StatusOr<int> CheckInInterval(absl::string_view couple_id);

  // ToEngineRituals()
  //
  // The ACTIVE rituals of `rituals` as the planner sees them, with the
  // couple's agreed skips. Shared by planning and previews.
  absl::StatusOr<std::vector<engine::Ritual>> ToEngineRituals(
      absl::string_view couple_id, const std::vector<v1::Ritual>& rituals,
      bool include_proposed);
  // The same from inputs already read.
  static absl::StatusOr<std::vector<engine::Ritual>> ToEngineRituals(
      const std::vector<v1::Ritual>& rituals, bool include_proposed,
      const PlanInputs& inputs);

 private:
  SchedulerStore* const store_;
  const engine::Clock* const clock_;
};

}  // namespace tend::scheduler

#endif  // TEND_SERVICES_SCHEDULER_REMINDER_PLANNER_H_
