# Shared by deploy/local/*.sh: package installation and the build.
# Source it; do not run it.

TEND_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TEND_BUILD_DIR="${TEND_BUILD_DIR:-$TEND_ROOT/build}"

# The Debian 12 packages Tend builds and runs with. README.md says why each
# library is there; deploy/docker's runtime stages name the runtime halves.
TEND_BUILD_PACKAGES=(
  build-essential cmake pkg-config ccache git ca-certificates tzdata
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libhiredis-dev libical-dev libssl-dev libjwt-dev
  nlohmann-json3-dev libcurl4-openssl-dev prometheus-cpp-dev libjemalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  redis-server redis-tools redis-sentinel python3 python3-dateutil
)

# clang 14 with libFuzzer and the sanitizer runtimes, for build-asan/ and
# build-tsan/ (test.sh, fuzz.sh).
TEND_SANITIZER_PACKAGES=(clang-14 libclang-rt-14-dev llvm-14)  # llvm-14: llvm-symbolizer for reports

tend_log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# tend_install_packages PKG...: installs whichever are missing.
tend_install_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  tend_log "installing Debian packages: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# tend_build [cmake -D options...] -- [targets...]: configures and builds in
# $TEND_BUILD_DIR.
tend_build() { tend_build_in "$TEND_BUILD_DIR" "$@"; }

# tend_build_in DIR [cmake -D options...] -- [targets...]: configures and
# builds in DIR.
tend_build_in() {
  local dir="$1" options=() targets=()
  shift
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do options+=("$1"); shift; done
  [ "${1:-}" = "--" ] && shift
  targets=("$@")
  tend_log "configuring in $dir"
  # -O1 without debug info compiles about 40% faster than -O2 -g on the
  # 2-core CI machine and runs the tests about as fast; benchmarks build
  # their own Release tree (see README, Performance).
  cmake -S "$TEND_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1" \
    "${options[@]}" >/dev/null
  local jobs
  jobs="$(nproc)"
  tend_log "building ${targets[*]:-everything} in $dir with $jobs jobs"
  if [ ${#targets[@]} -gt 0 ]; then
    cmake --build "$dir" -j "$jobs" --target "${targets[@]}"
  else
    cmake --build "$dir" -j "$jobs"
  fi
}

# The sanitizer builds: clang 14, so that one tree serves the tests and
# libFuzzer (GCC has no libFuzzer).
TEND_ASAN_DIR="${TEND_ASAN_DIR:-$TEND_ROOT/build-asan}"
TEND_TSAN_DIR="${TEND_TSAN_DIR:-$TEND_ROOT/build-tsan}"
TEND_CLANG_OPTIONS=(-DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14
  -DTEND_BUILD_TESTS=ON)
TEND_ASAN_OPTIONS=("${TEND_CLANG_OPTIONS[@]}" -DTEND_SANITIZE=address,undefined
  -DTEND_BUILD_FUZZ=ON)
TEND_TSAN_OPTIONS=("${TEND_CLANG_OPTIONS[@]}" -DTEND_SANITIZE=thread)
# Reports name file and line; a UBSan finding also prints its stack.
export ASAN_SYMBOLIZER_PATH="${ASAN_SYMBOLIZER_PATH:-/usr/bin/llvm-symbolizer-14}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"

# The fuzz targets (tests/fuzz/CMakeLists.txt).
TEND_FUZZ_TARGETS=(rrule_fuzz ritual_fuzz profile_fuzz catalog_fuzz rpc_fuzz)

# tend_fuzz TARGET SECONDS: runs one fuzz target of $TEND_ASAN_DIR from its
# seed corpus for SECONDS. What it finds that is new goes to
# $TEND_ASAN_DIR/fuzz-corpus/TARGET (kept between runs; the checked-in seeds
# are never written), a crashing input to $TEND_ASAN_DIR/fuzz-artifacts/.
tend_fuzz() {
  local target="$1" seconds="$2"
  local corpus="$TEND_ASAN_DIR/fuzz-corpus/$target"
  local artifacts="$TEND_ASAN_DIR/fuzz-artifacts"
  mkdir -p "$corpus" "$artifacts"
  tend_log "fuzzing $target for ${seconds}s"
  "$TEND_ASAN_DIR/fuzz/$target" -max_total_time="$seconds" -timeout=25 \
    -rss_limit_mb=3072 -print_final_stats=1 -artifact_prefix="$artifacts/$target-" \
    "$corpus" "$TEND_ROOT/tests/fuzz/corpus/$target"
}

# tend_stage NAME COMMAND...: runs COMMAND in a subshell, timing it for
# tend_stage_report. A failure does not stop the caller: NAME is added to
# TEND_STAGES_FAILED. (Call it as a plain command: in an `if` or after `||`
# bash would ignore errexit inside COMMAND too.)
TEND_STAGE_TIMES=()
TEND_STAGES_FAILED=()
tend_stage() {
  local name="$1" start=$SECONDS status=0
  shift
  tend_log "stage $name"
  ("$@") &
  wait $! || status=$?
  local result=ok
  if [ "$status" -ne 0 ]; then
    result="FAILED ($status)"
    TEND_STAGES_FAILED+=("$name")
  fi
  TEND_STAGE_TIMES+=("$name $((SECONDS - start)) $result")
  tend_log "stage $name: $result after $((SECONDS - start))s"
}

# tend_stage_report: each stage run so far, its time and result.
tend_stage_report() {
  local name seconds result total=0
  printf '\n%-8s %8s  %s\n' stage seconds result >&2
  for line in "${TEND_STAGE_TIMES[@]}"; do
    read -r name seconds result <<<"$line"
    printf '%-8s %8s  %s\n' "$name" "$seconds" "$result" >&2
    total=$((total + seconds))
  done
  printf '%-8s %8s\n' total "$total" >&2
}
