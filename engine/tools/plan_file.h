// Plan files: a couple and its rituals as a JSON document, for
// `tend-plan preview` and for anyone who wants to try the planner on a
// couple without running the services.
//
// The format is documented, with a full example, in engine/tools/README.md
// ("Plan files"); engine/tools/examples/ holds two. In short:
//
//   {
//     "home_time_zone": "America/New_York",
//     "partners": [
//       {"id": "u-alex", "name": "Alex", "time_zone": "America/New_York",
//        "waking_hours": "07:00-22:00", "quiet_hours": "22:00-07:00",
//        "daily_budget": 6, "leave_for_work": "08:15"},
//       {"id": "u-sam", "name": "Sam", "time_zone": "Europe/London", ...}
//     ],
//     "rituals": [
//       {"template": "weekly-check-in", "dtstart": "2026-03-01T19:00"},
//       {"id": "call", "title": "Sunday call", "kind": "shared",
//        "rrule": "FREQ=WEEKLY;BYDAY=SU", "dtstart": "2026-03-01T15:00",
//        "duration": "45m", "lead_times": ["1h"]}
//     ]
//   }
//
//   absl::StatusOr<PlanFile> file = ParsePlanFile(text, clock->Now());
//   if (!file.ok()) return UsageError("preview", file.status().message());
//   PlanRituals(file->couple, file->rituals, from, to);
//
// Every field is checked while reading, so a bad file is reported with the
// path of the field in the document and the rule it breaks, e.g.
// "partners[1].time_zone: 'Mars/Base' is not in the time zone database",
// rather than with the planner's own field names.
#ifndef TEND_ENGINE_TOOLS_PLAN_FILE_H_
#define TEND_ENGINE_TOOLS_PLAN_FILE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/plan/planner.h"
#include "engine/plan/ritual.h"

namespace tend::engine {

// PlanFile
//
// What a plan file describes, ready for PlanRituals().
struct PlanFile {
  Couple couple;
  std::vector<Ritual> rituals;
};

// ParsePlanFile()
//
// Reads the JSON text of a plan file. A template ritual without a
// `dtstart` starts on the first day its rule matches, on or after the day
// that holds `today` in the home zone, at the template's time.
//
// INVALID_ARGUMENT, as one line naming the field by its path in the
// document ("rituals[2].lead_times[0]: ...") or, for text that is not
// JSON, the line and column.
absl::StatusOr<PlanFile> ParsePlanFile(absl::string_view json,
                                       absl::Time today);

// ReadPlanFile()
//
// ParsePlanFile() on the contents of the file at `path`; INVALID_ARGUMENT
// too when it cannot be read.
absl::StatusOr<PlanFile> ReadPlanFile(const std::string& path,
                                      absl::Time today);

}  // namespace tend::engine

#endif  // TEND_ENGINE_TOOLS_PLAN_FILE_H_
