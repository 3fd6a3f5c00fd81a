// RenderCalendar() read back by libical: the calendar must make an app
// compute the occurrences the engine computes (issue 4, ExportCalendar).
//
// Each ritual's VEVENT is expanded by libical's own iterator from a DTSTART
// that carries the zone built from the calendar's own VTIMEZONE, each local
// time is turned into an instant with that zone
// (icaltime_as_timet_with_zone), and the first 200 occurrences are compared
// with Recurrence::Expand(); libical's expansion for apps,
// icalcomponent_foreach_recurrence(), must list the same instants.
//
// Where libical 3.0.16 (Debian's, built with ICU) departs from RFC 5545
// §3.3.5 and from the engine. Every other occurrence is checked for
// equality, and each ritual states how many of these it meets, so that
// none slips through:
//   - A local time a daylight-saving gap skips (02:30 on a spring-forward
//     night in New York): the iterator does its date arithmetic in an ICU
//     calendar opened on the TZID (ICU's own tzdata, not the VTIMEZONE),
//     which moves the time past the gap: 03:30 EDT, 07:30Z. That is the
//     RFC 5545 instant, at a local time one hour later than the rule's.
//   - The occurrence after such a gap (`late`): the iterator may keep the
//     moved wall-clock time, 03:30 instead of 02:30 the next day or week,
//     an hour late, until it sets the time from DTSTART again. Here that is
//     the next occurrence for DAILY and WEEKLY rules, and 2 of 16 for the
//     monthly Chatham rule.
//   - A local time an overlap repeats (01:30 on a fall-back night):
//     icaltimezone_get_utc_offset() takes the second of the two, standard
//     time, as the iterator's times carry is_daylight = 0. RFC 5545 and the
//     engine take the first: libical is an hour late there.
//   - Given as such, e.g. in an EXDATE, a skipped 02:30 gets the offset from
//     after the gap (06:30Z, an hour early), so it would not exclude the
//     occurrence the iterator put at 03:30; RenderCalendar() writes the
//     EXDATE at 03:30 too.
// In absl terms: for a repeated time, and for a skipped one read as given,
// libical's conversion gives TimeInfo::post where RFC 5545 gives `pre`.
// icalcomponent_foreach_recurrence() also drops a DTSTART that is off its
// rule and reads an RDATE's local time as UTC whatever its TZID; the
// calendar gives it neither (calendar.h).
#include <libical/ical.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/calendar/calendar.h"
#include "engine/recur/recurrence.h"
#include "gtest/gtest.h"
#include "tests/engine/calendar/libical_reader.h"

namespace tend::engine {
namespace {

using absl::CivilSecond;

constexpr int kOccurrences = 200;

absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone(name, &zone)) << name;
  return zone;
}

struct RitualCase {
  std::string uid;
  std::string zone;
  std::string rrule;
  CivilSecond dtstart;
  // Occurrences, by local time, skipped with EXDATE.
  std::vector<CivilSecond> skipped;
  // How many of the first 200 occurrences (after the skipped ones are
  // gone) fall in a daylight-saving gap, come right after one (libical
  // gives those late), and fall in an overlap.
  int gaps = 0;
  int late = 0;
  int overlaps = 0;
};

// The calendar of `events`, as libical reads it.
absl::StatusOr<LibicalCalendar> RenderedForLibical(
    const std::vector<CalendarEvent>& events) {
  const absl::StatusOr<std::string> ics =
      RenderCalendar(events, absl::FromUnixSeconds(1'780'000'000));
  if (!ics.ok()) return ics.status();
  return LibicalCalendar::Parse(*ics);
}

// A RitualCase, its fields in order, so that the table stays a table.
RitualCase Case(std::string uid, std::string zone, std::string rrule,
                CivilSecond dtstart, std::vector<CivilSecond> skipped, int gaps,
                int late, int overlaps) {
  return RitualCase{std::move(uid),
                    std::move(zone),
                    std::move(rrule),
                    dtstart,
                    std::move(skipped),
                    gaps,
                    late,
                    overlaps};
}

std::vector<RitualCase> Rituals() {
  return {
      // New York: the gap is 02:00-03:00 on the second Sunday of March, the
      // overlap 01:00-02:00 on the first Sunday of November.
      Case("ny-nightly-0230", "America/New_York", "FREQ=DAILY",
           CivilSecond(2026, 1, 1, 2, 30, 0),
           {CivilSecond(2026, 2, 14, 2, 30, 0)}, 1, 1, 0),
      Case("ny-sunday-0230", "America/New_York", "FREQ=WEEKLY;BYDAY=SU",
           CivilSecond(2026, 1, 4, 2, 30, 0), {}, 4, 4, 0),
      Case("ny-sunday-0130", "America/New_York", "FREQ=WEEKLY;BYDAY=SU",
           CivilSecond(2026, 1, 4, 1, 30, 0), {}, 0, 0, 3),
      Case("ny-spring-forward-0230", "America/New_York",
           "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", CivilSecond(2026, 3, 8, 2, 30, 0),
           {}, 200, 0, 0),
      // A Sunday ritual created on a Wednesday, as templates do: DTSTART is
      // not on the rule and becomes an RDATE.
      Case("ny-checkin-from-wednesday", "America/New_York",
           "FREQ=WEEKLY;BYDAY=SU", CivilSecond(2026, 3, 4, 19, 0, 0), {}, 0, 0,
           0),
      Case("ny-first-sunday-count", "America/New_York",
           "FREQ=MONTHLY;BYDAY=1SU;COUNT=150",
           CivilSecond(2026, 2, 4, 1, 15, 0), {}, 0, 0, 12),
      // The skipped occurrence is the one in the gap.
      Case("ny-gap-skipped", "America/New_York", "FREQ=DAILY",
           CivilSecond(2026, 3, 1, 2, 30, 0),
           {CivilSecond(2026, 3, 8, 2, 30, 0)}, 0, 1, 0),
      // London: 01:00-02:00 is skipped on the last Sunday of March and
      // repeated on the last Sunday of October.
      Case("london-sunday-0130", "Europe/London", "FREQ=WEEKLY;BYDAY=SU",
           CivilSecond(2026, 1, 4, 1, 30, 0), {}, 4, 4, 4),
      Case("london-every-other-night-0130", "Europe/London",
           "FREQ=DAILY;INTERVAL=2", CivilSecond(2026, 3, 1, 1, 30, 0),
           {CivilSecond(2026, 3, 3, 1, 30, 0)}, 2, 2, 1),
      // Created on a Wednesday, and that first time skipped.
      Case("london-wednesday-start-skipped", "Europe/London",
           "FREQ=WEEKLY;BYDAY=SU;COUNT=120", CivilSecond(2026, 3, 4, 19, 0, 0),
           {CivilSecond(2026, 3, 4, 19, 0, 0)}, 0, 0, 0),
      Case("london-until-date", "Europe/London", "FREQ=DAILY;UNTIL=20260401",
           CivilSecond(2026, 3, 20, 1, 30, 0), {}, 1, 1, 0),
      // Lord Howe moves by 30 minutes: 02:00-02:30 is skipped on the first
      // Sunday of October, 01:30-02:00 repeated on the first Sunday of
      // April.
      Case("lord-howe-sunday-0215", "Australia/Lord_Howe",
           "FREQ=WEEKLY;BYDAY=SU", CivilSecond(2026, 1, 4, 2, 15, 0), {}, 4, 4,
           0),
      Case("lord-howe-sunday-0145", "Australia/Lord_Howe",
           "FREQ=WEEKLY;BYDAY=SU", CivilSecond(2026, 1, 4, 1, 45, 0), {}, 0, 0,
           4),
      // Chatham (+12:45/+13:45): 02:45-03:45 is skipped on the last Sunday
      // of September and repeated on the first Sunday of April.
      Case("chatham-sunday-0300", "Pacific/Chatham", "FREQ=WEEKLY;BYDAY=SU",
           CivilSecond(2026, 1, 4, 3, 0, 0), {}, 4, 4, 4),
      Case("chatham-last-sunday-0315", "Pacific/Chatham",
           "FREQ=MONTHLY;BYDAY=-1SU", CivilSecond(2026, 1, 25, 3, 15, 0), {},
           16, 2, 0),
      // Sao Paulo kept summer time until February 2019, changing at
      // midnight: 00:00-01:00 skipped, 23:00-24:00 repeated.
      Case("sao-paulo-sunday-0030", "America/Sao_Paulo", "FREQ=WEEKLY;BYDAY=SU",
           CivilSecond(2017, 1, 1, 0, 30, 0), {}, 2, 2, 0),
      Case("sao-paulo-saturday-2330", "America/Sao_Paulo",
           "FREQ=WEEKLY;BYDAY=SA", CivilSecond(2017, 1, 7, 23, 30, 0), {}, 0, 0,
           3),
  };
}

TEST(CalendarLibicalTest, First200OccurrencesMatchTheEngine) {
  const std::vector<RitualCase> rituals = Rituals();
  std::vector<CalendarEvent> events;
  for (const RitualCase& r : rituals) {
    CalendarEvent e;
    e.uid = absl::StrCat(r.uid, "@tend");
    e.summary = r.uid;
    e.rrule = r.rrule;
    e.dtstart = r.dtstart;
    e.zone = Zone(r.zone);
    e.duration = absl::Minutes(20);
    for (const CivilSecond& local : r.skipped) {
      e.exdates.push_back(LocalToInstant(local, e.zone));
    }
    events.push_back(std::move(e));
  }
  absl::StatusOr<LibicalCalendar> cal = RenderedForLibical(events);
  ASSERT_TRUE(cal.ok()) << cal.status();
  const std::vector<icalcomponent*> vevents = cal->Events();
  ASSERT_EQ(vevents.size(), rituals.size());

  for (size_t i = 0; i < rituals.size(); ++i) {
    const RitualCase& r = rituals[i];
    const CalendarEvent& e = events[i];
    SCOPED_TRACE(r.uid);
    EXPECT_EQ(icalcomponent_get_uid(vevents[i]), e.uid);

    // The engine's occurrences, the skipped ones still in (libical's
    // iterator walks them too), and what libical makes of each.
    const absl::StatusOr<Recurrence> recurrence =
        Recurrence::Parse(r.rrule, r.dtstart, e.zone);
    ASSERT_TRUE(recurrence.ok()) << recurrence.status();
    const std::vector<Occurrence> all =
        recurrence->Expand(LocalToInstant(r.dtstart, e.zone) - absl::Seconds(1),
                           kOccurrences + static_cast<int>(r.skipped.size()));
    struct Expected {
      LibicalOccurrence want;
      absl::TimeZone::TimeInfo::CivilKind kind;
      int64_t gap_seconds;  // for a skipped local time: the gap's length
      bool skipped;
    };
    std::vector<Expected> expected;
    size_t kept = 0;
    for (const Occurrence& o : all) {
      if (kept == kOccurrences) break;
      const absl::TimeZone::TimeInfo info = e.zone.At(o.local);
      // RFC 5545 §3.3.5, and the engine: the offset from before a change.
      EXPECT_EQ(o.instant, info.pre) << absl::FormatCivilTime(o.local);
      Expected x{{o.local, o.instant}, info.kind, 0, false};
      if (info.kind == absl::TimeZone::TimeInfo::SKIPPED) {
        // libical moves it past the gap, which is the RFC 5545 instant.
        x.want.local = absl::ToCivilSecond(o.instant, e.zone);
        x.gap_seconds = x.want.local - o.local;
      } else if (info.kind == absl::TimeZone::TimeInfo::REPEATED) {
        x.want.instant = info.post;  // the second of the two
      }
      x.skipped = std::find(r.skipped.begin(), r.skipped.end(), o.local) !=
                  r.skipped.end();
      if (!x.skipped) ++kept;
      expected.push_back(x);
    }
    // Each skipped time is an occurrence, so its EXDATE has work to do.
    EXPECT_EQ(expected.size() - kept, r.skipped.size());

    const std::vector<LibicalOccurrence> got =
        cal->Occurrences(vevents[i], kOccurrences);
    ASSERT_EQ(got.size(), kept);
    int gaps = 0;
    int late = 0;
    int overlaps = 0;
    int64_t run = 0;  // how late libical may still be after the last gap
    size_t k = 0;
    for (const Expected& x : expected) {
      if (x.kind == absl::TimeZone::TimeInfo::SKIPPED) run = x.gap_seconds;
      if (x.skipped) continue;
      const LibicalOccurrence& g = got[k++];
      SCOPED_TRACE(absl::StrCat("occurrence ", k - 1, " at ",
                                absl::FormatCivilTime(x.want.local)));
      if (x.kind == absl::TimeZone::TimeInfo::SKIPPED) {
        ++gaps;
      } else if (x.kind == absl::TimeZone::TimeInfo::REPEATED) {
        ++overlaps;
      } else if (run != 0 && g.local == x.want.local + run &&
                 g.instant == x.want.instant + absl::Seconds(run)) {
        ++late;  // the wall-clock time of the gap occurrence kept
        continue;
      } else {
        run = 0;  // back on time until the next gap
      }
      EXPECT_EQ(g.local, x.want.local);
      EXPECT_EQ(g.instant, x.want.instant);
    }
    EXPECT_EQ(gaps, r.gaps);
    EXPECT_EQ(late, r.late);
    EXPECT_EQ(overlaps, r.overlaps);

    // libical's expansion for apps (DTSTART, RRULE, RDATE, EXDATE) lists
    // the same instants (RDATEs after the rest).
    std::vector<absl::Time> listed =
        ForeachRecurrence(vevents[i], got.front().instant - absl::Hours(1),
                          got.back().instant + absl::Seconds(1));
    listed.erase(std::remove_if(listed.begin(), listed.end(),
                                [&](absl::Time t) {
                                  return t < got.front().instant ||
                                         t > got.back().instant;
                                }),
                 listed.end());
    std::sort(listed.begin(), listed.end());  // RDATEs come last
    std::vector<absl::Time> instants;
    for (const LibicalOccurrence& o : got) instants.push_back(o.instant);
    EXPECT_EQ(listed, instants);
  }
}

// The VTIMEZONE of every zone in tzdata's zone1970.tab gives libical the
// offset (and daylight flag) absl gives at each change, just before it, and
// every 30 days in between.
TEST(CalendarLibicalTest, VtimezoneOffsetsMatchAbslInEveryZone) {
  std::vector<std::string> names = {"UTC",          "America/Santiago",
                                    "America/Nuuk", "Asia/Jerusalem",
                                    "Asia/Gaza",    "Africa/Casablanca"};
  {
    // Each line: country codes, coordinates, zone name, comment.
    FILE* tab = std::fopen("/usr/share/zoneinfo/zone1970.tab", "r");
    ASSERT_NE(tab, nullptr);
    char line[512];
    while (std::fgets(line, sizeof line, tab) != nullptr) {
      if (line[0] == '#') continue;
      std::vector<std::string> fields =
          absl::StrSplit(absl::StripTrailingAsciiWhitespace(line), '\t');
      if (fields.size() >= 3) names.push_back(fields[2]);
    }
    std::fclose(tab);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  ASSERT_GT(names.size(), 300u);

  struct Span {
    const char* rrule;
    CivilSecond from;
    CivilSecond to;  // probes stop here, inside the span
  };
  // Open-ended; bounded across the rule changes of the 2000s (observances
  // listed one by one, then yearly ones); bounded before most current rules
  // began (listed one by one only).
  const Span spans[] = {
      {"FREQ=WEEKLY", CivilSecond(2020, 1, 1), CivilSecond(2060, 1, 1)},
      {"FREQ=WEEKLY;COUNT=2000", CivilSecond(2000, 1, 1),
       CivilSecond(2038, 1, 1)},
      {"FREQ=DAILY;COUNT=3000", CivilSecond(1990, 1, 1),
       CivilSecond(1998, 1, 1)},
  };
  for (const Span& span : spans) {
    const std::string rrule = span.rrule;
    const absl::Time from = absl::FromCivil(span.from, absl::UTCTimeZone());
    const absl::Time to = absl::FromCivil(span.to, absl::UTCTimeZone());
    std::vector<CalendarEvent> events;
    for (const std::string& name : names) {
      CalendarEvent e;
      e.uid = absl::StrCat(name, "@tend");
      e.rrule = rrule;
      e.zone = Zone(name);
      e.dtstart = absl::ToCivilSecond(from, e.zone);
      events.push_back(std::move(e));
    }
    absl::StatusOr<LibicalCalendar> cal = RenderedForLibical(events);
    ASSERT_TRUE(cal.ok()) << cal.status();

    int checked = 0;
    for (const CalendarEvent& e : events) {
      SCOPED_TRACE(absl::StrCat(e.zone.name(), " ", rrule));
      icaltimezone* ical_zone = cal->Zone(e.zone.name());
      ASSERT_NE(ical_zone, nullptr);
      std::vector<absl::Time> probes;
      for (absl::Time t = from; t < to; t += absl::Hours(24 * 30)) {
        probes.push_back(t);
      }
      absl::TimeZone::CivilTransition transition;
      for (absl::Time t = from; e.zone.NextTransition(t, &transition);) {
        // The instant of the change: where `to` begins.
        const absl::TimeZone::TimeInfo after = e.zone.At(transition.to);
        t = after.kind == absl::TimeZone::TimeInfo::UNIQUE ? after.pre
                                                           : after.trans;
        if (t >= to) break;
        probes.push_back(t - absl::Seconds(1));
        probes.push_back(t);
      }
      for (absl::Time t : probes) {
        icaltimetype tt = icaltime_from_timet_with_zone(
            absl::ToTimeT(t), 0, icaltimezone_get_utc_timezone());
        int is_daylight = 0;
        ASSERT_EQ(icaltimezone_get_utc_offset_of_utc_time(ical_zone, &tt,
                                                          &is_daylight),
                  e.zone.At(t).offset)
            << "at " << absl::FormatTime(t);
        EXPECT_EQ(is_daylight != 0, e.zone.At(t).is_dst)
            << "at " << absl::FormatTime(t);
        ++checked;
      }
    }
    EXPECT_GT(checked, 30000);
  }
}

}  // namespace
}  // namespace tend::engine
