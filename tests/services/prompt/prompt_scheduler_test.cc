// The prompt service with a real scheduler, in one process: pairing, the
// scheduler and the prompt service each behind real gRPC on loopback, one
// redis-server, a FakeClock. Checks what crosses between prompt and
// scheduler: the couple's connection score (and nothing else of the check),
// the cadence read on a person's behalf, and the words of the dispatcher's
// reminders (services/scheduler/prompt_content.h).
#include <set>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/pairing/outbox.h"
#include "services/prompt/scoring.h"
#include "services/scheduler/dispatcher.h"
#include "services/scheduler/live_hub.h"
#include "services/scheduler/prompt_content.h"
#include "services/scheduler/scheduler.h"
#include "services/scheduler/scheduler_service.h"
#include "tend/scheduler/v1/scheduler.grpc.pb.h"
#include "tests/services/prompt/prompt_fixture.h"

namespace tend::prompt {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
namespace sv1 = ::tend::scheduler::v1;

// Passes every call on, keeping what was sent.
class RecordingLink final : public SchedulerLink {
 public:
  explicit RecordingLink(SchedulerLink* next) : next_(next) {}
  absl::StatusOr<sv1::Cadence> GetCadence(
      const std::string& couple_name,
      const std::string& user_authorization) override {
    ++cadence_reads;
    return next_->GetCadence(couple_name, user_authorization);
  }
  absl::StatusOr<sv1::Cadence> RecordConnectionScore(
      const sv1::RecordConnectionScoreRequest& request) override {
    sent.push_back(request);
    return next_->RecordConnectionScore(request);
  }
  std::vector<sv1::RecordConnectionScoreRequest> sent;
  int cadence_reads = 0;

 private:
  SchedulerLink* const next_;
};

// A scheduler whose cadence always emphasises `emphasis`.
class FixedCadence final : public SchedulerLink {
 public:
  explicit FixedCadence(std::vector<type::v1::Practice> emphasis)
      : emphasis_(std::move(emphasis)) {}
  absl::StatusOr<sv1::Cadence> GetCadence(const std::string&,
                                          const std::string&) override {
    sv1::Cadence cadence;
    for (type::v1::Practice p : emphasis_) cadence.add_emphasised_practices(p);
    return cadence;
  }
  absl::StatusOr<sv1::Cadence> RecordConnectionScore(
      const sv1::RecordConnectionScoreRequest&) override {
    return absl::UnavailableError("not here");
  }

 private:
  std::vector<type::v1::Practice> emphasis_;
};

class PromptSchedulerTest : public PromptFixture {
 protected:
  void StartPeers() override {
    scheduler_token_ = std::make_unique<services::ServiceToken>(
        testing::kTestServiceSecret, "scheduler", h_.clock());
    scheduler_pairing_ = std::make_unique<services::Peer>(
        h_.server()->address(), scheduler_token_.get());
    directory_ = std::make_unique<services::CoupleDirectory>(
        scheduler_pairing_.get(), h_.clock(), absl::ZeroDuration());
    engine::QueueOptions queue_options;
    queue_options.shards = 4;
    queue_ = std::make_unique<engine::DueQueue>(h_.redis(), queue_options);
    store_ = std::make_unique<scheduler::SchedulerStore>(h_.redis());
    scheduler_ = std::make_unique<scheduler::Scheduler>(
        store_.get(), queue_.get(), directory_.get(), h_.clock());
    live_ = std::make_unique<scheduler::LiveHub>(
        h_.redis(), *engine::ParseRedisUrl(h_.redis_server().url()));
    live_->Start();
    scheduler_service_ = std::make_unique<scheduler::SchedulerServiceImpl>(
        h_.auth(), scheduler_.get(), live_.get());
    services::ServerConfig config;
    config.name = "scheduler";
    config.services = {scheduler_service_.get()};
    config.redis = h_.redis();
    auto server = services::RunningServer::Start(std::move(config));
    ASSERT_TRUE(server.ok());
    scheduler_server_ = *std::move(server);
    scheduler_stub_ = sv1::SchedulerService::NewStub(grpc::CreateChannel(
        scheduler_server_->address(), grpc::InsecureChannelCredentials()));
    // The prompt service calls the scheduler with its own token.
    prompt_scheduler_ = std::make_unique<services::Peer>(
        scheduler_server_->address(), token_.get());
    grpc_link_ = std::make_unique<GrpcSchedulerLink>(prompt_scheduler_.get());
    recording_ = std::make_unique<RecordingLink>(grpc_link_.get());
    relay_ = std::make_unique<pairing::OutboxRelay>(h_.redis(),
                                                    prompt_scheduler_.get());
  }

  SchedulerLink* scheduler_link() override { return recording_.get(); }

  void TearDown() override {
    if (dispatcher_ != nullptr) dispatcher_->Stop();
    live_->Close();
    scheduler_server_->Shutdown(absl::ZeroDuration());
    PromptFixture::TearDown();
  }

  // A dispatcher whose words come from the prompt service at `address`.
  void StartDispatcher(const std::string& address) {
    prompt_peer_ =
        std::make_unique<services::Peer>(address, scheduler_token_.get());
    content_ = std::make_unique<scheduler::PromptContent>(prompt_peer_.get());
    scheduler::DispatcherOptions options;
    options.queue_uses_clock = true;
    options.threads = 0;
    dispatcher_ = std::make_unique<scheduler::Dispatcher>(
        queue_.get(), scheduler_.get(),
        std::vector<scheduler::DeliverySink*>{live_.get()}, content_.get(),
        h_.clock(), options);
  }

  // Awake 06-23, quiet 23-06, like the scheduler's own tests.
  void Profile(const std::string& user, const std::string& name,
               const std::string& zone) {
    pairing::v1::PartnerProfile out;
    ASSERT_TRUE(pairing_stub_
                    ->UpdatePartnerProfile(
                        h_.ContextFor(user).get(),
                        testing::DayProfileRequest(name, zone, 8), &out)
                    .ok());
  }

  // Alice and Bob, paired, with the default rituals seeded and accepted.
  std::string CoupleWithSchedule() {
    Profile("alice", "Alice", "Europe/London");
    Profile("bob", "Bob", "Europe/Paris");
    const std::string couple = Pair("alice", "bob");
    EXPECT_TRUE(relay_->RelayOnce().ok());
    for (const char* user : {"alice", "bob"}) {
      sv1::BatchAcceptRitualsRequest req;
      req.set_parent(couple);
      sv1::BatchAcceptRitualsResponse out;
      grpc::Status s = scheduler_stub_->BatchAcceptRituals(
          h_.ContextFor(user).get(), req, &out);
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    return couple;
  }

  v1::SubmitConnectionCheckRequest Check(const std::string& couple,
                                         int rating) {
    v1::SubmitConnectionCheckRequest req;
    req.set_parent(couple);
    req.set_connection_check(catalog_->connection_check().name());
    for (const v1::ConnectionCheckItem& item :
         catalog_->connection_check().items()) {
      v1::ConnectionCheckAnswer* a = req.add_answers();
      a->set_item_id(item.id());
      a->set_rating(rating);
    }
    return req;
  }

  void RunFor(absl::Duration total, absl::Duration step) {
    for (absl::Duration t; t < total; t += step) {
      h_.clock()->Advance(step);
      while (true) {
        absl::StatusOr<int> n = dispatcher_->RunOnce();
        ASSERT_TRUE(n.ok()) << n.status();
        if (*n == 0) break;
      }
    }
  }

  std::vector<sv1::Reminder> Delivered(const std::string& user) {
    sv1::ListRemindersRequest req;
    req.set_recipient_user_id(user);
    req.add_states(sv1::REMINDER_STATE_DELIVERED);
    req.set_page_size(500);
    sv1::ListRemindersResponse out;
    EXPECT_TRUE(
        scheduler_stub_->ListReminders(h_.ContextFor(user).get(), req, &out)
            .ok());
    return {out.reminders().begin(), out.reminders().end()};
  }

  std::unique_ptr<services::ServiceToken> scheduler_token_;
  std::unique_ptr<services::Peer> scheduler_pairing_;
  std::unique_ptr<services::CoupleDirectory> directory_;
  std::unique_ptr<engine::DueQueue> queue_;
  std::unique_ptr<scheduler::SchedulerStore> store_;
  std::unique_ptr<scheduler::Scheduler> scheduler_;
  std::unique_ptr<scheduler::LiveHub> live_;
  std::unique_ptr<scheduler::SchedulerServiceImpl> scheduler_service_;
  std::unique_ptr<services::RunningServer> scheduler_server_;
  std::unique_ptr<sv1::SchedulerService::Stub> scheduler_stub_;
  std::unique_ptr<services::Peer> prompt_scheduler_;
  std::unique_ptr<GrpcSchedulerLink> grpc_link_;
  std::unique_ptr<RecordingLink> recording_;
  std::unique_ptr<pairing::OutboxRelay> relay_;
  std::unique_ptr<services::Peer> prompt_peer_;
  std::unique_ptr<scheduler::PromptContent> content_;
  std::unique_ptr<scheduler::Dispatcher> dispatcher_;
};

TEST_F(PromptSchedulerTest, OnlyTheCoupleScoreReachesTheScheduler) {
  const std::string couple = CoupleWithSchedule();
  // Alice feels the signs often, Bob rarely.
  v1::ConnectionCheckResult alice, bob;
  ASSERT_TRUE(stub_
                  ->SubmitConnectionCheck(h_.ContextFor("alice").get(),
                                          Check(couple, 4), &alice)
                  .ok());
  EXPECT_EQ(alice.score(), 25);
  EXPECT_FALSE(alice.couple_score_updated());
  EXPECT_TRUE(recording_->sent.empty());
  grpc::Status s = stub_->SubmitConnectionCheck(h_.ContextFor("bob").get(),
                                                Check(couple, 2), &bob);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(bob.score(), 75);
  EXPECT_TRUE(bob.couple_score_updated());
  // One signal, the combined score, and nothing of either person's check.
  ASSERT_EQ(recording_->sent.size(), 1u);
  const sv1::RecordConnectionScoreRequest& sent = recording_->sent[0];
  EXPECT_EQ(sent.parent(), couple);
  EXPECT_EQ(sent.score(), CoupleScore(25, 75));
  EXPECT_NE(sent.score(), 25);
  EXPECT_NE(sent.score(), 75);
  EXPECT_FALSE(sent.request_id().empty());
  // The scheduler has it as a cadence signal.
  sv1::Cadence cadence;
  ASSERT_TRUE(
      scheduler_stub_->GetCadence(h_.ContextFor("alice").get(), {}, &cadence)
          .ok());
  EXPECT_EQ(cadence.connection_score(), CoupleScore(25, 75));
  // The summary is the couple's only: neither person's own score.
  v1::GetConnectionSummaryRequest get;
  get.set_name(couple + "/connectionSummary");
  v1::ConnectionSummary summary;
  ASSERT_TRUE(
      stub_->GetConnectionSummary(h_.ContextFor("alice").get(), get, &summary)
          .ok());
  EXPECT_EQ(summary.score(), CoupleScore(25, 75));
  EXPECT_EQ(summary.partners_submitted(), 2);
  EXPECT_TRUE(summary.has_measure_time());
  EXPECT_GT(summary.next_check_time().seconds(),
            absl::ToUnixSeconds(h_.clock()->Now()));
  // The period is complete: the next check opens in four weeks.
  v1::ConnectionCheckResult again;
  EXPECT_EQ(stub_
                ->SubmitConnectionCheck(h_.ContextFor("alice").get(),
                                        Check(couple, 1), &again)
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  h_.clock()->Advance(absl::Hours(24 * 28));
  ASSERT_TRUE(stub_
                  ->SubmitConnectionCheck(h_.ContextFor("alice").get(),
                                          Check(couple, 1), &again)
                  .ok());
  EXPECT_FALSE(again.couple_score_updated());
}

TEST_F(PromptSchedulerTest, AScoreWaitsForASchedulerThatIsAway) {
  const std::string couple = CoupleWithSchedule();
  // A replica that cannot reach the scheduler completes the check.
  services::Peer nowhere("127.0.0.1:1", token_.get(), absl::Seconds(1));
  GrpcSchedulerLink dead(&nowhere);
  std::unique_ptr<Prompt> offline = MakePrompt(&dead);
  absl::StatusOr<v1::ConnectionCheckResult> a =
      offline->SubmitConnectionCheck(User("alice"), Check(couple, 5));
  absl::StatusOr<v1::ConnectionCheckResult> b =
      offline->SubmitConnectionCheck(User("bob"), Check(couple, 5));
  ASSERT_TRUE(a.ok() && b.ok()) << b.status();
  EXPECT_TRUE(b->couple_score_updated());
  EXPECT_TRUE(recording_->sent.empty());
  // Another replica's relay delivers it, once.
  absl::StatusOr<int> relayed = prompt_->RelayPendingScores();
  ASSERT_TRUE(relayed.ok()) << relayed.status();
  EXPECT_EQ(*relayed, 1);
  EXPECT_EQ(*prompt_->RelayPendingScores(), 0);
  ASSERT_EQ(recording_->sent.size(), 1u);
  EXPECT_EQ(recording_->sent[0].score(), 0);
  sv1::Cadence cadence;
  ASSERT_TRUE(
      scheduler_stub_->GetCadence(h_.ContextFor("bob").get(), {}, &cadence)
          .ok());
  EXPECT_EQ(cadence.connection_score(), 0);
}

TEST_F(PromptSchedulerTest, TheDailyQuestionReadsTheCadenceAsThePerson) {
  const std::string couple = CoupleWithSchedule();
  v1::Question q;
  grpc::Status s = Daily("alice", couple, &q);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(recording_->cadence_reads, 1);
  const std::string key = PromptStore::Key(
      couple.substr(std::string("couples/").size()), "cadence");
  EXPECT_EQ(h_.redis()->Command({"HEXISTS", key, "blob"})->integer, 1);
  // Asking again reads nothing more: the question is chosen once.
  ASSERT_TRUE(Daily("bob", couple, &q).ok());
  EXPECT_EQ(recording_->cadence_reads, 1);
  // With the scheduler gone, tomorrow's question still comes.
  scheduler_server_->Shutdown(absl::ZeroDuration());
  h_.clock()->Advance(absl::Hours(24 * 2));
  v1::Question tomorrow;
  s = Daily("alice", couple, &tomorrow);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_NE(tomorrow.name(), q.name());
}

TEST_F(PromptSchedulerTest, EmphasisedPracticesComeUpMore) {
  // Many couples over six weeks, once with a cadence that emphasises repair
  // and the signs of disconnection, and once, replayed from the same
  // start, with none.
  FixedCadence repair(
      {type::v1::PRACTICE_REPAIR, type::v1::PRACTICE_RECOGNIZE_DISCONNECTION});
  std::unique_ptr<Prompt> emphasised = MakePrompt(&repair);
  const absl::Time start = h_.clock()->Now();
  std::vector<std::string> couples;
  for (int c = 0; c < 16; ++c) {
    couples.push_back(Pair(absl::StrCat("a", c), absl::StrCat("b", c)));
  }
  int with = 0, without = 0;
  for (int pass = 0; pass < 2; ++pass) {
    h_.clock()->Set(start);
    for (int day = 0; day < 45; ++day) {
      for (size_t c = 0; c < couples.size(); ++c) {
        v1::GetDailyQuestionRequest req;
        req.set_parent(couples[c]);
        const services::Caller caller = User(absl::StrCat("a", c));
        absl::StatusOr<v1::Question> q =
            pass == 0 ? emphasised->GetDailyQuestion(caller, req, "Bearer x")
                      : prompt_->GetDailyQuestion(caller, req);
        ASSERT_TRUE(q.ok()) << q.status();
        if (q->practice() == type::v1::PRACTICE_REPAIR ||
            q->practice() == type::v1::PRACTICE_RECOGNIZE_DISCONNECTION) {
          ++(pass == 0 ? with : without);
        }
      }
      h_.clock()->Advance(absl::Hours(24));
    }
    for (const std::string& couple : couples) {
      v1::EraseCoupleDataRequest erase;
      erase.set_parent(couple);
      ASSERT_TRUE(prompt_->EraseCoupleData(Service("pairing"), erase).ok());
    }
  }
  // About twice as often, over 720 couple-days each.
  EXPECT_GT(2 * with, 3 * without) << with << " vs " << without;
}

TEST_F(PromptSchedulerTest, TheDispatcherSendsThePromptServicesWords) {
  const std::string couple = CoupleWithSchedule();
  StartDispatcher(prompt_server_->address());
  // Thursday morning to Monday: nightly feelings each evening and the
  // Sunday check-in.
  RunFor(absl::Hours(24 * 4), absl::Minutes(15));
  std::map<std::string, std::string> check_in_question;  // by user
  std::set<std::string> nightly_questions;
  for (const char* user : {"alice", "bob"}) {
    for (const sv1::Reminder& r : Delivered(user)) {
      const type::v1::ReminderContent& c = r.content();
      EXPECT_FALSE(c.title().empty()) << r.name();
      EXPECT_FALSE(c.body().empty()) << r.name();
      if (r.practice() == type::v1::PRACTICE_CHECK_IN) {
        EXPECT_THAT(c.question(), StartsWith(couple + "/questions/ritual-"));
        EXPECT_EQ(c.listening_guide_size(), 2);
        check_in_question[user] = c.question();
      }
      if (r.practice() == type::v1::PRACTICE_LISTENING) {
        EXPECT_FALSE(c.question().empty()) << r.name();
        nightly_questions.insert(c.question());
      }
    }
  }
  ASSERT_EQ(check_in_question.size(), 2u);
  EXPECT_EQ(check_in_question["alice"], check_in_question["bob"]);
  // One nightly question per evening, shared by both.
  EXPECT_GE(nightly_questions.size(), 3u);
  EXPECT_LE(nightly_questions.size(), 5u);
  // The check-in question takes answers with reveal-after-both.
  ASSERT_TRUE(Answer("bob", check_in_question["bob"], "A good week").ok());
  EXPECT_EQ(Answers("alice", check_in_question["alice"]).partner_state(),
            v1::PARTNER_ANSWER_STATE_ANSWERED);
}

TEST_F(PromptSchedulerTest, WithoutThePromptServiceTheRitualsOwnWordsGo) {
  const std::string couple = CoupleWithSchedule();
  StartDispatcher("127.0.0.1:1");
  RunFor(absl::Hours(24), absl::Minutes(15));
  const std::vector<sv1::Reminder> delivered = Delivered("alice");
  ASSERT_FALSE(delivered.empty());
  for (const sv1::Reminder& r : delivered) {
    EXPECT_EQ(r.content().title(), r.ritual_title());
    EXPECT_TRUE(r.content().question().empty());
  }
}

}  // namespace
}  // namespace tend::prompt
