#!/usr/bin/env bash
# Renders every overlay in deploy/k8s/overlays with `kubectl kustomize` (no
# cluster needed) and validates every object against the Kubernetes schemas
# with tests/deploy/validate/validate.mjs (kubernetes-models,
# @kubernetes-models/validate, @kubernetes-models/prometheus-operator),
# plus Tend's own rules: see validate.mjs. Also checks the alert rules and
# the Grafana dashboard name only metrics the services export.
#
#   tests/deploy/validate_k8s.sh              # every overlay must pass
#   tests/deploy/validate_k8s.sh --negative   # broken manifests must fail
#
# --negative runs the validator on tests/deploy/validate/broken/*.yaml (each
# names the error it must raise) and on broken copies of deploy/k8s (a
# string where an integer belongs, a misspelt field, a grace period shorter
# than the drain), rendered like the real ones.
#
# Needs kubectl with kustomize 4 or later (Debian 12 has no such package:
# kubernetes-client is 1.20, whose kustomize knows no components) and Node.js
# with npm. Without them it exits 77, which CTest reports as skipped. The npm
# packages are installed into tests/deploy/validate/node_modules (git-ignored)
# from package-lock.json with `npm ci` when missing or stale.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
K8S="$ROOT/deploy/k8s"
VALIDATE="$HERE/validate"
RULES="$K8S/components/monitoring/tend.rules.yaml"
DASHBOARD="$ROOT/deploy/grafana/tend-dashboard.json"
MODE="${1:-}"

skip() {
  echo "SKIP: $*"
  exit 77
}

# --- Tools
if ! command -v kubectl >/dev/null 2>&1; then
  skip "kubectl is not installed, so the overlays cannot be rendered. Install kubectl 1.21 or later (it carries kustomize); Debian 12's kubernetes-client (1.20) is too old for kustomize components."
fi
kustomize_version="$(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9]*\).*/\1/p')"
if [ -z "$kustomize_version" ] || [ "$kustomize_version" -lt 4 ]; then
  skip "kubectl $(kubectl version --client 2>/dev/null | head -1) has no kustomize 4 or later (components, labels); install a newer kubectl."
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  skip "Node.js and npm are needed to run tests/deploy/validate/validate.mjs (Debian: apt-get install nodejs npm)."
fi

# --- npm packages, once per package-lock.json (CTest may run the positive
# and negative tests at once: the lock keeps them from installing together).
install_packages() {
  local stamp="$VALIDATE/node_modules/.tend-package-lock.sha256"
  local want
  want="$(sha256sum "$VALIDATE/package-lock.json" | cut -d' ' -f1)"
  exec 9>"${TMPDIR:-/tmp}/tend-validate-npm.lock"
  flock 9
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "installing the validator's npm packages (npm ci) into $VALIDATE/node_modules"
    (cd "$VALIDATE" && npm ci --no-audit --no-fund --loglevel=error) || {
      echo "FAIL: npm ci failed in $VALIDATE"
      exit 1
    }
    echo "$want" >"$stamp"
  fi
  flock -u 9
}
install_packages

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# render TREE OUT_DIR: renders every overlay of TREE into OUT_DIR/NAME.yaml and
# prints NAME=FILE for each.
render() {
  local tree="$1" out="$2" dir name
  mkdir -p "$out"
  for dir in "$tree"/overlays/*/; do
    [ -f "$dir/kustomization.yaml" ] || continue
    name="$(basename "$dir")"
    if ! kubectl kustomize "$dir" >"$out/$name.yaml" 2>"$out/$name.err"; then
      echo "FAIL: kubectl kustomize ${dir#"$ROOT"/} does not render:" >&2
      sed 's/^/       /' "$out/$name.err" >&2
      return 1
    fi
    echo "$name=$out/$name.yaml"
  done
}

if [ "$MODE" != "--negative" ]; then
  mapfile -t rendered < <(render "$K8S" "$TMP/rendered")
  [ ${#rendered[@]} -gt 0 ] || { echo "FAIL: no overlay rendered under deploy/k8s/overlays"; exit 1; }
  status=0
  node "$VALIDATE/validate.mjs" --rules "$RULES" --dashboard "$DASHBOARD" "${rendered[@]}" || status=$?
  if command -v promtool >/dev/null 2>&1; then
    promtool check rules "$RULES" || status=1
  else
    echo "note: promtool is not installed; the alert expressions' syntax is not checked (apt-get install prometheus)"
  fi
  exit "$status"
fi

# --- Negative: what must be rejected.
status=0
echo "== hand-written broken manifests (tests/deploy/validate/broken)"
node "$VALIDATE/validate.mjs" --schema-only --expect-invalid "$VALIDATE"/broken/*.yaml || status=1

# broken_copy NAME EXPECT FILE SED_SCRIPT: a copy of deploy/k8s with FILE
# edited by SED_SCRIPT; every overlay must render and be rejected with EXPECT.
broken_copy() {
  local name="$1" expect="$2" file="$3" script="$4"
  local tree="$TMP/$name"
  mkdir -p "$tree"
  cp -r "$K8S/." "$tree/"
  sed -i -e "$script" "$tree/$file"
  if cmp -s "$tree/$file" "$K8S/$file"; then
    echo "FAIL $name: the edit '$script' changed nothing in $file; update this test"
    status=1
    return
  fi
  local inputs=() line
  while IFS= read -r line; do
    local overlay="${line%%=*}" out="${line#*=}"
    { echo "# expect: $expect"; cat "$out"; } >"$out.expect"
    inputs+=("$name/$overlay=$out.expect")
  done < <(render "$tree" "$tree/rendered") || { status=1; return; }
  node "$VALIDATE/validate.mjs" --rules "$tree/components/monitoring/tend.rules.yaml" \
    --expect-invalid "${inputs[@]}" || status=1
}

echo "== broken copies of deploy/k8s, rendered with kubectl kustomize"
broken_copy grace-period-string "terminationGracePeriodSeconds must be integer" \
  base/pairing.yaml 's/terminationGracePeriodSeconds: 45/terminationGracePeriodSeconds: "45"/'
broken_copy misspelt-probe "readinessprobe: unknown field" \
  base/prompt.yaml 's/readinessProbe:/readinessprobe:/'
broken_copy drain-longer-than-grace "must exceed preStop" \
  base/config/common.env 's/^TEND_DRAIN_TIMEOUT=.*/TEND_DRAIN_TIMEOUT=90s/'
broken_copy writable-root "readOnlyRootFilesystem must be true" \
  base/scheduler.yaml 's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/'
broken_copy unknown-metric "tend_dispatch_latency_seconds_bucket is not a metric Tend exports" \
  components/monitoring/tend.rules.yaml 's/tend_dispatch_lateness_seconds_bucket/tend_dispatch_latency_seconds_bucket/'
exit "$status"
