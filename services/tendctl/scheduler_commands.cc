// tendctl's scheduler commands: tend.scheduler.v1.SchedulerService at
// --scheduler_addr. Rituals, the preview of the days ahead, live reminders
// and their answers, streaks and cadence.
//
// The scheduler names everything under the caller's couple,
// "couples/{id}", which only the pairing service knows: each command that
// needs it asks pairing's GetCouple once (CallerCouple()), and the same
// answer gives both partners' names and zones, so that times print on the
// caller's clock and on the partner's. scheduler_text.h turns the answers
// into prose.
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/base/status_macros.h"
#include "engine/time/clock.h"
#include "google/protobuf/empty.pb.h"
#include "services/common/flags.h"
#include "services/tendctl/cli.h"
#include "services/tendctl/commands.h"
#include "services/tendctl/scheduler_text.h"
#include "tend/scheduler/v1/scheduler.grpc.pb.h"

ABSL_FLAG(bool, all, false,
          "rituals list: also list declined rituals. rituals accept: accept "
          "every proposed ritual that waits for you, in one step.");
ABSL_FLAG(std::string, title, "",
          "rituals add: what you both see, 1 to 80 characters, e.g. \"Sunday "
          "check-in\". A template's own title when not given; required for a "
          "custom ritual.");
ABSL_FLAG(std::string, rrule, "",
          "rituals add: an RFC 5545 recurrence rule without the RRULE: "
          "prefix, e.g. FREQ=WEEKLY;BYDAY=SU or FREQ=MONTHLY;BYDAY=-1FR. A "
          "template's own rule when not given. A custom ritual without one "
          "happens once, on --start.");
ABSL_FLAG(std::string, at, "",
          "rituals add: the local time of day of every occurrence, HH:MM "
          "(e.g. 19:00); required for a custom ritual. rituals skip: the "
          "occurrence to skip, as RFC 3339 (2024-05-05T19:00:00-04:00) or as "
          "'YYYY-MM-DD HH:MM' on your clock, the way 'tendctl preview' shows "
          "it.");
ABSL_FLAG(std::string, start, "",
          "rituals add: the first day, YYYY-MM-DD; today on your clock when "
          "--at is given without it.");
ABSL_FLAG(std::string, kind, "",
          "rituals add: shared (both of you at one instant, in your home time "
          "zone, inside both your waking hours) or personal (each of you at "
          "your own local time). A template's own kind when not given; "
          "shared for a custom ritual.");
ABSL_FLAG(std::string, note, "",
          "rituals add, decline, pause and skip: a kind note to your partner, "
          "up to 280 characters.");
ABSL_FLAG(std::string, until, "",
          "rituals pause: when the ritual resumes by itself, as RFC 3339 or "
          "'YYYY-MM-DD HH:MM' on your clock. Without it the ritual stays "
          "paused until 'tendctl rituals resume'.");
ABSL_FLAG(int32_t, days, 14, "preview: how many days ahead to plan, 1 to 90.");
ABSL_FLAG(bool, include_proposed, false,
          "preview: also plan rituals that are still proposals, as if both "
          "of you had accepted them.");
ABSL_FLAG(int32_t, count, 0,
          "watch: exit 0 once this many reminders have arrived. 0 watches "
          "until --timeout and then exits 0.");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(60),
          "watch: how long to watch (the stream's deadline), e.g. 60s or "
          "10m; 0 watches until interrupted. With --count, reaching it "
          "first exits 1.");
ABSL_FLAG(int32_t, mood, 0,
          "ack: how you feel, 1 (low) to 5 (great). Recorded with check-ins "
          "and feeds your cadence; ignored for other rituals.");
ABSL_FLAG(std::string, state, "",
          "reminders: only reminders in these states, comma separated: "
          "scheduled, delivered, done, snoozed, skipped, missed, dropped, "
          "dead_lettered, cancelled. Every state when not given.");

namespace tend::tendctl {
namespace {

namespace v1 = ::tend::scheduler::v1;
using Stub = v1::SchedulerService::Stub;

// BatchAcceptRituals takes at most this many names.
constexpr int kBatchAcceptLimit = 50;

absl::Time Now() { return engine::RealClock::Get()->Now(); }

absl::StatusOr<std::unique_ptr<Stub>> SchedulerStub() {
  TEND_ASSIGN_OR_RETURN(
      std::shared_ptr<grpc::Channel> channel,
      OpenChannel("scheduler_addr", absl::GetFlag(FLAGS_scheduler_addr)));
  return v1::SchedulerService::NewStub(channel);
}

// What a couple-scoped command starts from.
struct Session {
  std::unique_ptr<Stub> stub;
  // "couples/{id}".
  std::string couple;
  // The caller and their partner, with their clocks.
  Viewer viewer;
};

// Opens the scheduler channel (a missing address is a usage error found
// before anything is sent), then asks pairing for the caller's couple.
absl::StatusOr<Session> OpenSession() {
  TEND_ASSIGN_OR_RETURN(std::unique_ptr<Stub> stub, SchedulerStub());
  TEND_ASSIGN_OR_RETURN(const pairing::v1::Couple couple, CallerCouple());
  return Session{std::move(stub), couple.name(),
                 ViewerFor(couple, CallerUserId())};
}

// The flags of a couple-scoped command: `own`, the pairing address, and
// what every scheduler call reads.
std::vector<std::string> CoupleFlags(std::vector<std::string> own) {
  own.emplace_back("pairing_addr");
  return CallFlags(std::move(own), "scheduler_addr");
}

// Every ritual of `session`'s couple in `states` (every state but DECLINED
// when empty).
absl::StatusOr<v1::ListRitualsResponse> ListAllRituals(
    Session& session, const std::vector<v1::RitualState>& states) {
  v1::ListRitualsRequest request;
  request.set_parent(session.couple);
  for (v1::RitualState state : states) request.add_states(state);
  v1::ListRitualsResponse rituals;
  TEND_RETURN_IF_ERROR(
      CallAllPages(*session.stub, &Stub::ListRituals, request, &rituals));
  return rituals;
}

// Rituals one after another, separated by blank lines.
std::string FormatRituals(
    const google::protobuf::RepeatedPtrField<v1::Ritual>& rituals,
    const Viewer& viewer) {
  std::vector<std::string> blocks;
  for (const v1::Ritual& ritual : rituals) {
    blocks.push_back(FormatRitual(ritual, viewer, Now()));
  }
  return absl::StrJoin(blocks, "\n");
}

absl::Status RunRitualsList(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {}));
  TEND_ASSIGN_OR_RETURN(Session session, OpenSession());
  std::vector<v1::RitualState> states;
  if (absl::GetFlag(FLAGS_all)) {
    for (int state = v1::RitualState_MIN + 1; state <= v1::RitualState_MAX;
         ++state) {
      if (v1::RitualState_IsValid(state)) {
        states.push_back(static_cast<v1::RitualState>(state));
      }
    }
  }
  TEND_ASSIGN_OR_RETURN(const v1::ListRitualsResponse rituals,
                        ListAllRituals(session, states));
  if (rituals.rituals().empty()) {
    return Emit(rituals,
                "No rituals yet. 'tendctl rituals templates' shows where to "
                "start.\n");
  }
  int waiting = 0;
  for (const v1::Ritual& ritual : rituals.rituals()) {
    if (WaitsForAcceptance(ritual, session.viewer.user_id)) ++waiting;
  }
  std::string heading =
      absl::StrCat(rituals.rituals_size(),
                   rituals.rituals_size() == 1 ? " ritual" : " rituals");
  if (waiting > 0) {
    absl::StrAppend(&heading, "; ", waiting, waiting == 1 ? " waits" : " wait",
                    " for your acceptance ('tendctl rituals accept --all')");
  }
  return Emit(rituals,
              absl::StrCat(heading, ".\n\n",
                           FormatRituals(rituals.rituals(), session.viewer)));
}

absl::Status RunRitualsTemplates(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {}));
  TEND_ASSIGN_OR_RETURN(std::unique_ptr<Stub> stub, SchedulerStub());
  v1::ListRitualTemplatesResponse templates;
  TEND_RETURN_IF_ERROR(CallAllPages(*stub, &Stub::ListRitualTemplates,
                                    v1::ListRitualTemplatesRequest(),
                                    &templates));
  std::vector<std::string> blocks;
  for (const v1::RitualTemplate& ritual : templates.ritual_templates()) {
    blocks.push_back(FormatTemplate(ritual));
  }
  return Emit(templates,
              absl::StrCat(absl::StrJoin(blocks, "\n"),
                           "\nStart one with: tendctl rituals add ID\n"));
}

// Fills `request` from TEMPLATE_ID and the flags of `rituals add`, except
// the first day when only --at is given: that is today on the caller's
// clock, which only the session knows.
absl::Status CreateRequestFromFlags(const std::string& template_id,
                                    v1::CreateRitualRequest* request) {
  v1::Ritual* ritual = request->mutable_ritual();
  const bool custom = template_id == "custom";
  const std::string title = absl::GetFlag(FLAGS_title);
  const std::string rrule = absl::GetFlag(FLAGS_rrule);
  const std::string at = absl::GetFlag(FLAGS_at);
  const std::string start = absl::GetFlag(FLAGS_start);
  const std::string kind = absl::GetFlag(FLAGS_kind);
  if (custom && (title.empty() || at.empty())) {
    return UsageError(
        "a custom ritual needs --title and --at (and --rrule, unless it "
        "happens once)");
  }
  if (!custom) {
    ritual->set_ritual_template(
        absl::StartsWith(template_id, "ritualTemplates/")
            ? template_id
            : absl::StrCat("ritualTemplates/", template_id));
  }
  if (!title.empty()) ritual->set_title(title);
  if (!kind.empty()) {
    TEND_ASSIGN_OR_RETURN(const v1::RitualKind parsed,
                          ParseRitualKind("kind", kind));
    ritual->set_kind(parsed);
  } else if (custom) {
    ritual->set_kind(v1::RITUAL_KIND_SHARED);
  }
  if (!rrule.empty()) ritual->mutable_recurrence()->set_rrule(rrule);
  if (!at.empty()) {
    TEND_ASSIGN_OR_RETURN(
        *ritual->mutable_recurrence()->mutable_dtstart()->mutable_time(),
        ParseTimeOfDay("at", at));
  }
  if (!start.empty()) {
    TEND_ASSIGN_OR_RETURN(
        *ritual->mutable_recurrence()->mutable_dtstart()->mutable_date(),
        ParseDate("start", start));
  }
  request->set_note(absl::GetFlag(FLAGS_note));
  return absl::OkStatus();
}

absl::Status RunRitualsAdd(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {"TEMPLATE_ID"}));
  v1::CreateRitualRequest request;
  TEND_RETURN_IF_ERROR(CreateRequestFromFlags(args[0], &request));
  TEND_ASSIGN_OR_RETURN(Session session, OpenSession());
  request.set_parent(session.couple);
  tend::type::v1::LocalDateTime* dtstart =
      request.ritual().has_recurrence() &&
              request.ritual().recurrence().has_dtstart()
          ? request.mutable_ritual()->mutable_recurrence()->mutable_dtstart()
          : nullptr;
  if (dtstart != nullptr && !dtstart->has_date()) {
    const absl::CivilDay today = absl::ToCivilDay(Now(), session.viewer.zone);
    dtstart->mutable_date()->set_year(static_cast<int32_t>(today.year()));
    dtstart->mutable_date()->set_month(today.month());
    dtstart->mutable_date()->set_day(today.day());
  }
  v1::Ritual ritual;
  TEND_RETURN_IF_ERROR(
      Call(*session.stub, &Stub::CreateRitual, request, &ritual));
  std::string heading = "Added:\n\n";
  if (ritual.state() == v1::RITUAL_STATE_PROPOSED) {
    heading = absl::StrCat(
        "Proposed. It starts once accepted with 'tendctl "
        "rituals accept ",
        ShortId(ritual.name()), "'.\n\n");
  }
  return Emit(ritual, absl::StrCat(heading, FormatRitual(ritual, session.viewer,
                                                         Now())));
}

// Accepts, in batches, every proposed ritual that waits for the caller.
absl::Status AcceptAllWaiting(Session& session) {
  TEND_ASSIGN_OR_RETURN(const v1::ListRitualsResponse proposed,
                        ListAllRituals(session, {v1::RITUAL_STATE_PROPOSED}));
  std::vector<std::string> names;
  for (const v1::Ritual& ritual : proposed.rituals()) {
    if (WaitsForAcceptance(ritual, session.viewer.user_id)) {
      names.push_back(ritual.name());
    }
  }
  v1::BatchAcceptRitualsResponse accepted;
  if (names.empty()) {
    return Emit(accepted, "Nothing waits for your acceptance.\n");
  }
  for (size_t first = 0; first < names.size(); first += kBatchAcceptLimit) {
    v1::BatchAcceptRitualsRequest request;
    request.set_parent(session.couple);
    for (size_t i = first; i < names.size() && i < first + kBatchAcceptLimit;
         ++i) {
      request.add_names(names[i]);
    }
    v1::BatchAcceptRitualsResponse batch;
    TEND_RETURN_IF_ERROR(
        Call(*session.stub, &Stub::BatchAcceptRituals, request, &batch));
    accepted.MergeFrom(batch);
  }
  return Emit(
      accepted,
      absl::StrCat("Accepted ", accepted.rituals_size(),
                   accepted.rituals_size() == 1 ? " ritual" : " rituals",
                   ".\n\n", FormatRituals(accepted.rituals(), session.viewer)));
}

// Runs one of the verbs that act on the ritual NAME and answer with it:
// names it in `request` (which holds the verb's other fields), calls
// `method`, and prints `heading` and the ritual as it now stands.
template <typename Request>
absl::Status ChangeRitual(const Session& session, const std::string& name,
                          grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                       const Request&,
                                                       v1::Ritual*),
                          Request request, absl::string_view heading) {
  request.set_name(ExpandName(session.couple, "rituals", name));
  v1::Ritual ritual;
  TEND_RETURN_IF_ERROR(Call(*session.stub, method, request, &ritual));
  return Emit(ritual, absl::StrCat(heading, FormatRitual(ritual, session.viewer,
                                                         Now())));
}

absl::Status RunRitualsAccept(const std::vector<std::string>& args) {
  const bool all = absl::GetFlag(FLAGS_all);
  if (all && !args.empty()) {
    return UsageError("pass NAME or --all, not both");
  }
  if (!all) TEND_RETURN_IF_ERROR(ExpectArgs(args, {"NAME (or --all)"}));
  TEND_ASSIGN_OR_RETURN(Session session, OpenSession());
  if (all) return AcceptAllWaiting(session);
  return ChangeRitual(session, args[0], &Stub::AcceptRitual,
                      v1::AcceptRitualRequest(), "Accepted.\n\n");
}

absl::Status RunRitualsDecline(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {"NAME"}));
  TEND_ASSIGN_OR_RETURN(Session session, OpenSession());
  v1::DeclineRitualRequest request;
  request.set_note(absl::GetFlag(FLAGS_note));
  return ChangeRitual(session, args[0], &Stub::DeclineRitual,
                      std::move(request), "Declined.\n\n");
}

absl::Status RunRitualsPause(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {"NAME"}));
  const std::string until = absl::GetFlag(FLAGS_until);
  // The shape is checked before any call; the local reading needs the
  // caller's clock, which the session brings.
  if (!until.empty()) {
    TEND_RETURN_IF_ERROR(
        ParseInstant("until", until, absl::UTCTimeZone()).status());
  }
  TEND_ASSIGN_OR_RETURN(Session session, OpenSession());
  v1::PauseRitualRequest request;
  request.set_note(absl::GetFlag(FLAGS_note));
  if (!until.empty()) {
    TEND_ASSIGN_OR_RETURN(const absl::Time resume,
                          ParseInstant("until", until, session.viewer.zone));
    *request.mutable_resume_time() = ToTimestamp(resume);
  }
  return ChangeRitual(session, args[0], &Stub::PauseRitual, std::move(request),
                      "Paused; its streaks are frozen, not broken.\n\n");
}

absl::Status RunRitualsResume(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {"NAME"}));
  TEND_ASSIGN_OR_RETURN(Session session, OpenSession());
  return ChangeRitual(session, args[0], &Stub::ResumeRitual,
                      v1::ResumeRitualRequest(), "Resumed.\n\n");
}

absl::Status RunRitualsRm(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {"NAME"}));
  TEND_ASSIGN_OR_RETURN(Session session, OpenSession());
  v1::DeleteRitualRequest request;
  request.set_name(ExpandName(session.couple, "rituals", args[0]));
  google::protobuf::Empty empty;
  TEND_RETURN_IF_ERROR(
      Call(*session.stub, &Stub::DeleteRitual, request, &empty));
  return Emit(empty, absl::StrCat("Deleted ", request.name(),
                                  ". Its future reminders are cancelled; "
                                  "your partner is told, and streak history "
                                  "is kept.\n"));
}

absl::Status RunRitualsSkip(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {"NAME"}));
  const std::string at = absl::GetFlag(FLAGS_at);
  if (at.empty()) {
    return UsageError(
        "missing --at: the occurrence to skip, as 'tendctl preview' shows it "
        "(e.g. --at '2024-05-05 19:00')");
  }
  TEND_RETURN_IF_ERROR(ParseInstant("at", at, absl::UTCTimeZone()).status());
  TEND_ASSIGN_OR_RETURN(Session session, OpenSession());
  TEND_ASSIGN_OR_RETURN(const absl::Time occurrence_time,
                        ParseInstant("at", at, session.viewer.zone));
  v1::SkipOccurrenceRequest request;
  request.set_name(ExpandName(session.couple, "rituals", args[0]));
  *request.mutable_occurrence_time() = ToTimestamp(occurrence_time);
  request.set_note(absl::GetFlag(FLAGS_note));
  v1::Occurrence occurrence;
  TEND_RETURN_IF_ERROR(
      Call(*session.stub, &Stub::SkipOccurrence, request, &occurrence));
  return Emit(occurrence,
              absl::StrCat("Skipped ", occurrence.title(), " on ",
                           FormatLocal(FromTimestamp(occurrence.start_time()),
                                       session.viewer.zone),
                           " for you both. An agreed skip never breaks a "
                           "streak.\n"));
}

absl::Status RunPreview(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {}));
  const int32_t days = absl::GetFlag(FLAGS_days);
  if (days < 1 || days > 90) {
    return UsageError(absl::StrCat("--days: expected 1 to 90, got ", days));
  }
  TEND_ASSIGN_OR_RETURN(Session session, OpenSession());
  v1::PreviewScheduleRequest request;
  request.set_parent(session.couple);
  request.set_days(days);
  request.set_include_proposed(absl::GetFlag(FLAGS_include_proposed));
  const absl::Time start = Now();
  v1::PreviewScheduleResponse preview;
  TEND_RETURN_IF_ERROR(
      Call(*session.stub, &Stub::PreviewSchedule, request, &preview));
  std::string text = FormatPreview(preview, session.viewer, start, days);
  if (preview.occurrences().empty() && !request.include_proposed()) {
    absl::StrAppend(&text,
                    "Rituals still proposed are left out: accept them with "
                    "'tendctl rituals accept --all', or pass "
                    "--include_proposed to see them as if accepted.\n");
  }
  return Emit(preview, text);
}

absl::Status RunWatch(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {}));
  const int32_t count = absl::GetFlag(FLAGS_count);
  const absl::Duration timeout = absl::GetFlag(FLAGS_timeout);
  if (count < 0) return UsageError("--count: must be 0 or more");
  if (timeout < absl::ZeroDuration()) {
    return UsageError("--timeout: must be 0 or more");
  }
  TEND_ASSIGN_OR_RETURN(Session session, OpenSession());
  TEND_ASSIGN_OR_RETURN(const std::string token, ResolveToken());
  grpc::ClientContext context;
  PrepareContext(token, &context);
  context.set_deadline(timeout == absl::ZeroDuration()
                           ? std::chrono::system_clock::time_point::max()
                           : absl::ToChronoTime(Now() + timeout));
  std::unique_ptr<grpc::ClientReader<v1::WatchRemindersResponse>> stream =
      session.stub->WatchReminders(&context, v1::WatchRemindersRequest());
  if (!absl::GetFlag(FLAGS_json)) {
    std::fprintf(
        stderr, "Watching for your reminders (%s)...\n",
        timeout == absl::ZeroDuration()
            ? "until interrupted"
            : absl::StrCat("up to ", absl::FormatDuration(timeout)).c_str());
  }
  int arrived = 0;
  v1::WatchRemindersResponse event;
  while (stream->Read(&event)) {
    const bool due = event.type() != v1::REMINDER_EVENT_TYPE_CHANGED;
    if (due) ++arrived;
    TEND_RETURN_IF_ERROR(Emit(
        event,
        absl::StrCat(due ? "" : "Changed: ",
                     FormatReminder(event.reminder(), session.viewer), "\n")));
    std::fflush(stdout);
    if (count > 0 && arrived >= count) {
      context.TryCancel();
      break;
    }
  }
  const grpc::Status finished = stream->Finish();
  if (count > 0 && arrived >= count) return absl::OkStatus();
  if (count == 0 &&
      finished.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return absl::OkStatus();
  }
  const std::string got =
      arrived == 0
          ? "no reminder arrived"
          : absl::StrCat("only ", arrived, " of ", count, " reminders arrived");
  if (finished.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return absl::DeadlineExceededError(absl::StrCat(
        got, " within ", absl::FormatDuration(timeout), " (--timeout)"));
  }
  if (finished.ok()) {
    return absl::UnavailableError(
        absl::StrCat("the scheduler closed the stream; ", got));
  }
  return services::FromGrpcStatus(finished);
}

absl::Status RunAck(const std::vector<std::string>& args) {
  if (args.empty()) return UsageError("missing ID");
  v1::AcknowledgeReminderRequest request;
  TEND_RETURN_IF_ERROR(ParseAcknowledgement(
      std::vector<std::string>(args.begin() + 1, args.end()), &request));
  const int32_t mood = absl::GetFlag(FLAGS_mood);
  if (mood < 0 || mood > 5) {
    return UsageError(
        absl::StrCat("--mood: expected 1 (low) to 5 (great), got ", mood));
  }
  request.set_mood(mood);
  TEND_ASSIGN_OR_RETURN(Session session, OpenSession());
  request.set_name(ExpandName(session.couple, "reminders", args[0]));
  v1::Reminder reminder;
  TEND_RETURN_IF_ERROR(
      Call(*session.stub, &Stub::AcknowledgeReminder, request, &reminder));
  return Emit(reminder, FormatAcknowledged(reminder, session.viewer));
}

absl::Status RunCadence(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {}));
  TEND_ASSIGN_OR_RETURN(Session session, OpenSession());
  v1::GetCadenceRequest request;
  request.set_name(absl::StrCat(session.couple, "/cadence"));
  v1::Cadence cadence;
  TEND_RETURN_IF_ERROR(
      Call(*session.stub, &Stub::GetCadence, request, &cadence));
  return Emit(cadence, FormatCadence(cadence, session.viewer));
}

absl::Status RunStreaks(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {}));
  TEND_ASSIGN_OR_RETURN(Session session, OpenSession());
  v1::GetStreaksRequest request;
  request.set_name(absl::StrCat(session.couple, "/streaks"));
  v1::Streaks streaks;
  TEND_RETURN_IF_ERROR(
      Call(*session.stub, &Stub::GetStreaks, request, &streaks));
  // Streaks name rituals; their titles come from the list, ended and
  // declined ones included.
  TEND_ASSIGN_OR_RETURN(
      const v1::ListRitualsResponse rituals,
      ListAllRituals(session,
                     {v1::RITUAL_STATE_PROPOSED, v1::RITUAL_STATE_ACTIVE,
                      v1::RITUAL_STATE_PAUSED, v1::RITUAL_STATE_DECLINED,
                      v1::RITUAL_STATE_ENDED}));
  std::map<std::string, std::string> titles;
  for (const v1::Ritual& ritual : rituals.rituals()) {
    titles[ritual.name()] = ritual.title();
  }
  return Emit(streaks, FormatStreaks(streaks, titles, session.viewer));
}

absl::Status RunReminders(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {}));
  v1::ListRemindersRequest request;
  if (const std::string state = absl::GetFlag(FLAGS_state); !state.empty()) {
    TEND_ASSIGN_OR_RETURN(const std::vector<v1::ReminderState> states,
                          ParseReminderStates("state", state));
    for (v1::ReminderState s : states) request.add_states(s);
  }
  TEND_ASSIGN_OR_RETURN(Session session, OpenSession());
  request.set_parent(session.couple);
  v1::ListRemindersResponse reminders;
  TEND_RETURN_IF_ERROR(
      CallAllPages(*session.stub, &Stub::ListReminders, request, &reminders));
  return Emit(reminders, FormatReminderTable({reminders.reminders().begin(),
                                              reminders.reminders().end()},
                                             session.viewer));
}

}  // namespace

std::vector<Command> SchedulerCommands() {
  return {
      {"rituals list", "List your couple's rituals.", "[--all]",
       "For each ritual: its id (for the other rituals commands), kind, "
       "schedule in words with its time zone, reminders, state, whether it "
       "waits for your acceptance, and the next occurrence on your clock. "
       "Declined rituals only with --all.",
       CoupleFlags({"all"}), &RunRitualsList},
      {"rituals templates", "List the rituals you can start from.", "",
       "Each template's id (for 'tendctl rituals add ID'), title, kind, "
       "schedule, reminders and practice, and whether Tend proposes it when "
       "a couple pairs.",
       CallFlags({}, "scheduler_addr"), &RunRitualsTemplates},
      {"rituals add", "Propose a ritual, from a template or your own.",
       "TEMPLATE_ID [--title T] [--rrule R] [--at HH:MM] [--start YYYY-MM-DD] "
       "[--kind shared|personal] [--note N]",
       "TEMPLATE_ID is a template's id from 'tendctl rituals templates'; the "
       "flags given change its defaults. TEMPLATE_ID 'custom' starts from "
       "nothing and needs --title and --at (and --rrule unless it happens "
       "once). A ritual that involves your partner starts as a proposal and "
       "runs once they accept it; a personal one for you alone runs at once. "
       "FAILED_PRECONDITION when a shared time falls outside either "
       "partner's waking hours; NOT_FOUND for an unknown template.",
       CoupleFlags({"title", "rrule", "at", "start", "kind", "note"}),
       &RunRitualsAdd},
      {"rituals accept", "Accept a proposed ritual, or all that wait for you.",
       "NAME|--all",
       "NAME is a ritual's id from 'tendctl rituals list' or its full name "
       "couples/{couple}/rituals/{id}. --all accepts every proposed ritual "
       "that waits for you in one step (BatchAcceptRituals), e.g. the ones "
       "Tend suggested when you paired. FAILED_PRECONDITION when there is "
       "nothing to accept or you proposed it yourself.",
       CoupleFlags({"all"}), &RunRitualsAccept},
      {"rituals decline", "Decline a proposed ritual or a proposed change.",
       "NAME [--note N]",
       "A new ritual becomes declined; a proposed change is dropped and the "
       "ritual runs on as it was. The proposer may decline to withdraw "
       "their own proposal.",
       CoupleFlags({"note"}), &RunRitualsDecline},
      {"rituals pause", "Pause a ritual for a while, without breaking streaks.",
       "NAME [--until RFC3339] [--note N]",
       "No reminders while paused; its streaks freeze instead of breaking. "
       "Either partner may pause. With --until it resumes by itself.",
       CoupleFlags({"until", "note"}), &RunRitualsPause},
      {"rituals resume", "Resume a paused ritual.", "NAME",
       "It runs again from its next occurrence.", CoupleFlags({}),
       &RunRitualsResume},
      {"rituals rm", "Delete a ritual.", "NAME",
       "Cancels its future reminders. Either partner may delete a ritual; "
       "the other is told. Streak history is kept.",
       CoupleFlags({}), &RunRitualsRm},
      {"rituals skip", "Skip one occurrence of a ritual for you both.",
       "NAME --at RFC3339 [--note N]",
       "--at is the occurrence's start, as RFC 3339 or as 'YYYY-MM-DD HH:MM' "
       "on your clock (the 'starts' time 'tendctl preview' shows in your "
       "column). An agreed skip never breaks a streak. NOT_FOUND when the "
       "ritual has no occurrence then.",
       CoupleFlags({"at", "note"}), &RunRitualsSkip},
      {"preview", "Show the days ahead for you both, day by day.",
       "[--days 14] [--include_proposed]",
       "Plans without changing anything. Days are counted on your clock. "
       "Under each occurrence, its start and every reminder for each "
       "partner on both partners' clocks (your column first); a reminder "
       "moved out of quiet hours or dropped (quiet hours, daily budget, a "
       "skip, a pause) says why. A shared occurrence outside a partner's "
       "waking hours is a conflict, listed with nearby times that suit you "
       "both and the ritual's time that gives each.",
       CoupleFlags({"days", "include_proposed"}), &RunPreview},
      {"watch", "Print your reminders live as they fall due.",
       "[--count N] [--timeout 60s]",
       "Keeps a WatchReminders stream open and prints each reminder as it "
       "arrives: its due time on your clock, title, body, question and how "
       "to answer it; and a reminder that changes elsewhere (e.g. answered "
       "on your phone). Exits 0 once --count reminders have arrived, or at "
       "--timeout when no --count was given; exits 1 when --timeout passes "
       "first. With --json, one JSON event after another.",
       CoupleFlags({"count", "timeout"}), &RunWatch},
      {"ack", "Answer a reminder: done, snooze or skip.",
       "ID done|snooze DURATION|skip [--mood 1-5]",
       "ID is the reminder's id, as 'tendctl watch' prints it, or its full "
       "name couples/{couple}/reminders/{id}. DURATION is e.g. 30m or 1h30m, "
       "1 minute to 24 hours; a snooze never lands in quiet hours. Skip "
       "answers your reminder only; 'tendctl rituals skip' skips an "
       "occurrence for you both. FAILED_PRECONDITION when it is not yet due "
       "or already answered.",
       CoupleFlags({"mood"}), &RunAck},
      {"cadence", "Show how often you check in, and why.", "",
       "The check-in interval, the practices Tend emphasises now, the reason "
       "in words, recent mood and connection, the last and next check-in, "
       "and a gentle counselling suggestion when the signals have stayed "
       "low.",
       CoupleFlags({}), &RunCadence},
      {"streaks", "Show your streaks, together and per ritual.", "",
       "Kept occurrences in a row and the longest run. An agreed skip never "
       "breaks a streak, and a pause freezes it.",
       CoupleFlags({}), &RunStreaks},
      {"reminders", "List your couple's reminders, for debugging.",
       "[--state S]",
       "Every reminder of both partners, earliest due first: due time on "
       "your clock, state, recipient, ritual and id.",
       CoupleFlags({"state"}), &RunReminders},
  };
}

}  // namespace tend::tendctl
