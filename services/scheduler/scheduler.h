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
// NOT_FOUND. Service-to-service methods need a service caller, and so do
// the operator's (dead letters; any service token is an operator's, which
// tendctl mints with --service_secret).
//
// Devices are a person's, but stored under their couple (devices.cc): a
// person registers devices once paired, and erasing the couple — on unpair
// after the undo window, or on either partner's DeleteMyData — erases them.
//
//   Scheduler scheduler(&store, &queue, &directory, &clock);
//   absl::StatusOr<v1::Ritual> r = scheduler.CreateRitual(alice, request);
#ifndef TEND_SERVICES_SCHEDULER_SCHEDULER_H_
#define TEND_SERVICES_SCHEDULER_SCHEDULER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/queue/due_queue.h"
#include "engine/time/clock.h"
#include "services/common/auth.h"
#include "services/common/couple_directory.h"
#include "services/scheduler/reminder_planner.h"
#include "services/scheduler/scheduler_store.h"
#include "tend/scheduler/v1/scheduler.pb.h"

namespace tend::scheduler {

using services::Caller;

// SchedulerOptions
//
// Policy the server sets from its flags.
struct SchedulerOptions {
  // Accept http:// webhook URLs (development and tests); https only
  // otherwise (--webhook_allow_http).
  bool allow_http_webhooks = false;
  // Devices one person may register; one more replaces the one registered
  // (or refreshed) longest ago.
  int max_devices_per_person = 10;
};

// SendTimeHold
//
// What HoldForQuietHours() decided about a due reminder.
struct SendTimeHold {
  // True: do not send it now.
  bool held = false;
  // When held and moved rather than dropped: the item to queue for the end
  // of the quiet hours.
  std::optional<engine::QueuedReminder> requeue;
};

// Scheduler
//
// Thread-safe.
class Scheduler {
 public:
  Scheduler(SchedulerStore* store, engine::DueQueue* queue,
            services::CoupleDirectory* directory, const engine::Clock* clock,
            SchedulerOptions options = {});

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

  // Devices, the caller's own (devices.cc).
  absl::StatusOr<v1::Device> RegisterDevice(
      const Caller& caller, const v1::RegisterDeviceRequest& req);
  absl::StatusOr<google::protobuf::Empty> UnregisterDevice(
      const Caller& caller, const v1::UnregisterDeviceRequest& req);
  absl::StatusOr<v1::ListDevicesResponse> ListDevices(
      const Caller& caller, const v1::ListDevicesRequest& req);

  // Delivery records, for the recipient and operators; dead letters, for
  // operators (deliveries.cc).
  absl::StatusOr<v1::ListDeliveriesResponse> ListDeliveries(
      const Caller& caller, const v1::ListDeliveriesRequest& req);
  absl::StatusOr<v1::ListDeadLettersResponse> ListDeadLetters(
      const Caller& caller, const v1::ListDeadLettersRequest& req);
  absl::StatusOr<v1::Reminder> RetryDeadLetter(
      const Caller& caller, const v1::RetryDeadLetterRequest& req);

  // Service-to-service, from pairing.
  absl::StatusOr<v1::SeedDefaultRitualsResponse> SeedDefaultRituals(
      const Caller& caller, const v1::SeedDefaultRitualsRequest& req);
  absl::StatusOr<v1::CancelCoupleScheduleResponse> CancelCoupleSchedule(
      const Caller& caller, const v1::CancelCoupleScheduleRequest& req);
  absl::StatusOr<v1::RescheduleCoupleResponse> RescheduleCouple(
      const Caller& caller, const v1::RescheduleCoupleRequest& req);
  // One person's data, for pairing's ExportMyData / DeleteMyData
  // (user_data.cc).
  absl::StatusOr<v1::ExportUserDataResponse> ExportUserData(
      const Caller& caller, const v1::ExportUserDataRequest& req);
  absl::StatusOr<v1::EraseUserDataResponse> EraseUserData(
      const Caller& caller, const v1::EraseUserDataRequest& req);

  // The dispatcher's hooks.
  //
  // SettleAndPlan() runs when an occurrence's tick falls due: it settles the
  // occurrence before it (streaks, check-in outcomes, cadence) and returns
  // the next occurrence's items to queue.
  // It saves the planned records and remembers the planned ticks
  // (SaveTicks); the caller queues `queued`, together with the tick's ack.
  absl::StatusOr<PlannedItems> SettleAndPlan(const pairing::v1::Couple& couple,
                                             const Tick& tick);
  // TickJob
  //
  // One claimed tick and its couple, for SettleAndPlanBatch().
  struct TickJob {
    const pairing::v1::Couple* couple;
    const Tick* tick;
  };
  // SettleAndPlanBatch() is SettleAndPlan() for many ticks at once, with
  // their reads and writes shared: a few round trips per batch whatever its
  // size. One result per job, in order; ticks of one couple are planned in
  // order, each seeing what the earlier ones planned.
  std::vector<absl::StatusOr<PlannedItems>> SettleAndPlanBatch(
      const std::vector<TickJob>& jobs);
  // ResumeAtTime() resumes a paused ritual whose resume time has come.
  absl::Status ResumeAtTime(const pairing::v1::Couple& couple,
                            const std::string& ritual_id);
  // HoldForQuietHours() judges a due reminder's quiet hours again at send
  // time, since a profile may have changed after planning. Inside them, the
  // reminder is not sent: it moves to the end of the window (returned, to
  // queue) or, when that is past its expiry, is dropped; either way with an
  // adjustment and a delivery record.
  absl::StatusOr<SendTimeHold> HoldForQuietHours(
      const pairing::v1::Couple& couple, const v1::Reminder& reminder,
      absl::Time now);
  // MarkDeadLettered() records that delivering `reminder` (a queue payload)
  // gave up after `attempts`.
  absl::Status MarkDeadLettered(absl::string_view couple_id,
                                const v1::Reminder& reminder, int attempts);

  services::CoupleDirectory* directory() { return directory_; }
  SchedulerStore* store() { return store_; }

 private:
  struct Scope {
    pairing::v1::Couple couple;
    std::string couple_id;
  };

  // The caller's couple; NOT_FOUND unless `name` (a couple, or a resource
  // under it) is theirs. An empty `name` means the caller's own couple.
  // Errors name `field`.
  absl::StatusOr<Scope> ScopeFor(const Caller& caller, absl::string_view field,
                                 absl::string_view name);
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
  // Records the occurrence `tick` settles as missed (its outcome is unset),
  // with its streak and, for a check-in, the cadence. Returns whether the
  // cadence was evaluated again.
  absl::StatusOr<bool> SettleMissed(const Scope& scope,
                                    const v1::Ritual& ritual, const Tick& tick);
  absl::Status UpdateStreak(const Scope& scope, const std::string& ritual_id,
                            const std::string& participant, int64_t index,
                            const std::string& outcome);
  v1::Ritual Finish(const Scope& scope, v1::Ritual ritual);

  // The caller's couple id for a device RPC on `user_name`
  // ("users/{user}"), which must be the caller.
  absl::StatusOr<std::string> DeviceScope(const Caller& caller,
                                          absl::string_view field,
                                          absl::string_view user_name);
  absl::StatusOr<v1::Device> RegisterDeviceOnce(const Caller& caller,
                                                const std::string& couple_id,
                                                v1::Device device);
  // A queue payload's dead letter as operators see it.
  absl::StatusOr<v1::DeadLetter> ToDeadLetter(const engine::DeadLetter& dead);

  SchedulerStore* const store_;
  engine::DueQueue* const queue_;
  services::CoupleDirectory* const directory_;
  const engine::Clock* const clock_;
  const SchedulerOptions options_;
  ReminderPlanner planner_;
};

}  // namespace tend::scheduler

#endif  // TEND_SERVICES_SCHEDULER_SCHEDULER_H_
