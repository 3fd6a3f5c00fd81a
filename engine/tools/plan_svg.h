// A couple's plan as a picture: an SVG document written by hand, for
// `tend-plan preview --svg`.
//
// One row per calendar date and, in it, one lane per partner laid out in
// that partner's own local hours, 00:00 to 24:00, so each of them finds
// their day where they expect it:
//
//   Sun 1 Mar   Alex      |░░░░░░░|      waking      ▇▇ check-in   |░░|
//               New York
//               Sam       |░░░░░░░|      waking            |░░░░░░░░░|
//               London
//
// Waking hours are shaded warm, quiet hours hatched, time outside the
// preview faded. Occurrences are blocks as long as the ritual (shared and
// personal in two colours; outside someone's waking hours outlined in red,
// with the nearest time that suits both drawn as a dashed ghost; skipped
// or paused hollow). Reminders are dots in a strip at the top of the
// recipient's lane: a moved one trails a dotted line from where it was
// planned, a merged one is ringed, a dropped one hollow and crossed. A
// legend, the zone names and a list of what needs the couple's decision
// (conflicts, notices) frame it. Every mark carries a <title> with the
// details, shown as a tooltip in a browser.
//
//   PreviewRange range = MakePreviewRange(from, 14, couple.home_zone);
//   std::string svg = DrawPlanSvg(couple, plan, range);
#ifndef TEND_ENGINE_TOOLS_PLAN_SVG_H_
#define TEND_ENGINE_TOOLS_PLAN_SVG_H_

#include <string>

#include "absl/strings/string_view.h"
#include "engine/plan/planner.h"
#include "engine/tools/plan_text.h"

namespace tend::engine {

// DrawPlanSvg()
//
// The plan for `range` as a standalone SVG 1.1 document (UTF-8). Rows cover
// every home-zone day of the range and any other date a partner's clock
// reads during it.
std::string DrawPlanSvg(const Couple& couple, const Plan& plan,
                        const PreviewRange& range);

// XmlEscape()
//
// `text` with &, <, >, " and ' replaced by entities, safe both as element
// text and inside a quoted attribute.
std::string XmlEscape(absl::string_view text);

}  // namespace tend::engine

#endif  // TEND_ENGINE_TOOLS_PLAN_SVG_H_
