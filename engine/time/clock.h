// The clock every part of Tend reads time through.
//
// Production code is handed a RealClock; tests hand the same code a
// FakeClock and move it forward, so a simulated month runs in milliseconds
// and no test waits for the wall clock.
//
//   tend::engine::FakeClock clock(absl::FromUnixSeconds(1'800'000'000));
//   Service service(&clock);
//   clock.Advance(absl::Hours(25));  // the invite has now expired
#ifndef TEND_ENGINE_TIME_CLOCK_H_
#define TEND_ENGINE_TIME_CLOCK_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace tend::engine {

// Clock
//
// A source of the current instant. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;

  // Now()
  //
  // Returns the current instant.
  virtual absl::Time Now() const = 0;
};

// RealClock
//
// The system's clock.
class RealClock final : public Clock {
 public:
  absl::Time Now() const override;

  // Get()
  //
  // Returns the process-wide real clock, which is never destroyed.
  static Clock* Get();
};

// FakeClock
//
// A clock that moves only when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start) : now_(start) {}

  absl::Time Now() const override;

  // Set()
  //
  // Jumps to `t`, which may be earlier than now (a clock can step back).
  void Set(absl::Time t);

  // Advance()
  //
  // Moves the clock forward by `d`.
  void Advance(absl::Duration d);

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tend::engine

#endif  // TEND_ENGINE_TIME_CLOCK_H_
