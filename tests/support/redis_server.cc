#include "tests/support/redis_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "engine/redis/redis_client.h"

namespace tend::testing {

int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

RedisServer::RedisServer() {
  char pattern[] = "/tmp/tend-redis-XXXXXX";
  const char* made = mkdtemp(pattern);
  dir_ = made != nullptr ? made : "/tmp";
}

RedisServer::~RedisServer() {
  Stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string RedisServer::url() const {
  return absl::StrCat("redis://127.0.0.1:", port_, "/0");
}

absl::Status RedisServer::Start(const std::vector<std::string>& extra_args) {
  if (pid_ > 0) return absl::OkStatus();
  // A port may be taken between probing and binding; try a few.
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (port_ == 0 || attempt > 0) port_ = FreeLoopbackPort();
    std::vector<std::string> args = {"redis-server",
                                     "--port",
                                     absl::StrCat(port_),
                                     "--bind",
                                     "127.0.0.1",
                                     "--dir",
                                     dir_,
                                     "--save",
                                     "",
                                     "--appendonly",
                                     "no",
                                     "--logfile",
                                     absl::StrCat(dir_, "/redis.log")};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    pid_ = fork();
    if (pid_ == 0) {
      // A crashed test must not leave its redis-server holding ctest's pipe.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execvp("redis-server", argv.data());
      _exit(127);
    }
    engine::RedisOptions options;
    options.port = port_;
    options.connect_timeout = absl::Milliseconds(100);
    engine::RedisClient probe(options);
    // Waiting for a child process to come up, not for the wall clock.
    for (int i = 0; i < 100; ++i) {
      if (probe.Ping().ok()) return absl::OkStatus();
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) break;  // died: port taken?
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    Stop();
  }
  return absl::UnavailableError("redis-server did not start; is it installed?");
}

void RedisServer::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace tend::testing
