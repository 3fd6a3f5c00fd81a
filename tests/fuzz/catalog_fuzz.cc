// Fuzzes the prompt catalog loader (services/prompt/catalog.h): the
// "# proto-message:" header, the text-format parse and every rule
// ValidateCatalogItem() and the quiz and check validation keep.
//
// Input: the text of one catalog file (tests/fuzz/corpus/catalog_fuzz).
// It is loaded with the embedded quiz and connection check, except that a
// file declaring a quiz or a check takes the embedded one's place, so any
// kind of file can yield a whole catalog.
//
// Checks, beyond no crash and no sanitizer report: a refusal is
// INVALID_ARGUMENT; a loaded catalog's items are sorted by name, each
// passes ValidateCatalogItem(), Find() returns it, and OfKind() lists it
// under its kind.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "services/prompt/catalog.h"
#include "tests/fuzz/fuzz_support.h"

namespace tend::fuzz {
namespace {

using prompt::Catalog;
using prompt::CatalogFileText;

// The embedded file declaring `message`.
const CatalogFileText& EmbeddedFile(absl::string_view message) {
  for (const CatalogFileText& file : prompt::EmbeddedCatalogFiles()) {
    if (absl::StrContains(file.text,
                          absl::StrCat("proto-message: ", message))) {
      return file;
    }
  }
  Fail(__FILE__, __LINE__, absl::StrCat("no embedded ", message));
}

void CheckCatalog(const Catalog& catalog) {
  const std::vector<prompt::v1::CatalogItem>& items = catalog.items();
  for (size_t i = 0; i < items.size(); ++i) {
    const prompt::v1::CatalogItem& item = items[i];
    TEND_FUZZ_CHECK(i == 0 || items[i - 1].name() < item.name(), item.name());
    absl::Status valid = prompt::ValidateCatalogItem(item);
    TEND_FUZZ_CHECK(valid.ok(), valid.ToString());
    TEND_FUZZ_CHECK(catalog.Find(prompt::CatalogItemId(item)) == &item,
                    item.name());
    const std::vector<const prompt::v1::CatalogItem*>& kind =
        catalog.OfKind(item.kind());
    TEND_FUZZ_CHECK(std::find(kind.begin(), kind.end(), &item) != kind.end(),
                    item.name());
  }
}

void Run(absl::string_view input) {
  static const CatalogFileText& quiz =
      EmbeddedFile("tend.prompt.v1.LoveLanguageQuiz");
  static const CatalogFileText& check =
      EmbeddedFile("tend.prompt.v1.ConnectionCheck");
  CatalogFileText fuzzed{"fuzzed.textproto", std::string(input)};
  std::vector<CatalogFileText> files = {fuzzed};
  if (!absl::StrContains(input, "LoveLanguageQuiz")) files.push_back(quiz);
  if (!absl::StrContains(input, "ConnectionCheck")) files.push_back(check);

  absl::StatusOr<std::unique_ptr<Catalog>> catalog = Catalog::FromFiles(files);
  if (!catalog.ok()) {
    TEND_FUZZ_CHECK(absl::IsInvalidArgument(catalog.status()),
                    catalog.status().ToString());
    return;
  }
  CheckCatalog(**catalog);
}

}  // namespace
}  // namespace tend::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tend::fuzz::Run(tend::fuzz::AsText(data, size));
  return 0;
}
