#!/usr/bin/env bash
# Checks deploy/docker/Dockerfile against the binaries that were really built.
#
#   tests/deploy/docker_runtime_libs_test.sh [BIN_DIR [DOCKERFILE]]
#   tests/deploy/docker_runtime_libs_test.sh --self-test [BIN_DIR]
#
# For every executable in BIN_DIR (default build/bin) it finds the image stage
# that copies it (COPY --from=build …/bin/NAME) and the chain of stages that
# stage is built FROM, then runs ldd on the binary and maps each library to
# its Debian package with dpkg -S:
#   - a library the binary links itself (ELF NEEDED) must come from a package
#     named by an `apt-get install` in that chain;
#   - a library pulled in by those must come from a named package or from
#     their Depends/Pre-Depends, so apt installs it along with them.
# It also checks that every named package exists here (the build machine has
# every runtime half installed, so an unknown name is a typo), that each
# image's ENTRYPOINT is exec form, and that its USER is not root.
# Exits non-zero listing everything missing. No Docker engine is needed.
# --self-test runs the check on a broken copy of the Dockerfile (hiredis's
# package left out, libjwt's misspelt) and passes only if that copy fails
# for both reasons.
set -euo pipefail

if [ "${1:-}" = "--self-test" ]; then
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  bin_dir="${2:-${TEND_BIN_DIR:-$here/../../build/bin}}"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  sed -e 's/ libhiredis0\.14//' -e 's/ libjwt0/ libjwt9/' \
    "$here/../../deploy/docker/Dockerfile" >"$tmp/Dockerfile"
  if cmp -s "$tmp/Dockerfile" "$here/../../deploy/docker/Dockerfile"; then
    echo "FAIL: could not break the copy (hiredis or libjwt0 no longer named?)"
    exit 1
  fi
  set +e
  out="$(bash "${BASH_SOURCE[0]}" "$bin_dir" "$tmp/Dockerfile" 2>&1)"
  rc=$?
  set -e
  printf '%s\n' "$out" | sed 's/^/  | /'
  [ "$rc" -eq 77 ] && exit 77
  if [ "$rc" -eq 0 ]; then
    echo "FAIL: the broken Dockerfile passed"
    exit 1
  fi
  for expected in "'libhiredis0.14'" "'libjwt9'"; do
    if ! grep -qF "$expected" <<<"$out"; then
      echo "FAIL: the broken Dockerfile failed, but not for $expected"
      exit 1
    fi
  done
  echo "ok: the broken Dockerfile was rejected for both faults"
  exit 0
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN_DIR="${1:-${TEND_BIN_DIR:-$ROOT/build/bin}}"
DOCKERFILE="${2:-$ROOT/deploy/docker/Dockerfile}"
# Built, but shipped in no image: benchmarks and fuzzers.
NOT_SHIPPED_RE='^(tend-bench-.*|.*[-_]fuzz(er)?)$'

for tool in ldd dpkg dpkg-query objdump; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool is not installed (Debian's libc-bin, dpkg and binutils)"
    exit 77
  fi
done
[ -f "$DOCKERFILE" ] || { echo "FAIL: no $DOCKERFILE"; exit 1; }
[ -d "$BIN_DIR" ] || { echo "FAIL: no $BIN_DIR: build first"; exit 1; }

problems=()
problem() { problems+=("$*"); }

# --- The Dockerfile, as records: stage NAME FROM / pkg STAGE NAME /
# bin STAGE FILE / user STAGE USER / entry STAGE exec|shell.
# Comment lines go first, then continuation lines are joined.
records="$(
  sed -e '/^[[:space:]]*#/d' "$DOCKERFILE" |
    sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' |
    awk '
      function base(p) { sub(/.*\//, "", p); return p }
      toupper($1) == "FROM" {
        stage = (toupper($3) == "AS") ? $4 : "#" NR
        print "stage", stage, $2
        next
      }
      toupper($1) == "RUN" {
        text = substr($0, 4)
        gsub(/&&|\|\||;/, "\n", text)
        n = split(text, parts, "\n")
        for (i = 1; i <= n; i++) {
          m = split(parts[i], w, /[ \t]+/)
          seen = 0
          for (j = 1; j <= m; j++) {
            if (!seen) {
              if ((w[j] == "apt-get" || w[j] == "apt") && w[j + 1] == "install") { seen = 1; j++ }
              continue
            }
            if (w[j] == "" || w[j] ~ /^-/) continue
            print "pkg", stage, w[j]
          }
        }
        next
      }
      toupper($1) == "COPY" && $0 ~ /--from=/ {
        # COPY [--options] SRC... DEST: every SRC that is a file under bin/.
        for (i = 2; i < NF; i++) if ($i !~ /^--/ && $i ~ /\/bin\//) print "bin", stage, base($i)
        next
      }
      toupper($1) == "USER" { print "user", stage, $2; next }
      toupper($1) == "ENTRYPOINT" {
        print "entry", stage, (($2 ~ /^\[/) ? "exec" : "shell")
        next
      }
    '
)"

declare -A parent=() pkgs=() user=() entry=() bin_stage=()
while read -r kind a b; do
  case "$kind" in
    stage) parent["$a"]="$b"; pkgs["$a"]="" ;;
    pkg) pkgs["$a"]+=" $b" ;;
    bin) bin_stage["$b"]="$a" ;;
    user) user["$a"]="$b" ;;
    entry) entry["$a"]="$b" ;;
  esac
done <<<"$records"

# chain STAGE: the stage and every stage it is built FROM, nearest first.
chain() {
  local s="$1"
  while [ -n "$s" ] && [ -n "${parent[$s]+x}" ]; do
    echo "$s"
    s="${parent[$s]}"
  done
}

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

# Every named package must be one this machine knows (installed: the build
# packages pull in every runtime half), so a typo cannot hide until a real
# docker build.
for stage in "${!pkgs[@]}"; do
  for p in ${pkgs[$stage]}; do
    installed "$p" || problem "$DOCKERFILE stage $stage: package '$p' is not installed on this build machine (a typo, or not what the build links)"
  done
done

# owner FILE: the Debian package that ships FILE. Filled for every library
# of every binary by one dpkg -S call (merged /usr aware: a file may be
# listed under /lib or /usr/lib, as a symlink or as its target).
declare -A owner_of=()
candidates() {
  local path="$1" real
  real="$(readlink -f "$path" 2>/dev/null || echo "$path")"
  printf '%s\n' "$path" "$real" "${path#/usr}" "/usr$path" "${real#/usr}" "/usr$real" | sort -u
}
load_owners() {  # PATH...
  local path c pkg file
  declare -A wanted=()
  for path in "$@"; do
    while read -r c; do wanted[$c]=1; done < <(candidates "$path")
  done
  [ ${#wanted[@]} -eq 0 ] && return 0
  while IFS= read -r line; do
    pkg="${line%%: /*}" file="/${line#*: /}"
    pkg="${pkg%%,*}" pkg="${pkg%%:*}"
    owner_of[$file]="$pkg"
  done < <(dpkg -S "${!wanted[@]}" 2>/dev/null || true)
}
owner() {
  local c
  while read -r c; do
    if [ -n "${owner_of[$c]:-}" ]; then echo "${owner_of[$c]}"; return; fi
  done < <(candidates "$1")
}

# closure PKG...: the packages and, recursively, their Depends/Pre-Depends
# as installed here (every alternative counted).
declare -A deps_cache=()
closure() {
  declare -A seen=()
  local queue=("$@") p d
  while [ ${#queue[@]} -gt 0 ]; do
    p="${queue[0]}"
    queue=("${queue[@]:1}")
    [ -n "${seen[$p]+x}" ] && continue
    seen[$p]=1
    if [ -z "${deps_cache[$p]+x}" ]; then
      deps_cache[$p]="$(dpkg-query -W -f='${Depends}, ${Pre-Depends}' "$p" 2>/dev/null |
        tr ',|' '\n' | sed -e 's/([^)]*)//g' -e 's/:[a-z0-9]*//' -e 's/[[:space:]]//g' |
        grep -v '^$' | sort -u | tr '\n' ' ')" || true
    fi
    for d in ${deps_cache[$p]}; do
      [ -z "${seen[$d]+x}" ] && queue+=("$d")
    done
  done
  printf '%s\n' "${!seen[@]}"
}

shopt -s nullglob
all_paths=()
for binary in "$BIN_DIR"/*; do
  [ -f "$binary" ] && [ -x "$binary" ] || continue
  while read -r path; do all_paths+=("$path"); done < <(ldd "$binary" 2>/dev/null |
    sed -n -e 's/^.*=> \(\/[^ ]*\) (.*$/\1/p' -e 's/^[[:space:]]*\(\/[^ ]*\) (.*$/\1/p')
done
load_owners "${all_paths[@]}"

checked=0
for binary in "$BIN_DIR"/*; do
  [ -f "$binary" ] && [ -x "$binary" ] || continue
  name="$(basename "$binary")"
  if [[ "$name" =~ $NOT_SHIPPED_RE ]]; then
    echo "skip $name (not shipped in an image)"
    continue
  fi
  checked=$((checked + 1))
  stage="${bin_stage[$name]:-}"
  if [ -z "$stage" ]; then
    problem "$name: no stage of $DOCKERFILE copies it (COPY --from=build /src/build/bin/$name …)"
    continue
  fi

  stages=()
  mapfile -t stages < <(chain "$stage")
  named=" "
  effective_user=""
  for s in "${stages[@]}"; do
    named+="${pkgs[$s]} "
    [ -z "$effective_user" ] && [ -n "${user[$s]:-}" ] && effective_user="${user[$s]}"
  done
  [ "${entry[$stage]:-}" = "exec" ] ||
    problem "$name: stage $stage needs an exec-form ENTRYPOINT [\"/usr/local/bin/$name\"]"
  case "${effective_user%%:*}" in
    "" | root | 0) problem "$name: stage $stage runs as root; set USER to an unprivileged uid" ;;
  esac

  # shellcheck disable=SC2086
  pulled=" $(closure $named | tr '\n' ' ') "
  declare -A needed=()
  while read -r soname; do needed[$soname]=1; done < <(objdump -p "$binary" | awk '$1 == "NEEDED" {print $2}')

  lines="$(ldd "$binary" 2>&1)" || { problem "$name: ldd failed: $lines"; continue; }
  missing=0
  while read -r line; do
    soname="" path=""
    if [[ "$line" == *"=> not found"* ]]; then
      problem "$name: ${line%% *} is not found on this machine"
      missing=$((missing + 1))
      continue
    elif [[ "$line" =~ ^([^[:space:]]+)[[:space:]]+=\>[[:space:]]+(/[^[:space:]]+) ]]; then
      soname="${BASH_REMATCH[1]}" path="${BASH_REMATCH[2]}"
    elif [[ "$line" =~ ^(/[^[:space:]]+)[[:space:]]+\( ]]; then
      path="${BASH_REMATCH[1]}" soname="$(basename "$path")"
    else
      continue  # linux-vdso and friends: no file
    fi
    pkg="$(owner "$path")"
    if [ -z "$pkg" ]; then
      problem "$name: $soname ($path) belongs to no Debian package: the runtime image cannot install it"
      missing=$((missing + 1))
    elif [ -n "${needed[$soname]+x}" ]; then
      if [[ "$named" != *" $pkg "* ]]; then
        problem "$name links $soname ($path): add Debian package '$pkg' to stage $stage or one it is built FROM (${stages[*]})"
        missing=$((missing + 1))
      fi
    elif [[ "$pulled" != *" $pkg "* ]]; then
      problem "$name needs $soname ($path) indirectly: package '$pkg' is neither named in stages ${stages[*]} nor a dependency of one that is"
      missing=$((missing + 1))
    fi
  done <<<"$lines"
  unset needed
  if [ "$missing" -eq 0 ]; then
    echo "ok   $name: stage $stage (${stages[*]}) names every package it links"
  else
    echo "FAIL $name: $missing librar$([ "$missing" -eq 1 ] && echo y || echo ies) not covered by stage $stage"
  fi
done

for name in "${!bin_stage[@]}"; do
  [ -x "$BIN_DIR/$name" ] || echo "note $name: copied by stage ${bin_stage[$name]} but not built in $BIN_DIR; not checked"
done
if [ "$checked" -eq 0 ]; then
  echo "FAIL: no binaries in $BIN_DIR: build first"
  exit 1
fi
if [ ${#problems[@]} -gt 0 ]; then
  echo
  echo "deploy/docker/Dockerfile is out of step with build/bin:"
  printf '  - %s\n' "${problems[@]}"
  exit 1
fi
echo "all $checked binaries: every linked library's package is in its runtime image"
