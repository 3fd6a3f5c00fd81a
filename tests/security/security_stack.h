// SecurityStack: the three real binaries (tend-pairing, tend-prompt,
// tend-scheduler) on one private redis-server, wired to each other, with
// the scheduler and prompt on the test clock.
//
//   class MyTest : public security::SecurityStack {};
//   TEST_F(MyTest, Works) {
//     ASSERT_NO_FATAL_FAILURE(StartAll());
//     auto stub = pairing::v1::PairingService::NewStub(pairing().channel);
//   }
#ifndef TEND_TESTS_SECURITY_SECURITY_STACK_H_
#define TEND_TESTS_SECURITY_SECURITY_STACK_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tend/pairing/v1/pairing.grpc.pb.h"
#include "tend/prompt/v1/prompt.grpc.pb.h"
#include "tend/scheduler/v1/scheduler.grpc.pb.h"
#include "tests/e2e/e2e_stack.h"

namespace tend::security {

// SnapshotDiff()
//
// The keys added (+), changed (~) and removed (-) between two snapshots
// (SecurityStack::RedisSnapshot), e.g. " +tend:x ~tend:y"; empty when equal.
std::string SnapshotDiff(const std::map<std::string, std::string>& before,
                         const std::map<std::string, std::string>& after);

// SecurityStack
//
// Driven from the test thread.
class SecurityStack : public e2e::StackTest {
 protected:
  // StartAll()
  //
  // Spawns the three services with `extra_flags[name]` added to each
  // ("pairing", "prompt", "scheduler") and opens stubs to them.
  void StartAll(
      const std::map<std::string, std::vector<std::string>>& extra_flags = {});

  // Profile()
  //
  // Sets `user`'s name, zone and waking/quiet hours (06-23 awake).
  void Profile(const std::string& user, const std::string& zone);

  // PairWithRituals()
  //
  // Pairs `a` and `b`, waits for the seeded rituals and returns the couple
  // name.
  std::string PairWithRituals(const std::string& a, const std::string& b);

  // RedisSnapshot()
  //
  // Every key with its type and content, except keys for which `skip(key)`
  // is true. Two snapshots compare equal when nothing was
  // stored, changed or removed.
  std::map<std::string, std::string> RedisSnapshot(
      const std::function<bool(const std::string&)>& skip);

  // Stops every service with SIGTERM, so their logs are complete.
  void StopAll();

  e2e::Service& pairing() { return pairing_; }
  e2e::Service& prompt() { return prompt_; }
  e2e::Service& scheduler() { return scheduler_; }

  std::unique_ptr<pairing::v1::PairingService::Stub> pairing_stub_;
  std::unique_ptr<prompt::v1::PromptService::Stub> prompt_stub_;
  std::unique_ptr<scheduler::v1::SchedulerService::Stub> scheduler_stub_;

 private:
  e2e::Service pairing_;
  e2e::Service prompt_;
  e2e::Service scheduler_;
};

}  // namespace tend::security

#endif  // TEND_TESTS_SECURITY_SECURITY_STACK_H_
