#include "engine/time/clock.h"

#include "absl/time/clock.h"

namespace tend::engine {

absl::Time RealClock::Now() const { return absl::Now(); }

Clock* RealClock::Get() {
  static RealClock* const clock = new RealClock();
  return clock;
}

absl::Time FakeClock::Now() const {
  absl::MutexLock lock(&mu_);
  return now_;
}

void FakeClock::Set(absl::Time t) {
  absl::MutexLock lock(&mu_);
  now_ = t;
}

void FakeClock::Advance(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  now_ += d;
}

}  // namespace tend::engine
