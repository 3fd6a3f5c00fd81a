#!/usr/bin/env bash
# Sets everything up and runs Tend's whole test suite (README, .ci/run).
#
# Installs missing Debian packages, builds every library, binary and test
# (ccache keeps rebuilds fast), runs CTest — suites labelled "redis" start
# their own private redis-server — and lints the protos with buf.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

tend_install_packages "${TEND_BUILD_PACKAGES[@]}"
command -v npx >/dev/null 2>&1 || tend_install_packages nodejs npm

tend_build -DTEND_BUILD_TESTS=ON

tend_log "running the tests"
ctest --test-dir "$TEND_BUILD_DIR" --output-on-failure -j "$(nproc)" \
  --timeout 600 --no-tests=error

tend_log "linting the protos (buf STANDARD)"
(cd "$TEND_ROOT/protos" && npx --yes @bufbuild/buf lint)

tend_log "all tests passed"
