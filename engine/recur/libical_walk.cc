#include "engine/recur/libical_walk.h"

#include <libical/ical.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/recur/rrule.h"

namespace tend::engine {
namespace {

icaltimetype ToIcal(absl::CivilSecond local) {
  icaltimetype t = icaltime_null_time();
  t.year = static_cast<int>(local.year());
  t.month = local.month();
  t.day = local.day();
  t.hour = local.hour();
  t.minute = local.minute();
  t.second = local.second();
  t.is_date = 0;
  return t;  // floating: no zone
}

absl::CivilSecond FromIcal(const icaltimetype& t) {
  return absl::CivilSecond(t.year, t.month, t.day, t.hour, t.minute, t.second);
}

struct IteratorDeleter {
  void operator()(icalrecur_iterator* it) const { icalrecur_iterator_free(it); }
};
using IteratorPtr = std::unique_ptr<icalrecur_iterator, IteratorDeleter>;

// Walks the occurrences after DTSTART in order, numbering them from 1 and
// stopping at COUNT, UNTIL or after `last_year`. `visit` returns false to
// stop.
template <typename Visit>
void Walk(const Recurrence& recurrence, const icalrecurrencetype& rule,
          int last_year, Visit visit) {
  IteratorPtr it(icalrecur_iterator_new(rule, ToIcal(recurrence.dtstart())));
  if (it == nullptr) return;
  const Rrule& parsed = recurrence.rule();
  int64_t index = 0;
  while (true) {
    const icaltimetype next = icalrecur_iterator_next(it.get());
    if (icaltime_is_null_time(next)) return;
    const absl::CivilSecond local = FromIcal(next);
    if (local <= recurrence.dtstart()) continue;  // DTSTART is index 0
    ++index;
    if (local.year() > last_year) return;
    if (parsed.count > 0 && index >= parsed.count) return;
    if (parsed.until.kind == Until::Kind::kLocal &&
        local > parsed.until.local) {
      return;
    }
    if (parsed.until.kind == Until::Kind::kDate &&
        absl::CivilDay(local) > absl::CivilDay(parsed.until.local)) {
      return;
    }
    const absl::Time instant = LocalToInstant(local, recurrence.zone());
    if (parsed.until.kind == Until::Kind::kUtc && instant > parsed.until.utc) {
      return;
    }
    if (!visit(Occurrence{index, local, instant})) return;
  }
}

}  // namespace

LibicalWalk::LibicalWalk(const Recurrence& recurrence, int last_year)
    : recurrence_(recurrence), last_year_(last_year) {}

absl::StatusOr<LibicalWalk> LibicalWalk::Create(const Recurrence& recurrence,
                                                int last_year) {
  Rrule open = recurrence.rule();
  open.count = 0;
  open.until = Until();
  const std::string text = FormatRrule(open);
  auto rule = std::make_shared<icalrecurrencetype>(
      icalrecurrencetype_from_string(text.c_str()));
  if (rule->freq == ICAL_NO_RECURRENCE) {
    return absl::FailedPreconditionError(
        absl::StrCat("libical cannot parse ", text));
  }
  IteratorPtr it(icalrecur_iterator_new(*rule, ToIcal(recurrence.dtstart())));
  if (it == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("libical refuses to iterate ", text, ": ",
                     icalerror_strerror(icalerrno)));
  }
  LibicalWalk walk(recurrence, last_year);
  walk.rule_ = std::move(rule);
  return walk;
}

std::optional<Occurrence> LibicalWalk::NextAfter(absl::Time t) const {
  std::vector<Occurrence> next = Expand(t, 1);
  if (next.empty()) return std::nullopt;
  return next.front();
}

std::vector<Occurrence> LibicalWalk::Expand(absl::Time after, int max) const {
  std::vector<Occurrence> out;
  if (max <= 0) return out;
  const Occurrence first{
      0, recurrence_.dtstart(),
      LocalToInstant(recurrence_.dtstart(), recurrence_.zone())};
  absl::Time t = after;
  if (first.instant > t) {
    out.push_back(first);
    t = first.instant;
  }
  if (static_cast<int>(out.size()) == max) return out;
  Walk(recurrence_, *rule_, last_year_, [&](const Occurrence& occurrence) {
    if (occurrence.instant > t) {
      out.push_back(occurrence);
      t = occurrence.instant;
    }
    return static_cast<int>(out.size()) < max;
  });
  return out;
}

}  // namespace tend::engine
