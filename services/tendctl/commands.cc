#include "services/tendctl/commands.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>
#include <utility>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/common/flags.h"
#include "services/tendctl/cli.h"

namespace tend::tendctl {
namespace {

constexpr int kWidth = 79;

constexpr char kProgramUsage[] =
    "tendctl: a command-line client for Tend's services, for developers and "
    "operators. Run 'tendctl --help' for its commands.";

// Prints `words` separated by spaces and wrapped at kWidth: the first line
// indented by `indent`, the lines after it by `hanging`.
void PrintWords(std::FILE* out, const std::vector<std::string>& words,
                int indent, int hanging) {
  std::string pad(indent, ' ');
  std::string line = pad;
  for (const std::string& word : words) {
    if (line.size() > pad.size() &&
        line.size() + 1 + word.size() > static_cast<size_t>(kWidth)) {
      std::fprintf(out, "%s\n", line.c_str());
      pad.assign(hanging, ' ');
      line = pad;
    }
    if (line.size() > pad.size()) line.push_back(' ');
    absl::StrAppend(&line, word);
  }
  if (line.size() > pad.size()) std::fprintf(out, "%s\n", line.c_str());
}

// Prints prose wrapped at kWidth, every line indented by `indent`.
void PrintWrapped(std::FILE* out, absl::string_view text, int indent) {
  PrintWords(out, absl::StrSplit(text, ' ', absl::SkipEmpty()), indent, indent);
}

// `label` then "tendctl profile set [--name N] ...", indented by `indent`
// and wrapped under the first argument; a bracketed option never breaks.
void PrintSynopsis(std::FILE* out, int indent, absl::string_view label,
                   const Command& command) {
  const std::string head = absl::StrCat(label, "tendctl ", command.name);
  std::vector<std::string> words = {head};
  int depth = 0;
  bool fresh = true;
  for (char c : command.synopsis) {
    if (c == ' ' && depth == 0) {
      fresh = true;
      continue;
    }
    if (fresh) words.emplace_back();
    fresh = false;
    words.back().push_back(c);
    if (c == '[') ++depth;
    if (c == ']' && depth > 0) --depth;
  }
  PrintWords(out, words, indent, indent + static_cast<int>(head.size()) + 1);
}

// Prints each flag's name, default and documentation, as declared.
void PrintFlags(std::FILE* out, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) continue;
    std::string head = absl::StrCat("  --", name);
    const std::string fallback = flag->DefaultValue();
    if (!fallback.empty() && fallback != "false" && fallback != "0") {
      absl::StrAppend(&head, " (default ", fallback, ")");
    }
    absl::StrAppend(&head, "  [TEND_", absl::AsciiStrToUpper(name), "]");
    std::fprintf(out, "%s\n", head.c_str());
    PrintWrapped(out, flag->Help(), 6);
  }
}

// Prints the usage line and every command with its summary.
void PrintCommandList(std::FILE* out) {
  std::fprintf(out,
               "tendctl: act as a Tend user from the command line, for "
               "developers and operators.\n\nUsage: tendctl COMMAND [ARGS] "
               "[FLAGS]\n\nCommands:\n");
  for (const Command& command : AllCommands()) {
    PrintSynopsis(out, 2, "", command);
    PrintWrapped(out, command.summary, 6);
  }
}

// Prints the command list, how tendctl behaves, and every flag any command
// reads.
void PrintOverview(std::FILE* out) {
  PrintCommandList(out);
  std::vector<std::string> flags;
  std::set<std::string> seen;
  for (const Command& command : AllCommands()) {
    for (const std::string& flag : command.flags) {
      if (seen.insert(flag).second) flags.push_back(flag);
    }
  }
  std::fprintf(out, "\n");
  PrintWrapped(out,
               "Who you are: --token TOKEN (or TEND_TOKEN), or --user ID, for "
               "which tendctl mints a short-lived token with the dev secret "
               "(--jwt_secret or TEND_JWT_SECRET). Output is prose; --json "
               "prints the response message as JSON for scripts. A failed "
               "call prints 'tendctl: CODE: message' on stderr and exits 1; "
               "a usage error exits 2.",
               0);
  std::fprintf(out,
               "\nFlags (each also read from TEND_<FLAG>; the command "
               "line wins):\n");
  PrintFlags(out, flags);
  std::fprintf(out, "\nRun 'tendctl help COMMAND' for one command's usage.\n");
}

void PrintCommandHelp(std::FILE* out, const Command& command) {
  PrintSynopsis(out, 0, "Usage: ", command);
  std::fprintf(out, "\n");
  PrintWrapped(out, command.summary, 0);
  if (!command.details.empty()) {
    std::fprintf(out, "\n");
    for (absl::string_view paragraph : absl::StrSplit(command.details, '\n')) {
      PrintWrapped(out, paragraph, 0);
    }
  }
  if (!command.flags.empty()) {
    std::fprintf(out, "\nFlags (each also read from TEND_<FLAG>):\n");
    PrintFlags(out, command.flags);
  }
  // Commands that share the first word, e.g. `profile` and `profile set`.
  const std::string first(
      absl::string_view(command.name).substr(0, command.name.find(' ')));
  std::vector<std::string> related;
  for (const Command& other : AllCommands()) {
    if (other.name != command.name &&
        (other.name == first || absl::StartsWith(other.name, first + " "))) {
      related.push_back(absl::StrCat("tendctl ", other.name));
    }
  }
  if (!related.empty()) {
    std::fprintf(out, "\nSee also: %s\n", absl::StrJoin(related, ", ").c_str());
  }
}

// Prints a usage error with a hint, and returns the exit status for it.
int ReportUsageError(absl::string_view message, const Command* command) {
  std::fprintf(stderr, "tendctl: %s%s%s\n",
               command == nullptr ? "" : command->name.c_str(),
               command == nullptr ? "" : ": ", std::string(message).c_str());
  if (command == nullptr) {
    std::fprintf(stderr, "Run 'tendctl --help' for the commands and flags.\n");
  } else {
    std::fprintf(stderr, "Run 'tendctl help %s' for its usage.\n",
                 command->name.c_str());
  }
  return 2;
}

// Takes --help and -h out of argv, setting *help, and checks that every
// flag is one tendctl knows and its value parses, so that a typo is a
// usage error (exit 2) with a hint rather than Abseil's exit 1. A
// non-boolean flag written without '=' takes the next word as its value,
// as Abseil reads it. Checking a value sets the flag; ParseFlags() later
// sets it again from the same word.
absl::Status ScanArgs(int argc, char** argv, bool* help,
                      std::vector<char*>* kept) {
  kept->push_back(argv[0]);
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") {
      for (; i < argc; ++i) kept->push_back(argv[i]);
      break;
    }
    if (arg == "--help" || arg == "-help" || arg == "-h") {
      *help = true;
      continue;
    }
    kept->push_back(argv[i]);
    if (arg.size() < 2 || arg[0] != '-') continue;
    absl::string_view name = arg;
    if (!absl::ConsumePrefix(&name, "--")) absl::ConsumePrefix(&name, "-");
    const size_t equals = name.find('=');
    std::optional<absl::string_view> value;
    if (equals != absl::string_view::npos) value = name.substr(equals + 1);
    name = name.substr(0, equals);
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr && !value.has_value() &&
        absl::ConsumePrefix(&name, "no")) {
      flag = absl::FindCommandLineFlag(name);
      if (flag != nullptr && !flag->IsOfType<bool>()) flag = nullptr;
      if (flag != nullptr) continue;
    }
    if (flag == nullptr) {
      return UsageError(absl::StrCat("unknown flag '", arg, "'"));
    }
    if (!value.has_value() && !flag->IsOfType<bool>()) {
      if (i + 1 == argc) {
        return UsageError(absl::StrCat("--", name, " needs a value"));
      }
      kept->push_back(argv[++i]);
      value = argv[i];
    }
    std::string error;
    if (value.has_value() && !flag->ParseFrom(*value, &error)) {
      return UsageError(absl::StrCat("--", name, ": ", error));
    }
  }
  return absl::OkStatus();
}

}  // namespace

const std::vector<Command>& AllCommands() {
  static const auto* const commands = [] {
    auto* all = new std::vector<Command>();
    for (std::vector<Command> group :
         {TokenCommands(), PairingCommands(), SchedulerCommands(),
          DeliveryCommands(), PromptCommands()}) {
      for (Command& command : group) all->push_back(std::move(command));
    }
    return all;
  }();
  return *commands;
}

const Command* FindCommand(const std::vector<std::string>& words,
                           std::vector<std::string>* args) {
  const Command* best = nullptr;
  size_t best_length = 0;
  for (const Command& command : AllCommands()) {
    const std::vector<std::string> name = absl::StrSplit(command.name, ' ');
    if (name.size() <= best_length || name.size() > words.size()) continue;
    if (std::equal(name.begin(), name.end(), words.begin())) {
      best = &command;
      best_length = name.size();
    }
  }
  if (best != nullptr) args->assign(words.begin() + best_length, words.end());
  return best;
}

int Run(int argc, char** argv) {
  bool help = false;
  std::vector<char*> kept;
  const absl::Status scanned = ScanArgs(argc, argv, &help, &kept);
  if (!scanned.ok()) return ReportUsageError(scanned.message(), nullptr);
  const std::vector<char*> positional = services::ParseFlags(
      static_cast<int>(kept.size()), kept.data(), kProgramUsage);
  std::vector<std::string> words(positional.begin() + 1, positional.end());
  if (!words.empty() && words[0] == "help") {
    help = true;
    words.erase(words.begin());
  }

  std::vector<std::string> args;
  const Command* command = FindCommand(words, &args);
  if (help) {
    if (words.empty()) {
      PrintOverview(stdout);
      return 0;
    }
    if (command == nullptr || !args.empty()) {
      return ReportUsageError(
          absl::StrCat("no command '", absl::StrJoin(words, " "), "'"),
          nullptr);
    }
    PrintCommandHelp(stdout, *command);
    return 0;
  }
  if (words.empty()) {
    PrintCommandList(stderr);
    std::fprintf(stderr,
                 "\nRun 'tendctl --help' for the flags, or 'tendctl help "
                 "COMMAND' for one command.\n");
    return 2;
  }
  if (command == nullptr) {
    return ReportUsageError(absl::StrCat("unknown command '", words[0], "'"),
                            nullptr);
  }

  const absl::Status status = command->run(args);
  if (status.ok()) return 0;
  if (IsUsageError(status)) return ReportUsageError(status.message(), command);
  // One line, whatever the service or the network said.
  const std::string message = absl::StrReplaceAll(
      status.message(), {{"\r\n", " "}, {"\n", " "}, {"\r", " "}});
  std::fprintf(stderr, "tendctl: %s: %s\n",
               absl::StatusCodeToString(status.code()).c_str(),
               message.c_str());
  return 1;
}

}  // namespace tend::tendctl
