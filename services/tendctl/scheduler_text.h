// How tendctl reads the scheduler's values from a command line and writes
// them for a person: recurrence rules in words, times on both partners'
// clocks, the day-by-day preview, reminders, streaks and cadence.
//
// Everything here is pure: it takes protos and a Viewer (who reads, and on
// which clock) and returns text, so the unit test builds its input by hand
// and no service is needed. scheduler_commands.cc makes the calls.
//
//   const Viewer viewer = ViewerFor(couple, CallerUserId());
//   std::printf("%s", FormatPreview(response, viewer, now, 14).c_str());
//   DescribeRrule("FREQ=WEEKLY;BYDAY=SU");  // "weekly on Sunday"
#ifndef TEND_SERVICES_TENDCTL_SCHEDULER_TEXT_H_
#define TEND_SERVICES_TENDCTL_SCHEDULER_TEXT_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tend/pairing/v1/pairing.pb.h"
#include "tend/scheduler/v1/scheduler.pb.h"
#include "tend/type/v1/civil_time.pb.h"

namespace tend::tendctl {

// Person
//
// One partner as the output names them and reads their clock.
struct Person {
  std::string user_id;
  // The display name, or the user id when there is none.
  std::string display_name;
  // How prose names them: "you" for the caller, else display_name.
  std::string name;
  // The profile's IANA zone name; empty when not set.
  std::string zone_name;
  // That zone, or UTC when it is empty or does not load.
  absl::TimeZone zone = absl::UTCTimeZone();
};

// Viewer
//
// Who reads the output: the caller and their partner, the caller first,
// and the caller's own clock, on which days are counted.
struct Viewer {
  std::string user_id;
  // The caller's zone name, or the couple's home zone when the caller has
  // none set, or "UTC".
  std::string zone_name = "UTC";
  absl::TimeZone zone = absl::UTCTimeZone();
  // The couple's partners, the caller first. Empty when unknown.
  std::vector<Person> people;
};

// ViewerFor()
//
// The viewer of `couple` (from the pairing service's GetCouple) who is
// `caller_user_id`.
Viewer ViewerFor(const tend::pairing::v1::Couple& couple,
                 absl::string_view caller_user_id);

// NameOf()
//
// How the output names `user_id`: "you", the partner's name, or the id
// itself for someone outside the couple.
std::string NameOf(const Viewer& viewer, absl::string_view user_id);

// FormatLocal()
//
// `time` on the clock of `zone`: "Sun 5 May 19:00 EDT".
std::string FormatLocal(absl::Time time, absl::TimeZone zone);

// ExpandName()
//
// A child resource's full name: "couples/c1/rituals/r1" from parent
// "couples/c1", collection "rituals" and "r1". A `name_or_id` that already
// holds a '/' is returned as it is.
std::string ExpandName(absl::string_view parent, absl::string_view collection,
                       absl::string_view name_or_id);

// ShortId()
//
// The last segment of a resource name: "r1" from "couples/c1/rituals/r1".
absl::string_view ShortId(absl::string_view name);

// DescribeRrule()
//
// An RFC 5545 RRULE in words: "weekly on Sunday", "every 2 weeks on Monday
// and Thursday", "monthly on the last Sunday", "daily, 10 times". Empty is
// "once". A rule the engine's parser refuses comes back as written.
std::string DescribeRrule(absl::string_view rrule);

// DescribeRecurrence()
//
// When a ritual of `kind` recurs, in words: "weekly on Sunday at 19:00
// (America/New_York)", "daily, 15 minutes before leaving for work (each in
// their own time zone)", "once on Sun 5 May 2024 at 19:00 (Europe/London)".
std::string DescribeRecurrence(
    const tend::scheduler::v1::Recurrence& recurrence,
    tend::scheduler::v1::RitualKind kind);

// PracticeInWords()
//
// "check-ins", "deeper questions".
std::string PracticeInWords(tend::type::v1::Practice practice);

// WaitsForAcceptance()
//
// True when `ritual` has an open proposal that `user_id` neither made nor
// has accepted yet.
bool WaitsForAcceptance(const tend::scheduler::v1::Ritual& ritual,
                        absl::string_view user_id);

// FormatRitual()
//
// One ritual as a title line and labelled lines: id, kind, state (and
// whether it waits for the viewer), schedule in words, and the next
// occurrence on the viewer's clock, counted from `now`.
std::string FormatRitual(const tend::scheduler::v1::Ritual& ritual,
                         const Viewer& viewer, absl::Time now);

// FormatTemplate()
//
// One ritual template: its id and title, then its defaults in words.
std::string FormatTemplate(const tend::scheduler::v1::RitualTemplate& ritual);

// FormatPreview()
//
// The plan of the `days` days from `start`, day by day on the viewer's
// clock: each occurrence with its start on both partners' clocks, under it
// every reminder for each partner (moved or dropped ones with the
// service's explanation), and each conflict with the times that suit both.
// Ends with a count of what it showed. The example above its definition in
// scheduler_text.cc shows the layout.
std::string FormatPreview(
    const tend::scheduler::v1::PreviewScheduleResponse& preview,
    const Viewer& viewer, absl::Time start, int days);

// FormatReminder()
//
// A reminder as it arrives: its due time on the viewer's clock and its
// title, then body, question and listening guide, then how to answer it.
std::string FormatReminder(const tend::scheduler::v1::Reminder& reminder,
                           const Viewer& viewer);

// FormatAcknowledged()
//
// What answering a reminder did, e.g. "Snoozed Sunday check-in: it comes
// back Sun 5 May 18:30 EDT."
std::string FormatAcknowledged(const tend::scheduler::v1::Reminder& reminder,
                               const Viewer& viewer);

// FormatReminderTable()
//
// Reminders as a table: due on the viewer's clock, state, recipient,
// ritual title, reminder id.
std::string FormatReminderTable(
    const std::vector<tend::scheduler::v1::Reminder>& reminders,
    const Viewer& viewer);

// FormatCadence()
//
// The check-in interval in words ("weekly"), the practices emphasised, the
// reason, recent signals, and the counselling suggestion when there is one.
std::string FormatCadence(const tend::scheduler::v1::Cadence& cadence,
                          const Viewer& viewer);

// FormatStreaks()
//
// The couple's streak, then one line per ritual. `titles` maps ritual
// names to titles; a ritual missing from it is shown by its id.
std::string FormatStreaks(const tend::scheduler::v1::Streaks& streaks,
                          const std::map<std::string, std::string>& titles,
                          const Viewer& viewer);

// ParseAcknowledgement()
//
// Reads what follows the reminder id of `tendctl ack`: {"done"},
// {"snooze", "30m"} or {"skip"}, into `request`'s action and
// snooze_duration. A UsageError otherwise; whether the snooze is within 1
// minute to 24 hours is the service's to judge.
absl::Status ParseAcknowledgement(
    const std::vector<std::string>& words,
    tend::scheduler::v1::AcknowledgeReminderRequest* request);

// ParseInstant()
//
// Reads an instant for flag `--flag`: RFC 3339 ("2024-05-05T19:00:00-04:00",
// seconds optional) or a local "YYYY-MM-DD HH:MM" (or with 'T') on the
// clock of `zone`, as the preview prints it.
absl::StatusOr<absl::Time> ParseInstant(absl::string_view flag,
                                        absl::string_view text,
                                        absl::TimeZone zone);

// ParseDate()
//
// Reads "YYYY-MM-DD", a day that exists, for flag `--flag`.
absl::StatusOr<tend::type::v1::Date> ParseDate(absl::string_view flag,
                                               absl::string_view text);

// ParseRitualKind()
//
// Reads "shared" or "personal" (or the enum's own name), in any case.
absl::StatusOr<tend::scheduler::v1::RitualKind> ParseRitualKind(
    absl::string_view flag, absl::string_view text);

// ParseReminderStates()
//
// Reads a comma-separated list of reminder states, each short
// ("delivered") or the enum's own name, in any case.
absl::StatusOr<std::vector<tend::scheduler::v1::ReminderState>>
ParseReminderStates(absl::string_view flag, absl::string_view text);

}  // namespace tend::tendctl

#endif  // TEND_SERVICES_TENDCTL_SCHEDULER_TEXT_H_
