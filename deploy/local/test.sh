#!/usr/bin/env bash
# Sets everything up and runs Tend's whole test suite (README, .ci/run).
#
# Installs missing Debian packages, then runs these stages, timing each and
# printing the times and results at the end (a failed stage does not stop
# the later ones; the script then exits 1):
#   plain  the shipped binaries as the images build them (GCC, -O1, no
#          sanitizer) in build/, and the deploy checks against them: the
#          Dockerfile's runtime stages must name every library they link;
#          the Kubernetes overlays must validate.
#   asan   every library, binary, test and fuzz target with clang 14,
#          AddressSanitizer and UndefinedBehaviorSanitizer (fatal), in
#          build-asan/; then every CTest test but the deploy checks. Suites
#          labelled "redis" start their own private redis-server.
#   fuzz   each libFuzzer target of build-asan/ for TEND_FUZZ_SECONDS
#          (default 20) from its seed corpus (deploy/local/fuzz.sh runs one
#          for longer).
#   tsan   the due-queue and dispatcher suites with clang 14 and
#          ThreadSanitizer, in build-tsan/, within TEND_TSAN_TIMEOUT seconds
#          (default 900). tests/sanitizers/README.md says how TSan sees
#          Debian's absl::Mutex.
#   buf    lints the protos.
# TEND_STAGES (default "plain asan fuzz tsan buf") runs a subset.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

tend_install_packages "${TEND_BUILD_PACKAGES[@]}" "${TEND_SANITIZER_PACKAGES[@]}"
command -v npx >/dev/null 2>&1 || tend_install_packages nodejs npm

# The executables the images ship (deploy/docker/Dockerfile).
SHIPPED=(tend-pairing tend-prompt tend-scheduler tendctl tend-plan)
# What ThreadSanitizer runs: the due queue, the scheduler suites that drive
# the dispatcher, and the probe for absl::Mutex; the targets, then their
# CTest names (the GoogleTest suites in them).
TSAN_TESTS=(tend_queue_test tend_queue_durability_test
  scheduler_integration_test push_delivery_test dispatch_threads_test tsan_probe)
TSAN_REGEX='^(DueQueueTest|DueQueueDurabilityTest|SchedulerIntegrationTest|PushDeliveryTest|DeadLetterTest|DispatchThreadsTest|tsan_absl_hooks)[._]'
CTEST=(ctest --output-on-failure -j "$(nproc)" --no-tests=error)

plain() {
  tend_build -DTEND_BUILD_TESTS=ON -- "${SHIPPED[@]}"
  "${CTEST[@]}" --test-dir "$TEND_BUILD_DIR" --timeout 600 -L deploy
}

asan() {
  tend_build_in "$TEND_ASAN_DIR" "${TEND_ASAN_OPTIONS[@]}"
  "${CTEST[@]}" --test-dir "$TEND_ASAN_DIR" --timeout 900 -LE deploy
}

# Every target runs even when one finds something.
fuzz() {
  local target failed=()
  for target in "${TEND_FUZZ_TARGETS[@]}"; do
    tend_fuzz "$target" "${TEND_FUZZ_SECONDS:-20}" || failed+=("$target")
  done
  if [ ${#failed[@]} -gt 0 ]; then
    tend_log "fuzz findings (inputs in $TEND_ASAN_DIR/fuzz-artifacts): ${failed[*]}"
    return 1
  fi
}

tsan() {
  local start=$SECONDS limit="${TEND_TSAN_TIMEOUT:-900}"
  tend_build_in "$TEND_TSAN_DIR" "${TEND_TSAN_OPTIONS[@]}" -- "${TSAN_TESTS[@]}"
  local left=$((limit - (SECONDS - start)))
  if [ "$left" -le 60 ]; then
    tend_log "tsan: the build used ${limit}s of TEND_TSAN_TIMEOUT; no time left to test"
    return 1
  fi
  # halt_on_error: the first report fails the test it happens in.
  TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1 second_deadlock_stack=1}" \
    timeout --kill-after=30 "$left" \
    "${CTEST[@]}" --test-dir "$TEND_TSAN_DIR" --timeout 600 -R "$TSAN_REGEX"
}

buf() {
  (cd "$TEND_ROOT/protos" && npx --yes @bufbuild/buf lint)
}

# Every stage runs even when an earlier one failed (fuzz needs asan's
# build), so one run shows every failure and every stage's time.
trap tend_stage_report EXIT
for stage in ${TEND_STAGES:-plain asan fuzz tsan buf}; do
  tend_stage "$stage" "$stage"
done
if [ ${#TEND_STAGES_FAILED[@]} -gt 0 ]; then
  tend_log "FAILED: ${TEND_STAGES_FAILED[*]}"
  exit 1
fi
tend_log "all tests passed"
