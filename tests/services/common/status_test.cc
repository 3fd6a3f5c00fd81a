#include "services/common/status.h"

#include "gtest/gtest.h"

namespace tend::services {
namespace {

TEST(StatusTest, CodesAndMessagesCrossTheEdgeUnchanged) {
  for (absl::StatusCode code :
       {absl::StatusCode::kInvalidArgument, absl::StatusCode::kNotFound,
        absl::StatusCode::kPermissionDenied, absl::StatusCode::kUnauthenticated,
        absl::StatusCode::kResourceExhausted, absl::StatusCode::kUnavailable,
        absl::StatusCode::kFailedPrecondition}) {
    const absl::Status in(code, "ritual.rrule: BYSETPOS needs another BY rule");
    const grpc::Status wire = ToGrpcStatus(in);
    EXPECT_EQ(static_cast<int>(wire.error_code()), static_cast<int>(code));
    EXPECT_EQ(wire.error_message(), in.message());
    EXPECT_EQ(FromGrpcStatus(wire), in);
  }
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

}  // namespace
}  // namespace tend::services
