#include "services/scheduler/reminder_planner.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "engine/base/status_macros.h"
#include "nlohmann/json.hpp"
#include "services/scheduler/convert.h"

namespace tend::scheduler {
namespace {

// How long after its occurrence a reminder is still worth showing.
constexpr absl::Duration kStaleAfter = absl::Hours(1);

// The cadence model's interval for check-ins in days; 7 when it has not
// spoken yet.
int IntervalFrom(const std::optional<nlohmann::json>& cadence) {
  if (!cadence.has_value() || !cadence->is_object()) return 7;
  return cadence->value("interval_days", 7);
}

// Planning looks this far around the occurrence it plans from.
constexpr absl::Duration kWindowBefore = absl::Hours(24);
constexpr absl::Duration kWindowAfter = absl::Hours(24 * 9);

}  // namespace

std::string EncodeReminder(const v1::Reminder& reminder) {
  return absl::StrCat("R", reminder.SerializeAsString());
}

std::string EncodeTick(const Tick& tick) {
  nlohmann::json j = {{"r", tick.ritual_id},
                      {"p", tick.participant_id},
                      {"i", tick.index},
                      {"s", absl::ToUnixSeconds(tick.start)},
                      {"u", tick.user_id}};
  if (tick.previous_start.has_value()) {
    j["v"] = absl::ToUnixSeconds(*tick.previous_start);
  }
  return absl::StrCat("T", j.dump());
}

std::string EncodeResume(absl::string_view ritual_id,
                         absl::string_view user_id) {
  return absl::StrCat("U", ritual_id, "|", user_id);
}

absl::StatusOr<QueueItem> DecodeItem(absl::string_view payload) {
  QueueItem item;
  if (payload == kSweepPayload) {
    item.sweep = true;
    return item;
  }
  if (!payload.empty() && payload[0] == 'R') {
    v1::Reminder reminder;
    if (reminder.ParseFromArray(payload.data() + 1,
                                static_cast<int>(payload.size() - 1))) {
      item.reminder = std::move(reminder);
      return item;
    }
  } else if (!payload.empty() && payload[0] == 'T') {
    nlohmann::json j = nlohmann::json::parse(payload.substr(1), nullptr, false);
    if (j.is_object() && j.contains("r") && j.contains("i")) {
      item.tick = Tick{j.value("r", ""), j.value("p", ""),
                       j.value("i", int64_t{0}),
                       absl::FromUnixSeconds(j.value("s", int64_t{0})),
                       std::nullopt, j.value("u", "")};
      if (j.contains("v")) {
        item.tick->previous_start =
            absl::FromUnixSeconds(j.value("v", int64_t{0}));
      }
      return item;
    }
  } else if (payload.size() > 1 && payload[0] == 'U') {
    const absl::string_view body = payload.substr(1);
    const size_t bar = body.find('|');
    if (bar != absl::string_view::npos) {
      item.resume_ritual_id = std::string(body.substr(0, bar));
      item.resume_user_id = std::string(body.substr(bar + 1));
      return item;
    }
  }
  return absl::DataLossError("queue: payload does not decode");
}

engine::QueuedReminder SweepItem(absl::string_view couple_id, absl::Time due,
                                 absl::Duration retention) {
  const absl::Duration slot = std::max(retention / 4, absl::Minutes(1));
  // The slot's end strictly after due + retention: a sweep forgets what
  // is due strictly before its time minus the retention.
  const absl::Time at = absl::UnixEpoch() +
                        absl::Floor(due + retention - absl::UnixEpoch(), slot) +
                        slot;
  return {absl::StrCat("sweep.", couple_id, ".", absl::ToUnixSeconds(at)),
          std::string(couple_id), at, std::string(kSweepPayload)};
}

engine::QueuedReminder SweepNow(absl::string_view couple_id, absl::Time now) {
  return {absl::StrCat("sweep.", couple_id, ".more.", absl::ToUnixMillis(now)),
          std::string(couple_id), now, std::string(kSweepPayload)};
}

std::string ReminderId(const v1::Reminder& reminder) {
  absl::string_view name = reminder.name();
  return std::string(name.substr(name.rfind('/') + 1));
}

bool IsOpenRecord(const std::optional<RecordSummary>& record) {
  return !record.has_value() || record->state == v1::REMINDER_STATE_SCHEDULED ||
         record->state == v1::REMINDER_STATE_DROPPED ||
         record->state == v1::REMINDER_STATE_CANCELLED;
}

std::pair<absl::Time, absl::Time> PlanWindow(absl::Time after) {
  return {after - kWindowBefore, after + kWindowAfter};
}

absl::StatusOr<int> ReminderPlanner::CheckInInterval(
    absl::string_view couple_id) {
  TEND_ASSIGN_OR_RETURN(std::optional<nlohmann::json> cadence,
                        store_->Cadence(couple_id));
  return IntervalFrom(cadence);
}

absl::StatusOr<std::vector<engine::Ritual>> ReminderPlanner::ToEngineRituals(
    absl::string_view couple_id, const std::vector<v1::Ritual>& rituals,
    bool include_proposed) {
  PlanInputs inputs;
  TEND_ASSIGN_OR_RETURN(inputs.skips, store_->Skips(couple_id));
  for (const v1::Ritual& ritual : rituals) {
    if (ritual.ritual_template() == "ritualTemplates/weekly-check-in") {
      TEND_ASSIGN_OR_RETURN(inputs.cadence, store_->Cadence(couple_id));
      break;
    }
  }
  return ToEngineRituals(rituals, include_proposed, inputs);
}

absl::StatusOr<std::vector<engine::Ritual>> ReminderPlanner::ToEngineRituals(
    const std::vector<v1::Ritual>& rituals, bool include_proposed,
    const PlanInputs& inputs) {
  std::vector<engine::Ritual> out;
  for (const v1::Ritual& ritual : rituals) {
    const bool wanted =
        ritual.state() == v1::RITUAL_STATE_ACTIVE ||
        (include_proposed && ritual.state() == v1::RITUAL_STATE_PROPOSED);
    if (!wanted) continue;
    TEND_ASSIGN_OR_RETURN(engine::Ritual r, ToEngineRitual(ritual));
    if (auto it = inputs.skips.find(r.id); it != inputs.skips.end()) {
      r.skipped = it->second;
    }
    // The weekly check-in follows the adaptive cadence: when the model asks
    // for more often than weekly, it recurs every `interval` days instead.
    if (ritual.ritual_template() == "ritualTemplates/weekly-check-in") {
      const int interval = IntervalFrom(inputs.cadence);
      if (interval < 7) {
        r.rrule = absl::StrCat("FREQ=DAILY;INTERVAL=", interval);
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<PlannedItems> ReminderPlanner::PlanNext(
    const pairing::v1::Couple& couple, const std::vector<v1::Ritual>& rituals,
    absl::Time after, const std::vector<engine::StreamCursor>& cursors) {
  const std::string couple_id = CoupleId(couple);
  const auto [from, to] = PlanWindow(after);
  TEND_ASSIGN_OR_RETURN(PlanInputs inputs,
                        store_->LoadPlanInputs(couple_id, from, to));
  TEND_ASSIGN_OR_RETURN(PlannedItems items,
                        Draft(couple, rituals, after, cursors, &inputs));
  // A reminder already sent or answered keeps its record: re-planning an
  // occurrence must not turn a delivered reminder back into a planned one.
  CoupleReads existing;
  existing.couple_id = couple_id;
  for (const v1::Reminder& r : items.records) {
    existing.reminder_ids.push_back(ReminderId(r));
  }
  TEND_ASSIGN_OR_RETURN(std::vector<CoupleData> found,
                        store_->ReadCouples({existing}));
  DropSettled(found[0].reminders, &items);
  TEND_RETURN_IF_ERROR(store_->SaveReminders(couple_id, items.records));
  return items;
}

void ReminderPlanner::DropSettled(
    const std::vector<std::optional<RecordSummary>>& existing,
    PlannedItems* items) {
  std::vector<v1::Reminder> to_save;
  absl::flat_hash_set<std::string> settled;
  for (size_t i = 0; i < items->records.size(); ++i) {
    if (i >= existing.size() || IsOpenRecord(existing[i])) {
      to_save.push_back(std::move(items->records[i]));
    } else {
      settled.insert(ReminderId(items->records[i]));
    }
  }
  items->queued.erase(std::remove_if(items->queued.begin(), items->queued.end(),
                                     [&](const engine::QueuedReminder& q) {
                                       return settled.contains(q.id);
                                     }),
                      items->queued.end());
  items->records = std::move(to_save);
}

absl::StatusOr<PlannedItems> ReminderPlanner::Draft(
    const pairing::v1::Couple& couple, const std::vector<v1::Ritual>& rituals,
    absl::Time after, const std::vector<engine::StreamCursor>& cursors,
    PlanInputs* inputs) {
  const std::string couple_id = CoupleId(couple);
  TEND_ASSIGN_OR_RETURN(engine::Couple engine_couple, ToEngineCouple(couple));
  TEND_ASSIGN_OR_RETURN(std::vector<engine::Ritual> engine_rituals,
                        ToEngineRituals(rituals, false, *inputs));
  PlannedItems items;
  if (engine_rituals.empty()) return items;

  // Reminders already planned around then count toward daily budgets and
  // can carry a new one merged into them.
  engine::NextRequest request;
  request.after = after;
  request.cursors = cursors;
  const auto [from, to] = PlanWindow(after);
  // The occurrences being planned now are not "already sent": counting
  // their own earlier records would merge each reminder into itself and
  // drop it when an occurrence is planned twice (a tick processed again
  // after a lost lease, a re-plan).
  absl::flat_hash_set<std::string> replanned;
  for (const engine::Ritual& r : engine_rituals) {
    replanned.insert(RitualName(couple_id, r.id));
  }
  for (const RecordSummary& r : inputs->nearby) {
    if (r.due < from || r.due >= to) continue;
    if (r.state == v1::REMINDER_STATE_DROPPED ||
        r.state == v1::REMINDER_STATE_CANCELLED) {
      continue;
    }
    if (replanned.contains(r.ritual) && r.occurrence > after &&
        r.state == v1::REMINDER_STATE_SCHEDULED) {
      continue;
    }
    request.sent.push_back({r.id, r.recipient_user_id, r.due, r.ritual_title});
  }
  TEND_ASSIGN_OR_RETURN(
      engine::Plan plan,
      engine::NextReminders(engine_couple, engine_rituals, request));

  const std::string couple_name = couple.name();
  const absl::Time now = clock_->Now();
  // Planning from a tick continues that tick's stream only; each stream of
  // a personal ritual has its own chain of ticks.
  absl::flat_hash_set<std::string> streams;
  for (const engine::StreamCursor& c : cursors) {
    streams.insert(absl::StrCat(c.ritual_id, "|", c.participant_id));
  }
  auto in_scope = [&](const std::string& ritual_id, engine::RitualKind kind,
                      const std::string& participant) {
    if (streams.empty()) return true;
    return streams.contains(absl::StrCat(
        ritual_id, "|",
        kind == engine::RitualKind::kPersonal ? participant : ""));
  };
  auto find_ritual = [&](const std::string& id) -> const v1::Ritual* {
    for (const v1::Ritual& r : rituals) {
      if (absl::EndsWith(r.name(), absl::StrCat("/", id))) return &r;
    }
    return nullptr;
  };
  for (const engine::PlannedReminder& planned : plan.reminders) {
    const v1::Ritual* ritual = find_ritual(planned.ritual_id);
    if (ritual == nullptr ||
        !in_scope(planned.ritual_id, planned.kind, planned.recipient_id)) {
      continue;
    }
    v1::Reminder record;
    const std::string id = absl::StrReplaceAll(planned.id, {{"/", "."}});
    record.set_name(absl::StrCat(couple_name, "/reminders/", id));
    record.set_ritual(ritual->name());
    record.set_ritual_title(ritual->title());
    record.set_recipient_user_id(planned.recipient_id);
    *record.mutable_occurrence_time() = ToProto(planned.occurrence_start);
    *record.mutable_lead_time() = ToProto(planned.lead_time);
    *record.mutable_due_time() = ToProto(planned.due);
    for (const engine::PartnerTime& t : planned.local_due) {
      if (t.partner_id == planned.recipient_id) {
        *record.mutable_local_due_time() = ToLocal(t.local);
        record.set_time_zone(t.zone.name());
      }
    }
    const absl::Time ends =
        planned.occurrence_start + FromProto(ritual->duration());
    *record.mutable_expire_time() =
        ToProto(std::max(ends, planned.occurrence_start) + kStaleAfter);
    record.set_kind(ritual->kind());
    record.set_practice(ritual->practice());
    for (const engine::Adjustment& a : planned.adjustments) {
      *record.add_adjustments() = ToAdjustment(a);
    }
    *record.mutable_create_time() = ToProto(now);
    if (planned.state == engine::ReminderState::kScheduled) {
      record.set_state(v1::REMINDER_STATE_SCHEDULED);
      items.queued.push_back(
          {id, couple_id, planned.due, EncodeReminder(record)});
    } else {
      record.set_state(v1::REMINDER_STATE_DROPPED);
    }
    items.records.push_back(std::move(record));
  }
  for (const engine::PlannedOccurrence& occurrence : plan.occurrences) {
    if (!in_scope(occurrence.ritual_id, occurrence.kind,
                  occurrence.participant_ids.empty()
                      ? ""
                      : occurrence.participant_ids.front())) {
      continue;
    }
    Tick tick;
    tick.ritual_id = occurrence.ritual_id;
    if (occurrence.kind == engine::RitualKind::kPersonal &&
        !occurrence.participant_ids.empty()) {
      tick.participant_id = occurrence.participant_ids.front();
    }
    tick.index = occurrence.index;
    tick.start = occurrence.start;
    tick.user_id = occurrence.participant_ids.empty()
                       ? std::string()
                       : occurrence.participant_ids.front();
    // The occurrence planned from is the one this tick settles.
    for (const engine::StreamCursor& c : cursors) {
      if (c.ritual_id == tick.ritual_id &&
          c.participant_id == tick.participant_id) {
        tick.previous_start = after;
      }
    }
    // Queue ids are unique per shard, and ritual ids (a seeded ritual's is
    // its template's) and occurrence indexes repeat across couples, so the
    // couple's id is part of the tick's.
    items.queued.push_back(
        {absl::StrCat("tick.", tick.ritual_id, ".", tick.participant_id, ".",
                      tick.index, ".", couple_id),
         couple_id, tick.start, EncodeTick(tick)});
  }
  // What the next draft for this couple in the same batch sees, as if these
  // records were saved: a draft replaces an open record with its id, and a
  // settled one stays.
  absl::flat_hash_map<std::string, size_t> by_id;
  for (size_t i = 0; i < inputs->nearby.size(); ++i) {
    by_id[inputs->nearby[i].id] = i;
  }
  for (const v1::Reminder& r : items.records) {
    RecordSummary summary = Summarize(r);
    auto it = by_id.find(summary.id);
    if (it == by_id.end()) {
      inputs->nearby.push_back(std::move(summary));
    } else if (IsOpenRecord(inputs->nearby[it->second])) {
      inputs->nearby[it->second] = std::move(summary);
    }
  }
  return items;
}

}  // namespace tend::scheduler
