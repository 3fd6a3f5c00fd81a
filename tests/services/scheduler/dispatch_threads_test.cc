// The dispatcher's own worker threads (Start/Stop), several at once over one
// queue, against a real Redis and pairing over real gRPC. The other suites
// drive the dispatcher on the test thread; this one is what ThreadSanitizer
// watches in CI (deploy/local/test.sh, stage tsan).
#include <set>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/services/scheduler/scheduler_fixture.h"

namespace tend::scheduler {
namespace {

// Notes every delivery; called from every worker at once.
class NotingSink final : public DeliverySink {
 public:
  absl::Status Deliver(const v1::Reminder& reminder) override {
    absl::MutexLock lock(&mu_);
    names_.push_back(reminder.name());
    return absl::OkStatus();
  }
  std::vector<std::string> names() {
    absl::MutexLock lock(&mu_);
    return names_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> names_ ABSL_GUARDED_BY(mu_);
};

class DispatchThreadsTest : public SchedulerFixture {
 protected:
  // Whether nothing is due or leased at the test clock's now, waiting for
  // the workers (not for time to pass) up to a generous bound.
  bool WaitUntilIdle() {
    const absl::Time give_up = absl::Now() + absl::Seconds(120);
    while (absl::Now() < give_up) {
      absl::StatusOr<std::vector<engine::ShardStats>> stats =
          queue_->Stats(h_.clock()->Now());
      bool idle = stats.ok();
      for (size_t i = 0; idle && i < stats->size(); ++i) {
        idle = (*stats)[i].due_unclaimed == 0 && (*stats)[i].leased == 0;
      }
      if (idle) return true;
      absl::SleepFor(absl::Milliseconds(2));
    }
    return false;
  }
};

TEST_F(DispatchThreadsTest, FourWorkersDeliverEachReminderOnce) {
  const std::string couple = PairAliceAndBob();
  AcceptAll(couple);
  NotingSink sink;
  DispatcherOptions options;
  options.worker_id = "threads";
  options.threads = 4;
  options.batch = 3;  // small batches: the workers meet on every shard
  options.idle_wait = absl::Milliseconds(1);
  options.queue_uses_clock = true;
  Dispatcher workers(queue_.get(), scheduler_.get(), {&sink, live_.get()},
                     &content_, h_.clock(), options);
  workers.Start();
  bool idle = true;
  for (int hour = 0; hour < 24 * 8 && idle; ++hour) {
    h_.clock()->Advance(absl::Hours(1));
    idle = WaitUntilIdle();
  }
  workers.Stop();
  ASSERT_TRUE(idle) << "the workers stopped draining the queue";

  const std::vector<std::string> delivered = sink.names();
  const std::set<std::string> distinct(delivered.begin(), delivered.end());
  // A week of the default rituals for two: the nightly question, the weekly
  // check-in and date night.
  EXPECT_GE(delivered.size(), 14u);
  EXPECT_EQ(distinct.size(), delivered.size()) << "a reminder went out twice";
  std::set<std::string> recorded;
  for (const char* user : {"alice", "bob"}) {
    for (const v1::Reminder& r :
         Reminders(user, v1::REMINDER_STATE_DELIVERED)) {
      recorded.insert(r.name());
    }
  }
  EXPECT_EQ(recorded, distinct);
  absl::StatusOr<std::vector<engine::DeadLetter>> dead =
      queue_->ListDeadLetters(10);
  ASSERT_TRUE(dead.ok());
  EXPECT_TRUE(dead->empty());
}

}  // namespace
}  // namespace tend::scheduler
