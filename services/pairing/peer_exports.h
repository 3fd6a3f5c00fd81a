// PeerExports: what the other services hold about a person, for
// ExportMyData.
//
// Pairing's export is the person's whole export: it asks the prompt
// service and the scheduler for theirs (ExportUserData, with a service
// token and the Peer's deadline) and nests each under the service's name.
// A peer that does not answer fails the export as UNAVAILABLE naming it:
// a person asking for their data gets all of it or a reason to retry,
// never a partial copy that looks complete.
//
//   PeerExports exports(&prompt_peer, &scheduler_peer);
//   absl::StatusOr<nlohmann::json> parts = exports.Collect("alice");
//   // {"prompt": {...}, "scheduler": {...}}
#ifndef TEND_SERVICES_PAIRING_PEER_EXPORTS_H_
#define TEND_SERVICES_PAIRING_PEER_EXPORTS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "services/common/peer.h"
#include "tend/prompt/v1/prompt.grpc.pb.h"
#include "tend/scheduler/v1/scheduler.grpc.pb.h"

namespace tend::pairing {

// PeerExports
//
// Thread-safe. A Peer that is null or not configured (development without
// that service) is left out of the export.
class PeerExports {
 public:
  // The peers must outlive this object.
  PeerExports(const services::Peer* prompt, const services::Peer* scheduler);

  // Collect()
  //
  // {"prompt": …, "scheduler": …}, each the peer's own JSON document.
  // UNAVAILABLE naming the peer when one cannot answer now (down, or past
  // the deadline); INTERNAL naming it when it refuses or answers something
  // that is not JSON.
  absl::StatusOr<nlohmann::json> Collect(const std::string& user_id) const;

 private:
  const services::Peer* const prompt_;
  const services::Peer* const scheduler_;
  std::unique_ptr<prompt::v1::PromptService::Stub> prompt_stub_;
  std::unique_ptr<scheduler::v1::SchedulerService::Stub> scheduler_stub_;
};

}  // namespace tend::pairing

#endif  // TEND_SERVICES_PAIRING_PEER_EXPORTS_H_
