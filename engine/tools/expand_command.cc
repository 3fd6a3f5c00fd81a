// tend-plan expand: the occurrences of a recurrence rule, as the scheduler
// would fire them.
//
//   $ tend-plan expand --rrule FREQ=DAILY --dtstart 20260307T023000
//         --tz America/New_York --count 3
//   2026-03-07T02:30:00-05:00
//   2026-03-08T03:30:00-04:00     (02:30 does not exist that night)
//   2026-03-09T02:30:00-04:00
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/recur/recurrence.h"
#include "engine/recur/rrule.h"
#include "engine/tools/command_line.h"
#include "engine/tools/commands.h"

namespace tend::engine {
namespace {

constexpr char kCommand[] = "expand";
constexpr int kDefaultCount = 20;
constexpr int kMaxCount = 100000;

constexpr char kHelp[] =
    "usage: tend-plan expand --rrule RULE --dtstart YYYYMMDDTHHMMSS --tz ZONE\n"
    "                        [--count N] [--after RFC3339]\n"
    "\n"
    "Prints the occurrences of an RFC 5545 recurrence rule, one a line, as\n"
    "RFC 3339 times with the zone's offset (e.g. 2026-03-08T03:30:00-04:00).\n"
    "DTSTART is the first occurrence. A local time skipped by a daylight-\n"
    "saving change moves past the gap; a repeated one is the first.\n"
    "\n"
    "  --rrule    the rule, e.g. 'FREQ=MONTHLY;BYDAY=-1SU' (RRULE: optional)\n"
    "  --dtstart  the first occurrence in local time, e.g. 20260301T090000\n"
    "  --tz       IANA time zone, e.g. Europe/London\n"
    "  --count    print at most N occurrences (default 20, at most 100000)\n"
    "  --after    only occurrences strictly after this instant, e.g.\n"
    "             2026-03-08T00:00:00Z\n"
    "\n"
    "Invalid input exits with status 2 and one line on stderr.\n";

std::string FormatRfc3339(absl::Time instant, absl::TimeZone zone) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", instant, zone);
}

}  // namespace

int RunExpand(int argc, char** argv) {
  absl::StatusOr<CommandLine> flags = CommandLine::Parse(
      argc, argv, {"rrule", "dtstart", "tz", "count", "after"}, {"help"});
  if (!flags.ok()) return UsageError(kCommand, flags.status().message());
  if (flags->Has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!flags->positional().empty()) {
    return UsageError(kCommand, absl::StrCat("unexpected argument \"",
                                             flags->positional()[0], "\""));
  }
  for (const char* required : {"rrule", "dtstart", "tz"}) {
    if (!flags->Has(required)) {
      return UsageError(kCommand, absl::StrCat("--", required, " is required"));
    }
  }

  absl::StatusOr<absl::CivilSecond> dtstart =
      ParseLocalDateTime(*flags->Value("dtstart"));
  if (!dtstart.ok()) {
    return UsageError(kCommand,
                      absl::StrCat("--dtstart: ", dtstart.status().message()));
  }
  absl::TimeZone zone;
  const std::string zone_name = *flags->Value("tz");
  if (!absl::LoadTimeZone(zone_name, &zone)) {
    return UsageError(
        kCommand, absl::StrCat("--tz: unknown time zone \"", zone_name, "\""));
  }
  absl::StatusOr<std::optional<int>> count =
      flags->IntValue("count", 1, kMaxCount);
  if (!count.ok()) return UsageError(kCommand, count.status().message());
  absl::StatusOr<std::optional<absl::Time>> after = flags->TimeValue("after");
  if (!after.ok()) return UsageError(kCommand, after.status().message());
  absl::StatusOr<Recurrence> recurrence =
      Recurrence::Parse(*flags->Value("rrule"), *dtstart, zone);
  if (!recurrence.ok()) {
    return UsageError(kCommand, recurrence.status().message());
  }

  for (const Occurrence& occurrence :
       recurrence->Expand(after->value_or(absl::InfinitePast()),
                          count->value_or(kDefaultCount))) {
    std::printf("%s\n", FormatRfc3339(occurrence.instant, zone).c_str());
  }
  return 0;
}

}  // namespace tend::engine
