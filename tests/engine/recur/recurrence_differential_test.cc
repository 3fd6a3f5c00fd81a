// Random rules through Recurrence and through libical's walk from DTSTART
// (engine/recur/libical_walk.h): both must list the same occurrences, and
// NextAfter() must give the same answer with and without a cursor.
//
// TEND_DIFF_RULES=N in the environment runs N rules instead of the default.
#include <algorithm>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/recur/libical_walk.h"
#include "engine/recur/recurrence.h"
#include "engine/recur/rrule.h"
#include "gtest/gtest.h"

namespace tend::engine {
namespace {

constexpr const char* kZones[] = {
    "UTC",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "America/Sao_Paulo",
    "Pacific/Chatham",
    "Pacific/Apia",
    "Africa/Casablanca",
    "Asia/Tokyo",
};
constexpr const char* kDays[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};

class RuleMaker {
 public:
  explicit RuleMaker(uint64_t seed) : rng_(seed) {}

  int Uniform(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_);
  }
  bool Chance(int percent) { return Uniform(1, 100) <= percent; }

  std::vector<std::string> List(int max_items, int lo, int hi,
                                bool allow_negative) {
    std::vector<std::string> items;
    int n = Uniform(1, max_items);
    for (int i = 0; i < n; ++i) {
      int v = Uniform(lo, hi);
      if (allow_negative && Chance(30)) v = -v;
      items.push_back(absl::StrCat(v));
    }
    return items;
  }

  // A rule inside what Tend supports, biased toward the shapes rituals use.
  std::string Rule() {
    const int freq = Uniform(0, 3);
    std::vector<std::string> parts = {absl::StrCat(
        "FREQ=", std::vector<std::string>{"DAILY", "WEEKLY", "MONTHLY",
                                          "YEARLY"}[freq])};
    if (Chance(40)) {
      parts.push_back(absl::StrCat(
          "INTERVAL=", Chance(75) ? Uniform(2, 4) : Uniform(5, 13)));
    }
    bool has_by = false, has_month = false;
    if (Chance(20)) {
      parts.push_back(
          absl::StrCat("BYMONTH=", absl::StrJoin(List(3, 1, 12, false), ",")));
      has_by = has_month = true;
    }
    if (freq != 1 && Chance(30)) {
      parts.push_back(absl::StrCat("BYMONTHDAY=",
                                   absl::StrJoin(List(3, 1, 31, true), ",")));
      has_by = true;
    }
    if (Chance(45)) {
      std::vector<std::string> days;
      int n = Uniform(1, 3);
      for (int i = 0; i < n; ++i) {
        std::string day = kDays[Uniform(0, 6)];
        if (freq >= 2 && Chance(50)) {
          int max = (freq == 2 || has_month) ? 5 : (Chance(70) ? 5 : 53);
          int ordinal = Uniform(1, max);
          day = absl::StrCat(Chance(35) ? -ordinal : ordinal, day);
        }
        days.push_back(day);
      }
      parts.push_back(absl::StrCat("BYDAY=", absl::StrJoin(days, ",")));
      has_by = true;
    }
    if (has_by && freq != 0 && Chance(20)) {
      parts.push_back(
          absl::StrCat("BYSETPOS=", absl::StrJoin(List(2, 1, 5, true), ",")));
    }
    if (Chance(20))
      parts.push_back(absl::StrCat("WKST=", kDays[Uniform(0, 6)]));
    if (Chance(20)) {
      parts.push_back(absl::StrCat("COUNT=", Uniform(1, 60)));
    } else if (Chance(15)) {
      absl::CivilSecond until(Uniform(1995, 2040), Uniform(1, 12),
                              Uniform(1, 28), Uniform(0, 23), 30, 0);
      parts.push_back(absl::StrCat("UNTIL=", FormatLocalDateTime(until),
                                   Chance(50) ? "Z" : ""));
    }
    return absl::StrJoin(parts, ";");
  }

  absl::CivilSecond Dtstart() {
    static constexpr int kHours[] = {0, 1, 2, 3, 9, 12, 23};
    return absl::CivilSecond(Uniform(1995, 2030), Uniform(1, 12),
                             Uniform(1, 31), kHours[Uniform(0, 6)],
                             Chance(50) ? 30 : 0, 0);
  }

  absl::TimeZone Zone() {
    absl::TimeZone zone;
    absl::LoadTimeZone(kZones[Uniform(0, std::size(kZones) - 1)], &zone);
    return zone;
  }

  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

// Rules where libical 3.0 is known to depart from RFC 5545 (see
// libical_walk.h); recurrence_test.cc pins Tend's answers for them.
bool LibicalKnownWrong(const Rrule& rule) {
  if (rule.freq == Frequency::kWeekly) {
    // libical ignores BYSETPOS here, and with INTERVAL > 1 it often
    // picks the wrong weeks. tests/engine/tools/dateutil_diff_test.py
    // checks these rules against python-dateutil instead.
    if (!rule.by_set_pos.empty() || rule.interval > 1) return true;
  }
  if (rule.freq == Frequency::kDaily) {
    for (int d : rule.by_month_day) {
      if (d < 0) return true;
    }
  }
  // libical counts a date named twice (BYMONTHDAY=14,-17 in April, or
  // BYDAY=1MO,-5MO) twice when BYSETPOS picks positions.
  if (!rule.by_set_pos.empty()) {
    if (!rule.by_month_day.empty() && rule.by_month_day.front() > 0 &&
        rule.by_month_day.back() < 0) {
      return true;
    }
    for (size_t i = 0; i < rule.by_day.size(); ++i) {
      for (size_t j = i + 1; j < rule.by_day.size(); ++j) {
        if (rule.by_day[i].weekday == rule.by_day[j].weekday) return true;
      }
    }
  }
  return false;
}

std::string Describe(const std::optional<Occurrence>& o) {
  if (!o) return "none";
  return absl::StrCat("#", o->index, " ", absl::FormatCivilTime(o->local), " ",
                      absl::FormatTime(o->instant));
}

TEST(RecurrenceDifferentialTest, AgreesWithLibicalWalk) {
  int rules = 1000;
  if (const char* env = std::getenv("TEND_DIFF_RULES")) rules = std::atoi(env);
  RuleMaker maker(20261126);
  int compared = 0, refused = 0, failures = 0;
  for (int n = 0; n < rules && failures < 10; ++n) {
    const std::string text = maker.Rule();
    const absl::CivilSecond dtstart = maker.Dtstart();
    const absl::TimeZone zone = maker.Zone();
    absl::StatusOr<Recurrence> recurrence =
        Recurrence::Parse(text, dtstart, zone);
    ASSERT_TRUE(recurrence.ok()) << text << ": " << recurrence.status();
    if (LibicalKnownWrong(recurrence->rule())) continue;
    // Both are compared up to a horizon, so that libical does not walk for
    // centuries through a rule with few dates.
    const int last_year = static_cast<int>(dtstart.year()) + 12;
    absl::StatusOr<LibicalWalk> walk =
        LibicalWalk::Create(*recurrence, last_year);
    if (!walk.ok()) {
      ++refused;
      continue;
    }
    ++compared;
    const std::string where = absl::StrCat(
        text, " from ", absl::FormatCivilTime(dtstart), " in ", zone.name());

    // Every occurrence up to the horizon, one after the other.
    const absl::Time before = LocalToInstant(dtstart, zone) - absl::Hours(1);
    const std::vector<Occurrence> theirs = walk->Expand(before, 1 << 20);
    std::vector<Occurrence> ours =
        recurrence->Expand(before, static_cast<int>(theirs.size()) + 1);
    while (!ours.empty() && ours.back().local.year() > last_year) {
      ours.pop_back();
    }
    if (ours != theirs) {
      size_t i = 0;
      while (i < ours.size() && i < theirs.size() && ours[i] == theirs[i]) {
        ++i;
      }
      ADD_FAILURE() << where << "\n first difference at " << i << ": ours "
                    << Describe(i < ours.size() ? std::optional(ours[i])
                                                : std::nullopt)
                    << " libical "
                    << Describe(i < theirs.size() ? std::optional(theirs[i])
                                                  : std::nullopt);
      ++failures;
      continue;
    }

    // Random jumps ahead, without and with a cursor: the answer is the
    // first listed occurrence after t.
    for (int q = 0; q < 20; ++q) {
      const absl::Time t = before +
                           absl::Hours(maker.Uniform(0, 24 * 365 * 11)) +
                           absl::Seconds(maker.Uniform(0, 3599));
      auto it =
          std::find_if(theirs.begin(), theirs.end(),
                       [&](const Occurrence& o) { return o.instant > t; });
      const std::optional<Occurrence> expected =
          it == theirs.end() ? std::nullopt : std::optional(*it);
      const std::optional<Occurrence> plain = recurrence->NextAfter(t);
      if (!expected && plain && plain->local.year() > last_year) continue;
      // A cursor somewhere before t, as the dispatcher keeps one.
      const std::optional<Occurrence> cursor =
          recurrence->NextAfter(t - absl::Hours(maker.Uniform(0, 24 * 400)));
      const std::optional<Occurrence> with_cursor =
          recurrence->NextAfter(t, cursor);
      if (plain != expected || with_cursor != expected) {
        ADD_FAILURE() << where << " after " << absl::FormatTime(t) << ": ours "
                      << Describe(plain) << ", with cursor " << Describe(cursor)
                      << " " << Describe(with_cursor) << "; libical "
                      << Describe(expected);
        ++failures;
        break;
      }
    }
  }
  EXPECT_GT(compared, rules / 2) << "libical refused " << refused;
  RecordProperty("compared", compared);
}

}  // namespace
}  // namespace tend::engine
