// FaultTest: Tend's real binaries under load while something breaks, and
// the check that every reminder still went out.
//
// A scenario pairs couples for real, registers a webhook device for each
// partner at fake_push_server.js (the push tests' Node stand-in), and queues
// thousands of reminders due over a span of the test clock. It then walks
// the clock across the span (Walk()), breaking something at a chosen step,
// lets the schedulers drain everything, retries included (Drain()), and
// compares what the webhook receiver accepted with what was scheduled
// (Check()):
//   - lost: scheduled ids the receiver never accepted; must be 0;
//   - duplicates: accepted requests beyond the first per id; each must
//     carry the same reminder, recipient and Idempotency-Key as the first.
// Check() prints one summary line per scenario ("[ faults ] ...").
//
// The receiver is outside Redis on purpose: what it saw does not depend on
// the store that the fault takes away.
#ifndef TEND_TESTS_FAULTS_FAULT_STACK_H_
#define TEND_TESTS_FAULTS_FAULT_STACK_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "tend/scheduler/v1/scheduler.grpc.pb.h"
#include "tests/e2e/e2e_stack.h"
#include "tests/services/scheduler/push/fake_push.h"

namespace tend::faults {

// The load ritual's description: what a reminder says when the prompt
// service cannot be asked.
inline constexpr char kFallbackBody[] = "Ten quiet minutes together.";

// The standard load: 2,000 reminders due over ten minutes of test clock,
// walked in 30-second steps.
inline constexpr int kCouples = 20;
inline constexpr int kPerCouple = 100;
inline constexpr absl::Duration kSpan = absl::Minutes(10);
inline constexpr int kSteps = 20;

// FaultFigures
//
// What Check() counted.
struct FaultFigures {
  int scheduled = 0;
  int delivered = 0;  // distinct ids the receiver accepted
  int lost = 0;
  int duplicates = 0;       // accepted requests beyond the first per id
  int changed_repeats = 0;  // repeats that differ from the first: must be 0
  int attempts = 0;         // every request the receiver saw, failed ones too
};

// FaultTest
//
// Driven from the test thread.
class FaultTest : public e2e::StackTest {
 protected:
  // Starts fake_push_server.js (skips without node), then the stack.
  void SetUp() override;

  // StartPairing(), StartPrompt(), StartScheduler()
  //
  // The binaries, with the test clock. Pairing listens on `port` (0: any),
  // so a restarted pairing keeps its address. A scheduler sends webhooks
  // to the fake over http with `push_timeout`, and calls pairing and, when
  // started, prompt.
  absl::StatusOr<e2e::Service> StartPairing(int port = 0);
  absl::StatusOr<e2e::Service> StartPrompt();
  absl::StatusOr<e2e::Service> StartScheduler(
      const std::string& name, const std::string& worker_id,
      std::vector<std::string> extra_flags = {});

  // StartSchedulersWithLoad()
  //
  // Scheduler replicas "a" and "b" (StartScheduler() with `flags`), then
  // the standard load scheduled through a. Start pairing (and prompt)
  // first.
  absl::Status StartSchedulersWithLoad(std::vector<std::string> flags = {});
  e2e::Service& scheduler_a() { return scheduler_a_; }
  e2e::Service& scheduler_b() { return scheduler_b_; }

  // ScheduleLoad()
  //
  // `couples` couples paired through pairing, a webhook device for each
  // partner registered through `scheduler`, one active personal ritual per
  // couple, and `per_couple` reminders per couple queued with due times
  // spread evenly over [clock(), clock() + span).
  absl::Status ScheduleLoad(const e2e::Service& scheduler, int couples,
                            int per_couple, absl::Duration span);

  // Walk()
  //
  // Moves the test clock across the load's span in `steps` equal steps.
  // After each move it calls `at_step(i)` at once, while the schedulers
  // are taking what just came due, then lets them settle (Settle()). A clock
  // write that fails (Redis failing over) is retried for up to 60 s.
  absl::Status Walk(int steps, const std::function<void(int)>& at_step);

  // AwaitDispatching()
  //
  // Until some scheduler holds leases (at most 10 s), so that a fault
  // struck next strikes mid-dispatch.
  void AwaitDispatching();

  // AwaitDelivered()
  //
  // Until the receiver has accepted `n` distinct ids (at most 20 s).
  void AwaitDelivered(int n);

  // Drain()
  //
  // Until every scheduled id was accepted and the queue is empty: whenever
  // the schedulers have settled (Settle()), moves the test clock 30 s on
  // so that retries and expired leases come due. Gives up after `timeout`
  // of real time.
  absl::Status Drain(absl::Duration timeout = absl::Seconds(120));

  // Check()
  //
  // Counts the receiver's requests against the scheduled set, EXPECTs no
  // loss, no changed repeat and an empty dead letter, and prints the
  // scenario's summary line.
  FaultFigures Check(const std::string& scenario);

  // Accepted()
  //
  // Distinct ids the receiver accepted so far.
  int Accepted();

  // The webhook receiver; its requests are the ground truth.
  testing::FakePush& push() { return push_; }
  // Where pairing and prompt listen once started.
  const std::string& pairing_address() const { return pairing_address_; }
  const absl::flat_hash_map<std::string, std::string>& recipients() const {
    return recipient_by_id_;
  }

 private:
  // Settle()
  //
  // Waits until nothing due is unclaimed and nothing is leased (true), or
  // until the queue has not changed for a second of real time or 20 s
  // have passed (false): what is left waits for the test clock, e.g. a
  // dead worker's leases.
  bool Settle();

  testing::FakePush push_;
  e2e::Service scheduler_a_;
  e2e::Service scheduler_b_;
  std::string pairing_address_;
  std::string prompt_address_;
  absl::Time started_;
  absl::Time span_start_;
  absl::Duration span_;
  // Reminder id → its recipient, and → its full name.
  absl::flat_hash_map<std::string, std::string> recipient_by_id_;
  absl::flat_hash_map<std::string, std::string> name_by_id_;
};

}  // namespace tend::faults

#endif  // TEND_TESTS_FAULTS_FAULT_STACK_H_
