// Lints the catalog that ships in the binary: every item valid and unique,
// every tag known, every practice, depth, kind and love language covered,
// pools deep enough for the promises the selection makes, and a fair quiz.
// Also checks that the loader refuses bad files with a useful message.
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/plan/ritual_templates.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/prompt/catalog.h"

namespace tend::prompt {
namespace {

using ::testing::HasSubstr;

const Catalog& Shipped() {
  static const Catalog* const catalog = [] {
    absl::StatusOr<std::unique_ptr<Catalog>> loaded = Catalog::Embedded();
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return loaded.ok() ? loaded->release() : nullptr;
  }();
  return *catalog;
}

TEST(CatalogLintTest, HasAtLeast250ValidItemsWithUniqueIds) {
  const Catalog& catalog = Shipped();
  EXPECT_GE(catalog.items().size(), 250u);
  std::set<std::string> names;
  std::set<std::string> texts;
  for (const v1::CatalogItem& item : catalog.items()) {
    EXPECT_TRUE(ValidateCatalogItem(item).ok()) << item.name();
    EXPECT_TRUE(names.insert(item.name()).second) << "twice: " << item.name();
    EXPECT_TRUE(texts.insert(item.text()).second)
        << "same words: " << item.name();
    EXPECT_FALSE(item.title().empty()) << item.name();
    EXPECT_FALSE(item.text().empty()) << item.name();
    EXPECT_EQ(catalog.Find(CatalogItemId(item)), &item);
  }
}

TEST(CatalogLintTest, EveryTagIsAKnownRitualTemplate) {
  std::set<std::string> known;
  for (const engine::RitualTemplate& t : engine::RitualTemplates()) {
    known.insert(absl::StrCat("ritualTemplates/", t.id));
  }
  std::set<std::string> used;
  for (const v1::CatalogItem& item : Shipped().items()) {
    for (const std::string& tag : item.ritual_templates()) {
      EXPECT_TRUE(known.count(tag)) << item.name() << ": " << tag;
      used.insert(tag);
    }
  }
  // And every template has content that suits it.
  EXPECT_EQ(used, known);
}

TEST(CatalogLintTest, EveryPracticeDepthAndKindIsCovered) {
  std::set<int> practices, depths, kinds;
  for (const v1::CatalogItem& item : Shipped().items()) {
    practices.insert(item.practice());
    depths.insert(item.depth());
    kinds.insert(item.kind());
  }
  for (int p = 1; p <= type::v1::Practice_MAX; ++p) {
    EXPECT_TRUE(practices.count(p)) << type::v1::Practice_Name(p);
  }
  for (int d = 1; d <= v1::Depth_MAX; ++d) {
    EXPECT_TRUE(depths.count(d)) << v1::Depth_Name(d);
  }
  for (int k = 1; k <= v1::CatalogItemKind_MAX; ++k) {
    EXPECT_TRUE(kinds.count(k)) << v1::CatalogItemKind_Name(k);
  }
}

TEST(CatalogLintTest, PoolsAreDeepEnoughForTheNoRepeatPromises) {
  const Catalog& catalog = Shipped();
  // A daily question does not come back within 180 days.
  EXPECT_GT(catalog.OfKind(v1::CATALOG_ITEM_KIND_DEEPER_QUESTION).size(), 180u);
  // A gesture does not come back within 30 days, drawing on the partner's
  // top two languages: at least 15 per language keeps that true daily.
  std::map<int, int> per_language;
  for (const v1::CatalogItem* item :
       catalog.OfKind(v1::CATALOG_ITEM_KIND_LOVE_LANGUAGE_GESTURE)) {
    ++per_language[item->love_language()];
  }
  ASSERT_EQ(per_language.size(), 5u);
  for (const auto& [language, count] : per_language) {
    EXPECT_GE(count, 15) << type::v1::LoveLanguage_Name(language);
  }
  // Every depth of deeper question exists for every level of the model.
  std::map<int, int> depths;
  for (const v1::CatalogItem* item :
       catalog.OfKind(v1::CATALOG_ITEM_KIND_DEEPER_QUESTION)) {
    ++depths[item->depth()];
  }
  for (int d = 1; d <= 3; ++d) EXPECT_GE(depths[d], 30) << d;
  EXPECT_GE(catalog.OfKind(v1::CATALOG_ITEM_KIND_AFFECTION_GESTURE).size(),
            10u);
  for (const v1::CatalogItem* guide :
       catalog.OfKind(v1::CATALOG_ITEM_KIND_REPAIR_GUIDE)) {
    EXPECT_GE(guide->steps_size(), 2) << guide->name();
  }
}

TEST(CatalogLintTest, TheQuizIsFairAndLongEnough) {
  const v1::LoveLanguageQuiz& quiz = Shipped().quiz();
  EXPECT_GE(quiz.items_size(), 20);
  std::map<std::pair<int, int>, int> pairs;
  std::set<std::string> ids;
  for (const v1::QuizItem& item : quiz.items()) {
    EXPECT_TRUE(ids.insert(item.id()).second) << item.id();
    ASSERT_EQ(item.options_size(), 2) << item.id();
    ++pairs[std::minmax<int>(item.options(0).love_language(),
                             item.options(1).love_language())];
  }
  EXPECT_EQ(pairs.size(), 10u);
  for (const auto& [pair, count] : pairs) EXPECT_EQ(count, 3);
}

TEST(CatalogLintTest, TheConnectionCheckCoversEverySign) {
  const v1::ConnectionCheck& check = Shipped().connection_check();
  std::set<int> signs;
  for (const v1::ConnectionCheckItem& item : check.items()) {
    signs.insert(item.sign());
  }
  EXPECT_EQ(static_cast<int>(signs.size()), v1::DisconnectionSign_MAX);
  EXPECT_EQ(check.scale_labels_size(), 5);
}

// The loader's own checks, on small hand-made files.
std::vector<CatalogFileText> WithItems(const std::string& items) {
  std::vector<CatalogFileText> files;
  for (const CatalogFileText& file : EmbeddedCatalogFiles()) {
    if (absl::StrContains(file.text, "proto-message: tend.prompt.v1.Catalog")) {
      continue;
    }
    files.push_back(file);
  }
  files.push_back(
      {"test.textproto", "# proto-message: tend.prompt.v1.Catalog\n" + items});
  return files;
}

constexpr char kGoodItem[] = R"(items {
  name: "catalogItems/dq-test"
  kind: CATALOG_ITEM_KIND_DEEPER_QUESTION
  practice: PRACTICE_FUN
  depth: DEPTH_LIGHT
  title: "A test"
  text: "What is a test?"
})";

TEST(CatalogLoaderTest, AcceptsAGoodFile) {
  absl::StatusOr<std::unique_ptr<Catalog>> catalog =
      Catalog::FromFiles(WithItems(kGoodItem));
  ASSERT_TRUE(catalog.ok()) << catalog.status();
  EXPECT_EQ((*catalog)->items().size(), 1u);
}

TEST(CatalogLoaderTest, RefusesBadFilesNamingFileItemAndField) {
  struct Case {
    std::string items;
    std::string message;
  };
  const std::string good = kGoodItem;
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  const std::vector<Case> cases = {
      // A typo'd field or value: the file, the parser's position, the word.
      {with("depth: DEPTH_LIGHT", "depht: DEPTH_LIGHT"),
       "test.textproto:6:8: Message type \"tend.prompt.v1.CatalogItem\" has "
       "no field named \"depht\""},
      {with("PRACTICE_FUN", "PRACTICE_JOY"), "PRACTICE_JOY"},
      {with("depth: DEPTH_LIGHT\n", ""), "catalogItems/dq-test: depth"},
      {with("dq-test", "DQ Test"), "name"},
      {with("What is a test?", ""), "catalogItems/dq-test: text"},
      {with("title: \"A test\"", "title: \"" + std::string(81, 'x') + "\""),
       "title: at most 80"},
      {with("depth: DEPTH_LIGHT",
            "depth: DEPTH_LIGHT\n  ritual_templates: \"ritualTemplates/nope\""),
       "not a known ritual template"},
      {with("depth: DEPTH_LIGHT",
            "depth: DEPTH_LIGHT\n  love_language: LOVE_LANGUAGE_QUALITY_TIME"),
       "love_language: only gestures"},
      {with("depth: DEPTH_LIGHT", "depth: DEPTH_LIGHT\n  steps: \"One\""),
       "steps: only repair guides"},
      {good + "\n" + good, "used by two items"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::unique_ptr<Catalog>> catalog =
        Catalog::FromFiles(WithItems(c.items));
    ASSERT_FALSE(catalog.ok()) << c.items;
    EXPECT_EQ(catalog.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(catalog.status().message()), HasSubstr(c.message))
        << c.items;
  }
}

TEST(CatalogLoaderTest, NeedsTheQuizAndTheCheckOnceEach) {
  std::vector<CatalogFileText> files = WithItems(kGoodItem);
  std::vector<CatalogFileText> no_quiz;
  for (const CatalogFileText& f : files) {
    if (!absl::StrContains(f.text, "LoveLanguageQuiz")) no_quiz.push_back(f);
  }
  EXPECT_THAT(std::string(Catalog::FromFiles(no_quiz).status().message()),
              HasSubstr("quiz: missing"));
  files.push_back(files.front());
  EXPECT_FALSE(Catalog::FromFiles(files).ok());
  EXPECT_FALSE(Catalog::FromFiles({{"x.textproto", "items {}"}}).ok());
}

TEST(CatalogLoaderTest, ReadsTheSourceDirectoryAsEmbedded) {
  absl::StatusOr<std::unique_ptr<Catalog>> from_dir =
      Catalog::FromDirectory(TEND_PROMPT_CATALOG_DIR);
  ASSERT_TRUE(from_dir.ok()) << from_dir.status();
  ASSERT_EQ((*from_dir)->items().size(), Shipped().items().size());
  for (size_t i = 0; i < Shipped().items().size(); ++i) {
    EXPECT_EQ((*from_dir)->items()[i].SerializeAsString(),
              Shipped().items()[i].SerializeAsString());
  }
  EXPECT_EQ(Catalog::FromDirectory("/nonexistent/catalog").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace tend::prompt
