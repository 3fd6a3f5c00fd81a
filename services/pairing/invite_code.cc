#include "services/pairing/invite_code.h"

#include <openssl/rand.h>

#include <cstdint>

#include "absl/strings/str_cat.h"

namespace tend::pairing {
namespace {

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

absl::Status RandomBytes(unsigned char* out, int n) {
  if (RAND_bytes(out, n) != 1) {
    return absl::UnavailableError("random: the CSPRNG is not ready");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> NewInviteCode() {
  unsigned char bytes[kInviteCodeLength];
  if (absl::Status s = RandomBytes(bytes, sizeof bytes); !s.ok()) return s;
  std::string canonical;
  // Each character takes 5 bits of one byte; 32 divides 256, so no bias.
  for (unsigned char b : bytes) canonical.push_back(kCrockford[b & 31]);
  return DisplayInviteCode(canonical);
}

absl::StatusOr<std::string> NormalizeInviteCode(absl::string_view typed) {
  std::string canonical;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c == 'I' || c == 'L') c = '1';
    if (c == 'O') c = '0';
    const bool in_alphabet =
        (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z' && c != 'U');
    if (!in_alphabet || canonical.size() == kInviteCodeLength) {
      return absl::InvalidArgumentError(
          "code: must be 10 characters such as 7KQ2M-X9DHT");
    }
    canonical.push_back(c);
  }
  if (canonical.empty()) return absl::InvalidArgumentError("code: required");
  if (canonical.size() != kInviteCodeLength) {
    return absl::InvalidArgumentError(
        "code: must be 10 characters such as 7KQ2M-X9DHT");
  }
  return canonical;
}

std::string DisplayInviteCode(absl::string_view canonical) {
  return absl::StrCat(canonical.substr(0, 5), "-", canonical.substr(5));
}

absl::StatusOr<std::string> NewCoupleId() {
  unsigned char bytes[8];
  if (absl::Status s = RandomBytes(bytes, sizeof bytes); !s.ok()) return s;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id.push_back(kHex[b >> 4]);
    id.push_back(kHex[b & 15]);
  }
  return id;
}

}  // namespace tend::pairing
