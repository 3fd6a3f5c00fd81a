// The subcommands of tend-plan, one function each.
//
// main.cc lists them by name; a new subcommand is a new file defining its
// Run function, a declaration here and a line in main.cc's table:
//
//   int RunPreview(int argc, char** argv);   // in preview_command.cc
//   {"preview", "print a couple's reminders day by day", RunPreview},
//
// Each Run function gets argv with argv[0] set to its own name, returns the
// process's exit status, prints results on stdout, and reports invalid
// input with UsageError() (engine/tools/command_line.h): status 2, one line.
#ifndef TEND_ENGINE_TOOLS_COMMANDS_H_
#define TEND_ENGINE_TOOLS_COMMANDS_H_

namespace tend::engine {

// RunExpand()
//
// tend-plan expand --rrule RULE --dtstart YYYYMMDDTHHMMSS --tz ZONE
//                  [--count N] [--after RFC3339]
// Prints the occurrences of a recurrence, one RFC 3339 time a line, with the
// zone's offset at that instant.
int RunExpand(int argc, char** argv);

// RunPreview()
//
// tend-plan preview FILE --days N [--from RFC3339] [--svg OUT]
// Prints a couple's plan, read from a plan file (plan_file.h), day by day
// with both partners' local times and the reason for every adjustment;
// --svg also draws it (plan_svg.h).
int RunPreview(int argc, char** argv);

}  // namespace tend::engine

#endif  // TEND_ENGINE_TOOLS_COMMANDS_H_
