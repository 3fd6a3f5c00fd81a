// The adaptive check-in cadence: how often a couple is asked to check in,
// which practices to lean on, and why.
//
// DecideCadence() is a pure function. The scheduler gathers the couple's
// signals (recent check-in outcomes, mood, the latest connection score, days
// since the last check-in) and hands them in together with the previous
// decision, which carries the model's memory. Nothing here reads a clock or
// a store, so a test can replay months of evaluations in microseconds.
//
//   CadenceSignals signals;
//   signals.today = absl::CivilDay(2026, 11, 26);
//   signals.recent_check_ins = {
//       {absl::CivilDay(2026, 11, 22), CheckInOutcome::kMissed}};
//   signals.mood = 2.1;
//   signals.connection_score = 35;
//   absl::StatusOr<CadenceDecision> d = DecideCadence(signals, previous);
//   // d->interval_days == 3, d->emphasis starts with kVulnerability, and
//   // d->reason says why in a sentence the app can show.
//
// How the model works:
//   - The signals blend into one score from 0 (far apart) to 100 (close):
//     connection 45%, mood 35%, kept check-ins 20%, over whichever are known.
//   - The score falls in a band: thriving (>= 70), steady (>= 50), strained
//     (>= 30) or struggling. Each band has an interval of 7, 7, 3 or 2 days:
//     never more often than every two days, never rarer than weekly.
//   - Hysteresis, so the cadence does not flip week to week: leaving the
//     current band needs the score past the boundary by kBandMargin points,
//     and the move must be seen at two evaluations on different days. Only a
//     fall of two bands or more acts at once. Getting better relaxes one band
//     per confirmed step.
//   - No check-in for kDriftDays days sets `drifting` with a gentle nudge.
//   - A score below kLowScore for kCounsellingDays days in a row suggests
//     couples counselling, kindly.
#ifndef TEND_ENGINE_CADENCE_CADENCE_H_
#define TEND_ENGINE_CADENCE_CADENCE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "engine/cadence/practice.h"

namespace tend::engine {

// kMinIntervalDays, kMaxIntervalDays
//
// The bounds of the check-in interval: never more often than every two
// days, never rarer than weekly.
inline constexpr int kMinIntervalDays = 2;
inline constexpr int kMaxIntervalDays = 7;

// kSignalWindowDays
//
// Check-in outcomes older than this many days before `today` are ignored.
inline constexpr int kSignalWindowDays = 28;

// kBandMargin
//
// How far past a band boundary the score must go before the band changes.
inline constexpr double kBandMargin = 5.0;

// kDriftDays
//
// Days without a check-in after which the couple is drifting.
inline constexpr int kDriftDays = 14;

// kLowScore, kCounsellingDays
//
// A score below kLowScore counts as low; low for kCounsellingDays days in a
// row brings the counselling suggestion. It clears once the score is back
// above kLowScore + kBandMargin.
inline constexpr double kLowScore = 40.0;
inline constexpr int kCounsellingDays = 30;

// CheckInOutcome
//
// What became of one planned check-in.
enum class CheckInOutcome {
  kDone,     // at least one partner marked it done
  kSkipped,  // skipped by choice; weighs half as much as a missed one
  kMissed,   // nobody answered before it ended
};

// CheckInRecord
//
// One planned check-in and its outcome, dated in the couple's home zone.
struct CheckInRecord {
  absl::CivilDay day;
  CheckInOutcome outcome = CheckInOutcome::kDone;
};

// CadenceBand
//
// Where the couple stands, from the model's point of view.
enum class CadenceBand {
  kThriving,    // close and keeping their rituals
  kSteady,      // fine; also the starting point with no signals
  kStrained,    // distance is showing
  kStruggling,  // signals are low across the board
};

// CadenceBandName()
//
// "thriving", "steady", "strained" or "struggling".
absl::string_view CadenceBandName(CadenceBand band);

// IntervalDaysFor()
//
// The check-in interval of a band, within [kMinIntervalDays,
// kMaxIntervalDays].
int IntervalDaysFor(CadenceBand band);

// CadenceSignals
//
// Everything the model looks at for one evaluation. Unknown signals are
// left unset; the score uses the ones that are known.
struct CadenceSignals {
  // The day of this evaluation in the couple's home zone.
  absl::CivilDay today;
  // Planned check-ins and their outcomes, in any order. Those within
  // kSignalWindowDays before `today` count; none may be after `today`.
  std::vector<CheckInRecord> recent_check_ins;
  // The mood trend: mean check-in mood over the recent window, 1 (low) to 5
  // (great); 0 when nobody gave one.
  double mood = 0;
  // The latest couple connection score, 0 (distant) to 100 (close).
  std::optional<int> connection_score;
  // Days since the last check-in either partner marked done, or since
  // pairing when there has been none; unset for a couple paired today.
  std::optional<int> days_since_last_check_in;
};

// CadenceDecision
//
// The model's answer, and the memory it needs for the next evaluation: pass
// the whole struct back in as `previous`.
struct CadenceDecision {
  // How often to check in, kMinIntervalDays to kMaxIntervalDays.
  int interval_days = kMaxIntervalDays;
  // The practices to lean on, most emphasised first; at most five.
  std::vector<Practice> emphasis;
  // Why the cadence is what it is, as a sentence for the app.
  std::string reason;
  // True when nobody has checked in for kDriftDays days or more.
  bool drifting = false;
  // With `drifting`: a gentle nudge to send.
  std::string nudge;
  // True when the signals have stayed low for kCounsellingDays days.
  bool counselling_suggested = false;
  // With `counselling_suggested`: a kind sentence explaining it.
  std::string counselling_reason;
  // The blended score of this evaluation, 0 to 100; unset with no signals.
  std::optional<double> score;

  // --- Memory for the next evaluation. ---
  // The band the interval follows.
  CadenceBand band = CadenceBand::kSteady;
  // The day of this evaluation.
  absl::CivilDay evaluated_on;
  // A band change seen once and waiting to be confirmed, and when it was
  // first seen.
  std::optional<CadenceBand> pending_band;
  absl::CivilDay pending_since;
  // The first day of the current run of low scores.
  std::optional<absl::CivilDay> low_since;
  // The day `band` last changed; unset before the first change.
  std::optional<absl::CivilDay> changed_on;
};

// DecideCadence()
//
// Returns the cadence for `signals`, given the `previous` decision (unset on
// the first evaluation). Deterministic and free of side effects.
//
// INVALID_ARGUMENT names the field and the rule when a signal is out of
// range: a mood other than 0 or 1 to 5, a score outside 0 to 100, a
// negative day count, a check-in dated after `today`, or a `today` earlier
// than the previous evaluation.
absl::StatusOr<CadenceDecision> DecideCadence(
    const CadenceSignals& signals,
    const std::optional<CadenceDecision>& previous);

}  // namespace tend::engine

#endif  // TEND_ENGINE_CADENCE_CADENCE_H_
