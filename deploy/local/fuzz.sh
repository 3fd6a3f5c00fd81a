#!/usr/bin/env bash
# Runs one libFuzzer target for longer than CI does.
#
#   deploy/local/fuzz.sh TARGET [SECONDS]     # default 600
#   deploy/local/fuzz.sh --list
#
# TARGET is one of tests/fuzz (rrule_fuzz, ritual_fuzz, profile_fuzz,
# catalog_fuzz, rpc_fuzz). Builds it in build-asan/ (clang 14, ASan, UBSan,
# libFuzzer; the tree test.sh uses), then fuzzes from the checked-in seeds
# plus everything earlier runs found, kept in build-asan/fuzz-corpus/TARGET.
# A crash, sanitizer report or broken check stops the run and leaves the
# input in build-asan/fuzz-artifacts/; replay it with
#   build-asan/fuzz/TARGET build-asan/fuzz-artifacts/TARGET-crash-…
# A new seed worth keeping goes in tests/fuzz/corpus/TARGET.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [ "${1:-}" = "--list" ]; then
  printf '%s\n' "${TEND_FUZZ_TARGETS[@]}"
  exit 0
fi
target="${1:?usage: deploy/local/fuzz.sh TARGET [SECONDS] (--list names them)}"
seconds="${2:-600}"
if [[ " ${TEND_FUZZ_TARGETS[*]} " != *" $target "* ]]; then
  echo "unknown target '$target'; one of: ${TEND_FUZZ_TARGETS[*]}" >&2
  exit 2
fi

tend_install_packages "${TEND_BUILD_PACKAGES[@]}" "${TEND_SANITIZER_PACKAGES[@]}"
tend_build_in "$TEND_ASAN_DIR" "${TEND_ASAN_OPTIONS[@]}" -- "$target"
tend_fuzz "$target" "$seconds"
