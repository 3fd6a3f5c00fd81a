// Conversions between the scheduler's wire types (tend.scheduler.v1,
// tend.pairing.v1) and the engine's plain structs.
//
// The engine knows nothing of protobuf; the scheduler stores and serves
// protos. Every crossing goes through one of these functions, so a field
// is mapped in exactly one place.
#ifndef TEND_SERVICES_SCHEDULER_CONVERT_H_
#define TEND_SERVICES_SCHEDULER_CONVERT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/plan/planner.h"
#include "engine/plan/ritual.h"
#include "engine/plan/ritual_templates.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "tend/pairing/v1/pairing.pb.h"
#include "tend/scheduler/v1/scheduler.pb.h"

namespace tend::scheduler {

// Timestamp and Duration, both ways.
google::protobuf::Timestamp ToProto(absl::Time t);
absl::Time FromProto(const google::protobuf::Timestamp& t);
google::protobuf::Duration ToProto(absl::Duration d);
absl::Duration FromProto(const google::protobuf::Duration& d);

// ToLocal()
//
// A civil time as the API's LocalDateTime, to the minute.
type::v1::LocalDateTime ToLocal(absl::CivilSecond c);

// CoupleId()
//
// "couples/{id}" → "{id}".
std::string CoupleId(const pairing::v1::Couple& couple);

// ToEngineCouple()
//
// The partners' zones, windows and budgets as the planner needs them. The
// profiles were validated by pairing; a zone that no longer loads (an old
// tzdata) is INVALID_ARGUMENT naming it.
absl::StatusOr<engine::Couple> ToEngineCouple(const pairing::v1::Couple& couple);

// ToEngineRitual()
//
// A stored ritual as the planner sees it. `id` is the ritual id (the last
// segment of its name). Fails with INVALID_ARGUMENT naming the field.
absl::StatusOr<engine::Ritual> ToEngineRitual(const v1::Ritual& ritual);

// FromTemplate()
//
// A template as the API shows it.
v1::RitualTemplate FromTemplate(const engine::RitualTemplate& t);

// ToPartnerTime()
//
// How one partner reads an instant.
v1::PartnerTime ToPartnerTime(const engine::PartnerTime& t);

// ToAdjustment()
//
// One engine adjustment, with the closest API reason.
v1::ScheduleAdjustment ToAdjustment(const engine::Adjustment& a);

// ToOccurrence(), ToPlannedReminder(), ToConflict()
//
// Planner output as the API shows it. `couple_name` is "couples/{id}".
v1::Occurrence ToOccurrence(const std::string& couple_name,
                            const engine::PlannedOccurrence& o);
v1::PlannedReminder ToPlannedReminder(const std::string& couple_name,
                                      const engine::PlannedReminder& r);
v1::ScheduleConflict ToConflict(const std::string& couple_name,
                                const engine::Conflict& c);

// RitualName()
//
// "couples/{couple}/rituals/{ritual}".
std::string RitualName(absl::string_view couple_id, absl::string_view ritual_id);

}  // namespace tend::scheduler

#endif  // TEND_SERVICES_SCHEDULER_CONVERT_H_
