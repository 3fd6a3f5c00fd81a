#include "services/scheduler/dispatcher.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/str_cat.h"
#include "engine/base/log.h"
#include "engine/base/status_macros.h"
#include "services/scheduler/convert.h"
#include "services/scheduler/scheduler_internal.h"
#include "services/scheduler/scheduler_metrics.h"

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

struct Dispatcher::Job {
  const engine::ClaimedReminder* item = nullptr;
  absl::StatusOr<QueueItem> decoded;
  // The item's couple, when it is still the couple the item was queued for;
  // null means there is nothing to do (or `status` says why not).
  const pairing::v1::Couple* couple = nullptr;
  absl::Status status;
};

void Dispatcher::Work() {
  while (running_.load()) {
    absl::Duration idle_for = options_.idle_wait;
    absl::StatusOr<int> done = RunBatch(&idle_for);
    if (!done.ok()) {
      Log(LogLevel::kWarning, "dispatch.failed",
          {{"code", absl::StatusCodeToString(done.status().code())}});
    }
    if (!done.ok() || *done == 0) {
      // Polling pace for an idle queue: real time, not business time.
      absl::SleepFor(idle_for);
    }
  }
}

absl::StatusOr<int> Dispatcher::RunOnce() {
  absl::Duration ignored;
  return RunBatch(&ignored);
}

absl::Status Dispatcher::Send(const pairing::v1::Couple& couple,
                              const engine::Couple& people,
                              v1::Reminder reminder,
                              const std::optional<RecordSummary>& record,
                              const std::optional<v1::Ritual>& ritual,
                              int attempts, std::optional<v1::Reminder>* save,
                              std::vector<engine::QueuedReminder>* next) {
  const absl::Time now = clock_->Now();
  if (record.has_value()) {
    const v1::ReminderState state = record->state;
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
    *save = std::move(reminder);
    return absl::OkStatus();
  }
  if (!ritual.has_value()) return absl::OkStatus();  // deleted since
  // Quiet hours are judged again now; only a reminder inside them pays for
  // HoldForQuietHours's writes.
  if (internal::QuietHoursAt(people, reminder.recipient_user_id(), now)
          .has_value()) {
    TEND_ASSIGN_OR_RETURN(SendTimeHold hold,
                          scheduler_->HoldForQuietHours(couple, reminder, now));
    if (hold.held) {
      if (hold.requeue.has_value()) next->push_back(*std::move(hold.requeue));
      return absl::OkStatus();
    }
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
  *save = std::move(reminder);
  return absl::OkStatus();
}

void Dispatcher::SendAll(std::vector<Job>& jobs,
                         std::vector<engine::QueuedReminder>* next) {
  // Per couple: its reminders' records and rituals, asked in one read.
  struct Group {
    std::vector<size_t> jobs;
    absl::StatusOr<engine::Couple> people;
  };
  std::vector<CoupleReads> reads;
  std::vector<Group> groups;
  absl::flat_hash_map<std::string, size_t> by_couple;
  for (size_t i = 0; i < jobs.size(); ++i) {
    Job& job = jobs[i];
    if (job.couple == nullptr || !job.decoded->reminder) continue;
    const v1::Reminder& r = *job.decoded->reminder;
    auto [it, added] =
        by_couple.try_emplace(job.item->reminder.couple_id, reads.size());
    if (added) {
      reads.push_back({});
      reads.back().couple_id = job.item->reminder.couple_id;
      groups.push_back({{}, ToEngineCouple(*job.couple)});
    }
    reads[it->second].reminder_ids.push_back(ReminderId(r));
    reads[it->second].ritual_ids.push_back(internal::LastSegment(r.ritual()));
    groups[it->second].jobs.push_back(i);
  }
  if (reads.empty()) return;
  absl::StatusOr<std::vector<CoupleData>> data =
      scheduler_->store()->ReadCouples(reads);
  std::vector<CoupleWrites> writes(reads.size());
  // Which jobs wait on `writes`: they fail with it.
  std::vector<size_t> writing;
  for (size_t k = 0; k < groups.size(); ++k) {
    writes[k].couple_id = reads[k].couple_id;
    // A reminder is recorded at the due time it was queued with (a move
    // for quiet hours is saved, reindexed, by HoldForQuietHours).
    writes[k].reindex = false;
    for (size_t n = 0; n < groups[k].jobs.size(); ++n) {
      Job& job = jobs[groups[k].jobs[n]];
      if (!data.ok()) {
        job.status = data.status();
        continue;
      }
      if (!groups[k].people.ok()) {
        job.status = groups[k].people.status();
        continue;
      }
      if (!(*data)[k].rituals[n].ok()) {
        job.status = (*data)[k].rituals[n].status();
        continue;
      }
      std::optional<v1::Reminder> save;
      job.status = Send(*job.couple, *groups[k].people, *job.decoded->reminder,
                        (*data)[k].reminders[n], *(*data)[k].rituals[n],
                        job.item->attempts, &save, next);
      if (job.status.ok() && save.has_value()) {
        writes[k].reminders.push_back(*std::move(save));
        writing.push_back(groups[k].jobs[n]);
      }
    }
  }
  // Sent (or found stale) but not recorded: nacked, and sent again later
  // under the same id.
  const absl::Status written = scheduler_->store()->WriteCouples(writes);
  if (!written.ok()) {
    for (size_t i : writing) jobs[i].status = written;
  }
  // Each couple's records just written are history from now on: a sweep
  // takes them once they are past the retention.
  const absl::Duration retention = scheduler_->store()->retention();
  absl::MutexLock lock(&sweeps_mu_);
  for (const CoupleWrites& w : writes) {
    if (w.reminders.empty()) continue;
    absl::Time latest = absl::InfinitePast();
    for (const v1::Reminder& r : w.reminders) {
      latest = std::max(latest, FromProto(r.due_time()));
    }
    engine::QueuedReminder sweep = SweepItem(w.couple_id, latest, retention);
    if (!sweeps_queued_.contains(sweep.id)) next->push_back(std::move(sweep));
  }
}

void Dispatcher::SweepAll(std::vector<Job>& jobs,
                          std::vector<engine::QueuedReminder>* next) {
  std::vector<CoupleReads> reads;
  std::vector<std::vector<size_t>> of;
  absl::flat_hash_map<std::string, size_t> by_couple;
  const absl::Time now = clock_->Now();
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (!jobs[i].decoded.ok() || !jobs[i].decoded->sweep) continue;
    const std::string& couple_id = jobs[i].item->reminder.couple_id;
    auto [it, added] = by_couple.try_emplace(couple_id, reads.size());
    if (added) {
      reads.push_back({});
      reads.back().couple_id = couple_id;
      reads.back().expired_before = now - scheduler_->store()->retention();
      of.push_back({});
    }
    of[it->second].push_back(i);
  }
  if (reads.empty()) return;
  absl::StatusOr<std::vector<CoupleData>> data =
      scheduler_->store()->ReadCouples(reads);
  absl::Status status = data.status();
  if (status.ok()) {
    std::vector<CoupleWrites> writes(reads.size());
    for (size_t k = 0; k < reads.size(); ++k) {
      writes[k].couple_id = reads[k].couple_id;
      writes[k].forget = std::move((*data)[k].expired_ids);
      if (writes[k].forget.size() >= CoupleReads::kTrimPerRead) {
        next->push_back(SweepNow(reads[k].couple_id, now));
      }
    }
    status = scheduler_->store()->WriteCouples(writes);
  }
  for (const std::vector<size_t>& couple_jobs : of) {
    for (size_t i : couple_jobs) jobs[i].status = status;
  }
}

void Dispatcher::PlanAll(std::vector<Job>& jobs,
                         std::vector<engine::QueuedReminder>* next) {
  std::vector<Scheduler::TickJob> ticks;
  std::vector<size_t> of;
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (jobs[i].couple == nullptr || !jobs[i].decoded->tick) continue;
    ticks.push_back({jobs[i].couple, &*jobs[i].decoded->tick});
    of.push_back(i);
  }
  if (ticks.empty()) return;
  std::vector<absl::StatusOr<PlannedItems>> planned =
      scheduler_->SettleAndPlanBatch(ticks);
  for (size_t t = 0; t < planned.size(); ++t) {
    jobs[of[t]].status = planned[t].status();
    if (planned[t].ok()) {
      next->insert(next->end(), planned[t]->queued.begin(),
                   planned[t]->queued.end());
    }
  }
}

absl::StatusOr<int> Dispatcher::RunBatch(absl::Duration* idle_for) {
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
      engine::ClaimBatch batch,
      queue_->ClaimWithNextDue(options_.worker_id, options_.batch, now));
  if (batch.next_due.has_value()) {
    // Wake when the next item falls due (by the queue's clock), within
    // idle_wait.
    *idle_for = std::clamp(*batch.next_due - batch.now, absl::Milliseconds(1),
                           options_.idle_wait);
  }
  const std::vector<engine::ClaimedReminder>& claimed = batch.claimed;
  // Decode every item, then find its couple: one read of the couples'
  // epochs, and the directory asked once per person, trusting its copy for
  // as long as the couple's epoch has not moved.
  std::vector<Job> jobs(claimed.size());
  std::vector<std::string> couple_ids;
  absl::flat_hash_map<std::string, std::string> version_of;
  for (size_t i = 0; i < claimed.size(); ++i) {
    Job& job = jobs[i];
    job.item = &claimed[i];
    job.decoded = DecodeItem(claimed[i].reminder.payload);
    job.status = job.decoded.status();
    // A sweep needs no couple from pairing, only the id it was queued with.
    if (!job.status.ok() || job.decoded->sweep) continue;
    if (version_of.try_emplace(claimed[i].reminder.couple_id).second) {
      couple_ids.push_back(claimed[i].reminder.couple_id);
    }
  }
  // Without epochs (Redis hiccup) the directory's short TTL applies.
  if (absl::StatusOr<std::vector<int64_t>> epochs =
          scheduler_->store()->Epochs(couple_ids);
      epochs.ok()) {
    for (size_t k = 0; k < couple_ids.size(); ++k) {
      version_of[couple_ids[k]] = absl::StrCat(couple_ids[k], ":", (*epochs)[k]);
    }
  }
  absl::node_hash_map<std::string, absl::StatusOr<services::CoupleRef>> couples;
  for (size_t i = 0; i < claimed.size(); ++i) {
    Job& job = jobs[i];
    if (!job.status.ok() || job.decoded->sweep) continue;
    const std::string& user = job.decoded->reminder
                                  ? job.decoded->reminder->recipient_user_id()
                              : job.decoded->tick ? job.decoded->tick->user_id
                                                  : job.decoded->resume_user_id;
    auto it = couples.find(user);
    if (it == couples.end()) {
      const std::string& version = version_of[claimed[i].reminder.couple_id];
      it = couples
               .emplace(user,
                        version.empty()
                            ? scheduler_->directory()->ForUser(user)
                            : scheduler_->directory()->ForUser(user, version))
               .first;
    }
    const absl::StatusOr<services::CoupleRef>& couple = it->second;
    if (absl::IsNotFound(couple.status())) {
      continue;  // unpaired since: nothing to send
    } else if (!couple.ok()) {
      job.status = couple.status();
    } else if (CoupleId(**couple) == claimed[i].reminder.couple_id) {
      job.couple = couple->get();
    }  // else paired with someone else since: nothing to send
  }
  std::vector<engine::QueuedReminder> next;
  SendAll(jobs, &next);
  PlanAll(jobs, &next);
  SweepAll(jobs, &next);
  for (Job& job : jobs) {
    if (job.couple != nullptr && job.decoded->resume_ritual_id) {
      job.status =
          scheduler_->ResumeAtTime(*job.couple, *job.decoded->resume_ritual_id);
    }
  }
  std::vector<engine::ClaimedReminder> completed;
  for (const Job& job : jobs) {
    const engine::ClaimedReminder& item = *job.item;
    if (job.status.ok()) {
      completed.push_back(item);
      continue;
    }
    // Every failure is retried with backoff and then dead-lettered where an
    // operator can see and retry it; nothing is dropped silently.
    absl::StatusOr<engine::NackOutcome> nacked =
        queue_->Nack(item, job.status.message(), RetryAfterOf(job.status), now);
    if (nacked.ok() && *nacked == engine::NackOutcome::kRetrying) {
      RecordRetry();
    }
    if (nacked.ok() && *nacked == engine::NackOutcome::kDeadLettered) {
      RecordDeadLetter();
      if (job.decoded.ok() && job.decoded->reminder) {
        (void)scheduler_->MarkDeadLettered(
            item.reminder.couple_id, *job.decoded->reminder, item.attempts + 1);
      }
      Log(LogLevel::kWarning, "dispatch.dead_lettered",
          {{"couple", item.reminder.couple_id},
           {"code", absl::StatusCodeToString(job.status.code())}});
    }
  }
  if (!completed.empty() || !next.empty()) {
    TEND_RETURN_IF_ERROR(queue_->Complete(completed, next).status());
  }
  absl::MutexLock lock(&sweeps_mu_);
  if (sweeps_queued_.size() > 65536) sweeps_queued_.clear();
  for (const engine::QueuedReminder& q : next) {
    if (q.payload == kSweepPayload) sweeps_queued_.insert(q.id);
  }
  return static_cast<int>(claimed.size());
}

}  // namespace tend::scheduler
