// Helpers shared by the files that implement Prompt (prompt.cc,
// prompt_suggest.cc, prompt_connection.cc). Not for use elsewhere.
#ifndef TEND_SERVICES_PROMPT_PROMPT_INTERNAL_H_
#define TEND_SERVICES_PROMPT_PROMPT_INTERNAL_H_

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "services/common/auth.h"
#include "tend/type/v1/civil_time.pb.h"

namespace tend::prompt::internal {

// INVALID_ARGUMENT "field: rule".
absl::Status Invalid(absl::string_view field, absl::string_view rule);

// Person-to-person methods refuse service tokens, and the reverse.
absl::Status RequireUser(const services::Caller& caller);
absl::Status RequireService(const services::Caller& caller);

google::protobuf::Timestamp ToProto(absl::Time t);
absl::Time FromProto(const google::protobuf::Timestamp& t);
type::v1::Date ToDate(absl::CivilDay day);

// An id that becomes part of a key or a name: 1 to 128 of [A-Za-z0-9._-].
absl::Status ValidateId(absl::string_view field, absl::string_view id);

// "couples/{couple}" → couple.
absl::StatusOr<std::string> ParseCoupleName(absl::string_view field,
                                            absl::string_view name);

// "couples/{couple}/{collection}/{id}" → {couple, id}.
absl::StatusOr<std::pair<std::string, std::string>> ParseChildName(
    absl::string_view field, absl::string_view name,
    absl::string_view collection);

// Page tokens (AIP-158): opaque to clients, an offset inside. A token for
// one kind of list is refused by another.
std::string PageToken(absl::string_view kind, int offset);
absl::StatusOr<int> PageOffset(absl::string_view kind, absl::string_view token);
// `page_size` checked against [1, max]; 0 means `fallback`.
absl::StatusOr<int> PageSize(int page_size, int fallback, int max);

// Shortens `text` to at most `max` characters, ending with "…" when cut.
std::string Clip(absl::string_view text, int max);

}  // namespace tend::prompt::internal

#endif  // TEND_SERVICES_PROMPT_PROMPT_INTERNAL_H_
