// tendctl's command table, and how a command line finds its command.
//
// Commands come in groups, one file per group: token_commands.cc mints
// development tokens, pairing_commands.cc talks to the pairing service,
// scheduler_commands.cc to the scheduler, delivery_commands.cc to its push
// side (devices, delivery records, the dead letter), prompt_commands.cc to
// the prompt service.
// AllCommands() lists the groups. A new group (rituals, watch, deliveries,
// ...) adds its own file with a group function declared below and one line
// in AllCommands(); no existing command changes, and `tendctl --help`,
// `tendctl help NAME` and error hints pick the new commands up by
// themselves.
//
//   std::vector<Command> RitualCommands() {
//     return {{"rituals list", "List your couple's rituals.", "[--json]",
//              "Prints each ritual with its next occurrence.",
//              CallFlags({}, "scheduler_addr"), &RunRitualsList}};
//   }
//
// A command's name may be several words ("profile set"); the longest name
// that begins the command line wins, and the words after it are the
// handler's positional arguments.
#ifndef TEND_SERVICES_TENDCTL_COMMANDS_H_
#define TEND_SERVICES_TENDCTL_COMMANDS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace tend::tendctl {

// Command
//
// One entry of the table.
struct Command {
  // The words that invoke it: "couple", "profile set".
  std::string name;
  // One sentence for the overview.
  std::string summary;
  // What follows the name on a command line, e.g. "CODE [--erase_now]".
  std::string synopsis;
  // Prose for `tendctl help NAME`: what it does and what it prints.
  std::string details;
  // Every flag it reads. `tendctl help NAME` prints their documentation
  // from their ABSL_FLAG declarations.
  std::vector<std::string> flags;
  // Runs it with the positional arguments after the name. Returns a
  // UsageError (see cli.h) for a bad invocation, else the call's outcome.
  absl::Status (*run)(const std::vector<std::string>& args);
};

// TokenCommands()
//
// `token`: development tokens (token_commands.cc).
std::vector<Command> TokenCommands();

// PairingCommands()
//
// invite, accept, couple, profile, profile set, unpair, export, delete-me
// (pairing_commands.cc).
std::vector<Command> PairingCommands();

// SchedulerCommands()
//
// rituals list|templates|add|accept|decline|pause|resume|rm|skip, preview,
// watch, ack, cadence, streaks, reminders (scheduler_commands.cc).
std::vector<Command> SchedulerCommands();

// DeliveryCommands()
//
// devices list|register|rm, deliveries, deadletter list|retry
// (delivery_commands.cc).
std::vector<Command> DeliveryCommands();

// PromptCommands()
//
// question, answer, answers, quiz, gesture, check (prompt_commands.cc).
std::vector<Command> PromptCommands();

// AllCommands()
//
// Every group, in the order the overview lists them.
const std::vector<Command>& AllCommands();

// FindCommand()
//
// The command whose name is the longest prefix of `words`, or null. Sets
// `*args` to the words after its name.
const Command* FindCommand(const std::vector<std::string>& words,
                           std::vector<std::string>* args);

// Run()
//
// tendctl's main: parses flags (TEND_* environment first), dispatches, and
// returns the exit status: 0 on success, 1 when a call failed, 2 for a usage
// error. `--help`, `-h` and `help [COMMAND]` print usage and return 0.
int Run(int argc, char** argv);

}  // namespace tend::tendctl

#endif  // TEND_SERVICES_TENDCTL_COMMANDS_H_
