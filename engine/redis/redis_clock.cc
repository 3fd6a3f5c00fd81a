#include "engine/redis/redis_clock.h"

#include "absl/strings/numbers.h"

namespace tend::engine {

RedisKeyClock::RedisKeyClock(RedisClient* redis)
    : redis_(redis), last_(RealClock::Get()->Now()) {}

absl::Time RedisKeyClock::Now() const {
  absl::StatusOr<RedisReply> reply = redis_->Command({"GET", kTestClockKey});
  int64_t micros = 0;
  absl::MutexLock lock(&mu_);
  if (reply.ok() && !reply->is_nil() && absl::SimpleAtoi(reply->str, &micros)) {
    last_ = absl::FromUnixMicros(micros);
  }
  return last_;
}

}  // namespace tend::engine
