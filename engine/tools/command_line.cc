#include "engine/tools/command_line.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace tend::engine {
namespace {

bool Contains(const std::vector<absl::string_view>& names,
              absl::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

absl::StatusOr<CommandLine> CommandLine::Parse(
    int argc, char** argv, const std::vector<absl::string_view>& value_flags,
    const std::vector<absl::string_view>& switches) {
  CommandLine line;
  bool flags_done = false;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (flags_done || !absl::StartsWith(arg, "-") || arg == "-") {
      line.positional_.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_done = true;
      continue;
    }
    absl::string_view body = arg;
    if (!absl::ConsumePrefix(&body, "--")) absl::ConsumePrefix(&body, "-");
    std::optional<absl::string_view> inline_value;
    if (size_t eq = body.find('='); eq != absl::string_view::npos) {
      inline_value = body.substr(eq + 1);
      body = body.substr(0, eq);
    }
    const std::string name(body);
    if (line.values_.count(name) > 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, " is given more than once"));
    }
    if (Contains(switches, body)) {
      if (inline_value) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " takes no value"));
      }
      line.values_[name] = "";
    } else if (Contains(value_flags, body)) {
      if (inline_value) {
        line.values_[name] = std::string(*inline_value);
      } else if (i + 1 < argc) {
        line.values_[name] = argv[++i];
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " needs a value"));
      }
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
  }
  return line;
}

std::optional<std::string> CommandLine::Value(absl::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<std::optional<int>> CommandLine::IntValue(absl::string_view name,
                                                         int min,
                                                         int max) const {
  std::optional<std::string> text = Value(name);
  if (!text) return std::nullopt;
  int value = 0;
  if (!absl::SimpleAtoi(*text, &value) || value < min || value > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", name, ": must be an integer from ", min, " to ", max));
  }
  return value;
}

absl::StatusOr<std::optional<absl::Time>> CommandLine::TimeValue(
    absl::string_view name) const {
  std::optional<std::string> text = Value(name);
  if (!text) return std::nullopt;
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, *text, &t, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, ": \"", *text,
                     "\" is not an RFC 3339 time such as "
                     "2026-03-08T00:00:00Z"));
  }
  return t;
}

bool CommandLine::Has(absl::string_view name) const {
  return values_.find(name) != values_.end();
}

int UsageError(absl::string_view command, absl::string_view message) {
  // One line, whatever the message holds.
  const std::string line = absl::StrReplaceAll(message, {{"\n", " "}});
  std::fprintf(stderr, "tend-plan %s: %s\n", std::string(command).c_str(),
               line.c_str());
  return kUsageErrorExit;
}

}  // namespace tend::engine
