#include "services/prompt/catalog.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/base/status_macros.h"
#include "engine/plan/ritual_templates.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace tend::prompt {
namespace {

constexpr char kItemPrefix[] = "catalogItems/";
constexpr char kTemplatePrefix[] = "ritualTemplates/";
constexpr int kMinQuizItems = 20;

// Keeps the first parse error of a file, with its position.
class FirstError final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (error_.empty()) {
      error_ = absl::StrCat(line + 1, ":", column + 1, ": ", message);
    }
  }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

absl::Status Invalid(absl::string_view where, absl::string_view field,
                     absl::string_view rule) {
  return absl::InvalidArgumentError(
      absl::StrCat(where, ": ", field, ": ", rule));
}

// A stable id: lowercase words joined by single dashes, 1 to 63 characters.
bool IsStableId(absl::string_view id) {
  if (id.empty() || id.size() > 63 || id.front() == '-' || id.back() == '-') {
    return false;
  }
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    if (c == '-' && id[i - 1] == '-') return false;
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-')) {
      return false;
    }
  }
  return true;
}

// Text that a person reads: present, trimmed, within `max` characters.
absl::Status CheckText(absl::string_view where, absl::string_view field,
                       absl::string_view text, int max) {
  if (absl::StripAsciiWhitespace(text).empty()) {
    return Invalid(where, field, "must not be empty");
  }
  if (absl::StripAsciiWhitespace(text).size() != text.size()) {
    return Invalid(where, field, "must not start or end with whitespace");
  }
  if (CharCount(text) > max) {
    return Invalid(where, field, absl::StrCat("at most ", max, " characters"));
  }
  return absl::OkStatus();
}

const absl::flat_hash_set<std::string>& KnownTemplates() {
  static const auto* const known = [] {
    auto* ids = new absl::flat_hash_set<std::string>();
    for (const engine::RitualTemplate& t : engine::RitualTemplates()) {
      ids->insert(absl::StrCat(kTemplatePrefix, t.id));
    }
    return ids;
  }();
  return *known;
}

// The message a file declares in its "# proto-message:" header line.
std::string DeclaredMessage(absl::string_view text) {
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    absl::string_view rest = absl::StripAsciiWhitespace(line);
    if (!absl::ConsumePrefix(&rest, "#")) break;  // the header has ended
    rest = absl::StripLeadingAsciiWhitespace(rest);
    if (absl::ConsumePrefix(&rest, "proto-message:")) {
      return std::string(absl::StripAsciiWhitespace(rest));
    }
  }
  return "";
}

absl::Status Parse(const std::string& file, const std::string& text,
                   google::protobuf::Message* message) {
  FirstError errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, message)) {
    return absl::InvalidArgumentError(absl::StrCat(
        file, ":",
        errors.error().empty() ? " does not parse" : errors.error()));
  }
  return absl::OkStatus();
}

absl::Status ValidateQuiz(const std::string& file,
                          const v1::LoveLanguageQuiz& quiz) {
  if (!absl::StartsWith(quiz.name(), "loveLanguageQuizzes/") ||
      !IsStableId(absl::StripPrefix(quiz.name(), "loveLanguageQuizzes/"))) {
    return Invalid(file, "name", "must be loveLanguageQuizzes/{stable-id}");
  }
  if (quiz.items_size() < kMinQuizItems) {
    return Invalid(file, "items",
                   absl::StrCat("at least ", kMinQuizItems, " items"));
  }
  std::set<std::string> ids;
  std::map<std::pair<int, int>, int> pairs;
  for (const v1::QuizItem& item : quiz.items()) {
    const std::string where = absl::StrCat(file, ": item ", item.id());
    if (!IsStableId(item.id()) || !ids.insert(item.id()).second) {
      return Invalid(where, "id", "a unique stable id");
    }
    TEND_RETURN_IF_ERROR(CheckText(where, "prompt", item.prompt(), 120));
    if (item.options_size() != 2) {
      return Invalid(where, "options", "exactly two");
    }
    for (const v1::QuizOption& option : item.options()) {
      TEND_RETURN_IF_ERROR(
          CheckText(where, "options.text", option.text(), kMaxTitleChars * 2));
      if (option.id().empty() ||
          option.love_language() == type::v1::LOVE_LANGUAGE_UNSPECIFIED ||
          !type::v1::LoveLanguage_IsValid(option.love_language())) {
        return Invalid(where, "options", "each needs an id and a language");
      }
    }
    const v1::QuizOption& a = item.options(0);
    const v1::QuizOption& b = item.options(1);
    if (a.id() == b.id() || a.love_language() == b.love_language()) {
      return Invalid(where, "options", "two ids and two different languages");
    }
    ++pairs[std::minmax(static_cast<int>(a.love_language()),
                        static_cast<int>(b.love_language()))];
  }
  // Every pair of the five languages, equally often, keeps the quiz fair.
  if (pairs.size() != 10) {
    return Invalid(file, "items", "every pair of the five languages appears");
  }
  for (const auto& [pair, count] : pairs) {
    if (count != pairs.begin()->second) {
      return Invalid(file, "items", "every pair of languages equally often");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateCheck(const std::string& file,
                           const v1::ConnectionCheck& check) {
  if (!absl::StartsWith(check.name(), "connectionChecks/") ||
      !IsStableId(absl::StripPrefix(check.name(), "connectionChecks/"))) {
    return Invalid(file, "name", "must be connectionChecks/{stable-id}");
  }
  if (check.scale_labels_size() != 5) {
    return Invalid(file, "scale_labels", "exactly five, for 1 to 5");
  }
  for (const std::string& label : check.scale_labels()) {
    TEND_RETURN_IF_ERROR(CheckText(file, "scale_labels", label, 40));
  }
  std::set<std::string> ids;
  std::set<int> signs;
  for (const v1::ConnectionCheckItem& item : check.items()) {
    const std::string where = absl::StrCat(file, ": item ", item.id());
    if (!IsStableId(item.id()) || !ids.insert(item.id()).second) {
      return Invalid(where, "id", "a unique stable id");
    }
    TEND_RETURN_IF_ERROR(CheckText(where, "text", item.text(), 200));
    if (item.sign() == v1::DISCONNECTION_SIGN_UNSPECIFIED ||
        !v1::DisconnectionSign_IsValid(item.sign())) {
      return Invalid(where, "sign", "one of the signs of disconnection");
    }
    signs.insert(item.sign());
  }
  if (static_cast<int>(signs.size()) != v1::DisconnectionSign_MAX) {
    return Invalid(file, "items", "every sign of disconnection is covered");
  }
  return absl::OkStatus();
}

}  // namespace

int CharCount(absl::string_view text) {
  int count = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++count;
  }
  return count;
}

absl::string_view CatalogItemId(const v1::CatalogItem& item) {
  return absl::StripPrefix(item.name(), kItemPrefix);
}

absl::Status ValidateCatalogItem(const v1::CatalogItem& item) {
  absl::string_view id = item.name();
  if (!absl::ConsumePrefix(&id, kItemPrefix) || !IsStableId(id)) {
    return Invalid(item.name().empty() ? "item" : item.name(), "name",
                   "must be catalogItems/{id}, lowercase words and dashes");
  }
  const std::string& where = item.name();
  if (item.kind() == v1::CATALOG_ITEM_KIND_UNSPECIFIED ||
      !v1::CatalogItemKind_IsValid(item.kind())) {
    return Invalid(where, "kind", "must be set");
  }
  if (item.practice() == type::v1::PRACTICE_UNSPECIFIED ||
      !type::v1::Practice_IsValid(item.practice())) {
    return Invalid(where, "practice", "must be set");
  }
  if (item.depth() == v1::DEPTH_UNSPECIFIED ||
      !v1::Depth_IsValid(item.depth())) {
    return Invalid(where, "depth", "must be set");
  }
  const bool gesture =
      item.kind() == v1::CATALOG_ITEM_KIND_LOVE_LANGUAGE_GESTURE ||
      item.kind() == v1::CATALOG_ITEM_KIND_AFFECTION_GESTURE;
  const bool has_language =
      item.love_language() != type::v1::LOVE_LANGUAGE_UNSPECIFIED;
  if (gesture && (!has_language ||
                  !type::v1::LoveLanguage_IsValid(item.love_language()))) {
    return Invalid(where, "love_language", "a gesture speaks one language");
  }
  if (!gesture && has_language) {
    return Invalid(where, "love_language", "only gestures carry one");
  }
  std::set<std::string> templates;
  for (const std::string& t : item.ritual_templates()) {
    if (!KnownTemplates().contains(t)) {
      return Invalid(where, "ritual_templates",
                     absl::StrCat("'", t, "' is not a known ritual template"));
    }
    if (!templates.insert(t).second) {
      return Invalid(where, "ritual_templates",
                     absl::StrCat("'", t, "' twice"));
    }
  }
  TEND_RETURN_IF_ERROR(CheckText(where, "title", item.title(), kMaxTitleChars));
  TEND_RETURN_IF_ERROR(CheckText(where, "text", item.text(), kMaxTextChars));
  if (item.kind() == v1::CATALOG_ITEM_KIND_REPAIR_GUIDE) {
    if (item.steps_size() < 2) {
      return Invalid(where, "steps", "a repair guide has at least two steps");
    }
    for (const std::string& step : item.steps()) {
      TEND_RETURN_IF_ERROR(CheckText(where, "steps", step, kMaxStepChars));
    }
  } else if (item.steps_size() > 0) {
    return Invalid(where, "steps", "only repair guides have steps");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Catalog>> Catalog::Embedded() {
  return FromFiles(EmbeddedCatalogFiles());
}

absl::StatusOr<std::unique_ptr<Catalog>> Catalog::FromDirectory(
    const std::string& dir) {
  std::vector<CatalogFileText> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.path().extension() != ".textproto") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      return absl::NotFoundError(
          absl::StrCat("catalog_dir: cannot read ", entry.path().string()));
    }
    files.push_back({entry.path().filename().string(), text.str()});
  }
  if (error) {
    return absl::NotFoundError(
        absl::StrCat("catalog_dir: cannot list ", dir, ": ", error.message()));
  }
  std::sort(files.begin(), files.end(),
            [](const CatalogFileText& a, const CatalogFileText& b) {
              return a.name < b.name;
            });
  return FromFiles(files);
}

absl::StatusOr<std::unique_ptr<Catalog>> Catalog::FromFiles(
    const std::vector<CatalogFileText>& files) {
  std::unique_ptr<Catalog> catalog(new Catalog());
  for (const CatalogFileText& file : files) {
    TEND_RETURN_IF_ERROR(catalog->Add(file.name, file.text));
  }
  TEND_RETURN_IF_ERROR(catalog->Finish());
  return catalog;
}

absl::Status Catalog::Add(const std::string& file, const std::string& text) {
  const std::string message = DeclaredMessage(text);
  if (message == v1::LoveLanguageQuiz::descriptor()->full_name()) {
    if (has_quiz_) return Invalid(file, "quiz", "the catalog has one quiz");
    TEND_RETURN_IF_ERROR(Parse(file, text, &quiz_));
    has_quiz_ = true;
    return ValidateQuiz(file, quiz_);
  }
  if (message == v1::ConnectionCheck::descriptor()->full_name()) {
    if (has_check_) {
      return Invalid(file, "connection check", "the catalog has one");
    }
    TEND_RETURN_IF_ERROR(Parse(file, text, &check_));
    has_check_ = true;
    return ValidateCheck(file, check_);
  }
  if (message != v1::Catalog::descriptor()->full_name()) {
    return Invalid(file, "header",
                   "needs '# proto-message: tend.prompt.v1.Catalog' (or "
                   "LoveLanguageQuiz, ConnectionCheck)");
  }
  v1::Catalog parsed;
  TEND_RETURN_IF_ERROR(Parse(file, text, &parsed));
  for (v1::CatalogItem& item : *parsed.mutable_items()) {
    absl::Status valid = ValidateCatalogItem(item);
    if (!valid.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": ", valid.message()));
    }
    items_.push_back(std::move(item));
  }
  return absl::OkStatus();
}

absl::Status Catalog::Finish() {
  if (!has_quiz_) return Invalid("catalog", "quiz", "missing");
  if (!has_check_) return Invalid("catalog", "connection check", "missing");
  std::sort(items_.begin(), items_.end(),
            [](const v1::CatalogItem& a, const v1::CatalogItem& b) {
              return a.name() < b.name();
            });
  by_kind_.assign(v1::CatalogItemKind_MAX + 1, {});
  for (size_t i = 0; i < items_.size(); ++i) {
    const std::string id(CatalogItemId(items_[i]));
    if (!by_id_.emplace(id, i).second) {
      return Invalid(items_[i].name(), "name", "used by two items");
    }
    by_kind_[items_[i].kind()].push_back(&items_[i]);
  }
  return absl::OkStatus();
}

const v1::CatalogItem* Catalog::Find(absl::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &items_[it->second];
}

const std::vector<const v1::CatalogItem*>& Catalog::OfKind(
    v1::CatalogItemKind kind) const {
  static const std::vector<const v1::CatalogItem*> kNone;
  if (kind < 0 || static_cast<size_t>(kind) >= by_kind_.size()) return kNone;
  return by_kind_[kind];
}

}  // namespace tend::prompt
