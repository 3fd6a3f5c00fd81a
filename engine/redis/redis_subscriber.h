// RedisSubscriber: one pattern subscription on a connection of its own.
//
// Pub/sub needs a connection in subscriber mode, which RedisClient's pooled
// connections cannot be. A RedisSubscriber owns one such connection and a
// thread that hands every message to a callback. When Redis goes away it
// redials and subscribes again on its own; messages published meanwhile
// are missed, as pub/sub promises nothing more.
//
//   RedisSubscriber live(options, "tend:live:*",
//                        [](absl::string_view channel, absl::string_view m) {
//                          ...
//                        });
//   live.Start();
#ifndef TEND_ENGINE_REDIS_REDIS_SUBSCRIBER_H_
#define TEND_ENGINE_REDIS_REDIS_SUBSCRIBER_H_

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "engine/redis/redis_client.h"

struct redisContext;

namespace tend::engine {

// RedisSubscriber
//
// The callback runs on the subscriber's thread, one message at a time.
class RedisSubscriber {
 public:
  using Handler =
      std::function<void(absl::string_view channel, absl::string_view message)>;

  RedisSubscriber(RedisOptions options, std::string pattern, Handler handler);
  ~RedisSubscriber();
  RedisSubscriber(const RedisSubscriber&) = delete;
  RedisSubscriber& operator=(const RedisSubscriber&) = delete;

  // Start()
  //
  // Starts the thread. Call once.
  void Start();

  // Stop()
  //
  // Closes the connection and joins the thread. Idempotent.
  void Stop();

 private:
  void Run();

  const RedisOptions options_;
  const std::string pattern_;
  const Handler handler_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  absl::Mutex mu_;
  redisContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace tend::engine

#endif  // TEND_ENGINE_REDIS_REDIS_SUBSCRIBER_H_
