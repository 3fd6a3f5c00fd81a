#include "engine/tools/plan_text.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "engine/recur/recurrence.h"

namespace tend::engine {
namespace {

// The separator between the two partners' clocks.
constexpr absl::string_view kBetween = " · ";

// "Sun 2026-03-01".
std::string DayTitle(absl::CivilDay day) {
  return absl::StrCat(WeekdayName(day), " ", absl::FormatCivilTime(day));
}

// "19:00 New York (Sun)".
std::string ClockText(const PartnerTime& t) {
  return absl::StrCat(FormatTimeOfDay(TimeOfDayOf(t.local)), " ",
                      ZoneLabel(t.zone), " (",
                      WeekdayName(absl::CivilDay(t.local)), ")");
}

// Characters as a terminal counts them: UTF-8 continuation bytes do not.
size_t Width(absl::string_view text) {
  return static_cast<size_t>(std::count_if(
      text.begin(), text.end(),
      [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

const Partner* FindPartner(const Couple& couple, absl::string_view id) {
  for (const Partner& p : couple.partners) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

std::string NameOf(const Couple& couple, absl::string_view id) {
  const Partner* p = FindPartner(couple, id);
  return p ? std::string(p->Name()) : std::string(id);
}

// One line of a day, with the lines that explain it.
struct Entry {
  absl::Time at;
  int order = 0;  // at one instant: reminders (0) before occurrences (1)
  size_t position = 0;
  std::string clocks;
  std::string what;
  std::vector<std::string> notes;
};

std::string OccurrenceText(const Couple& couple, const PlannedOccurrence& o) {
  std::string who = "shared";
  if (o.kind == RitualKind::kPersonal) {
    who = absl::StrCat("personal, ", NameOf(couple, o.participant_ids[0]));
  }
  std::string text = absl::StrCat(o.title, " (", who);
  if (o.end > o.start) {
    absl::StrAppend(&text, ", ", absl::FormatDuration(o.end - o.start));
  }
  absl::StrAppend(&text, ")");
  switch (o.state) {
    case OccurrenceState::kSkipped:
      absl::StrAppend(&text, " — skipped");
      break;
    case OccurrenceState::kPaused:
      absl::StrAppend(&text, " — paused");
      break;
    case OccurrenceState::kPlanned:
      if (o.conflict) absl::StrAppend(&text, " — outside waking hours");
      break;
  }
  return text;
}

std::string ReminderText(const Couple& couple, const PlannedReminder& r) {
  std::string text = absl::StrCat(
      "reminder for ", NameOf(couple, r.recipient_id), ": ", r.title, ", ");
  if (r.lead_time == absl::ZeroDuration()) {
    absl::StrAppend(&text, "as it starts");
  } else {
    absl::StrAppend(&text, absl::FormatDuration(r.lead_time), " before");
  }
  const bool moved = std::any_of(
      r.adjustments.begin(), r.adjustments.end(),
      [](const Adjustment& a) { return a.action == AdjustmentAction::kMoved; });
  switch (r.state) {
    case ReminderState::kScheduled:
      if (moved) absl::StrAppend(&text, " — moved");
      break;
    case ReminderState::kMerged:
      absl::StrAppend(&text, " — merged");
      break;
    case ReminderState::kDropped:
      absl::StrAppend(&text, " — dropped");
      break;
  }
  return text;
}

const Conflict* FindConflict(const Plan& plan, const PlannedOccurrence& o) {
  for (const Conflict& c : plan.conflicts) {
    if (c.ritual_id == o.ritual_id && c.index == o.index &&
        c.start == o.start) {
      return &c;
    }
  }
  return nullptr;
}

}  // namespace

std::string PlanSummary(const Plan& plan) {
  int conflicts = 0, go_out = 0, moved = 0, merged = 0, dropped = 0;
  for (const PlannedOccurrence& o : plan.occurrences) conflicts += o.conflict;
  for (const PlannedReminder& r : plan.reminders) {
    switch (r.state) {
      case ReminderState::kScheduled:
        ++go_out;
        for (const Adjustment& a : r.adjustments) {
          if (a.action == AdjustmentAction::kMoved) {
            ++moved;
            break;
          }
        }
        break;
      case ReminderState::kMerged:
        ++merged;
        break;
      case ReminderState::kDropped:
        ++dropped;
        break;
    }
  }
  return absl::StrCat(plan.occurrences.size(), " occurrences (", conflicts,
                      " outside waking hours), ", plan.reminders.size(),
                      " reminders: ", go_out, " go out (", moved, " moved), ",
                      merged, " merged into another, ", dropped, " dropped.");
}

PreviewRange MakePreviewRange(absl::Time from, int days,
                              absl::TimeZone home_zone) {
  PreviewRange range;
  range.from = from;
  range.home_zone = home_zone;
  range.first_day = absl::ToCivilDay(from, home_zone);
  range.days = days;
  range.to =
      LocalToInstant(absl::CivilSecond(range.first_day + days), home_zone);
  return range;
}

absl::string_view WeekdayName(absl::CivilDay day) {
  switch (absl::GetWeekday(day)) {
    case absl::Weekday::monday:
      return "Mon";
    case absl::Weekday::tuesday:
      return "Tue";
    case absl::Weekday::wednesday:
      return "Wed";
    case absl::Weekday::thursday:
      return "Thu";
    case absl::Weekday::friday:
      return "Fri";
    case absl::Weekday::saturday:
      return "Sat";
    case absl::Weekday::sunday:
      return "Sun";
  }
  return "";
}

std::string ClocksText(const std::array<PartnerTime, 2>& t) {
  if (t[0].zone == t[1].zone) return absl::StrCat(ClockText(t[0]), ", both");
  return absl::StrCat(ClockText(t[0]), kBetween, ClockText(t[1]));
}

std::string ZoneLabel(absl::TimeZone zone) {
  const std::string name = zone.name();  // a copy: name() is by value
  absl::string_view last = name;
  if (size_t slash = last.rfind('/'); slash != absl::string_view::npos) {
    last.remove_prefix(slash + 1);
  }
  return absl::StrReplaceAll(last, {{"_", " "}});
}

std::string FormatPlanText(const Couple& couple, const Plan& plan,
                           const PreviewRange& range) {
  const Partner& a = couple.partners[0];
  const Partner& b = couple.partners[1];
  std::string out = absl::StrCat(
      a.Name(), " (", a.zone.name(), ") and ", b.Name(), " (", b.zone.name(),
      "), home zone ", range.home_zone.name(), "\n", range.days,
      range.days == 1 ? " day" : " days", " from ",
      absl::FormatTime("%a %Y-%m-%d %H:%M", range.from, range.home_zone), " ",
      ZoneLabel(range.home_zone), "; each time is read on ", a.Name(),
      "'s clock", kBetween, b.Name(), "'s clock.\n");
  for (const Partner& p : couple.partners) {
    for (const ZoneChange& change : p.travel) {
      absl::StrAppend(
          &out, p.Name(), " is in ", change.zone.name(), " from ",
          absl::FormatTime("%a %Y-%m-%d %H:%M", change.at, change.zone), " ",
          ZoneLabel(change.zone), ".\n");
    }
  }
  if (!plan.notices.empty()) {
    absl::StrAppend(&out, "\nNotices\n");
    for (const Notice& n : plan.notices) {
      absl::StrAppend(&out, "  ", n.explanation, "\n");
    }
  }

  // Every entry, on the home-zone day it belongs to.
  std::vector<std::vector<Entry>> days(static_cast<size_t>(range.days));
  auto add = [&](Entry e) {
    int64_t day = absl::ToCivilDay(e.at, range.home_zone) - range.first_day;
    day = std::clamp<int64_t>(day, 0, range.days - 1);
    e.position = days[day].size();
    days[day].push_back(std::move(e));
  };
  for (const PlannedOccurrence& o : plan.occurrences) {
    Entry e{o.start, 1, 0, ClocksText(o.local_start), OccurrenceText(couple, o),
            {}};
    for (const Adjustment& adj : o.adjustments) {
      e.notes.push_back(adj.explanation);
    }
    if (const Conflict* c = FindConflict(plan, o)) {
      for (const Proposal& p : c->proposals) {
        e.notes.push_back(
            absl::StrCat("proposed: ", ClocksText(p.local_start)));
      }
    }
    add(std::move(e));
  }
  for (const PlannedReminder& r : plan.reminders) {
    Entry e{r.due, 0, 0, ClocksText(r.local_due), ReminderText(couple, r), {}};
    for (const Adjustment& adj : r.adjustments) {
      e.notes.push_back(adj.explanation);
    }
    add(std::move(e));
  }

  size_t clock_width = 0;
  for (const std::vector<Entry>& day : days) {
    for (const Entry& e : day) {
      clock_width = std::max(clock_width, Width(e.clocks));
    }
  }
  for (int d = 0; d < range.days; ++d) {
    std::vector<Entry>& entries = days[static_cast<size_t>(d)];
    std::sort(entries.begin(), entries.end(),
              [](const Entry& x, const Entry& y) {
                return std::tie(x.at, x.order, x.position) <
                       std::tie(y.at, y.order, y.position);
              });
    absl::StrAppend(&out, "\n", DayTitle(range.first_day + d), "\n");
    if (entries.empty()) absl::StrAppend(&out, "  nothing planned\n");
    for (const Entry& e : entries) {
      absl::StrAppend(&out, "  ", e.clocks,
                      std::string(clock_width - Width(e.clocks), ' '), "  ",
                      e.what, "\n");
      for (const std::string& note : e.notes) {
        absl::StrAppend(&out, "      ", note, "\n");
      }
    }
  }
  absl::StrAppend(&out, "\n", PlanSummary(plan), "\n");
  return out;
}

}  // namespace tend::engine
