// SchedulerFixture: the scheduler with pairing, end to end in one process,
// for the scheduler's integration suites.
//
// A real redis-server, real gRPC on loopback for both services, the pairing
// outbox relayed for real, and a FakeClock so weeks pass in milliseconds.
// The dispatcher is driven step by step with RunOnce() (RunFor()). A suite
// adds sinks (push) or changes options by overriding the hooks, which run
// inside SetUp():
//
//   class PushTest : public SchedulerFixture {
//     std::vector<DeliverySink*> ExtraSinks() override { return {push_}; }
//   };
#ifndef TEND_TESTS_SERVICES_SCHEDULER_SCHEDULER_FIXTURE_H_
#define TEND_TESTS_SERVICES_SCHEDULER_SCHEDULER_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/common/couple_directory.h"
#include "services/common/peer.h"
#include "services/pairing/outbox.h"
#include "services/pairing/pairing.h"
#include "services/pairing/pairing_service.h"
#include "services/scheduler/dispatcher.h"
#include "services/scheduler/live_hub.h"
#include "services/scheduler/scheduler.h"
#include "services/scheduler/scheduler_service.h"
#include "tend/pairing/v1/pairing.grpc.pb.h"
#include "tend/scheduler/v1/scheduler.grpc.pb.h"
#include "tests/support/service_harness.h"

namespace tend::scheduler {

// SchedulerFixture
//
// One test's services; the test thread drives them.
class SchedulerFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Hooks, called by SetUp() before anything is built from them.
  virtual void Configure(SchedulerOptions* scheduler,
                         engine::QueueOptions* queue) {}
  virtual std::vector<DeliverySink*> ExtraSinks() { return {}; }

  // SetProfile()
  //
  // Gives `user` a name and zone, waking hours 06:00-23:00, quiet hours
  // 23:00-06:00 and a budget of 6.
  void SetProfile(const std::string& user, const std::string& name,
                  const std::string& zone);

  // PairAliceAndBob()
  //
  // Pairs alice (London) and bob (Paris), relays the outbox and returns the
  // couple's name.
  std::string PairAliceAndBob();

  // UnpairNow()
  //
  // `user` unpairs asking to erase everything at once; the outbox is
  // relayed, so the scheduler has cancelled and erased the couple.
  void UnpairNow(const std::string& user);

  std::vector<v1::Ritual> Rituals(const std::string& user);
  // Both partners accept every proposed ritual.
  void AcceptAll(const std::string& couple);

  // RunFor()
  //
  // Moves the clock forward in `step`s, dispatching everything due.
  void RunFor(absl::Duration total, absl::Duration step = absl::Minutes(5));

  // Drain()
  //
  // Dispatches everything due now.
  void Drain();

  std::vector<v1::Reminder> Reminders(const std::string& user,
                                      v1::ReminderState state);

  // How long the store keeps history; a suite may set it before SetUp().
  absl::Duration history_retention_ = kDefaultRetention;

  testing::ServiceHarness h_;
  std::unique_ptr<pairing::Pairing> pairing_;
  std::unique_ptr<pairing::PairingServiceImpl> pairing_service_;
  std::unique_ptr<pairing::v1::PairingService::Stub> pairing_stub_;
  std::unique_ptr<services::ServiceToken> token_;
  std::unique_ptr<services::Peer> pairing_peer_;
  std::unique_ptr<services::CoupleDirectory> directory_;
  std::unique_ptr<engine::DueQueue> queue_;
  std::unique_ptr<SchedulerStore> store_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<LiveHub> live_;
  RitualTextContent content_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<SchedulerServiceImpl> service_;
  std::unique_ptr<services::RunningServer> scheduler_server_;
  std::shared_ptr<grpc::Channel> scheduler_channel_;
  std::unique_ptr<v1::SchedulerService::Stub> stub_;
  std::unique_ptr<services::Peer> scheduler_peer_;
  std::unique_ptr<pairing::OutboxRelay> relay_;
};

}  // namespace tend::scheduler

#endif  // TEND_TESTS_SERVICES_SCHEDULER_SCHEDULER_FIXTURE_H_
