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
  nlohmann-json3-dev libcurl4-openssl-dev libcpp-httplib-dev prometheus-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  redis-server redis-tools redis-sentinel python3 python3-dateutil
)

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

# tend_build [cmake -D options...] -- [targets...]: configures and builds.
tend_build() {
  local options=() targets=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do options+=("$1"); shift; done
  [ "${1:-}" = "--" ] && shift
  targets=("$@")
  tend_log "configuring in $TEND_BUILD_DIR"
  # -O1 without debug info compiles about 40% faster than -O2 -g on the
  # 2-core CI machine and runs the tests about as fast; benchmarks build
  # their own Release tree (see README, Performance).
  cmake -S "$TEND_ROOT" -B "$TEND_BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1" \
    "${options[@]}" >/dev/null
  local jobs
  jobs="$(nproc)"
  tend_log "building ${targets[*]:-everything} with $jobs jobs"
  if [ ${#targets[@]} -gt 0 ]; then
    cmake --build "$TEND_BUILD_DIR" -j "$jobs" --target "${targets[@]}"
  else
    cmake --build "$TEND_BUILD_DIR" -j "$jobs"
  fi
}
