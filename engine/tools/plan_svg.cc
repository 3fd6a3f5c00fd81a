// How the picture is built
//
// Everything is placed on one grid: x is a partner's local clock (kLeft is
// 00:00 and every hour is kHour wide), y is a row per calendar date and, in
// it, a lane per partner. A mark belongs to the row of the date its
// partner's clock reads, so a shared ritual at 19:00 Sunday in New York
// sits in the Sunday row of the New York lane and at 00:00 in the Monday
// row of the London lane: each person sees their own day. Blocks that run
// past midnight continue at the start of the next row.
//
// Marks are collected first and drawn in layers (lane shading, blocks,
// labels, reminders) so labels can avoid one another and reminders stay on
// top. All text goes through XmlEscape().
#include "engine/tools/plan_svg.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/recur/recurrence.h"

namespace tend::engine {
namespace {

// Geometry, in SVG user units (pixels).
constexpr double kMargin = 20;
constexpr double kLeft = 200;  // x of 00:00
constexpr double kHour = 40;   // width of one local hour
constexpr double kRight = kLeft + 24 * kHour;
constexpr double kWidth = kRight + 30;
constexpr double kLaneHeight = 34;
constexpr double kLaneGap = 4;
constexpr double kRowGap = 16;
constexpr double kRowHeight = 2 * kLaneHeight + kLaneGap + kRowGap;
constexpr double kStrip = 13;  // the reminder strip at the top of a lane
constexpr double kDotRadius = 4.5;
// Rough advance of one character of the 10px and 12px sans-serif labels.
constexpr double kCharWidth10 = 5.6;
constexpr double kCharWidth12 = 6.8;
// At most this many conflicts are listed under the chart.
constexpr size_t kMaxListed = 10;

// Colours.
constexpr char kInk[] = "#1d2433";
constexpr char kMuted[] = "#5c6577";
constexpr char kShared[] = "#e76f51";
constexpr char kPersonal[] = "#2a9d8f";
constexpr char kConflict[] = "#c1121f";
constexpr char kNeither[] = "#e6e9ef";
constexpr char kWaking[] = "#fff0c2";
constexpr char kQuiet[] = "url(#quiet)";

constexpr char kFont[] = "DejaVu Sans, Helvetica, Arial, sans-serif";

std::string Num(double v) { return absl::StrFormat("%.1f", v); }

// Hours from the start of `day` to `local`; outside 0-24 for other days.
double HoursInto(absl::CivilSecond local, absl::CivilDay day) {
  return static_cast<double>(local - absl::CivilSecond(day)) / 3600.0;
}

double X(double hours) { return kLeft + std::clamp(hours, 0.0, 24.0) * kHour; }

double HoursOf(TimeOfDay t) { return t.MinuteOfDay() / 60.0; }

// "1 Mar".
std::string ShortDate(absl::CivilDay day) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr",
                                            "May", "Jun", "Jul", "Aug",
                                            "Sep", "Oct", "Nov", "Dec"};
  return absl::StrCat(day.day(), " ", kMonths[day.month() - 1]);
}

// The rough width of a 10px label: UTF-8 continuation bytes take none.
double LabelWidth(absl::string_view text) {
  const auto chars = std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
  return static_cast<double>(chars) * kCharWidth10;
}

// `label` as it fits in `room` pixels: whole, cut short with "…" (at a
// character boundary, keeping at least four), or empty.
std::string FitLabel(absl::string_view label, double room) {
  if (LabelWidth(label) <= room) return std::string(label);
  const auto keep = static_cast<int64_t>(room / kCharWidth10) - 1;
  if (keep < 4) return "";
  size_t end = 0;
  for (int64_t kept = 0; end < label.size(); ++end) {
    if ((static_cast<unsigned char>(label[end]) & 0xC0) != 0x80 &&
        kept++ == keep) {
      break;
    }
  }
  return absl::StrCat(label.substr(0, end), "…");
}

// A partner's local time at `t`.
absl::CivilSecond LocalOf(const Partner& p, absl::Time t) {
  return p.ZoneAt(t).At(t).cs;
}

// The element-building half: shapes appended to a body, each with an
// optional <title> (a tooltip in browsers).
class Canvas {
 public:
  void Raw(absl::string_view text) { absl::StrAppend(&body_, text, "\n"); }

  void Rect(double x, double y, double w, double h, absl::string_view attrs,
            absl::string_view title = "") {
    Element("rect",
            absl::StrCat("x=\"", Num(x), "\" y=\"", Num(y), "\" width=\"",
                         Num(std::max(w, 0.0)), "\" height=\"", Num(h), "\" ",
                         attrs),
            title);
  }

  void Circle(double x, double y, double r, absl::string_view attrs,
              absl::string_view title = "") {
    Element("circle",
            absl::StrCat("cx=\"", Num(x), "\" cy=\"", Num(y), "\" r=\"", Num(r),
                         "\" ", attrs),
            title);
  }

  void Line(double x1, double y1, double x2, double y2,
            absl::string_view attrs) {
    Element("line",
            absl::StrCat("x1=\"", Num(x1), "\" y1=\"", Num(y1), "\" x2=\"",
                         Num(x2), "\" y2=\"", Num(y2), "\" ", attrs),
            "");
  }

  void Text(double x, double y, absl::string_view text,
            absl::string_view attrs) {
    absl::StrAppend(&body_, "<text x=\"", Num(x), "\" y=\"", Num(y), "\" ",
                    attrs, ">", XmlEscape(text), "</text>\n");
  }

  // An X through (x, y), for a dropped reminder.
  void Cross(double x, double y, double r, absl::string_view colour) {
    const std::string stroke =
        absl::StrCat("stroke=\"", colour, "\" stroke-width=\"1.6\"");
    Line(x - r, y - r, x + r, y + r, stroke);
    Line(x - r, y + r, x + r, y - r, stroke);
  }

  const std::string& body() const { return body_; }

 private:
  void Element(absl::string_view name, absl::string_view attrs,
               absl::string_view title) {
    if (title.empty()) {
      absl::StrAppend(&body_, "<", name, " ", attrs, "/>\n");
    } else {
      absl::StrAppend(&body_, "<", name, " ", attrs, "><title>",
                      XmlEscape(title), "</title></", name, ">\n");
    }
  }

  std::string body_;
};

// How a block is drawn.
enum class BlockStyle { kPlanned, kConflict, kHollow, kSuggested };

// One piece of an occurrence in one lane of one row.
struct Block {
  size_t row = 0;
  int lane = 0;
  double x0 = 0, x1 = 0;
  const char* colour = kShared;
  BlockStyle style = BlockStyle::kPlanned;
  std::string label;  // on the first piece only
  std::string title;
};

// One reminder in its recipient's lane.
struct Dot {
  size_t row = 0;
  int lane = 0;
  double x = 0;
  const char* colour = kShared;
  ReminderState state = ReminderState::kScheduled;
  // A moved reminder: where it was planned, when on the same row.
  std::optional<double> from_x;
  std::string title;
};

class Picture {
 public:
  Picture(const Couple& couple, const Plan& plan, const PreviewRange& range)
      : couple_(couple), plan_(plan), range_(range) {}

  std::string Draw();

 private:
  int IndexOf(absl::string_view partner_id) const {
    return couple_.partners[1].id == partner_id ? 1 : 0;
  }
  double RowTop(size_t row) const {
    return rows_top_ + static_cast<double>(row) * kRowHeight;
  }
  double LaneTop(size_t row, int lane) const {
    return RowTop(row) + lane * (kLaneHeight + kLaneGap);
  }

  void ChooseRows();
  size_t RowOf(absl::CivilDay day) const {
    return static_cast<size_t>(day - rows_.front());
  }
  bool HasRow(absl::CivilDay day) const {
    return !rows_.empty() && day >= rows_.front() && day <= rows_.back();
  }
  // Adds the pieces of [start, end) on `lane`'s clocks, one per date.
  void AddSpan(int lane, absl::Time start, absl::Time end, const char* colour,
               BlockStyle style, const std::string& label,
               const std::string& title);
  void CollectMarks();

  void DrawHeader(Canvas* canvas) const;
  void DrawLegend(Canvas* canvas) const;
  void DrawAxis(Canvas* canvas, double y) const;
  void DrawLanes(Canvas* canvas) const;
  void DrawBlocks(Canvas* canvas) const;
  void DrawDots(Canvas* canvas) const;
  double DrawFooter(Canvas* canvas, double y) const;

  const Couple& couple_;
  const Plan& plan_;
  const PreviewRange& range_;
  std::vector<absl::CivilDay> rows_;
  double rows_top_ = 0;
  std::vector<Block> blocks_;
  std::vector<Dot> dots_;
};

void Picture::ChooseRows() {
  absl::CivilDay first = range_.first_day;
  absl::CivilDay last = range_.first_day + (range_.days - 1);
  // Either partner's clock may read an earlier or later date than the home
  // zone's, for the range's ends and for any mark.
  auto cover = [&](absl::CivilDay day) {
    first = std::min(first, day);
    last = std::max(last, day);
  };
  for (const Partner& p : couple_.partners) {
    cover(absl::CivilDay(LocalOf(p, range_.from)));
    cover(absl::CivilDay(LocalOf(p, range_.to - absl::Seconds(1))));
  }
  for (const PlannedOccurrence& o : plan_.occurrences) {
    for (const PartnerTime& t : o.local_start) cover(absl::CivilDay(t.local));
  }
  for (const PlannedReminder& r : plan_.reminders) {
    for (const PartnerTime& t : r.local_due) cover(absl::CivilDay(t.local));
  }
  for (absl::CivilDay d = first; d <= last; ++d) rows_.push_back(d);
}

void Picture::AddSpan(int lane, absl::Time start, absl::Time end,
                      const char* colour, BlockStyle style,
                      const std::string& label, const std::string& title) {
  const Partner& p = couple_.partners[lane];
  const absl::CivilSecond from = LocalOf(p, start);
  // A zero-length block still shows, as a sliver.
  const absl::CivilSecond to = std::max(LocalOf(p, end), from);
  bool first = true;
  for (absl::CivilDay day(from); day <= absl::CivilDay(to); ++day) {
    const double h0 = HoursInto(from, day), h1 = HoursInto(to, day);
    if (!first && h1 <= 0) break;  // ends exactly at midnight
    if (HasRow(day)) {
      Block b;
      b.row = RowOf(day);
      b.lane = lane;
      b.x0 = X(h0);
      b.x1 = std::max(X(h1), b.x0 + 3);
      b.colour = colour;
      b.style = style;
      if (first) b.label = label;
      b.title = title;
      blocks_.push_back(std::move(b));
    }
    first = false;
  }
}

void Picture::CollectMarks() {
  for (const PlannedOccurrence& o : plan_.occurrences) {
    const bool shared = o.kind == RitualKind::kShared;
    const char* colour = shared ? kShared : kPersonal;
    BlockStyle style = BlockStyle::kPlanned;
    std::string label = o.title;
    if (o.state != OccurrenceState::kPlanned) {
      style = BlockStyle::kHollow;
      absl::StrAppend(&label, o.state == OccurrenceState::kSkipped
                                  ? " (skipped)"
                                  : " (paused)");
    } else if (o.conflict) {
      style = BlockStyle::kConflict;
    }
    std::string title = absl::StrCat(
        o.title,
        shared ? " (shared): " : " (personal): ", ClocksText(o.local_start));
    for (const Adjustment& a : o.adjustments) {
      absl::StrAppend(&title, "\n", a.explanation);
    }
    if (shared) {
      for (int lane = 0; lane < 2; ++lane) {
        AddSpan(lane, o.start, o.end, colour, style, label, title);
      }
    } else {
      AddSpan(IndexOf(o.participant_ids[0]), o.start, o.end, colour, style,
              label, title);
    }
  }
  // The nearest time that suits both, for each conflict, as a ghost.
  for (const Conflict& c : plan_.conflicts) {
    if (c.proposals.empty()) continue;
    absl::Duration length;
    std::string name = c.ritual_id;
    for (const PlannedOccurrence& o : plan_.occurrences) {
      if (o.ritual_id == c.ritual_id && o.index == c.index) {
        length = o.end - o.start;
        name = o.title;
      }
    }
    const Proposal& best = c.proposals.front();
    const std::string title =
        absl::StrCat("Suggested for ", name, ": ", ClocksText(best.local_start),
                     "\n", c.explanation);
    for (int lane = 0; lane < 2; ++lane) {
      AddSpan(lane, best.start, best.start + length, kShared,
              BlockStyle::kSuggested, "suggested", title);
    }
  }
  for (const PlannedReminder& r : plan_.reminders) {
    const int lane = IndexOf(r.recipient_id);
    const absl::CivilSecond due = r.local_due[lane].local;
    if (!HasRow(absl::CivilDay(due))) continue;
    Dot d;
    d.row = RowOf(absl::CivilDay(due));
    d.lane = lane;
    d.x = X(HoursInto(due, absl::CivilDay(due)));
    d.colour = r.kind == RitualKind::kShared ? kShared : kPersonal;
    d.state = r.state;
    if (r.due != r.planned) {
      const absl::CivilSecond planned =
          LocalOf(couple_.partners[lane], r.planned);
      if (absl::CivilDay(planned) == absl::CivilDay(due)) {
        d.from_x = X(HoursInto(planned, absl::CivilDay(due)));
      }
    }
    d.title = absl::StrCat(
        "Reminder for ", couple_.partners[lane].Name(), ": ", r.title, ", ",
        r.lead_time == absl::ZeroDuration()
            ? std::string("as it starts")
            : absl::StrCat(absl::FormatDuration(r.lead_time), " before"),
        "\n", ClocksText(r.local_due));
    for (const Adjustment& a : r.adjustments) {
      absl::StrAppend(&d.title, "\n", a.explanation);
    }
    dots_.push_back(std::move(d));
  }
}

void Picture::DrawHeader(Canvas* canvas) const {
  const Partner& a = couple_.partners[0];
  const Partner& b = couple_.partners[1];
  canvas->Text(
      kMargin, 34,
      absl::StrCat(a.Name(), " & ", b.Name(), " · ", range_.days,
                   range_.days == 1 ? " day" : " days", " from ",
                   WeekdayName(range_.first_day), " ",
                   ShortDate(range_.first_day), " ", range_.first_day.year()),
      absl::StrCat("font-size=\"20\" font-weight=\"bold\" fill=\"", kInk,
                   "\""));
  canvas->Text(
      kMargin, 56,
      absl::StrCat("Each lane is that person's own day on their own clock. ",
                   a.Name(), ": ", a.zone.name(), " · ", b.Name(), ": ",
                   b.zone.name(), " · home zone ", range_.home_zone.name()),
      absl::StrCat("font-size=\"13\" fill=\"", kMuted, "\""));
}

void Picture::DrawLegend(Canvas* canvas) const {
  double x = kMargin;
  double y = 80;
  const std::string label_style =
      absl::StrCat("font-size=\"12\" fill=\"", kInk, "\"");
  auto label = [&](absl::string_view text) {
    canvas->Text(x, y + 4, text, label_style);
    x += static_cast<double>(text.size()) * kCharWidth12 + 22;
    if (x > kRight - 150) {
      x = kMargin;
      y += 22;
    }
  };
  auto swatch = [&](absl::string_view fill, absl::string_view extra) {
    canvas->Rect(x, y - 7, 22, 14, absl::StrCat("fill=\"", fill, "\" ", extra));
    x += 28;
  };
  swatch(kWaking, "stroke=\"#d9c78f\"");
  label("waking hours");
  swatch(kQuiet, "stroke=\"#9aa6c8\"");
  label("quiet hours (no reminders)");
  swatch(kNeither, "");
  label("neither");
  swatch("#ffffff", "fill-opacity=\"0.8\" stroke=\"#c4c9d2\"");
  label("outside this preview");
  swatch(kShared, "rx=\"3\"");
  label("shared ritual");
  swatch(kPersonal, "rx=\"3\"");
  label("personal ritual");
  swatch(kShared,
         absl::StrCat("rx=\"3\" stroke=\"", kConflict,
                      "\" stroke-width=\"2.5\" stroke-dasharray=\"4 2\""));
  label("outside someone's waking hours");
  swatch("none",
         absl::StrCat("rx=\"3\" stroke=\"", kShared,
                      "\" stroke-width=\"1.5\" stroke-dasharray=\"3 2\""));
  label("suggested time that suits both");
  swatch("#ffffff", absl::StrCat("rx=\"3\" stroke=\"", kMuted,
                                 "\" stroke-dasharray=\"3 2\""));
  label("skipped or paused");

  const std::string dot_stroke =
      absl::StrCat("stroke=\"", kInk, "\" stroke-width=\"1\"");
  canvas->Circle(x + 6, y, kDotRadius,
                 absl::StrCat("fill=\"", kShared, "\" ", dot_stroke));
  x += 16;
  label("reminder");
  canvas->Line(
      x + 2, y, x + 22, y,
      absl::StrCat("stroke=\"", kInk,
                   "\" stroke-width=\"1.2\" stroke-dasharray=\"2 2\""));
  canvas->Circle(x + 2, y, 2.5, absl::StrCat("fill=\"#ffffff\" ", dot_stroke));
  canvas->Circle(x + 22, y, kDotRadius,
                 absl::StrCat("fill=\"", kShared, "\" ", dot_stroke));
  x += 32;
  label("moved out of quiet hours");
  canvas->Circle(x + 8, y, kDotRadius + 3,
                 absl::StrCat("fill=\"none\" ", dot_stroke));
  canvas->Circle(x + 8, y, kDotRadius,
                 absl::StrCat("fill=\"", kShared, "\" ", dot_stroke));
  x += 22;
  label("two sent as one");
  canvas->Circle(x + 6, y, kDotRadius,
                 absl::StrCat("fill=\"#ffffff\" stroke=\"", kConflict,
                              "\" stroke-width=\"1.2\""));
  canvas->Cross(x + 6, y, 3.2, kConflict);
  x += 16;
  label("dropped");
}

void Picture::DrawAxis(Canvas* canvas, double y) const {
  for (int h = 0; h <= 24; h += 3) {
    canvas->Text(kLeft + h * kHour, y, absl::StrFormat("%02d:00", h),
                 absl::StrCat("font-size=\"11\" text-anchor=\"middle\" fill=\"",
                              kMuted, "\""));
  }
}

void Picture::DrawLanes(Canvas* canvas) const {
  for (size_t row = 0; row < rows_.size(); ++row) {
    const absl::CivilDay day = rows_[row];
    if (row % 2 == 1) {
      canvas->Rect(0, RowTop(row) - kRowGap / 2, kWidth, kRowHeight,
                   "fill=\"#f6f7f9\"");
    }
    canvas->Text(kMargin, RowTop(row) + 16,
                 absl::StrCat(WeekdayName(day), " ", ShortDate(day)),
                 absl::StrCat("font-size=\"14\" font-weight=\"bold\" fill=\"",
                              kInk, "\""));
    for (int lane = 0; lane < 2; ++lane) {
      const Partner& p = couple_.partners[lane];
      const double y = LaneTop(row, lane);
      // The zones the lane's day is spent in, for its label.
      const absl::Time midnight =
          LocalToInstant(absl::CivilSecond(day),
                         p.ZoneAt(absl::FromCivil(day, absl::UTCTimeZone())));
      std::vector<std::string> zones = {ZoneLabel(p.ZoneAt(midnight))};
      for (const ZoneChange& c : p.travel) {
        if (c.at > midnight && c.at < midnight + absl::Hours(24)) {
          zones.push_back(ZoneLabel(c.zone));
        }
      }
      canvas->Text(kLeft - 8, y + 14, p.Name(),
                   absl::StrCat("font-size=\"12\" font-weight=\"bold\" "
                                "text-anchor=\"end\" fill=\"",
                                kInk, "\""));
      canvas->Text(kLeft - 8, y + 28, absl::StrJoin(zones, " → "),
                   absl::StrCat("font-size=\"11\" text-anchor=\"end\" fill=\"",
                                kMuted, "\""));

      canvas->Rect(kLeft, y, 24 * kHour, kLaneHeight,
                   absl::StrCat("fill=\"", kNeither, "\""));
      auto shade = [&](const TimeWindow& w, absl::string_view fill) {
        const double s = HoursOf(w.start), e = HoursOf(w.end);
        const std::string attrs = absl::StrCat("fill=\"", fill, "\"");
        if (s < e) {
          canvas->Rect(X(s), y, X(e) - X(s), kLaneHeight, attrs);
        } else {
          canvas->Rect(X(s), y, X(24) - X(s), kLaneHeight, attrs);
          canvas->Rect(X(0), y, X(e) - X(0), kLaneHeight, attrs);
        }
      };
      shade(p.waking_hours, kWaking);
      if (p.quiet_hours) shade(*p.quiet_hours, kQuiet);
      for (int h = 1; h < 24; ++h) {
        canvas->Line(X(h), y, X(h), y + kLaneHeight,
                     h % 6 == 0 ? "stroke=\"#8d96a8\" stroke-opacity=\"0.45\""
                                : "stroke=\"#ffffff\" stroke-opacity=\"0.6\"");
      }
      // Fade what lies outside the preview on this person's clock.
      const double from = HoursInto(LocalOf(p, range_.from), day);
      const double to = HoursInto(LocalOf(p, range_.to), day);
      const std::string fade = "fill=\"#ffffff\" fill-opacity=\"0.8\"";
      if (from > 0) canvas->Rect(X(0), y, X(from) - X(0), kLaneHeight, fade);
      if (to < 24) canvas->Rect(X(to), y, X(24) - X(to), kLaneHeight, fade);
      canvas->Rect(kLeft, y, 24 * kHour, kLaneHeight,
                   "fill=\"none\" stroke=\"#c4c9d2\"");
    }
  }
}

void Picture::DrawBlocks(Canvas* canvas) const {
  // Ghosts first, so a real occurrence is drawn over one.
  std::vector<const Block*> order;
  for (const Block& b : blocks_) order.push_back(&b);
  std::stable_sort(order.begin(), order.end(),
                   [](const Block* x, const Block* y) {
                     return (x->style == BlockStyle::kSuggested) >
                            (y->style == BlockStyle::kSuggested);
                   });
  for (const Block* b : order) {
    const double y = LaneTop(b->row, b->lane) + kStrip;
    const double h = kLaneHeight - kStrip - 3;
    std::string attrs;
    switch (b->style) {
      case BlockStyle::kPlanned:
        attrs = absl::StrCat("rx=\"3\" fill=\"", b->colour,
                             "\" stroke=\"#ffffff\" stroke-width=\"0.8\"");
        break;
      case BlockStyle::kConflict:
        attrs = absl::StrCat("rx=\"3\" fill=\"", b->colour, "\" stroke=\"",
                             kConflict,
                             "\" stroke-width=\"2.5\" "
                             "stroke-dasharray=\"4 2\"");
        break;
      case BlockStyle::kHollow:
        attrs = absl::StrCat("rx=\"3\" fill=\"#ffffff\" stroke=\"", b->colour,
                             "\" stroke-width=\"1.5\" "
                             "stroke-dasharray=\"3 2\"");
        break;
      case BlockStyle::kSuggested:
        attrs = absl::StrCat("rx=\"3\" fill=\"", b->colour,
                             "\" fill-opacity=\"0.12\" stroke=\"", b->colour,
                             "\" stroke-width=\"1.5\" "
                             "stroke-dasharray=\"3 2\"");
        break;
    }
    canvas->Rect(b->x0, y, b->x1 - b->x0, h, attrs, b->title);
  }

  // Labels: per lane, occurrences before suggestions, then left to right.
  // A label goes inside its block when it fits there, else just after it,
  // cut short with "…" where it would run into the next block or label,
  // and left out when even a short one does not fit (the block's <title>
  // still has it).
  std::map<std::pair<size_t, int>, std::vector<const Block*>> lanes;
  for (const Block& b : blocks_) lanes[{b.row, b.lane}].push_back(&b);
  for (auto& [key, list] : lanes) {
    std::sort(list.begin(), list.end(), [](const Block* x, const Block* y) {
      const bool xs = x->style == BlockStyle::kSuggested;
      const bool ys = y->style == BlockStyle::kSuggested;
      return xs != ys ? ys : x->x0 < y->x0;
    });
    std::vector<std::pair<double, double>> taken;
    for (const Block* b : list) {
      if (b->label.empty()) continue;
      const double width = LabelWidth(b->label);
      const bool inside =
          b->style != BlockStyle::kSuggested && b->x1 - b->x0 >= width + 8;
      const double x = inside ? b->x0 + 4 : b->x1 + 3;
      double limit = kRight + 28;
      bool blocked = false;
      for (const auto& [x0, x1] : taken) {
        if (x0 <= x && x < x1) blocked = true;
        if (x0 > x) limit = std::min(limit, x0);
      }
      for (const Block* other : list) {
        if (other == b) continue;
        if (other->x0 < x && x < other->x1) blocked = true;
        if (other->x0 >= x) limit = std::min(limit, other->x0 - 3);
      }
      const std::string label = FitLabel(b->label, limit - x);
      if (blocked || label.empty()) continue;
      const double y = LaneTop(key.first, key.second) + kLaneHeight - 7;
      const bool light = inside && b->style != BlockStyle::kHollow;
      canvas->Text(x, y, label,
                   absl::StrCat("font-size=\"10\" fill=\"",
                                light ? "#ffffff" : kInk, "\"",
                                b->style == BlockStyle::kSuggested
                                    ? " font-style=\"italic\""
                                    : ""));
      taken.emplace_back(x - 4, x + LabelWidth(label) + 4);
    }
  }
}

void Picture::DrawDots(Canvas* canvas) const {
  const std::string stroke =
      absl::StrCat("stroke=\"", kInk, "\" stroke-width=\"1\"");
  for (const Dot& d : dots_) {
    const double y = LaneTop(d.row, d.lane) + kStrip / 2 + 0.5;
    switch (d.state) {
      case ReminderState::kScheduled:
        if (d.from_x) {
          canvas->Line(*d.from_x, y, d.x, y,
                       absl::StrCat("stroke=\"", kInk,
                                    "\" stroke-width=\"1.2\" "
                                    "stroke-dasharray=\"2 2\""));
          canvas->Circle(*d.from_x, y, 2.5,
                         absl::StrCat("fill=\"#ffffff\" ", stroke));
        }
        canvas->Circle(d.x, y, kDotRadius,
                       absl::StrCat("fill=\"", d.colour, "\" ", stroke),
                       d.title);
        break;
      case ReminderState::kMerged:
        // A ring round the reminder that carries it, at the same place.
        canvas->Circle(d.x, y, kDotRadius + 3,
                       absl::StrCat("fill=\"none\" ", stroke), d.title);
        break;
      case ReminderState::kDropped:
        canvas->Circle(d.x, y, kDotRadius,
                       absl::StrCat("fill=\"#ffffff\" stroke=\"", kConflict,
                                    "\" stroke-width=\"1.2\""),
                       d.title);
        canvas->Cross(d.x, y, 3.2, kConflict);
        break;
    }
  }
}

double Picture::DrawFooter(Canvas* canvas, double y) const {
  const std::string head =
      absl::StrCat("font-size=\"14\" font-weight=\"bold\" fill=\"", kInk, "\"");
  const std::string line = absl::StrCat("font-size=\"12\" fill=\"", kInk, "\"");
  const std::string note =
      absl::StrCat("font-size=\"12\" fill=\"", kMuted, "\"");
  if (!plan_.conflicts.empty()) {
    canvas->Text(kMargin, y, "Needs a decision: outside someone's waking hours",
                 head);
    y += 20;
    size_t listed = 0;
    for (const Conflict& c : plan_.conflicts) {
      if (listed++ == kMaxListed) {
        canvas->Text(kMargin + 12, y,
                     absl::StrCat("… and ", plan_.conflicts.size() - kMaxListed,
                                  " more; the text preview lists them all."),
                     note);
        y += 18;
        break;
      }
      std::string title = c.ritual_id;
      std::array<PartnerTime, 2> at;
      for (const PlannedOccurrence& o : plan_.occurrences) {
        if (o.ritual_id == c.ritual_id && o.index == c.index) {
          title = o.title;
          at = o.local_start;
        }
      }
      std::vector<std::string> who;
      for (const std::string& id : c.partner_ids) {
        who.emplace_back(couple_.partners[IndexOf(id)].Name());
      }
      canvas->Text(
          kMargin + 12, y,
          absl::StrCat(title, " at ", ClocksText(at), " is outside ",
                       absl::StrJoin(who, " and "), "'s waking hours."),
          line);
      y += 17;
      std::vector<std::string> options;
      for (const Proposal& p : c.proposals) {
        options.push_back(ClocksText(p.local_start));
      }
      canvas->Text(kMargin + 28, y,
                   options.empty()
                       ? std::string("Your waking hours do not overlap long "
                                     "enough for it.")
                       : absl::StrCat("Suits you both: ",
                                      absl::StrJoin(options, "  or  ")),
                   note);
      y += 22;
    }
  }
  if (!plan_.notices.empty()) {
    canvas->Text(kMargin, y, "Notices", head);
    y += 20;
    for (const Notice& n : plan_.notices) {
      canvas->Text(kMargin + 12, y, n.explanation, line);
      y += 18;
    }
    y += 4;
  }
  canvas->Text(kMargin, y, PlanSummary(plan_), note);
  return y + 14;
}

std::string Picture::Draw() {
  ChooseRows();
  CollectMarks();
  Canvas canvas;
  DrawHeader(&canvas);
  DrawLegend(&canvas);
  rows_top_ = 170;
  DrawAxis(&canvas, rows_top_ - 10);
  DrawLanes(&canvas);
  DrawBlocks(&canvas);
  DrawDots(&canvas);
  const double bottom = RowTop(rows_.size()) - kRowGap + 16;
  DrawAxis(&canvas, bottom);
  const double height = DrawFooter(&canvas, bottom + 36) + kMargin;

  const Partner& a = couple_.partners[0];
  const Partner& b = couple_.partners[1];
  return absl::StrCat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"",
      Num(kWidth), "\" height=\"", Num(height), "\" viewBox=\"0 0 ",
      Num(kWidth), " ", Num(height), "\" font-family=\"", kFont, "\">\n",
      "<title>",
      XmlEscape(absl::StrCat("Tend plan for ", a.Name(), " and ", b.Name())),
      "</title>\n"
      "<defs>\n"
      "<pattern id=\"quiet\" width=\"6\" height=\"6\" "
      "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
      "<rect width=\"6\" height=\"6\" fill=\"#d6dcee\"/>"
      "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#aeb8d8\" "
      "stroke-width=\"2.5\"/></pattern>\n"
      "</defs>\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n",
      canvas.body(), "</svg>\n");
}

}  // namespace

std::string DrawPlanSvg(const Couple& couple, const Plan& plan,
                        const PreviewRange& range) {
  return Picture(couple, plan, range).Draw();
}

std::string XmlEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 has no way to write most control characters; drop them.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          break;
        }
        out += c;
    }
  }
  return out;
}

}  // namespace tend::engine
