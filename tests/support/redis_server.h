// RedisServer: a private redis-server for one test, on a free loopback port.
//
// CTest starts nothing; a suite that needs Redis owns one of these. It runs
// in its own temporary directory, keeps its port across Stop()/Start() so
// a test can take Redis away and bring it back under a running service,
// and is killed when the object goes.
//
//   tend::testing::RedisServer redis;
//   ASSERT_TRUE(redis.Start().ok());
//   engine::RedisClient client(*engine::ParseRedisUrl(redis.url()));
#ifndef TEND_TESTS_SUPPORT_REDIS_SERVER_H_
#define TEND_TESTS_SUPPORT_REDIS_SERVER_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace tend::testing {

// FreeLoopbackPort()
//
// A TCP port on 127.0.0.1 that was free a moment ago.
int FreeLoopbackPort();

// RedisServer
//
// Not thread-safe; one test thread drives it.
class RedisServer {
 public:
  RedisServer();
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Start()
  //
  // Starts redis-server (again) and waits until it answers PING.
  // `extra_args` are appended to the command line, e.g. {"--appendonly",
  // "yes"}.
  absl::Status Start(const std::vector<std::string>& extra_args = {});

  // Stop()
  //
  // Kills the server (SIGKILL: no chance to save) and waits for it.
  void Stop();

  int port() const { return port_; }
  // "redis://127.0.0.1:PORT/0"
  std::string url() const;
  const std::string& dir() const { return dir_; }

 private:
  int port_ = 0;
  pid_t pid_ = -1;
  std::string dir_;
};

}  // namespace tend::testing

#endif  // TEND_TESTS_SUPPORT_REDIS_SERVER_H_
