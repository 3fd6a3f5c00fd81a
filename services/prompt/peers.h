// The prompt service's two peers, behind small interfaces so the business
// logic can be built in a test without them.
//
//   Couples        who is in which couple, and their profiles: pairing's
//                  LookupCouple with the prompt service's token, cached for
//                  a few seconds (as the scheduler's CoupleDirectory does).
//   SchedulerLink  the couple's cadence (GetCadence) and the connection
//                  signal (RecordConnectionScore).
//
// GetCadence serves the couple's own members only, so the prompt service
// reads it *on behalf of* the person whose call it is serving, with that
// person's own bearer token, and keeps the answer as a fallback for when
// no person is calling (the dispatcher's GetReminderContent) or the
// scheduler cannot be reached.
//
//   PairingCouples couples(&pairing_peer, clock);
//   absl::StatusOr<CoupleRef> couple = couples.ForUser("alice");
#ifndef TEND_SERVICES_PROMPT_PEERS_H_
#define TEND_SERVICES_PROMPT_PEERS_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/time/clock.h"
#include "services/common/peer.h"
#include "tend/pairing/v1/pairing.grpc.pb.h"
#include "tend/scheduler/v1/scheduler.grpc.pb.h"

namespace tend::prompt {

// CoupleRef
//
// A couple as pairing last described it; shared, never modified, so the
// hot path copies a pointer rather than the message.
using CoupleRef = std::shared_ptr<const pairing::v1::Couple>;

// Couples
//
// Thread-safe.
class Couples {
 public:
  virtual ~Couples() = default;

  // ForUser()
  //
  // The active couple `user_id` is in. NOT_FOUND when unpaired;
  // UNAVAILABLE when pairing cannot be reached.
  virtual absl::StatusOr<CoupleRef> ForUser(const std::string& user_id) = 0;
};

// PairingCouples
//
// Couples from pairing over gRPC, each answer cached for `ttl`.
class PairingCouples final : public Couples {
 public:
  // `pairing` and `clock` must outlive it.
  PairingCouples(const services::Peer* pairing, const engine::Clock* clock,
                 absl::Duration ttl = absl::Seconds(5));

  absl::StatusOr<CoupleRef> ForUser(const std::string& user_id) override;

 private:
  struct Entry {
    CoupleRef couple;
    absl::Time fetched;
  };

  const services::Peer* const pairing_;
  std::unique_ptr<pairing::v1::PairingService::Stub> stub_;
  const engine::Clock* const clock_;
  const absl::Duration ttl_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> by_user_ ABSL_GUARDED_BY(mu_);
};

// SchedulerLink
//
// Thread-safe.
class SchedulerLink {
 public:
  virtual ~SchedulerLink() = default;

  // GetCadence()
  //
  // The cadence of `couple_name` ("couples/{id}"), read with
  // `user_authorization` ("Bearer …"), the token of the member whose call
  // is being served.
  virtual absl::StatusOr<scheduler::v1::Cadence> GetCadence(
      const std::string& couple_name,
      const std::string& user_authorization) = 0;

  // RecordConnectionScore()
  //
  // Sends a couple score as a cadence signal, with the service token.
  virtual absl::StatusOr<scheduler::v1::Cadence> RecordConnectionScore(
      const scheduler::v1::RecordConnectionScoreRequest& request) = 0;
};

// GrpcSchedulerLink
//
// The scheduler over gRPC. Cadence reads give up after `cadence_deadline`,
// so a slow scheduler delays a daily question by at most that much.
class GrpcSchedulerLink final : public SchedulerLink {
 public:
  // `scheduler` must outlive it.
  GrpcSchedulerLink(const services::Peer* scheduler,
                    absl::Duration cadence_deadline = absl::Milliseconds(500));

  absl::StatusOr<scheduler::v1::Cadence> GetCadence(
      const std::string& couple_name,
      const std::string& user_authorization) override;
  absl::StatusOr<scheduler::v1::Cadence> RecordConnectionScore(
      const scheduler::v1::RecordConnectionScoreRequest& request) override;

 private:
  const services::Peer* const scheduler_;
  std::unique_ptr<scheduler::v1::SchedulerService::Stub> stub_;
  const absl::Duration cadence_deadline_;
};

}  // namespace tend::prompt

#endif  // TEND_SERVICES_PROMPT_PEERS_H_
