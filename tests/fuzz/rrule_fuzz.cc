// Fuzzes the RRULE parser and the recurrence expansion (engine/recur).
//
// Input, one part per line (tests/fuzz/corpus/rrule_fuzz has examples):
//   FREQ=MONTHLY;BYDAY=-1SU;COUNT=5   the rule, as a ritual stores it
//   20260301T023000                   DTSTART, local (ParseLocalDateTime)
//   America/New_York                  the zone (see PickZone)
//   -86400                            expand from DTSTART + this many seconds
//
// Checks, beyond no crash and no sanitizer report, what rrule.h and
// recurrence.h promise: a normalized rule and a formatted DTSTART read back
// to themselves; Expand() yields occurrences strictly after its start, in
// strictly increasing order of instant and index, within COUNT, each at
// LocalToInstant() of its local time; and NextAfter(), with or without a
// cursor, walks the same occurrences one by one.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/strings/numbers.h"
#include "engine/recur/recurrence.h"
#include "engine/recur/rrule.h"
#include "tests/fuzz/fuzz_support.h"

namespace tend::fuzz {
namespace {

using engine::Occurrence;
using engine::Recurrence;

constexpr int kExpand = 12;

std::string Describe(const std::optional<Occurrence>& o) {
  if (!o.has_value()) return "none";
  return absl::StrCat("#", o->index, " ", engine::FormatLocalDateTime(o->local),
                      " ", absl::FormatTime(o->instant));
}

void CheckRuleText(absl::string_view text) {
  absl::StatusOr<engine::Rrule> rule = engine::ParseRrule(text);
  if (!rule.ok()) {
    TEND_FUZZ_CHECK(absl::IsInvalidArgument(rule.status()),
                    rule.status().ToString());
    return;
  }
  std::string normal = engine::FormatRrule(*rule);
  absl::StatusOr<engine::Rrule> again = engine::ParseRrule(normal);
  TEND_FUZZ_CHECK(again.ok(), "'", normal, "': ", again.status().ToString());
  TEND_FUZZ_CHECK(engine::FormatRrule(*again) == normal, "'", normal,
                  "' reads back as '", engine::FormatRrule(*again), "'");
}

void CheckExpansion(const Recurrence& r, absl::Time after) {
  std::vector<Occurrence> all = r.Expand(after, kExpand);
  TEND_FUZZ_CHECK(static_cast<int>(all.size()) <= kExpand, all.size());
  std::optional<Occurrence> first = r.NextAfter(after);
  TEND_FUZZ_CHECK(all.empty() ? !first.has_value() : first == all[0],
                  "NextAfter ", Describe(first), " but Expand starts at ",
                  all.empty() ? "none" : Describe(all[0]));
  for (size_t i = 0; i < all.size(); ++i) {
    const Occurrence& o = all[i];
    TEND_FUZZ_CHECK(o.instant > after, Describe(o));
    TEND_FUZZ_CHECK(o.index >= 0, Describe(o));
    TEND_FUZZ_CHECK(r.rule().count == 0 || o.index < r.rule().count,
                    Describe(o), " beyond COUNT=", r.rule().count);
    TEND_FUZZ_CHECK(o.instant == engine::LocalToInstant(o.local, r.zone()),
                    Describe(o));
    std::optional<Occurrence> next = i + 1 < all.size()
                                         ? std::optional<Occurrence>(all[i + 1])
                                         : std::nullopt;
    if (next.has_value()) {
      TEND_FUZZ_CHECK(next->instant > o.instant && next->index > o.index,
                      Describe(o), " then ", Describe(next));
    }
    if (i + 1 < all.size() || static_cast<int>(all.size()) < kExpand) {
      std::optional<Occurrence> walked = r.NextAfter(o.instant);
      TEND_FUZZ_CHECK(walked == next, "after ", Describe(o), ": NextAfter ",
                      Describe(walked), ", Expand ", Describe(next));
      std::optional<Occurrence> cursored = r.NextAfter(o.instant, o);
      TEND_FUZZ_CHECK(cursored == next, "after ", Describe(o),
                      " with it as cursor: ", Describe(cursored), ", Expand ",
                      Describe(next));
    }
  }
}

void Run(absl::string_view input) {
  std::vector<absl::string_view> part = SplitLines(input, 4);
  CheckRuleText(part[0]);

  absl::StatusOr<absl::CivilSecond> dtstart =
      engine::ParseLocalDateTime(part[1]);
  if (!dtstart.ok()) return;
  std::string formatted = engine::FormatLocalDateTime(*dtstart);
  absl::StatusOr<absl::CivilSecond> again =
      engine::ParseLocalDateTime(formatted);
  TEND_FUZZ_CHECK(again.ok() && *again == *dtstart, "'", formatted,
                  "' does not read back");

  absl::TimeZone zone = PickZone(part[2]);
  absl::StatusOr<engine::Recurrence> r =
      engine::Recurrence::Parse(part[0], *dtstart, zone);
  if (!r.ok()) return;
  int64_t offset = 0;
  if (!absl::SimpleAtoi(part[3], &offset)) offset = -1;
  // Keep the start within a few centuries of DTSTART: absl::Time saturates
  // at infinity, and nobody plans further.
  offset = std::max<int64_t>(std::min<int64_t>(offset, int64_t{1} << 34),
                             -(int64_t{1} << 34));
  CheckExpansion(
      *r, engine::LocalToInstant(*dtstart, zone) + absl::Seconds(offset));
}

}  // namespace
}  // namespace tend::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tend::fuzz::Run(tend::fuzz::AsText(data, size));
  return 0;
}
