// PromptFixture: pairing and the prompt service, each behind real gRPC on
// loopback, over one private redis-server and a FakeClock.
//
// The prompt service finds couples through pairing's LookupCouple with a
// service token, exactly as in production. Tests talk to the prompt
// service through `stub_`, or drive `prompt_` directly when they replay
// years of days.
#ifndef TEND_TESTS_SERVICES_PROMPT_PROMPT_FIXTURE_H_
#define TEND_TESTS_SERVICES_PROMPT_PROMPT_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/common/couple_directory.h"
#include "services/common/peer.h"
#include "services/common/server.h"
#include "services/pairing/pairing.h"
#include "services/pairing/pairing_service.h"
#include "services/prompt/catalog.h"
#include "services/prompt/peers.h"
#include "services/prompt/prompt.h"
#include "services/prompt/prompt_service.h"
#include "tend/pairing/v1/pairing.grpc.pb.h"
#include "tend/prompt/v1/prompt.grpc.pb.h"
#include "tests/support/service_harness.h"

namespace tend::prompt {

class PromptFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(h_.StartRedis().ok());
    pairing_ = std::make_unique<pairing::Pairing>(h_.redis(), h_.clock(),
                                                  pairing::PairingOptions{});
    pairing_service_ = std::make_unique<pairing::PairingServiceImpl>(
        h_.auth(), pairing_.get());
    ASSERT_TRUE(h_.Serve({pairing_service_.get()}).ok());
    pairing_stub_ = pairing::v1::PairingService::NewStub(h_.channel());

    absl::StatusOr<std::unique_ptr<Catalog>> catalog = Catalog::Embedded();
    ASSERT_TRUE(catalog.ok()) << catalog.status();
    catalog_ = *std::move(catalog);
    token_ = std::make_unique<services::ServiceToken>(
        testing::kTestServiceSecret, "prompt", h_.clock());
    pairing_peer_ =
        std::make_unique<services::Peer>(h_.server()->address(), token_.get());
    // No cache: the tests move the clock and re-pair people.
    couples_ = std::make_unique<services::CoupleDirectory>(
        pairing_peer_.get(), h_.clock(), absl::ZeroDuration());
    StartPeers();
    prompt_ = MakePrompt(scheduler_link());
    ASSERT_TRUE(ServePrompt().ok());
  }

  // Runs after pairing is up and before the prompt service is built, for
  // fixtures that add a scheduler.
  virtual void StartPeers() {}

  void TearDown() override {
    if (prompt_server_ != nullptr)
      prompt_server_->Shutdown(absl::ZeroDuration());
  }

  // The scheduler the prompt service talks to; none by default.
  virtual SchedulerLink* scheduler_link() { return nullptr; }

  std::unique_ptr<Prompt> MakePrompt(SchedulerLink* scheduler) {
    return std::make_unique<Prompt>(h_.redis(), catalog_.get(), couples_.get(),
                                    scheduler, h_.clock(), PromptOptions{});
  }

  absl::Status ServePrompt() {
    prompt_service_ =
        std::make_unique<PromptServiceImpl>(h_.auth(), prompt_.get());
    services::ServerConfig config;
    config.name = "prompt";
    config.services = {prompt_service_.get()};
    config.redis = h_.redis();
    config.health_interval = absl::Milliseconds(50);
    absl::StatusOr<std::unique_ptr<services::RunningServer>> server =
        services::RunningServer::Start(std::move(config));
    if (!server.ok()) return server.status();
    prompt_server_ = *std::move(server);
    prompt_channel_ = grpc::CreateChannel(prompt_server_->address(),
                                          grpc::InsecureChannelCredentials());
    stub_ = v1::PromptService::NewStub(prompt_channel_);
    return absl::OkStatus();
  }

  void SetProfile(const std::string& user, const std::string& name,
                  const std::string& zone,
                  const std::vector<type::v1::LoveLanguage>& ranking = {}) {
    pairing::v1::UpdatePartnerProfileRequest req;
    pairing::v1::PartnerProfile* p = req.mutable_profile();
    p->set_display_name(name);
    p->set_time_zone(zone);
    for (const char* f : {"display_name", "time_zone"}) {
      req.mutable_update_mask()->add_paths(f);
    }
    if (!ranking.empty()) {
      for (type::v1::LoveLanguage l : ranking) p->add_love_language_ranking(l);
      req.mutable_update_mask()->add_paths("love_language_ranking");
    }
    pairing::v1::PartnerProfile out;
    grpc::Status s = pairing_stub_->UpdatePartnerProfile(
        h_.ContextFor(user).get(), req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // Pairs `a` and `b`; returns "couples/{id}".
  std::string Pair(const std::string& a, const std::string& b) {
    pairing::v1::Invite invite;
    EXPECT_TRUE(
        pairing_stub_->CreateInvite(h_.ContextFor(a).get(), {}, &invite).ok());
    pairing::v1::AcceptInviteRequest accept;
    accept.set_code(invite.code());
    pairing::v1::Couple couple;
    grpc::Status s =
        pairing_stub_->AcceptInvite(h_.ContextFor(b).get(), accept, &couple);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return couple.name();
  }

  // Alice in London and Bob in Paris, paired.
  std::string PairAliceAndBob() {
    SetProfile("alice", "Alice", "Europe/London");
    SetProfile("bob", "Bob", "Europe/Paris");
    return Pair("alice", "bob");
  }

  static services::Caller User(const std::string& id) {
    return services::Caller{id, false};
  }
  static services::Caller Service(const std::string& name = "scheduler") {
    return services::Caller{absl::StrCat("service:", name), true};
  }

  grpc::Status Daily(const std::string& user, const std::string& couple,
                     v1::Question* out, const type::v1::Date* date = nullptr) {
    v1::GetDailyQuestionRequest req;
    req.set_parent(couple);
    if (date != nullptr) *req.mutable_date() = *date;
    return stub_->GetDailyQuestion(h_.ContextFor(user).get(), req, out);
  }

  grpc::Status Answer(const std::string& user, const std::string& question,
                      const std::string& text, bool journal = false,
                      v1::Answer* out = nullptr) {
    v1::AnswerQuestionRequest req;
    req.set_name(question);
    req.set_text(text);
    req.set_journal(journal);
    v1::Answer ignored;
    return stub_->AnswerQuestion(h_.ContextFor(user).get(), req,
                                 out != nullptr ? out : &ignored);
  }

  v1::GetAnswersResponse Answers(const std::string& user,
                                 const std::string& question) {
    v1::GetAnswersRequest req;
    req.set_name(question);
    v1::GetAnswersResponse out;
    grpc::Status s = stub_->GetAnswers(h_.ContextFor(user).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  testing::ServiceHarness h_;
  std::unique_ptr<pairing::Pairing> pairing_;
  std::unique_ptr<pairing::PairingServiceImpl> pairing_service_;
  std::unique_ptr<pairing::v1::PairingService::Stub> pairing_stub_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<services::ServiceToken> token_;
  std::unique_ptr<services::Peer> pairing_peer_;
  std::unique_ptr<services::CoupleDirectory> couples_;
  std::unique_ptr<Prompt> prompt_;
  std::unique_ptr<PromptServiceImpl> prompt_service_;
  std::unique_ptr<services::RunningServer> prompt_server_;
  std::shared_ptr<grpc::Channel> prompt_channel_;
  std::unique_ptr<v1::PromptService::Stub> stub_;
};

}  // namespace tend::prompt

#endif  // TEND_TESTS_SERVICES_PROMPT_PROMPT_FIXTURE_H_
