// PairingStore: the pairing service's records in Redis.
//
// Keys (all under "tend:pairing:", one Redis; pairing's multi-key scripts
// reach keys they discover, such as the partner's, so pairing data is not
// meant for Redis Cluster):
//
//   profile:{user}     string  serialized PartnerProfile
//   member:{user}      string  id of the couple the user is in
//   couple:{couple}    hash    inviter, invitee, create_us, state
//                              ("active" | "dissolved"), erase_us,
//                              home_time_zone (absent: the inviter's zone)
//   invite:{code}      hash    inviter, expire_us   (Redis TTL as backstop)
//   invite_of:{user}   string  the user's one live invite code
//   fails:{user}       zset    failed accepts in the last hour, by time
//   former:{user}      hash    former partner → dissolved couple id, during
//                              the undo window
//   dissolved          zset    dissolved couple ids by erase time
//   req:{user}         hash    idempotent answers (services/common)
//   replan_pending     set     couples with a "changed" event waiting in
//                              the outbox, so a burst of edits makes one
//   outbox             list    events for the scheduler and the prompt
//                              service, JSON {"kind":"formed"|"dissolved"|
//                              "changed","couple":id[,"erase":bool]} or
//                              {"kind":"user_erased","user":id}, written by
//                              the same script as the change they announce
//                              and relayed by OutboxRelay (outbox.h)
//
// Invariants, kept by doing every multi-key change in one Lua script:
//   - member:{a} = member:{b} = c exactly when couple:{c} is active with
//     members a and b; nobody is in two couples;
//   - an invite is consumed at most once;
//   - a dissolved couple is readable to nobody, and is either re-activated
//     by its own two members or erased after its erase time.
// Times are microseconds since the Unix epoch, from the injected clock.
#ifndef TEND_SERVICES_PAIRING_PAIRING_STORE_H_
#define TEND_SERVICES_PAIRING_PAIRING_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/redis/redis_client.h"
#include "nlohmann/json.hpp"
#include "tend/pairing/v1/pairing.pb.h"

namespace tend::pairing {

// The prefix of every pairing key.
inline constexpr char kKeyPrefix[] = "tend:pairing:";

// CoupleRecord
//
// A couple as stored.
struct CoupleRecord {
  std::string id;
  std::string inviter;
  std::string invitee;
  absl::Time create_time;
  // Empty: the couple follows the inviter's zone.
  std::string home_time_zone;
};

// UnpairResult
//
// Whom an unpair separated.
struct UnpairResult {
  std::string couple_id;
  std::string partner;
};

// AcceptLimits
//
// Brute-force protection for AcceptInvite.
struct AcceptLimits {
  int max_failures = 10;
  absl::Duration window = absl::Hours(1);
};

// PairingStore
//
// Thread-safe; owns no state but the Redis client it is given.
class PairingStore {
 public:
  explicit PairingStore(engine::RedisClient* redis) : redis_(redis) {}

  // LoadProfile()
  //
  // The user's profile, or the default profile when none was saved.
  absl::StatusOr<v1::PartnerProfile> LoadProfile(const std::string& user);

  // SaveProfile()
  //
  // Stores an already validated profile. When `moves_reminders`, the
  // scheduler is told to re-plan the user's couple (one waiting event per
  // couple, however many changes).
  absl::Status SaveProfile(const std::string& user,
                           const v1::PartnerProfile& profile,
                           bool moves_reminders);

  // SaveInvite()
  //
  // Stores `code` as `inviter`'s one live invite, retiring any earlier one.
  // FAILED_PRECONDITION when the inviter is in a couple; ABORTED when the
  // code is taken (the caller draws another).
  absl::Status SaveInvite(const std::string& inviter, const std::string& code,
                          absl::Time expire_time, absl::Time now);

  // AcceptInvite()
  //
  // Consumes `code` and forms the couple, atomically. Two former partners
  // within the undo window get their old couple back; otherwise the couple
  // gets `new_couple_id`. Errors: RESOURCE_EXHAUSTED (too many failures),
  // NOT_FOUND (unknown, used or expired; counts as a failure),
  // INVALID_ARGUMENT (own code), FAILED_PRECONDITION (already paired).
  absl::StatusOr<CoupleRecord> AcceptInvite(const std::string& acceptor,
                                            const std::string& code,
                                            const std::string& new_couple_id,
                                            absl::Time now,
                                            const AcceptLimits& limits);

  // CoupleOf()
  //
  // The active couple `user` is in, or nullopt.
  absl::StatusOr<std::optional<CoupleRecord>> CoupleOf(const std::string& user);

  // SetHomeTimeZone()
  //
  // Sets the zone of the couple `user` is in, and has the scheduler re-plan
  // it. NOT_FOUND when unpaired.
  absl::Status SetHomeTimeZone(const std::string& user,
                               const std::string& zone);

  // Unpair()
  //
  // Unlinks `user` and their partner at once. The couple turns dissolved
  // until `erase_time`, or is erased now when `erase_now`.
  absl::StatusOr<UnpairResult> Unpair(const std::string& user,
                                      absl::Time erase_time, bool erase_now);

  // PurgeDissolved()
  //
  // Erases every dissolved couple whose erase time is at or before `now`.
  // Returns how many were erased.
  absl::StatusOr<int> PurgeDissolved(absl::Time now);

  // DeleteUser()
  //
  // Erases every key of `user`, dissolving and erasing their couple and
  // any former couple at once, and queues the events that have the other
  // services erase them too. Returns how many keys were removed.
  absl::StatusOr<int> DeleteUser(const std::string& user);

  // Export()
  //
  // Everything stored about `user`, as JSON.
  absl::StatusOr<nlohmann::json> Export(const std::string& user);

 private:
  absl::StatusOr<CoupleRecord> LoadCouple(const std::string& couple_id);

  engine::RedisClient* const redis_;
};

}  // namespace tend::pairing

#endif  // TEND_SERVICES_PAIRING_PAIRING_STORE_H_
