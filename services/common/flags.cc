#include "services/common/flags.h"

#include <cstdio>
#include <cstdlib>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/base/log.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0",
          "HOST:PORT to serve gRPC on. Port 0 picks a free port; the service "
          "then prints 'listening on HOST:PORT' with the real port.");
ABSL_FLAG(std::string, redis, "redis://127.0.0.1:6379/0",
          "Redis of this service: redis://[:password@]HOST:PORT/DB.");
ABSL_FLAG(std::string, jwt_secret, "",
          "HS256 secret that signs user tokens (development). Prefer "
          "TEND_JWT_SECRET so it stays out of process listings.");
ABSL_FLAG(std::string, jwt_public_key_file, "",
          "PEM file with the identity provider's RS256 public key "
          "(production). When set, user tokens must be RS256.");
ABSL_FLAG(std::string, service_secret, "",
          "HS256 secret shared by Tend's services for service-to-service "
          "tokens. Prefer TEND_SERVICE_SECRET.");
ABSL_FLAG(std::string, extra_jwt_secret, "",
          "A second HS256 user-token secret, accepted but never used to "
          "sign: the next or the previous one while a rotation is rolled "
          "out. Prefer TEND_EXTRA_JWT_SECRET.");
ABSL_FLAG(std::string, extra_jwt_public_key_file, "",
          "PEM file with a second RS256 public key that user tokens may be "
          "signed with: the identity provider's next or previous key while "
          "it rotates. Needs --jwt_public_key_file.");
ABSL_FLAG(std::string, extra_service_secret, "",
          "A second service-to-service secret, accepted but never used to "
          "sign: the next or the previous one while a rotation is rolled "
          "out. Needs --service_secret. Prefer TEND_EXTRA_SERVICE_SECRET.");
ABSL_FLAG(std::string, pairing_addr, "", "HOST:PORT of the pairing service.");
ABSL_FLAG(std::string, prompt_addr, "", "HOST:PORT of the prompt service.");
ABSL_FLAG(std::string, scheduler_addr, "",
          "HOST:PORT of the scheduler service.");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(10),
          "On SIGTERM, how long in-flight RPCs may take to finish before "
          "the service exits.");
ABSL_FLAG(std::string, metrics_listen, "",
          "HOST:PORT serving Prometheus metrics at /metrics, e.g. "
          "0.0.0.0:9090; port 0 picks a free port. Empty: no metrics "
          "endpoint.");
ABSL_FLAG(std::string, log_level, "info",
          "Least severe log level written: debug, info, warning or error.");
ABSL_FLAG(bool, test_clock, false,
          "Tests only: read the time from Redis key tend:test:clock (unix "
          "microseconds), so simulated weeks pass in seconds and every "
          "service (invites, tokens, reminders) follows the same time.");

namespace tend::services {

std::vector<std::string> ApplyEnvironmentToFlags() {
  std::vector<std::string> errors;
  for (auto& [name, flag] : absl::GetAllFlags()) {
    const std::string variable =
        absl::StrCat("TEND_", absl::AsciiStrToUpper(name));
    const char* value = std::getenv(variable.c_str());
    if (value == nullptr) continue;
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      errors.push_back(absl::StrCat(variable, ": ", error));
    }
  }
  return errors;
}

std::vector<char*> ParseFlags(int argc, char** argv, const char* usage) {
  absl::FlagsUsageConfig config;
  config.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "services/") ||
           absl::StrContains(file, "engine/") ||
           absl::StrContains(file, "tests/");
  };
  config.normalize_filename = [](absl::string_view file) {
    return std::string(file);
  };
  absl::SetFlagsUsageConfig(config);
  absl::SetProgramUsageMessage(absl::StrCat(
      usage,
      "\n\nEvery flag can also be set with TEND_<FLAG_NAME> in the "
      "environment; the command line wins."));
  const std::vector<std::string> env_errors = ApplyEnvironmentToFlags();
  if (!env_errors.empty()) {
    for (const auto& e : env_errors) std::fprintf(stderr, "%s\n", e.c_str());
    std::exit(2);
  }
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  const std::string level = absl::GetFlag(FLAGS_log_level);
  if (level == "debug") {
    SetMinLogLevel(LogLevel::kDebug);
  } else if (level == "warning") {
    SetMinLogLevel(LogLevel::kWarning);
  } else if (level == "error") {
    SetMinLogLevel(LogLevel::kError);
  }
  return positional;
}

}  // namespace tend::services
