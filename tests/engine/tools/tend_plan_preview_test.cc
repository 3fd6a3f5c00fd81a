// `tend-plan preview` run as a process on the example plan files: the
// day-by-day text with both partners' clocks and every reason, exit status
// 2 with one line for bad files, and an SVG that is well-formed XML with a
// lane per partner per day.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/child_process.h"

namespace tend::engine {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

constexpr char kNewYorkLondon[] = TEND_PLAN_EXAMPLES "/new_york_london.json";
constexpr char kSydneyLosAngeles[] =
    TEND_PLAN_EXAMPLES "/sydney_los_angeles.json";
constexpr char kNewYorkMidnight[] = "2026-03-01T00:00:00-05:00";
constexpr char kSydneyMidnight[] = "2026-03-01T00:00:00+11:00";

struct Outcome {
  int status;
  std::string out;
  std::vector<std::string> lines;
};

Outcome TendPlan(std::vector<std::string> args, bool merge_stderr = false) {
  args.insert(args.begin(), TEND_PLAN_BIN);
  auto [status, out] = tend::testing::RunCommand(args, {}, merge_stderr);
  std::vector<std::string> lines = absl::StrSplit(out, '\n', absl::SkipEmpty());
  return {status, std::move(out), std::move(lines)};
}

Outcome Preview(const std::string& file, const std::string& from,
                std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"preview", file,     "--days",
                                   "14",      "--from", from};
  args.insert(args.end(), more.begin(), more.end());
  return TendPlan(std::move(args));
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// Whether `svg` holds `part`; on failure prints only `part`, not the SVG.
::testing::AssertionResult SvgHas(const std::string& svg,
                                  absl::string_view part) {
  if (absl::StrContains(svg, part)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "the SVG lacks " << part;
}

int CountOf(absl::string_view text, absl::string_view needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != absl::string_view::npos;
       at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// A small XML well-formedness check, enough for hand-written SVG: one root
// element, every tag closed in order, quoted attributes without '<', and
// only the five predefined or numeric entities. Returns "" when it holds,
// else what is wrong and where.
std::string XmlProblem(absl::string_view xml) {
  std::vector<std::string> open;
  bool seen_root = false;
  auto entity_ok = [](absl::string_view text, size_t amp) {
    const size_t semi = text.find(';', amp);
    if (semi == absl::string_view::npos) return false;
    const absl::string_view name = text.substr(amp + 1, semi - amp - 1);
    if (name == "amp" || name == "lt" || name == "gt" || name == "quot" ||
        name == "apos") {
      return true;
    }
    return name.size() > 1 && name[0] == '#';
  };
  auto text_ok = [&](absl::string_view text) {
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '&' && !entity_ok(text, i)) return false;
    }
    return true;
  };
  size_t i = 0;
  while (i < xml.size()) {
    const size_t lt = xml.find('<', i);
    const absl::string_view text = xml.substr(
        i, lt == absl::string_view::npos ? absl::string_view::npos : lt - i);
    if (!text_ok(text)) return absl::StrCat("bad '&' in text at ", i);
    if (open.empty() && seen_root &&
        text.find_first_not_of(" \n\t\r") != absl::string_view::npos) {
      return absl::StrCat("text after the root at ", i);
    }
    if (lt == absl::string_view::npos) break;
    if (xml.substr(lt, 4) == "<!--") {
      const size_t end = xml.find("-->", lt);
      if (end == absl::string_view::npos) return "unclosed comment";
      i = end + 3;
      continue;
    }
    if (xml.substr(lt, 2) == "<?") {
      const size_t end = xml.find("?>", lt);
      if (end == absl::string_view::npos || seen_root) return "bad prolog";
      i = end + 2;
      continue;
    }
    // A tag: scan to its '>', outside quoted attribute values.
    size_t j = lt + 1;
    char quote = 0;
    for (; j < xml.size(); ++j) {
      const char c = xml[j];
      if (quote != 0) {
        if (c == quote) quote = 0;
        if (c == '<') return absl::StrCat("'<' in an attribute at ", j);
        if (c == '&' && !entity_ok(xml, j)) {
          return absl::StrCat("bad '&' in an attribute at ", j);
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '>') {
        break;
      } else if (c == '<') {
        return absl::StrCat("'<' inside a tag at ", j);
      }
    }
    if (j >= xml.size()) return absl::StrCat("unclosed tag at ", lt);
    absl::string_view tag = xml.substr(lt + 1, j - lt - 1);
    i = j + 1;
    if (absl::ConsumePrefix(&tag, "/")) {
      const std::string name(tag.substr(0, tag.find_first_of(" \n\t")));
      if (open.empty() || open.back() != name) {
        return absl::StrCat("</", name, "> does not close <",
                            open.empty() ? "" : open.back(), "> at ", lt);
      }
      open.pop_back();
      continue;
    }
    const bool empty = absl::ConsumeSuffix(&tag, "/");
    const std::string name(tag.substr(0, tag.find_first_of(" \n\t")));
    if (name.empty()) return absl::StrCat("a tag without a name at ", lt);
    if (open.empty()) {
      if (seen_root) return absl::StrCat("a second root <", name, ">");
      seen_root = true;
    }
    if (!empty) open.push_back(name);
  }
  if (!open.empty()) return absl::StrCat("<", open.back(), "> is not closed");
  if (!seen_root) return "no root element";
  return "";
}

TEST(XmlProblemTest, TellsWellFormedFromBroken) {
  EXPECT_EQ(XmlProblem("<?xml version=\"1.0\"?>\n<svg a=\"x &amp; y\">"
                       "<g><rect/></g><text>A &lt; B</text></svg>\n"),
            "");
  EXPECT_NE(XmlProblem("<svg><g></svg></g>"), "");
  EXPECT_NE(XmlProblem("<svg><text>A & B</text></svg>"), "");
  EXPECT_NE(XmlProblem("<svg a=\"<\"/>"), "");
  EXPECT_NE(XmlProblem("<svg/><svg/>"), "");
  EXPECT_NE(XmlProblem("<svg>"), "");
}

TEST(TendPlanPreviewTest, NewYorkLondonShowsBothClocksAndEveryReason) {
  Outcome run = Preview(kNewYorkLondon, kNewYorkMidnight);
  ASSERT_EQ(run.status, 0) << run.out;
  EXPECT_EQ(run.lines[0],
            "Alex (America/New_York) and Sam (Europe/London), home zone "
            "America/New_York");
  // Fourteen home-zone days, Sunday to Saturday.
  int days = 0;
  for (const std::string& line : run.lines) {
    days += absl::StartsWith(line, "Sun 2026-") ||
            absl::StartsWith(line, "Mon 2026-") ||
            absl::StartsWith(line, "Tue 2026-") ||
            absl::StartsWith(line, "Wed 2026-") ||
            absl::StartsWith(line, "Thu 2026-") ||
            absl::StartsWith(line, "Fri 2026-") ||
            absl::StartsWith(line, "Sat 2026-");
  }
  EXPECT_EQ(days, 14);
  EXPECT_THAT(run.lines, Contains("Sun 2026-03-01"));
  EXPECT_THAT(run.lines, Contains("Sat 2026-03-14"));

  // Each time on both partners' clocks, the date included.
  EXPECT_THAT(run.lines, Contains("  15:00 New York (Sun) · 20:00 London (Sun)"
                                  "  Weekly check-in (shared, 30m)"));
  EXPECT_THAT(run.lines, Contains("  21:00 New York (Sun) · 02:00 London (Mon)"
                                  "  How are you feeling? (personal, Alex, "
                                  "10m)"));
  // New York changes its clocks a week later: the gap shrinks to 4 hours.
  EXPECT_THAT(run.lines,
              Contains(HasSubstr("21:00 New York (Sun) · 01:00 London (Mon)")));
  // A moved reminder and why.
  EXPECT_THAT(run.lines,
              Contains("  07:00 New York (Tue) · 12:00 London (Tue)  reminder "
                       "for Alex: Morning call, 1h30m before — moved"));
  EXPECT_THAT(run.lines, Contains("      Moved to 07:00: 06:30 is inside "
                                  "Alex's quiet hours (22:00-07:00)."));
  // Merged, skipped, travel and the notice.
  EXPECT_THAT(run.lines,
              Contains("      Sent with the 21:00 reminder for How are you "
                       "feeling?, 5 minutes earlier."));
  EXPECT_THAT(run.lines, Contains(HasSubstr("Weekly check-in (shared, 30m) — "
                                            "skipped")));
  EXPECT_THAT(run.lines, Contains(HasSubstr("13:00 Paris (Tue)")));
  EXPECT_THAT(run.lines,
              Contains("  A kiss before work follows the time Sam leaves for "
                       "work, and they have none set, so it has no "
                       "occurrences for them."));
  EXPECT_THAT(run.lines.back(), HasSubstr("0 outside waking hours"));

  // The same input prints the same plan.
  EXPECT_EQ(Preview(kNewYorkLondon, kNewYorkMidnight).out, run.out);
}

TEST(TendPlanPreviewTest, SydneyLosAngelesShowsConflictsWithProposals) {
  Outcome run = Preview(kSydneyLosAngeles, kSydneyMidnight);
  ASSERT_EQ(run.status, 0) << run.out;
  EXPECT_THAT(run.lines, Contains("  19:00 Sydney (Sun) · 00:00 Los Angeles "
                                  "(Sun)  Weekly check-in (shared, 30m) — "
                                  "outside waking hours"));
  EXPECT_THAT(run.lines,
              Contains("      Weekly check-in on 2026-03-01 at 19:00 "
                       "Australia/Sydney is 00:00 for Jordan in "
                       "America/Los_Angeles, outside their waking hours "
                       "(17:00-23:30). Times that suit you both: 18:00 or "
                       "17:00 on 2026-03-02 (Australia/Sydney)."));
  EXPECT_THAT(run.lines, Contains("      proposed: 18:00 Sydney (Sun) · 23:00 "
                                  "Los Angeles (Sat)"));
  EXPECT_THAT(run.lines, Contains("      proposed: 17:00 Sydney (Mon) · 22:00 "
                                  "Los Angeles (Sun)"));
  // Two hours never fit in their overlap.
  EXPECT_THAT(run.lines,
              Contains(HasSubstr("Your waking hours do not overlap long "
                                 "enough for it.")));
  // Quiet hours: moved to their end, or dropped when that is too late.
  EXPECT_THAT(run.lines, Contains("      Moved to 07:30: 07:15 is inside "
                                  "Jordan's quiet hours (23:30-07:30)."));
  EXPECT_THAT(run.lines,
              Contains("      Dropped: 00:00 is inside Jordan's quiet hours "
                       "(23:30-07:30), and they end after Weekly check-in "
                       "begins."));
  EXPECT_THAT(run.lines.back(), HasSubstr("(3 outside waking hours)"));
}

TEST(TendPlanPreviewTest, SvgIsWellFormedWithALanePerPartnerPerDay) {
  const std::string svg_path = ::testing::TempDir() + "sydney_la.svg";
  std::remove(svg_path.c_str());
  Outcome run =
      Preview(kSydneyLosAngeles, kSydneyMidnight, {"--svg", svg_path});
  ASSERT_EQ(run.status, 0) << run.out;
  const std::string svg = ReadAll(svg_path);
  ASSERT_FALSE(svg.empty());
  EXPECT_EQ(XmlProblem(svg), "");
  EXPECT_TRUE(absl::StartsWith(svg, "<?xml")) << svg.substr(0, 80);
  EXPECT_TRUE(SvgHas(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
  // Rows from Jordan's Saturday 28 February to Saturday 14 March, each with
  // both lanes labelled with the person and their zone.
  EXPECT_TRUE(SvgHas(svg, ">Sat 28 Feb</text>"));
  EXPECT_TRUE(SvgHas(svg, ">Sat 14 Mar</text>"));
  EXPECT_EQ(CountOf(svg, ">Mia</text>"), 15);
  EXPECT_EQ(CountOf(svg, ">Jordan</text>"), 15);
  EXPECT_EQ(CountOf(svg, ">Sydney</text>"), 15);
  EXPECT_EQ(CountOf(svg, ">Los Angeles</text>"), 15);
  // The legend, a conflict and its suggestion.
  EXPECT_TRUE(SvgHas(svg, ">waking hours</text>"));
  EXPECT_TRUE(SvgHas(svg, ">quiet hours (no reminders)</text>"));
  EXPECT_TRUE(SvgHas(svg, "Needs a decision"));
  EXPECT_TRUE(SvgHas(svg,
                     "<title>Suggested for Weekly check-in: 18:00 "
                     "Sydney (Sun) · 23:00 Los Angeles (Sat)"));
  // The text on stdout is the same as without --svg.
  EXPECT_EQ(run.out, Preview(kSydneyLosAngeles, kSydneyMidnight).out);
}

TEST(TendPlanPreviewTest, SvgEscapesNames) {
  std::string file = ReadAll(kNewYorkLondon);
  const std::string from = "\"name\": \"Sam\"";
  ASSERT_NE(file.find(from), std::string::npos);
  file.replace(file.find(from), from.size(),
               "\"name\": \"Sam <3 & \\\"Co\\\"\"");
  const std::string path = WriteTemp("escape.json", file);
  const std::string svg_path = ::testing::TempDir() + "escape.svg";
  Outcome run = Preview(path, kNewYorkMidnight, {"--svg", svg_path});
  ASSERT_EQ(run.status, 0) << run.out;
  const std::string svg = ReadAll(svg_path);
  EXPECT_EQ(XmlProblem(svg), "");
  EXPECT_TRUE(SvgHas(svg, ">Sam &lt;3 &amp; &quot;Co&quot;</text>"));
  EXPECT_EQ(CountOf(svg, ">Alex</text>"), 15);
}

TEST(TendPlanPreviewTest, BadFilesAreStatusTwoAndOneLine) {
  const std::string good = ReadAll(kNewYorkLondon);
  ASSERT_FALSE(good.empty());
  auto with = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
  };
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {with("\"Europe/London\"", "\"Mars/Base\""),
       "partners[1].time_zone: 'Mars/Base' is not in the time zone database"},
      {with("\"home_time_zone\": \"America/New_York\"",
            "\"home_time_zone\": \"\""),
       "home_time_zone: must not be empty"},
      {with("\"waking_hours\": \"07:00-22:00\"", "\"waking_hours\": \"7-22\""),
       "partners[0].waking_hours: '7-22' is not a window of local time such "
       "as 22:00-07:00"},
      {with("\"daily_budget\": 6", "\"daily_budget\": 0"),
       "partners[0].daily_budget: must be from 1 to 20, got 0"},
      {with("\"leave_for_work\"", "\"leaves_for_work\""),
       "partners[0].leaves_for_work: unknown field"},
      {with("\"weekly-check-in\"", "\"weekly-chek-in\""),
       "rituals[0].template: no template 'weekly-chek-in'"},
      {with("FREQ=WEEKLY;BYDAY=TU,TH", "FREQ=HOURLY"),
       "rituals[3].rrule.FREQ: must be DAILY, WEEKLY, MONTHLY or YEARLY"},
      {with("\"90m\"", "\"an hour and a half\""),
       "rituals[3].lead_times[0]: 'an hour and a half' is not a duration"},
      {with("\"2026-03-03T08:00\"", "\"2026-02-30T08:00\""),
       "rituals[3].dtstart: '2026-02-30T08:00' is not a local date and time"},
      {with("\"participants\": [\"u-sam\"]", "\"participants\": [\"u-bob\"]"),
       "rituals[4].participants[0]: 'u-bob' is not the id of either partner"},
      {with("\"kind\": \"personal\"", "\"kind\": \"solo\""),
       "rituals[4].kind: 'solo' is not shared or personal"},
      {with("\"id\": \"gratitude\"", "\"id\": \"morning-call\""),
       "rituals[4].id: 'morning-call' is already used by another ritual"},
      {with("\"at\": \"2026-03-10T08:00:00Z\"", "\"at\": \"soon\""),
       "partners[1].travel[0].at: 'soon' is not an RFC 3339 time"},
      {with("\"daily_budget\": 5", "\"daily_budget\": \"five\""),
       "partners[1].daily_budget: must be a whole number, got a string"},
      {"{\"home_time_zone\": \"UTC\",\n \"partners\": [,]}",
       "not valid JSON: parse error at line 2, column 15"},
      {"[]", "document: must be an object, got a list"},
  };
  int n = 0;
  for (const Case& c : cases) {
    const std::string path =
        WriteTemp(absl::StrCat("bad", n++, ".json"), c.text);
    Outcome run =
        TendPlan({"preview", path, "--days", "14", "--from", kNewYorkMidnight},
                 /*merge_stderr=*/true);
    EXPECT_EQ(run.status, 2) << c.message;
    ASSERT_EQ(run.lines.size(), 1u) << run.out;
    EXPECT_TRUE(absl::StartsWith(
        run.lines[0], absl::StrCat("tend-plan preview: ", path, ": ")))
        << run.lines[0];
    EXPECT_THAT(run.lines[0], HasSubstr(c.message));
    // Nothing on stdout.
    EXPECT_EQ(
        TendPlan({"preview", path, "--days", "14", "--from", kNewYorkMidnight})
            .out,
        "");
  }
}

TEST(TendPlanPreviewTest, BadFlagsAreStatusTwoAndOneLine) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const Case cases[] = {
      {{"preview", "--days", "3"}, "FILE is required"},
      {{"preview", kNewYorkLondon}, "--days is required"},
      {{"preview", kNewYorkLondon, "--days", "0"},
       "--days: must be an integer from 1 to 366"},
      {{"preview", kNewYorkLondon, "--days", "3", "--from", "yesterday"},
       "--from: \"yesterday\" is not an RFC 3339 time"},
      {{"preview", TEND_PLAN_EXAMPLES "/missing.json", "--days", "3"},
       "missing.json: cannot read the file"},
  };
  for (const Case& c : cases) {
    Outcome run = TendPlan(c.args, /*merge_stderr=*/true);
    EXPECT_EQ(run.status, 2) << c.message;
    ASSERT_EQ(run.lines.size(), 1u) << run.out;
    EXPECT_THAT(run.lines[0], HasSubstr(c.message));
  }
  Outcome help = TendPlan({"preview", "--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_THAT(help.lines[0], HasSubstr("usage: tend-plan preview FILE"));
}

}  // namespace
}  // namespace tend::engine
