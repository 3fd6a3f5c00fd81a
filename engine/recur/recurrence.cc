// How a recurrence is expanded without walking from DTSTART.
//
// A rule without BYHOUR/BYMINUTE/BYSECOND puts every occurrence at DTSTART's
// local time of day, so expanding it is a matter of dates. FREQ cuts the
// calendar into periods (a day, a week starting on WKST, a month, a year),
// numbered so that period P+1 follows period P; the rule selects the periods
// DTSTART's period + k * INTERVAL, k >= 0. Within one period the BY rules
// give a set of dates, at most 366, kept as a bit set relative to the
// period's first day. That set depends only on the period, never on what
// came before, so NextAfter(t) can jump straight to the period holding t.
//
// The occurrence index is DTSTART's 0 plus the rank of a date among all
// dates after DTSTART's day. When every period yields the same number of
// dates (checked at Parse() over the 14 kinds of Gregorian year), that rank
// is arithmetic; otherwise it is carried from a known occurrence, the
// caller's cursor or DTSTART, by summing the periods in between.
//
// The Gregorian calendar repeats every 400 years, so selected periods repeat
// their dates every `cycle_periods_` periods: a rule that finds no date in
// that many consecutive periods never will, which bounds every search.
#include "engine/recur/recurrence.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/base/status_macros.h"

namespace tend::engine {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// days_from_civil), and back. Cheaper than absl civil arithmetic in the
// inner loops.
constexpr int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Ymd {
  int64_t year;
  int month;
  int day;
};

Ymd CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (m <= 2), m, d};
}

constexpr bool IsLeap(int64_t y) {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

constexpr int DaysInMonth(int64_t y, int m) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

constexpr int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// 0 for Monday .. 6 for Sunday; 1970-01-01 was a Thursday.
constexpr int WeekdayOfDay(int64_t day) {
  return static_cast<int>(day - FloorDiv(day + 3, 7) * 7 + 3);
}

int WeekdayIndex(absl::Weekday w) { return static_cast<int>(w); }

// No occurrence is produced after the last day a 4-digit year can write.
constexpr int64_t kLastDay = DaysFromCivil(9999, 12, 31);

int64_t DayNumber(absl::CivilSecond local) {
  return DaysFromCivil(local.year(), local.month(), local.day());
}

absl::CivilSecond ToLocal(int64_t day, int64_t time_of_day) {
  Ymd ymd = CivilFromDays(day);
  return absl::CivilSecond(ymd.year, ymd.month, ymd.day,
                           static_cast<int>(time_of_day / 3600),
                           static_cast<int>(time_of_day / 60 % 60),
                           static_cast<int>(time_of_day % 60));
}

// DaySet: the dates of one period, as bits relative to its first day.
class DaySet {
 public:
  void Add(int i) { bits_[i >> 6] |= uint64_t{1} << (i & 63); }
  bool Has(int i) const { return (bits_[i >> 6] >> (i & 63)) & 1; }
  bool empty() const {
    for (uint64_t w : bits_) {
      if (w != 0) return false;
    }
    return true;
  }
  int Count() const {
    int n = 0;
    for (uint64_t w : bits_) n += __builtin_popcountll(w);
    return n;
  }
  // Members below `i`.
  int Rank(int i) const {
    int n = 0;
    for (int w = 0; w < (i >> 6); ++w) n += __builtin_popcountll(bits_[w]);
    if ((i & 63) != 0 && (i >> 6) < kWords) {
      n +=
          __builtin_popcountll(bits_[i >> 6] & ((uint64_t{1} << (i & 63)) - 1));
    }
    return n;
  }
  // The first member >= `i`, or -1.
  int NextFrom(int i) const {
    if (i >= kWords * 64) return -1;
    int w = i >> 6;
    uint64_t bits = bits_[w] & (~uint64_t{0} << (i & 63));
    while (true) {
      if (bits != 0) return w * 64 + __builtin_ctzll(bits);
      if (++w == kWords) return -1;
      bits = bits_[w];
    }
  }
  // The members at RFC 5545 BYSETPOS positions (1 is the first, -1 the
  // last); positions beyond the set select nothing.
  DaySet AtPositions(const std::vector<int>& positions) const {
    const int n = Count();
    DaySet out;
    for (int pos : positions) {
      int wanted = pos > 0 ? pos - 1 : n + pos;
      if (wanted < 0 || wanted >= n) continue;
      int i = NextFrom(0);
      for (int skip = 0; skip < wanted; ++skip) i = NextFrom(i + 1);
      out.Add(i);
    }
    return out;
  }

 private:
  static constexpr int kWords = 6;  // 384 bits >= 366 days
  uint64_t bits_[kWords] = {};
};

// Period: the days of one recurrence period.
struct Period {
  int64_t start = 0;  // day number of the first day
  int length = 0;     // days
};

// Calendar repeats: days, weeks, months and years in 400 Gregorian years.
constexpr int64_t kCycleDays = 146097;
constexpr int64_t kCycleWeeks = kCycleDays / 7;
constexpr int64_t kCycleMonths = 4800;
constexpr int64_t kCycleYears = 400;

}  // namespace

// Recurrence::Expander
//
// The per-period arithmetic of one recurrence; a view, built per call.
class Recurrence::Expander {
 public:
  explicit Expander(const Recurrence& r)
      : r_(r),
        rule_(r.rule_),
        // Day number of some day that starts a week (a WKST weekday).
        week_anchor_(WeekdayIndex(r.rule_.week_start) - 3) {}

  // PeriodOfDay()
  //
  // The index of the period holding `day`.
  int64_t PeriodOfDay(int64_t day) const {
    switch (rule_.freq) {
      case Frequency::kDaily:
        return day;
      case Frequency::kWeekly:
        return FloorDiv(day - week_anchor_, 7);
      case Frequency::kMonthly: {
        Ymd ymd = CivilFromDays(day);
        return ymd.year * 12 + ymd.month - 1;
      }
      case Frequency::kYearly:
        return CivilFromDays(day).year;
    }
    return 0;
  }

  // PeriodAt()
  //
  // The k-th selected period: DTSTART's period + k * INTERVAL.
  Period PeriodAt(int64_t k) const {
    const int64_t p = r_.first_period_ + k * rule_.interval;
    switch (rule_.freq) {
      case Frequency::kDaily:
        return {p, 1};
      case Frequency::kWeekly:
        return {p * 7 + week_anchor_, 7};
      case Frequency::kMonthly: {
        const int64_t year = FloorDiv(p, 12);
        const int month = static_cast<int>(p - year * 12 + 1);
        return {DaysFromCivil(year, month, 1), DaysInMonth(year, month)};
      }
      case Frequency::kYearly:
        return {DaysFromCivil(p, 1, 1), IsLeap(p) ? 366 : 365};
    }
    return {};
  }

  // Dates()
  //
  // The dates the rule selects in `period`, BYSETPOS applied.
  DaySet Dates(const Period& period) const {
    DaySet set;
    switch (rule_.freq) {
      case Frequency::kDaily:
        if (DayMatches(period.start)) set.Add(0);
        break;
      case Frequency::kWeekly:
        WeekDates(period, &set);
        break;
      case Frequency::kMonthly: {
        Ymd first = CivilFromDays(period.start);
        if (r_.month_mask_ == 0 || (r_.month_mask_ >> first.month) & 1) {
          MonthDates(0, period.length, WeekdayOfDay(period.start),
                     /*scope_offset=*/0, period.length, &set);
        }
        break;
      }
      case Frequency::kYearly:
        YearDates(period, &set);
        break;
    }
    if (!rule_.by_set_pos.empty()) return set.AtPositions(rule_.by_set_pos);
    return set;
  }

  // RankOfPeriod()
  //
  // The rank, among all dates after DTSTART's day, of the first date of the
  // k-th selected period (negative in DTSTART's own period, whose dates up
  // to DTSTART do not count).
  int64_t RankOfPeriod(int64_t k,
                       const std::optional<Occurrence>& cursor) const {
    if (r_.fixed_count_ >= 0) {
      return k * r_.fixed_count_ - r_.dates_before_start_;
    }
    int64_t at = 0;
    int64_t rank = -r_.dates_before_start_;
    if (cursor.has_value()) {
      if (std::optional<std::pair<int64_t, int64_t>> known =
              CursorPosition(*cursor)) {
        at = known->first;
        rank = known->second;
      }
    }
    for (; at < k; ++at) rank += Dates(PeriodAt(at)).Count();
    for (; at > k; --at) rank -= Dates(PeriodAt(at - 1)).Count();
    return rank;
  }

 private:
  // The (selected period, rank of its first date) that `cursor` reveals,
  // or nullopt when it is not an occurrence after DTSTART of this rule.
  std::optional<std::pair<int64_t, int64_t>> CursorPosition(
      const Occurrence& cursor) const {
    if (cursor.index < 1 || (rule_.count > 0 && cursor.index >= rule_.count)) {
      return std::nullopt;
    }
    const int64_t day = DayNumber(cursor.local);
    const absl::CivilSecond midnight(absl::CivilDay(cursor.local));
    if (cursor.local - midnight != r_.time_of_day_ || day <= r_.dtstart_day_ ||
        day > kLastDay) {
      return std::nullopt;
    }
    const int64_t steps = PeriodOfDay(day) - r_.first_period_;
    if (steps % rule_.interval != 0) return std::nullopt;
    const int64_t k = steps / rule_.interval;
    const Period period = PeriodAt(k);
    const DaySet dates = Dates(period);
    const int i = static_cast<int>(day - period.start);
    if (!dates.Has(i)) return std::nullopt;
    return std::make_pair(k, cursor.index - 1 - dates.Rank(i));
  }

  bool WeekdayListed(int weekday) const {
    return (r_.weekday_mask_ >> weekday) & 1;
  }

  // Whether a day whose position in its scope (month or year) is `i` of
  // `scope_length` days matches one of the BYDAY entries.
  bool MatchesByDay(int weekday, int i, int scope_length) const {
    if (WeekdayListed(weekday)) return true;
    for (const WeekdayNum& entry : rule_.by_day) {
      if (entry.ordinal == 0 || WeekdayIndex(entry.weekday) != weekday) {
        continue;
      }
      if (entry.ordinal > 0
              ? i / 7 == entry.ordinal - 1
              : (scope_length - 1 - i) / 7 == -entry.ordinal - 1) {
        return true;
      }
    }
    return false;
  }

  // DAILY: BYMONTH, BYMONTHDAY and BYDAY only limit.
  bool DayMatches(int64_t day) const {
    if (r_.month_mask_ == 0 && r_.month_day_mask_ == 0 &&
        r_.neg_month_day_mask_ == 0 && r_.weekday_mask_ == 0) {
      return true;
    }
    const Ymd ymd = CivilFromDays(day);
    if (r_.month_mask_ != 0 && !((r_.month_mask_ >> ymd.month) & 1)) {
      return false;
    }
    if (r_.month_day_mask_ != 0 || r_.neg_month_day_mask_ != 0) {
      const int from_end = DaysInMonth(ymd.year, ymd.month) + 1 - ymd.day;
      if (!((r_.month_day_mask_ >> ymd.day) & 1) &&
          !((r_.neg_month_day_mask_ >> from_end) & 1)) {
        return false;
      }
    }
    return r_.weekday_mask_ == 0 || WeekdayListed(WeekdayOfDay(day));
  }

  // WEEKLY: BYDAY (or DTSTART's weekday) expands, BYMONTH limits.
  void WeekDates(const Period& period, DaySet* set) const {
    const int first_weekday = WeekdayOfDay(period.start);
    const uint32_t weekdays = r_.weekday_mask_ != 0
                                  ? r_.weekday_mask_
                                  : 1u << WeekdayOfDay(r_.dtstart_day_);
    Ymd ymd{};
    int month_length = 0;
    if (r_.month_mask_ != 0) {
      ymd = CivilFromDays(period.start);
      month_length = DaysInMonth(ymd.year, ymd.month);
    }
    for (int i = 0; i < 7; ++i) {
      if (r_.month_mask_ != 0 && i > 0 && ++ymd.day > month_length) {
        ymd.day = 1;
        ymd.month = ymd.month % 12 + 1;
      }
      if (((weekdays >> ((first_weekday + i) % 7)) & 1) &&
          (r_.month_mask_ == 0 || (r_.month_mask_ >> ymd.month) & 1)) {
        set->Add(i);
      }
    }
  }

  // The dates of one month of `length` days whose first day is bit `offset`
  // of the set and a `first_weekday`. BYDAY ordinals count within the scope
  // of `scope_length` days that starts `scope_offset` days before the month.
  void MonthDates(int offset, int length, int first_weekday, int scope_offset,
                  int scope_length, DaySet* set) const {
    if (!rule_.by_month_day.empty()) {
      for (int v : rule_.by_month_day) {
        const int d = v > 0 ? v : length + 1 + v;
        if (d < 1 || d > length) continue;
        if (rule_.by_day.empty() ||
            MatchesByDay((first_weekday + d - 1) % 7, scope_offset + d - 1,
                         scope_length)) {
          set->Add(offset + d - 1);
        }
      }
    } else if (!rule_.by_day.empty()) {
      const int last_weekday = (first_weekday + length - 1) % 7;
      for (const WeekdayNum& entry : rule_.by_day) {
        const int w = WeekdayIndex(entry.weekday);
        const int first = (w - first_weekday + 7) % 7;
        if (entry.ordinal == 0) {
          for (int i = first; i < length; i += 7) set->Add(offset + i);
        } else if (entry.ordinal > 0) {
          const int i = first + 7 * (entry.ordinal - 1);
          if (i < length) set->Add(offset + i);
        } else {
          const int last = length - 1 - (last_weekday - w + 7) % 7;
          const int i = last - 7 * (-entry.ordinal - 1);
          if (i >= 0) set->Add(offset + i);
        }
      }
    } else {
      const int d = r_.dtstart_.day();
      if (d <= length) set->Add(offset + d - 1);
    }
  }

  // YEARLY: BYMONTH expands to months; within them BYMONTHDAY or BYDAY
  // expand (BYDAY limits when both are set). Without BYMONTH, BYMONTHDAY
  // applies to DTSTART's month and BYDAY alone to the whole year.
  void YearDates(const Period& period, DaySet* set) const {
    const int64_t year = CivilFromDays(period.start).year;
    const int jan1_weekday = WeekdayOfDay(period.start);
    auto month_offset = [&](int month) {
      return static_cast<int>(DaysFromCivil(year, month, 1) - period.start);
    };
    if (!rule_.by_month.empty()) {
      for (int month : rule_.by_month) {
        const int offset = month_offset(month);
        const int length = DaysInMonth(year, month);
        MonthDates(offset, length, (jan1_weekday + offset) % 7,
                   /*scope_offset=*/0, length, set);
      }
    } else if (!rule_.by_month_day.empty()) {
      const int month = r_.dtstart_.month();
      const int offset = month_offset(month);
      MonthDates(offset, DaysInMonth(year, month), (jan1_weekday + offset) % 7,
                 offset, period.length, set);
    } else if (!rule_.by_day.empty()) {
      MonthDates(0, period.length, jan1_weekday, 0, period.length, set);
    } else {
      const int month = r_.dtstart_.month();
      if (r_.dtstart_.day() <= DaysInMonth(year, month)) {
        set->Add(month_offset(month) + r_.dtstart_.day() - 1);
      }
    }
  }

  const Recurrence& r_;
  const Rrule& rule_;
  const int64_t week_anchor_;
};

absl::Time LocalToInstant(absl::CivilSecond local, absl::TimeZone zone) {
  // The pre-transition offset, for a skipped time as for a repeated one, is
  // exactly RFC 5545 §3.3.5. Not absl::FromCivil: for a skipped time it
  // returns the transition itself (02:30 would become 03:00 EDT), to keep
  // civil order.
  return zone.At(local).pre;
}

absl::StatusOr<Recurrence> Recurrence::Parse(absl::string_view rrule,
                                             absl::CivilSecond dtstart,
                                             absl::TimeZone zone) {
  TEND_ASSIGN_OR_RETURN(Rrule parsed, ParseRrule(rrule));
  if (dtstart.year() < 1 || dtstart.year() > 9999) {
    return absl::InvalidArgumentError("dtstart: year must be from 1 to 9999");
  }
  Recurrence r;
  r.rule_ = std::move(parsed);
  r.text_ = FormatRrule(r.rule_);
  r.dtstart_ = dtstart;
  r.zone_ = zone;
  r.dtstart_instant_ = LocalToInstant(dtstart, zone);
  r.dtstart_day_ = DayNumber(dtstart);
  r.time_of_day_ = dtstart - absl::CivilSecond(absl::CivilDay(dtstart));
  for (int month : r.rule_.by_month) r.month_mask_ |= 1u << month;
  for (int d : r.rule_.by_month_day) {
    if (d > 0) {
      r.month_day_mask_ |= 1u << d;
    } else {
      r.neg_month_day_mask_ |= 1u << -d;
    }
  }
  for (const WeekdayNum& entry : r.rule_.by_day) {
    if (entry.ordinal == 0) {
      r.weekday_mask_ |= 1u << WeekdayIndex(entry.weekday);
    }
  }

  // Indexed by Frequency.
  constexpr int64_t kCycle[] = {kCycleDays, kCycleWeeks, kCycleMonths,
                                kCycleYears};
  const int64_t cycle = kCycle[static_cast<int>(r.rule_.freq)];
  r.cycle_periods_ = cycle / std::gcd(cycle, int64_t{r.rule_.interval});

  Expander expander(r);
  r.first_period_ = expander.PeriodOfDay(r.dtstart_day_);
  const Period first = expander.PeriodAt(0);
  const DaySet first_dates = expander.Dates(first);
  r.dates_before_start_ =
      first_dates.Rank(static_cast<int>(r.dtstart_day_ - first.start + 1));

  // Does every selected period yield the same number of dates? Months and
  // years come in 14 kinds (leap or not, weekday of January 1), all found in
  // 2001..2028; a week always has each weekday once unless BYMONTH cuts it.
  const Rrule& rule = r.rule_;
  switch (rule.freq) {
    case Frequency::kDaily:
      r.fixed_count_ = rule.by_month.empty() && rule.by_month_day.empty() &&
                               rule.by_day.empty()
                           ? 1
                           : -1;
      break;
    case Frequency::kWeekly:
      r.fixed_count_ = rule.by_month.empty() ? first_dates.Count() : -1;
      break;
    case Frequency::kMonthly:
    case Frequency::kYearly: {
      const bool monthly = rule.freq == Frequency::kMonthly;
      std::optional<int> count;
      bool fixed = true;
      for (int year = 2001; year <= 2028 && fixed; ++year) {
        for (int month = 1; month <= (monthly ? 12 : 1) && fixed; ++month) {
          const Period period = monthly ? Period{DaysFromCivil(year, month, 1),
                                                 DaysInMonth(year, month)}
                                        : Period{DaysFromCivil(year, 1, 1),
                                                 IsLeap(year) ? 366 : 365};
          const int n = expander.Dates(period).Count();
          if (!count) count = n;
          fixed = n == *count;
        }
      }
      r.fixed_count_ = fixed ? *count : -1;
      break;
    }
  }

  // Is there any date after DTSTART's day at all? A period with dates recurs
  // every cycle, so one cycle of selected periods answers.
  if (r.fixed_count_ >= 0) {
    r.has_dates_ = r.fixed_count_ > 0;
  } else {
    r.has_dates_ = first_dates.NextFrom(
                       static_cast<int>(r.dtstart_day_ - first.start + 1)) >= 0;
    for (int64_t k = 1; !r.has_dates_ && k <= r.cycle_periods_; ++k) {
      const Period period = expander.PeriodAt(k);
      if (period.start > kLastDay) break;
      r.has_dates_ = !expander.Dates(period).empty();
    }
  }
  return r;
}

std::optional<Occurrence> Recurrence::NextAfter(
    absl::Time t, const std::optional<Occurrence>& cursor) const {
  if (t < dtstart_instant_) return Occurrence{0, dtstart_, dtstart_instant_};
  if (!has_dates_ || t == absl::InfiniteFuture()) return std::nullopt;
  const Expander expander(*this);

  // A date up to a day before t's local date can still fall after t when
  // its local time was skipped by a forward shift: Apia skipped all of
  // 2011-12-30, so 10:00 on the 30th is the instant of 10:00 on the 31st.
  const absl::CivilSecond local_t = absl::ToCivilSecond(t, zone_);
  const int64_t from_day = std::max(DayNumber(local_t) - 1, dtstart_day_ + 1);
  if (from_day > kLastDay) return std::nullopt;
  if (rule_.until.kind == Until::Kind::kDate ||
      rule_.until.kind == Until::Kind::kLocal) {
    if (from_day > DayNumber(rule_.until.local)) return std::nullopt;
  }

  const int64_t steps = expander.PeriodOfDay(from_day) - first_period_;
  int64_t k = (steps + rule_.interval - 1) / rule_.interval;  // steps >= 0
  int64_t rank = expander.RankOfPeriod(k, cursor);
  for (int64_t empty = 0; empty <= cycle_periods_; ++k) {
    const Period period = expander.PeriodAt(k);
    if (period.start > kLastDay) return std::nullopt;
    const DaySet dates = expander.Dates(period);
    if (dates.empty()) {
      ++empty;
      continue;
    }
    empty = 0;
    int i = dates.NextFrom(
        static_cast<int>(std::max<int64_t>(0, from_day - period.start)));
    for (int64_t index = 1 + rank + (i < 0 ? 0 : dates.Rank(i)); i >= 0;
         i = dates.NextFrom(i + 1), ++index) {
      if (rule_.count > 0 && index >= rule_.count) return std::nullopt;
      const int64_t day = period.start + i;
      if (day > kLastDay) return std::nullopt;
      const absl::CivilSecond local = ToLocal(day, time_of_day_);
      switch (rule_.until.kind) {
        case Until::Kind::kDate:
          if (day > DayNumber(rule_.until.local)) return std::nullopt;
          break;
        case Until::Kind::kLocal:
          if (local > rule_.until.local) return std::nullopt;
          break;
        default:
          break;
      }
      const absl::Time instant = LocalToInstant(local, zone_);
      if (rule_.until.kind == Until::Kind::kUtc && instant > rule_.until.utc) {
        return std::nullopt;
      }
      if (instant > t) return Occurrence{index, local, instant};
    }
    rank += dates.Count();
  }
  return std::nullopt;
}

std::vector<Occurrence> Recurrence::Expand(absl::Time after, int max) const {
  std::vector<Occurrence> out;
  std::optional<Occurrence> cursor;
  absl::Time t = after;
  while (static_cast<int>(out.size()) < max) {
    cursor = NextAfter(t, cursor);
    if (!cursor) break;
    out.push_back(*cursor);
    t = cursor->instant;
  }
  return out;
}

}  // namespace tend::engine
