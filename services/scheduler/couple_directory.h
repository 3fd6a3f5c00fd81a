// CoupleDirectory: who is in which couple, and their profiles, from pairing.
//
// The scheduler owns no membership: every user RPC and every dispatch asks
// pairing (LookupCouple, with a service token). Answers are cached for a
// few seconds so a burst of reminders for one couple costs one call; a
// profile change reaches the scheduler through RescheduleCouple, which
// drops the entry at once.
#ifndef TEND_SERVICES_SCHEDULER_COUPLE_DIRECTORY_H_
#define TEND_SERVICES_SCHEDULER_COUPLE_DIRECTORY_H_

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

namespace tend::scheduler {

// CoupleDirectory
//
// Thread-safe.
class CoupleDirectory {
 public:
  // `pairing` and `clock` must outlive the directory.
  CoupleDirectory(const services::Peer* pairing, const engine::Clock* clock,
                  absl::Duration ttl = absl::Seconds(5));
  virtual ~CoupleDirectory() = default;

  // ForUser()
  //
  // The couple `user_id` is in. NOT_FOUND when unpaired; UNAVAILABLE when
  // pairing cannot be reached.
  virtual absl::StatusOr<pairing::v1::Couple> ForUser(
      const std::string& user_id);

  // Forget()
  //
  // Drops cached answers for both partners of `couple_id`.
  void Forget(const std::string& couple_id);

 private:
  struct Entry {
    pairing::v1::Couple couple;
    absl::Time fetched;
  };

  const services::Peer* const pairing_;
  std::unique_ptr<pairing::v1::PairingService::Stub> stub_;
  const engine::Clock* const clock_;
  const absl::Duration ttl_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> by_user_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tend::scheduler

#endif  // TEND_SERVICES_SCHEDULER_COUPLE_DIRECTORY_H_
