// LiveHub: reminders delivered live to connected apps (WatchReminders).
//
// Any replica may dispatch a reminder, and the recipient's app may be
// connected to any other. So delivery publishes on the recipient's Redis
// channel, "tend:live:{user}", and every replica's one subscriber hands
// messages to the watchers connected to it.
//
//   LiveHub hub(&redis, redis_options);
//   hub.Start();
//   std::shared_ptr<LiveHub::Watcher> w = hub.Watch("alice");
//   v1::Reminder r;
//   while (w->Next(&r, absl::Seconds(1))) ...
#ifndef TEND_SERVICES_SCHEDULER_LIVE_HUB_H_
#define TEND_SERVICES_SCHEDULER_LIVE_HUB_H_

#include <deque>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/redis/redis_client.h"
#include "engine/redis/redis_subscriber.h"
#include "services/scheduler/delivery.h"

namespace tend::scheduler {

// LiveHub
//
// Thread-safe.
class LiveHub final : public DeliverySink {
 public:
  // Watcher
  //
  // One connected stream's inbox.
  class Watcher {
   public:
    // Next()
    //
    // Waits up to `timeout` for the next reminder. False on timeout or once
    // the hub is closed (then closed() is true).
    bool Next(v1::Reminder* reminder, absl::Duration timeout);
    bool closed() const;

   private:
    friend class LiveHub;
    mutable absl::Mutex mu_;
    std::deque<v1::Reminder> pending_ ABSL_GUARDED_BY(mu_);
    bool closed_ ABSL_GUARDED_BY(mu_) = false;
  };

  LiveHub(engine::RedisClient* redis, const engine::RedisOptions& options);
  ~LiveHub() override;

  // Start() / Close()
  //
  // Start listening; Close() also ends every Watcher's Next().
  void Start();
  void Close();

  // Watch() / Unwatch()
  //
  // Registers a stream for `user_id`'s reminders.
  std::shared_ptr<Watcher> Watch(const std::string& user_id);
  void Unwatch(const std::string& user_id, const Watcher* watcher);

  // Deliver()
  //
  // Publishes to the recipient's channel. OK even when nobody is connected:
  // the live stream is best effort; push is the durable path.
  absl::Status Deliver(const v1::Reminder& reminder) override;

 private:
  void OnMessage(absl::string_view channel, absl::string_view message);

  engine::RedisClient* const redis_;
  engine::RedisSubscriber subscriber_;
  absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<std::string, std::vector<std::shared_ptr<Watcher>>>
      watchers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tend::scheduler

#endif  // TEND_SERVICES_SCHEDULER_LIVE_HUB_H_
