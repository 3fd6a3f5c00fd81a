// The pairing service end to end: a real redis-server, real gRPC on
// loopback, and a FakeClock for expiry, rate limits and the undo window.
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/barrier.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "services/pairing/pairing.h"
#include "services/pairing/pairing_service.h"
#include "tend/pairing/v1/pairing.grpc.pb.h"
#include "tests/security/auth_matrix.h"
#include "tests/support/service_harness.h"

namespace tend::pairing {
namespace {

using ::testing::HasSubstr;
using testing::ServiceHarness;

class PairingIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(h_.StartRedis().ok());
    pairing_ =
        std::make_unique<Pairing>(h_.redis(), h_.clock(), PairingOptions{});
    service_ = std::make_unique<PairingServiceImpl>(h_.auth(), pairing_.get());
    ASSERT_TRUE(h_.Serve({service_.get()}).ok());
    stub_ = v1::PairingService::NewStub(h_.channel());
  }

  v1::PartnerProfile SetProfile(const std::string& user,
                                const std::string& name,
                                const std::string& zone) {
    v1::UpdatePartnerProfileRequest req;
    req.mutable_profile()->set_display_name(name);
    req.mutable_profile()->set_time_zone(zone);
    req.mutable_update_mask()->add_paths("display_name");
    req.mutable_update_mask()->add_paths("time_zone");
    v1::PartnerProfile out;
    grpc::Status s =
        stub_->UpdatePartnerProfile(h_.ContextFor(user).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  v1::Invite Invite(const std::string& user) {
    v1::Invite invite;
    grpc::Status s =
        stub_->CreateInvite(h_.ContextFor(user).get(), {}, &invite);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return invite;
  }

  grpc::Status Accept(const std::string& user, const std::string& code,
                      v1::Couple* couple = nullptr) {
    v1::AcceptInviteRequest req;
    req.set_code(code);
    v1::Couple ignored;
    return stub_->AcceptInvite(h_.ContextFor(user).get(), req,
                               couple != nullptr ? couple : &ignored);
  }

  grpc::Status GetCouple(const std::string& user, v1::Couple* couple) {
    return stub_->GetCouple(h_.ContextFor(user).get(), {}, couple);
  }

  grpc::Status Unpair(const std::string& user, bool erase_now) {
    v1::UnpairRequest req;
    req.set_erase_now(erase_now);
    v1::UnpairResponse out;
    return stub_->Unpair(h_.ContextFor(user).get(), req, &out);
  }

  void Pair(const std::string& a, const std::string& b) {
    ASSERT_TRUE(Accept(b, Invite(a).code()).ok());
  }

  // Polls grpc.health.v1 until it reports `serving` (the health checker
  // re-checks Redis every 50 ms in tests); false after five seconds.
  bool WaitForHealth(bool serving) {
    // HealthCheckResponse.status is field 1: SERVING = 1, NOT_SERVING = 2.
    const std::string want =
        serving ? std::string("\x08\x01", 2) : std::string("\x08\x02", 2);
    for (int i = 0; i < 100; ++i) {
      grpc::ClientContext context;
      std::string response;
      grpc::Status s =
          testing::CallGeneric(h_.channel(), &context,
                               "/grpc.health.v1.Health/Check", "", &response);
      if (s.ok() && response == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // Every key in Redis.
  std::vector<std::string> AllKeys() {
    std::vector<std::string> keys;
    auto reply = h_.redis()->Command({"KEYS", "*"});
    for (const auto& k : reply->elements) keys.push_back(k.str);
    return keys;
  }

  ServiceHarness h_;
  std::unique_ptr<Pairing> pairing_;
  std::unique_ptr<PairingServiceImpl> service_;
  std::unique_ptr<v1::PairingService::Stub> stub_;
};

TEST_F(PairingIntegrationTest, TwoPeopleInDifferentZonesPair) {
  SetProfile("alice", "Alice", "America/New_York");
  SetProfile("bob", "Bob", "Europe/London");
  v1::Invite invite = Invite("alice");
  EXPECT_THAT(invite.code(),
              ::testing::MatchesRegex("[0-9A-Z]{5}-[0-9A-Z]{5}"));
  EXPECT_EQ(invite.expire_time().seconds(),
            absl::ToUnixSeconds(h_.clock()->Now() + absl::Hours(24)));

  v1::Couple formed;
  std::string typed = absl::AsciiStrToLower(invite.code());
  ASSERT_TRUE(Accept("bob", typed, &formed).ok());
  EXPECT_THAT(formed.name(), ::testing::MatchesRegex("couples/[0-9a-f]{16}"));
  ASSERT_EQ(formed.partners_size(), 2);
  EXPECT_EQ(formed.partners(0).user_id(), "alice");
  EXPECT_EQ(formed.partners(0).profile().time_zone(), "America/New_York");
  EXPECT_EQ(formed.partners(1).user_id(), "bob");
  EXPECT_EQ(formed.partners(1).profile().display_name(), "Bob");
  EXPECT_EQ(formed.home_time_zone(), "America/New_York");

  for (const char* user : {"alice", "bob"}) {
    v1::Couple seen;
    ASSERT_TRUE(GetCouple(user, &seen).ok());
    EXPECT_EQ(seen.name(), formed.name());
    EXPECT_EQ(seen.partners_size(), 2);
  }

  v1::UpdateCoupleRequest update;
  update.mutable_couple()->set_home_time_zone("Europe/London");
  update.mutable_update_mask()->add_paths("home_time_zone");
  v1::Couple moved;
  ASSERT_TRUE(
      stub_->UpdateCouple(h_.ContextFor("bob").get(), update, &moved).ok());
  EXPECT_EQ(moved.home_time_zone(), "Europe/London");
}

TEST_F(PairingIntegrationTest, InviteRules) {
  v1::Invite invite = Invite("alice");
  grpc::Status own = Accept("alice", invite.code());
  EXPECT_EQ(own.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(own.error_message(), HasSubstr("code:"));

  EXPECT_EQ(Accept("bob", "AAAAA-AAAAA").error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Accept("bob", "").error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  ASSERT_TRUE(Accept("bob", invite.code()).ok());
  // Single use.
  EXPECT_EQ(Accept("carol", invite.code()).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Someone already in a couple can neither invite nor accept.
  v1::Invite ignored;
  EXPECT_EQ(stub_->CreateInvite(h_.ContextFor("alice").get(), {}, &ignored)
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  v1::Invite carols = Invite("carol");
  EXPECT_EQ(Accept("bob", carols.code()).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(PairingIntegrationTest, InvitesExpireAfterADay) {
  v1::Invite invite = Invite("alice");
  h_.clock()->Advance(absl::Hours(24));
  EXPECT_EQ(Accept("bob", invite.code()).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::Invite fresh = Invite("alice");
  h_.clock()->Advance(absl::Hours(23) + absl::Minutes(59));
  EXPECT_TRUE(Accept("bob", fresh.code()).ok());
}

TEST_F(PairingIntegrationTest, ANewInviteRetiresTheOldOne) {
  v1::Invite first = Invite("alice");
  v1::Invite second = Invite("alice");
  EXPECT_EQ(Accept("bob", first.code()).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Accept("bob", second.code()).ok());
}

TEST_F(PairingIntegrationTest, RequestIdMakesMutationsIdempotent) {
  v1::CreateInviteRequest req;
  req.set_request_id("retry-1");
  v1::Invite a, b;
  ASSERT_TRUE(stub_->CreateInvite(h_.ContextFor("alice").get(), req, &a).ok());
  ASSERT_TRUE(stub_->CreateInvite(h_.ContextFor("alice").get(), req, &b).ok());
  EXPECT_EQ(a.code(), b.code());

  v1::AcceptInviteRequest accept;
  accept.set_code(a.code());
  accept.set_request_id("accept-1");
  v1::Couple first, again;
  ASSERT_TRUE(
      stub_->AcceptInvite(h_.ContextFor("bob").get(), accept, &first).ok());
  ASSERT_TRUE(
      stub_->AcceptInvite(h_.ContextFor("bob").get(), accept, &again).ok());
  EXPECT_EQ(first.name(), again.name());

  req.set_request_id("no spaces allowed");
  grpc::Status bad = stub_->CreateInvite(h_.ContextFor("carol").get(), req, &a);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad.error_message(), HasSubstr("request_id"));
}

TEST_F(PairingIntegrationTest, FailedAcceptsAreRateLimitedPerCaller) {
  v1::Invite invite = Invite("alice");
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(Accept("mallory", absl::StrCat("ZZZZZ-ZZZ", i, "0")).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  // Even the right code is refused now.
  grpc::Status limited = Accept("mallory", invite.code());
  EXPECT_EQ(limited.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  // Others are not affected.
  EXPECT_EQ(Accept("bob", "ZZZZZ-ZZZZZ").error_code(),
            grpc::StatusCode::NOT_FOUND);
  h_.clock()->Advance(absl::Hours(1) + absl::Seconds(1));
  EXPECT_TRUE(Accept("mallory", invite.code()).ok());
}

TEST_F(PairingIntegrationTest, InvalidProfileIsRejectedAndNothingStored) {
  SetProfile("alice", "Alice", "Asia/Kolkata");
  v1::UpdatePartnerProfileRequest req;
  req.mutable_profile()->set_time_zone("Atlantis/Capital");
  req.mutable_profile()->set_display_name("Changed");
  req.mutable_update_mask()->add_paths("time_zone");
  req.mutable_update_mask()->add_paths("display_name");
  v1::PartnerProfile out;
  grpc::Status s =
      stub_->UpdatePartnerProfile(h_.ContextFor("alice").get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("profile.time_zone"));
  ASSERT_TRUE(
      stub_->GetPartnerProfile(h_.ContextFor("alice").get(), {}, &out).ok());
  EXPECT_EQ(out.time_zone(), "Asia/Kolkata");
  EXPECT_EQ(out.display_name(), "Alice");
}

TEST_F(PairingIntegrationTest, UnpairIsImmediateForBothAndUndoable) {
  Pair("alice", "bob");
  v1::Couple before;
  ASSERT_TRUE(GetCouple("alice", &before).ok());
  ASSERT_TRUE(Unpair("bob", /*erase_now=*/false).ok());
  v1::Couple gone;
  EXPECT_EQ(GetCouple("alice", &gone).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(GetCouple("bob", &gone).error_code(), grpc::StatusCode::NOT_FOUND);

  // Within the undo window, the same two get their couple back.
  h_.clock()->Advance(absl::Hours(24 * 6));
  ASSERT_TRUE(pairing_->PurgeDissolved().ok());
  v1::Couple back;
  ASSERT_TRUE(Accept("alice", Invite("bob").code(), &back).ok());
  EXPECT_EQ(back.name(), before.name());
  EXPECT_EQ(back.create_time().seconds(), before.create_time().seconds());

  // After the window, the history is erased and a new couple starts.
  ASSERT_TRUE(Unpair("alice", false).ok());
  h_.clock()->Advance(absl::Hours(24 * 7));
  EXPECT_EQ(*pairing_->PurgeDissolved(), 1);
  for (const std::string& key : AllKeys()) {
    EXPECT_FALSE(absl::StrContains(key, before.name().substr(8))) << key;
  }
  v1::Couple fresh;
  ASSERT_TRUE(Accept("alice", Invite("bob").code(), &fresh).ok());
  EXPECT_NE(fresh.name(), before.name());
}

TEST_F(PairingIntegrationTest, UnpairWithEraseNowLeavesNoCouple) {
  Pair("alice", "bob");
  v1::Couple couple;
  ASSERT_TRUE(GetCouple("alice", &couple).ok());
  ASSERT_TRUE(Unpair("alice", /*erase_now=*/true).ok());
  for (const std::string& key : AllKeys()) {
    EXPECT_FALSE(absl::StrContains(key, couple.name().substr(8))) << key;
  }
  v1::Couple again;
  ASSERT_TRUE(Accept("alice", Invite("bob").code(), &again).ok());
  EXPECT_NE(again.name(), couple.name());
}

TEST_F(PairingIntegrationTest, ExportHoldsEverythingAboutTheCaller) {
  SetProfile("alice", "Alice", "America/New_York");
  SetProfile("bob", "Bob", "Europe/London");
  Pair("alice", "bob");
  v1::ExportMyDataResponse out;
  ASSERT_TRUE(stub_->ExportMyData(h_.ContextFor("alice").get(), {}, &out).ok());
  nlohmann::json data = nlohmann::json::parse(out.json());
  EXPECT_EQ(data["user_id"], "alice");
  EXPECT_EQ(data["profile"]["timeZone"], "America/New_York");
  EXPECT_EQ(data["couple"]["partner_user_id"], "bob");
  EXPECT_EQ(data["couple"]["home_time_zone"], "America/New_York");
  // Only the caller's own profile, never the partner's.
  EXPECT_FALSE(absl::StrContains(out.json(), "Europe/London"));
}

TEST_F(PairingIntegrationTest, DeleteMyDataErasesEveryKeyOfThePerson) {
  SetProfile("alice", "Alice", "America/New_York");
  SetProfile("bob", "Bob", "Europe/London");
  Pair("alice", "bob");
  ASSERT_TRUE(Unpair("alice", false).ok());  // leaves former-couple records
  Pair("bob", "alice");
  Invite("carol");
  Accept("alice", "WRONG-CODE1");  // a failed attempt record
  v1::CreateInviteRequest with_id;
  with_id.set_request_id("r1");

  v1::DeleteMyDataResponse deleted;
  ASSERT_TRUE(
      stub_->DeleteMyData(h_.ContextFor("alice").get(), {}, &deleted).ok());
  EXPECT_GT(deleted.erased_records(), 0);

  // No key names alice, and no stored value mentions her.
  for (const std::string& key : AllKeys()) {
    EXPECT_FALSE(absl::StrContains(key, "alice")) << key;
    auto type = h_.redis()->Command({"TYPE", key});
    std::vector<std::string> values;
    if (type->str == "string") {
      values.push_back(h_.redis()->Command({"GET", key})->str);
    } else if (type->str == "hash") {
      // The reply outlives the loop (a range-for over a member of the
      // temporary StatusOr would read freed memory).
      auto all = h_.redis()->Command({"HGETALL", key});
      for (const auto& e : all->elements) values.push_back(e.str);
    } else if (type->str == "zset") {
      auto all = h_.redis()->Command({"ZRANGE", key, "0", "-1"});
      for (const auto& e : all->elements) values.push_back(e.str);
    }
    for (const std::string& v : values) {
      EXPECT_FALSE(absl::StrContains(v, "alice")) << key;
    }
  }
  // Bob is left unpaired, with his own profile intact.
  v1::Couple none;
  EXPECT_EQ(GetCouple("bob", &none).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::PartnerProfile bob;
  ASSERT_TRUE(
      stub_->GetPartnerProfile(h_.ContextFor("bob").get(), {}, &bob).ok());
  EXPECT_EQ(bob.display_name(), "Bob");
}

// What the outbox holds for the scheduler: each event's kind, in order.
std::vector<std::string> OutboxKinds(engine::RedisClient* redis) {
  std::vector<std::string> kinds;
  auto reply = redis->Command({"LRANGE", "tend:pairing:outbox", "0", "-1"});
  for (const auto& e : reply->elements) {
    kinds.push_back(nlohmann::json::parse(e.str).value("kind", ""));
  }
  return kinds;
}

TEST_F(PairingIntegrationTest, ProfileEditsQueueOneReplanPerCoupleAtATime) {
  Pair("alice", "bob");
  ASSERT_THAT(OutboxKinds(h_.redis()), ::testing::ElementsAre("formed"));
  // A burst of edits that move reminders waits as one event.
  for (int i = 0; i < 20; ++i) {
    SetProfile(i % 2 ? "alice" : "bob", "A",
               i % 2 ? "Europe/Paris" : "Asia/Tokyo");
  }
  EXPECT_THAT(OutboxKinds(h_.redis()),
              ::testing::ElementsAre("formed", "changed"));
  // Love languages do not move reminders: nothing new is queued.
  h_.redis()->Command({"DEL", "tend:pairing:outbox"}).IgnoreError();
  h_.redis()->Command({"DEL", "tend:pairing:replan_pending"}).IgnoreError();
  v1::UpdatePartnerProfileRequest req;
  for (int language : {3, 1, 2, 5, 4}) {
    req.mutable_profile()->add_love_language_ranking(
        static_cast<type::v1::LoveLanguage>(language));
  }
  req.mutable_update_mask()->add_paths("love_language_ranking");
  v1::PartnerProfile out;
  ASSERT_TRUE(
      stub_->UpdatePartnerProfile(h_.ContextFor("alice").get(), req, &out)
          .ok());
  EXPECT_THAT(OutboxKinds(h_.redis()), ::testing::IsEmpty());
  // Once the relay has taken the mark (it does so before it sends), the
  // next edit queues a new event, so no edit goes unplanned.
  SetProfile("alice", "A", "America/New_York");
  auto members =
      h_.redis()->Command({"SMEMBERS", "tend:pairing:replan_pending"});
  ASSERT_EQ(members->elements.size(), 1u);
  h_.redis()
      ->Command(
          {"SREM", "tend:pairing:replan_pending", members->elements[0].str})
      .IgnoreError();
  SetProfile("bob", "B", "America/Chicago");
  EXPECT_THAT(OutboxKinds(h_.redis()),
              ::testing::ElementsAre("changed", "changed"));
  // Changing the couple's home zone re-plans too, coalesced the same way.
  v1::UpdateCoupleRequest couple_req;
  couple_req.mutable_couple()->set_home_time_zone("Europe/Berlin");
  couple_req.mutable_update_mask()->add_paths("home_time_zone");
  v1::Couple couple;
  ASSERT_TRUE(
      stub_->UpdateCouple(h_.ContextFor("bob").get(), couple_req, &couple)
          .ok());
  EXPECT_EQ(couple.home_time_zone(), "Europe/Berlin");
  EXPECT_THAT(OutboxKinds(h_.redis()),
              ::testing::ElementsAre("changed", "changed"));
}

TEST_F(PairingIntegrationTest, ConcurrentAcceptsFormExactlyOneCouple) {
  for (int round = 0; round < 60; ++round) {
    const std::string inviter = absl::StrCat("inviter", round);
    const std::vector<std::string> rivals = {absl::StrCat("x", round),
                                             absl::StrCat("y", round),
                                             absl::StrCat("z", round)};
    const std::string code = Invite(inviter).code();
    absl::Barrier* start = new absl::Barrier(rivals.size());
    std::atomic<int> winners{0};
    std::vector<std::thread> threads;
    for (const std::string& rival : rivals) {
      threads.emplace_back([&, rival] {
        if (start->Block()) delete start;
        grpc::Status s = Accept(rival, code);
        if (s.ok()) {
          ++winners;
        } else {
          EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND)
              << s.error_message();
        }
      });
    }
    for (auto& t : threads) t.join();
    ASSERT_EQ(winners.load(), 1) << "round " << round;
    int members = 0;
    for (const std::string& rival : rivals) {
      v1::Couple c;
      if (GetCouple(rival, &c).ok()) {
        ++members;
        EXPECT_EQ(c.partners(0).user_id(), inviter);
        EXPECT_EQ(c.partners(1).user_id(), rival);
      }
    }
    EXPECT_EQ(members, 1);
  }
}

TEST_F(PairingIntegrationTest, RedisOutageAnswersUnavailableThenRecovers) {
  SetProfile("alice", "Alice", "Europe/Paris");
  h_.redis_server().Stop();
  v1::PartnerProfile out;
  grpc::Status down =
      stub_->GetPartnerProfile(h_.ContextFor("alice").get(), {}, &out);
  EXPECT_EQ(down.error_code(), grpc::StatusCode::UNAVAILABLE);
  v1::Invite invite;
  EXPECT_EQ(stub_->CreateInvite(h_.ContextFor("alice").get(), {}, &invite)
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);

  // Health follows Redis: NOT_SERVING while it is down, SERVING after.
  EXPECT_TRUE(WaitForHealth(/*serving=*/false));
  ASSERT_TRUE(h_.redis_server().Start().ok());  // same port, empty data
  EXPECT_TRUE(WaitForHealth(/*serving=*/true));
  grpc::Status up =
      stub_->GetPartnerProfile(h_.ContextFor("alice").get(), {}, &out);
  EXPECT_TRUE(up.ok()) << up.error_message();
  EXPECT_TRUE(
      stub_->CreateInvite(h_.ContextFor("alice").get(), {}, &invite).ok());
}

// --- Authentication and isolation, over every RPC of the service ---------
// The bad tokens and the descriptor-driven calls are the security suite's
// (tests/security/auth_matrix.h), which runs the same matrix over every
// service's real binary.

class PairingAuthMatrixTest : public PairingIntegrationTest {
 protected:
  // Calls `method` with an empty request and `authorization` (none if empty).
  grpc::Status Call(const google::protobuf::MethodDescriptor* method,
                    const std::string& authorization) {
    return security::CallMethod(h_.channel(), method, authorization, "").status;
  }
};

TEST_F(PairingAuthMatrixTest, EveryRpcRejectsBadTokens) {
  const google::protobuf::ServiceDescriptor* service =
      security::FindService("tend.pairing.v1.PairingService");
  ASSERT_GE(service->method_count(), 10);
  for (const security::BadToken& bad : security::BadTokens(
           testing::kTestJwtSecret, "alice", h_.clock()->Now())) {
    for (const auto* method : security::Methods(service)) {
      EXPECT_EQ(Call(method, bad.authorization).error_code(),
                grpc::StatusCode::UNAUTHENTICATED)
          << method->name() << " with " << bad.why;
    }
  }
}

TEST_F(PairingAuthMatrixTest, AStrangerNeverSeesAnotherCouple) {
  SetProfile("alice", "Alice", "America/New_York");
  Pair("alice", "bob");
  const std::string stranger = security::Bearer(
      testing::kTestJwtSecret, "stranger", h_.clock()->Now() + absl::Hours(1));
  // What a valid caller who is in no couple gets, RPC by RPC. A new RPC
  // must be added here, or the test fails.
  const std::map<std::string, grpc::StatusCode> expected = {
      {"CreateInvite", grpc::StatusCode::OK},                // their own invite
      {"AcceptInvite", grpc::StatusCode::INVALID_ARGUMENT},  // no code
      {"GetCouple", grpc::StatusCode::NOT_FOUND},
      {"UpdateCouple", grpc::StatusCode::INVALID_ARGUMENT},  // no zone
      {"GetPartnerProfile", grpc::StatusCode::OK},  // their own defaults
      {"UpdatePartnerProfile", grpc::StatusCode::INVALID_ARGUMENT},
      {"Unpair", grpc::StatusCode::NOT_FOUND},
      {"ExportMyData", grpc::StatusCode::OK},  // their own, empty
      {"DeleteMyData", grpc::StatusCode::OK},  // their own, nothing
      {"LookupCouple", grpc::StatusCode::PERMISSION_DENIED},
  };
  for (const auto* method : security::Methods(
           security::FindService("tend.pairing.v1.PairingService"))) {
    const std::string name = method->name();
    ASSERT_TRUE(expected.count(name)) << "no expectation for " << name;
    EXPECT_EQ(Call(method, stranger).error_code(), expected.at(name)) << name;
  }
  // With well-formed requests, the couple-scoped RPCs still answer NOT_FOUND.
  v1::UpdateCoupleRequest update;
  update.mutable_couple()->set_home_time_zone("Europe/Paris");
  update.mutable_update_mask()->add_paths("home_time_zone");
  v1::Couple out;
  EXPECT_EQ(stub_->UpdateCouple(h_.ContextFor("stranger").get(), update, &out)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::ExportMyDataResponse exported;
  ASSERT_TRUE(
      stub_->ExportMyData(h_.ContextFor("stranger").get(), {}, &exported).ok());
  EXPECT_FALSE(absl::StrContains(exported.json(), "alice"));
  // And alice's couple is untouched.
  v1::Couple couple;
  ASSERT_TRUE(GetCouple("alice", &couple).ok());
  EXPECT_EQ(couple.partners(1).user_id(), "bob");
}

TEST_F(PairingAuthMatrixTest, ServicesMayLookUpACouple) {
  Pair("alice", "bob");
  v1::LookupCoupleRequest req;
  req.set_user_id("bob");
  v1::Couple couple;
  ASSERT_TRUE(
      stub_->LookupCouple(h_.ServiceContext().get(), req, &couple).ok());
  EXPECT_EQ(couple.partners(0).user_id(), "alice");
  // A service cannot act as a person.
  v1::Invite invite;
  EXPECT_EQ(
      stub_->CreateInvite(h_.ServiceContext().get(), {}, &invite).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace tend::pairing
