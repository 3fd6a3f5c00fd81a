// What Tend's fuzz targets share.
//
// A target is a plain LLVMFuzzerTestOneInput(). Built with TEND_BUILD_FUZZ
// (clang) it links libFuzzer; in every other build it links
// fuzz_replay_main.cc instead and CTest runs it over its seed corpus, so a
// change that breaks a target, or makes a seed fail, fails the ordinary
// suite (label "fuzz").
//
// Beyond crashes and sanitizer reports, targets check promises the code
// makes in its comments (a normalized rule reads back to itself, a plan is
// sorted). A broken promise is a finding like a crash:
//
//   TEND_FUZZ_CHECK(reparsed.ok(), "normalized rule '", text, "' rejected: ",
//                   reparsed.status().ToString());
#ifndef TEND_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define TEND_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tend::fuzz {

// Fail()
//
// Prints where and what to stderr and aborts, which libFuzzer reports as a
// crash with the input that caused it.
[[noreturn]] void Fail(const char* file, int line, const std::string& what);

// TEND_FUZZ_CHECK(condition, message parts...)
//
// Fail() with the message parts (anything absl::StrCat takes) unless
// `condition` holds.
#define TEND_FUZZ_CHECK(condition, ...)                                   \
  do {                                                                    \
    if (!(condition)) {                                                   \
      ::tend::fuzz::Fail(                                                 \
          __FILE__, __LINE__,                                             \
          ::absl::StrCat("check failed: " #condition ": ", __VA_ARGS__)); \
    }                                                                     \
  } while (false)

// AsText()
//
// The input bytes as text (not necessarily UTF-8).
inline absl::string_view AsText(const uint8_t* data, size_t size) {
  return absl::string_view(reinterpret_cast<const char*>(data), size);
}

// SplitLines()
//
// The first `parts` - 1 lines of `text`, then everything left as the last
// part; missing parts are empty. So a target reading three fields always
// gets three.
std::vector<absl::string_view> SplitLines(absl::string_view text, int parts);

// PickZone()
//
// A zone for a target to use: `name` itself when it is one of a fixed set
// chosen for their odd transitions (Apia skipped a day, Lord Howe shifts
// by 30 minutes, Troll by two hours, Kathmandu's offset is +05:45), else
// one of the set picked by a hash of `name`. Fuzzed names never reach the
// tz database, whose lookups cost file reads and are cached for good.
absl::TimeZone PickZone(absl::string_view name);

}  // namespace tend::fuzz

#endif  // TEND_TESTS_FUZZ_FUZZ_SUPPORT_H_
