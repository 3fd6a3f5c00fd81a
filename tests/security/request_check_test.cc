// CheckRequest(): the rules every request shares, on hand-built requests.
#include "services/common/request_check.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tend/prompt/v1/prompt.pb.h"
#include "tend/scheduler/v1/scheduler.pb.h"

namespace tend::services {
namespace {

using ::testing::HasSubstr;
namespace sv1 = scheduler::v1;

// A request that passes: nested messages, enums, times and ids all valid.
sv1::CreateRitualRequest Valid() {
  sv1::CreateRitualRequest req;
  req.set_parent("couples/abc");
  req.set_request_id("r-1");
  req.set_note("line one\nline two\ttabbed");
  sv1::Ritual* r = req.mutable_ritual();
  r->set_kind(sv1::RITUAL_KIND_PERSONAL);
  r->mutable_recurrence()->mutable_anchor_offset();
  r->mutable_duration()->set_seconds(900);
  r->add_lead_times()->set_seconds(-60);  // negative is a business rule
  r->mutable_create_time()->set_seconds(1795683600);
  return req;
}

void ExpectInvalid(const google::protobuf::Message& req,
                   const std::string& field) {
  absl::Status s = CheckRequest(req);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << req.DebugString();
  EXPECT_THAT(std::string(s.message()), HasSubstr(field + ":"));
}

TEST(RequestCheckTest, AValidRequestPasses) {
  EXPECT_TRUE(CheckRequest(Valid()).ok());
  EXPECT_TRUE(CheckRequest(sv1::CreateRitualRequest()).ok());
}

TEST(RequestCheckTest, EnumsHoldDeclaredValues) {
  sv1::CreateRitualRequest req = Valid();
  req.mutable_ritual()->set_kind(static_cast<sv1::RitualKind>(99));
  ExpectInvalid(req, "ritual.kind");
  sv1::ListRitualsRequest list;
  list.add_states(sv1::RITUAL_STATE_ACTIVE);
  list.add_states(static_cast<sv1::RitualState>(-7));
  ExpectInvalid(list, "states");
}

TEST(RequestCheckTest, TimestampsAndDurationsStayInTheirRange) {
  sv1::CreateRitualRequest req = Valid();
  req.mutable_ritual()->mutable_create_time()->set_seconds(253402300800);
  ExpectInvalid(req, "ritual.create_time");
  req = Valid();
  req.mutable_ritual()->mutable_create_time()->set_nanos(-1);
  ExpectInvalid(req, "ritual.create_time");
  req = Valid();
  req.mutable_ritual()->mutable_duration()->set_seconds(315576000001);
  ExpectInvalid(req, "ritual.duration");
  req = Valid();
  req.mutable_ritual()->mutable_lead_times(0)->set_nanos(5);  // sign differs
  ExpectInvalid(req, "ritual.lead_times");
  sv1::PauseRitualRequest pause;
  pause.mutable_resume_time()->set_seconds(-62135596801);
  ExpectInvalid(pause, "resume_time");
}

TEST(RequestCheckTest, StringsAreBoundedAndHoldNoControlCharacters) {
  sv1::CreateRitualRequest req = Valid();
  req.mutable_ritual()->set_title(std::string(kMaxRequestStringBytes + 1, 'a'));
  ExpectInvalid(req, "ritual.title");
  req = Valid();
  req.mutable_ritual()->set_title(std::string(kMaxRequestStringBytes, 'a'));
  EXPECT_TRUE(CheckRequest(req).ok());
  req = Valid();
  req.set_parent(std::string("couples/a\0b", 11));
  ExpectInvalid(req, "parent");
  req = Valid();
  req.mutable_ritual()->add_participant_user_ids("bob\x7f");
  ExpectInvalid(req, "ritual.participant_user_ids");
}

TEST(RequestCheckTest, RequestIdsFollowTheirRule) {
  sv1::CreateRitualRequest req = Valid();
  req.set_request_id("no spaces");
  ExpectInvalid(req, "request_id");
  prompt::v1::AnswerQuestionRequest answer;
  answer.set_request_id(std::string(65, 'a'));
  ExpectInvalid(answer, "request_id");
}

}  // namespace
}  // namespace tend::services
