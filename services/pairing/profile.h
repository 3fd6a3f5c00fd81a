// Partner profiles: defaults, validation and field-mask updates.
//
// Validation never stores anything; it only answers whether a profile obeys
// the rules, naming the first field that does not:
//   - time_zone is an IANA name in the tz database (never a fixed offset);
//   - quiet and waking hours are windows of valid, distinct times;
//   - the love-language ranking is empty or all five, once each;
//   - display_name is at most 64 characters of valid UTF-8, no controls;
//   - daily_notification_budget is 1 to 20.
#ifndef TEND_SERVICES_PAIRING_PROFILE_H_
#define TEND_SERVICES_PAIRING_PROFILE_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/field_mask.pb.h"
#include "tend/pairing/v1/pairing.pb.h"
#include "tend/type/v1/time.pb.h"

namespace tend::pairing {

using ::tend::pairing::v1::PartnerProfile;

// DefaultProfile()
//
// What a person who never saved a profile has: UTC, quiet 22:00-07:00,
// awake 07:00-22:00, three reminders a day, no name, no ranking.
PartnerProfile DefaultProfile();

// ValidateTimeZone()
//
// OK when `zone` names a zone in the tz database. Errors name `field`.
absl::Status ValidateTimeZone(absl::string_view field, absl::string_view zone);

// ValidateTimeOfDay()
//
// OK for 00:00 to 23:59. Errors name `field`.
absl::Status ValidateTimeOfDay(absl::string_view field,
                               const tend::type::v1::TimeOfDay& time);

// ValidateTimeWindow()
//
// OK when both ends are valid times and differ. Errors name `field`.
absl::Status ValidateTimeWindow(absl::string_view field,
                                const tend::type::v1::TimeWindow& window);

// ValidateProfile()
//
// OK when every field of `profile` obeys the rules above. Errors name the
// field as "profile.<field>".
absl::Status ValidateProfile(const PartnerProfile& profile);

// ApplyProfileUpdate()
//
// Returns `current` with the fields named in `mask` taken from `update`
// (every field when `mask` is empty), validated. Unknown paths are
// INVALID_ARGUMENT naming `update_mask`.
absl::StatusOr<PartnerProfile> ApplyProfileUpdate(
    const PartnerProfile& current, const PartnerProfile& update,
    const google::protobuf::FieldMask& mask);

}  // namespace tend::pairing

#endif  // TEND_SERVICES_PAIRING_PROFILE_H_
