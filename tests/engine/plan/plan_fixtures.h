// Small builders shared by the planner's tests: zones by name, partners and
// couples with readable defaults, and lookups into a Plan.
//
//   Couple c = MakeCouple("America/New_York", {"alex", "America/New_York"},
//                         {"sam", "Europe/London"});
//   const PlannedReminder* r = FindReminder(plan, "check-in", "sam",
//                                           absl::Hours(2));
#ifndef TEND_TESTS_ENGINE_PLAN_PLAN_FIXTURES_H_
#define TEND_TESTS_ENGINE_PLAN_PLAN_FIXTURES_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/plan/planner.h"
#include "gtest/gtest.h"

namespace tend::engine::testing {

// Zone()
//
// Loads an IANA zone; fails the test when tzdata lacks it.
inline absl::TimeZone Zone(absl::string_view name) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone(std::string(name), &zone)) << name;
  return zone;
}

// PartnerSpec
//
// The two things most tests vary about a partner.
struct PartnerSpec {
  std::string id;
  std::string zone;
};

// MakePartner()
//
// A partner awake 07:00-22:00, quiet 22:00-07:00, budget 6, no leave time.
inline Partner MakePartner(const PartnerSpec& spec) {
  Partner p;
  p.id = spec.id;
  p.display_name = spec.id;
  p.zone = Zone(spec.zone);
  return p;
}

// MakeCouple()
//
// Two partners from MakePartner() and the home zone.
inline Couple MakeCouple(absl::string_view home, const PartnerSpec& a,
                         const PartnerSpec& b) {
  return Couple{Zone(home), {MakePartner(a), MakePartner(b)}};
}

// At()
//
// The instant of a civil time in a zone, for expectations.
inline absl::Time At(absl::CivilSecond local, absl::string_view zone) {
  return absl::FromCivil(local, Zone(zone));
}

// OccurrencesOf(), RemindersOf()
//
// The parts of a plan that belong to one ritual (and recipient).
inline std::vector<PlannedOccurrence> OccurrencesOf(const Plan& plan,
                                                    absl::string_view ritual) {
  std::vector<PlannedOccurrence> out;
  for (const PlannedOccurrence& o : plan.occurrences) {
    if (o.ritual_id == ritual) out.push_back(o);
  }
  return out;
}

inline std::vector<PlannedReminder> RemindersOf(const Plan& plan,
                                                absl::string_view ritual,
                                                absl::string_view recipient) {
  std::vector<PlannedReminder> out;
  for (const PlannedReminder& r : plan.reminders) {
    if (r.ritual_id == ritual && r.recipient_id == recipient) out.push_back(r);
  }
  return out;
}

// HasReason()
//
// Whether an adjustment list holds `reason` with a non-empty explanation.
inline bool HasReason(const std::vector<Adjustment>& adjustments,
                      AdjustmentReason reason) {
  for (const Adjustment& a : adjustments) {
    if (a.reason == reason && !a.explanation.empty()) return true;
  }
  return false;
}

}  // namespace tend::engine::testing

#endif  // TEND_TESTS_ENGINE_PLAN_PLAN_FIXTURES_H_
