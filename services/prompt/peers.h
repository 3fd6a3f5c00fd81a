// The prompt service's link to the scheduler, behind a small interface so
// the business logic can be built in a test without it. (Its other peer,
// pairing, is reached through services::CoupleDirectory, which the
// scheduler shares.)
//
//   SchedulerLink  the couple's cadence (GetCadence) and the connection
//                  signal (RecordConnectionScore).
//
// GetCadence serves the couple's own members only, so the prompt service
// reads it *on behalf of* the person whose call it is serving, with that
// person's own bearer token, and keeps the answer as a fallback for when
// no person is calling (the dispatcher's GetReminderContent) or the
// scheduler cannot be reached.
//
//   GrpcSchedulerLink scheduler(&scheduler_peer);
//   absl::StatusOr<scheduler::v1::Cadence> cadence =
//       scheduler.GetCadence("couples/c1", "Bearer …");
#ifndef TEND_SERVICES_PROMPT_PEERS_H_
#define TEND_SERVICES_PROMPT_PEERS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/peer.h"
#include "tend/scheduler/v1/scheduler.grpc.pb.h"

namespace tend::prompt {

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
