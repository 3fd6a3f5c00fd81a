// ChildProcess: runs one of Tend's real binaries from a test.
//
// End-to-end tests start build/bin executables as separate processes, read
// the "listening on HOST:PORT" line they print, talk to them, and stop them
// with a signal, checking the exit status.
//
//   ChildProcess pairing({TEND_PAIRING_BIN, "--listen=127.0.0.1:0"},
//                        {{"TEND_JWT_SECRET", "s"}});
//   ASSERT_TRUE(pairing.Start().ok());
//   absl::StatusOr<std::string> address = pairing.WaitForListening();
//   ...
//   EXPECT_EQ(pairing.Terminate(SIGTERM), 0);
#ifndef TEND_TESTS_SUPPORT_CHILD_PROCESS_H_
#define TEND_TESTS_SUPPORT_CHILD_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace tend::testing {

// ChildProcess
//
// Stdout is read line by line by the test; stderr goes to a file whose text
// Stderr() returns. The process is killed when the object goes.
class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> argv,
               std::vector<std::pair<std::string, std::string>> env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  absl::Status Start();

  // ReadLine()
  //
  // The next stdout line, without its newline; DEADLINE_EXCEEDED after
  // `timeout`, NOT_FOUND at end of output.
  absl::StatusOr<std::string> ReadLine(absl::Duration timeout);

  // WaitForListening()
  //
  // Reads stdout until "listening on HOST:PORT" and returns "HOST:PORT".
  absl::StatusOr<std::string> WaitForListening(
      absl::Duration timeout = absl::Seconds(20));

  // Terminate()
  //
  // Sends `signal` and waits up to `timeout` for the exit; returns the exit
  // status, 128 + signal when killed by one, or -1 when it had to be
  // killed after the timeout.
  int Terminate(int signal, absl::Duration timeout = absl::Seconds(20));

  // Wait()
  //
  // Waits for the process to exit by itself; returns its exit status.
  int Wait(absl::Duration timeout = absl::Seconds(20));

  // Everything the process wrote to stderr so far.
  std::string Stderr() const;
  pid_t pid() const { return pid_; }

 private:
  std::vector<std::string> argv_;
  std::vector<std::pair<std::string, std::string>> env_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string stderr_path_;
  std::string buffer_;
};

// RunCommand()
//
// Runs `argv` to completion with `env` added; returns {exit status, stdout}.
// Stderr is appended to stdout when `merge_stderr`.
std::pair<int, std::string> RunCommand(
    const std::vector<std::string>& argv,
    const std::vector<std::pair<std::string, std::string>>& env = {},
    bool merge_stderr = false);

// HttpGet()
//
// The body of GET http://`address``path` (address "HOST:PORT"), with
// libcurl; UNAVAILABLE when it cannot connect.
absl::StatusOr<std::string> HttpGet(const std::string& address,
                                    const std::string& path);

}  // namespace tend::testing

#endif  // TEND_TESTS_SUPPORT_CHILD_PROCESS_H_
