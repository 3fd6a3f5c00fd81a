// Structured logging: one JSON object per line on stderr.
//
// Tend's logs never hold answer text, notes, push tokens, invite codes or
// JWTs. The API makes that a habit: a log line is an event name plus fields
// the caller chooses, and there is no "dump this request" helper.
//
//   tend::Log(tend::LogLevel::kInfo, "invite.created",
//             {{"user", caller.user_id}, {"couple", couple_id}});
//
// Output: {"ts":"2026-11-26T08:00:00.123Z","level":"info",
//          "event":"invite.created","user":"u1","couple":"c9"}
#ifndef TEND_ENGINE_BASE_LOG_H_
#define TEND_ENGINE_BASE_LOG_H_

#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace tend {

// LogLevel
//
// Severity of a log line. Lines below the minimum level are dropped.
enum class LogLevel { kDebug, kInfo, kWarning, kError };

// Log()
//
// Writes one JSON line with `event` and `fields` to stderr, atomically with
// respect to other Log() calls. `fields` must be a JSON object (or null).
void Log(LogLevel level, absl::string_view event,
         const nlohmann::json& fields = nullptr);

// SetMinLogLevel()
//
// Drops lines below `level` from now on. The default is kInfo.
void SetMinLogLevel(LogLevel level);

}  // namespace tend

#endif  // TEND_ENGINE_BASE_LOG_H_
