// Catalog: Tend's own content, parsed and checked once when the service
// starts.
//
// The content lives in services/prompt/catalog/*.textproto, written for
// this project. Each file names its message in a "# proto-message:" line:
//   tend.prompt.v1.Catalog           catalog items (most files)
//   tend.prompt.v1.LoveLanguageQuiz  the quiz (exactly one file)
//   tend.prompt.v1.ConnectionCheck   the connection check (exactly one)
// The files are compiled into the binary at build time
// (embed_catalog.cmake), so a fresh clone runs without any install step;
// --catalog_dir may point the service at a directory of edited files
// instead. Either way every file is validated against the schema and
// Tend's rules, and a bad one stops the service from starting with a
// message naming the file, the item and the field.
//
//   absl::StatusOr<std::unique_ptr<Catalog>> catalog = Catalog::Embedded();
//   const v1::CatalogItem* item = catalog->Find("dq-a-small-joy-this-week");
#ifndef TEND_SERVICES_PROMPT_CATALOG_H_
#define TEND_SERVICES_PROMPT_CATALOG_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tend/prompt/v1/prompt.pb.h"

namespace tend::prompt {

// CatalogFileText
//
// One data file: its base name and its text.
struct CatalogFileText {
  std::string name;
  std::string text;
};

// EmbeddedCatalogFiles()
//
// The files of services/prompt/catalog as they were at build time, sorted
// by name. Defined in the generated catalog_embedded.cc.
const std::vector<CatalogFileText>& EmbeddedCatalogFiles();

// Limits every catalog item keeps; the lint test and the loader share them.
inline constexpr int kMaxTitleChars = 80;
inline constexpr int kMaxTextChars = 500;
inline constexpr int kMaxStepChars = 300;

// CharCount()
//
// The number of Unicode code points in UTF-8 `text`, which is how Tend's
// length limits count.
int CharCount(absl::string_view text);

// ValidateCatalogItem()
//
// Checks one item against Tend's rules: a stable id, a kind, practice and
// depth, a love language on gestures only, known ritual templates, a title
// of 1 to 80 characters, a text of 1 to 500, steps on repair guides only.
// The error names the item and the field.
absl::Status ValidateCatalogItem(const v1::CatalogItem& item);

// Catalog
//
// Immutable once built; thread-safe.
class Catalog {
 public:
  // Embedded()
  //
  // The catalog compiled into the binary.
  static absl::StatusOr<std::unique_ptr<Catalog>> Embedded();

  // FromDirectory()
  //
  // Every *.textproto of `dir`.
  static absl::StatusOr<std::unique_ptr<Catalog>> FromDirectory(
      const std::string& dir);

  // FromFiles()
  //
  // Parses and checks `files`. Fails on the first bad file or item, and
  // when the quiz or the connection check is missing or given twice.
  static absl::StatusOr<std::unique_ptr<Catalog>> FromFiles(
      const std::vector<CatalogFileText>& files);

  // Every item, ordered by name.
  const std::vector<v1::CatalogItem>& items() const { return items_; }

  // Find()
  //
  // The item with id `id` ("dq-…", without "catalogItems/"), or null.
  const v1::CatalogItem* Find(absl::string_view id) const;

  // OfKind()
  //
  // The items of `kind`, ordered by name.
  const std::vector<const v1::CatalogItem*>& OfKind(
      v1::CatalogItemKind kind) const;

  const v1::LoveLanguageQuiz& quiz() const { return quiz_; }
  const v1::ConnectionCheck& connection_check() const { return check_; }

 private:
  Catalog() = default;
  absl::Status Add(const std::string& file, const std::string& text);
  absl::Status Finish();

  std::vector<v1::CatalogItem> items_;
  absl::flat_hash_map<std::string, size_t> by_id_;
  std::vector<std::vector<const v1::CatalogItem*>> by_kind_;
  v1::LoveLanguageQuiz quiz_;
  v1::ConnectionCheck check_;
  bool has_quiz_ = false;
  bool has_check_ = false;
};

// CatalogItemId()
//
// "dq-…" for "catalogItems/dq-…".
absl::string_view CatalogItemId(const v1::CatalogItem& item);

}  // namespace tend::prompt

#endif  // TEND_SERVICES_PROMPT_CATALOG_H_
