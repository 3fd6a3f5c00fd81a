#include "tests/fuzz/fuzz_support.h"

#include <cstdio>
#include <cstdlib>

#include "absl/hash/hash.h"

namespace tend::fuzz {

void Fail(const char* file, int line, const std::string& what) {
  std::fprintf(stderr, "%s:%d: %s\n", file, line, what.c_str());
  std::abort();
}

std::vector<absl::string_view> SplitLines(absl::string_view text, int parts) {
  std::vector<absl::string_view> out;
  while (static_cast<int>(out.size()) + 1 < parts) {
    size_t end = text.find('\n');
    if (end == absl::string_view::npos) {
      out.push_back(text);
      text = absl::string_view();
      continue;
    }
    out.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  out.push_back(text);
  return out;
}

absl::TimeZone PickZone(absl::string_view name) {
  static constexpr const char* kZones[] = {
      "UTC",
      "America/New_York",
      "Europe/London",
      "Australia/Sydney",
      "Pacific/Apia",
      "Australia/Lord_Howe",
      "Antarctica/Troll",
      "Asia/Kathmandu",
      "America/Sao_Paulo",
      "Pacific/Chatham",
      "America/St_Johns",
      "Asia/Tokyo",
  };
  constexpr size_t kCount = sizeof(kZones) / sizeof(kZones[0]);
  size_t pick = absl::Hash<absl::string_view>()(name) % kCount;
  for (size_t i = 0; i < kCount; ++i) {
    if (name == kZones[i]) pick = i;
  }
  absl::TimeZone zone;
  TEND_FUZZ_CHECK(absl::LoadTimeZone(kZones[pick], &zone), "tz database lacks ",
                  kZones[pick]);
  return zone;
}

}  // namespace tend::fuzz
