#include "services/scheduler/live_hub.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/scheduler/scheduler_metrics.h"

namespace tend::scheduler {
namespace {
constexpr char kChannelPrefix[] = "tend:live:";
}  // namespace

bool LiveHub::Watcher::Next(v1::Reminder* reminder, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !pending_.empty() || closed_;
  };
  // A stream's idle wait is real time: it paces a network connection.
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  if (pending_.empty()) return false;
  *reminder = std::move(pending_.front());
  pending_.pop_front();
  return true;
}

bool LiveHub::Watcher::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

LiveHub::LiveHub(engine::RedisClient* redis,
                 const engine::RedisOptions& options)
    : redis_(redis),
      subscriber_(options, absl::StrCat(kChannelPrefix, "*"),
                  [this](absl::string_view channel, absl::string_view m) {
                    OnMessage(channel, m);
                  }) {}

LiveHub::~LiveHub() { Close(); }

void LiveHub::Start() { subscriber_.Start(); }

void LiveHub::Close() {
  std::vector<std::shared_ptr<Watcher>> all;
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return;
    closed_ = true;
    for (auto& [user, list] : watchers_) {
      all.insert(all.end(), list.begin(), list.end());
    }
  }
  for (auto& w : all) {
    absl::MutexLock lock(&w->mu_);
    w->closed_ = true;
  }
  subscriber_.Stop();
}

std::shared_ptr<LiveHub::Watcher> LiveHub::Watch(const std::string& user_id) {
  auto watcher = std::make_shared<Watcher>();
  absl::MutexLock lock(&mu_);
  if (closed_) {
    absl::MutexLock inner(&watcher->mu_);
    watcher->closed_ = true;
  }
  watchers_[user_id].push_back(watcher);
  return watcher;
}

void LiveHub::Unwatch(const std::string& user_id, const Watcher* watcher) {
  absl::MutexLock lock(&mu_);
  auto it = watchers_.find(user_id);
  if (it == watchers_.end()) return;
  auto& list = it->second;
  list.erase(std::remove_if(list.begin(), list.end(),
                            [&](const std::shared_ptr<Watcher>& w) {
                              return w.get() == watcher;
                            }),
             list.end());
  if (list.empty()) watchers_.erase(it);
}

absl::Status LiveHub::Deliver(const v1::Reminder& reminder) {
  RecordDelivery("live", "published");
  return redis_
      ->Command({"PUBLISH",
                 absl::StrCat(kChannelPrefix, reminder.recipient_user_id()),
                 reminder.SerializeAsString()})
      .status();
}

void LiveHub::OnMessage(absl::string_view channel, absl::string_view message) {
  if (!absl::ConsumePrefix(&channel, kChannelPrefix)) return;
  v1::Reminder reminder;
  if (!reminder.ParseFromArray(message.data(),
                               static_cast<int>(message.size()))) {
    return;
  }
  std::vector<std::shared_ptr<Watcher>> targets;
  {
    absl::MutexLock lock(&mu_);
    auto it = watchers_.find(std::string(channel));
    if (it == watchers_.end()) return;
    targets = it->second;
  }
  for (auto& w : targets) {
    absl::MutexLock lock(&w->mu_);
    w->pending_.push_back(reminder);
  }
}

}  // namespace tend::scheduler
