#include "services/tendctl/scheduler_text.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "engine/recur/rrule.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/time_util.h"
#include "services/tendctl/cli.h"

namespace tend::tendctl {
namespace {

namespace v1 = ::tend::scheduler::v1;
using ::google::protobuf::RepeatedPtrField;

constexpr const char* kWeekdayNames[] = {"Monday",   "Tuesday", "Wednesday",
                                         "Thursday", "Friday",  "Saturday",
                                         "Sunday"};
constexpr const char* kMonthNames[] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

// ---------------------------------------------------------------------------
// Words

// "1 reminder", "3 reminders".
std::string Count(int64_t n, absl::string_view noun) {
  return absl::StrCat(n, " ", noun, n == 1 ? "" : "s");
}

// "a", "a and b", "a, b and c".
std::string JoinWords(const std::vector<std::string>& words) {
  if (words.size() <= 1) return absl::StrJoin(words, "");
  std::vector<std::string> head(words.begin(), words.end() - 1);
  return absl::StrCat(absl::StrJoin(head, ", "), " and ", words.back());
}

// "1st", "2nd", "13th", "22nd".
std::string Numeral(int n) {
  const int tens = n % 100;
  const int units = n % 10;
  const char* suffix = "th";
  if (tens < 11 || tens > 13) {
    if (units == 1) suffix = "st";
    if (units == 2) suffix = "nd";
    if (units == 3) suffix = "rd";
  }
  return absl::StrCat(n, suffix);
}

// A position counted from the start (1: "first") or the end (-1: "last",
// -2: "second-to-last").
std::string Position(int n) {
  constexpr const char* kSmall[] = {"first", "second", "third", "fourth",
                                    "fifth"};
  const int magnitude = n < 0 ? -n : n;
  if (n == -1) return "last";
  const std::string counted =
      magnitude <= 5 ? kSmall[magnitude - 1] : Numeral(magnitude);
  return n < 0 ? absl::StrCat(counted, "-to-last") : counted;
}

// "Alex's", and "your" for the caller.
std::string Possessive(absl::string_view name) {
  return name == "you" ? "your" : absl::StrCat(name, "'s");
}

// The words of an enum value: "dead lettered" for
// REMINDER_STATE_DEAD_LETTERED with prefix "REMINDER_STATE_".
std::string EnumWords(const google::protobuf::EnumDescriptor* descriptor,
                      absl::string_view prefix, int number) {
  const google::protobuf::EnumValueDescriptor* value =
      descriptor->FindValueByNumber(number);
  if (value == nullptr) return absl::StrCat("unknown (", number, ")");
  absl::string_view name = value->name();
  absl::ConsumePrefix(&name, prefix);
  return absl::StrReplaceAll(absl::AsciiStrToLower(name), {{"_", " "}});
}

// The value of the enum named `word`, with or without `prefix`, in any
// case, with spaces or dashes for underscores. Never the zero value.
std::optional<int> EnumValue(const google::protobuf::EnumDescriptor* descriptor,
                             absl::string_view prefix, absl::string_view word) {
  std::string name = absl::StrReplaceAll(
      absl::AsciiStrToUpper(absl::StripAsciiWhitespace(word)),
      {{" ", "_"}, {"-", "_"}});
  if (!absl::StartsWith(name, prefix)) name = absl::StrCat(prefix, name);
  const google::protobuf::EnumValueDescriptor* value =
      descriptor->FindValueByName(name);
  if (value == nullptr || value->number() == 0) return std::nullopt;
  return value->number();
}

// Every value but zero, in words, for an error message.
std::string EnumChoices(const google::protobuf::EnumDescriptor* descriptor,
                        absl::string_view prefix) {
  std::vector<std::string> words;
  for (int i = 0; i < descriptor->value_count(); ++i) {
    const int number = descriptor->value(i)->number();
    if (number != 0) {
      words.push_back(absl::StrReplaceAll(EnumWords(descriptor, prefix, number),
                                          {{" ", "_"}}));
    }
  }
  return absl::StrJoin(words, ", ");
}

// ---------------------------------------------------------------------------
// Times

// "Sun".
absl::string_view WeekdayShort(absl::CivilDay day) {
  return absl::string_view(
             kWeekdayNames[static_cast<int>(absl::GetWeekday(day))])
      .substr(0, 3);
}

// "Sun 19:00 EDT": a clock time, its weekday and zone, without the date.
std::string FormatClock(absl::Time time, absl::TimeZone zone) {
  return absl::FormatTime("%a %H:%M %Z", time, zone);
}

// "UTC-4", "UTC+5:30".
std::string FormatOffset(absl::Duration offset) {
  const int64_t minutes = absl::ToInt64Minutes(offset);
  const int64_t magnitude = minutes < 0 ? -minutes : minutes;
  std::string text =
      absl::StrCat("UTC", minutes < 0 ? "-" : "+", magnitude / 60);
  if (magnitude % 60 != 0)
    absl::StrAppendFormat(&text, ":%02d", magnitude % 60);
  return text;
}

// How `person` reads an instant: from the service's PartnerTime for them
// when there is one (their zone at that instant, which may differ from
// the profile's), else `fallback` on the profile's clock.
std::string ClockOf(const Person& person,
                    const RepeatedPtrField<v1::PartnerTime>& times,
                    absl::Time fallback) {
  for (const v1::PartnerTime& time : times) {
    if (time.user_id() != person.user_id) continue;
    const tend::type::v1::Date& date = time.local_time().date();
    const tend::type::v1::TimeOfDay& clock = time.local_time().time();
    const absl::CivilSecond local(date.year(), date.month(), date.day(),
                                  clock.hours(), clock.minutes(), 0);
    const absl::Duration offset = FromDuration(time.utc_offset());
    const absl::Time instant =
        absl::FromCivil(local, absl::UTCTimeZone()) - offset;
    absl::TimeZone zone;
    if (!time.time_zone().empty() &&
        absl::LoadTimeZone(time.time_zone(), &zone)) {
      return FormatClock(instant, zone);
    }
    return absl::StrCat(
        WeekdayShort(absl::CivilDay(local)),
        absl::StrFormat(" %02d:%02d ", clock.hours(), clock.minutes()),
        FormatOffset(offset));
  }
  return FormatClock(fallback, person.zone);
}

// "Sun 5 May", the heading of one day in the preview.
std::string FormatDay(absl::CivilDay day) {
  return absl::StrCat(
      WeekdayShort(day), " ", day.day(), " ",
      absl::string_view(kMonthNames[day.month() - 1]).substr(0, 3));
}

// "Sun 5 May 2024".
std::string FormatDate(const tend::type::v1::Date& date) {
  const absl::CivilDay day(date.year(), date.month(), date.day());
  return absl::StrCat(FormatDay(day), " ", day.year());
}

// "1 hour before", "at the start".
std::string LeadInWords(absl::Duration lead) {
  if (lead <= absl::ZeroDuration()) return "at the start";
  return absl::StrCat(DurationInWords(lead), " before");
}

// "1 hour before and at the start"; "at the start" when there are none,
// as the service plans it.
std::string LeadTimesInWords(
    const RepeatedPtrField<google::protobuf::Duration>& leads) {
  std::vector<std::string> words;
  for (const google::protobuf::Duration& lead : leads) {
    words.push_back(LeadInWords(FromDuration(lead)));
  }
  if (words.empty()) words.push_back("at the start");
  return JoinWords(words);
}

// ---------------------------------------------------------------------------
// Recurrence rules

// "weekly", "every 2 weeks".
std::string EveryInWords(engine::Frequency freq, int interval) {
  struct Unit {
    const char* once;
    const char* unit;
  };
  Unit unit = {"daily", "day"};
  if (freq == engine::Frequency::kWeekly) unit = {"weekly", "week"};
  if (freq == engine::Frequency::kMonthly) unit = {"monthly", "month"};
  if (freq == engine::Frequency::kYearly) unit = {"yearly", "year"};
  if (interval == 1) return unit.once;
  return absl::StrCat("every ", interval, " ", unit.unit, "s");
}

// BYDAY in words: "Sunday", "Monday and Thursday", "weekdays", "the first
// Friday", "the last Sunday". `every` says "every Sunday" rather than
// "Sunday" for a plain weekday in a monthly or yearly rule.
std::string WeekdaysInWords(const std::vector<engine::WeekdayNum>& days,
                            bool every) {
  std::vector<int> plain;
  std::vector<std::string> words;
  for (const engine::WeekdayNum& day : days) {
    const char* name = kWeekdayNames[static_cast<int>(day.weekday)];
    if (day.ordinal == 0) {
      plain.push_back(static_cast<int>(day.weekday));
    } else {
      words.push_back(absl::StrCat("the ", Position(day.ordinal), " ", name));
    }
  }
  std::sort(plain.begin(), plain.end());
  std::vector<std::string> plain_words;
  if (plain == std::vector<int>{0, 1, 2, 3, 4}) {
    plain_words.push_back("weekdays");
  } else if (plain == std::vector<int>{5, 6}) {
    plain_words.push_back("weekends");
  } else if (plain.size() == 7) {
    plain_words.push_back("every day");
  } else {
    for (int day : plain) {
      plain_words.push_back(
          absl::StrCat(every ? "every " : "", kWeekdayNames[day]));
    }
  }
  plain_words.insert(plain_words.end(), words.begin(), words.end());
  return JoinWords(plain_words);
}

// BYMONTHDAY in words: "the 1st and the 15th", "the last day".
std::string MonthDaysInWords(const std::vector<int>& days) {
  std::vector<std::string> words;
  for (int day : days) {
    words.push_back(day > 0 ? absl::StrCat("the ", Numeral(day))
                            : absl::StrCat("the ", Position(day), " day"));
  }
  return JoinWords(words);
}

// A checked rule in words: how often, on which days, and then how long it
// runs, which DescribeRecurrence() puts after the time of day.
struct RuleWords {
  std::string when;   // "weekly on Sunday"
  std::string limit;  // ", 10 times" or ", until 2024-06-01"; may be empty
};

RuleWords DescribeRule(const engine::Rrule& rule) {
  RuleWords words;
  words.when = EveryInWords(rule.freq, rule.interval);
  if (!rule.by_month.empty()) {
    std::vector<std::string> months;
    for (int month : rule.by_month) months.push_back(kMonthNames[month - 1]);
    absl::StrAppend(&words.when, " in ", JoinWords(months));
  }
  const bool every_weekday = rule.freq == engine::Frequency::kMonthly ||
                             rule.freq == engine::Frequency::kYearly;
  if (!rule.by_day.empty() && !rule.by_month_day.empty()) {
    absl::StrAppend(&words.when, " on ",
                    WeekdaysInWords(rule.by_day, /*every=*/false),
                    " that falls on ", MonthDaysInWords(rule.by_month_day));
  } else if (!rule.by_day.empty()) {
    absl::StrAppend(&words.when, " on ",
                    WeekdaysInWords(rule.by_day, every_weekday));
  } else if (!rule.by_month_day.empty()) {
    absl::StrAppend(&words.when, " on ", MonthDaysInWords(rule.by_month_day));
  }
  if (!rule.by_set_pos.empty()) {
    std::vector<std::string> positions;
    for (int position : rule.by_set_pos)
      positions.push_back(Position(position));
    const char* period = "day";
    if (rule.freq == engine::Frequency::kWeekly) period = "week";
    if (rule.freq == engine::Frequency::kMonthly) period = "month";
    if (rule.freq == engine::Frequency::kYearly) period = "year";
    absl::StrAppend(&words.when, ", only the ", JoinWords(positions),
                    " of each ", period);
  }
  if (rule.count == 1) {
    words.limit = ", once";
  } else if (rule.count > 1) {
    words.limit = absl::StrCat(", ", rule.count, " times");
  }
  switch (rule.until.kind) {
    case engine::Until::Kind::kNone:
      break;
    case engine::Until::Kind::kDate:
      words.limit = absl::StrCat(
          ", until ", absl::FormatCivilTime(absl::CivilDay(rule.until.local)));
      break;
    case engine::Until::Kind::kLocal:
      words.limit = absl::StrCat(
          ", until ", absl::FormatTime("%Y-%m-%d %H:%M",
                                       absl::FromCivil(rule.until.local,
                                                       absl::UTCTimeZone()),
                                       absl::UTCTimeZone()));
      break;
    case engine::Until::Kind::kUtc:
      words.limit = absl::StrCat(
          ", until ", absl::FormatTime("%Y-%m-%d %H:%M UTC", rule.until.utc,
                                       absl::UTCTimeZone()));
      break;
  }
  return words;
}

// ---------------------------------------------------------------------------
// Sheets: prose lines and rows whose columns line up across the whole text.

// The columns a terminal gives `text`: one per UTF-8 code point.
size_t Width(absl::string_view text) {
  return std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
}

class Sheet {
 public:
  // A line of prose, indented.
  void Text(int indent, std::string text) {
    lines_.push_back({false, {absl::StrCat(std::string(indent, ' '), text)}});
  }
  // A row; its cells line up with every other row's. The last cell is
  // never padded.
  void Row(std::vector<std::string> cells) {
    if (cells.size() > widths_.size()) widths_.resize(cells.size(), 0);
    for (size_t i = 0; i + 1 < cells.size(); ++i) {
      widths_[i] = std::max(widths_[i], Width(cells[i]));
    }
    lines_.push_back({true, std::move(cells)});
  }
  void Blank() { lines_.push_back({false, {""}}); }

  std::string Render() const {
    std::string out;
    for (const Line& line : lines_) {
      std::string text;
      for (size_t i = 0; i < line.cells.size(); ++i) {
        absl::StrAppend(&text, line.cells[i]);
        if (line.row && i + 1 < line.cells.size()) {
          text.append(widths_[i] - Width(line.cells[i]) + 2, ' ');
        }
      }
      absl::StrAppend(&out, absl::StripTrailingAsciiWhitespace(text), "\n");
    }
    return out;
  }

 private:
  struct Line {
    bool row;
    std::vector<std::string> cells;
  };
  std::vector<Line> lines_;
  std::vector<size_t> widths_;
};

// ---------------------------------------------------------------------------
// Rituals

// "shared", "personal, for you and Sam", with ", 30 minutes" when it lasts.
std::string KindInWords(v1::RitualKind kind,
                        const RepeatedPtrField<std::string>& participants,
                        const google::protobuf::Duration& duration,
                        const Viewer& viewer) {
  std::string words =
      kind == v1::RITUAL_KIND_UNSPECIFIED
          ? "kind not set"
          : EnumWords(v1::RitualKind_descriptor(), "RITUAL_KIND_", kind);
  if (kind == v1::RITUAL_KIND_PERSONAL && !participants.empty()) {
    std::vector<std::string> names;
    for (const std::string& id : participants) {
      names.push_back(NameOf(viewer, id));
    }
    absl::StrAppend(&words, ", for ", JoinWords(names));
  }
  const absl::Duration length = FromDuration(duration);
  if (length > absl::ZeroDuration()) {
    absl::StrAppend(&words, ", ", DurationInWords(length));
  }
  return words;
}

// Whom the open proposal still waits for, in couple order.
std::vector<std::string> Awaited(const v1::Ritual& ritual,
                                 const Viewer& viewer) {
  std::vector<std::string> names;
  if (!ritual.has_proposal()) return names;
  for (const Person& person : viewer.people) {
    if (WaitsForAcceptance(ritual, person.user_id)) {
      names.push_back(person.name);
    }
  }
  return names;
}

// "proposed by Sam; waits for you", "active", "paused by you until ...".
std::string StateInWords(const v1::Ritual& ritual, const Viewer& viewer) {
  std::string words =
      EnumWords(v1::RitualState_descriptor(), "RITUAL_STATE_", ritual.state());
  if (ritual.state() == v1::RITUAL_STATE_PAUSED && ritual.has_pause()) {
    absl::StrAppend(&words, " by ",
                    NameOf(viewer, ritual.pause().paused_by_user_id()));
    if (ritual.pause().has_resume_time()) {
      absl::StrAppend(&words, " until ",
                      FormatLocal(FromTimestamp(ritual.pause().resume_time()),
                                  viewer.zone));
    }
  }
  if (!ritual.has_proposal()) return words;
  const v1::RitualProposal& proposal = ritual.proposal();
  const std::string by =
      proposal.proposer_user_id().empty()
          ? "suggested by Tend"
          : absl::StrCat("proposed by ",
                         NameOf(viewer, proposal.proposer_user_id()));
  if (ritual.state() == v1::RITUAL_STATE_PROPOSED) {
    words = by;
  } else {
    absl::StrAppend(&words, "; a change to ",
                    proposal.update_mask().paths().empty()
                        ? "it"
                        : absl::StrJoin(proposal.update_mask().paths(), ", "),
                    " ", by);
  }
  const std::vector<std::string> awaited = Awaited(ritual, viewer);
  if (WaitsForAcceptance(ritual, viewer.user_id)) {
    absl::StrAppend(&words, "; waits for your acceptance");
  } else if (!awaited.empty()) {
    absl::StrAppend(&words, "; waits for ", JoinWords(awaited));
  }
  return words;
}

// "  label      value\n".
std::string Field(absl::string_view label, absl::string_view value) {
  return absl::StrFormat("  %-10s %s\n", label, value);
}

// ---------------------------------------------------------------------------
// The preview

// What the preview prints under one heading: an occurrence, or the
// reminders and conflicts of one ritual at one instant whose occurrence
// the response left out.
struct Group {
  Group(std::string ritual, std::string title, absl::Time start)
      : ritual(std::move(ritual)), title(std::move(title)), start(start) {}

  std::string ritual;
  std::string title;
  absl::Time start;
  const v1::Occurrence* occurrence = nullptr;
  std::vector<const v1::PlannedReminder*> reminders;
  std::vector<const v1::ScheduleConflict*> conflicts;
};

bool Involves(const Group& group, absl::string_view user_id) {
  if (group.occurrence == nullptr ||
      group.occurrence->participant_user_ids().empty()) {
    return true;
  }
  const auto& ids = group.occurrence->participant_user_ids();
  return std::find(ids.begin(), ids.end(), user_id) != ids.end();
}

// The group of `ritual` at `start` that involves `user_id` (any user when
// empty), added when there is none.
Group* GroupFor(std::vector<Group>* groups, const std::string& ritual,
                const std::string& title, absl::Time start,
                absl::string_view user_id) {
  for (Group& group : *groups) {
    if (group.ritual == ritual && group.start == start &&
        (user_id.empty() || Involves(group, user_id))) {
      return &group;
    }
  }
  groups->emplace_back(ritual, title, start);
  return &groups->back();
}

// "(together, 30 minutes)", "(for Sam, skipped by you)".
std::string OccurrenceInWords(const v1::Occurrence& occurrence,
                              const Viewer& viewer) {
  std::vector<std::string> words;
  if (occurrence.participant_user_ids_size() >= 2) {
    words.push_back("together");
  } else if (occurrence.participant_user_ids_size() == 1) {
    words.push_back(absl::StrCat(
        "for ", NameOf(viewer, occurrence.participant_user_ids(0))));
  }
  const absl::Duration length = FromTimestamp(occurrence.end_time()) -
                                FromTimestamp(occurrence.start_time());
  if (occurrence.has_end_time() && length > absl::ZeroDuration()) {
    words.push_back(DurationInWords(length));
  }
  if (occurrence.state() == v1::OCCURRENCE_STATE_SKIPPED) {
    words.push_back(
        occurrence.skipped_by_user_id().empty()
            ? "skipped"
            : absl::StrCat("skipped by ",
                           NameOf(viewer, occurrence.skipped_by_user_id())));
  } else if (occurrence.state() == v1::OCCURRENCE_STATE_PAUSED) {
    words.push_back("paused");
  }
  if (words.empty()) return "";
  return absl::StrCat(" (", absl::StrJoin(words, ", "), ")");
}

// A row: `label`, then `instant` on each partner's clock, then `note`.
std::vector<std::string> ClockRow(
    std::string label, const Viewer& viewer,
    const RepeatedPtrField<v1::PartnerTime>& times, absl::Time instant,
    std::string note = "") {
  std::vector<std::string> cells = {std::move(label)};
  for (const Person& person : viewer.people) {
    cells.push_back(ClockOf(person, times, instant));
  }
  cells.push_back(std::move(note));
  return cells;
}

// When a planned reminder goes out, or would have before it was dropped.
absl::Time PlannedTime(const v1::PlannedReminder& reminder) {
  if (reminder.has_due_time()) return FromTimestamp(reminder.due_time());
  return FromTimestamp(reminder.occurrence_time()) -
         FromDuration(reminder.lead_time());
}

// Why an adjustment happened, in the service's words or else the reason's.
std::string Explanation(const v1::ScheduleAdjustment& adjustment) {
  if (!adjustment.explanation().empty()) return adjustment.explanation();
  std::string action = EnumWords(v1::AdjustmentAction_descriptor(),
                                 "ADJUSTMENT_ACTION_", adjustment.action());
  if (!action.empty()) action[0] = absl::ascii_toupper(action[0]);
  return absl::StrCat(action, ": ",
                      EnumWords(v1::AdjustmentReason_descriptor(),
                                "ADJUSTMENT_REASON_", adjustment.reason()));
}

std::string ConflictInWords(const v1::ScheduleConflict& conflict,
                            const Viewer& viewer) {
  std::vector<std::string> whose;
  for (const std::string& id : conflict.affected_user_ids()) {
    whose.push_back(Possessive(NameOf(viewer, id)));
  }
  const std::string owners = whose.empty() ? "a partner's" : JoinWords(whose);
  std::string words = "Conflict: it falls ";
  switch (conflict.reason()) {
    case v1::CONFLICT_REASON_INSIDE_QUIET_HOURS:
      absl::StrAppend(&words, "inside ", owners, " quiet hours");
      break;
    default:
      absl::StrAppend(&words, "outside ", owners, " waking hours");
      break;
  }
  if (conflict.alternatives().empty()) {
    return absl::StrCat(words, ", and no nearby time suits you both.");
  }
  return absl::StrCat(words, ". Times that suit you both:");
}

void AddGroup(const Group& group, const Viewer& viewer, Sheet* sheet) {
  std::string heading =
      group.title.empty() ? std::string(ShortId(group.ritual)) : group.title;
  if (group.occurrence != nullptr) {
    absl::StrAppend(&heading, OccurrenceInWords(*group.occurrence, viewer));
  }
  sheet->Text(2, heading);
  if (group.occurrence != nullptr) {
    sheet->Row(ClockRow("    starts", viewer,
                        group.occurrence->local_start_times(), group.start));
    if (!group.occurrence->skip_note().empty()) {
      sheet->Text(6, absl::StrCat("\"", group.occurrence->skip_note(), "\""));
    }
  }
  for (const v1::PlannedReminder* reminder : group.reminders) {
    std::string note;
    if (reminder->dropped()) {
      note = "dropped";
    } else if (!reminder->adjustments().empty()) {
      note = "moved";
    }
    sheet->Row(ClockRow(
        absl::StrCat("    reminder to ",
                     NameOf(viewer, reminder->recipient_user_id()), ", ",
                     LeadInWords(FromDuration(reminder->lead_time()))),
        viewer, reminder->local_times(), PlannedTime(*reminder),
        std::move(note)));
    for (const v1::ScheduleAdjustment& adjustment : reminder->adjustments()) {
      sheet->Text(6, Explanation(adjustment));
    }
  }
  for (const v1::ScheduleConflict* conflict : group.conflicts) {
    sheet->Text(4, ConflictInWords(*conflict, viewer));
    for (const v1::AlternativeTime& alternative : conflict->alternatives()) {
      std::string label = "      instead";
      if (alternative.has_ritual_local_time()) {
        absl::StrAppend(&label, " at ",
                        FormatTimeOfDay(alternative.ritual_local_time()));
      }
      sheet->Row(ClockRow(std::move(label), viewer, alternative.local_times(),
                          FromTimestamp(alternative.start_time())));
    }
  }
}

// "In all: 9 occurrences, 16 reminders (2 moved, 1 dropped), 1 conflict.";
// "no conflicts" when there are none.
std::string Totals(const v1::PreviewScheduleResponse& preview) {
  int moved = 0;
  int dropped = 0;
  for (const v1::PlannedReminder& reminder : preview.reminders()) {
    if (reminder.dropped()) {
      ++dropped;
    } else if (!reminder.adjustments().empty()) {
      ++moved;
    }
  }
  std::vector<std::string> changed;
  if (moved > 0) changed.push_back(absl::StrCat(moved, " moved"));
  if (dropped > 0) changed.push_back(absl::StrCat(dropped, " dropped"));
  std::string reminders = Count(preview.reminders_size(), "reminder");
  if (!changed.empty()) {
    absl::StrAppend(&reminders, " (", absl::StrJoin(changed, ", "), ")");
  }
  return absl::StrCat(
      "In all: ", Count(preview.occurrences_size(), "occurrence"), ", ",
      reminders, ", ",
      preview.conflicts().empty() ? "no conflicts"
                                  : Count(preview.conflicts_size(), "conflict"),
      ".");
}

// The title of a reminder: its content's, else its ritual's.
const std::string& TitleOf(const v1::Reminder& reminder) {
  return reminder.content().title().empty() ? reminder.ritual_title()
                                            : reminder.content().title();
}

}  // namespace

Viewer ViewerFor(const tend::pairing::v1::Couple& couple,
                 absl::string_view caller_user_id) {
  Viewer viewer;
  viewer.user_id = std::string(caller_user_id);
  for (const tend::pairing::v1::Partner& partner : couple.partners()) {
    Person person;
    person.user_id = partner.user_id();
    person.display_name = partner.profile().display_name().empty()
                              ? partner.user_id()
                              : partner.profile().display_name();
    person.name =
        partner.user_id() == caller_user_id ? "you" : person.display_name;
    person.zone_name = partner.profile().time_zone().empty()
                           ? couple.home_time_zone()
                           : partner.profile().time_zone();
    if (person.zone_name.empty() ||
        !absl::LoadTimeZone(person.zone_name, &person.zone)) {
      person.zone = absl::UTCTimeZone();
    }
    if (partner.user_id() == caller_user_id) {
      if (!person.zone_name.empty()) {
        viewer.zone_name = person.zone_name;
        viewer.zone = person.zone;
      }
      viewer.people.insert(viewer.people.begin(), std::move(person));
    } else {
      viewer.people.push_back(std::move(person));
    }
  }
  return viewer;
}

std::string NameOf(const Viewer& viewer, absl::string_view user_id) {
  if (!user_id.empty() && user_id == viewer.user_id) return "you";
  for (const Person& person : viewer.people) {
    if (person.user_id == user_id) return person.name;
  }
  return std::string(user_id);
}

std::string FormatLocal(absl::Time time, absl::TimeZone zone) {
  return absl::StrCat(absl::FormatTime("%a ", time, zone),
                      absl::ToCivilDay(time, zone).day(),
                      absl::FormatTime(" %b %H:%M %Z", time, zone));
}

std::string ExpandName(absl::string_view parent, absl::string_view collection,
                       absl::string_view name_or_id) {
  if (absl::StrContains(name_or_id, '/')) return std::string(name_or_id);
  return absl::StrCat(parent, "/", collection, "/", name_or_id);
}

absl::string_view ShortId(absl::string_view name) {
  const size_t slash = name.rfind('/');
  return slash == absl::string_view::npos ? name : name.substr(slash + 1);
}

std::string DescribeRrule(absl::string_view rrule) {
  if (absl::StripAsciiWhitespace(rrule).empty()) return "once";
  const absl::StatusOr<engine::Rrule> rule = engine::ParseRrule(rrule);
  if (!rule.ok()) return std::string(rrule);
  const RuleWords words = DescribeRule(*rule);
  return absl::StrCat(words.when, words.limit);
}

std::string DescribeRecurrence(const v1::Recurrence& recurrence,
                               v1::RitualKind kind) {
  RuleWords words;
  if (absl::StripAsciiWhitespace(recurrence.rrule()).empty()) {
    words.when = "once";
    if (recurrence.dtstart().has_date()) {
      absl::StrAppend(&words.when, " on ",
                      FormatDate(recurrence.dtstart().date()));
    }
  } else {
    const absl::StatusOr<engine::Rrule> rule =
        engine::ParseRrule(recurrence.rrule());
    if (rule.ok()) {
      words = DescribeRule(*rule);
    } else {
      words.when = recurrence.rrule();
    }
  }
  const absl::Duration offset = FromDuration(recurrence.anchor_offset());
  const char* anchor = nullptr;
  const char* at_anchor = nullptr;
  switch (recurrence.anchor()) {
    case v1::TIME_ANCHOR_LEAVE_FOR_WORK:
      anchor = "leaving for work";
      at_anchor = "when leaving for work";
      break;
    case v1::TIME_ANCHOR_WAKING_START:
      anchor = "the start of waking hours";
      at_anchor = "at the start of waking hours";
      break;
    case v1::TIME_ANCHOR_WAKING_END:
      anchor = "the end of waking hours";
      at_anchor = "at the end of waking hours";
      break;
    default:
      break;
  }
  if (anchor != nullptr) {
    if (offset == absl::ZeroDuration()) {
      absl::StrAppend(&words.when, " ", at_anchor);
    } else {
      absl::StrAppend(&words.when, " ", DurationInWords(offset),
                      offset < absl::ZeroDuration() ? " before " : " after ",
                      anchor);
    }
  } else if (recurrence.dtstart().has_time()) {
    absl::StrAppend(&words.when, " at ",
                    FormatTimeOfDay(recurrence.dtstart().time()));
  }
  if (!recurrence.time_zone().empty()) {
    absl::StrAppend(&words.when, " (", recurrence.time_zone(), ")");
  } else if (kind == v1::RITUAL_KIND_PERSONAL) {
    absl::StrAppend(&words.when, " (each in their own time zone)");
  } else if (kind == v1::RITUAL_KIND_SHARED) {
    absl::StrAppend(&words.when, " (your home time zone)");
  }
  return absl::StrCat(words.when, words.limit);
}

std::string PracticeInWords(tend::type::v1::Practice practice) {
  switch (practice) {
    case tend::type::v1::PRACTICE_TIME_TOGETHER:
      return "time together";
    case tend::type::v1::PRACTICE_LISTENING:
      return "listening";
    case tend::type::v1::PRACTICE_DEEPER_QUESTIONS:
      return "deeper questions";
    case tend::type::v1::PRACTICE_VULNERABILITY:
      return "vulnerability";
    case tend::type::v1::PRACTICE_SMALL_ACTS:
      return "small acts";
    case tend::type::v1::PRACTICE_LOVE_LANGUAGES:
      return "love languages";
    case tend::type::v1::PRACTICE_TOUCH:
      return "touch and affection";
    case tend::type::v1::PRACTICE_FUN:
      return "fun";
    case tend::type::v1::PRACTICE_REPAIR:
      return "repair";
    case tend::type::v1::PRACTICE_CHECK_IN:
      return "check-ins";
    case tend::type::v1::PRACTICE_RECOGNIZE_DISCONNECTION:
      return "noticing disconnection";
    case tend::type::v1::PRACTICE_GARDEN_REVIEW:
      return "garden review";
    default:
      return "no particular practice";
  }
}

bool WaitsForAcceptance(const v1::Ritual& ritual, absl::string_view user_id) {
  if (!ritual.has_proposal() || user_id.empty()) return false;
  const v1::RitualProposal& proposal = ritual.proposal();
  if (proposal.proposer_user_id() == user_id) return false;
  const auto& accepted = proposal.accepted_user_ids();
  return std::find(accepted.begin(), accepted.end(), user_id) == accepted.end();
}

std::string FormatRitual(const v1::Ritual& ritual, const Viewer& viewer,
                         absl::Time now) {
  std::string text = absl::StrCat(
      ritual.title().empty() ? "(untitled)" : ritual.title(), "\n",
      Field("id", ShortId(ritual.name())),
      Field("kind", KindInWords(ritual.kind(), ritual.participant_user_ids(),
                                ritual.duration(), viewer)),
      Field("schedule", DescribeRecurrence(ritual.recurrence(), ritual.kind())),
      Field("reminders", LeadTimesInWords(ritual.lead_times())),
      Field("state", StateInWords(ritual, viewer)));
  if (ritual.has_proposal() && !ritual.proposal().note().empty()) {
    absl::StrAppend(
        &text,
        Field("note", absl::StrCat("\"", ritual.proposal().note(), "\"")));
  }
  if (ritual.state() == v1::RITUAL_STATE_PAUSED && ritual.has_pause() &&
      !ritual.pause().note().empty()) {
    absl::StrAppend(
        &text, Field("note", absl::StrCat("\"", ritual.pause().note(), "\"")));
  }
  if (ritual.has_next_occurrence_time()) {
    const absl::Time next = FromTimestamp(ritual.next_occurrence_time());
    std::string when = FormatLocal(next, viewer.zone);
    if (next > now)
      absl::StrAppend(&when, ", in ", DurationInWords(next - now));
    absl::StrAppend(&text, Field("next", when));
  }
  return text;
}

std::string FormatTemplate(const v1::RitualTemplate& ritual) {
  v1::Recurrence recurrence;
  recurrence.set_rrule(ritual.rrule());
  if (ritual.has_time()) {
    *recurrence.mutable_dtstart()->mutable_time() = ritual.time();
  }
  recurrence.set_anchor(ritual.anchor());
  *recurrence.mutable_anchor_offset() = ritual.anchor_offset();
  std::string text = absl::StrCat(
      ShortId(ritual.name()), ": ", ritual.title(), "\n",
      Field("kind", KindInWords(ritual.kind(), {}, ritual.duration(), {})),
      Field("schedule", DescribeRecurrence(recurrence, ritual.kind())),
      Field("reminders", LeadTimesInWords(ritual.lead_times())),
      Field("practice", PracticeInWords(ritual.practice())));
  if (ritual.seeded_by_default()) {
    absl::StrAppend(&text, Field("seeded", "proposed when a couple pairs"));
  }
  if (!ritual.description().empty()) {
    absl::StrAppend(&text, Field("about", ritual.description()));
  }
  return text;
}

// For Alex in New York, whose partner Sam is in London, after two lines
// that name the window and the clock (FormatPreviewTest in
// tests/services/tendctl/cli_test.cc holds the whole text):
//
// clang-format off
//                                     Alex (you)        Sam
//                                     America/New_York  Europe/London
//
// Sun 5 May
//   Sunday check-in (together, 30 minutes)
//     starts                          Sun 19:00 EDT     Mon 00:00 BST
//     reminder to you, 1 hour before  Sun 18:00 EDT     Sun 23:00 BST
//     reminder to Sam, 1 hour before  Sun 17:00 EDT     Sun 22:00 BST  moved
//       Moved to 22:00: 23:00 is inside Sam's quiet hours
//     reminder to Sam, at the start   Sun 19:00 EDT     Mon 00:00 BST  dropped
//       Dropped: quiet hours
//     Conflict: it falls outside Sam's waking hours. Times that suit you both:
//       instead at 15:00              Sun 15:00 EDT     Sun 20:00 BST
//
// Mon 6 May
//   How are you feeling? (for Sam)
//     starts                          Mon 16:30 EDT     Mon 21:30 BST
//     reminder to Sam, at the start   Mon 16:30 EDT     Mon 21:30 BST
//
// In all: 2 occurrences, 4 reminders (1 moved, 1 dropped), 1 conflict.
// clang-format on
std::string FormatPreview(const v1::PreviewScheduleResponse& preview,
                          const Viewer& viewer, absl::Time start, int days) {
  std::vector<Group> groups;
  for (const v1::Occurrence& occurrence : preview.occurrences()) {
    groups.emplace_back(occurrence.ritual(), occurrence.title(),
                        FromTimestamp(occurrence.start_time()));
    groups.back().occurrence = &occurrence;
  }
  for (const v1::PlannedReminder& reminder : preview.reminders()) {
    GroupFor(&groups, reminder.ritual(), reminder.ritual_title(),
             FromTimestamp(reminder.occurrence_time()),
             reminder.recipient_user_id())
        ->reminders.push_back(&reminder);
  }
  for (const v1::ScheduleConflict& conflict : preview.conflicts()) {
    GroupFor(&groups, conflict.ritual(), "",
             FromTimestamp(conflict.occurrence_time()), "")
        ->conflicts.push_back(&conflict);
  }
  std::stable_sort(
      groups.begin(), groups.end(),
      [](const Group& a, const Group& b) { return a.start < b.start; });

  Sheet sheet;
  std::vector<std::string> partners;
  for (const Person& person : viewer.people) {
    if (person.user_id != viewer.user_id) partners.push_back(person.name);
  }
  sheet.Text(
      0, absl::StrCat("The next ", Count(days, "day"), " for you",
                      partners.empty() ? "" : " and ", JoinWords(partners),
                      ": ", FormatLocal(start, viewer.zone), " to ",
                      FormatLocal(start + absl::Hours(24) * days, viewer.zone),
                      "."));
  sheet.Text(0, absl::StrCat("Days follow your clock (", viewer.zone_name,
                             "); every time is shown on both clocks."));
  sheet.Blank();
  if (groups.empty()) {
    sheet.Text(0, "Nothing is planned in these days.");
    return sheet.Render();
  }
  std::vector<std::string> names = {""};
  std::vector<std::string> zones = {""};
  for (const Person& person : viewer.people) {
    names.push_back(person.user_id == viewer.user_id
                        ? absl::StrCat(person.display_name, " (you)")
                        : person.display_name);
    zones.push_back(person.zone_name.empty() ? "(no zone)" : person.zone_name);
  }
  names.emplace_back();
  zones.emplace_back();
  sheet.Row(std::move(names));
  sheet.Row(std::move(zones));
  std::optional<absl::CivilDay> day;
  for (const Group& group : groups) {
    const absl::CivilDay group_day = absl::ToCivilDay(group.start, viewer.zone);
    if (day != group_day) {
      sheet.Blank();
      sheet.Text(0, FormatDay(group_day));
      day = group_day;
    }
    AddGroup(group, viewer, &sheet);
  }
  sheet.Blank();
  sheet.Text(0, Totals(preview));
  return sheet.Render();
}

std::string FormatReminder(const v1::Reminder& reminder, const Viewer& viewer) {
  std::string text =
      absl::StrCat(FormatLocal(FromTimestamp(reminder.due_time()), viewer.zone),
                   "  ", TitleOf(reminder), "\n");
  const tend::type::v1::ReminderContent& content = reminder.content();
  if (!content.body().empty())
    absl::StrAppend(&text, "  ", content.body(), "\n");
  if (!content.question_text().empty()) {
    absl::StrAppend(&text, "  Question: ", content.question_text(), "\n");
  }
  for (const std::string& reflection : content.listening_guide()) {
    absl::StrAppend(&text, "  Listening: ", reflection, "\n");
  }
  const std::string id(ShortId(reminder.name()));
  switch (reminder.state()) {
    case v1::REMINDER_STATE_SCHEDULED:
    case v1::REMINDER_STATE_DELIVERED:
    case v1::REMINDER_STATE_SNOOZED:
      absl::StrAppend(&text, "  Answer: tendctl ack ", id,
                      " done | snooze 30m | skip\n");
      break;
    default:
      absl::StrAppend(&text, "  Now ",
                      EnumWords(v1::ReminderState_descriptor(),
                                "REMINDER_STATE_", reminder.state()),
                      " (", id, ").\n");
      break;
  }
  return text;
}

std::string FormatAcknowledged(const v1::Reminder& reminder,
                               const Viewer& viewer) {
  const v1::Acknowledgement& answer = reminder.acknowledgement();
  std::string text;
  switch (answer.action()) {
    case v1::ACKNOWLEDGE_ACTION_DONE:
      text = absl::StrCat("Marked done: ", TitleOf(reminder), ".");
      break;
    case v1::ACKNOWLEDGE_ACTION_SNOOZE:
      text = absl::StrCat(
          "Snoozed ", TitleOf(reminder), ": it comes back ",
          FormatLocal(FromTimestamp(reminder.due_time()), viewer.zone), ".");
      break;
    case v1::ACKNOWLEDGE_ACTION_SKIP:
      text = absl::StrCat("Skipped ", TitleOf(reminder),
                          " this time; the ritual carries on.");
      break;
    default:
      text = absl::StrCat(TitleOf(reminder), " is now ",
                          EnumWords(v1::ReminderState_descriptor(),
                                    "REMINDER_STATE_", reminder.state()),
                          ".");
      break;
  }
  if (answer.mood() > 0) {
    absl::StrAppend(&text, " Mood noted: ", answer.mood(), " of 5.");
  }
  absl::StrAppend(&text, "\n");
  if (answer.action() == v1::ACKNOWLEDGE_ACTION_SNOOZE &&
      !reminder.adjustments().empty()) {
    absl::StrAppend(&text, "  ", Explanation(*reminder.adjustments().rbegin()),
                    "\n");
  }
  return text;
}

std::string FormatReminderTable(const std::vector<v1::Reminder>& reminders,
                                const Viewer& viewer) {
  if (reminders.empty()) return "No reminders.\n";
  Sheet sheet;
  sheet.Row({"DUE (your clock)", "STATE", "TO", "RITUAL", "ID"});
  for (const v1::Reminder& reminder : reminders) {
    sheet.Row({FormatLocal(FromTimestamp(reminder.due_time()), viewer.zone),
               EnumWords(v1::ReminderState_descriptor(), "REMINDER_STATE_",
                         reminder.state()),
               NameOf(viewer, reminder.recipient_user_id()),
               reminder.ritual_title(), std::string(ShortId(reminder.name()))});
  }
  return sheet.Render();
}

std::string FormatCadence(const v1::Cadence& cadence, const Viewer& viewer) {
  const absl::Duration interval = FromDuration(cadence.check_in_interval());
  std::string every = absl::StrCat("every ", DurationInWords(interval));
  if (interval == absl::Hours(24)) every = "daily";
  if (interval == absl::Hours(24 * 7)) every = "weekly (every 7 days)";
  if (interval == absl::Hours(24 * 14)) every = "fortnightly (every 14 days)";
  if (interval <= absl::ZeroDuration()) every = "not set yet";
  std::string text = absl::StrCat("Check-ins: ", every, "\n");
  if (!cadence.reason().empty())
    absl::StrAppend(&text, Field("why", cadence.reason()));
  std::vector<std::string> practices;
  for (int practice : cadence.emphasised_practices()) {
    practices.push_back(
        PracticeInWords(static_cast<tend::type::v1::Practice>(practice)));
  }
  if (!practices.empty()) {
    absl::StrAppend(&text, Field("emphasis", JoinWords(practices)));
  }
  if (cadence.recent_mood() > 0) {
    absl::StrAppend(&text,
                    Field("mood", absl::StrFormat("%.1f of 5 lately",
                                                  cadence.recent_mood())));
  }
  if (cadence.has_connection_score_time()) {
    absl::StrAppend(
        &text,
        Field("connection",
              absl::StrCat(
                  cadence.connection_score(), " of 100, measured ",
                  FormatLocal(FromTimestamp(cadence.connection_score_time()),
                              viewer.zone))));
  }
  if (cadence.has_last_check_in_time()) {
    absl::StrAppend(
        &text,
        Field("last", FormatLocal(FromTimestamp(cadence.last_check_in_time()),
                                  viewer.zone)));
  }
  if (cadence.has_next_check_in_time()) {
    absl::StrAppend(
        &text,
        Field("next", FormatLocal(FromTimestamp(cadence.next_check_in_time()),
                                  viewer.zone)));
  }
  if (cadence.drifting()) {
    absl::StrAppend(&text,
                    "\nIt has been a while since your last check-in; a gentle "
                    "nudge is on its way.\n");
  }
  if (cadence.counselling_suggested()) {
    absl::StrAppend(&text, "\nTend suggests talking with a couples counsellor",
                    cadence.counselling_reason().empty()
                        ? "."
                        : absl::StrCat(": ", cadence.counselling_reason()),
                    "\n");
  }
  return text;
}

std::string FormatStreaks(const v1::Streaks& streaks,
                          const std::map<std::string, std::string>& titles,
                          const Viewer& viewer) {
  const auto run = [&viewer](const v1::Streak& streak) {
    std::string words = absl::StrCat(
        streak.current_count(), " in a row, longest ", streak.longest_count());
    if (streak.has_last_kept_time()) {
      absl::StrAppend(
          &words, ", last kept ",
          FormatLocal(FromTimestamp(streak.last_kept_time()), viewer.zone));
    }
    if (streak.frozen()) absl::StrAppend(&words, ", frozen while paused");
    return words;
  };
  Sheet sheet;
  sheet.Text(0, absl::StrCat("Together: ", run(streaks.couple())));
  if (streaks.rituals().empty()) {
    sheet.Text(0, "No ritual has a streak yet.");
    return sheet.Render();
  }
  for (const v1::Streak& streak : streaks.rituals()) {
    const auto title = titles.find(streak.ritual());
    std::string label = absl::StrCat(
        "  ", title == titles.end() ? std::string(ShortId(streak.ritual()))
                                    : title->second);
    if (!streak.user_id().empty()) {
      absl::StrAppend(&label, " (", NameOf(viewer, streak.user_id()), ")");
    }
    sheet.Row({std::move(label), run(streak)});
  }
  return sheet.Render();
}

absl::Status ParseAcknowledgement(const std::vector<std::string>& words,
                                  v1::AcknowledgeReminderRequest* request) {
  constexpr char kActions[] = "done, snooze DURATION (e.g. snooze 30m) or skip";
  if (words.empty())
    return UsageError(absl::StrCat("missing ACTION: ", kActions));
  const std::string action = absl::AsciiStrToLower(words[0]);
  size_t used = 1;
  if (action == "done") {
    request->set_action(v1::ACKNOWLEDGE_ACTION_DONE);
  } else if (action == "skip") {
    request->set_action(v1::ACKNOWLEDGE_ACTION_SKIP);
  } else if (action == "snooze") {
    if (words.size() < 2) {
      return UsageError("snooze needs a duration, e.g. 'snooze 30m'");
    }
    absl::Duration duration;
    if (!absl::ParseDuration(words[1], &duration)) {
      return UsageError(absl::StrCat(
          "snooze: expected a duration such as 30m, 2h or 1h30m, got \"",
          words[1], "\""));
    }
    if (duration <= absl::ZeroDuration()) {
      return UsageError("snooze: the duration must be positive");
    }
    request->set_action(v1::ACKNOWLEDGE_ACTION_SNOOZE);
    *request->mutable_snooze_duration() =
        google::protobuf::util::TimeUtil::MicrosecondsToDuration(
            absl::ToInt64Microseconds(duration));
    used = 2;
  } else {
    return UsageError(
        absl::StrCat("unknown action '", words[0], "': use ", kActions));
  }
  if (words.size() > used) {
    return UsageError(absl::StrCat("unexpected argument '", words[used], "'"));
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::Time> ParseInstant(absl::string_view flag,
                                        absl::string_view text,
                                        absl::TimeZone zone) {
  // With an offset first, so that a local reading never wins over one.
  constexpr const char* kFormats[] = {
      absl::RFC3339_full, "%Y-%m-%d%ET%H:%M%Ez", "%Y-%m-%d%ET%H:%M:%S",
      "%Y-%m-%d%ET%H:%M", "%Y-%m-%d %H:%M:%S",   "%Y-%m-%d %H:%M",
  };
  const std::string input(absl::StripAsciiWhitespace(text));
  for (const char* format : kFormats) {
    absl::Time time;
    std::string error;
    if (absl::ParseTime(format, input, zone, &time, &error)) return time;
  }
  return UsageError(absl::StrCat(
      "--", flag,
      ": expected RFC 3339 (e.g. 2024-05-05T19:00:00-04:00) or a local "
      "\"YYYY-MM-DD HH:MM\" on your clock, got \"",
      text, "\""));
}

absl::StatusOr<tend::type::v1::Date> ParseDate(absl::string_view flag,
                                               absl::string_view text) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day) || absl::FormatCivilTime(day) != text ||
      day.year() < 1 || day.year() > 9999) {
    return UsageError(absl::StrCat("--", flag,
                                   ": expected a day as YYYY-MM-DD (e.g. "
                                   "2024-05-05), got \"",
                                   text, "\""));
  }
  tend::type::v1::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

absl::StatusOr<v1::RitualKind> ParseRitualKind(absl::string_view flag,
                                               absl::string_view text) {
  const std::optional<int> kind =
      EnumValue(v1::RitualKind_descriptor(), "RITUAL_KIND_", text);
  if (!kind.has_value()) {
    return UsageError(
        absl::StrCat("--", flag, ": expected ",
                     EnumChoices(v1::RitualKind_descriptor(), "RITUAL_KIND_"),
                     ", got \"", text, "\""));
  }
  return static_cast<v1::RitualKind>(*kind);
}

absl::StatusOr<std::vector<v1::ReminderState>> ParseReminderStates(
    absl::string_view flag, absl::string_view text) {
  std::vector<v1::ReminderState> states;
  for (absl::string_view word : absl::StrSplit(text, ',')) {
    const std::optional<int> state =
        EnumValue(v1::ReminderState_descriptor(), "REMINDER_STATE_", word);
    if (!state.has_value()) {
      return UsageError(absl::StrCat(
          "--", flag, ": unknown reminder state \"", word, "\"; use ",
          EnumChoices(v1::ReminderState_descriptor(), "REMINDER_STATE_"),
          ", comma separated"));
    }
    states.push_back(static_cast<v1::ReminderState>(*state));
  }
  return states;
}

}  // namespace tend::tendctl
