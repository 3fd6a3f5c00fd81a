// Fuzzes ritual validation and planning (engine/plan) through the plan-file
// reader (engine/tools/plan_file.h), which fills every field of a couple and
// its rituals from JSON and checks each as it reads.
//
// Input: a plan file, as in engine/tools/examples and
// tests/fuzz/corpus/ritual_fuzz. Its rituals are validated one by one, then
// planned over three weeks with PlanRituals() and NextReminders().
//
// Checks, beyond no crash and no sanitizer report: every refusal is
// INVALID_ARGUMENT; a plan lists occurrences inside the range, sorted by
// start, and reminders sorted by due time; planning the same input twice
// gives the same plan.
#include <cstdint>

#include "engine/plan/planner.h"
#include "engine/plan/ritual.h"
#include "engine/tools/plan_file.h"
#include "tests/fuzz/fuzz_support.h"

namespace tend::fuzz {
namespace {

// 2026-03-01T12:00:00Z, like the examples' dates.
const absl::Time kToday = absl::FromUnixSeconds(1772366400);
constexpr absl::Duration kRange = absl::Hours(21 * 24);

void CheckRefusal(const absl::Status& status) {
  TEND_FUZZ_CHECK(status.ok() || absl::IsInvalidArgument(status),
                  status.ToString());
}

void CheckPlan(const engine::Plan& plan, absl::Time from, absl::Time to) {
  for (size_t i = 0; i < plan.occurrences.size(); ++i) {
    const engine::PlannedOccurrence& o = plan.occurrences[i];
    TEND_FUZZ_CHECK(o.start >= from && o.start < to, o.ritual_id, " #", o.index,
                    " at ", absl::FormatTime(o.start));
    TEND_FUZZ_CHECK(o.end >= o.start, o.ritual_id, " #", o.index);
    TEND_FUZZ_CHECK(i == 0 || plan.occurrences[i - 1].start <= o.start,
                    o.ritual_id, " #", o.index, " out of order");
  }
  for (size_t i = 1; i < plan.reminders.size(); ++i) {
    TEND_FUZZ_CHECK(plan.reminders[i - 1].due <= plan.reminders[i].due,
                    plan.reminders[i].id, " out of order");
  }
}

bool SamePlan(const engine::Plan& a, const engine::Plan& b) {
  if (a.occurrences.size() != b.occurrences.size() ||
      a.reminders.size() != b.reminders.size() ||
      a.conflicts.size() != b.conflicts.size()) {
    return false;
  }
  for (size_t i = 0; i < a.reminders.size(); ++i) {
    if (a.reminders[i].id != b.reminders[i].id ||
        a.reminders[i].due != b.reminders[i].due ||
        a.reminders[i].state != b.reminders[i].state) {
      return false;
    }
  }
  return true;
}

void Run(absl::string_view input) {
  absl::StatusOr<engine::PlanFile> file = engine::ParsePlanFile(input, kToday);
  if (!file.ok()) {
    CheckRefusal(file.status());
    return;
  }
  for (const engine::Ritual& ritual : file->rituals) {
    CheckRefusal(engine::ValidateRitual(ritual));
  }
  absl::StatusOr<engine::Plan> plan =
      engine::PlanRituals(file->couple, file->rituals, kToday, kToday + kRange);
  if (!plan.ok()) {
    CheckRefusal(plan.status());
    return;
  }
  CheckPlan(*plan, kToday, kToday + kRange);
  absl::StatusOr<engine::Plan> again =
      engine::PlanRituals(file->couple, file->rituals, kToday, kToday + kRange);
  TEND_FUZZ_CHECK(again.ok() && SamePlan(*plan, *again),
                  "planning twice differs");

  engine::NextRequest next;
  next.after = kToday;
  absl::StatusOr<engine::Plan> upcoming =
      engine::NextReminders(file->couple, file->rituals, next);
  TEND_FUZZ_CHECK(upcoming.ok(), "PlanRituals accepted what NextReminders ",
                  "refuses: ", upcoming.status().ToString());
  for (size_t i = 1; i < upcoming->reminders.size(); ++i) {
    TEND_FUZZ_CHECK(
        upcoming->reminders[i - 1].due <= upcoming->reminders[i].due,
        upcoming->reminders[i].id, " out of order");
  }
}

}  // namespace
}  // namespace tend::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tend::fuzz::Run(tend::fuzz::AsText(data, size));
  return 0;
}
