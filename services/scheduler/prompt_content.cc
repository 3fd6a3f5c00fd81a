#include "services/scheduler/prompt_content.h"

#include <chrono>

#include "services/common/status.h"
#include "services/scheduler/convert.h"

namespace tend::scheduler {

PromptContent::PromptContent(const services::Peer* prompt,
                             absl::Duration deadline)
    : prompt_(prompt), deadline_(deadline) {
  if (prompt_->configured()) {
    stub_ = prompt::v1::PromptService::NewStub(prompt_->channel());
  }
}

absl::Status PromptContent::Fill(const v1::Ritual& ritual,
                                 v1::Reminder* reminder) {
  if (stub_ == nullptr) {
    return absl::UnavailableError("prompt: --prompt_addr is not set");
  }
  prompt::v1::GetReminderContentRequest request;
  request.set_reminder(reminder->name());
  request.set_ritual(ritual.name());
  request.set_ritual_template(ritual.ritual_template());
  request.set_practice(ritual.practice());
  request.set_ritual_title(ritual.title());
  request.set_ritual_description(ritual.description());
  request.set_recipient_user_id(reminder->recipient_user_id());
  *request.mutable_occurrence_time() = reminder->occurrence_time();
  request.set_shared(ritual.kind() == v1::RITUAL_KIND_SHARED);
  // The recipient's own day decides what they are asked.
  absl::TimeZone zone;
  if (!reminder->time_zone().empty() &&
      absl::LoadTimeZone(reminder->time_zone(), &zone)) {
    *request.mutable_local_occurrence_time() = ToLocal(
        absl::ToCivilSecond(FromProto(reminder->occurrence_time()), zone));
  }
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context =
      prompt_->NewContext();
  if (!context.ok()) return context.status();
  (*context)->set_deadline(std::chrono::system_clock::now() +
                           absl::ToChronoMilliseconds(deadline_));
  type::v1::ReminderContent content;
  const grpc::Status status =
      stub_->GetReminderContent(context->get(), request, &content);
  if (!status.ok()) return services::FromGrpcStatus(status);
  *reminder->mutable_content() = std::move(content);
  return absl::OkStatus();
}

}  // namespace tend::scheduler
