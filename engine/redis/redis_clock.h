// RedisKeyClock: a controllable clock shared by every process of a test.
//
// End-to-end tests run real binaries and need simulated weeks to pass in
// seconds, for every replica at once. With --test_clock a service reads the
// time from one Redis key, which the test sets:
//
//   redis-cli SET tend:test:clock 1795683600000000   # unix microseconds
//
// Never used in production, where time is RealClock and due-ness is Redis
// TIME.
#ifndef TEND_ENGINE_REDIS_REDIS_CLOCK_H_
#define TEND_ENGINE_REDIS_REDIS_CLOCK_H_

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "engine/redis/redis_client.h"
#include "engine/time/clock.h"

namespace tend::engine {

// The key RedisKeyClock reads.
inline constexpr char kTestClockKey[] = "tend:test:clock";

// RedisKeyClock
//
// Thread-safe. While the key is missing or Redis is down, Now() repeats
// the last time it read (the real time before the first read).
class RedisKeyClock final : public Clock {
 public:
  explicit RedisKeyClock(RedisClient* redis);
  absl::Time Now() const override;

 private:
  RedisClient* const redis_;
  mutable absl::Mutex mu_;
  mutable absl::Time last_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tend::engine

#endif  // TEND_ENGINE_REDIS_REDIS_CLOCK_H_
