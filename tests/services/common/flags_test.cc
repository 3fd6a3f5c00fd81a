#include "services/common/flags.h"

#include <cstdlib>

#include "absl/flags/flag.h"
#include "gtest/gtest.h"

namespace tend::services {
namespace {

TEST(FlagsTest, EnvironmentSetsFlags) {
  setenv("TEND_REDIS", "redis://10.0.0.1:7000/2", 1);
  setenv("TEND_DRAIN_TIMEOUT", "3s", 1);
  EXPECT_TRUE(ApplyEnvironmentToFlags().empty());
  EXPECT_EQ(absl::GetFlag(FLAGS_redis), "redis://10.0.0.1:7000/2");
  EXPECT_EQ(absl::GetFlag(FLAGS_drain_timeout), absl::Seconds(3));
  unsetenv("TEND_REDIS");
  unsetenv("TEND_DRAIN_TIMEOUT");
}

TEST(FlagsTest, BadEnvironmentValuesAreNamed) {
  setenv("TEND_DRAIN_TIMEOUT", "soon", 1);
  std::vector<std::string> errors = ApplyEnvironmentToFlags();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("TEND_DRAIN_TIMEOUT: ", 0), 0u);
  unsetenv("TEND_DRAIN_TIMEOUT");
}

}  // namespace
}  // namespace tend::services
