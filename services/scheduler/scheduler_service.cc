#include "services/scheduler/scheduler_service.h"

#include "services/common/rpc.h"
#include "services/scheduler/convert.h"
#include "services/scheduler/scheduler_internal.h"

namespace tend::scheduler {

using services::Serve;

grpc::Status SchedulerServiceImpl::CreateRitual(
    grpc::ServerContext* context, const v1::CreateRitualRequest* request,
    v1::Ritual* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::CreateRitual);
}

grpc::Status SchedulerServiceImpl::GetRitual(
    grpc::ServerContext* context, const v1::GetRitualRequest* request,
    v1::Ritual* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::GetRitual);
}

grpc::Status SchedulerServiceImpl::ListRituals(
    grpc::ServerContext* context, const v1::ListRitualsRequest* request,
    v1::ListRitualsResponse* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::ListRituals);
}

grpc::Status SchedulerServiceImpl::UpdateRitual(
    grpc::ServerContext* context, const v1::UpdateRitualRequest* request,
    v1::Ritual* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::UpdateRitual);
}

grpc::Status SchedulerServiceImpl::DeleteRitual(
    grpc::ServerContext* context, const v1::DeleteRitualRequest* request,
    google::protobuf::Empty* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::DeleteRitual);
}

grpc::Status SchedulerServiceImpl::AcceptRitual(
    grpc::ServerContext* context, const v1::AcceptRitualRequest* request,
    v1::Ritual* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::AcceptRitual);
}

grpc::Status SchedulerServiceImpl::BatchAcceptRituals(
    grpc::ServerContext* context, const v1::BatchAcceptRitualsRequest* request,
    v1::BatchAcceptRitualsResponse* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::BatchAcceptRituals);
}

grpc::Status SchedulerServiceImpl::DeclineRitual(
    grpc::ServerContext* context, const v1::DeclineRitualRequest* request,
    v1::Ritual* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::DeclineRitual);
}

grpc::Status SchedulerServiceImpl::PauseRitual(
    grpc::ServerContext* context, const v1::PauseRitualRequest* request,
    v1::Ritual* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::PauseRitual);
}

grpc::Status SchedulerServiceImpl::ResumeRitual(
    grpc::ServerContext* context, const v1::ResumeRitualRequest* request,
    v1::Ritual* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::ResumeRitual);
}

grpc::Status SchedulerServiceImpl::SkipOccurrence(
    grpc::ServerContext* context, const v1::SkipOccurrenceRequest* request,
    v1::Occurrence* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::SkipOccurrence);
}

grpc::Status SchedulerServiceImpl::GetRitualTemplate(
    grpc::ServerContext* context, const v1::GetRitualTemplateRequest* request,
    v1::RitualTemplate* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::GetRitualTemplate);
}

grpc::Status SchedulerServiceImpl::ListRitualTemplates(
    grpc::ServerContext* context, const v1::ListRitualTemplatesRequest* request,
    v1::ListRitualTemplatesResponse* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::ListRitualTemplates);
}

grpc::Status SchedulerServiceImpl::PreviewSchedule(
    grpc::ServerContext* context, const v1::PreviewScheduleRequest* request,
    v1::PreviewScheduleResponse* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::PreviewSchedule);
}

grpc::Status SchedulerServiceImpl::ExportCalendar(
    grpc::ServerContext* context, const v1::ExportCalendarRequest* request,
    v1::ExportCalendarResponse* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::ExportCalendar);
}

grpc::Status SchedulerServiceImpl::GetReminder(
    grpc::ServerContext* context, const v1::GetReminderRequest* request,
    v1::Reminder* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::GetReminder);
}

grpc::Status SchedulerServiceImpl::ListReminders(
    grpc::ServerContext* context, const v1::ListRemindersRequest* request,
    v1::ListRemindersResponse* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::ListReminders);
}

grpc::Status SchedulerServiceImpl::AcknowledgeReminder(
    grpc::ServerContext* context, const v1::AcknowledgeReminderRequest* request,
    v1::Reminder* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::AcknowledgeReminder);
}

grpc::Status SchedulerServiceImpl::GetStreaks(
    grpc::ServerContext* context, const v1::GetStreaksRequest* request,
    v1::Streaks* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::GetStreaks);
}

grpc::Status SchedulerServiceImpl::GetCadence(
    grpc::ServerContext* context, const v1::GetCadenceRequest* request,
    v1::Cadence* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::GetCadence);
}

grpc::Status SchedulerServiceImpl::RecordConnectionScore(
    grpc::ServerContext* context, const v1::RecordConnectionScoreRequest* request,
    v1::Cadence* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::RecordConnectionScore);
}

grpc::Status SchedulerServiceImpl::RegisterDevice(
    grpc::ServerContext* context, const v1::RegisterDeviceRequest* request,
    v1::Device* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::RegisterDevice);
}

grpc::Status SchedulerServiceImpl::UnregisterDevice(
    grpc::ServerContext* context, const v1::UnregisterDeviceRequest* request,
    google::protobuf::Empty* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::UnregisterDevice);
}

grpc::Status SchedulerServiceImpl::ListDevices(
    grpc::ServerContext* context, const v1::ListDevicesRequest* request,
    v1::ListDevicesResponse* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::ListDevices);
}

grpc::Status SchedulerServiceImpl::ListDeliveries(
    grpc::ServerContext* context, const v1::ListDeliveriesRequest* request,
    v1::ListDeliveriesResponse* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::ListDeliveries);
}

grpc::Status SchedulerServiceImpl::ListDeadLetters(
    grpc::ServerContext* context, const v1::ListDeadLettersRequest* request,
    v1::ListDeadLettersResponse* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::ListDeadLetters);
}

grpc::Status SchedulerServiceImpl::RetryDeadLetter(
    grpc::ServerContext* context, const v1::RetryDeadLetterRequest* request,
    v1::Reminder* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::RetryDeadLetter);
}

grpc::Status SchedulerServiceImpl::SeedDefaultRituals(
    grpc::ServerContext* context, const v1::SeedDefaultRitualsRequest* request,
    v1::SeedDefaultRitualsResponse* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::SeedDefaultRituals);
}

grpc::Status SchedulerServiceImpl::CancelCoupleSchedule(
    grpc::ServerContext* context, const v1::CancelCoupleScheduleRequest* request,
    v1::CancelCoupleScheduleResponse* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::CancelCoupleSchedule);
}

grpc::Status SchedulerServiceImpl::RescheduleCouple(
    grpc::ServerContext* context, const v1::RescheduleCoupleRequest* request,
    v1::RescheduleCoupleResponse* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::RescheduleCouple);
}

grpc::Status SchedulerServiceImpl::ExportUserData(
    grpc::ServerContext* context, const v1::ExportUserDataRequest* request,
    v1::ExportUserDataResponse* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::ExportUserData);
}

grpc::Status SchedulerServiceImpl::EraseUserData(
    grpc::ServerContext* context, const v1::EraseUserDataRequest* request,
    v1::EraseUserDataResponse* response) {
  return Serve(auth_, context, *request, response, scheduler_,
               &Scheduler::EraseUserData);
}

grpc::Status SchedulerServiceImpl::WatchReminders(
    grpc::ServerContext* context, const v1::WatchRemindersRequest* request,
    grpc::ServerWriter<v1::WatchRemindersResponse>* writer) {
  absl::StatusOr<services::Caller> caller = auth_.Authenticate(*context);
  if (!caller.ok()) return services::ToGrpcStatus(caller.status());
  if (caller->is_service) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "authorization: this method is for users");
  }
  // Only a paired person has reminders.
  absl::StatusOr<services::CoupleRef> couple =
      scheduler_->directory()->ForUser(caller->user_id);
  if (!couple.ok()) return services::ToGrpcStatus(couple.status());
  std::shared_ptr<LiveHub::Watcher> watcher = live_->Watch(caller->user_id);
  if (request->include_unanswered()) {
    absl::StatusOr<std::vector<v1::Reminder>> all =
        scheduler_->store()->LoadReminders(CoupleId(**couple));
    if (all.ok()) {
      for (const v1::Reminder& r : *all) {
        if (r.recipient_user_id() != caller->user_id ||
            r.state() != v1::REMINDER_STATE_DELIVERED) {
          continue;
        }
        v1::WatchRemindersResponse event;
        event.set_type(v1::REMINDER_EVENT_TYPE_DUE);
        *event.mutable_reminder() = r;
        if (!writer->Write(event)) break;
      }
    }
  }
  v1::Reminder reminder;
  while (!context->IsCancelled() && !watcher->closed()) {
    if (!watcher->Next(&reminder, absl::Milliseconds(500))) continue;
    v1::WatchRemindersResponse event;
    event.set_type(v1::REMINDER_EVENT_TYPE_DUE);
    *event.mutable_reminder() = std::move(reminder);
    if (!writer->Write(event)) break;
  }
  live_->Unwatch(caller->user_id, watcher.get());
  return grpc::Status::OK;
}

}  // namespace tend::scheduler
