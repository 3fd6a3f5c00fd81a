// Scheduler: the scheduler service's business logic, without gRPC.
//
// Rituals are agreed, not imposed: one partner proposes a ritual (or a
// change to one) and it becomes active when the other accepts. Active
// rituals are planned one occurrence ahead onto the due queue (see
// reminder_planner.h); the dispatcher delivers what falls due. Answers to
// reminders feed streaks and the adaptive cadence.
//
// Each method takes the authenticated caller and the request. A couple's
// resources are visible to its two members only; anyone else is answered
// NOT_FOUND. Service-to-service methods need a service caller.
//
//   Scheduler scheduler(&store, &queue, &directory, &clock);
//   absl::StatusOr<v1::Ritual> r = scheduler.CreateRitual(alice, request);
#ifndef TEND_SERVICES_SCHEDULER_SCHEDULER_H_
#define TEND_SERVICES_SCHEDULER_SCHEDULER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/queue/due_queue.h"
#include "engine/time/clock.h"
#include "services/common/auth.h"
#include "services/scheduler/couple_directory.h"
#include "services/scheduler/reminder_planner.h"
#include "services/scheduler/scheduler_store.h"
#include "tend/scheduler/v1/scheduler.pb.h"

namespace tend::scheduler {

using services::Caller;

// Scheduler
//
// Thread-safe.
class Scheduler {
 public:
  Scheduler(SchedulerStore* store, engine::DueQueue* queue,
            CoupleDirectory* directory, const engine::Clock* clock);

  // Rituals.
  absl::StatusOr<v1::Ritual> CreateRitual(const Caller& caller,
                                          const v1::CreateRitualRequest& req);
  absl::StatusOr<v1::Ritual> GetRitual(const Caller& caller,
                                       const v1::GetRitualRequest& req);
  absl::StatusOr<v1::ListRitualsResponse> ListRituals(
      const Caller& caller, const v1::ListRitualsRequest& req);
  absl::StatusOr<v1::Ritual> UpdateRitual(const Caller& caller,
                                          const v1::UpdateRitualRequest& req);
  absl::StatusOr<google::protobuf::Empty> DeleteRitual(
      const Caller& caller, const v1::DeleteRitualRequest& req);
  absl::StatusOr<v1::Ritual> AcceptRitual(const Caller& caller,
                                          const v1::AcceptRitualRequest& req);
  absl::StatusOr<v1::BatchAcceptRitualsResponse> BatchAcceptRituals(
      const Caller& caller, const v1::BatchAcceptRitualsRequest& req);
  absl::StatusOr<v1::Ritual> DeclineRitual(const Caller& caller,
                                           const v1::DeclineRitualRequest& req);
  absl::StatusOr<v1::Ritual> PauseRitual(const Caller& caller,
                                         const v1::PauseRitualRequest& req);
  absl::StatusOr<v1::Ritual> ResumeRitual(const Caller& caller,
                                          const v1::ResumeRitualRequest& req);
  absl::StatusOr<v1::Occurrence> SkipOccurrence(
      const Caller& caller, const v1::SkipOccurrenceRequest& req);

  // Templates, previews and calendars.
  absl::StatusOr<v1::RitualTemplate> GetRitualTemplate(
      const Caller& caller, const v1::GetRitualTemplateRequest& req);
  absl::StatusOr<v1::ListRitualTemplatesResponse> ListRitualTemplates(
      const Caller& caller, const v1::ListRitualTemplatesRequest& req);
  absl::StatusOr<v1::PreviewScheduleResponse> PreviewSchedule(
      const Caller& caller, const v1::PreviewScheduleRequest& req);
  absl::StatusOr<v1::ExportCalendarResponse> ExportCalendar(
      const Caller& caller, const v1::ExportCalendarRequest& req);

  // Reminders, answers, streaks and cadence.
  absl::StatusOr<v1::Reminder> GetReminder(const Caller& caller,
                                           const v1::GetReminderRequest& req);
  absl::StatusOr<v1::ListRemindersResponse> ListReminders(
      const Caller& caller, const v1::ListRemindersRequest& req);
  absl::StatusOr<v1::Reminder> AcknowledgeReminder(
      const Caller& caller, const v1::AcknowledgeReminderRequest& req);
  absl::StatusOr<v1::Streaks> GetStreaks(const Caller& caller,
                                         const v1::GetStreaksRequest& req);
  absl::StatusOr<v1::Cadence> GetCadence(const Caller& caller,
                                         const v1::GetCadenceRequest& req);
  absl::StatusOr<v1::Cadence> RecordConnectionScore(
      const Caller& caller, const v1::RecordConnectionScoreRequest& req);

  // Service-to-service, from pairing.
  absl::StatusOr<v1::SeedDefaultRitualsResponse> SeedDefaultRituals(
      const Caller& caller, const v1::SeedDefaultRitualsRequest& req);
  absl::StatusOr<v1::CancelCoupleScheduleResponse> CancelCoupleSchedule(
      const Caller& caller, const v1::CancelCoupleScheduleRequest& req);
  absl::StatusOr<v1::RescheduleCoupleResponse> RescheduleCouple(
      const Caller& caller, const v1::RescheduleCoupleRequest& req);

  // The dispatcher's hooks.
  //
  // SettleAndPlan() runs when an occurrence's tick falls due: it settles the
  // occurrence before it (streaks, check-in outcomes, cadence) and returns
  // the next occurrence's items to queue.
  absl::StatusOr<PlannedItems> SettleAndPlan(const pairing::v1::Couple& couple,
                                             const Tick& tick);
  // ResumeAtTime() resumes a paused ritual whose resume time has come.
  absl::Status ResumeAtTime(const pairing::v1::Couple& couple,
                            const std::string& ritual_id);

  CoupleDirectory* directory() { return directory_; }
  SchedulerStore* store() { return store_; }

 private:
  struct Scope {
    pairing::v1::Couple couple;
    std::string couple_id;
  };
  // The caller's couple; NOT_FOUND unless `name` (a couple, or a resource
  // under it) is theirs. An empty `name` means the caller's own couple.
  absl::StatusOr<Scope> ScopeFor(const Caller& caller, absl::string_view name);
  absl::StatusOr<std::pair<Scope, v1::Ritual>> LoadRitualFor(
      const Caller& caller, absl::string_view name);
  // Plans the next occurrence of `rituals` from now and queues it.
  absl::Status PlanAndQueue(const Scope& scope,
                            const std::vector<v1::Ritual>& rituals);
  // Cancels every queued reminder and tick of one ritual.
  absl::Status CancelQueued(const Scope& scope, absl::string_view ritual_id);
  absl::StatusOr<v1::Ritual> Activate(const Scope& scope, v1::Ritual ritual,
                                      const std::string& caller_id);
  absl::StatusOr<v1::Cadence> EvaluateCadence(const Scope& scope);
  absl::Status UpdateStreak(const Scope& scope, const std::string& ritual_id,
                            const std::string& participant, int64_t index,
                            const std::string& outcome);
  v1::Ritual Finish(const Scope& scope, v1::Ritual ritual);

  SchedulerStore* const store_;
  engine::DueQueue* const queue_;
  CoupleDirectory* const directory_;
  const engine::Clock* const clock_;
  ReminderPlanner planner_;
};

}  // namespace tend::scheduler

#endif  // TEND_SERVICES_SCHEDULER_SCHEDULER_H_
