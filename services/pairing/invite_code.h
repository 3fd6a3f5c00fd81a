// Invite codes: 50 random bits a person can read aloud.
//
// A code is ten Crockford base32 characters from a CSPRNG, shown in two
// groups of five ("7KQ2M-X9DHT"). Crockford's alphabet leaves out I, L, O
// and U, so when a partner types a code back, NormalizeInviteCode() forgives
// case, spaces, dashes, and I/L for 1 and O for 0.
#ifndef TEND_SERVICES_PAIRING_INVITE_CODE_H_
#define TEND_SERVICES_PAIRING_INVITE_CODE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tend::pairing {

// Characters in a code, without the dash.
inline constexpr int kInviteCodeLength = 10;

// NewInviteCode()
//
// Returns a fresh code in display form, "XXXXX-XXXXX".
absl::StatusOr<std::string> NewInviteCode();

// NormalizeInviteCode()
//
// Returns the ten canonical characters of a typed code. INVALID_ARGUMENT
// naming `code` when it is empty or cannot be a code.
absl::StatusOr<std::string> NormalizeInviteCode(absl::string_view typed);

// DisplayInviteCode()
//
// "ABCDEFGHJK" → "ABCDE-FGHJK".
std::string DisplayInviteCode(absl::string_view canonical);

// NewCoupleId()
//
// 16 lowercase hex characters (64 bits) from a CSPRNG.
absl::StatusOr<std::string> NewCoupleId();

}  // namespace tend::pairing

#endif  // TEND_SERVICES_PAIRING_INVITE_CODE_H_
