// The RPC table the security suite walks: one valid request per RPC of
// pairing, prompt and scheduler, who may send it, and what it answers; plus
// CoupleStack, which builds the state those requests name (a couple with
// rituals in every state, a delivered reminder, a question, the quiz and the
// check, a pending invite).
//
// The authorization matrix sends each row as the right caller and as
// strangers; the bad-input flood mutates each row's request field by field.
//
//   class MyTest : public security::CoupleStack {};
//   TEST_F(MyTest, Works) {
//     ASSERT_NO_FATAL_FAILURE(BuildState());
//     for (const security::Row& row : security::Rows()) {
//       security::CallResult r = Call(row, row.caller, row.request);
//     }
//   }
#ifndef TEND_TESTS_SECURITY_RPC_ROWS_H_
#define TEND_TESTS_SECURITY_RPC_ROWS_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/types/span.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/grpcpp.h"
#include "tests/security/auth_matrix.h"
#include "tests/security/security_stack.h"

namespace tend::security {

// What a row's request names.
enum class Scope {
  // The couple's or a member's resources: strangers get NOT_FOUND or
  // PERMISSION_DENIED.
  kMember,
  // The caller's own data (or a public catalog): strangers may succeed, but
  // never see the couple's data.
  kOwn,
  // Service-only: every user token gets PERMISSION_DENIED.
  kService,
};

// Row
//
// One RPC: who calls it as the "right" caller, with what request (a text
// proto with ${VAR}s), and what it answers.
struct Row {
  const char* service;  // "pairing", "prompt" or "scheduler"
  const char* method;
  Scope scope;
  const char* caller;   // a user id, or "service:<name>"
  const char* request;  // text proto
  grpc::StatusCode expected = grpc::StatusCode::OK;
  // Why a member row expects something other than OK.
  const char* note = "";
  // Stores the response's `name` in this variable when set.
  const char* capture = "";
  // The request strangers send, when it must differ (e.g. a secret code).
  const char* stranger_request = nullptr;
};

// Rows()
//
// Every RPC once, in the order the suite runs them: what one creates the
// next can use, and what destroys state comes last.
absl::Span<const Row> Rows();

// ServiceNames()
//
// {"pairing", "tend.pairing.v1.PairingService"} and so on.
std::vector<std::pair<std::string, std::string>> ServiceNames();

// MethodOf()
//
// The descriptor of `row`'s RPC; null when there is no such RPC.
const google::protobuf::MethodDescriptor* MethodOf(const Row& row);

// CoupleStack
//
// The three binaries, and the state the rows' requests name in Vars().
// Users: alice and bob (the couple), carol and dave (another couple), eve
// (no couple), gina (a pending invite, ${CODE}), olga and oscar (a couple
// already dissolved, ${OLD_COUPLE}).
class CoupleStack : public SecurityStack {
 protected:
  // Starts the services.
  void SetUp() override;

  // BuildState()
  //
  // Builds the state and fills Vars(); also sends once every row that
  // creates something (Row::capture), so strangers have it to aim at.
  void BuildState();

  // Call()
  //
  // Sends `text` (a row's request with ${VAR}s) to `row`'s RPC as `caller`
  // (a user id, or "service:<name>").
  CallResult Call(const Row& row, const std::string& caller,
                  const std::string& text);

  // CallAndCapture()
  //
  // Sends `row` as its caller, expects its answer, and stores the response's
  // `name` in ${row.capture} when the row asks.
  grpc::Status CallAndCapture(const Row& row);

  // BearerFor()
  //
  // A valid "Bearer <jwt>" for `caller`.
  static std::string BearerFor(const std::string& caller);

  std::shared_ptr<grpc::Channel> ChannelOf(const Row& row) {
    return channels_.at(row.service);
  }
  std::shared_ptr<grpc::Channel> ChannelOf(const std::string& service) {
    return channels_.at(service);
  }
  std::map<std::string, std::string>& Vars() { return vars_; }

 private:
  // Moves the test clock to the active ritual's first reminder for alice
  // and waits until the dispatcher delivered it.
  void DeliverOneReminder();

  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
  std::map<std::string, std::string> vars_;
};

}  // namespace tend::security

#endif  // TEND_TESTS_SECURITY_RPC_ROWS_H_
