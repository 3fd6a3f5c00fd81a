#include "services/pairing/peer_exports.h"

#include "absl/strings/str_cat.h"
#include "engine/base/status_macros.h"
#include "services/common/status.h"

namespace tend::pairing {
namespace {

bool Usable(const services::Peer* peer) {
  return peer != nullptr && peer->configured();
}

// One peer's ExportUserData answer as JSON, its failures named after it.
absl::StatusOr<nlohmann::json> Parsed(absl::string_view service,
                                      const grpc::Status& status,
                                      const std::string& json) {
  const absl::Status result = services::FromGrpcStatus(status);
  if (absl::IsUnavailable(result) || absl::IsDeadlineExceeded(result)) {
    return absl::UnavailableError(absl::StrCat(
        "export: the ", service, " service is unavailable; try again later"));
  }
  if (!result.ok()) {
    return absl::InternalError(
        absl::StrCat("export: the ", service, " service refused the export (",
                     absl::StatusCodeToString(result.code()), ")"));
  }
  nlohmann::json parsed = nlohmann::json::parse(json, nullptr, false);
  if (!parsed.is_object()) {
    return absl::InternalError(
        absl::StrCat("export: the ", service, " service's export is not JSON"));
  }
  return parsed;
}

// Asks one peer for `user_id`'s export: `call` is its stub's
// ExportUserData.
template <typename Stub, typename Request, typename Response>
absl::StatusOr<nlohmann::json> ExportFrom(
    absl::string_view service, const services::Peer& peer, Stub* stub,
    grpc::Status (Stub::*call)(grpc::ClientContext*, const Request&, Response*),
    const std::string& user_id) {
  TEND_ASSIGN_OR_RETURN(std::unique_ptr<grpc::ClientContext> context,
                        peer.NewContext());
  Request request;
  request.set_user_id(user_id);
  Response response;
  const grpc::Status status = (stub->*call)(context.get(), request, &response);
  return Parsed(service, status, response.json());
}

}  // namespace

PeerExports::PeerExports(const services::Peer* prompt,
                         const services::Peer* scheduler)
    : prompt_(prompt), scheduler_(scheduler) {
  if (Usable(prompt_)) {
    prompt_stub_ = prompt::v1::PromptService::NewStub(prompt_->channel());
  }
  if (Usable(scheduler_)) {
    scheduler_stub_ =
        scheduler::v1::SchedulerService::NewStub(scheduler_->channel());
  }
}

absl::StatusOr<nlohmann::json> PeerExports::Collect(
    const std::string& user_id) const {
  nlohmann::json out = nlohmann::json::object();
  if (prompt_stub_ != nullptr) {
    TEND_ASSIGN_OR_RETURN(
        out["prompt"],
        ExportFrom("prompt", *prompt_, prompt_stub_.get(),
                   &prompt::v1::PromptService::Stub::ExportUserData, user_id));
  }
  if (scheduler_stub_ != nullptr) {
    TEND_ASSIGN_OR_RETURN(
        out["scheduler"],
        ExportFrom("scheduler", *scheduler_, scheduler_stub_.get(),
                   &scheduler::v1::SchedulerService::Stub::ExportUserData,
                   user_id));
  }
  return out;
}

}  // namespace tend::pairing
