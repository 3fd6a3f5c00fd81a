// LibicalWalk: a Recurrence expanded by libical's own iterator, walking
// from DTSTART every time, as a calendar library does.
//
// This is what Recurrence (engine/recur/recurrence.h) must agree with and
// what it is faster than. The tests run random rules through both, and the
// benchmark reports both; production code uses Recurrence.
//
//   absl::StatusOr<Recurrence> r = Recurrence::Parse(rule, dtstart, zone);
//   absl::StatusOr<LibicalWalk> walk = LibicalWalk::Create(*r);
//   EXPECT_EQ(walk->NextAfter(t), r->NextAfter(t));
//
// libical expands the rule in floating local time; LocalToInstant() maps
// each date as Recurrence does. libical departs from RFC 5545 in a few ways
// that this adapter irons out or that callers must know:
//   - libical leaves out a DTSTART that does not match the rule and does not
//     count it; the walk puts it first, as index 0, and applies COUNT and
//     UNTIL itself (libical gets the rule without them).
//   - libical refuses some rules whose first year holds no date (e.g.
//     FREQ=YEARLY;BYMONTH=2 from a DTSTART on the 31st): Create() fails.
//   - libical 3.0.16 gets some rules wrong, and there Recurrence follows the
//     RFC (and agrees with python-dateutil): with FREQ=WEEKLY it ignores
//     BYSETPOS, and with INTERVAL > 1 it often selects the wrong weeks
//     (e.g. FREQ=WEEKLY;INTERVAL=4;BYDAY=SU from Friday 2025-04-04 starts
//     on 04-27, not 04-06); with FREQ=DAILY it finds no date for a negative
//     BYMONTHDAY; and BYSETPOS counts a date twice when two BY values name
//     it (BYMONTHDAY=14,-17 in April).
#ifndef TEND_ENGINE_RECUR_LIBICAL_WALK_H_
#define TEND_ENGINE_RECUR_LIBICAL_WALK_H_

#include <memory>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/recur/recurrence.h"

struct icalrecurrencetype;

namespace tend::engine {

// LibicalWalk
//
// Immutable once created; each call builds its own libical iterator.
class LibicalWalk {
 public:
  // Create()
  //
  // The walk for `recurrence`, which ends after the year `last_year` (so
  // that tests need not wait for libical to give up on a rule with no date;
  // libical itself stops in the 2580s). FAILED_PRECONDITION when libical
  // refuses to iterate the rule.
  static absl::StatusOr<LibicalWalk> Create(const Recurrence& recurrence,
                                            int last_year = 9999);

  // NextAfter()
  //
  // Same contract as Recurrence::NextAfter(), found by walking from DTSTART.
  std::optional<Occurrence> NextAfter(absl::Time t) const;

  // Expand()
  //
  // Same contract as Recurrence::Expand(), in one walk from DTSTART.
  std::vector<Occurrence> Expand(absl::Time after, int max) const;

 private:
  LibicalWalk(const Recurrence& recurrence, int last_year);

  Recurrence recurrence_;
  int last_year_;
  std::shared_ptr<const icalrecurrencetype> rule_;  // without COUNT, UNTIL
};

}  // namespace tend::engine

#endif  // TEND_ENGINE_RECUR_LIBICAL_WALK_H_
