#include "engine/plan/ritual_templates.h"

#include <set>
#include <string>

#include "absl/time/civil_time.h"
#include "engine/recur/recurrence.h"
#include "gtest/gtest.h"

namespace tend::engine {
namespace {

TEST(RitualTemplatesTest, CoversEveryRitualPractice) {
  const std::set<std::string> want = {"weekly-check-in",   "nightly-feelings",
                                      "date-night",        "morning-affection",
                                      "love-language-act", "something-new",
                                      "heal-the-past",     "garden-review"};
  std::set<std::string> got;
  for (const RitualTemplate& t : RitualTemplates()) {
    EXPECT_TRUE(got.insert(t.id).second) << "duplicate id " << t.id;
  }
  EXPECT_EQ(got, want);
}

TEST(RitualTemplatesTest, EveryTemplateMakesAValidRitual) {
  for (const RitualTemplate& t : RitualTemplates()) {
    SCOPED_TRACE(t.id);
    EXPECT_FALSE(t.title.empty());
    EXPECT_FALSE(t.description.empty());
    EXPECT_NE(t.practice, Practice::kUnspecified);
    Ritual r = RitualFromTemplate(t, "r-" + t.id, absl::CivilDay(2026, 3, 2),
                                  {"alex"});
    EXPECT_TRUE(ValidateRitual(r).ok()) << ValidateRitual(r);
    EXPECT_EQ(r.kind, t.kind);
    EXPECT_EQ(r.dtstart,
              absl::CivilSecond(2026, 3, 2, t.time.hours, t.time.minutes, 0));
    EXPECT_EQ(r.participant_ids.empty(), t.kind == RitualKind::kShared);
    absl::StatusOr<Recurrence> rec =
        Recurrence::Parse(t.rrule, r.dtstart, absl::UTCTimeZone());
    EXPECT_TRUE(rec.ok()) << rec.status();
    // Every lead time keeps the reminders apart from each other by more
    // than the merge window, or they would only ever go out as one.
    for (size_t i = 1; i < t.lead_times.size(); ++i) {
      EXPECT_GT(t.lead_times[i - 1] - t.lead_times[i], absl::Minutes(10));
    }
  }
}

TEST(RitualTemplatesTest, KindsFollowThePractices) {
  auto kind = [](absl::string_view id) { return FindRitualTemplate(id)->kind; };
  EXPECT_EQ(kind("weekly-check-in"), RitualKind::kShared);
  EXPECT_EQ(kind("date-night"), RitualKind::kShared);
  EXPECT_EQ(kind("garden-review"), RitualKind::kShared);
  EXPECT_EQ(kind("nightly-feelings"), RitualKind::kPersonal);
  EXPECT_EQ(kind("morning-affection"), RitualKind::kPersonal);
  EXPECT_EQ(FindRitualTemplate("weekly-check-in")->practice,
            Practice::kCheckIn);
  EXPECT_EQ(FindRitualTemplate("heal-the-past")->practice, Practice::kRepair);
  EXPECT_EQ(FindRitualTemplate("nightly-feelings")->title,
            "How are you feeling?");
}

TEST(RitualTemplatesTest, MorningAffectionFollowsLeavingForWork) {
  const RitualTemplate* t = FindRitualTemplate("morning-affection");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->anchor, TimeAnchor::kLeaveForWork);
  EXPECT_LT(t->anchor_offset, absl::ZeroDuration());
  EXPECT_EQ(t->rrule, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR");
}

TEST(RitualTemplatesTest, UnknownIdIsNull) {
  EXPECT_EQ(FindRitualTemplate("no-such-template"), nullptr);
}

TEST(RitualTemplatesTest, SeededDefaultsAreTheWeeklyHeart) {
  std::set<std::string> seeded;
  for (const RitualTemplate& t : RitualTemplates()) {
    if (t.seeded_by_default) seeded.insert(t.id);
  }
  EXPECT_EQ(seeded, (std::set<std::string>{"weekly-check-in",
                                           "nightly-feelings", "date-night"}));
}

}  // namespace
}  // namespace tend::engine
