// LiveStream: one WatchReminders stream read on a thread of its own, for
// end-to-end tests.
//
// A test first makes sure the stream is registered by publishing a probe
// reminder named kLiveProbeName on the user's live channel until the
// stream shows it (probes_seen()); every other event is kept (events()).
//
//   e2e::LiveStream live(stub.get(), e2e::UserBearer("alice"));
//   ASSERT_TRUE(e2e::Poll([&] {
//     PublishProbe("alice");  // a Reminder named kLiveProbeName
//     return live.probe_seen();
//   }, absl::Seconds(10)));
#ifndef TEND_TESTS_E2E_LIVE_STREAM_H_
#define TEND_TESTS_E2E_LIVE_STREAM_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "tend/scheduler/v1/scheduler.grpc.pb.h"

namespace tend::e2e {

// The name of the probe reminder a test publishes on a live channel.
inline constexpr char kLiveProbeName[] = "e2e-probe";

// LiveStream
//
// Thread-safe readers; the stream's thread records.
class LiveStream {
 public:
  LiveStream(scheduler::v1::SchedulerService::Stub* stub,
             const std::string& bearer);
  ~LiveStream();
  LiveStream(const LiveStream&) = delete;
  LiveStream& operator=(const LiveStream&) = delete;

  // Close()
  //
  // Cancels the stream and returns how it ended.
  grpc::Status Close();

  // How many probes arrived; whether any did.
  int probes_seen() const;
  bool probe_seen() const { return probes_seen() > 0; }
  // Every other event, oldest first.
  std::vector<scheduler::v1::WatchRemindersResponse> events() const;

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<scheduler::v1::WatchRemindersResponse>>
      stream_;
  std::thread thread_;
  grpc::Status status_;
  mutable absl::Mutex mu_;
  int probes_seen_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<scheduler::v1::WatchRemindersResponse> events_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace tend::e2e

#endif  // TEND_TESTS_E2E_LIVE_STREAM_H_
