#include "engine/cadence/cadence.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace tend::engine {
namespace {

// Weights of the blended score; only known signals take part, and the
// weights of those are renormalised.
constexpr double kConnectionWeight = 0.45;
constexpr double kMoodWeight = 0.35;
constexpr double kKeptWeight = 0.20;

// Lower score limits of thriving, steady and strained.
constexpr double kThrivingFloor = 70.0;
constexpr double kSteadyFloor = 50.0;
constexpr double kStrainedFloor = 30.0;

constexpr size_t kMaxEmphasis = 5;

int Rank(CadenceBand band) { return static_cast<int>(band); }

CadenceBand BandOf(double score) {
  if (score >= kThrivingFloor) return CadenceBand::kThriving;
  if (score >= kSteadyFloor) return CadenceBand::kSteady;
  if (score >= kStrainedFloor) return CadenceBand::kStrained;
  return CadenceBand::kStruggling;
}

// The band the score points to, seen from `current`: a different band only
// when the score is kBandMargin past the boundary.
CadenceBand ObservedBand(double score, CadenceBand current) {
  const CadenceBand better = BandOf(score - kBandMargin);
  if (Rank(better) < Rank(current)) return better;
  const CadenceBand worse = BandOf(score + kBandMargin);
  if (Rank(worse) > Rank(current)) return worse;
  return current;
}

// What the signals say, summarised for the score and the reason.
struct Evidence {
  std::optional<double> mood;     // 1..5
  std::optional<int> connection;  // 0..100
  int kept = 0;                   // check-ins done in the window
  int skipped = 0;
  int missed = 0;
  int planned() const { return kept + skipped + missed; }
  // Kept check-ins as 0..100; a skip weighs half a miss.
  std::optional<double> kept_score() const {
    if (planned() == 0) return std::nullopt;
    return 100.0 * (kept + 0.5 * skipped) / planned();
  }
};

absl::Status Validate(const CadenceSignals& s,
                      const std::optional<CadenceDecision>& previous) {
  if (s.mood != 0 && (s.mood < 1 || s.mood > 5)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "signals.mood: must be 0 (unknown) or from 1 to 5, got ", s.mood));
  }
  if (s.connection_score &&
      (*s.connection_score < 0 || *s.connection_score > 100)) {
    return absl::InvalidArgumentError(
        absl::StrCat("signals.connection_score: must be from 0 to 100, got ",
                     *s.connection_score));
  }
  if (s.days_since_last_check_in && *s.days_since_last_check_in < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("signals.days_since_last_check_in: must not be "
                     "negative, got ",
                     *s.days_since_last_check_in));
  }
  for (const CheckInRecord& r : s.recent_check_ins) {
    if (r.day > s.today) {
      return absl::InvalidArgumentError(absl::StrCat(
          "signals.recent_check_ins: ", absl::FormatCivilTime(r.day),
          " is after today (", absl::FormatCivilTime(s.today), ")"));
    }
  }
  if (previous && previous->evaluated_on > s.today) {
    return absl::InvalidArgumentError(
        absl::StrCat("signals.today: ", absl::FormatCivilTime(s.today),
                     " is before the previous evaluation on ",
                     absl::FormatCivilTime(previous->evaluated_on)));
  }
  return absl::OkStatus();
}

Evidence Gather(const CadenceSignals& s) {
  Evidence e;
  if (s.mood != 0) e.mood = s.mood;
  e.connection = s.connection_score;
  for (const CheckInRecord& r : s.recent_check_ins) {
    if (s.today - r.day >= kSignalWindowDays) continue;
    switch (r.outcome) {
      case CheckInOutcome::kDone:
        ++e.kept;
        break;
      case CheckInOutcome::kSkipped:
        ++e.skipped;
        break;
      case CheckInOutcome::kMissed:
        ++e.missed;
        break;
    }
  }
  return e;
}

std::optional<double> Score(const Evidence& e) {
  double sum = 0, weight = 0;
  if (e.connection) {
    sum += kConnectionWeight * *e.connection;
    weight += kConnectionWeight;
  }
  if (e.mood) {
    sum += kMoodWeight * (*e.mood - 1.0) * 25.0;
    weight += kMoodWeight;
  }
  if (std::optional<double> kept = e.kept_score()) {
    sum += kKeptWeight * *kept;
    weight += kKeptWeight;
  }
  if (weight == 0) return std::nullopt;
  return sum / weight;
}

// "mood 4.4 of 5, connection 82 of 100, 3 of 4 check-ins kept"
std::string DescribeEvidence(const Evidence& e) {
  std::vector<std::string> parts;
  if (e.mood) parts.push_back(absl::StrFormat("mood %.1f of 5", *e.mood));
  if (e.connection) {
    parts.push_back(absl::StrCat("connection ", *e.connection, " of 100"));
  }
  if (e.planned() > 0) {
    parts.push_back(
        absl::StrCat(e.kept, " of ", e.planned(), " check-ins kept"));
  }
  return absl::StrJoin(parts, ", ");
}

absl::string_view DescribeBand(CadenceBand band) {
  switch (band) {
    case CadenceBand::kThriving:
      return "things look good between you";
    case CadenceBand::kSteady:
      return "things look steady";
    case CadenceBand::kStrained:
      return "things seem strained lately";
    case CadenceBand::kStruggling:
      return "things feel hard right now";
  }
  return "";
}

// The practices of a band, most emphasised first.
std::vector<Practice> BandEmphasis(CadenceBand band) {
  switch (band) {
    case CadenceBand::kThriving:
      return {Practice::kFun, Practice::kDeeperQuestions,
              Practice::kLoveLanguages, Practice::kGardenReview};
    case CadenceBand::kSteady:
      return {Practice::kTimeTogether, Practice::kListening,
              Practice::kSmallActs, Practice::kTouch};
    case CadenceBand::kStrained:
      return {Practice::kVulnerability, Practice::kRepair, Practice::kListening,
              Practice::kSmallActs};
    case CadenceBand::kStruggling:
      return {Practice::kRepair, Practice::kVulnerability, Practice::kListening,
              Practice::kRecognizeDisconnection};
  }
  return {};
}

std::vector<Practice> Emphasis(CadenceBand band, const Evidence& e,
                               bool drifting) {
  std::vector<Practice> ordered;
  if (drifting) {
    ordered = {Practice::kCheckIn, Practice::kTimeTogether};
  }
  for (Practice p : BandEmphasis(band)) ordered.push_back(p);
  // Specific signals that the band alone would not show.
  if (e.connection && *e.connection < kLowScore) {
    ordered.push_back(Practice::kRecognizeDisconnection);
  }
  if (e.planned() > 0 && e.missed * 2 > e.planned()) {
    ordered.push_back(Practice::kTimeTogether);
  }
  std::vector<Practice> unique;
  for (Practice p : ordered) {
    if (unique.size() == kMaxEmphasis) break;
    if (std::find(unique.begin(), unique.end(), p) == unique.end()) {
      unique.push_back(p);
    }
  }
  return unique;
}

// How this evaluation moved the band.
enum class Move { kFirst, kSame, kHeld, kWorse, kSharplyWorse, kBetter };

std::string Reason(Move move, CadenceBand band, bool held_is_better,
                   const Evidence& e, bool has_score) {
  const int days = IntervalDaysFor(band);
  if (!has_score) {
    return absl::StrCat("Check-ins every ", days,
                        " days to start: there are no check-ins, moods or "
                        "connection checks to go on yet.");
  }
  const std::string evidence = DescribeEvidence(e);
  switch (move) {
    case Move::kFirst:
    case Move::kSame:
      return absl::StrCat("Check-ins every ", days,
                          " days: ", DescribeBand(band), " (", evidence, ").");
    case Move::kHeld:
      return absl::StrCat(
          "Check-ins stay every ", days, " days: the latest signals look ",
          held_is_better ? "brighter" : "harder", " (", evidence,
          "), and the cadence changes only if that holds at the next "
          "evaluation.");
    case Move::kWorse:
      return absl::StrCat("Check-ins every ", days,
                          " days for now: ", DescribeBand(band),
                          " at two evaluations in a row (", evidence,
                          "); shorter, more frequent talks help you "
                          "reconnect.");
    case Move::kSharplyWorse:
      return absl::StrCat("Check-ins every ", days,
                          " days for now: ", DescribeBand(band), " (", evidence,
                          "); shorter, more frequent talks help you "
                          "reconnect.");
    case Move::kBetter:
      return absl::StrCat(
          "Things have been looking up at two evaluations in "
          "a row (",
          evidence, "), so check-ins come every ", days, " days now.");
  }
  return "";
}

}  // namespace

absl::string_view CadenceBandName(CadenceBand band) {
  switch (band) {
    case CadenceBand::kThriving:
      return "thriving";
    case CadenceBand::kSteady:
      return "steady";
    case CadenceBand::kStrained:
      return "strained";
    case CadenceBand::kStruggling:
      return "struggling";
  }
  return "steady";
}

int IntervalDaysFor(CadenceBand band) {
  switch (band) {
    case CadenceBand::kThriving:
    case CadenceBand::kSteady:
      return 7;
    case CadenceBand::kStrained:
      return 3;
    case CadenceBand::kStruggling:
      return kMinIntervalDays;
  }
  return kMaxIntervalDays;
}

absl::StatusOr<CadenceDecision> DecideCadence(
    const CadenceSignals& signals,
    const std::optional<CadenceDecision>& previous) {
  if (absl::Status s = Validate(signals, previous); !s.ok()) return s;
  const Evidence evidence = Gather(signals);

  CadenceDecision d;
  d.evaluated_on = signals.today;
  d.score = Score(evidence);
  const CadenceBand was = previous ? previous->band : CadenceBand::kSteady;
  if (previous) d.changed_on = previous->changed_on;

  // Band, with hysteresis.
  d.band = was;
  Move move = previous ? Move::kSame : Move::kFirst;
  bool held_is_better = false;
  const CadenceBand seen = d.score ? ObservedBand(*d.score, was) : was;
  if (seen != was) {
    const bool worse = Rank(seen) > Rank(was);
    // Getting better relaxes one band at a time.
    const CadenceBand target =
        worse ? seen : static_cast<CadenceBand>(Rank(was) - 1);
    const bool confirmed =
        previous && previous->pending_band &&
        (Rank(*previous->pending_band) > Rank(was)) == worse &&
        previous->pending_since < signals.today;
    if (!previous || Rank(seen) - Rank(was) >= 2) {
      // A first evaluation has nothing to hold on to, and a sharp fall
      // should not wait for a second reading.
      d.band = seen;
      move = previous ? Move::kSharplyWorse : Move::kFirst;
    } else if (confirmed) {
      d.band = target;
      move = worse ? Move::kWorse : Move::kBetter;
    } else {
      move = Move::kHeld;
      held_is_better = !worse;
      d.pending_band = target;
      const bool same_direction =
          previous->pending_band &&
          (Rank(*previous->pending_band) > Rank(was)) == worse;
      d.pending_since =
          same_direction ? previous->pending_since : signals.today;
    }
    if (d.band != was) d.changed_on = signals.today;
  }
  d.interval_days = IntervalDaysFor(d.band);

  // Drift.
  d.drifting = signals.days_since_last_check_in &&
               *signals.days_since_last_check_in >= kDriftDays;
  if (d.drifting) {
    d.nudge = absl::StrCat(
        "It has been ", *signals.days_since_last_check_in,
        " days since your last check-in. No pressure: how about ten quiet "
        "minutes together this week, phones away?");
  }

  // Counselling, when the score stays low for a month.
  d.low_since = previous ? previous->low_since : std::nullopt;
  if (d.score) {
    if (*d.score < kLowScore) {
      if (!d.low_since) d.low_since = signals.today;
    } else if (*d.score >= kLowScore + kBandMargin) {
      d.low_since.reset();
    }
  }
  d.counselling_suggested =
      d.low_since && signals.today - *d.low_since >= kCounsellingDays;
  if (d.counselling_suggested) {
    d.counselling_reason = absl::StrCat(
        "Your check-ins have felt heavy for ", signals.today - *d.low_since,
        " days now. Many couples find that a counsellor helps them hear each "
        "other again; reaching out is a sign of care, not of failure.");
  }

  d.emphasis = Emphasis(d.band, evidence, d.drifting);
  d.reason =
      Reason(move, d.band, held_is_better, evidence, d.score.has_value());
  if (d.drifting) {
    absl::StrAppend(&d.reason, " It has been ",
                    *signals.days_since_last_check_in,
                    " days since your last check-in.");
  }
  return d;
}

}  // namespace tend::engine
