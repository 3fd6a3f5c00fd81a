// How the planner works
//
// A "stream" is one source of occurrences: a shared ritual, or a personal
// ritual for one participant. Each stream expands its RRULE in one zone and
// then resolves every occurrence's local time to an instant:
//   - fixed streams (shared, or pinned to a zone) use that zone, with
//     RFC 5545 §3.3.5 for gaps and overlaps;
//   - floating streams (personal) use the zone the participant is in at the
//     time. With travel, occurrence i happens at the first instant the
//     participant's clock reads its local time, in the zone they are in
//     then; a jump forward over it (flying east) makes it happen on arrival,
//     and a jump back over it (flying west) cannot make it happen twice.
// Because travel and anchors can move an occurrence by up to a day or so
// from where the expansion zone puts it, each stream expands a little past
// the range on both sides (its "slack") and filters by the resolved start.
//
// Reminders then pass four rules, in order: past, quiet hours, merge,
// daily budget. Merging comes before the budget so that a merged pair
// costs one push. Everything is sorted with a total order at the end, so
// the plan is deterministic.
#include "engine/plan/planner.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/base/status_macros.h"
#include "engine/recur/recurrence.h"

namespace tend::engine {
namespace {

// The largest difference between two zones' offsets is 26 hours
// (Pacific/Kiritimati +14 against Etc/GMT+12); one more for DST.
constexpr absl::Duration kTravelSlack = absl::Hours(27);
// Proposals for a conflicting shared occurrence lie on a grid of this step
// in the ritual's zone, up to a day either way.
constexpr int kProposalStepMinutes = 15;
constexpr int kMaxBudget = 20;
constexpr int64_t kSecondsPerMinute = 60;
constexpr int64_t kMinutesPerDay = int64_t{24} * 60;
constexpr int64_t kSecondsPerDay = kMinutesPerDay * kSecondsPerMinute;
// A rule with no RRULE is one occurrence.
constexpr absl::string_view kSingleOccurrence = "FREQ=DAILY;COUNT=1";

std::string Hhmm(absl::CivilSecond local) {
  return FormatTimeOfDay(TimeOfDayOf(local));
}

std::string WindowText(const TimeWindow& w) {
  return absl::StrCat(FormatTimeOfDay(w.start), "-", FormatTimeOfDay(w.end));
}

absl::CivilSecond LocalIn(absl::Time t, absl::TimeZone zone) {
  return zone.At(t).cs;
}

PartnerTime TimeFor(const Partner& p, absl::Time t) {
  const absl::TimeZone zone = p.ZoneAt(t);
  const absl::TimeZone::CivilInfo info = zone.At(t);
  return PartnerTime{p.id, zone, info.cs, absl::Seconds(info.offset)};
}

std::array<PartnerTime, 2> TimesFor(const Couple& c, absl::Time t) {
  return {TimeFor(c.partners[0], t), TimeFor(c.partners[1], t)};
}

// ---------------------------------------------------------------------------
// Validation.

absl::Status ValidatePartner(const Partner& p, int i) {
  const std::string field = absl::StrCat("couple.partners[", i, "]");
  if (p.id.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".id: must not be empty"));
  }
  TEND_RETURN_IF_ERROR(
      ValidateTimeWindow(p.waking_hours, absl::StrCat(field, ".waking_hours")));
  if (p.quiet_hours) {
    TEND_RETURN_IF_ERROR(ValidateTimeWindow(
        *p.quiet_hours, absl::StrCat(field, ".quiet_hours")));
  }
  if (p.daily_budget < 1 || p.daily_budget > kMaxBudget) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".daily_budget: must be from 1 to ", kMaxBudget,
                     ", got ", p.daily_budget));
  }
  if (p.leave_for_work) {
    TEND_RETURN_IF_ERROR(ValidateTimeOfDay(
        *p.leave_for_work, absl::StrCat(field, ".leave_for_work")));
  }
  for (size_t k = 1; k < p.travel.size(); ++k) {
    if (p.travel[k].at <= p.travel[k - 1].at) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".travel: zone changes must be in strictly increasing order"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateCouple(const Couple& c) {
  for (int i = 0; i < 2; ++i) {
    TEND_RETURN_IF_ERROR(ValidatePartner(c.partners[i], i));
  }
  if (c.partners[0].id == c.partners[1].id) {
    return absl::InvalidArgumentError(
        "couple.partners: the two partners must have different ids");
  }
  return absl::OkStatus();
}

const Partner* FindPartner(const Couple& c, absl::string_view id) {
  for (const Partner& p : c.partners) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

absl::Status ValidateParticipants(const Couple& c, const Ritual& r) {
  auto invalid = [&](absl::string_view rule) {
    return absl::InvalidArgumentError(
        absl::StrCat("ritual[", r.id, "].participant_ids: ", rule));
  };
  const std::vector<std::string>& ids = r.participant_ids;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (FindPartner(c, ids[i]) == nullptr) {
      return invalid(
          absl::StrCat("\"", ids[i], "\" is not a partner of the couple"));
    }
    for (size_t j = 0; j < i; ++j) {
      if (ids[j] == ids[i]) {
        return invalid(absl::StrCat("\"", ids[i], "\" is listed twice"));
      }
    }
  }
  if (r.kind == RitualKind::kPersonal && ids.empty()) {
    return invalid("a personal ritual needs a participant");
  }
  if (r.kind == RitualKind::kShared && ids.size() == 1) {
    return invalid("a shared ritual involves both partners");
  }
  return absl::OkStatus();
}

absl::Status ValidateRituals(const Couple& c,
                             absl::Span<const Ritual> rituals) {
  absl::flat_hash_set<absl::string_view> ids;
  for (const Ritual& r : rituals) {
    TEND_RETURN_IF_ERROR(ValidateRitual(r));
    if (!ids.insert(r.id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("ritual[", r.id, "].id: used by two rituals"));
    }
    TEND_RETURN_IF_ERROR(ValidateParticipants(c, r));
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Streams: where occurrences come from.

struct Stream {
  const Ritual* ritual = nullptr;
  // The participant of a personal ritual; nullptr for a shared one.
  const Partner* owner = nullptr;
  Recurrence recurrence;
  // Follows the owner's zone, travel included.
  bool floating = false;
  // The zone of a fixed stream.
  absl::TimeZone zone;
  // Minute of the day an anchored stream happens at, before the offset.
  std::optional<int> anchor_minute;
  // How far a resolved start can be from the expansion's instant.
  absl::Duration slack;
};

// One occurrence of a stream, resolved to an instant.
struct Resolved {
  int64_t index = 0;
  absl::CivilSecond local;  // the rule's local time, in `zone`
  absl::TimeZone zone;
  absl::Time start;
  std::vector<Adjustment> adjustments;  // DST and travel notes
};

std::optional<int> AnchorMinute(const Ritual& r, const Partner& p) {
  switch (r.anchor) {
    case TimeAnchor::kNone:
      return std::nullopt;
    case TimeAnchor::kLeaveForWork:
      if (!p.leave_for_work) return std::nullopt;
      return p.leave_for_work->MinuteOfDay();
    case TimeAnchor::kWakingStart:
      return p.waking_hours.start.MinuteOfDay();
    case TimeAnchor::kWakingEnd:
      return p.waking_hours.end.MinuteOfDay();
  }
  return std::nullopt;
}

// What the partners see of a ritual.
const std::string& TitleOf(const Ritual& r) {
  return r.title.empty() ? r.id : r.title;
}

// How far a resolved start can be from where the expansion zone puts it.
absl::Duration StreamSlack(const Ritual& r, const Partner* owner) {
  absl::Duration slack = absl::ZeroDuration();
  if (owner == nullptr) return slack;
  if (!r.zone && !owner->travel.empty()) slack += kTravelSlack;
  if (r.anchor != TimeAnchor::kNone) {
    slack += absl::Hours(24) + absl::AbsDuration(r.anchor_offset);
  }
  return slack;
}

absl::StatusOr<Stream> MakeStream(const Couple& c, const Ritual& r,
                                  const Partner* owner, absl::Time around) {
  absl::TimeZone zone = c.home_zone;
  bool floating = false;
  if (r.zone) {
    zone = *r.zone;
  } else if (owner != nullptr) {
    floating = true;
    zone = owner->ZoneAt(around);
  }
  std::optional<int> anchor_minute;
  if (owner != nullptr) anchor_minute = AnchorMinute(r, *owner);
  absl::StatusOr<Recurrence> recurrence = Recurrence::Parse(
      r.rrule.empty() ? kSingleOccurrence : absl::string_view(r.rrule),
      r.dtstart, zone);
  if (!recurrence.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("ritual[", r.id, "].", recurrence.status().message()));
  }
  return Stream{&r,   owner,         *std::move(recurrence), floating,
                zone, anchor_minute, StreamSlack(r, owner)};
}

// The instant a floating occurrence at `local` happens for `p`: the first
// instant the person's clock, in the zone they are in then, reads `local`
// or later. Within one zone that is RFC 5545's instant; across a zone
// change that jumps over `local` it is the change itself.
//
// Zone k holds from travel[k-1].at (begin) to travel[k].at (end). Walking
// the zones in order, either `local` falls inside the current one (done),
// or it fell before its begin while the previous zone put it after that
// begin (the clock jumped over it: done, at the change), or it lies after
// its end and the walk goes on. The last zone never ends, so the walk
// always answers, and it answers once: the first answer is the earliest.
absl::Time ResolveFloating(absl::CivilSecond local, const Partner& p,
                           absl::TimeZone* zone, bool* jumped) {
  *jumped = false;
  const size_t n = p.travel.size();
  absl::Time previous_instant = absl::InfinitePast();
  for (size_t k = 0; k <= n; ++k) {
    const absl::TimeZone z = k == 0 ? p.zone : p.travel[k - 1].zone;
    const absl::Time begin = k == 0 ? absl::InfinitePast() : p.travel[k - 1].at;
    const absl::Time end = k == n ? absl::InfiniteFuture() : p.travel[k].at;
    const absl::Time t = LocalToInstant(local, z);
    if (t >= begin && t < end) {
      *zone = z;
      return t;
    }
    if (t < begin && previous_instant >= begin) {
      *zone = z;
      *jumped = true;
      return begin;
    }
    previous_instant = t;
  }
  // Unreachable, as above; kept so every path returns an instant.
  *zone = p.ZoneAt(absl::InfiniteFuture());
  return LocalToInstant(local, *zone);
}

Resolved Resolve(const Stream& s, const Occurrence& o) {
  Resolved r;
  r.index = o.index;
  r.local = o.local;
  if (s.anchor_minute) {
    const absl::CivilSecond midnight(absl::CivilDay(o.local));
    r.local = midnight + kSecondsPerMinute * *s.anchor_minute +
              absl::ToInt64Seconds(s.ritual->anchor_offset);
  }
  bool jumped = false;
  if (s.floating) {
    r.start = ResolveFloating(r.local, *s.owner, &r.zone, &jumped);
  } else {
    r.zone = s.zone;
    r.start = s.anchor_minute ? LocalToInstant(r.local, s.zone) : o.instant;
  }
  if (jumped) {
    // Where the rule alone would put it in the new zone: already past.
    r.adjustments.push_back(
        Adjustment{AdjustmentAction::kMoved, AdjustmentReason::kTravel,
                   LocalToInstant(r.local, r.zone),
                   absl::StrCat(s.owner->Name(), "'s clock jumped past ",
                                Hhmm(r.local), " on arriving in ",
                                r.zone.name(), ", so it happens on arrival at ",
                                Hhmm(LocalIn(r.start, r.zone)), ".")});
    return r;
  }
  const absl::TimeZone::TimeInfo info = r.zone.At(r.local);
  if (info.kind == absl::TimeZone::TimeInfo::SKIPPED) {
    r.adjustments.push_back(
        Adjustment{AdjustmentAction::kMoved, AdjustmentReason::kDstGap, r.start,
                   absl::StrCat(Hhmm(r.local), " does not exist on ",
                                absl::FormatCivilTime(absl::CivilDay(r.local)),
                                " in ", r.zone.name(),
                                " (the clocks go forward), so it happens at ",
                                Hhmm(LocalIn(r.start, r.zone)), ".")});
  } else if (info.kind == absl::TimeZone::TimeInfo::REPEATED) {
    r.adjustments.push_back(Adjustment{
        AdjustmentAction::kNoted, AdjustmentReason::kDstOverlap, r.start,
        absl::StrCat(Hhmm(r.local), " happens twice on ",
                     absl::FormatCivilTime(absl::CivilDay(r.local)), " in ",
                     r.zone.name(),
                     " (the clocks go back); the first one is "
                     "used.")});
  }
  return r;
}

// Visits the occurrences of `s` whose expansion instant is at or after
// `begin`, in order, until `visit` returns false or the rule ends.
void ForEachOccurrence(const Stream& s, absl::Time begin,
                       absl::FunctionRef<bool(const Occurrence&)> visit) {
  std::optional<Occurrence> o =
      s.recurrence.NextAfter(begin - absl::Seconds(1));
  while (o) {
    if (!visit(*o)) return;
    o = s.recurrence.NextAfter(o->instant, o);
  }
}

// ---------------------------------------------------------------------------
// Planning state shared by PlanRituals() and NextReminders().

class Planner {
 public:
  explicit Planner(const Couple& couple) : couple_(couple) {}

  // Adds the streams of every ritual, or returns why one cannot be planned.
  absl::Status AddStreams(absl::Span<const Ritual> rituals, absl::Time around);

  const std::vector<Stream>& streams() const { return streams_; }

  // Adds the occurrence to the plan, with its state, notes, conflict and
  // raw reminders.
  void AddOccurrence(const Stream& s, Resolved r);

  // Applies the reminder rules to everything added, then sorts the plan.
  Plan Finish(absl::Time cutoff, absl::Span<const SentReminder> sent);

 private:
  // A reminder on its way through the rules, with what the rules need.
  struct Draft {
    PlannedReminder reminder;
    int recipient = 0;            // index into couple_.partners
    bool last = false;            // the smallest lead time of its occurrence
    std::vector<size_t> carried;  // drafts merged into this one
  };

  int IndexOf(const Partner& p) const {
    return &p == &couple_.partners[0] ? 0 : 1;
  }
  bool Fits(absl::Time start, absl::Duration duration,
            std::vector<std::string>* outside) const;
  std::optional<absl::Time> NearestFit(absl::TimeZone zone, absl::Time start,
                                       absl::Duration duration,
                                       int direction) const;
  void AddConflict(const Stream& s, const PlannedOccurrence& o,
                   const std::vector<std::string>& outside);
  void AddReminders(const Stream& s, const PlannedOccurrence& o);
  void DropPast(absl::Time cutoff);
  void ApplyQuietHours();
  void Merge(absl::Span<const SentReminder> sent);
  void ApplyBudget(absl::Span<const SentReminder> sent);

  const Couple& couple_;
  std::vector<Stream> streams_;
  Plan plan_;  // reminders stay in drafts_ until Finish()
  std::vector<Draft> drafts_;
};

absl::Status Planner::AddStreams(absl::Span<const Ritual> rituals,
                                 absl::Time around) {
  for (const Ritual& r : rituals) {
    if (r.kind == RitualKind::kShared) {
      TEND_ASSIGN_OR_RETURN(Stream s, MakeStream(couple_, r, nullptr, around));
      streams_.push_back(std::move(s));
      continue;
    }
    const size_t first = streams_.size();
    for (const std::string& id : r.participant_ids) {
      const Partner* owner = FindPartner(couple_, id);
      if (r.anchor != TimeAnchor::kNone && !AnchorMinute(r, *owner)) {
        plan_.notices.push_back(Notice{
            r.id, id,
            absl::StrCat(TitleOf(r), " follows the time ", owner->Name(),
                         " leaves for work, and they have none set, so it "
                         "has no occurrences for them.")});
        continue;
      }
      // Both participants in one zone share one parse of the rule.
      if (streams_.size() > first) {
        Stream s = streams_[first];
        if (s.zone == (r.zone ? *r.zone : owner->ZoneAt(around))) {
          s.owner = owner;
          s.anchor_minute = AnchorMinute(r, *owner);
          s.slack = StreamSlack(r, owner);
          streams_.push_back(std::move(s));
          continue;
        }
      }
      TEND_ASSIGN_OR_RETURN(Stream s, MakeStream(couple_, r, owner, around));
      streams_.push_back(std::move(s));
    }
  }
  return absl::OkStatus();
}

// The whole minutes an occurrence of `duration` covers.
int64_t WholeMinutes(absl::Duration duration) {
  return (absl::ToInt64Seconds(duration) + 59) / 60;
}

// Whether an occurrence starting at local time `t` and lasting `minutes`
// lies inside the window.
bool FitsWindow(const TimeWindow& w, TimeOfDay t, int64_t minutes) {
  const int left = w.MinutesLeft(t);
  return left > 0 && left >= minutes;
}

bool Planner::Fits(absl::Time start, absl::Duration duration,
                   std::vector<std::string>* outside) const {
  const int64_t minutes = WholeMinutes(duration);
  bool fits = true;
  for (const Partner& p : couple_.partners) {
    const TimeOfDay local = TimeOfDayOf(LocalIn(start, p.ZoneAt(start)));
    if (!FitsWindow(p.waking_hours, local, minutes)) {
      fits = false;
      if (outside == nullptr) return false;
      outside->push_back(p.id);
    }
  }
  return fits;
}

// The first time on the grid (kProposalStepMinutes in `zone`) strictly
// after (direction +1) or before (-1) `start`, and within a day of it, at
// which a ritual of `duration` fits both partners' waking hours.
//
// It walks by jumps rather than step by step: when a candidate does not fit
// a partner, no time before that partner's waking hours next begin (or, going
// back, after the last start that still ends inside them) can fit either, so
// the walk jumps there and snaps to the grid. Every answer is checked with
// Fits(), and near a zone change it falls back to single steps.
std::optional<absl::Time> Planner::NearestFit(absl::TimeZone zone,
                                              absl::Time start,
                                              absl::Duration duration,
                                              int direction) const {
  const int64_t minutes = WholeMinutes(duration);
  for (const Partner& p : couple_.partners) {
    const TimeWindow& w = p.waking_hours;
    if (!FitsWindow(w, w.start, minutes)) {
      return std::nullopt;  // waking hours shorter than the ritual
    }
  }
  const absl::Duration step = absl::Minutes(kProposalStepMinutes);
  // The grid time at or after (+1) / at or before (-1) `t`.
  auto snap = [&](absl::Time t, int dir) {
    const absl::CivilSecond local = zone.At(t).cs;
    absl::CivilMinute m(local);
    m -= m.minute() % kProposalStepMinutes;
    if (dir > 0 && absl::CivilSecond(m) < local) m += kProposalStepMinutes;
    return LocalToInstant(absl::CivilSecond(m), zone);
  };
  const absl::Time limit = start + direction * absl::Hours(24);
  absl::Time t = snap(start + direction * absl::Seconds(1), direction);
  while (direction > 0 ? t <= limit : t >= limit) {
    std::optional<absl::Time> jump;
    for (const Partner& p : couple_.partners) {
      const absl::TimeZone pz = p.ZoneAt(t);
      const absl::CivilSecond local = pz.At(t).cs;
      if (FitsWindow(p.waking_hours, TimeOfDayOf(local), minutes)) continue;
      // The next start of this partner's fitting stretch, or the last
      // fitting start before now.
      const absl::CivilSecond midnight{absl::CivilDay(local)};
      absl::CivilSecond edge;
      if (direction > 0) {
        edge =
            midnight + kSecondsPerMinute * p.waking_hours.start.MinuteOfDay();
        if (edge <= local) edge += kSecondsPerDay;
      } else {
        const int64_t last_start =
            p.waking_hours.end.MinuteOfDay() - std::max<int64_t>(minutes, 1);
        edge = midnight + kSecondsPerMinute *
                              ((last_start + kMinutesPerDay) % kMinutesPerDay);
        if (edge >= local) edge -= kSecondsPerDay;
      }
      absl::Time target = LocalToInstant(edge, pz);
      if (!(p.ZoneAt(target) == pz)) target = t + direction * step;
      if (!jump || (direction > 0 ? target > *jump : target < *jump)) {
        jump = target;
      }
    }
    if (!jump) return t;  // fits both
    absl::Time next = snap(*jump, direction);
    if (direction > 0 ? next <= t : next >= t) next = t + direction * step;
    t = next;
  }
  return std::nullopt;
}

void Planner::AddConflict(const Stream& s, const PlannedOccurrence& o,
                          const std::vector<std::string>& outside) {
  Conflict c;
  c.ritual_id = o.ritual_id;
  c.index = o.index;
  c.start = o.start;
  c.partner_ids = outside;

  // The nearest grid times either side that fit both partners.
  const std::optional<absl::Time> earlier =
      NearestFit(s.zone, o.start, s.ritual->duration, -1);
  const std::optional<absl::Time> later =
      NearestFit(s.zone, o.start, s.ritual->duration, +1);
  for (const std::optional<absl::Time>& t : {earlier, later}) {
    if (t) c.proposals.push_back(Proposal{*t, TimesFor(couple_, *t)});
  }
  std::stable_sort(c.proposals.begin(), c.proposals.end(),
                   [&](const Proposal& a, const Proposal& b) {
                     return absl::AbsDuration(a.start - o.start) <
                            absl::AbsDuration(b.start - o.start);
                   });

  std::string who;
  for (const std::string& id : outside) {
    const Partner* p = FindPartner(couple_, id);
    const PartnerTime t = TimeFor(*p, o.start);
    absl::StrAppend(&who, who.empty() ? "" : "; ", Hhmm(t.local), " for ",
                    p->Name(), " in ", t.zone.name(),
                    ", outside their waking hours (",
                    WindowText(p->waking_hours), ")");
  }
  c.explanation = absl::StrCat(
      o.title, " on ", absl::FormatCivilTime(absl::CivilDay(o.local)), " at ",
      Hhmm(o.local), " ", s.zone.name(), " is ", who, ".");
  if (c.proposals.empty()) {
    absl::StrAppend(&c.explanation,
                    " Your waking hours do not overlap long enough for it.");
  } else {
    absl::StrAppend(&c.explanation, " Times that suit you both:");
    for (size_t i = 0; i < c.proposals.size(); ++i) {
      const absl::CivilSecond local = LocalIn(c.proposals[i].start, s.zone);
      absl::StrAppend(&c.explanation, i == 0 ? " " : " or ", Hhmm(local));
      if (absl::CivilDay(local) != absl::CivilDay(o.local)) {
        absl::StrAppend(&c.explanation, " on ",
                        absl::FormatCivilTime(absl::CivilDay(local)));
      }
    }
    absl::StrAppend(&c.explanation, " (", s.zone.name(), ").");
  }
  plan_.conflicts.push_back(std::move(c));
}

void Planner::AddOccurrence(const Stream& s, Resolved r) {
  const Ritual& ritual = *s.ritual;
  PlannedOccurrence o;
  o.ritual_id = ritual.id;
  o.title = TitleOf(ritual);
  o.kind = ritual.kind;
  o.practice = ritual.practice;
  o.index = r.index;
  if (s.owner != nullptr) {
    o.participant_ids = {s.owner->id};
  } else {
    o.participant_ids = {couple_.partners[0].id, couple_.partners[1].id};
  }
  o.local = r.local;
  o.zone = r.zone;
  o.start = r.start;
  o.end = r.start + ritual.duration;
  o.local_start = TimesFor(couple_, o.start);
  o.adjustments = std::move(r.adjustments);

  if (std::find(ritual.skipped.begin(), ritual.skipped.end(), o.start) !=
      ritual.skipped.end()) {
    o.state = OccurrenceState::kSkipped;
    o.adjustments.push_back(Adjustment{
        AdjustmentAction::kDropped, AdjustmentReason::kSkipped, o.start,
        "You agreed to skip this one; no reminders go out."});
  } else if (ritual.paused) {
    o.state = OccurrenceState::kPaused;
    o.adjustments.push_back(
        Adjustment{AdjustmentAction::kDropped, AdjustmentReason::kPaused,
                   o.start, "The ritual is paused; no reminders go out."});
  }

  if (o.state == OccurrenceState::kPlanned && s.owner == nullptr) {
    std::vector<std::string> outside;
    if (!Fits(o.start, ritual.duration, &outside)) {
      o.conflict = true;
      AddConflict(s, o, outside);
      o.adjustments.push_back(Adjustment{
          AdjustmentAction::kNoted, AdjustmentReason::kOutsideWakingHours,
          o.start, plan_.conflicts.back().explanation});
    }
  }
  if (o.state == OccurrenceState::kPlanned) AddReminders(s, o);
  plan_.occurrences.push_back(std::move(o));
}

void Planner::AddReminders(const Stream& s, const PlannedOccurrence& o) {
  const std::vector<absl::Duration> leads = EffectiveLeadTimes(*s.ritual);
  std::vector<int> recipients = {0, 1};
  if (s.owner != nullptr) recipients = {IndexOf(*s.owner)};
  for (int recipient : recipients) {
    const std::string& id = couple_.partners[recipient].id;
    for (absl::Duration lead : leads) {
      Draft d;
      d.recipient = recipient;
      d.last = lead == leads.back();
      PlannedReminder& r = d.reminder;
      r.id = absl::StrCat(o.ritual_id, "/", absl::ToUnixSeconds(o.start), "/",
                          id, "/", absl::ToInt64Seconds(lead));
      r.ritual_id = o.ritual_id;
      r.title = o.title;
      r.kind = o.kind;
      r.recipient_id = id;
      r.occurrence_index = o.index;
      r.occurrence_start = o.start;
      r.lead_time = lead;
      r.planned = o.start - lead;
      r.due = r.planned;
      drafts_.push_back(std::move(d));
    }
  }
}

void Planner::DropPast(absl::Time cutoff) {
  for (Draft& d : drafts_) {
    PlannedReminder& r = d.reminder;
    if (r.due >= cutoff) continue;
    r.state = ReminderState::kDropped;
    r.adjustments.push_back(Adjustment{
        AdjustmentAction::kDropped, AdjustmentReason::kPast, r.due,
        absl::StrCat("Dropped: its time, ",
                     Hhmm(TimeFor(couple_.partners[d.recipient], r.due).local),
                     ", had passed when it was planned.")});
  }
}

void Planner::ApplyQuietHours() {
  for (Draft& d : drafts_) {
    PlannedReminder& r = d.reminder;
    const Partner& p = couple_.partners[d.recipient];
    if (r.state != ReminderState::kScheduled || !p.quiet_hours) continue;
    const absl::TimeZone zone = p.ZoneAt(r.due);
    const absl::CivilSecond local = LocalIn(r.due, zone);
    if (!p.quiet_hours->Contains(TimeOfDayOf(local))) continue;

    const absl::Time edge =
        LocalToInstant(p.quiet_hours->EndAfter(local), zone);
    const TimeOfDay at_edge = TimeOfDayOf(LocalIn(edge, p.ZoneAt(edge)));
    const std::string why =
        absl::StrCat(Hhmm(local), " is inside ", p.Name(), "'s quiet hours (",
                     WindowText(*p.quiet_hours), ")");
    if (edge <= r.occurrence_start && !p.quiet_hours->Contains(at_edge)) {
      r.adjustments.push_back(Adjustment{
          AdjustmentAction::kMoved, AdjustmentReason::kQuietHours, r.due,
          absl::StrCat("Moved to ", FormatTimeOfDay(at_edge), ": ", why, ".")});
      r.due = edge;
    } else {
      r.state = ReminderState::kDropped;
      r.adjustments.push_back(Adjustment{
          AdjustmentAction::kDropped, AdjustmentReason::kQuietHours, r.due,
          absl::StrCat("Dropped: ", why, ", and they end after ", r.title,
                       " begins.")});
    }
  }
}

// The plan's total order of reminders.
bool ReminderBefore(const PlannedReminder& a, const PlannedReminder& b) {
  return std::tie(a.due, a.recipient_id, a.occurrence_start, a.ritual_id,
                  a.lead_time) < std::tie(b.due, b.recipient_id,
                                          b.occurrence_start, b.ritual_id,
                                          b.lead_time);
}

void Planner::Merge(absl::Span<const SentReminder> sent) {
  // Per recipient, in time order, sent reminders first on a tie: anything
  // within kMergeWindow after the head of a group joins it; anything later
  // starts a new group. A sent reminder can head a group and carry new
  // ones, but is never itself merged.
  struct Item {
    absl::Time due;
    const Draft* draft;        // or nullptr for
    const SentReminder* sent;  // a reminder already sent
  };
  std::array<std::vector<Item>, 2> items;
  for (const Draft& d : drafts_) {
    if (d.reminder.state == ReminderState::kScheduled) {
      items[d.recipient].push_back(Item{d.reminder.due, &d, nullptr});
    }
  }
  for (const SentReminder& s : sent) {
    for (int i = 0; i < 2; ++i) {
      if (couple_.partners[i].id == s.recipient_id && !items[i].empty()) {
        items[i].push_back(Item{s.due, nullptr, &s});
      }
    }
  }
  for (int recipient = 0; recipient < 2; ++recipient) {
    std::vector<Item>& list = items[recipient];
    std::sort(list.begin(), list.end(), [](const Item& a, const Item& b) {
      if (a.due != b.due) return a.due < b.due;
      if ((a.draft == nullptr) != (b.draft == nullptr)) {
        return a.draft == nullptr;
      }
      if (a.draft == nullptr) return a.sent->id < b.sent->id;
      return ReminderBefore(a.draft->reminder, b.draft->reminder);
    });
    const Partner& p = couple_.partners[recipient];
    const Item* head = nullptr;
    for (const Item& item : list) {
      if (head == nullptr || item.due - head->due > kMergeWindow) {
        head = &item;
        continue;
      }
      if (item.draft == nullptr) continue;  // already sent on its own
      PlannedReminder& r = drafts_[item.draft - drafts_.data()].reminder;
      const std::string& head_id =
          head->draft ? head->draft->reminder.id : head->sent->id;
      const std::string& head_title =
          head->draft ? head->draft->reminder.title : head->sent->title;
      const int64_t minutes = absl::ToInt64Minutes(r.due - head->due);
      r.adjustments.push_back(Adjustment{
          AdjustmentAction::kMerged, AdjustmentReason::kMerged, r.due,
          absl::StrCat("Sent with the ", Hhmm(TimeFor(p, head->due).local),
                       " reminder for ", head_title,
                       minutes == 0
                           ? ", at the same time"
                           : absl::StrCat(", ", minutes, " minutes earlier"),
                       ".")});
      r.state = ReminderState::kMerged;
      r.merged_into = head_id;
      r.due = head->due;
      if (head->draft != nullptr) {
        Draft& carrier = drafts_[head->draft - drafts_.data()];
        carrier.carried.push_back(item.draft - drafts_.data());
        carrier.reminder.carries.push_back(r.id);
      }
    }
  }
}

void Planner::ApplyBudget(absl::Span<const SentReminder> sent) {
  // A push already on its way counts toward its day.
  std::map<std::pair<int, absl::CivilDay>, int> used;
  for (const SentReminder& s : sent) {
    for (int i = 0; i < 2; ++i) {
      const Partner& p = couple_.partners[i];
      if (p.id == s.recipient_id) {
        ++used[{i, absl::CivilDay(TimeFor(p, s.due).local)}];
      }
    }
  }
  // Which pushes to keep when a day is over budget: the last reminder of an
  // occurrence before earlier heads-ups, shared rituals before personal
  // ones, then earlier first. A push carrying merged reminders ranks as its
  // best member.
  auto rank = [&](size_t i) {
    const Draft& d = drafts_[i];
    bool last = d.last;
    bool shared = d.reminder.kind == RitualKind::kShared;
    for (size_t m : d.carried) {
      last = last || drafts_[m].last;
      shared = shared || drafts_[m].reminder.kind == RitualKind::kShared;
    }
    return std::make_tuple(!last, !shared, d.reminder.due, i);
  };
  std::vector<decltype(rank(0))> order;
  for (size_t i = 0; i < drafts_.size(); ++i) {
    if (drafts_[i].reminder.state == ReminderState::kScheduled) {
      order.push_back(rank(i));
    }
  }
  std::sort(order.begin(), order.end());
  for (const auto& key : order) {
    Draft& d = drafts_[std::get<3>(key)];
    const Partner& p = couple_.partners[d.recipient];
    const absl::CivilDay day(TimeFor(p, d.reminder.due).local);
    int& count = used[{d.recipient, day}];
    if (count < p.daily_budget) {
      ++count;
      continue;
    }
    const std::string why = absl::StrCat(
        "Dropped: ", p.Name(), " already has ", p.daily_budget,
        " reminders on ", absl::FormatCivilTime(day), ", their daily limit.");
    d.carried.push_back(std::get<3>(key));
    for (size_t m : d.carried) {
      PlannedReminder& r = drafts_[m].reminder;
      r.state = ReminderState::kDropped;
      r.adjustments.push_back(Adjustment{AdjustmentAction::kDropped,
                                         AdjustmentReason::kDailyBudget, r.due,
                                         why});
    }
    d.carried.clear();
    d.reminder.carries.clear();
  }
}

Plan Planner::Finish(absl::Time cutoff, absl::Span<const SentReminder> sent) {
  DropPast(cutoff);
  ApplyQuietHours();
  Merge(sent);
  ApplyBudget(sent);

  // Sort by index, then move each into place once: drafts are large.
  std::vector<size_t> order(drafts_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return ReminderBefore(drafts_[a].reminder, drafts_[b].reminder);
  });
  plan_.reminders.reserve(order.size());
  for (size_t i : order) {
    PlannedReminder& r = drafts_[i].reminder;
    r.local_due = TimesFor(couple_, r.due);
    plan_.reminders.push_back(std::move(r));
  }
  drafts_.clear();

  std::vector<PlannedOccurrence>& occ = plan_.occurrences;
  order.resize(occ.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::tie(occ[a].start, occ[a].ritual_id, occ[a].participant_ids) <
           std::tie(occ[b].start, occ[b].ritual_id, occ[b].participant_ids);
  });
  std::vector<PlannedOccurrence> sorted;
  sorted.reserve(occ.size());
  for (size_t i : order) sorted.push_back(std::move(occ[i]));
  occ = std::move(sorted);

  std::sort(plan_.conflicts.begin(), plan_.conflicts.end(),
            [](const Conflict& a, const Conflict& b) {
              return std::tie(a.start, a.ritual_id) <
                     std::tie(b.start, b.ritual_id);
            });
  return std::move(plan_);
}

absl::Status ValidateInput(const Couple& couple,
                           absl::Span<const Ritual> rituals) {
  TEND_RETURN_IF_ERROR(ValidateCouple(couple));
  return ValidateRituals(couple, rituals);
}

}  // namespace

absl::TimeZone Partner::ZoneAt(absl::Time t) const {
  absl::TimeZone z = zone;
  for (const ZoneChange& change : travel) {
    if (change.at > t) break;
    z = change.zone;
  }
  return z;
}

absl::string_view Partner::Name() const {
  return display_name.empty() ? absl::string_view(id)
                              : absl::string_view(display_name);
}

absl::string_view AdjustmentReasonName(AdjustmentReason reason) {
  switch (reason) {
    case AdjustmentReason::kQuietHours:
      return "QUIET_HOURS";
    case AdjustmentReason::kDailyBudget:
      return "DAILY_BUDGET";
    case AdjustmentReason::kDstGap:
      return "DST_GAP";
    case AdjustmentReason::kDstOverlap:
      return "DST_OVERLAP";
    case AdjustmentReason::kSkipped:
      return "SKIPPED";
    case AdjustmentReason::kPaused:
      return "PAUSED";
    case AdjustmentReason::kOutsideWakingHours:
      return "OUTSIDE_WAKING_HOURS";
    case AdjustmentReason::kMerged:
      return "MERGED";
    case AdjustmentReason::kTravel:
      return "TRAVEL";
    case AdjustmentReason::kPast:
      return "PAST";
  }
  return "UNSPECIFIED";
}

absl::StatusOr<Plan> PlanRituals(const Couple& couple,
                                 absl::Span<const Ritual> rituals,
                                 absl::Time from, absl::Time to) {
  if (from >= to) {
    return absl::InvalidArgumentError("range: `from` must be before `to`");
  }
  if (to - from > kMaxPlanRange) {
    return absl::InvalidArgumentError("range: at most 800 days");
  }
  TEND_RETURN_IF_ERROR(ValidateInput(couple, rituals));
  Planner planner(couple);
  TEND_RETURN_IF_ERROR(planner.AddStreams(rituals, from));
  for (const Stream& s : planner.streams()) {
    const absl::Time limit = to + s.slack;
    ForEachOccurrence(s, from - s.slack, [&](const Occurrence& o) {
      if (o.instant >= limit) return false;
      Resolved r = Resolve(s, o);
      if (r.start >= from && r.start < to) {
        planner.AddOccurrence(s, std::move(r));
      }
      return true;
    });
  }
  return planner.Finish(from, {});
}

absl::StatusOr<Plan> NextReminders(const Couple& couple,
                                   absl::Span<const Ritual> rituals,
                                   const NextRequest& request) {
  TEND_RETURN_IF_ERROR(ValidateInput(couple, rituals));
  Planner planner(couple);
  TEND_RETURN_IF_ERROR(planner.AddStreams(rituals, request.after));
  std::vector<Notice> ended;
  for (const Stream& s : planner.streams()) {
    const std::string participant = s.owner ? s.owner->id : "";
    int64_t last_index = -1;
    for (const StreamCursor& c : request.cursors) {
      if (c.ritual_id == s.ritual->id && c.participant_id == participant) {
        last_index = c.last_index;
      }
    }
    bool found = false;
    ForEachOccurrence(s, request.after - s.slack, [&](const Occurrence& o) {
      if (o.index <= last_index) return true;
      Resolved r = Resolve(s, o);
      if (r.start <= request.after) return true;
      const bool skipped =
          std::find(s.ritual->skipped.begin(), s.ritual->skipped.end(),
                    r.start) != s.ritual->skipped.end();
      planner.AddOccurrence(s, std::move(r));
      // Keep going past skipped occurrences to the next one that happens.
      found = !skipped;
      return skipped;
    });
    if (!found) {
      ended.push_back(Notice{
          s.ritual->id, participant,
          absl::StrCat(TitleOf(*s.ritual), " has no further occurrences.")});
    }
  }
  Plan plan = planner.Finish(request.after, request.sent);
  for (Notice& n : ended) plan.notices.push_back(std::move(n));
  return plan;
}

}  // namespace tend::engine
