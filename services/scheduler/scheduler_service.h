// SchedulerServiceImpl: the gRPC layer of tend.scheduler.v1.SchedulerService.
//
// One line per unary RPC: authenticate, call Scheduler, map the status (see
// services/common/rpc.h). WatchReminders streams from the LiveHub. RPCs of
// later work (per-person data export and erasure) are authenticated and
// then answer UNIMPLEMENTED.
#ifndef TEND_SERVICES_SCHEDULER_SCHEDULER_SERVICE_H_
#define TEND_SERVICES_SCHEDULER_SCHEDULER_SERVICE_H_

#include "services/common/auth.h"
#include "services/scheduler/live_hub.h"
#include "services/scheduler/scheduler.h"
#include "tend/scheduler/v1/scheduler.grpc.pb.h"

namespace tend::scheduler {

// SchedulerServiceImpl
//
// Holds references only; everything given must outlive it.
class SchedulerServiceImpl final : public v1::SchedulerService::Service {
 public:
  SchedulerServiceImpl(const services::Authenticator* auth,
                       Scheduler* scheduler, LiveHub* live)
      : auth_(*auth), scheduler_(scheduler), live_(live) {}

  grpc::Status CreateRitual(grpc::ServerContext* context,
                      const v1::CreateRitualRequest* request,
                      v1::Ritual* response) override;
  grpc::Status GetRitual(grpc::ServerContext* context,
                      const v1::GetRitualRequest* request,
                      v1::Ritual* response) override;
  grpc::Status ListRituals(grpc::ServerContext* context,
                      const v1::ListRitualsRequest* request,
                      v1::ListRitualsResponse* response) override;
  grpc::Status UpdateRitual(grpc::ServerContext* context,
                      const v1::UpdateRitualRequest* request,
                      v1::Ritual* response) override;
  grpc::Status DeleteRitual(grpc::ServerContext* context,
                      const v1::DeleteRitualRequest* request,
                      google::protobuf::Empty* response) override;
  grpc::Status AcceptRitual(grpc::ServerContext* context,
                      const v1::AcceptRitualRequest* request,
                      v1::Ritual* response) override;
  grpc::Status BatchAcceptRituals(grpc::ServerContext* context,
                      const v1::BatchAcceptRitualsRequest* request,
                      v1::BatchAcceptRitualsResponse* response) override;
  grpc::Status DeclineRitual(grpc::ServerContext* context,
                      const v1::DeclineRitualRequest* request,
                      v1::Ritual* response) override;
  grpc::Status PauseRitual(grpc::ServerContext* context,
                      const v1::PauseRitualRequest* request,
                      v1::Ritual* response) override;
  grpc::Status ResumeRitual(grpc::ServerContext* context,
                      const v1::ResumeRitualRequest* request,
                      v1::Ritual* response) override;
  grpc::Status SkipOccurrence(grpc::ServerContext* context,
                      const v1::SkipOccurrenceRequest* request,
                      v1::Occurrence* response) override;
  grpc::Status GetRitualTemplate(grpc::ServerContext* context,
                      const v1::GetRitualTemplateRequest* request,
                      v1::RitualTemplate* response) override;
  grpc::Status ListRitualTemplates(grpc::ServerContext* context,
                      const v1::ListRitualTemplatesRequest* request,
                      v1::ListRitualTemplatesResponse* response) override;
  grpc::Status PreviewSchedule(grpc::ServerContext* context,
                      const v1::PreviewScheduleRequest* request,
                      v1::PreviewScheduleResponse* response) override;
  grpc::Status ExportCalendar(grpc::ServerContext* context,
                      const v1::ExportCalendarRequest* request,
                      v1::ExportCalendarResponse* response) override;
  grpc::Status GetReminder(grpc::ServerContext* context,
                      const v1::GetReminderRequest* request,
                      v1::Reminder* response) override;
  grpc::Status ListReminders(grpc::ServerContext* context,
                      const v1::ListRemindersRequest* request,
                      v1::ListRemindersResponse* response) override;
  grpc::Status WatchReminders(grpc::ServerContext* context,
                      const v1::WatchRemindersRequest* request,
                      grpc::ServerWriter<v1::WatchRemindersResponse>* writer) override;
  grpc::Status AcknowledgeReminder(grpc::ServerContext* context,
                      const v1::AcknowledgeReminderRequest* request,
                      v1::Reminder* response) override;
  grpc::Status GetStreaks(grpc::ServerContext* context,
                      const v1::GetStreaksRequest* request,
                      v1::Streaks* response) override;
  grpc::Status GetCadence(grpc::ServerContext* context,
                      const v1::GetCadenceRequest* request,
                      v1::Cadence* response) override;
  grpc::Status RecordConnectionScore(grpc::ServerContext* context,
                      const v1::RecordConnectionScoreRequest* request,
                      v1::Cadence* response) override;
  grpc::Status RegisterDevice(grpc::ServerContext* context,
                      const v1::RegisterDeviceRequest* request,
                      v1::Device* response) override;
  grpc::Status UnregisterDevice(grpc::ServerContext* context,
                      const v1::UnregisterDeviceRequest* request,
                      google::protobuf::Empty* response) override;
  grpc::Status ListDevices(grpc::ServerContext* context,
                      const v1::ListDevicesRequest* request,
                      v1::ListDevicesResponse* response) override;
  grpc::Status ListDeliveries(grpc::ServerContext* context,
                      const v1::ListDeliveriesRequest* request,
                      v1::ListDeliveriesResponse* response) override;
  grpc::Status ListDeadLetters(grpc::ServerContext* context,
                      const v1::ListDeadLettersRequest* request,
                      v1::ListDeadLettersResponse* response) override;
  grpc::Status RetryDeadLetter(grpc::ServerContext* context,
                      const v1::RetryDeadLetterRequest* request,
                      v1::Reminder* response) override;
  grpc::Status SeedDefaultRituals(grpc::ServerContext* context,
                      const v1::SeedDefaultRitualsRequest* request,
                      v1::SeedDefaultRitualsResponse* response) override;
  grpc::Status CancelCoupleSchedule(grpc::ServerContext* context,
                      const v1::CancelCoupleScheduleRequest* request,
                      v1::CancelCoupleScheduleResponse* response) override;
  grpc::Status RescheduleCouple(grpc::ServerContext* context,
                      const v1::RescheduleCoupleRequest* request,
                      v1::RescheduleCoupleResponse* response) override;
  grpc::Status ExportUserData(grpc::ServerContext* context,
                      const v1::ExportUserDataRequest* request,
                      v1::ExportUserDataResponse* response) override;
  grpc::Status EraseUserData(grpc::ServerContext* context,
                      const v1::EraseUserDataRequest* request,
                      v1::EraseUserDataResponse* response) override;

 private:
  const services::Authenticator& auth_;
  Scheduler* const scheduler_;
  LiveHub* const live_;
};

}  // namespace tend::scheduler

#endif  // TEND_SERVICES_SCHEDULER_SCHEDULER_SERVICE_H_
