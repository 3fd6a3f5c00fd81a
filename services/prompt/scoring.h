// Scoring: the love-language quiz and the connection check, as pure
// functions.
//
// The quiz is forced choice: every picked option counts one for its
// language, and a language's share is its count over the items in which it
// could be picked. The ranking orders the five by count; a tie goes to the
// language that won more head-to-head items against the others it ties
// with, then to the enum's order, so the same answers always give the
// same ranking.
//
// The connection check rates statements about the signs of disconnection
// from 1 ("Never") to 5 ("Almost always"). A sign's score is how strongly
// it shows, 0 to 100; a person's connection score is 100 minus the mean of
// the sign scores, so 100 is close and 0 is distant. The couple score
// combines the two people's scores (CoupleScore) and is the only number
// that leaves the prompt service.
//
//   absl::StatusOr<v1::LoveLanguageQuizResult> r =
//       ScoreQuiz(catalog.quiz(), request.answers());
#ifndef TEND_SERVICES_PROMPT_SCORING_H_
#define TEND_SERVICES_PROMPT_SCORING_H_

#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "tend/prompt/v1/prompt.pb.h"

namespace tend::prompt {

// ScoreQuiz()
//
// Checks that `answers` answer every item of `quiz` exactly once with one
// of its options, and scores them. The result's `submit_time` is left
// unset. INVALID_ARGUMENT names the offending `answers[i]` field.
absl::StatusOr<v1::LoveLanguageQuizResult> ScoreQuiz(
    const v1::LoveLanguageQuiz& quiz,
    const google::protobuf::RepeatedPtrField<v1::QuizAnswer>& answers);

// CheckScore
//
// One person's connection-check result: the score and each sign's score,
// in the enum's order.
struct CheckScore {
  int score = 0;
  std::vector<v1::SignScore> signs;
};

// ScoreCheck()
//
// Checks that `answers` rate every item of `check` exactly once, 1 to 5,
// and scores them. INVALID_ARGUMENT names the offending `answers[i]` field.
absl::StatusOr<CheckScore> ScoreCheck(
    const v1::ConnectionCheck& check,
    const google::protobuf::RepeatedPtrField<v1::ConnectionCheckAnswer>&
        answers);

// CoupleScore()
//
// The couple's score from the two people's: weighted towards the lower of
// the two (if one of you feels distant, the couple is), and rounded to a
// multiple of 5, so that a partner cannot work out the other's own score
// exactly from it and their own.
int CoupleScore(int a, int b);

// FocusSigns()
//
// The signs that show most across the couple (each sign's mean over the
// two, at least 50), strongest first, at most three. Never attributed to a
// partner.
std::vector<v1::DisconnectionSign> FocusSigns(const CheckScore& a,
                                              const CheckScore& b);

// TrendOf()
//
// Which way couple scores are heading, from `scores`, newest first: the
// newest against the mean of the two before it, with a dead band of 5.
// Unspecified with fewer than two scores.
v1::ConnectionTrend TrendOf(const std::vector<int>& scores);

// CounsellingSuggested()
//
// True when the last kLowScoreChecks couple scores (newest first) were all
// below kLowScore: the signals have stayed low.
inline constexpr int kLowScore = 40;
inline constexpr int kLowScoreChecks = 3;
bool CounsellingSuggested(const std::vector<int>& scores);

}  // namespace tend::prompt

#endif  // TEND_SERVICES_PROMPT_SCORING_H_
