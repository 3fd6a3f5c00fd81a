#include "engine/tools/plan_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "engine/base/status_macros.h"
#include "engine/plan/ritual_templates.h"
#include "engine/recur/recurrence.h"
#include "nlohmann/json.hpp"

namespace tend::engine {
namespace {

using Json = nlohmann::json;

// The keys each object may hold; anything else is a typo worth reporting.
const std::vector<absl::string_view> kTopKeys = {"home_time_zone", "partners",
                                                 "rituals"};
const std::vector<absl::string_view> kPartnerKeys = {
    "id",          "name",         "time_zone",      "waking_hours",
    "quiet_hours", "daily_budget", "leave_for_work", "travel"};
const std::vector<absl::string_view> kTravelKeys = {"at", "time_zone"};
const std::vector<absl::string_view> kRitualKeys = {
    "template", "id",      "title",     "kind",         "participants",
    "rrule",    "dtstart", "time_zone", "duration",     "lead_times",
    "paused",   "skipped", "anchor",    "anchor_offset"};

absl::Status Invalid(absl::string_view field, absl::string_view rule) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", rule));
}

std::string Child(absl::string_view path, absl::string_view key) {
  return path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
}

std::string Item(absl::string_view path, size_t i) {
  return absl::StrCat(path, "[", i, "]");
}

// What a JSON value is, for "must be a string, got a number".
absl::string_view KindOf(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "a list";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "true or false";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return "a number";
    default:
      return "something else";
  }
}

absl::Status WrongType(const Json& j, absl::string_view field,
                       absl::string_view want) {
  return Invalid(field, absl::StrCat("must be ", want, ", got ", KindOf(j)));
}

// One JSON object of the document, with its path, read field by field.
class Object {
 public:
  Object(const Json& json, std::string path)
      : json_(json), path_(std::move(path)) {}

  // The object, or why `json` is not one, or which key is unknown.
  static absl::StatusOr<Object> Open(
      const Json& json, std::string path,
      const std::vector<absl::string_view>& keys) {
    if (!json.is_object()) {
      return WrongType(json, path.empty() ? "document" : path, "an object");
    }
    for (const auto& [key, value] : json.items()) {
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        return Invalid(Child(path, key),
                       absl::StrCat("unknown field; expected one of ",
                                    absl::StrJoin(keys, ", ")));
      }
    }
    return Object(json, std::move(path));
  }

  const std::string& path() const { return path_; }
  std::string Field(absl::string_view key) const { return Child(path_, key); }
  bool Has(absl::string_view key) const {
    return json_.contains(std::string(key));
  }
  const Json& Get(absl::string_view key) const {
    return json_.at(std::string(key));
  }

  absl::StatusOr<std::optional<std::string>> String(
      absl::string_view key) const {
    if (!Has(key)) return std::nullopt;
    const Json& j = Get(key);
    if (!j.is_string()) return WrongType(j, Field(key), "a string");
    return j.get<std::string>();
  }

  absl::StatusOr<std::string> RequiredString(absl::string_view key) const {
    TEND_ASSIGN_OR_RETURN(std::optional<std::string> s, String(key));
    if (!s) return Invalid(Field(key), "is required");
    if (s->empty()) return Invalid(Field(key), "must not be empty");
    return *s;
  }

  // Read()
  //
  // When `key` is present, its string parsed by `parse(text, field)` into
  // `*out`; nothing when it is absent.
  template <typename T, typename ParseFn>
  absl::Status Read(absl::string_view key, ParseFn parse, T* out) const {
    TEND_ASSIGN_OR_RETURN(std::optional<std::string> text, String(key));
    if (text) {
      TEND_ASSIGN_OR_RETURN(*out, parse(*text, Field(key)));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<bool>> Bool(absl::string_view key) const {
    if (!Has(key)) return std::nullopt;
    const Json& j = Get(key);
    if (!j.is_boolean()) return WrongType(j, Field(key), "true or false");
    return j.get<bool>();
  }

  // The list at `key` (empty when absent), each element with its path.
  absl::StatusOr<std::vector<std::pair<const Json*, std::string>>> List(
      absl::string_view key) const {
    std::vector<std::pair<const Json*, std::string>> out;
    if (!Has(key)) return out;
    const Json& j = Get(key);
    if (!j.is_array()) return WrongType(j, Field(key), "a list");
    for (size_t i = 0; i < j.size(); ++i) {
      out.emplace_back(&j[i], Item(Field(key), i));
    }
    return out;
  }

 private:
  const Json& json_;
  std::string path_;
};

absl::StatusOr<std::string> StringValue(const Json& j,
                                        absl::string_view field) {
  if (!j.is_string()) return WrongType(j, field, "a string");
  return j.get<std::string>();
}

// ---------------------------------------------------------------------------
// Values.

absl::StatusOr<absl::TimeZone> ParseZone(absl::string_view text,
                                         absl::string_view field) {
  absl::TimeZone zone;
  if (text.empty() || !absl::LoadTimeZone(std::string(text), &zone)) {
    return Invalid(
        field, absl::StrCat("'", text, "' is not in the time zone database"));
  }
  return zone;
}

// "HH:MM", 00:00 to 23:59.
absl::StatusOr<TimeOfDay> ParseClock(absl::string_view text,
                                     absl::string_view field) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  TimeOfDay t;
  if (parts.size() != 2 || parts[0].empty() || parts[0].size() > 2 ||
      parts[1].size() != 2 || !absl::SimpleAtoi(parts[0], &t.hours) ||
      !absl::SimpleAtoi(parts[1], &t.minutes) || t.hours < 0 || t.hours > 23 ||
      t.minutes < 0 || t.minutes > 59) {
    return Invalid(
        field, absl::StrCat("'", text, "' is not a time of day such as 07:30"));
  }
  return t;
}

// "HH:MM-HH:MM"; one that wraps past midnight is a night.
absl::StatusOr<TimeWindow> ParseWindow(absl::string_view text,
                                       absl::string_view field) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
  absl::StatusOr<TimeOfDay> start = absl::InvalidArgumentError("");
  absl::StatusOr<TimeOfDay> end = absl::InvalidArgumentError("");
  if (parts.size() == 2) {
    start = ParseClock(parts[0], field);
    end = ParseClock(parts[1], field);
  }
  if (!start.ok() || !end.ok()) {
    return Invalid(field, absl::StrCat("'", text,
                                       "' is not a window of local time such "
                                       "as 22:00-07:00"));
  }
  if (*start == *end) {
    return Invalid(field, absl::StrCat("'", text,
                                       "' is empty: its start and end must "
                                       "differ"));
  }
  return TimeWindow{*start, *end};
}

// Go-style durations as absl reads them: "30m", "2h", "1h30m", "0m".
absl::StatusOr<absl::Duration> ParseSpan(absl::string_view text,
                                         absl::string_view field) {
  absl::Duration d;
  if (!absl::ParseDuration(text, &d) || d == absl::InfiniteDuration() ||
      d == -absl::InfiniteDuration()) {
    return Invalid(field, absl::StrCat("'", text,
                                       "' is not a duration such as 30m, 2h "
                                       "or 1h30m"));
  }
  return d;
}

// An RFC 3339 instant with its offset.
absl::StatusOr<absl::Time> ParseInstant(absl::string_view text,
                                        absl::string_view field) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
    return Invalid(field, absl::StrCat("'", text,
                                       "' is not an RFC 3339 time such as "
                                       "2026-03-01T19:00:00-05:00"));
  }
  return t;
}

// "YYYY-MM-DDTHH:MM", or with ":SS"; the date must exist.
absl::StatusOr<absl::CivilSecond> ParseLocal(absl::string_view text,
                                             absl::string_view field) {
  absl::CivilMinute minute;
  absl::CivilSecond second;
  if (text.size() == 16 && absl::ParseCivilTime(text, &minute)) {
    return absl::CivilSecond(minute);
  }
  if (text.size() == 19 && absl::ParseCivilTime(text, &second)) {
    return second;
  }
  return Invalid(field, absl::StrCat("'", text,
                                     "' is not a local date and time such "
                                     "as 2026-03-01T19:00"));
}

// ---------------------------------------------------------------------------
// Partners.

absl::Status ReadTravel(const Object& partner, Partner* p) {
  TEND_ASSIGN_OR_RETURN(auto stops, partner.List("travel"));
  for (const auto& [json, path] : stops) {
    TEND_ASSIGN_OR_RETURN(Object stop, Object::Open(*json, path, kTravelKeys));
    TEND_ASSIGN_OR_RETURN(std::string at, stop.RequiredString("at"));
    TEND_ASSIGN_OR_RETURN(std::string zone, stop.RequiredString("time_zone"));
    ZoneChange change;
    TEND_ASSIGN_OR_RETURN(change.at, ParseInstant(at, stop.Field("at")));
    TEND_ASSIGN_OR_RETURN(change.zone,
                          ParseZone(zone, stop.Field("time_zone")));
    if (!p->travel.empty() && change.at <= p->travel.back().at) {
      return Invalid(stop.Field("at"), "must be later than the stop before it");
    }
    p->travel.push_back(change);
  }
  return absl::OkStatus();
}

absl::StatusOr<Partner> ReadPartner(const Json& json, const std::string& path) {
  TEND_ASSIGN_OR_RETURN(Object o, Object::Open(json, path, kPartnerKeys));
  Partner p;
  TEND_ASSIGN_OR_RETURN(p.id, o.RequiredString("id"));
  TEND_ASSIGN_OR_RETURN(std::optional<std::string> name, o.String("name"));
  if (name) p.display_name = *name;
  TEND_ASSIGN_OR_RETURN(std::string zone, o.RequiredString("time_zone"));
  TEND_ASSIGN_OR_RETURN(p.zone, ParseZone(zone, o.Field("time_zone")));

  TEND_RETURN_IF_ERROR(o.Read("waking_hours", ParseWindow, &p.waking_hours));
  if (o.Has("quiet_hours") && o.Get("quiet_hours").is_null()) {
    p.quiet_hours.reset();  // null: this person has no quiet hours
  } else {
    TEND_RETURN_IF_ERROR(o.Read("quiet_hours", ParseWindow, &p.quiet_hours));
  }
  if (o.Has("daily_budget")) {
    const Json& j = o.Get("daily_budget");
    if (!j.is_number_integer()) {
      return WrongType(j, o.Field("daily_budget"), "a whole number");
    }
    const int64_t budget = j.get<int64_t>();
    if (budget < 1 || budget > 20) {
      return Invalid(o.Field("daily_budget"),
                     absl::StrCat("must be from 1 to 20, got ", budget));
    }
    p.daily_budget = static_cast<int>(budget);
  }
  TEND_RETURN_IF_ERROR(o.Read("leave_for_work", ParseClock, &p.leave_for_work));
  TEND_RETURN_IF_ERROR(ReadTravel(o, &p));
  return p;
}

// ---------------------------------------------------------------------------
// Rituals.

absl::StatusOr<TimeAnchor> ParseAnchor(absl::string_view text,
                                       absl::string_view field) {
  if (text == "none") return TimeAnchor::kNone;
  if (text == "leave_for_work") return TimeAnchor::kLeaveForWork;
  if (text == "waking_start") return TimeAnchor::kWakingStart;
  if (text == "waking_end") return TimeAnchor::kWakingEnd;
  return Invalid(field, absl::StrCat("'", text,
                                     "' is not one of none, leave_for_work, "
                                     "waking_start, waking_end"));
}

// The first day on or after `day` that `rrule` matches, at `time`: where a
// template ritual starts when the file does not say.
absl::CivilSecond FirstMatch(const std::string& rrule, absl::CivilDay day,
                             TimeOfDay time, absl::TimeZone zone) {
  const absl::CivilSecond at(day.year(), day.month(), day.day(), time.hours,
                             time.minutes, 0);
  // DTSTART always counts as an occurrence, so start the rule the day
  // before and take its first real match.
  const absl::CivilDay prev = day - 1;
  const absl::CivilSecond day_before(prev.year(), prev.month(), prev.day(),
                                     time.hours, time.minutes, 0);
  absl::StatusOr<Recurrence> probe = Recurrence::Parse(rrule, day_before, zone);
  if (probe.ok()) {
    if (std::optional<Occurrence> first =
            probe->NextAfter(LocalToInstant(day_before, zone))) {
      return first->local;
    }
  }
  return at;  // the rule is reported when the ritual is checked
}

// The fields a custom ritual sets and a template ritual may override.
absl::Status ReadRitualFields(const Object& o, const Couple& couple,
                              Ritual* r) {
  TEND_ASSIGN_OR_RETURN(std::optional<std::string> title, o.String("title"));
  if (title) r->title = *title;

  if (o.Has("participants")) {
    TEND_ASSIGN_OR_RETURN(auto ids, o.List("participants"));
    r->participant_ids.clear();
    for (const auto& [json, path] : ids) {
      TEND_ASSIGN_OR_RETURN(std::string id, StringValue(*json, path));
      if (id != couple.partners[0].id && id != couple.partners[1].id) {
        return Invalid(
            path, absl::StrCat("'", id, "' is not the id of either partner"));
      }
      if (std::find(r->participant_ids.begin(), r->participant_ids.end(), id) !=
          r->participant_ids.end()) {
        return Invalid(path, absl::StrCat("'", id, "' is listed twice"));
      }
      r->participant_ids.push_back(id);
    }
  }
  TEND_ASSIGN_OR_RETURN(std::optional<std::string> rrule, o.String("rrule"));
  if (rrule) r->rrule = *rrule;
  TEND_RETURN_IF_ERROR(o.Read("time_zone", ParseZone, &r->zone));
  TEND_RETURN_IF_ERROR(o.Read("dtstart", ParseLocal, &r->dtstart));
  TEND_RETURN_IF_ERROR(o.Read("duration", ParseSpan, &r->duration));
  if (r->duration < absl::ZeroDuration() || r->duration > kMaxDuration) {
    return Invalid(o.Field("duration"), "must be from 0m to 24h");
  }
  if (o.Has("lead_times")) {
    TEND_ASSIGN_OR_RETURN(auto leads, o.List("lead_times"));
    if (leads.size() > static_cast<size_t>(kMaxLeadTimes)) {
      return Invalid(o.Field("lead_times"),
                     absl::StrCat("at most ", kMaxLeadTimes));
    }
    r->lead_times.clear();
    for (const auto& [json, path] : leads) {
      TEND_ASSIGN_OR_RETURN(std::string text, StringValue(*json, path));
      TEND_ASSIGN_OR_RETURN(absl::Duration lead, ParseSpan(text, path));
      if (lead < absl::ZeroDuration() || lead > kMaxLeadTime) {
        return Invalid(path, "must be from 0m to 168h (7 days)");
      }
      r->lead_times.push_back(lead);
    }
  }
  TEND_ASSIGN_OR_RETURN(std::optional<bool> paused, o.Bool("paused"));
  if (paused) r->paused = *paused;
  TEND_ASSIGN_OR_RETURN(auto skipped, o.List("skipped"));
  for (const auto& [json, path] : skipped) {
    TEND_ASSIGN_OR_RETURN(std::string text, StringValue(*json, path));
    TEND_ASSIGN_OR_RETURN(absl::Time t, ParseInstant(text, path));
    r->skipped.push_back(t);
  }
  TEND_RETURN_IF_ERROR(o.Read("anchor", ParseAnchor, &r->anchor));
  return o.Read("anchor_offset", ParseSpan, &r->anchor_offset);
}

absl::StatusOr<Ritual> ReadRitual(const Json& json, const std::string& path,
                                  const Couple& couple, absl::CivilDay today) {
  TEND_ASSIGN_OR_RETURN(Object o, Object::Open(json, path, kRitualKeys));
  TEND_ASSIGN_OR_RETURN(std::optional<std::string> template_id,
                        o.String("template"));
  Ritual r;
  if (template_id) {
    const RitualTemplate* t = FindRitualTemplate(*template_id);
    if (t == nullptr) {
      std::vector<absl::string_view> known;
      for (const RitualTemplate& k : RitualTemplates()) known.push_back(k.id);
      return Invalid(
          o.Field("template"),
          absl::StrCat("no template '", *template_id, "'; the templates are ",
                       absl::StrJoin(known, ", ")));
    }
    if (o.Has("kind")) {
      return Invalid(o.Field("kind"),
                     absl::StrCat("comes from the template '", t->id,
                                  "' and cannot be changed"));
    }
    TEND_ASSIGN_OR_RETURN(std::optional<std::string> id, o.String("id"));
    r = RitualFromTemplate(*t, id ? *id : t->id, today,
                           {couple.partners[0].id, couple.partners[1].id});
    TEND_RETURN_IF_ERROR(ReadRitualFields(o, couple, &r));
    if (!o.Has("dtstart")) {
      r.dtstart = FirstMatch(r.rrule, today, t->time,
                             r.zone ? *r.zone : couple.home_zone);
    }
  } else {
    TEND_ASSIGN_OR_RETURN(r.id, o.RequiredString("id"));
    TEND_ASSIGN_OR_RETURN(std::string kind, o.RequiredString("kind"));
    if (kind == "shared") {
      r.kind = RitualKind::kShared;
    } else if (kind == "personal") {
      r.kind = RitualKind::kPersonal;
      r.participant_ids = {couple.partners[0].id, couple.partners[1].id};
    } else {
      return Invalid(o.Field("kind"),
                     absl::StrCat("'", kind, "' is not shared or personal"));
    }
    if (!o.Has("dtstart")) {
      return Invalid(o.Field("dtstart"),
                     "is required for a ritual without a template");
    }
    TEND_RETURN_IF_ERROR(ReadRitualFields(o, couple, &r));
  }

  if (r.id.empty()) return Invalid(o.Field("id"), "must not be empty");
  if (r.kind == RitualKind::kShared && r.participant_ids.size() == 1) {
    return Invalid(o.Field("participants"),
                   "a shared ritual involves both partners");
  }
  if (r.kind == RitualKind::kPersonal && r.participant_ids.empty()) {
    return Invalid(o.Field("participants"),
                   "a personal ritual needs a participant");
  }
  if (r.anchor != TimeAnchor::kNone && r.kind != RitualKind::kPersonal) {
    return Invalid(o.Field("anchor"),
                   "only personal rituals follow a point in a person's day");
  }
  if (absl::AbsDuration(r.anchor_offset) > kMaxAnchorOffset) {
    return Invalid(o.Field("anchor_offset"), "must be within 12h either way");
  }
  // The rule, checked here so its message carries this ritual's path.
  if (!r.rrule.empty()) {
    absl::StatusOr<Recurrence> rule =
        Recurrence::Parse(r.rrule, r.dtstart, couple.home_zone);
    if (!rule.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".", rule.status().message()));
    }
  }
  return r;
}

// The JSON parser's message without its "[json.exception...] " prefix.
std::string ParseErrorText(const char* what) {
  absl::string_view text = what;
  if (size_t end = text.find("] ");
      absl::StartsWith(text, "[json.") && end != absl::string_view::npos) {
    text.remove_prefix(end + 2);
  }
  return std::string(text);
}

}  // namespace

absl::StatusOr<PlanFile> ParsePlanFile(absl::string_view json,
                                       absl::Time today) {
  Json doc;
  try {
    doc = Json::parse(json.begin(), json.end());
  } catch (const Json::exception& e) {  // parse_error; out_of_range: 1e999
    return absl::InvalidArgumentError(
        absl::StrCat("not valid JSON: ", ParseErrorText(e.what())));
  }
  TEND_ASSIGN_OR_RETURN(Object top, Object::Open(doc, "", kTopKeys));
  PlanFile file;
  TEND_ASSIGN_OR_RETURN(std::string home, top.RequiredString("home_time_zone"));
  TEND_ASSIGN_OR_RETURN(file.couple.home_zone,
                        ParseZone(home, "home_time_zone"));

  if (!top.Has("partners")) return Invalid("partners", "is required");
  TEND_ASSIGN_OR_RETURN(auto partners, top.List("partners"));
  if (partners.size() != 2) {
    return Invalid(
        "partners",
        absl::StrCat("must list exactly two people, got ", partners.size()));
  }
  for (int i = 0; i < 2; ++i) {
    TEND_ASSIGN_OR_RETURN(file.couple.partners[i],
                          ReadPartner(*partners[i].first, partners[i].second));
  }
  if (file.couple.partners[0].id == file.couple.partners[1].id) {
    return Invalid("partners[1].id",
                   absl::StrCat("'", file.couple.partners[1].id,
                                "' is already the id of partners[0]"));
  }

  const absl::CivilDay day = absl::ToCivilDay(today, file.couple.home_zone);
  TEND_ASSIGN_OR_RETURN(auto rituals, top.List("rituals"));
  for (const auto& [json, path] : rituals) {
    TEND_ASSIGN_OR_RETURN(Ritual r, ReadRitual(*json, path, file.couple, day));
    for (const Ritual& other : file.rituals) {
      if (other.id == r.id) {
        return Invalid(Child(path, "id"),
                       absl::StrCat("'", r.id,
                                    "' is already used by another ritual; "
                                    "give each its own id"));
      }
    }
    file.rituals.push_back(std::move(r));
  }
  return file;
}

absl::StatusOr<PlanFile> ReadPlanFile(const std::string& path,
                                      absl::Time today) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read the file: ", std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParsePlanFile(text.str(), today);
}

}  // namespace tend::engine
