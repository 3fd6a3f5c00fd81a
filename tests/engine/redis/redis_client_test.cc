#include "engine/redis/redis_client.h"

#include <thread>

#include "gtest/gtest.h"
#include "tests/support/redis_server.h"

namespace tend::engine {
namespace {

class RedisClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok());
    RedisOptions options = *ParseRedisUrl(server_.url());
    options.connect_timeout = absl::Milliseconds(200);
    options.pool_size = 4;
    client_ = std::make_unique<RedisClient>(options);
  }
  testing::RedisServer server_;
  std::unique_ptr<RedisClient> client_;
};

TEST_F(RedisClientTest, CommandsPipelinesAndBinaryValues) {
  const std::string binary("a\0b\r\n", 5);
  ASSERT_TRUE(client_->Command({"SET", "k", binary}).ok());
  EXPECT_EQ(client_->Command({"GET", "k"})->str, binary);
  EXPECT_TRUE(client_->Command({"GET", "missing"})->is_nil());
  auto replies =
      client_->Pipeline({{"INCR", "n"}, {"INCR", "n"}, {"GET", "n"}});
  ASSERT_TRUE(replies.ok());
  EXPECT_EQ((*replies)[1].integer, 2);
  EXPECT_EQ((*replies)[2].str, "2");
}

TEST_F(RedisClientTest, ScriptErrorsKeepTheirCode) {
  const RedisScript script(
      "if ARGV[1] == 'x' then return redis.error_reply('NOT_FOUND thing: "
      "gone') end return {ARGV[1], KEYS[1]}");
  auto ok = client_->Eval(script, {"key"}, {"v"});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->elements[0].str, "v");
  EXPECT_EQ(ok->elements[1].str, "key");
  auto missing = client_->Eval(script, {"key"}, {"x"});
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "thing: gone");
  // Not our convention: INTERNAL.
  EXPECT_EQ(client_->Command({"NOSUCHCOMMAND"}).status().code(),
            absl::StatusCode::kInternal);
}

TEST_F(RedisClientTest, ScriptsReloadAfterAFlush) {
  const RedisScript script("return 7");
  EXPECT_EQ(client_->Eval(script, {}, {})->integer, 7);
  ASSERT_TRUE(client_->Command({"SCRIPT", "FLUSH"}).ok());
  EXPECT_EQ(client_->Eval(script, {}, {})->integer, 7);
}

TEST_F(RedisClientTest, DownIsUnavailableAndRecoversWithoutRestart) {
  ASSERT_TRUE(client_->Ping().ok());
  server_.Stop();
  EXPECT_EQ(client_->Ping().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(client_->Command({"GET", "k"}).status().code(),
            absl::StatusCode::kUnavailable);
  ASSERT_TRUE(server_.Start().ok());
  EXPECT_TRUE(client_->Ping().ok());
}

TEST_F(RedisClientTest, PoolServesManyThreads) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        ASSERT_TRUE(client_->Command({"INCR", "shared"}).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(client_->Command({"GET", "shared"})->str, "3200");
}

}  // namespace
}  // namespace tend::engine
