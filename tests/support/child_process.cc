#include "tests/support/child_process.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace tend::testing {
namespace {

int ExitStatus(int raw) {
  if (WIFEXITED(raw)) return WEXITSTATUS(raw);
  if (WIFSIGNALED(raw)) return 128 + WTERMSIG(raw);
  return -1;
}

// Replaces the child with argv; never returns.
[[noreturn]] void Exec(
    const std::vector<std::string>& argv,
    const std::vector<std::pair<std::string, std::string>>& env) {
  for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  _exit(127);
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv,
                           std::vector<std::pair<std::string, std::string>> env)
    : argv_(std::move(argv)), env_(std::move(env)) {
  char pattern[] = "/tmp/tend-child-XXXXXX";
  const int fd = mkstemp(pattern);
  if (fd >= 0) close(fd);
  stderr_path_ = pattern;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) Terminate(SIGKILL);
  if (stdout_fd_ >= 0) close(stdout_fd_);
  unlink(stderr_path_.c_str());
}

absl::Status ChildProcess::Start() {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return absl::InternalError("pipe failed");
  pid_ = fork();
  if (pid_ < 0) return absl::InternalError("fork failed");
  if (pid_ == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    const int err = open(stderr_path_.c_str(), O_WRONLY | O_TRUNC);
    if (err >= 0) dup2(err, STDERR_FILENO);
    close(pipe_fds[0]);
    // Dies with the test, so a crashed test leaves no server behind.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // Undo any signal mask the test runner set, so SIGTERM works normally.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    Exec(argv_, env_);
  }
  close(pipe_fds[1]);
  stdout_fd_ = pipe_fds[0];
  return absl::OkStatus();
}

absl::StatusOr<std::string> ChildProcess::ReadLine(absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  while (true) {
    if (size_t nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    const absl::Duration left = give_up - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError("no line before the timeout");
    }
    pollfd p{stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1) <=
        0) {
      continue;
    }
    char chunk[4096];
    const ssize_t n = read(stdout_fd_, chunk, sizeof chunk);
    if (n <= 0) {
      if (buffer_.empty()) return absl::NotFoundError("end of output");
      std::string line = std::move(buffer_);
      buffer_.clear();
      return line;
    }
    buffer_.append(chunk, n);
  }
}

absl::StatusOr<std::string> ChildProcess::WaitForListening(
    absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  while (true) {
    absl::StatusOr<std::string> line = ReadLine(give_up - absl::Now());
    if (!line.ok()) {
      return absl::Status(
          line.status().code(),
          absl::StrCat("no 'listening on' line: ", line.status().message(),
                       "; stderr: ", Stderr()));
    }
    absl::string_view rest = *line;
    if (absl::ConsumePrefix(&rest, "listening on ")) return std::string(rest);
  }
}

int ChildProcess::Wait(absl::Duration timeout) {
  if (pid_ <= 0) return -1;
  const absl::Time give_up = absl::Now() + timeout;
  int raw = 0;
  while (absl::Now() < give_up) {
    if (waitpid(pid_, &raw, WNOHANG) == pid_) {
      pid_ = -1;
      return ExitStatus(raw);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

int ChildProcess::Terminate(int signal, absl::Duration timeout) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  const int status = Wait(timeout);
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int raw = 0;
    waitpid(pid_, &raw, 0);
    pid_ = -1;
  }
  return status;
}

std::string ChildProcess::Stderr() const {
  std::ifstream in(stderr_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::pair<int, std::string> RunCommand(
    const std::vector<std::string>& argv,
    const std::vector<std::pair<std::string, std::string>>& env,
    bool merge_stderr) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return {-1, ""};
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    if (merge_stderr) dup2(pipe_fds[1], STDERR_FILENO);
    close(pipe_fds[0]);
    Exec(argv, env);
  }
  close(pipe_fds[1]);
  std::string out;
  char chunk[4096];
  ssize_t n;
  while ((n = read(pipe_fds[0], chunk, sizeof chunk)) > 0) out.append(chunk, n);
  close(pipe_fds[0]);
  int raw = 0;
  waitpid(pid, &raw, 0);
  return {ExitStatus(raw), out};
}

absl::StatusOr<std::string> HttpGet(const std::string& address,
                                    const std::string& path) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("curl: init failed");
  std::string body;
  const std::string url = absl::StrCat("http://", address, path);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION,
      +[](char* data, size_t size, size_t n, void* out) -> size_t {
        static_cast<std::string*>(out)->append(data, size * n);
        return size * n;
      });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  const CURLcode code = curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK) {
    return absl::UnavailableError(curl_easy_strerror(code));
  }
  return body;
}

}  // namespace tend::testing
