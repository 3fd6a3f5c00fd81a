// Small helpers the scheduler's .cc files share. Not part of its API.
#ifndef TEND_SERVICES_SCHEDULER_SCHEDULER_INTERNAL_H_
#define TEND_SERVICES_SCHEDULER_SCHEDULER_INTERNAL_H_

#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/plan/planner.h"
#include "services/common/auth.h"

namespace tend::scheduler::internal {

// INVALID_ARGUMENT "field: rule".
absl::Status Invalid(absl::string_view field, absl::string_view rule);

// PERMISSION_DENIED unless the caller is a person / a service.
absl::Status RequireUser(const services::Caller& caller);
absl::Status RequireService(const services::Caller& caller);

// "a/b/c" → "c".
std::string LastSegment(absl::string_view name);

// Parses "couples/{couple}" into the couple's id; INVALID_ARGUMENT naming
// `field` otherwise.
absl::StatusOr<std::string> ParseCoupleName(absl::string_view field,
                                            absl::string_view name);

// Parses "couples/{couple}/{collection}/{id}" into {couple, id};
// INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::pair<std::string, std::string>> ParseChildName(
    absl::string_view field, absl::string_view name,
    absl::string_view collection);

// QuietEdge
//
// Where a stretch of someone's quiet hours ends, in the zone they are in.
struct QuietEdge {
  absl::Time end;
  absl::TimeZone zone;
};

// QuietHoursAt()
//
// When `t` falls inside `user_id`'s quiet hours, where that stretch ends;
// nullopt otherwise, and for someone without quiet hours or not in
// `couple`.
std::optional<QuietEdge> QuietHoursAt(const engine::Couple& couple,
                                      absl::string_view user_id, absl::Time t);

// The key of one occurrence's outcome: "ritual|participant|start".
inline std::string OutcomeKey(absl::string_view ritual_id,
                              absl::string_view participant, absl::Time start) {
  return absl::StrCat(ritual_id, "|", participant, "|",
                      absl::ToUnixSeconds(start));
}

}  // namespace tend::scheduler::internal

#endif  // TEND_SERVICES_SCHEDULER_SCHEDULER_INTERNAL_H_
