#include "services/common/rpc.h"

#include "absl/status/status.h"

namespace tend::services {

void LogRpcError(absl::string_view request_type, const absl::Status& status) {
  const bool server_fault = status.code() == absl::StatusCode::kInternal ||
                            status.code() == absl::StatusCode::kUnavailable ||
                            status.code() == absl::StatusCode::kUnknown;
  Log(server_fault ? LogLevel::kWarning : LogLevel::kDebug, "rpc.failed",
      {{"request", std::string(request_type)},
       {"code", absl::StatusCodeToString(status.code())}});
}

}  // namespace tend::services
