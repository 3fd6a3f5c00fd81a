#include "engine/plan/ritual_templates.h"

#include <string>
#include <utility>
#include <vector>

namespace tend::engine {
namespace {

std::vector<RitualTemplate> BuildTemplates() {
  std::vector<RitualTemplate> all;

  RitualTemplate check_in;
  check_in.id = "weekly-check-in";
  check_in.title = "Weekly check-in";
  check_in.description =
      "Half an hour for the two of you, phones in another room and the TV "
      "off. Each of you shares what went well this week, what weighed on "
      "you, and one thing you would like more of. Guard it like an "
      "important meeting: move it if you must, but do not let it slip.";
  check_in.practice = Practice::kCheckIn;
  check_in.kind = RitualKind::kShared;
  check_in.rrule = "FREQ=WEEKLY;BYDAY=SU";
  check_in.time = {19, 0};
  check_in.duration = absl::Minutes(30);
  check_in.lead_times = {absl::Hours(2), absl::ZeroDuration()};
  check_in.seeded_by_default = true;
  all.push_back(std::move(check_in));

  RitualTemplate feelings;
  feelings.id = "nightly-feelings";
  feelings.title = "How are you feeling?";
  feelings.description =
      "A small question at the end of the day. Answer it for yourself, then "
      "ask your partner and simply listen: no fixing, just \"it sounds like "
      "today was...\".";
  feelings.practice = Practice::kListening;
  feelings.kind = RitualKind::kPersonal;
  feelings.rrule = "FREQ=DAILY";
  feelings.time = {21, 0};
  feelings.duration = absl::Minutes(10);
  feelings.seeded_by_default = true;
  all.push_back(std::move(feelings));

  RitualTemplate date;
  date.id = "date-night";
  date.title = "Date night";
  date.description =
      "An evening that belongs to the two of you, every other week. Take "
      "turns choosing; a walk and a cheap meal count as much as a night "
      "out.";
  date.practice = Practice::kTimeTogether;
  date.kind = RitualKind::kShared;
  date.rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR";
  date.time = {19, 30};
  date.duration = absl::Hours(2);
  date.lead_times = {absl::Hours(24), absl::Hours(1)};
  date.seeded_by_default = true;
  all.push_back(std::move(date));

  RitualTemplate affection;
  affection.id = "morning-affection";
  affection.title = "A kiss before work";
  affection.description =
      "Before one of you heads out the door, stop for a proper kiss or a "
      "long hug. Ten seconds that say: you matter more than being on time.";
  affection.practice = Practice::kTouch;
  affection.kind = RitualKind::kPersonal;
  affection.rrule = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR";
  affection.time = {7, 45};
  affection.anchor = TimeAnchor::kLeaveForWork;
  affection.anchor_offset = absl::Minutes(-10);
  all.push_back(std::move(affection));

  RitualTemplate love_language;
  love_language.id = "love-language-act";
  love_language.title = "Something in their language";
  love_language.description =
      "One small act in the way your partner feels loved, not the way you "
      "do: a kind word, a chore done unasked, a hand on the shoulder, a "
      "little gift, or time with your full attention.";
  love_language.practice = Practice::kLoveLanguages;
  love_language.kind = RitualKind::kPersonal;
  love_language.rrule = "FREQ=DAILY";
  love_language.time = {12, 30};
  all.push_back(std::move(love_language));

  RitualTemplate something_new;
  something_new.id = "something-new";
  something_new.title = "Something new together";
  something_new.description =
      "Once a month, try something neither of you has done: a recipe, a "
      "trail, a class, a game. Novelty shared is closeness built.";
  something_new.practice = Practice::kFun;
  something_new.kind = RitualKind::kShared;
  something_new.rrule = "FREQ=MONTHLY;BYDAY=1SA";
  something_new.time = {11, 0};
  something_new.duration = absl::Hours(3);
  something_new.lead_times = {absl::Hours(72), absl::Hours(2)};
  all.push_back(std::move(something_new));

  RitualTemplate repair;
  repair.id = "heal-the-past";
  repair.title = "Heal-the-past conversation";
  repair.description =
      "A calm, guided talk about one old hurt. One speaks and the other "
      "reflects back what they heard before answering. Stop when either of "
      "you needs a pause; you can pick it up next time.";
  repair.practice = Practice::kRepair;
  repair.kind = RitualKind::kShared;
  repair.rrule = "FREQ=MONTHLY;BYDAY=2SU";
  repair.time = {17, 0};
  repair.duration = absl::Minutes(45);
  repair.lead_times = {absl::Hours(24), absl::Minutes(30)};
  all.push_back(std::move(repair));

  RitualTemplate garden;
  garden.id = "garden-review";
  garden.title = "Garden review";
  garden.description =
      "Every three months, look at the relationship as a whole: what is "
      "growing, what needs water, what to plant next. Keep a note of what "
      "you decide and look back at it next time.";
  garden.practice = Practice::kGardenReview;
  garden.kind = RitualKind::kShared;
  garden.rrule = "FREQ=MONTHLY;INTERVAL=3;BYDAY=-1SA";
  garden.time = {10, 0};
  garden.duration = absl::Hours(1);
  garden.lead_times = {absl::Hours(48), absl::Hours(1)};
  all.push_back(std::move(garden));

  return all;
}

}  // namespace

absl::Span<const RitualTemplate> RitualTemplates() {
  static const std::vector<RitualTemplate>* const templates =
      new std::vector<RitualTemplate>(BuildTemplates());
  return *templates;
}

const RitualTemplate* FindRitualTemplate(absl::string_view id) {
  for (const RitualTemplate& t : RitualTemplates()) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

Ritual RitualFromTemplate(const RitualTemplate& t, std::string ritual_id,
                          absl::CivilDay first_day,
                          std::vector<std::string> participant_ids) {
  Ritual r;
  r.id = std::move(ritual_id);
  r.title = t.title;
  r.practice = t.practice;
  r.kind = t.kind;
  if (t.kind == RitualKind::kPersonal) {
    r.participant_ids = std::move(participant_ids);
  }
  r.rrule = t.rrule;
  r.dtstart =
      absl::CivilSecond(first_day.year(), first_day.month(), first_day.day(),
                        t.time.hours, t.time.minutes, 0);
  r.anchor = t.anchor;
  r.anchor_offset = t.anchor_offset;
  r.duration = t.duration;
  r.lead_times = t.lead_times;
  return r;
}

}  // namespace tend::engine
