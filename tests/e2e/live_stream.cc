#include "tests/e2e/live_stream.h"

namespace tend::e2e {

LiveStream::LiveStream(scheduler::v1::SchedulerService::Stub* stub,
                       const std::string& bearer) {
  context_.AddMetadata("authorization", bearer);
  stream_ = stub->WatchReminders(&context_, {});
  thread_ = std::thread([this] {
    scheduler::v1::WatchRemindersResponse event;
    while (stream_->Read(&event)) {
      absl::MutexLock lock(&mu_);
      if (event.reminder().name() == kLiveProbeName) {
        ++probes_seen_;
      } else {
        events_.push_back(event);
      }
    }
  });
}

LiveStream::~LiveStream() { Close(); }

grpc::Status LiveStream::Close() {
  if (!thread_.joinable()) return status_;
  context_.TryCancel();
  thread_.join();
  status_ = stream_->Finish();
  return status_;
}

int LiveStream::probes_seen() const {
  absl::MutexLock lock(&mu_);
  return probes_seen_;
}

std::vector<scheduler::v1::WatchRemindersResponse> LiveStream::events() const {
  absl::MutexLock lock(&mu_);
  return events_;
}

}  // namespace tend::e2e
