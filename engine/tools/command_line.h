// CommandLine: the flags of one tend-plan subcommand, parsed by hand.
//
// tend-plan is an operator's tool with a handful of flags per subcommand, so
// each subcommand declares the flags it knows and gets them back by name;
// anything else is an error that names the flag. Both "--name value" and
// "--name=value" work.
//
//   absl::StatusOr<CommandLine> flags = CommandLine::Parse(
//       argc, argv, /*value_flags=*/{"rrule", "tz"}, /*switches=*/{"help"});
//   if (!flags.ok()) return UsageError("expand", flags.status().message());
//   std::optional<std::string> zone = flags->Value("tz");
//   absl::StatusOr<std::optional<int>> count = flags->IntValue("count", 1, 9);
//
// Invalid input ends a subcommand with exit status 2 and one line on stderr
// (UsageError), so scripts can tell bad input from a failure.
#ifndef TEND_ENGINE_TOOLS_COMMAND_LINE_H_
#define TEND_ENGINE_TOOLS_COMMAND_LINE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tend::engine {

// kUsageErrorExit
//
// The exit status of a subcommand given invalid input.
inline constexpr int kUsageErrorExit = 2;

// CommandLine
//
// Flags and positional arguments of one subcommand.
class CommandLine {
 public:
  // Parse()
  //
  // Parses argv[1..argc) (argv[0] is the subcommand's name). `value_flags`
  // take a value, `switches` take none. INVALID_ARGUMENT names an unknown
  // flag, a missing value, a value given to a switch or a repeated flag.
  static absl::StatusOr<CommandLine> Parse(
      int argc, char** argv, const std::vector<absl::string_view>& value_flags,
      const std::vector<absl::string_view>& switches);

  // Value()
  //
  // The value of --name, or nullopt when it was not given.
  std::optional<std::string> Value(absl::string_view name) const;

  // IntValue()
  //
  // --name as an integer from `min` to `max`, or nullopt when it was not
  // given; INVALID_ARGUMENT "--name: must be an integer from MIN to MAX".
  absl::StatusOr<std::optional<int>> IntValue(absl::string_view name, int min,
                                              int max) const;

  // TimeValue()
  //
  // --name as an RFC 3339 instant, or nullopt when it was not given;
  // INVALID_ARGUMENT naming the flag and the text otherwise.
  absl::StatusOr<std::optional<absl::Time>> TimeValue(
      absl::string_view name) const;

  // Has()
  //
  // Whether --name (a switch or a value flag) was given.
  bool Has(absl::string_view name) const;

  // positional()
  //
  // The arguments that are not flags, in order ("--" ends the flags).
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string, std::less<>> values_;
  std::vector<std::string> positional_;
};

// UsageError()
//
// Prints "tend-plan <command>: <message>" as one line on stderr and returns
// kUsageErrorExit, for `return UsageError(...)` from a subcommand.
int UsageError(absl::string_view command, absl::string_view message);

}  // namespace tend::engine

#endif  // TEND_ENGINE_TOOLS_COMMAND_LINE_H_
