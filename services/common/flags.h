// Flags every Tend service shares, and how they are parsed.
//
// Each flag may also be set by an environment variable named TEND_ plus the
// flag's name in capitals (--redis ⇐ TEND_REDIS). The command line wins over
// the environment, and the environment over the default. In Kubernetes,
// secrets and the ConfigMap arrive as TEND_* variables.
//
//   int main(int argc, char** argv) {
//     tend::services::ParseFlags(argc, argv, "tend-pairing: pairs spouses");
//     return tend::pairing::RunServer();
//   }
#ifndef TEND_SERVICES_COMMON_FLAGS_H_
#define TEND_SERVICES_COMMON_FLAGS_H_

#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/time/time.h"

// --listen: HOST:PORT to serve gRPC on; port 0 picks a free port.
ABSL_DECLARE_FLAG(std::string, listen);
// --redis: redis://[:password@]HOST:PORT/DB of this service's Redis.
ABSL_DECLARE_FLAG(std::string, redis);
// --jwt_secret: HS256 secret for user tokens (development).
ABSL_DECLARE_FLAG(std::string, jwt_secret);
// --jwt_public_key_file: PEM public key for RS256 user tokens (production).
ABSL_DECLARE_FLAG(std::string, jwt_public_key_file);
// --service_secret: HS256 secret for service-to-service tokens.
ABSL_DECLARE_FLAG(std::string, service_secret);
// --extra_jwt_secret, --extra_jwt_public_key_file, --extra_service_secret:
// one more key of each kind that is accepted but never signs, so keys can
// be rotated without downtime (see services/common/auth.h).
ABSL_DECLARE_FLAG(std::string, extra_jwt_secret);
ABSL_DECLARE_FLAG(std::string, extra_jwt_public_key_file);
ABSL_DECLARE_FLAG(std::string, extra_service_secret);
// --pairing_addr, --prompt_addr, --scheduler_addr: peers' HOST:PORT.
ABSL_DECLARE_FLAG(std::string, pairing_addr);
ABSL_DECLARE_FLAG(std::string, prompt_addr);
ABSL_DECLARE_FLAG(std::string, scheduler_addr);
// --drain_timeout: how long SIGTERM waits for in-flight RPCs.
ABSL_DECLARE_FLAG(absl::Duration, drain_timeout);
// --metrics_listen: HOST:PORT serving Prometheus /metrics; empty: off.
ABSL_DECLARE_FLAG(std::string, metrics_listen);
// --log_level: debug, info, warning or error.
ABSL_DECLARE_FLAG(std::string, log_level);
// --test_clock: tests only; the time comes from Redis key tend:test:clock
// (see ClockFromFlags() in services/common/server.h).
ABSL_DECLARE_FLAG(bool, test_clock);

namespace tend::services {

// ApplyEnvironmentToFlags()
//
// Sets every flag whose TEND_<NAME> variable is present. Returns one error
// line per variable whose value does not parse.
std::vector<std::string> ApplyEnvironmentToFlags();

// ParseFlags()
//
// Applies the environment, then the command line. `--help` lists every Tend
// flag with its documentation. Exits non-zero on a bad flag: 2 for a bad
// TEND_* value, 1 (Abseil's own convention) for a bad command-line flag.
// Returns the positional arguments (argv[0] first).
std::vector<char*> ParseFlags(int argc, char** argv, const char* usage);

}  // namespace tend::services

#endif  // TEND_SERVICES_COMMON_FLAGS_H_
