// Quiz and connection-check scoring.
#include "services/prompt/scoring.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/prompt/catalog.h"

namespace tend::prompt {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using type::v1::LoveLanguage;

const Catalog& Shipped() {
  static const Catalog* const catalog = Catalog::Embedded()->release();
  return *catalog;
}

// Answers that always pick `favourite` when offered, else the option
// whose language ranks highest in `order`.
google::protobuf::RepeatedPtrField<v1::QuizAnswer> AnswersPreferring(
    const std::vector<LoveLanguage>& order) {
  google::protobuf::RepeatedPtrField<v1::QuizAnswer> answers;
  for (const v1::QuizItem& item : Shipped().quiz().items()) {
    auto rank = [&](LoveLanguage l) {
      return std::find(order.begin(), order.end(), l) - order.begin();
    };
    const v1::QuizOption& a = item.options(0);
    const v1::QuizOption& b = item.options(1);
    v1::QuizAnswer* answer = answers.Add();
    answer->set_item_id(item.id());
    answer->set_option_id(
        rank(a.love_language()) <= rank(b.love_language()) ? a.id() : b.id());
  }
  return answers;
}

TEST(ScoreQuizTest, AConsistentPersonGetsTheirOwnRanking) {
  const std::vector<LoveLanguage> order = {
      type::v1::LOVE_LANGUAGE_QUALITY_TIME,
      type::v1::LOVE_LANGUAGE_PHYSICAL_TOUCH,
      type::v1::LOVE_LANGUAGE_WORDS_OF_AFFIRMATION,
      type::v1::LOVE_LANGUAGE_ACTS_OF_SERVICE,
      type::v1::LOVE_LANGUAGE_RECEIVING_GIFTS};
  absl::StatusOr<v1::LoveLanguageQuizResult> result =
      ScoreQuiz(Shipped().quiz(), AnswersPreferring(order));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->ranking_size(), 5);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(result->ranking(i), order[i]);
  // 30 items, each language offered in 12: the favourite wins all 12.
  EXPECT_EQ(result->scores(0).count(), 12);
  EXPECT_DOUBLE_EQ(result->scores(0).share(), 1.0);
  EXPECT_EQ(result->scores(4).count(), 0);
}

TEST(ScoreQuizTest, TiesGoToTheHeadToHeadWinner) {
  // Three items, three languages picked once each, beating each other in a
  // circle (gifts > words, acts > gifts) with words and acts never meeting.
  v1::LoveLanguageQuiz quiz;
  quiz.set_name("loveLanguageQuizzes/t");
  auto add = [&](const char* id, LoveLanguage a, LoveLanguage b) {
    v1::QuizItem* item = quiz.add_items();
    item->set_id(id);
    v1::QuizOption* x = item->add_options();
    x->set_id("a");
    x->set_love_language(a);
    v1::QuizOption* y = item->add_options();
    y->set_id("b");
    y->set_love_language(b);
  };
  add("q1", type::v1::LOVE_LANGUAGE_RECEIVING_GIFTS,
      type::v1::LOVE_LANGUAGE_WORDS_OF_AFFIRMATION);
  add("q2", type::v1::LOVE_LANGUAGE_WORDS_OF_AFFIRMATION,
      type::v1::LOVE_LANGUAGE_QUALITY_TIME);
  add("q3", type::v1::LOVE_LANGUAGE_RECEIVING_GIFTS,
      type::v1::LOVE_LANGUAGE_ACTS_OF_SERVICE);
  google::protobuf::RepeatedPtrField<v1::QuizAnswer> answers;
  for (const auto& [item, option] :
       std::vector<std::pair<std::string, std::string>>{
           {"q1", "a"}, {"q2", "a"}, {"q3", "b"}}) {
    v1::QuizAnswer* a = answers.Add();
    a->set_item_id(item);
    a->set_option_id(option);
  }
  // Gifts and acts each beat one of the tied; words beat none. Between
  // gifts and acts, and between time and touch, the enum's order decides.
  absl::StatusOr<v1::LoveLanguageQuizResult> result = ScoreQuiz(quiz, answers);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->ranking(),
              ElementsAre(type::v1::LOVE_LANGUAGE_ACTS_OF_SERVICE,
                          type::v1::LOVE_LANGUAGE_RECEIVING_GIFTS,
                          type::v1::LOVE_LANGUAGE_WORDS_OF_AFFIRMATION,
                          type::v1::LOVE_LANGUAGE_QUALITY_TIME,
                          type::v1::LOVE_LANGUAGE_PHYSICAL_TOUCH));
  // And the same answers always give the same ranking.
  EXPECT_EQ(ScoreQuiz(quiz, answers)->SerializeAsString(),
            result->SerializeAsString());
}

TEST(ScoreQuizTest, BadAnswersNameTheField) {
  auto answers = AnswersPreferring({});
  auto with = [&](auto change) {
    auto copy = answers;
    change(&copy);
    absl::StatusOr<v1::LoveLanguageQuizResult> r =
        ScoreQuiz(Shipped().quiz(), copy);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(r.status().message());
  };
  EXPECT_THAT(with([](auto* a) { a->Mutable(3)->set_option_id("z"); }),
              HasSubstr("answers[3].option_id"));
  EXPECT_THAT(with([](auto* a) { a->Mutable(2)->set_item_id("nope"); }),
              HasSubstr("answers[2].item_id"));
  EXPECT_THAT(with([](auto* a) { *a->Add() = a->Get(0); }),
              HasSubstr("answered twice"));
  EXPECT_THAT(with([](auto* a) { a->RemoveLast(); }),
              HasSubstr("every item needs an answer"));
}

google::protobuf::RepeatedPtrField<v1::ConnectionCheckAnswer> Ratings(
    int rating) {
  google::protobuf::RepeatedPtrField<v1::ConnectionCheckAnswer> answers;
  for (const v1::ConnectionCheckItem& item :
       Shipped().connection_check().items()) {
    v1::ConnectionCheckAnswer* a = answers.Add();
    a->set_item_id(item.id());
    a->set_rating(rating);
  }
  return answers;
}

TEST(ScoreCheckTest, NeverMeansCloseAlwaysMeansDistant) {
  EXPECT_EQ(ScoreCheck(Shipped().connection_check(), Ratings(1))->score, 100);
  EXPECT_EQ(ScoreCheck(Shipped().connection_check(), Ratings(5))->score, 0);
  const absl::StatusOr<CheckScore> middle =
      ScoreCheck(Shipped().connection_check(), Ratings(3));
  EXPECT_EQ(middle->score, 50);
  ASSERT_EQ(middle->signs.size(), 6u);
  for (const v1::SignScore& s : middle->signs) EXPECT_EQ(s.score(), 50);
}

TEST(ScoreCheckTest, BadRatingsNameTheField) {
  auto answers = Ratings(3);
  answers.Mutable(4)->set_rating(6);
  EXPECT_THAT(
      std::string(
          ScoreCheck(Shipped().connection_check(), answers).status().message()),
      HasSubstr("answers[4].rating: 1 to 5"));
  answers = Ratings(3);
  answers.RemoveLast();
  EXPECT_FALSE(ScoreCheck(Shipped().connection_check(), answers).ok());
}

TEST(CoupleScoreTest, LeansTowardsTheLowerAndRoundsToFive) {
  EXPECT_EQ(CoupleScore(100, 100), 100);
  EXPECT_EQ(CoupleScore(0, 0), 0);
  EXPECT_EQ(CoupleScore(20, 80), 45);  // 0.6*20 + 0.4*80 = 44 → 45
  EXPECT_EQ(CoupleScore(80, 20), CoupleScore(20, 80));
  for (int a = 0; a <= 100; a += 7) {
    for (int b = 0; b <= 100; b += 3) EXPECT_EQ(CoupleScore(a, b) % 5, 0);
  }
}

TEST(CoupleScoreTest, DoesNotRevealThePartnersOwnScore) {
  // Knowing my score and the couple's leaves several partner scores open.
  int candidates = 0;
  for (int theirs = 0; theirs <= 100; ++theirs) {
    if (CoupleScore(60, theirs) == CoupleScore(60, 70)) ++candidates;
  }
  EXPECT_GT(candidates, 5);
}

TEST(TrendTest, ComparesTheNewestWithTheTwoBefore) {
  EXPECT_EQ(TrendOf({}), v1::CONNECTION_TREND_UNSPECIFIED);
  EXPECT_EQ(TrendOf({50}), v1::CONNECTION_TREND_UNSPECIFIED);
  EXPECT_EQ(TrendOf({70, 50, 60}), v1::CONNECTION_TREND_IMPROVING);
  EXPECT_EQ(TrendOf({40, 50, 60}), v1::CONNECTION_TREND_DECLINING);
  EXPECT_EQ(TrendOf({55, 50, 60}), v1::CONNECTION_TREND_STEADY);
}

TEST(CounsellingTest, OnlyWhenSignalsStayLow) {
  EXPECT_FALSE(CounsellingSuggested({30, 30}));
  EXPECT_TRUE(CounsellingSuggested({30, 35, 20, 90}));
  EXPECT_FALSE(CounsellingSuggested({30, 45, 20}));
}

TEST(FocusSignsTest, CombinedStrongestFirstAtMostThree) {
  CheckScore a, b;
  for (int sign = 1; sign <= 6; ++sign) {
    v1::SignScore s;
    s.set_sign(static_cast<v1::DisconnectionSign>(sign));
    s.set_score(sign * 15);  // 15 .. 90
    a.signs.push_back(s);
    b.signs.push_back(s);
  }
  EXPECT_THAT(FocusSigns(a, b),
              ElementsAre(v1::DISCONNECTION_SIGN_ROOMMATES,
                          v1::DISCONNECTION_SIGN_AVOIDING_DEEP_TALKS,
                          v1::DISCONNECTION_SIGN_LONELY_TOGETHER));
}

}  // namespace
}  // namespace tend::prompt
