// The iCalendar text layer: content lines, folding, TEXT escaping, and the
// value formats.
#include "engine/calendar/ical_text.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tend::engine {
namespace {

using ::testing::HasSubstr;

std::vector<std::string> PhysicalLines(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, "\r\n");
  EXPECT_EQ(lines.back(), "");  // the stream ends with CRLF
  lines.pop_back();
  return lines;
}

std::string Unfold(const std::string& text) {
  std::string out;
  for (const std::string& line : PhysicalLines(text)) {
    if (!line.empty() && line[0] == ' ') {
      out += line.substr(1);
    } else {
      if (!out.empty()) out += "\n";
      out += line;
    }
  }
  return out;
}

TEST(ContentLinesTest, ShortLinesAreWrittenAsIsWithCrlf) {
  ContentLines lines;
  lines.Add("BEGIN", "VCALENDAR");
  lines.Add("DTSTART;TZID=Europe/London", "20260301T190000");
  EXPECT_EQ(
      std::move(lines).Take(),
      "BEGIN:VCALENDAR\r\nDTSTART;TZID=Europe/London:20260301T190000\r\n");
}

TEST(ContentLinesTest, ALineOfExactly75OctetsIsNotFolded) {
  ContentLines lines;
  lines.Add("SUMMARY", std::string(75 - 8, 'x'));
  const std::vector<std::string> physical =
      PhysicalLines(std::move(lines).Take());
  ASSERT_EQ(physical.size(), 1u);
  EXPECT_EQ(physical[0].size(), 75u);
}

TEST(ContentLinesTest, LongLinesFoldAt75OctetsAndUnfoldToTheOriginal) {
  const std::string value(300, 'a');
  ContentLines lines;
  lines.Add("DESCRIPTION", value);
  const std::string text = std::move(lines).Take();
  const std::vector<std::string> physical = PhysicalLines(text);
  ASSERT_EQ(physical.size(), 5u);  // 12 + 300 octets: 75 + 4 * 74 > 312
  EXPECT_EQ(physical[0].size(), 75u);
  for (size_t i = 1; i < physical.size(); ++i) {
    EXPECT_EQ(physical[i][0], ' ');
    EXPECT_LE(physical[i].size(), 75u);
  }
  EXPECT_EQ(Unfold(text), "DESCRIPTION:" + value);
}

TEST(ContentLinesTest, FoldingNeverSplitsAUtf8Sequence) {
  // Every split point falls inside some sequence for some prefix length.
  for (int prefix = 0; prefix < 4; ++prefix) {
    std::string value(prefix, 'x');
    for (int i = 0; i < 40; ++i)
      value += "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
    ContentLines lines;
    lines.Add("SUMMARY", value);
    const std::string text = std::move(lines).Take();
    for (const std::string& line : PhysicalLines(text)) {
      EXPECT_LE(line.size(), 75u);
      EXPECT_TRUE(ValidateText(line, "line", TextRule::kSingleLine).ok())
          << "prefix " << prefix << ": a line splits a sequence";
    }
    EXPECT_EQ(Unfold(text), "SUMMARY:" + value);
  }
}

TEST(EscapeTextTest, EscapesBackslashSemicolonCommaAndLineBreaks) {
  EXPECT_EQ(EscapeText("Dinner, then a walk; no phones"),
            "Dinner\\, then a walk\\; no phones");
  EXPECT_EQ(EscapeText("C:\\path"), "C:\\\\path");
  EXPECT_EQ(EscapeText("one\ntwo\r\nthree\rfour"), "one\\ntwo\\nthree\\nfour");
  EXPECT_EQ(EscapeText("colon: and \"quotes\" stay"),
            "colon: and \"quotes\" stay");
}

TEST(ValidateTextTest, AcceptsUtf8AndTheAllowedControls) {
  EXPECT_TRUE(ValidateText("Café 😀", "f", TextRule::kSingleLine).ok());
  EXPECT_TRUE(ValidateText("a\tb\nc\r\nd", "f", TextRule::kMultiLine).ok());
  EXPECT_TRUE(ValidateText("", "f", TextRule::kSingleLine).ok());
}

TEST(ValidateTextTest, RejectsMalformedUtf8AndControlsNamingTheField) {
  const struct {
    const char* text;
    TextRule rule;
  } bad[] = {
      {"\xC3", TextRule::kMultiLine},              // truncated
      {"\xC0\xAF", TextRule::kMultiLine},          // overlong
      {"\xED\xA0\x80", TextRule::kMultiLine},      // surrogate
      {"\xF4\x90\x80\x80", TextRule::kMultiLine},  // past U+10FFFF
      {"a\x01", TextRule::kMultiLine},
      {"a\x7F", TextRule::kMultiLine},
      {"a\nb", TextRule::kSingleLine},
      {"a\tb", TextRule::kSingleLine},
  };
  for (const auto& c : bad) {
    const absl::Status status =
        ValidateText(c.text, "events[3].summary", c.rule);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(status.message(), HasSubstr("events[3].summary: "));
  }
}

TEST(FormatTest, UtcDateTime) {
  EXPECT_EQ(FormatUtcDateTime(absl::FromUnixSeconds(1'780'000'000) +
                              absl::Milliseconds(999)),
            "20260528T202640Z");
}

TEST(FormatTest, UtcOffsets) {
  EXPECT_EQ(FormatUtcOffset(0), "+0000");
  EXPECT_EQ(FormatUtcOffset(-5 * 3600), "-0500");
  EXPECT_EQ(FormatUtcOffset(12 * 3600 + 45 * 60), "+1245");
  EXPECT_EQ(FormatUtcOffset(10 * 3600 + 30 * 60), "+1030");
  EXPECT_EQ(FormatUtcOffset(-(4 * 3600 + 56 * 60 + 2)), "-045602");
}

TEST(FormatTest, DurationsAreExact) {
  EXPECT_EQ(FormatIcalDuration(absl::ZeroDuration()), "PT0S");
  EXPECT_EQ(FormatIcalDuration(absl::Minutes(30)), "PT30M");
  EXPECT_EQ(FormatIcalDuration(absl::Minutes(90)), "PT1H30M");
  EXPECT_EQ(FormatIcalDuration(absl::Hours(24)), "PT24H");
  EXPECT_EQ(FormatIcalDuration(absl::Hours(1) + absl::Seconds(5)), "PT1H0M5S");
  EXPECT_EQ(FormatIcalDuration(absl::Seconds(45)), "PT45S");
}

}  // namespace
}  // namespace tend::engine
