// tend-plan: a command-line tool over Tend's scheduling engine, for
// operators and tests.
//
//   tend-plan expand --rrule 'FREQ=WEEKLY;BYDAY=SU'
//       --dtstart 20260301T023000 --tz America/New_York --count 3
//   tend-plan preview engine/tools/examples/new_york_london.json --days 14
//
// main only dispatches on the subcommand; each one lives in its own file
// (see engine/tools/commands.h).
#include <cstdio>
#include <string>

#include "absl/strings/string_view.h"
#include "engine/tools/command_line.h"
#include "engine/tools/commands.h"

namespace tend::engine {
namespace {

struct Subcommand {
  absl::string_view name;
  absl::string_view summary;
  int (*run)(int argc, char** argv);
};

constexpr Subcommand kSubcommands[] = {
    {"expand", "list the occurrences of a recurrence rule", RunExpand},
    {"preview", "print a couple's reminders day by day", RunPreview},
};

void PrintUsage(std::FILE* out) {
  std::fprintf(out,
               "usage: tend-plan COMMAND [FLAGS]\n\n"
               "Plans Tend's rituals from the command line.\n\ncommands:\n");
  for (const Subcommand& command : kSubcommands) {
    std::fprintf(out, "  %-10s %s\n", std::string(command.name).c_str(),
                 std::string(command.summary).c_str());
  }
  std::fprintf(out,
               "\n'tend-plan COMMAND --help' describes a command's flags.\n"
               "Invalid input exits with status 2 and one line on stderr.\n");
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(stderr);
    return kUsageErrorExit;
  }
  const absl::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    PrintUsage(stdout);
    return 0;
  }
  for (const Subcommand& command : kSubcommands) {
    if (command.name == name) return command.run(argc - 1, argv + 1);
  }
  std::fprintf(stderr,
               "tend-plan: unknown command \"%s\"; see tend-plan --help\n",
               argv[1]);
  return kUsageErrorExit;
}

}  // namespace
}  // namespace tend::engine

int main(int argc, char** argv) { return tend::engine::Main(argc, argv); }
