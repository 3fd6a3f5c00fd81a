// PromptContent: reminder words from the prompt service.
//
// The dispatcher asks a ContentSource for each reminder's words just
// before sending it. This one asks the prompt service's GetReminderContent
// with the scheduler's service token and a short deadline: a check-in
// question with reveal-after-both, a listening guide, a gesture in the
// partner's love language, an idea, or a gentle nudge about the day's
// question. When the prompt service cannot answer in time, Fill() fails
// and the dispatcher falls back to the ritual's own words
// (RitualTextContent), so a reminder is never lost for want of words.
//
//   services::Peer prompt(absl::GetFlag(FLAGS_prompt_addr), &token);
//   PromptContent content(&prompt);
//   Dispatcher dispatcher(&queue, &scheduler, {&live}, &content, clock, ...);
#ifndef TEND_SERVICES_SCHEDULER_PROMPT_CONTENT_H_
#define TEND_SERVICES_SCHEDULER_PROMPT_CONTENT_H_

#include <memory>

#include "absl/time/time.h"
#include "services/common/peer.h"
#include "services/scheduler/dispatcher.h"
#include "tend/prompt/v1/prompt.grpc.pb.h"

namespace tend::scheduler {

// PromptContent
//
// Thread-safe.
class PromptContent final : public ContentSource {
 public:
  // `prompt` must outlive it; an unconfigured Peer (no --prompt_addr)
  // makes every Fill() fail at once. Each call gives up after `deadline`.
  explicit PromptContent(const services::Peer* prompt,
                         absl::Duration deadline = absl::Seconds(2));

  // Fill()
  //
  // Sets `reminder->content` from GetReminderContent. UNAVAILABLE (or the
  // prompt service's own error) when it cannot; the reminder is untouched.
  absl::Status Fill(const v1::Ritual& ritual, v1::Reminder* reminder) override;

 private:
  const services::Peer* const prompt_;
  std::unique_ptr<prompt::v1::PromptService::Stub> stub_;
  const absl::Duration deadline_;
};

}  // namespace tend::scheduler

#endif  // TEND_SERVICES_SCHEDULER_PROMPT_CONTENT_H_
