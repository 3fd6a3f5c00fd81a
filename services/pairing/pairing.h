// Pairing: the pairing service's business logic, without gRPC.
//
// Each method takes the authenticated caller and the request and returns
// the response or a Status whose message names the field and the rule.
// Tests build it over a Redis and a FakeClock with no server at all;
// PairingServiceImpl is the thin gRPC layer on top.
//
//   Pairing pairing(&redis, &clock, PairingOptions{});
//   absl::StatusOr<v1::Invite> invite = pairing.CreateInvite(alice, {});
#ifndef TEND_SERVICES_PAIRING_PAIRING_H_
#define TEND_SERVICES_PAIRING_PAIRING_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/redis/redis_client.h"
#include "engine/time/clock.h"
#include "services/common/auth.h"
#include "services/common/request_log.h"
#include "services/pairing/pairing_store.h"
#include "services/pairing/peer_exports.h"
#include "tend/pairing/v1/pairing.pb.h"

namespace tend::pairing {

using services::Caller;

// PairingOptions
//
// The service's rules, with the product's defaults.
struct PairingOptions {
  // How long an invite code works.
  absl::Duration invite_ttl = absl::Hours(24);
  // How long a dissolved couple can still be restored by re-pairing.
  absl::Duration undo_window = absl::Hours(24 * 7);
  // Brute-force protection for AcceptInvite.
  AcceptLimits accept_limits;
};

// Pairing
//
// Thread-safe.
class Pairing {
 public:
  Pairing(engine::RedisClient* redis, const engine::Clock* clock,
          PairingOptions options);

  absl::StatusOr<v1::Invite> CreateInvite(const Caller& caller,
                                          const v1::CreateInviteRequest& req);
  absl::StatusOr<v1::Couple> AcceptInvite(const Caller& caller,
                                          const v1::AcceptInviteRequest& req);
  absl::StatusOr<v1::Couple> GetCouple(const Caller& caller,
                                       const v1::GetCoupleRequest& req);
  absl::StatusOr<v1::Couple> UpdateCouple(const Caller& caller,
                                          const v1::UpdateCoupleRequest& req);
  absl::StatusOr<v1::PartnerProfile> GetPartnerProfile(
      const Caller& caller, const v1::GetPartnerProfileRequest& req);
  absl::StatusOr<v1::PartnerProfile> UpdatePartnerProfile(
      const Caller& caller, const v1::UpdatePartnerProfileRequest& req);
  absl::StatusOr<v1::UnpairResponse> Unpair(const Caller& caller,
                                            const v1::UnpairRequest& req);
  absl::StatusOr<v1::ExportMyDataResponse> ExportMyData(
      const Caller& caller, const v1::ExportMyDataRequest& req);
  absl::StatusOr<v1::DeleteMyDataResponse> DeleteMyData(
      const Caller& caller, const v1::DeleteMyDataRequest& req);
  // Service callers only.
  absl::StatusOr<v1::Couple> LookupCouple(const Caller& caller,
                                          const v1::LookupCoupleRequest& req);

  // UsePeerExports()
  //
  // From now on ExportMyData includes what the other services hold about
  // the person (peer_exports.h). Call before serving; `exports` must
  // outlive this object. Without it the export is pairing's alone.
  void UsePeerExports(const PeerExports* exports) { exports_ = exports; }

  // PurgeDissolved()
  //
  // Erases couples whose undo window has passed. The server calls it
  // periodically; tests call it after moving the clock.
  absl::StatusOr<int> PurgeDissolved();

 private:
  // The user's saved profile, or the defaults.
  absl::StatusOr<v1::PartnerProfile> ProfileOf(const std::string& user);
  absl::StatusOr<v1::Couple> ToCouple(const CoupleRecord& record);
  absl::StatusOr<v1::Couple> CoupleOfUser(const std::string& user);

  PairingStore store_;
  services::RequestLog request_log_;
  const engine::Clock* const clock_;
  const PairingOptions options_;
  const PeerExports* exports_ = nullptr;
};

}  // namespace tend::pairing

#endif  // TEND_SERVICES_PAIRING_PAIRING_H_
