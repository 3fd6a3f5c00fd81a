// `tendctl token`: development tokens signed with the dev secret.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/base/status_macros.h"
#include "engine/time/clock.h"
#include "nlohmann/json.hpp"
#include "services/common/auth.h"
#include "services/common/flags.h"
#include "services/tendctl/cli.h"
#include "services/tendctl/commands.h"

ABSL_FLAG(absl::Duration, ttl, absl::Hours(12),
          "How long a token from 'tendctl token' stays valid, e.g. 30m, 12h.");

namespace tend::tendctl {
namespace {

absl::Status RunToken(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {}));
  const std::string user = absl::GetFlag(FLAGS_user);
  if (user.empty()) return UsageError("missing --user ID");
  const absl::Status valid = services::ValidateUserId("--user", user);
  if (!valid.ok()) return UsageError(valid.message());
  const absl::Duration ttl = absl::GetFlag(FLAGS_ttl);
  if (ttl <= absl::ZeroDuration()) return UsageError("--ttl must be positive");
  const std::string secret = absl::GetFlag(FLAGS_jwt_secret);
  if (secret.empty()) {
    return UsageError(
        "no dev secret: pass --jwt_secret or set TEND_JWT_SECRET");
  }
  const absl::Time expire_time = engine::RealClock::Get()->Now() + ttl;
  TEND_ASSIGN_OR_RETURN(const std::string token,
                        services::MintToken(secret, user, expire_time));
  if (absl::GetFlag(FLAGS_json)) {
    const nlohmann::json out = {
        {"token", token},
        {"user", user},
        {"expireTime", absl::FormatTime(absl::RFC3339_sec, expire_time,
                                        absl::UTCTimeZone())}};
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    // The bare token, so `export TEND_TOKEN=$(tendctl token --user alice)`
    // works.
    std::printf("%s\n", token.c_str());
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> TokenCommands() {
  return {
      {"token",
       "Mint a development token for a user and print it.",
       "--user ID [--ttl 12h]",
       "Signs an HS256 token whose subject is the user, with the dev secret "
       "the services were started with. Prints the bare token, so "
       "`export TEND_TOKEN=$(tendctl token --user alice)` works; --json adds "
       "the user and the expiry.",
       {"user", "ttl", "jwt_secret", "json"},
       &RunToken},
  };
}

}  // namespace tend::tendctl
