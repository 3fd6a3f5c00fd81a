#include "services/common/flags.h"

#include <cstdlib>

#include <fstream>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "gtest/gtest.h"
#include "services/common/auth.h"

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

TEST(FlagsTest, ExtraKeysForRotation) {
  absl::FlagSaver restore;
  absl::SetFlag(&FLAGS_jwt_secret, "user-new");
  absl::SetFlag(&FLAGS_extra_jwt_secret, "user-old");
  absl::SetFlag(&FLAGS_service_secret, "svc-new");
  absl::SetFlag(&FLAGS_extra_service_secret, "svc-old");
  absl::StatusOr<AuthOptions> options = AuthOptionsFromFlags();
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->extra_jwt_secrets, std::vector<std::string>{"user-old"});
  EXPECT_EQ(options->extra_service_secrets,
            std::vector<std::string>{"svc-old"});

  // An extra key needs its main key: it never signs.
  absl::SetFlag(&FLAGS_service_secret, "");
  EXPECT_EQ(AuthOptionsFromFlags().status().message(),
            "--extra_service_secret: needs --service_secret");
  absl::SetFlag(&FLAGS_service_secret, "svc-new");

  // RS256: the extra public key is read like the main one, and the HS256
  // secrets are off.
  const std::string dir = ::testing::TempDir();
  for (const char* name : {"main.pem", "next.pem"}) {
    std::ofstream(dir + name) << "PEM " << name;
  }
  absl::SetFlag(&FLAGS_jwt_public_key_file, dir + "main.pem");
  absl::SetFlag(&FLAGS_extra_jwt_public_key_file, dir + "next.pem");
  options = AuthOptionsFromFlags();
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->jwt_public_key_pem, "PEM main.pem");
  EXPECT_EQ(options->extra_jwt_public_key_pems,
            std::vector<std::string>{"PEM next.pem"});
  EXPECT_TRUE(options->jwt_secret.empty());
  EXPECT_TRUE(options->extra_jwt_secrets.empty());

  absl::SetFlag(&FLAGS_extra_jwt_public_key_file, dir + "missing.pem");
  EXPECT_EQ(AuthOptionsFromFlags().status().message(),
            "--extra_jwt_public_key_file: cannot read " + dir + "missing.pem");
  absl::SetFlag(&FLAGS_jwt_public_key_file, "");
  absl::SetFlag(&FLAGS_extra_jwt_public_key_file, dir + "next.pem");
  EXPECT_EQ(AuthOptionsFromFlags().status().message(),
            "--extra_jwt_public_key_file: needs --jwt_public_key_file");
}

}  // namespace
}  // namespace tend::services
