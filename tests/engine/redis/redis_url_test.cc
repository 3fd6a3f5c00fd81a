#include "engine/redis/redis_client.h"
#include "gtest/gtest.h"

namespace tend::engine {
namespace {

TEST(RedisUrlTest, ParsesHostPortDbAndPassword) {
  absl::StatusOr<RedisOptions> o = ParseRedisUrl("redis://10.1.2.3:7001/4");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->host, "10.1.2.3");
  EXPECT_EQ(o->port, 7001);
  EXPECT_EQ(o->db, 4);
  o = ParseRedisUrl("redis://:s3cret@redis");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->password, "s3cret");
  EXPECT_EQ(o->host, "redis");
  EXPECT_EQ(o->port, 6379);
  EXPECT_EQ(o->db, 0);
}

TEST(RedisUrlTest, NamesTheBadPart) {
  EXPECT_EQ(
      ParseRedisUrl("http://x").status().message(),
      "redis: url must start with redis:// or sentinel://, e.g. "
      "redis://127.0.0.1:6379/0");
  EXPECT_EQ(ParseRedisUrl("redis://h:99999").status().message(),
            "redis: port '99999' is not in 1..65535");
  EXPECT_EQ(ParseRedisUrl("redis://h:1/x").status().message(),
            "redis: database 'x' is not a number >= 0");
  EXPECT_EQ(ParseRedisUrl("redis://:1").status().message(),
            "redis: url has no host");
}

}  // namespace
}  // namespace tend::engine
