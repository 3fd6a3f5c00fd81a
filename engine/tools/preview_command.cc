// tend-plan preview: a couple's plan for the next days, read from a plan
// file (engine/tools/README.md), as text and optionally as a picture.
//
//   $ tend-plan preview engine/tools/examples/new_york_london.json --days 14
//         --from 2026-03-01T00:00:00-05:00 --svg plan.svg
//
// The plan is the planner's (engine/plan/planner.h); this command only
// reads the file, picks the range and prints. Without --from it plans from
// now, read through the real clock: it is a tool, and tests pass --from.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/plan/planner.h"
#include "engine/time/clock.h"
#include "engine/tools/command_line.h"
#include "engine/tools/commands.h"
#include "engine/tools/plan_file.h"
#include "engine/tools/plan_svg.h"
#include "engine/tools/plan_text.h"

namespace tend::engine {
namespace {

constexpr char kCommand[] = "preview";
constexpr int kMaxDays = 366;
// Writing the picture failed: not the input's fault.
constexpr int kOutputErrorExit = 1;

constexpr char kHelp[] =
    "usage: tend-plan preview FILE --days N [--from RFC3339] [--svg OUT]\n"
    "\n"
    "Plans a couple's rituals from FILE, a JSON plan file (see\n"
    "engine/tools/README.md), and prints them day by day in the couple's\n"
    "home zone: each occurrence and each reminder with its time on both\n"
    "partners' clocks, why any time was moved, merged or dropped, the\n"
    "times that would suit both when a shared ritual falls outside\n"
    "someone's waking hours, and the plan's notices.\n"
    "\n"
    "  --days  how many home-zone days to plan, 1 to 366; the first is the\n"
    "          day that holds --from\n"
    "  --from  plan from this instant, e.g. 2026-03-01T00:00:00-05:00\n"
    "          (default: now)\n"
    "  --svg   also draw the plan to this SVG file: a row per day, a lane\n"
    "          per partner in their own local hours\n"
    "\n"
    "Invalid input exits with status 2 and one line on stderr.\n";

}  // namespace

int RunPreview(int argc, char** argv) {
  absl::StatusOr<CommandLine> flags =
      CommandLine::Parse(argc, argv, {"days", "from", "svg"}, {"help"});
  if (!flags.ok()) return UsageError(kCommand, flags.status().message());
  if (flags->Has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (flags->positional().empty()) {
    return UsageError(kCommand, "FILE is required");
  }
  if (flags->positional().size() > 1) {
    return UsageError(kCommand, absl::StrCat("unexpected argument \"",
                                             flags->positional()[1], "\""));
  }
  const std::string& path = flags->positional()[0];
  absl::StatusOr<std::optional<int>> days =
      flags->IntValue("days", 1, kMaxDays);
  if (!days.ok()) return UsageError(kCommand, days.status().message());
  if (!*days) return UsageError(kCommand, "--days is required");
  absl::StatusOr<std::optional<absl::Time>> from_flag =
      flags->TimeValue("from");
  if (!from_flag.ok()) {
    return UsageError(kCommand, from_flag.status().message());
  }
  const absl::Time from =
      from_flag->has_value() ? **from_flag : RealClock::Get()->Now();

  absl::StatusOr<PlanFile> file = ReadPlanFile(path, from);
  if (!file.ok()) {
    return UsageError(kCommand,
                      absl::StrCat(path, ": ", file.status().message()));
  }
  const PreviewRange range =
      MakePreviewRange(from, **days, file->couple.home_zone);
  absl::StatusOr<Plan> plan =
      PlanRituals(file->couple, file->rituals, range.from, range.to);
  if (!plan.ok()) {
    return UsageError(kCommand,
                      absl::StrCat(path, ": ", plan.status().message()));
  }

  // The picture first, so a failure to write it prints no plan.
  if (std::optional<std::string> out = flags->Value("svg")) {
    const std::string svg = DrawPlanSvg(file->couple, *plan, range);
    bool written = false;
    if (std::FILE* f = std::fopen(out->c_str(), "wb")) {
      written = std::fwrite(svg.data(), 1, svg.size(), f) == svg.size();
      written = std::fclose(f) == 0 && written;
    }
    if (!written) {
      std::fprintf(stderr, "tend-plan %s: --svg: cannot write %s: %s\n",
                   kCommand, out->c_str(), std::strerror(errno));
      return kOutputErrorExit;
    }
  }
  std::fputs(FormatPlanText(file->couple, *plan, range).c_str(), stdout);
  return 0;
}

}  // namespace tend::engine
