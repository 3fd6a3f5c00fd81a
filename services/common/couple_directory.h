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
// A caller that can tell when a couple changed passes a version with the
// lookup (the scheduler's dispatcher: the couple's epoch, which every
// replica bumps when pairing reports a change); an answer fetched under the
// same version then stays good for `versioned_ttl`, minutes rather than
// seconds, and a new version fetches again at once.
//
//   CoupleDirectory directory(&pairing_peer, clock);  // 5 s, as in production
//   absl::StatusOr<CoupleRef> couple = directory.ForUser("alice");
//   if (couple.ok()) Use((*couple)->name());
//   directory.Forget("c1");  // "couples/c1" changed
//   couple = directory.ForUser("alice", "c1:7");  // good while c1 is at 7
#ifndef TEND_SERVICES_COMMON_COUPLE_DIRECTORY_H_
#define TEND_SERVICES_COMMON_COUPLE_DIRECTORY_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
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
// Couples from pairing over gRPC, each answer cached for `ttl` (or
// `versioned_ttl`, see ForUser(user_id, version)). The cache
// holds at most `max_users` users; when full it starts again empty, which
// costs one lookup per active user rather than unbounded memory.
// Thread-safe.
class CoupleDirectory {
 public:
  // `pairing` and `clock` must outlive the directory.
  CoupleDirectory(const Peer* pairing, const engine::Clock* clock,
                  absl::Duration ttl = absl::Seconds(5),
                  size_t max_users = 100000,
                  absl::Duration versioned_ttl = kVersionedTtl);

  // kVersionedTtl
  //
  // The default `versioned_ttl`. Whoever keeps versions must not let one
  // come back (e.g. by expiring a counter) sooner than this after it moved
  // on.
  static constexpr absl::Duration kVersionedTtl = absl::Minutes(5);
  virtual ~CoupleDirectory() = default;

  CoupleDirectory(const CoupleDirectory&) = delete;
  CoupleDirectory& operator=(const CoupleDirectory&) = delete;

  // ForUser()
  //
  // The active couple `user_id` is in. NOT_FOUND when unpaired;
  // UNAVAILABLE when pairing cannot be reached (or no address is set).
  // Virtual so a test can stand in for pairing.
  virtual absl::StatusOr<CoupleRef> ForUser(const std::string& user_id);

  // ForUser(user_id, version)
  //
  // The same, for a caller that knows the couple's current `version`: an
  // answer fetched under this very version is good for `versioned_ttl`;
  // any other answer is fetched again.
  absl::StatusOr<CoupleRef> ForUser(const std::string& user_id,
                                    absl::string_view version);

  // Forget()
  //
  // Drops the cached answers for both partners of `couple_id` (the id,
  // without "couples/"), so the next ForUser() asks pairing again.
  void Forget(const std::string& couple_id);

 private:
  struct Entry {
    CoupleRef couple;
    absl::Time fetched;
    // What the caller said the version was when this was fetched; empty
    // when fetched without one.
    std::string version;
  };

  // Asks pairing and caches the answer under `version`.
  absl::StatusOr<CoupleRef> Fetch(const std::string& user_id,
                                  absl::string_view version, absl::Time now);

  const Peer* const pairing_;
  std::unique_ptr<pairing::v1::PairingService::Stub> stub_;
  const engine::Clock* const clock_;
  const absl::Duration ttl_;
  const size_t max_users_;
  const absl::Duration versioned_ttl_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> by_user_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tend::services

#endif  // TEND_SERVICES_COMMON_COUPLE_DIRECTORY_H_
