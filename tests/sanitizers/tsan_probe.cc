// The probe for absl_tsan_hooks.cc: two threads share data under an
// absl::Mutex and through an absl::Notification, and, when given the
// argument "race", a third writes the data without the lock.
//
// In a TSan build without the hooks even the guarded accesses are reported
// (Debian's libabsl carries no TSan annotations); with them, only the race.
// tests/sanitizers/CMakeLists.txt runs both ways.
#include <cstring>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

namespace {

absl::Mutex mu;
int counter = 0;  // guarded by mu

void Count() {
  for (int i = 0; i < 1000; ++i) {
    absl::MutexLock lock(&mu);
    ++counter;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::thread a(Count);
  std::thread b(Count);
  a.join();
  b.join();

  int published = 0;
  absl::Notification ready;
  std::thread writer([&] {
    published = 1;
    ready.Notify();
  });
  ready.WaitForNotification();
  const int seen = published;
  writer.join();

  if (argc > 1 && std::strcmp(argv[1], "race") == 0) {
    std::thread racer([] { ++counter; });  // without the lock
    Count();
    racer.join();
  }
  return seen == 1 ? 0 : 1;
}
