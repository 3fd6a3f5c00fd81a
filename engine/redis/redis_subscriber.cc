#include "engine/redis/redis_subscriber.h"

#include <hiredis/hiredis.h>
#include <sys/socket.h>

#include <chrono>

#include "engine/base/log.h"

namespace tend::engine {

RedisSubscriber::RedisSubscriber(RedisOptions options, std::string pattern,
                                 Handler handler)
    : options_(std::move(options)),
      pattern_(std::move(pattern)),
      handler_(std::move(handler)) {}

RedisSubscriber::~RedisSubscriber() { Stop(); }

void RedisSubscriber::Start() {
  thread_ = std::thread([this] { Run(); });
}

void RedisSubscriber::Stop() {
  if (stopping_.exchange(true)) return;
  {
    // Wakes a blocked read: the socket closes under it.
    absl::MutexLock lock(&mu_);
    if (context_ != nullptr) shutdown(context_->fd, SHUT_RDWR);
  }
  if (thread_.joinable()) thread_.join();
}

void RedisSubscriber::Run() {
  while (!stopping_.load()) {
    // Behind Sentinel, every (re)connection asks where the master is now,
    // so a subscriber follows a failover as the client does.
    const absl::StatusOr<std::pair<std::string, int>> endpoint =
        MasterEndpoint(options_);
    redisContext* c =
        endpoint.ok()
            ? redisConnectWithTimeout(endpoint->first.c_str(),
                                      endpoint->second,
                                      absl::ToTimeval(options_.connect_timeout))
            : nullptr;
    bool ready = c != nullptr && c->err == 0;
    if (ready && !options_.password.empty()) {
      auto* r = static_cast<redisReply*>(
          redisCommand(c, "AUTH %s", options_.password.c_str()));
      ready = r != nullptr && r->type != REDIS_REPLY_ERROR;
      if (r != nullptr) freeReplyObject(r);
    }
    if (ready) {
      auto* r = static_cast<redisReply*>(
          redisCommand(c, "PSUBSCRIBE %b", pattern_.data(), pattern_.size()));
      ready = r != nullptr;
      if (r != nullptr) freeReplyObject(r);
    }
    if (ready) {
      absl::MutexLock lock(&mu_);
      context_ = c;
      if (stopping_.load()) shutdown(c->fd, SHUT_RDWR);
    }
    while (ready && !stopping_.load()) {
      void* raw = nullptr;
      if (redisGetReply(c, &raw) != REDIS_OK || raw == nullptr) break;
      auto* reply = static_cast<redisReply*>(raw);
      // A pmessage is [pmessage, pattern, channel, payload].
      if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 4 &&
          reply->element[2]->type == REDIS_REPLY_STRING &&
          reply->element[3]->type == REDIS_REPLY_STRING) {
        handler_(absl::string_view(reply->element[2]->str,
                                   reply->element[2]->len),
                 absl::string_view(reply->element[3]->str,
                                   reply->element[3]->len));
      }
      freeReplyObject(reply);
    }
    {
      absl::MutexLock lock(&mu_);
      context_ = nullptr;
    }
    if (c != nullptr) redisFree(c);
    if (!stopping_.load()) {
      Log(LogLevel::kWarning, "redis.subscriber_reconnecting",
          {{"pattern", pattern_}});
      // Redial pacing: operational, not business time.
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(
                               +[](std::atomic<bool>* s) { return s->load(); },
                               &stopping_),
                           absl::Milliseconds(200));
    }
  }
}

}  // namespace tend::engine
