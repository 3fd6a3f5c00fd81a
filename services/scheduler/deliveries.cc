// Delivery records and dead letters: what happened to a reminder on its
// way out, for the recipient and for operators; and the dispatcher's
// send-time hooks that write them (quiet hours judged again, giving up).
//
// Operators are callers with a service token: ListDeliveries of any
// reminder, ListDeadLetters and RetryDeadLetter. `tendctl deliveries` and
// `tendctl deadletter` mint one with --service_secret.
#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/base/log.h"
#include "engine/base/status_macros.h"
#include "services/common/request_log.h"
#include "services/scheduler/convert.h"
#include "services/scheduler/scheduler.h"
#include "services/scheduler/scheduler_internal.h"

namespace tend::scheduler {
namespace {

using internal::Invalid;

constexpr int kMaxPageSize = 100;
// ListDeadLetters with a couple filter looks at this many letters at most.
constexpr int kDeadLetterScan = 5000;

absl::StatusOr<int> PageSize(int32_t requested) {
  if (requested < 0 || requested > kMaxPageSize) {
    return Invalid("page_size", "1 to 100, or 0 for 50");
  }
  return requested == 0 ? 50 : requested;
}

// Offset page tokens: the index of the first item of the next page.
absl::StatusOr<int> PageStart(const std::string& token) {
  int start = 0;
  if (!token.empty() && (!absl::SimpleAtoi(token, &start) || start < 0)) {
    return Invalid("page_token", "not a token this service gave out");
  }
  return start;
}

std::string DeadLetterName(absl::string_view couple_id,
                           absl::string_view queue_id) {
  // Couple ids are hex, so the first '.' ends the couple.
  return absl::StrCat("deadLetters/", couple_id, ".", queue_id);
}

absl::StatusOr<std::pair<std::string, std::string>> ParseDeadLetterName(
    absl::string_view name) {
  absl::string_view rest = name;
  const bool prefixed = absl::ConsumePrefix(&rest, "deadLetters/");
  const size_t dot = rest.find('.');
  if (!prefixed || dot == absl::string_view::npos || dot == 0 ||
      dot + 1 == rest.size()) {
    return Invalid("name", "must look like deadLetters/{dead_letter}");
  }
  return std::make_pair(std::string(rest.substr(0, dot)),
                        std::string(rest.substr(dot + 1)));
}

// The reminder id of a queue id: "r", "r#s2" (a snooze) or "r#q5" (a move
// out of quiet hours) are all reminder "r".
std::string ReminderIdOf(absl::string_view queue_id) {
  return std::string(queue_id.substr(0, queue_id.find('#')));
}

}  // namespace

absl::StatusOr<v1::ListDeliveriesResponse> Scheduler::ListDeliveries(
    const Caller& caller, const v1::ListDeliveriesRequest& req) {
  TEND_ASSIGN_OR_RETURN(auto parts, internal::ParseChildName(
                                        "parent", req.parent(), "reminders"));
  TEND_ASSIGN_OR_RETURN(const int page_size, PageSize(req.page_size()));
  TEND_ASSIGN_OR_RETURN(const int start, PageStart(req.page_token()));
  const std::string& couple_id = parts.first;
  const std::string& reminder_id = parts.second;
  const absl::Status not_found =
      absl::NotFoundError(absl::StrCat("parent: ", req.parent(), " not found"));
  if (!caller.is_service) {
    TEND_RETURN_IF_ERROR(ScopeFor(caller, "parent", req.parent()).status());
    TEND_ASSIGN_OR_RETURN(std::optional<v1::Reminder> reminder,
                          store_->LoadReminder(couple_id, reminder_id));
    // The partner's reminders are as invisible as missing ones.
    if (!reminder.has_value() ||
        reminder->recipient_user_id() != caller.user_id) {
      return not_found;
    }
  }
  TEND_ASSIGN_OR_RETURN(std::vector<v1::Delivery> all,
                        store_->LoadDeliveries(couple_id, reminder_id));
  if (caller.is_service && all.empty()) {
    TEND_ASSIGN_OR_RETURN(std::optional<v1::Reminder> reminder,
                          store_->LoadReminder(couple_id, reminder_id));
    if (!reminder.has_value()) return not_found;
  }
  v1::ListDeliveriesResponse response;
  for (int i = start; i < static_cast<int>(all.size()); ++i) {
    if (response.deliveries_size() == page_size) {
      response.set_next_page_token(absl::StrCat(i));
      break;
    }
    *response.add_deliveries() = std::move(all[i]);
  }
  return response;
}

absl::StatusOr<v1::DeadLetter> Scheduler::ToDeadLetter(
    const engine::DeadLetter& dead) {
  const std::string& couple_id = dead.reminder.couple_id;
  v1::DeadLetter out;
  out.set_name(DeadLetterName(couple_id, dead.reminder.id));
  out.set_attempt_count(dead.attempts);
  out.set_last_error(dead.last_error);
  *out.mutable_dead_letter_time() = ToProto(dead.dead_time);
  absl::StatusOr<QueueItem> item = DecodeItem(dead.reminder.payload);
  if (!item.ok() || !item->reminder.has_value()) {
    return out;  // a tick or a resume: the name and the error say it all
  }
  const std::string reminder_id = ReminderId(*item->reminder);
  TEND_ASSIGN_OR_RETURN(std::optional<v1::Reminder> record,
                        store_->LoadReminder(couple_id, reminder_id));
  *out.mutable_reminder() = record.has_value() ? *record : *item->reminder;
  TEND_ASSIGN_OR_RETURN(std::vector<v1::Delivery> deliveries,
                        store_->LoadDeliveries(couple_id, reminder_id));
  if (!deliveries.empty()) {
    *out.mutable_first_attempt_time() = deliveries.front().start_time();
    out.set_last_provider(deliveries.back().provider());
  }
  return out;
}

absl::StatusOr<v1::ListDeadLettersResponse> Scheduler::ListDeadLetters(
    const Caller& caller, const v1::ListDeadLettersRequest& req) {
  TEND_RETURN_IF_ERROR(internal::RequireService(caller));
  TEND_ASSIGN_OR_RETURN(const int page_size, PageSize(req.page_size()));
  TEND_ASSIGN_OR_RETURN(const int start, PageStart(req.page_token()));
  std::string couple_filter;
  if (!req.couple().empty()) {
    absl::string_view id = req.couple();
    if (!absl::ConsumePrefix(&id, "couples/") || id.empty() ||
        absl::StrContains(id, '/')) {
      return Invalid("couple", "must look like couples/{couple}");
    }
    couple_filter = std::string(id);
  }
  TEND_ASSIGN_OR_RETURN(
      std::vector<engine::DeadLetter> letters,
      queue_->ListDeadLetters(couple_filter.empty() ? start + page_size + 1
                                                    : kDeadLetterScan));
  if (!couple_filter.empty()) {
    letters.erase(std::remove_if(letters.begin(), letters.end(),
                                 [&](const engine::DeadLetter& d) {
                                   return d.reminder.couple_id != couple_filter;
                                 }),
                  letters.end());
  }
  v1::ListDeadLettersResponse response;
  for (int i = start; i < static_cast<int>(letters.size()); ++i) {
    if (response.dead_letters_size() == page_size) {
      response.set_next_page_token(absl::StrCat(i));
      break;
    }
    TEND_ASSIGN_OR_RETURN(*response.add_dead_letters(),
                          ToDeadLetter(letters[i]));
  }
  return response;
}

absl::StatusOr<v1::Reminder> Scheduler::RetryDeadLetter(
    const Caller& caller, const v1::RetryDeadLetterRequest& req) {
  TEND_RETURN_IF_ERROR(internal::RequireService(caller));
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  TEND_ASSIGN_OR_RETURN(auto parts, ParseDeadLetterName(req.name()));
  const std::string& couple_id = parts.first;
  const std::string& queue_id = parts.second;
  services::RequestLog requests(store_->redis(),
                                SchedulerStore::RequestLogPrefix(couple_id));
  return requests.Once<v1::Reminder>(
      caller, "RetryDeadLetter", req.request_id(),
      [&]() -> absl::StatusOr<v1::Reminder> {
        TEND_ASSIGN_OR_RETURN(
            bool retried,
            queue_->RetryDeadLetter(couple_id, queue_id, clock_->Now()));
        if (!retried) {
          return absl::NotFoundError(
              absl::StrCat("name: ", req.name(), " not found"));
        }
        Log(LogLevel::kInfo, "dispatch.dead_letter_retried",
            {{"couple", couple_id},
             {"item", queue_id},
             {"by", caller.user_id}});
        TEND_ASSIGN_OR_RETURN(
            std::optional<v1::Reminder> record,
            store_->LoadReminder(couple_id, ReminderIdOf(queue_id)));
        if (!record.has_value()) {
          // A tick or a resume has no reminder record; its name says which.
          v1::Reminder item;
          item.set_name(
              absl::StrCat("couples/", couple_id, "/reminders/", queue_id));
          return item;
        }
        if (record->state() == v1::REMINDER_STATE_DEAD_LETTERED) {
          record->set_state(v1::REMINDER_STATE_SCHEDULED);
          TEND_RETURN_IF_ERROR(store_->SaveReminders(couple_id, {*record}));
        }
        return *record;
      });
}

absl::Status Scheduler::MarkDeadLettered(absl::string_view couple_id,
                                         const v1::Reminder& reminder,
                                         int attempts) {
  TEND_ASSIGN_OR_RETURN(std::optional<v1::Reminder> record,
                        store_->LoadReminder(couple_id, ReminderId(reminder)));
  v1::Reminder r = record.has_value() ? *std::move(record) : reminder;
  switch (r.state()) {
    case v1::REMINDER_STATE_DONE:
    case v1::REMINDER_STATE_SKIPPED:
    case v1::REMINDER_STATE_CANCELLED:
      return absl::OkStatus();  // answered or withdrawn meanwhile
    default:
      break;
  }
  r.set_state(v1::REMINDER_STATE_DEAD_LETTERED);
  r.set_attempt_count(attempts);
  return store_->SaveReminders(couple_id, {r});
}

absl::StatusOr<SendTimeHold> Scheduler::HoldForQuietHours(
    const pairing::v1::Couple& couple, const v1::Reminder& reminder,
    absl::Time now) {
  TEND_ASSIGN_OR_RETURN(engine::Couple people, ToEngineCouple(couple));
  const std::optional<internal::QuietEdge> quiet =
      internal::QuietHoursAt(people, reminder.recipient_user_id(), now);
  SendTimeHold hold;
  if (!quiet.has_value()) return hold;
  hold.held = true;
  const std::string couple_id = CoupleId(couple);
  v1::Reminder r = reminder;
  v1::ScheduleAdjustment* a = r.add_adjustments();
  a->set_reason(v1::ADJUSTMENT_REASON_QUIET_HOURS);
  *a->mutable_original_time() = r.due_time();
  const std::string local_now = absl::FormatTime("%H:%M", now, quiet->zone);
  const std::string local_end =
      absl::FormatTime("%H:%M", quiet->end, quiet->zone);
  if (r.has_expire_time() && quiet->end > FromProto(r.expire_time())) {
    a->set_action(v1::ADJUSTMENT_ACTION_DROPPED);
    a->set_explanation(absl::StrCat(
        "Not sent: at ", local_now, " the quiet hours had begun, and at ",
        local_end, " when they end it would be stale."));
    r.set_state(v1::REMINDER_STATE_DROPPED);
  } else {
    a->set_action(v1::ADJUSTMENT_ACTION_MOVED);
    a->set_explanation(absl::StrCat("Held at ", local_now,
                                    ": the quiet hours had begun; moved to ",
                                    local_end, " when they end."));
    r.set_state(v1::REMINDER_STATE_SCHEDULED);
    *r.mutable_due_time() = ToProto(quiet->end);
    *r.mutable_local_due_time() =
        ToLocal(absl::ToCivilSecond(quiet->end, quiet->zone));
    r.set_time_zone(quiet->zone.name());
    hold.requeue = engine::QueuedReminder{
        absl::StrCat(ReminderId(r), "#q", r.adjustments_size()), couple_id,
        quiet->end, EncodeReminder(r)};
  }
  TEND_RETURN_IF_ERROR(store_->SaveReminders(couple_id, {r}));
  v1::Delivery held;
  held.set_attempt(r.attempt_count());
  held.set_outcome(v1::DELIVERY_OUTCOME_SUPPRESSED_QUIET_HOURS);
  *held.mutable_start_time() = ToProto(now);
  held.set_error(a->explanation());
  TEND_RETURN_IF_ERROR(store_
                           ->RecordDelivery(couple_id, ReminderId(r), held,
                                            /*delivery_key=*/"",
                                            /*settled_device=*/"",
                                            /*settled_as=*/"")
                           .status());
  Log(LogLevel::kInfo, "dispatch.held_for_quiet_hours",
      {{"couple", couple_id},
       {"reminder", ReminderId(r)},
       {"moved", hold.requeue.has_value()}});
  return hold;
}

}  // namespace tend::scheduler
