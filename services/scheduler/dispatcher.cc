#include "services/scheduler/dispatcher.h"

#include "absl/strings/str_cat.h"
#include "engine/base/log.h"
#include "engine/base/status_macros.h"
#include "services/scheduler/convert.h"
#include "services/scheduler/scheduler_metrics.h"
#include "services/scheduler/scheduler_internal.h"

namespace tend::scheduler {

absl::Status RitualTextContent::Fill(const v1::Ritual& ritual,
                                     v1::Reminder* reminder) {
  type::v1::ReminderContent* content = reminder->mutable_content();
  content->set_title(ritual.title());
  content->set_body(ritual.description().empty()
                        ? "A small moment for the two of you."
                        : ritual.description());
  return absl::OkStatus();
}

Dispatcher::Dispatcher(engine::DueQueue* queue, Scheduler* scheduler,
                       std::vector<DeliverySink*> sinks,
                       ContentSource* content, const engine::Clock* clock,
                       DispatcherOptions options)
    : queue_(queue),
      scheduler_(scheduler),
      sinks_(std::move(sinks)),
      content_(content),
      clock_(clock),
      options_(std::move(options)) {}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  running_ = true;
  for (int i = 0; i < options_.threads; ++i) {
    threads_.emplace_back([this] { Work(); });
  }
}

void Dispatcher::Stop() {
  running_ = false;
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

void Dispatcher::Work() {
  while (running_.load()) {
    absl::StatusOr<int> done = RunOnce();
    if (!done.ok()) {
      Log(LogLevel::kWarning, "dispatch.failed",
          {{"code", absl::StatusCodeToString(done.status().code())}});
    }
    if (!done.ok() || *done == 0) {
      // Polling pace for an idle queue: real time, not business time.
      absl::SleepFor(options_.idle_wait);
    }
  }
}

absl::Status Dispatcher::Send(const pairing::v1::Couple& couple,
                              v1::Reminder reminder, int attempts,
                              std::vector<engine::QueuedReminder>* next) {
  const std::string couple_id = CoupleId(couple);
  const std::string id = ReminderId(reminder);
  const absl::Time now = clock_->Now();
  TEND_ASSIGN_OR_RETURN(std::optional<v1::Reminder> record,
                        scheduler_->store()->LoadReminder(couple_id, id));
  if (record.has_value()) {
    const auto state = record->state();
    if (state == v1::REMINDER_STATE_DONE ||
        state == v1::REMINDER_STATE_SKIPPED ||
        state == v1::REMINDER_STATE_CANCELLED ||
        (state == v1::REMINDER_STATE_DROPPED)) {
      return absl::OkStatus();  // answered or withdrawn since it was queued
    }
  }
  if (reminder.has_expire_time() && FromProto(reminder.expire_time()) < now) {
    // Too late to be useful; showing it now would only nag.
    reminder.set_state(v1::REMINDER_STATE_MISSED);
    v1::ScheduleAdjustment* a = reminder.add_adjustments();
    a->set_action(v1::ADJUSTMENT_ACTION_DROPPED);
    *a->mutable_original_time() = reminder.due_time();
    a->set_explanation("Not sent: by the time it could go out, it was stale.");
    return scheduler_->store()->SaveReminders(couple_id, {reminder});
  }
  TEND_ASSIGN_OR_RETURN(
      std::optional<v1::Ritual> ritual,
      scheduler_->store()->LoadRitual(couple_id,
                                      internal::LastSegment(reminder.ritual())));
  if (!ritual.has_value()) return absl::OkStatus();  // deleted since
  TEND_ASSIGN_OR_RETURN(SendTimeHold hold,
                        scheduler_->HoldForQuietHours(couple, reminder, now));
  if (hold.held) {
    if (hold.requeue.has_value()) next->push_back(*std::move(hold.requeue));
    return absl::OkStatus();
  }
  if (!reminder.has_content()) {
    if (!content_->Fill(*ritual, &reminder).ok()) {
      // Never lose a reminder for want of words: fall back to the ritual's.
      RitualTextContent fallback;
      TEND_RETURN_IF_ERROR(fallback.Fill(*ritual, &reminder));
    }
  }
  reminder.set_attempt_count(attempts + 1);
  TEND_RETURN_IF_ERROR(DeliverToAll(sinks_, reminder));
  RecordLateness(clock_->Now() - FromProto(reminder.due_time()));
  reminder.set_state(v1::REMINDER_STATE_DELIVERED);
  return scheduler_->store()->SaveReminders(couple_id, {reminder});
}

absl::StatusOr<int> Dispatcher::RunOnce() {
  std::optional<absl::Time> now;
  if (options_.queue_uses_clock) now = clock_->Now();
  {
    // Take back what dead workers held, about once a second per worker.
    const absl::Time real_now = absl::Now();
    absl::MutexLock lock(&recovery_mu_);
    if (real_now - last_recovery_ >= absl::Seconds(1)) {
      last_recovery_ = real_now;
      absl::StatusOr<int> recovered = queue_->RecoverExpiredLeases(now);
      if (recovered.ok()) RecordLeaseRecoveries(*recovered);
    }
  }
  TEND_ASSIGN_OR_RETURN(
      std::vector<engine::ClaimedReminder> claimed,
      queue_->Claim(options_.worker_id, options_.batch, now));
  std::vector<engine::ClaimedReminder> completed;
  std::vector<engine::QueuedReminder> next;
  for (const engine::ClaimedReminder& item : claimed) {
    absl::StatusOr<QueueItem> decoded = DecodeItem(item.reminder.payload);
    absl::Status status = decoded.status();
    if (status.ok()) {
      const std::string user =
          decoded->reminder ? decoded->reminder->recipient_user_id()
          : decoded->tick   ? decoded->tick->user_id
                            : decoded->resume_user_id;
      absl::StatusOr<pairing::v1::Couple> couple =
          scheduler_->directory()->ForUser(user);
      if (absl::IsNotFound(couple.status())) {
        status = absl::OkStatus();  // unpaired since: nothing to send
      } else if (!couple.ok()) {
        status = couple.status();
      } else if (CoupleId(*couple) != item.reminder.couple_id) {
        status = absl::OkStatus();  // paired with someone else since
      } else if (decoded->reminder) {
        status = Send(*couple, *decoded->reminder, item.attempts, &next);
      } else if (decoded->tick) {
        absl::StatusOr<PlannedItems> planned =
            scheduler_->SettleAndPlan(*couple, *decoded->tick);
        status = planned.status();
        if (planned.ok()) {
          status = scheduler_->store()->SaveTicks(item.reminder.couple_id,
                                                  planned->queued);
          next.insert(next.end(), planned->queued.begin(),
                      planned->queued.end());
        }
      } else if (decoded->resume_ritual_id) {
        status = scheduler_->ResumeAtTime(*couple, *decoded->resume_ritual_id);
      }
    }
    if (status.ok()) {
      completed.push_back(item);
      continue;
    }
    // Every failure is retried with backoff and then dead-lettered where an
    // operator can see and retry it; nothing is dropped silently.
    absl::StatusOr<engine::NackOutcome> nacked =
        queue_->Nack(item, status.message(), RetryAfterOf(status), now);
    if (nacked.ok() && *nacked == engine::NackOutcome::kRetrying) {
      RecordRetry();
    }
    if (nacked.ok() && *nacked == engine::NackOutcome::kDeadLettered) {
      RecordDeadLetter();
      if (decoded.ok() && decoded->reminder) {
        (void)scheduler_->MarkDeadLettered(
            item.reminder.couple_id, *decoded->reminder, item.attempts + 1);
      }
      Log(LogLevel::kWarning, "dispatch.dead_lettered",
          {{"couple", item.reminder.couple_id},
           {"code", absl::StatusCodeToString(status.code())}});
    }
  }
  if (!completed.empty() || !next.empty()) {
    TEND_RETURN_IF_ERROR(queue_->Complete(completed, next).status());
  }
  return static_cast<int>(claimed.size());
}

}  // namespace tend::scheduler
