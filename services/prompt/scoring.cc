#include "services/prompt/scoring.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace tend::prompt {
namespace {

constexpr int kLanguages = 5;  // LoveLanguage 1..5

absl::Status BadAnswer(int index, absl::string_view field,
                       absl::string_view rule) {
  return absl::InvalidArgumentError(
      absl::StrCat("answers[", index, "].", field, ": ", rule));
}

}  // namespace

absl::StatusOr<v1::LoveLanguageQuizResult> ScoreQuiz(
    const v1::LoveLanguageQuiz& quiz,
    const google::protobuf::RepeatedPtrField<v1::QuizAnswer>& answers) {
  absl::flat_hash_map<std::string, const v1::QuizItem*> items;
  for (const v1::QuizItem& item : quiz.items()) items[item.id()] = &item;
  absl::flat_hash_map<std::string, int> answered;
  std::array<int, kLanguages + 1> count{};
  std::array<int, kLanguages + 1> possible{};
  // wins[a][b]: items pairing a with b in which a was picked.
  std::array<std::array<int, kLanguages + 1>, kLanguages + 1> wins{};
  for (int i = 0; i < answers.size(); ++i) {
    const v1::QuizAnswer& answer = answers[i];
    auto item = items.find(answer.item_id());
    if (item == items.end()) {
      return BadAnswer(
          i, "item_id",
          absl::StrCat("'", answer.item_id(), "' is not in ", quiz.name()));
    }
    if (!answered.emplace(answer.item_id(), i).second) {
      return BadAnswer(i, "item_id",
                       absl::StrCat("'", answer.item_id(), "' answered twice"));
    }
    const v1::QuizOption* picked = nullptr;
    const v1::QuizOption* other = nullptr;
    for (const v1::QuizOption& option : item->second->options()) {
      (option.id() == answer.option_id() ? picked : other) = &option;
    }
    if (picked == nullptr || other == nullptr) {
      return BadAnswer(
          i, "option_id",
          absl::StrCat("'", answer.option_id(), "' is not an option of ",
                       answer.item_id()));
    }
    ++count[picked->love_language()];
    ++wins[picked->love_language()][other->love_language()];
  }
  for (const v1::QuizItem& item : quiz.items()) {
    if (!answered.contains(item.id())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "answers: every item needs an answer; ", item.id(), " has none"));
    }
    for (const v1::QuizOption& option : item.options()) {
      ++possible[option.love_language()];
    }
  }
  // Within a tie on count, head-to-head wins against the others in the
  // tie decide; a sum rather than pairwise comparisons keeps the order
  // well defined when three languages beat each other in a circle.
  std::array<int, kLanguages + 1> tie_wins{};
  for (int a = 1; a <= kLanguages; ++a) {
    for (int b = 1; b <= kLanguages; ++b) {
      if (a != b && count[a] == count[b]) tie_wins[a] += wins[a][b];
    }
  }
  std::vector<int> ranking;
  for (int l = 1; l <= kLanguages; ++l) ranking.push_back(l);
  std::sort(ranking.begin(), ranking.end(), [&](int a, int b) {
    if (count[a] != count[b]) return count[a] > count[b];
    if (tie_wins[a] != tie_wins[b]) return tie_wins[a] > tie_wins[b];
    return a < b;
  });
  v1::LoveLanguageQuizResult result;
  for (int l : ranking) {
    const auto language = static_cast<type::v1::LoveLanguage>(l);
    result.add_ranking(language);
    v1::LoveLanguageScore* score = result.add_scores();
    score->set_love_language(language);
    score->set_count(count[l]);
    score->set_share(
        possible[l] == 0 ? 0.0 : static_cast<double>(count[l]) / possible[l]);
  }
  return result;
}

absl::StatusOr<CheckScore> ScoreCheck(
    const v1::ConnectionCheck& check,
    const google::protobuf::RepeatedPtrField<v1::ConnectionCheckAnswer>&
        answers) {
  absl::flat_hash_map<std::string, v1::DisconnectionSign> sign_of;
  for (const v1::ConnectionCheckItem& item : check.items()) {
    sign_of[item.id()] = item.sign();
  }
  absl::flat_hash_map<std::string, int> seen;
  std::map<int, std::pair<double, int>> by_sign;  // sign → (sum, items)
  for (int i = 0; i < answers.size(); ++i) {
    const v1::ConnectionCheckAnswer& answer = answers[i];
    auto sign = sign_of.find(answer.item_id());
    if (sign == sign_of.end()) {
      return BadAnswer(
          i, "item_id",
          absl::StrCat("'", answer.item_id(), "' is not in ", check.name()));
    }
    if (!seen.emplace(answer.item_id(), i).second) {
      return BadAnswer(i, "item_id",
                       absl::StrCat("'", answer.item_id(), "' rated twice"));
    }
    if (answer.rating() < 1 || answer.rating() > 5) {
      return BadAnswer(i, "rating", "1 to 5");
    }
    auto& [sum, n] = by_sign[sign->second];
    sum += (answer.rating() - 1) / 4.0;
    ++n;
  }
  for (const v1::ConnectionCheckItem& item : check.items()) {
    if (!seen.contains(item.id())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "answers: every statement needs a rating; ", item.id(), " has none"));
    }
  }
  CheckScore out;
  double total = 0;
  for (const auto& [sign, sum_n] : by_sign) {
    const int score =
        static_cast<int>(std::lround(100.0 * sum_n.first / sum_n.second));
    v1::SignScore* s = &out.signs.emplace_back();
    s->set_sign(static_cast<v1::DisconnectionSign>(sign));
    s->set_score(score);
    total += score;
  }
  out.score =
      by_sign.empty()
          ? 100
          : static_cast<int>(std::lround(100.0 - total / by_sign.size()));
  return out;
}

int CoupleScore(int a, int b) {
  const double blended = 0.6 * std::min(a, b) + 0.4 * std::max(a, b);
  return std::clamp(static_cast<int>(std::lround(blended / 5.0)) * 5, 0, 100);
}

std::vector<v1::DisconnectionSign> FocusSigns(const CheckScore& a,
                                              const CheckScore& b) {
  std::map<int, std::pair<int, int>> by_sign;  // sign → (sum, people)
  for (const CheckScore* person : {&a, &b}) {
    for (const v1::SignScore& s : person->signs) {
      by_sign[s.sign()].first += s.score();
      ++by_sign[s.sign()].second;
    }
  }
  std::vector<std::pair<double, int>> strong;
  for (const auto& [sign, sum_n] : by_sign) {
    const double mean = static_cast<double>(sum_n.first) / sum_n.second;
    if (mean >= 50) strong.emplace_back(mean, sign);
  }
  std::sort(strong.begin(), strong.end(), [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first > y.first : x.second < y.second;
  });
  std::vector<v1::DisconnectionSign> out;
  for (const auto& [mean, sign] : strong) {
    if (out.size() == 3) break;
    out.push_back(static_cast<v1::DisconnectionSign>(sign));
  }
  return out;
}

v1::ConnectionTrend TrendOf(const std::vector<int>& scores) {
  if (scores.size() < 2) return v1::CONNECTION_TREND_UNSPECIFIED;
  const size_t before = std::min<size_t>(2, scores.size() - 1);
  double mean = 0;
  for (size_t i = 1; i <= before; ++i) mean += scores[i];
  mean /= before;
  if (scores[0] >= mean + 5) return v1::CONNECTION_TREND_IMPROVING;
  if (scores[0] <= mean - 5) return v1::CONNECTION_TREND_DECLINING;
  return v1::CONNECTION_TREND_STEADY;
}

bool CounsellingSuggested(const std::vector<int>& scores) {
  if (scores.size() < static_cast<size_t>(kLowScoreChecks)) return false;
  return std::all_of(scores.begin(), scores.begin() + kLowScoreChecks,
                     [](int s) { return s < kLowScore; });
}

}  // namespace tend::prompt
