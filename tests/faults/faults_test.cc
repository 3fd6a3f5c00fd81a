// Issue #8's fault scenarios, each with real processes under load: a few
// thousand reminders due over ten minutes of the test clock, dispatched by
// real tend-scheduler replicas to webhook receivers, while something
// breaks. After each, every scheduled reminder must have been delivered
// (lost 0), and every duplicate must be the same reminder with the same id
// and Idempotency-Key. See fault_stack.h for the method; RESULTS.md holds
// the figures of a run.
#include <signal.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/base/status_macros.h"
#include "gtest/gtest.h"
#include "tend/pairing/v1/pairing.grpc.pb.h"
#include "tests/e2e/live_stream.h"
#include "tests/faults/fault_stack.h"
#include "tests/support/redis_sentinel.h"

namespace tend::faults {
namespace {

// One call through each service that needs Redis: a write at pairing
// (CreateInvite, for a user of its own) and a read at the scheduler
// (ListDevices of `member`, who is paired). OK when both are.
absl::Status CallBoth(const e2e::Service& pairing,
                      const e2e::Service& scheduler,
                      const std::string& probe_user,
                      const std::string& member) {
  auto pairing_stub = pairing::v1::PairingService::NewStub(pairing.channel);
  pairing::v1::Invite invite;
  grpc::Status s = pairing_stub->CreateInvite(
      e2e::WithAuth(e2e::UserBearer(probe_user)).get(), {}, &invite);
  if (!s.ok()) return absl::UnavailableError("pairing: " + s.error_message());
  auto scheduler_stub =
      scheduler::v1::SchedulerService::NewStub(scheduler.channel);
  scheduler::v1::ListDevicesRequest request;
  request.set_parent(absl::StrCat("users/", member));
  scheduler::v1::ListDevicesResponse devices;
  s = scheduler_stub->ListDevices(e2e::WithAuth(e2e::UserBearer(member)).get(),
                                  request, &devices);
  if (!s.ok()) return absl::UnavailableError("scheduler: " + s.error_message());
  if (devices.devices_size() != 1) {
    return absl::InternalError(
        absl::StrCat(member, " has ", devices.devices_size(), " devices"));
  }
  return absl::OkStatus();
}

// How long from `since` until CallBoth() succeeds; InfiniteDuration() when
// it does not within 60 s.
absl::Duration ServedAgainAfter(absl::Time since, const e2e::Service& pairing,
                                const e2e::Service& scheduler) {
  int probe = 0;
  const bool served = e2e::Poll(
      [&] {
        return CallBoth(pairing, scheduler, absl::StrCat("probe-", ++probe),
                        "fault-a0")
            .ok();
      },
      absl::Seconds(60), absl::Milliseconds(100));
  return served ? absl::Now() - since : absl::InfiniteDuration();
}

std::string Rounded(absl::Duration d) {
  return absl::FormatDuration(absl::Trunc(d, absl::Milliseconds(10)));
}

// ---------------------------------------------------------------------------
// Redis behind Sentinel: a master, two replicas and three Sentinels. The
// services find the master through Sentinel and wait for one replica on
// every write (?replicas=1).
class SentinelFailoverTest : public FaultTest {
 protected:
  absl::StatusOr<std::string> StartRedis() override {
    TEND_RETURN_IF_ERROR(sentinels_.Start());
    return sentinels_.url(/*wait_replicas=*/1);
  }
  testing::RedisSentinelSet sentinels_;
};

TEST_F(SentinelFailoverTest, MasterKilledMidDispatchLosesNothing) {
  absl::StatusOr<e2e::Service> pairing = StartPairing();
  ASSERT_TRUE(pairing.ok()) << pairing.status();
  const absl::Status started = StartSchedulersWithLoad();
  ASSERT_TRUE(started.ok()) << started;

  // A partner's app watches live on replica b: the stream must go on
  // through the failover (the replica's subscriber follows the master).
  // A probe on the live channel shows it is connected, before and after.
  auto stub = scheduler::v1::SchedulerService::NewStub(scheduler_b().channel);
  e2e::LiveStream live(stub.get(), e2e::UserBearer("fault-a0"));
  scheduler::v1::Reminder probe;
  probe.set_name(e2e::kLiveProbeName);
  probe.set_recipient_user_id("fault-a0");
  auto hears_probe = [&] {
    const int before = live.probes_seen();
    return e2e::Poll(
        [&] {
          (void)redis()->Command(
              {"PUBLISH", "tend:live:fault-a0", probe.SerializeAsString()});
          return live.probes_seen() > before;
        },
        absl::Seconds(30), absl::Milliseconds(50));
  };
  ASSERT_TRUE(hears_probe()) << "WatchReminders never came up";

  // Halfway through the span, with reminders being dispatched, kill -9 the
  // master and time how long until both services answer calls that need
  // Redis again (CallBoth()).
  absl::Duration outage = absl::InfiniteDuration();
  int accepted_at_kill = 0;
  const absl::Status walked = Walk(kSteps, [&](int step) {
    if (step != kSteps / 2) return;
    AwaitDispatching();
    accepted_at_kill = Accepted();
    absl::StatusOr<int> old_master = sentinels_.KillMaster();
    ASSERT_TRUE(old_master.ok()) << old_master.status();
    const absl::Time killed = absl::Now();
    // The test clock moves on while Redis is away, so due work piles up.
    ASSERT_TRUE(e2e::Poll([&] { return AdvanceClock(kSpan / kSteps / 2).ok(); },
                          absl::Seconds(60), absl::Milliseconds(100)));
    outage = ServedAgainAfter(killed, *pairing, scheduler_a());
    ASSERT_NE(outage, absl::InfiniteDuration())
        << "the services did not serve again within 60 s";
    const absl::Status failed_over =
        sentinels_.WaitForFailover(*old_master, /*replicas=*/1);
    ASSERT_TRUE(failed_over.ok()) << failed_over;
    EXPECT_TRUE(hears_probe())
        << "the live stream did not survive the failover";
  });
  ASSERT_TRUE(walked.ok()) << walked;
  ASSERT_FALSE(HasFatalFailure());
  // Seconds: 1 s to notice, then the election (a failed one is retried
  // after 2 x failover-timeout, 10 s).
  EXPECT_LT(outage, absl::Seconds(20)) << "services down too long";
  EXPECT_GT(accepted_at_kill, 0) << "nothing was dispatched before the kill";
  const absl::Status drained = Drain();
  EXPECT_TRUE(drained.ok()) << drained;
  // fault-a0's reminders due after the failover reached the open stream
  // (pub/sub may miss those published during it).
  int live_after = 0;
  const std::string last_due =
      absl::StrCat("fault.0.", kPerCouple - 2);  // fault-a0 gets the even ones
  for (const auto& event : live.events()) {
    if (event.reminder().name().size() >= last_due.size() &&
        absl::EndsWith(event.reminder().name(), last_due)) {
      ++live_after;
    }
  }
  EXPECT_GE(live_after, 1) << "the last reminder never reached the stream";
  Check(absl::StrCat("sentinel failover (served again after ", Rounded(outage),
                     ", ", accepted_at_kill, " delivered at the kill, ",
                     live.events().size(), " on a live stream)"));
}

// ---------------------------------------------------------------------------
// One redis-server with AOF, fsync on every write, killed -9 mid-dispatch
// and started again on the same port and files.
class AofRestartTest : public FaultTest {
 protected:
  const std::vector<std::string> kAof = {"--appendonly", "yes", "--appendfsync",
                                         "always"};
  absl::StatusOr<std::string> StartRedis() override {
    TEND_RETURN_IF_ERROR(redis_server().Start(kAof));
    return redis_server().url();
  }
};

TEST_F(AofRestartTest, RedisKilledAndRestartedLosesNothing) {
  absl::StatusOr<e2e::Service> pairing = StartPairing();
  ASSERT_TRUE(pairing.ok()) << pairing.status();
  const absl::Status started = StartSchedulersWithLoad();
  ASSERT_TRUE(started.ok()) << started;

  absl::Duration outage = absl::InfiniteDuration();
  int accepted_at_kill = 0;
  const absl::Status walked = Walk(kSteps, [&](int step) {
    if (step != kSteps / 2) return;
    AwaitDispatching();
    accepted_at_kill = Accepted();
    const int port = redis_server().port();
    redis_server().Stop();
    const absl::Time killed = absl::Now();
    const absl::Status restarted = redis_server().Start(kAof);
    ASSERT_TRUE(restarted.ok()) << restarted;
    ASSERT_EQ(redis_server().port(), port) << "the port was taken meanwhile";
    outage = ServedAgainAfter(killed, *pairing, scheduler_a());
    ASSERT_NE(outage, absl::InfiniteDuration())
        << "the services did not serve again within 60 s";
  });
  ASSERT_TRUE(walked.ok()) << walked;
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_GT(accepted_at_kill, 0) << "nothing was dispatched before the kill";
  const absl::Status drained = Drain();
  EXPECT_TRUE(drained.ok()) << drained;
  Check(absl::StrCat("redis kill -9 and restart with AOF (served again after ",
                     Rounded(outage), ", ", accepted_at_kill,
                     " delivered at the kill)"));
}

// ---------------------------------------------------------------------------
// A scheduler replica killed -9 mid-dispatch while it holds leases. The
// other replica drains the rest; the dead one's leases expire on the test
// clock (Drain() moves it) and their reminders go out again, same id.
// (tests/e2e/scheduler_kill_test.cc covers the live channel and a restart.)
using SchedulerKillFaultTest = FaultTest;

TEST_F(SchedulerKillFaultTest, ReplicaKilledDuringABurstLosesNothing) {
  absl::StatusOr<e2e::Service> pairing = StartPairing();
  ASSERT_TRUE(pairing.ok()) << pairing.status();
  const absl::Status started = StartSchedulersWithLoad();
  ASSERT_TRUE(started.ok()) << started;

  // A burst: half the load comes due at once at the kill step.
  int accepted_at_kill = 0;
  const absl::Status walked = Walk(2, [&](int step) {
    if (step != 1) return;
    AwaitDelivered(100);
    AwaitDispatching();
    accepted_at_kill = Accepted();
    EXPECT_EQ(scheduler_a().process->Terminate(SIGKILL), 128 + SIGKILL);
  });
  ASSERT_TRUE(walked.ok()) << walked;
  const absl::Status drained = Drain();
  EXPECT_TRUE(drained.ok()) << drained;
  EXPECT_LT(accepted_at_kill, kCouples * kPerCouple / 2)
      << "the burst was out before the kill; it proves nothing";
  Check(absl::StrCat("scheduler replica kill -9 during a burst (",
                     accepted_at_kill, " delivered at the kill)"));
}

// ---------------------------------------------------------------------------
// The webhook endpoints fail 30% of requests: 503, 500, 429 with
// Retry-After, or an answer after the 300 ms timeout (accepted by the
// receiver, so the retry is a duplicate the Idempotency-Key lets it drop).
using PushFailureTest = FaultTest;

TEST_F(PushFailureTest, FailingTimingOutAndThrottledEndpointsLoseNothing) {
  push().Control({{"fail_rate", {{"webhook", 0.3}}},
                  {"chaos_delay_ms", 600},
                  {"seed", 8}});
  absl::StatusOr<e2e::Service> pairing = StartPairing();
  ASSERT_TRUE(pairing.ok()) << pairing.status();
  // Enough attempts that 30% failures never exhaust them (0.3^20).
  const std::vector<std::string> flags = {"--push_timeout=300ms",
                                          "--max_attempts=20"};
  const absl::Status started = StartSchedulersWithLoad(flags);
  ASSERT_TRUE(started.ok()) << started;
  const absl::Status walked = Walk(kSteps, nullptr);
  ASSERT_TRUE(walked.ok()) << walked;
  const absl::Status drained = Drain();
  EXPECT_TRUE(drained.ok()) << drained;
  int failed = 0, throttled = 0, late = 0;
  for (const nlohmann::json& r : push().Requests("webhook")) {
    const int status = r.value("status", 0);
    if (r.value("delayed", false)) {
      ++late;
    } else if (status == 429) {
      ++throttled;
    } else if (status >= 500) {
      ++failed;
    }
  }
  EXPECT_GT(failed, 0);
  EXPECT_GT(throttled, 0);
  EXPECT_GT(late, 0);
  Check(absl::StrCat("push endpoints failing 30% (", failed, " 5xx, ",
                     throttled, " 429, ", late, " timed out)"));
}

// ---------------------------------------------------------------------------
// The prompt service killed mid-dispatch: reminders go out with the
// ritual's own words instead of prompt's content, none lost.
using PromptDownTest = FaultTest;

TEST_F(PromptDownTest, RemindersGoOutWithFallbackContent) {
  absl::StatusOr<e2e::Service> pairing = StartPairing();
  ASSERT_TRUE(pairing.ok()) << pairing.status();
  absl::StatusOr<e2e::Service> prompt = StartPrompt();
  ASSERT_TRUE(prompt.ok()) << prompt.status();
  const absl::Status started = StartSchedulersWithLoad();
  ASSERT_TRUE(started.ok()) << started;
  int accepted_at_kill = 0;
  int64_t in_flight_at_kill = 0;  // may have their words from prompt already
  const absl::Status walked = Walk(kSteps, [&](int step) {
    if (step != kSteps / 2) return;
    AwaitDispatching();
    accepted_at_kill = Accepted();
    absl::StatusOr<e2e::QueueTotals> t = Totals();
    if (t.ok()) in_flight_at_kill = t->leased;
    EXPECT_EQ(prompt->process->Terminate(SIGKILL), 128 + SIGKILL);
  });
  ASSERT_TRUE(walked.ok()) << walked;
  const absl::Status drained = Drain();
  EXPECT_TRUE(drained.ok()) << drained;
  // Every delivery says something: prompt's question while it lived, the
  // ritual's own words after.
  int fallback = 0, from_prompt = 0, empty = 0;
  for (const nlohmann::json& r : push().Requests("webhook")) {
    if (!r.value("accepted", false) || !r["body"].is_object()) continue;
    const std::string body = r["body"].value("body", "");
    if (body.empty() || r["body"].value("title", "").empty()) {
      ++empty;
    } else if (body == kFallbackBody) {
      ++fallback;
    } else {
      ++from_prompt;
    }
  }
  EXPECT_EQ(empty, 0) << "deliveries without content";
  EXPECT_GT(from_prompt, 0) << "prompt's content never arrived";
  EXPECT_GE(fallback,
            kCouples * kPerCouple - accepted_at_kill - in_flight_at_kill)
      << "reminders after prompt died must carry the fallback content";
  Check(absl::StrCat("prompt killed mid-dispatch (", from_prompt,
                     " with prompt's content, ", fallback,
                     " with the fallback)"));
}

// ---------------------------------------------------------------------------
// The pairing service killed mid-dispatch and back five steps (2.5 minutes
// of test clock) later on the same address: the dispatcher cannot learn
// who is in which couple meanwhile, retries, and loses nothing.
using PairingDownTest = FaultTest;

TEST_F(PairingDownTest, RemindersWaitForPairingAndAreNotLost) {
  const int port = testing::FreeLoopbackPort();
  absl::StatusOr<e2e::Service> pairing = StartPairing(port);
  ASSERT_TRUE(pairing.ok()) << pairing.status();
  const absl::Status started = StartSchedulersWithLoad();
  ASSERT_TRUE(started.ok()) << started;
  int accepted_at_kill = 0, accepted_at_restart = 0;
  const absl::Status walked = Walk(kSteps, [&](int step) {
    if (step == kSteps / 2) {
      AwaitDispatching();
      accepted_at_kill = Accepted();
      EXPECT_EQ(pairing->process->Terminate(SIGKILL), 128 + SIGKILL);
    } else if (step == kSteps / 2 + 5) {
      accepted_at_restart = Accepted();
      pairing = StartPairing(port);
      ASSERT_TRUE(pairing.ok()) << pairing.status();
    }
  });
  ASSERT_TRUE(walked.ok()) << walked;
  ASSERT_FALSE(HasFatalFailure());
  const absl::Status drained = Drain();
  EXPECT_TRUE(drained.ok()) << drained;
  Check(absl::StrCat("pairing killed mid-dispatch, back 2.5 min later (",
                     accepted_at_kill, " delivered at the kill, ",
                     accepted_at_restart - accepted_at_kill,
                     " while it was down)"));
}

}  // namespace
}  // namespace tend::faults
