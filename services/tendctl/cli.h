// What every tendctl command shares: who the caller is, how a call is made,
// how values are read from flags and how answers are printed.
//
// A command handler reads its own flags, builds a request, and leaves the
// rest to these helpers:
//
//   absl::Status RunCouple(const std::vector<std::string>& args) {
//     TEND_RETURN_IF_ERROR(ExpectArgs(args, {}));
//     TEND_ASSIGN_OR_RETURN(auto stub, PairingStub());
//     v1::Couple couple;
//     TEND_RETURN_IF_ERROR(Call(*stub, &v1::PairingService::Stub::GetCouple,
//                               v1::GetCoupleRequest(), &couple));
//     return Emit(couple, FormatCouple(couple));
//   }
//
// Errors follow one rule, which main() turns into the exit status: a
// UsageError() (a bad or missing argument, flag or setting, found before
// anything was sent) exits 2 with a hint; any other error is a service's or
// the network's answer and exits 1 as "tendctl: <CODE>: <message>".
#ifndef TEND_SERVICES_TENDCTL_CLI_H_
#define TEND_SERVICES_TENDCTL_CLI_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "services/common/status.h"
#include "tend/pairing/v1/pairing.pb.h"
#include "tend/type/v1/time.pb.h"

// --user: act as this user, with a short-lived token minted on the fly.
ABSL_DECLARE_FLAG(std::string, user);
// --token: act with this bearer token (TEND_TOKEN).
ABSL_DECLARE_FLAG(std::string, token);
// --json: print the response message as JSON instead of prose.
ABSL_DECLARE_FLAG(bool, json);

namespace tend::tendctl {

// kCallDeadline
//
// Every RPC tendctl makes gives up after this long.
inline constexpr absl::Duration kCallDeadline = absl::Seconds(10);

// kUserTokenLifetime
//
// How long a token minted for --user lasts: long enough for one command.
inline constexpr absl::Duration kUserTokenLifetime = absl::Minutes(5);

// CallFlags()
//
// Returns `own` followed by the flags every command that calls a service
// reads: `address_flag`, who the caller is, and --json. For Command::flags.
std::vector<std::string> CallFlags(std::vector<std::string> own,
                                   absl::string_view address_flag);

// UsageError()
//
// An error in how tendctl was invoked. main() prints `message` with a hint
// to the command's help and exits 2.
absl::Status UsageError(absl::string_view message);

// IsUsageError()
//
// True for a status made by UsageError().
bool IsUsageError(const absl::Status& status);

// ExpectArgs()
//
// OK when `args` holds exactly one positional argument per entry of
// `names` (e.g. {"CODE"}); a UsageError naming what is missing or extra
// otherwise.
absl::Status ExpectArgs(const std::vector<std::string>& args,
                        const std::vector<std::string>& names);

// ResolveToken()
//
// The caller's bearer token: --token (TEND_TOKEN) when set, else a token for
// --user minted with --jwt_secret (TEND_JWT_SECRET) that lasts
// kUserTokenLifetime. A UsageError when neither or both are set, or when
// --user has no secret to sign with.
absl::StatusOr<std::string> ResolveToken();

// CallerUserId()
//
// Who the caller is, for marking "you" in output: --user, else the `sub` of
// --token read without verifying it. Empty when unknown.
std::string CallerUserId();

// OpenChannel()
//
// An insecure channel to `address`, the value of --`flag_name`. A
// UsageError naming the flag and its TEND_* variable when it is empty.
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(
    absl::string_view flag_name, const std::string& address);

// PrepareContext()
//
// Gives `context` the kCallDeadline and `authorization: Bearer <token>`.
void PrepareContext(absl::string_view token, grpc::ClientContext* context);

// Call()
//
// Makes one unary call on `stub` as the caller (see ResolveToken) with the
// deadline, and returns the service's answer as an absl::Status.
//
//   TEND_RETURN_IF_ERROR(Call(*stub, &v1::PairingService::Stub::GetCouple,
//                             request, &couple));
template <typename Stub, typename Request, typename Response>
absl::Status Call(Stub& stub,
                  grpc::Status (Stub::*method)(grpc::ClientContext*,
                                               const Request&, Response*),
                  const Request& request, Response* response) {
  absl::StatusOr<std::string> token = ResolveToken();
  if (!token.ok()) return token.status();
  grpc::ClientContext context;
  PrepareContext(*token, &context);
  return services::FromGrpcStatus((stub.*method)(&context, request, response));
}

// CallAllPages()
//
// Makes a List call (AIP-158) page after page until the last, as Call()
// does each, and gathers every page into `all`: its repeated fields hold
// every item, in order, and its next_page_token is empty. Stops with
// INTERNAL when the service hands back the same token twice.
//
//   v1::ListRitualsResponse all;
//   TEND_RETURN_IF_ERROR(
//       CallAllPages(*stub, &Stub::ListRituals, request, &all));
template <typename Stub, typename Request, typename Response>
absl::Status CallAllPages(Stub& stub,
                          grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                       const Request&,
                                                       Response*),
                          Request request, Response* all) {
  all->Clear();
  while (true) {
    Response page;
    absl::Status status = Call(stub, method, request, &page);
    if (!status.ok()) return status;
    all->MergeFrom(page);
    if (page.next_page_token().empty()) break;
    if (page.next_page_token() == request.page_token()) {
      return absl::InternalError(
          "the service returned the same page token twice");
    }
    request.set_page_token(page.next_page_token());
  }
  all->clear_next_page_token();
  return absl::OkStatus();
}

// CallerCouple()
//
// The caller's couple, from the pairing service at --pairing_addr
// (GetCouple), for commands of other services whose resources live under
// its name, "couples/{id}". NOT_FOUND when the caller is not paired.
absl::StatusOr<tend::pairing::v1::Couple> CallerCouple();

// Emit()
//
// Prints the answer on stdout: `human` by default, or `response` as JSON
// (every field, default values included) under --json.
absl::Status Emit(const google::protobuf::Message& response,
                  absl::string_view human);

// ParseTimeOfDay()
//
// Reads "HH:MM" (00:00 to 23:59; "7:05" is accepted) for flag `--flag`.
absl::StatusOr<tend::type::v1::TimeOfDay> ParseTimeOfDay(
    absl::string_view flag, absl::string_view text);

// ParseTimeWindow()
//
// Reads "HH:MM-HH:MM" for flag `--flag`. Whether the window is allowed
// (e.g. start != end) is the service's to judge.
absl::StatusOr<tend::type::v1::TimeWindow> ParseTimeWindow(
    absl::string_view flag, absl::string_view text);

// FormatTimeOfDay()
//
// "07:05".
std::string FormatTimeOfDay(const tend::type::v1::TimeOfDay& time);

// FormatTimeWindow()
//
// "22:00-07:00", with ", overnight" when it wraps past midnight.
std::string FormatTimeWindow(const tend::type::v1::TimeWindow& window);

// ParseLoveLanguages()
//
// Reads a comma-separated ranking for flag `--flag`, most felt first. Each
// entry is a short name (touch, time, words, service, gifts) or the enum's
// own (physical_touch, LOVE_LANGUAGE_PHYSICAL_TOUCH), in any case. "none"
// is the empty ranking. Whether it is a full ranking is the service's to
// judge.
absl::StatusOr<std::vector<tend::type::v1::LoveLanguage>> ParseLoveLanguages(
    absl::string_view flag, absl::string_view text);

// FormatLoveLanguage()
//
// "physical touch".
std::string FormatLoveLanguage(tend::type::v1::LoveLanguage language);

// DurationInWords()
//
// A duration in words, to the minute, at most two units: "24 hours",
// "3 hours 5 minutes", "7 days", "less than a minute".
std::string DurationInWords(absl::Duration duration);

// FromTimestamp()
//
// A google.protobuf.Timestamp as an absl::Time, to the microsecond.
absl::Time FromTimestamp(const google::protobuf::Timestamp& timestamp);

// FromDuration()
//
// A google.protobuf.Duration as an absl::Duration.
absl::Duration FromDuration(const google::protobuf::Duration& duration);

// ToTimestamp()
//
// An absl::Time as a google.protobuf.Timestamp, to the microsecond.
google::protobuf::Timestamp ToTimestamp(absl::Time time);

// FormatInstant()
//
// "2024-05-02 14:03 UTC" in this machine's local zone.
std::string FormatInstant(absl::Time time);

// FormatZoneNow()
//
// "Europe/London, now 14:03 BST"; just the name when the zone is unknown.
std::string FormatZoneNow(absl::string_view zone, absl::Time now);

}  // namespace tend::tendctl

#endif  // TEND_SERVICES_TENDCTL_CLI_H_
