// Ritual templates: a good starting point for each practice that lives as a
// ritual, with a default cadence, time, duration and reminder lead times.
//
// Templates are built into the engine. The scheduler serves them from
// ListRitualTemplates, seeds the ones marked `seeded_by_default` as
// proposals when a couple forms, and fills every field a new ritual leaves
// unset from its template.
//
//   const RitualTemplate* t = FindRitualTemplate("weekly-check-in");
//   Ritual r = RitualFromTemplate(*t, "check-in-1", absl::CivilDay(2026, 3, 1),
//                                 {});
//   // r.rrule == "FREQ=WEEKLY;BYDAY=SU", r.dtstart is 2026-03-01 19:00.
#ifndef TEND_ENGINE_PLAN_RITUAL_TEMPLATES_H_
#define TEND_ENGINE_PLAN_RITUAL_TEMPLATES_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "engine/cadence/practice.h"
#include "engine/plan/ritual.h"

namespace tend::engine {

// RitualTemplate
//
// Defaults for one kind of ritual. The wording is Tend's own.
struct RitualTemplate {
  // Stable id, e.g. "weekly-check-in"; the resource name is
  // "ritualTemplates/{id}", and the prompt catalog tags items with it.
  std::string id;
  // Default title.
  std::string title;
  // What it is for and how to keep it, for the template picker.
  std::string description;
  Practice practice = Practice::kUnspecified;
  RitualKind kind = RitualKind::kShared;
  // Default RRULE, e.g. "FREQ=WEEKLY;BYDAY=SU".
  std::string rrule;
  // Default local time of day; ignored for a participant whose day the
  // `anchor` follows.
  TimeOfDay time;
  TimeAnchor anchor = TimeAnchor::kNone;
  absl::Duration anchor_offset = absl::ZeroDuration();
  absl::Duration duration = absl::ZeroDuration();
  std::vector<absl::Duration> lead_times;
  // Whether pairing proposes it when a couple forms.
  bool seeded_by_default = false;
};

// RitualTemplates()
//
// Every built-in template, in the order the app lists them. The span lives
// for the life of the process.
absl::Span<const RitualTemplate> RitualTemplates();

// FindRitualTemplate()
//
// The template with `id`, or nullptr.
const RitualTemplate* FindRitualTemplate(absl::string_view id);

// RitualFromTemplate()
//
// A ritual with the template's values, first due on `first_day` at the
// template's time. `participant_ids` is for personal rituals (one or both
// partners); shared rituals ignore it.
Ritual RitualFromTemplate(const RitualTemplate& t, std::string ritual_id,
                          absl::CivilDay first_day,
                          std::vector<std::string> participant_ids);

}  // namespace tend::engine

#endif  // TEND_ENGINE_PLAN_RITUAL_TEMPLATES_H_
