// A person's "export my data" and "delete my data" across the three
// services, in one process: pairing, the scheduler and the prompt service
// each behind real gRPC on loopback over one private redis-server, with
// pairing's outbox relayed for real (to the scheduler and the prompt
// service) and a FakeClock.
//
// Erasure is checked the hard way: every key and every value in Redis is
// read, and none may mention the person once the outbox has been relayed.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "services/pairing/peer_exports.h"
#include "services/prompt/catalog.h"
#include "services/prompt/prompt.h"
#include "services/prompt/prompt_service.h"
#include "tend/prompt/v1/prompt.grpc.pb.h"
#include "tests/services/scheduler/scheduler_fixture.h"
#include "tests/support/redis_server.h"

namespace tend::scheduler {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
namespace pv1 = ::tend::prompt::v1;

class UserDataTest : public SchedulerFixture {
 protected:
  void SetUp() override {
    SchedulerFixture::SetUp();
    if (HasFatalFailure()) return;
    absl::StatusOr<std::unique_ptr<prompt::Catalog>> catalog =
        prompt::Catalog::Embedded();
    ASSERT_TRUE(catalog.ok()) << catalog.status();
    catalog_ = *std::move(catalog);
    prompt_token_ = std::make_unique<services::ServiceToken>(
        testing::kTestServiceSecret, "prompt", h_.clock());
    prompt_pairing_ = std::make_unique<services::Peer>(h_.server()->address(),
                                                       prompt_token_.get());
    prompt_couples_ = std::make_unique<services::CoupleDirectory>(
        prompt_pairing_.get(), h_.clock(), absl::ZeroDuration());
    prompt_ = std::make_unique<prompt::Prompt>(
        h_.redis(), catalog_.get(), prompt_couples_.get(), nullptr, h_.clock(),
        prompt::PromptOptions{});
    prompt_service_ =
        std::make_unique<prompt::PromptServiceImpl>(h_.auth(), prompt_.get());
    services::ServerConfig config;
    config.name = "prompt";
    config.services = {prompt_service_.get()};
    config.redis = h_.redis();
    auto server = services::RunningServer::Start(std::move(config));
    ASSERT_TRUE(server.ok()) << server.status();
    prompt_server_ = *std::move(server);
    prompt_stub_ = pv1::PromptService::NewStub(grpc::CreateChannel(
        prompt_server_->address(), grpc::InsecureChannelCredentials()));

    // Pairing's side, as server.cc wires it: one token, both peers.
    pairing_token_ = std::make_unique<services::ServiceToken>(
        testing::kTestServiceSecret, "pairing", h_.clock());
    to_scheduler_ = std::make_unique<services::Peer>(
        scheduler_server_->address(), pairing_token_.get());
    to_prompt_ = std::make_unique<services::Peer>(prompt_server_->address(),
                                                  pairing_token_.get());
    // Nothing listens here: the prompt service while it is down.
    to_dead_prompt_ = std::make_unique<services::Peer>(
        absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort()),
        pairing_token_.get(), absl::Seconds(2));
    relay_ = std::make_unique<pairing::OutboxRelay>(
        h_.redis(), to_scheduler_.get(), to_prompt_.get());
    exports_ = std::make_unique<pairing::PeerExports>(to_prompt_.get(),
                                                      to_scheduler_.get());
    pairing_->UsePeerExports(exports_.get());
  }

  void TearDown() override {
    if (prompt_server_ != nullptr) {
      prompt_server_->Shutdown(absl::ZeroDuration());
    }
    SchedulerFixture::TearDown();
  }

  // Alice and Bob, paired, with something in every service: a device each,
  // a day of reminders, an answer and a journal entry each.
  std::string Populate() {
    const std::string couple = PairAliceAndBob();
    AcceptAll(couple);
    for (const char* user : {"alice", "bob"}) {
      v1::RegisterDeviceRequest req;
      req.set_parent(absl::StrCat("users/", user));
      req.mutable_device()->set_platform(v1::DEVICE_PLATFORM_ANDROID);
      req.mutable_device()->set_token(absl::StrCat("fcm-token-of-", user));
      v1::Device out;
      grpc::Status s =
          stub_->RegisterDevice(h_.ContextFor(user).get(), req, &out);
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    RunFor(absl::Hours(30));
    pv1::GetDailyQuestionRequest daily;
    daily.set_parent(couple);
    pv1::Question question;
    grpc::Status s = prompt_stub_->GetDailyQuestion(
        h_.ContextFor("alice").get(), daily, &question);
    EXPECT_TRUE(s.ok()) << s.error_message();
    for (const char* user : {"alice", "bob"}) {
      for (bool journal : {false, true}) {
        pv1::AnswerQuestionRequest answer;
        answer.set_name(question.name());
        answer.set_text(absl::StrCat("words of ", user));
        answer.set_journal(journal);
        pv1::Answer out;
        // The second write (a journal entry) may be refused once the
        // answers are revealed; the first always lands.
        (void)prompt_stub_->AnswerQuestion(h_.ContextFor(user).get(), answer,
                                           &out);
      }
    }
    return couple;
  }

  // Every Redis key, and every value, that mentions `needle`.
  std::vector<std::string> Mentions(const std::string& needle) {
    std::vector<std::string> found;
    std::string cursor = "0";
    do {
      absl::StatusOr<engine::RedisReply> page =
          h_.redis()->Command({"SCAN", cursor, "COUNT", "1000"});
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) return found;
      cursor = page->elements[0].str;
      for (const engine::RedisReply& key : page->elements[1].elements) {
        if (absl::StrContains(key.str, needle)) found.push_back(key.str);
        absl::StatusOr<engine::RedisReply> type =
            h_.redis()->Command({"TYPE", key.str});
        if (!type.ok()) continue;
        std::vector<std::string> read;
        if (type->str == "string") read = {"GET", key.str};
        if (type->str == "hash") read = {"HGETALL", key.str};
        if (type->str == "set") read = {"SMEMBERS", key.str};
        if (type->str == "zset") read = {"ZRANGE", key.str, "0", "-1"};
        if (type->str == "list") read = {"LRANGE", key.str, "0", "-1"};
        if (read.empty()) continue;
        absl::StatusOr<engine::RedisReply> value = h_.redis()->Command(read);
        if (!value.ok()) continue;
        std::string all = value->str;
        for (const engine::RedisReply& e : value->elements) {
          absl::StrAppend(&all, e.str, "\n");
        }
        if (absl::StrContains(all, needle)) {
          found.push_back(absl::StrCat(key.str, " (value)"));
        }
      }
    } while (cursor != "0");
    return found;
  }

  // Relays until the outbox is empty.
  void RelayAll() {
    absl::StatusOr<int> sent = relay_->RelayOnce();
    ASSERT_TRUE(sent.ok()) << sent.status();
    EXPECT_EQ(OutboxLength(), 0);
  }

  int64_t OutboxLength() {
    absl::StatusOr<engine::RedisReply> n =
        h_.redis()->Command({"LLEN", "tend:pairing:outbox"});
    return n.ok() ? n->integer : -1;
  }

  grpc::Status DeleteMe(const std::string& user) {
    pairing::v1::DeleteMyDataRequest req;
    req.set_request_id("delete-me-1");
    pairing::v1::DeleteMyDataResponse out;
    return pairing_stub_->DeleteMyData(h_.ContextFor(user).get(), req, &out);
  }

  std::unique_ptr<prompt::Catalog> catalog_;
  std::unique_ptr<services::ServiceToken> prompt_token_;
  std::unique_ptr<services::Peer> prompt_pairing_;
  std::unique_ptr<services::CoupleDirectory> prompt_couples_;
  std::unique_ptr<prompt::Prompt> prompt_;
  std::unique_ptr<prompt::PromptServiceImpl> prompt_service_;
  std::unique_ptr<services::RunningServer> prompt_server_;
  std::unique_ptr<pv1::PromptService::Stub> prompt_stub_;
  std::unique_ptr<services::ServiceToken> pairing_token_;
  std::unique_ptr<services::Peer> to_scheduler_;
  std::unique_ptr<services::Peer> to_prompt_;
  std::unique_ptr<services::Peer> to_dead_prompt_;
  std::unique_ptr<pairing::PeerExports> exports_;
};

TEST_F(UserDataTest, ExportHoldsEveryServicesPartAndNoToken) {
  Populate();
  pairing::v1::ExportMyDataResponse out;
  grpc::Status s =
      pairing_stub_->ExportMyData(h_.ContextFor("alice").get(), {}, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const nlohmann::json data = nlohmann::json::parse(out.json());
  EXPECT_EQ(data["service"], "pairing");
  EXPECT_EQ(data["prompt"]["service"], "prompt");
  EXPECT_THAT(data["prompt"].dump(), HasSubstr("words of alice"));
  EXPECT_THAT(data["prompt"].dump(), ::testing::Not(HasSubstr("words of bob")));
  const nlohmann::json& sched = data["scheduler"];
  EXPECT_EQ(sched["service"], "scheduler");
  ASSERT_EQ(sched["devices"].size(), 1u);
  EXPECT_EQ(sched["devices"][0]["tokenHint"], "lice");
  EXPECT_FALSE(sched["reminders"].empty());
  for (const nlohmann::json& r : sched["reminders"]) {
    EXPECT_EQ(r["recipientUserId"], "alice");
  }
  EXPECT_THAT(out.json(), ::testing::Not(HasSubstr("fcm-token-of")));
}

TEST_F(UserDataTest, ExportIsUnavailableNamingAPeerThatIsDown) {
  Populate();
  pairing::PeerExports dead(to_dead_prompt_.get(), to_scheduler_.get());
  pairing_->UsePeerExports(&dead);
  pairing::v1::ExportMyDataResponse out;
  grpc::Status s =
      pairing_stub_->ExportMyData(h_.ContextFor("alice").get(), {}, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(s.error_message(), HasSubstr("prompt"));
  EXPECT_TRUE(out.json().empty());
  pairing_->UsePeerExports(exports_.get());
}

TEST_F(UserDataTest, DeleteMyDataLeavesNoMentionOfThePersonAnywhere) {
  Populate();
  ASSERT_THAT(Mentions("alice"), ::testing::Not(IsEmpty()));
  grpc::Status s = DeleteMe("alice");
  ASSERT_TRUE(s.ok()) << s.error_message();
  RelayAll();
  EXPECT_THAT(Mentions("alice"), IsEmpty());
  // The couple went with her, so its shared history did too.
  EXPECT_THAT(Mentions("words of bob"), IsEmpty());
}

TEST_F(UserDataTest, ThePartnersRememberedAnswersForgetThePersonToo) {
  SetProfile("alice", "Alice", "Europe/London");
  SetProfile("bob", "Bob", "Europe/Paris");
  pairing::v1::Invite invite;
  ASSERT_TRUE(
      pairing_stub_->CreateInvite(h_.ContextFor("alice").get(), {}, &invite)
          .ok());
  // Bob's accept is remembered for a retry, and its answer is the couple,
  // with alice's id in it.
  pairing::v1::AcceptInviteRequest accept;
  accept.set_code(invite.code());
  accept.set_request_id("accept-1");
  pairing::v1::Couple couple;
  ASSERT_TRUE(
      pairing_stub_->AcceptInvite(h_.ContextFor("bob").get(), accept, &couple)
          .ok());
  ASSERT_THAT(Mentions("alice"),
              ::testing::Contains("tend:pairing:req:bob (value)"));
  ASSERT_TRUE(DeleteMe("alice").ok());
  RelayAll();
  EXPECT_THAT(Mentions("alice"), IsEmpty());
}

TEST_F(UserDataTest, ErasureWaitsInTheOutboxWhileThePromptServiceIsDown) {
  Populate();
  pairing::OutboxRelay blocked(h_.redis(), to_scheduler_.get(),
                               to_dead_prompt_.get());
  ASSERT_TRUE(DeleteMe("alice").ok());
  const int64_t queued = OutboxLength();
  ASSERT_GE(queued, 2);  // the couple's erasure, then alice's
  for (int attempt = 0; attempt < 3; ++attempt) {
    absl::StatusOr<int> sent = blocked.RelayOnce();
    EXPECT_TRUE(absl::IsUnavailable(sent.status())) << sent.status();
    EXPECT_EQ(OutboxLength(), queued);
  }
  // The scheduler took its part each time; the prompt service still holds
  // her words.
  EXPECT_THAT(Mentions("fcm-token-of-alice"), IsEmpty());
  EXPECT_THAT(Mentions("words of alice"), ::testing::Not(IsEmpty()));
  RelayAll();
  EXPECT_THAT(Mentions("alice"), IsEmpty());
}

TEST_F(UserDataTest, ErasureWaitsInTheOutboxWhileTheSchedulerIsDown) {
  Populate();
  services::Peer dead_scheduler(
      absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort()),
      pairing_token_.get(), absl::Seconds(2));
  pairing::OutboxRelay blocked(h_.redis(), &dead_scheduler, to_prompt_.get());
  ASSERT_TRUE(DeleteMe("alice").ok());
  const int64_t queued = OutboxLength();
  absl::StatusOr<int> sent = blocked.RelayOnce();
  EXPECT_TRUE(absl::IsUnavailable(sent.status())) << sent.status();
  EXPECT_EQ(OutboxLength(), queued);
  // The prompt service took its part; her push token is still here.
  EXPECT_THAT(Mentions("words of alice"), IsEmpty());
  EXPECT_THAT(Mentions("fcm-token-of-alice"), ::testing::Not(IsEmpty()));
  RelayAll();
  EXPECT_THAT(Mentions("alice"), IsEmpty());
}

TEST_F(UserDataTest, UndoWindowPurgeErasesThePromptsCoupleData) {
  const std::string couple = Populate();
  pairing::v1::UnpairRequest unpair;
  pairing::v1::UnpairResponse out;
  ASSERT_TRUE(
      pairing_stub_->Unpair(h_.ContextFor("alice").get(), unpair, &out).ok());
  RelayAll();
  // Within the window the history is kept, for a re-pair to restore.
  EXPECT_THAT(Mentions("words of alice"), ::testing::Not(IsEmpty()));
  h_.clock()->Advance(absl::Hours(24 * 8));
  absl::StatusOr<int> purged = pairing_->PurgeDissolved();
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 1);
  RelayAll();
  EXPECT_THAT(Mentions("words of"), IsEmpty());
  const std::string id = couple.substr(couple.find('/') + 1);
  EXPECT_THAT(Mentions(absl::StrCat("{", id, "}")), IsEmpty());
}

TEST_F(UserDataTest, SchedulerErasesOnePartnerAndKeepsTheOther) {
  Populate();
  v1::EraseUserDataRequest req;
  req.set_user_id("alice");
  v1::EraseUserDataResponse out;
  grpc::Status s =
      stub_->EraseUserData(h_.ServiceContext("pairing").get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_GT(out.erased_records(), 1);
  v1::ListDevicesResponse devices;
  ASSERT_TRUE(
      stub_->ListDevices(h_.ContextFor("alice").get(), {}, &devices).ok());
  EXPECT_EQ(devices.devices_size(), 0);
  ASSERT_TRUE(
      stub_->ListDevices(h_.ContextFor("bob").get(), {}, &devices).ok());
  EXPECT_EQ(devices.devices_size(), 1);
  // Only pairing's records (and the couple's rituals, which name both
  // partners) still mention her; nothing the scheduler keeps for her alone.
  for (const std::string& where : Mentions("alice")) {
    EXPECT_FALSE(absl::StrContains(where, "devices:alice") ||
                 absl::StrContains(where, "requests:alice") ||
                 absl::StrContains(where, "deliveries"))
        << where;
  }
  // Again: nothing left, still OK.
  ASSERT_TRUE(
      stub_->EraseUserData(h_.ServiceContext("pairing").get(), req, &out).ok());
  EXPECT_EQ(out.erased_records(), 0);
}

TEST_F(UserDataTest, SchedulerUserDataIsForServicesWithAValidUserId) {
  v1::EraseUserDataRequest erase;
  erase.set_user_id("alice");
  v1::EraseUserDataResponse erased;
  EXPECT_EQ(stub_->EraseUserData(h_.ContextFor("alice").get(), erase, &erased)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ExportUserDataRequest exp;
  exp.set_user_id("no spaces/allowed");
  v1::ExportUserDataResponse exported;
  grpc::Status s =
      stub_->ExportUserData(h_.ServiceContext("pairing").get(), exp, &exported);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("user_id"));
  // An unpaired person has nothing here.
  exp.set_user_id("carol");
  ASSERT_TRUE(
      stub_->ExportUserData(h_.ServiceContext("pairing").get(), exp, &exported)
          .ok());
  EXPECT_TRUE(nlohmann::json::parse(exported.json())["devices"].empty());
}

}  // namespace
}  // namespace tend::scheduler
