// CoupleDirectory: who is in which couple, and their profiles, from pairing.
//
// Only pairing owns membership. The scheduler and the prompt service ask it
// (LookupCouple, with their service token) on every user call and every
// dispatch, so answers are cached for a few seconds: a burst of reminders
// or questions for one couple costs one call. An answer is cached under
// both partners and shared, never modified, so the hot path copies a
// pointer rather than the message. A profile change reaches the scheduler
// through RescheduleCouple, which calls Forget() to drop the entry at once;
// anywhere else a change shows within `ttl`.
//
//   CoupleDirectory directory(&pairing_peer, clock);  // 5 s, as in production
//   absl::StatusOr<CoupleRef> couple = directory.ForUser("alice");
//   if (couple.ok()) Use((*couple)->name());
//   directory.Forget("c1");  // "couples/c1" changed
#ifndef TEND_SERVICES_COMMON_COUPLE_DIRECTORY_H_
#define TEND_SERVICES_COMMON_COUPLE_DIRECTORY_H_

#include <cstddef>
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

namespace tend::services {

// CoupleRef
//
// A couple as pairing last described it; shared and never modified.
using CoupleRef = std::shared_ptr<const pairing::v1::Couple>;

// CoupleDirectory
//
// Couples from pairing over gRPC, each answer cached for `ttl`. The cache
// holds at most `max_users` users; when full it starts again empty, which
// costs one lookup per active user rather than unbounded memory.
// Thread-safe.
class CoupleDirectory {
 public:
  // `pairing` and `clock` must outlive the directory.
  CoupleDirectory(const Peer* pairing, const engine::Clock* clock,
                  absl::Duration ttl = absl::Seconds(5),
                  size_t max_users = 100000);
  virtual ~CoupleDirectory() = default;

  CoupleDirectory(const CoupleDirectory&) = delete;
  CoupleDirectory& operator=(const CoupleDirectory&) = delete;

  // ForUser()
  //
  // The active couple `user_id` is in. NOT_FOUND when unpaired;
  // UNAVAILABLE when pairing cannot be reached (or no address is set).
  // Virtual so a test can stand in for pairing.
  virtual absl::StatusOr<CoupleRef> ForUser(const std::string& user_id);

  // Forget()
  //
  // Drops the cached answers for both partners of `couple_id` (the id,
  // without "couples/"), so the next ForUser() asks pairing again.
  void Forget(const std::string& couple_id);

 private:
  struct Entry {
    CoupleRef couple;
    absl::Time fetched;
  };

  const Peer* const pairing_;
  std::unique_ptr<pairing::v1::PairingService::Stub> stub_;
  const engine::Clock* const clock_;
  const absl::Duration ttl_;
  const size_t max_users_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> by_user_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tend::services

#endif  // TEND_SERVICES_COMMON_COUPLE_DIRECTORY_H_
