#!/usr/bin/env bash
# Sets everything up and runs Tend's main job: the local stack plus a short
# scripted journey with tendctl — two partners in different time zones set
# their profiles and pair.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

tend_install_packages "${TEND_BUILD_PACKAGES[@]}"
tend_build -DTEND_BUILD_TESTS=OFF -- tend-pairing tendctl

"$TEND_ROOT/deploy/local/stack.sh" start
trap '"$TEND_ROOT/deploy/local/stack.sh" stop >/dev/null' EXIT
source "${TEND_LOCAL_DIR:-$TEND_BUILD_DIR/local}/env"

TENDCTL="$TEND_BUILD_DIR/bin/tendctl"
say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
ctl() { printf '$ tendctl %s\n' "$*"; "$TENDCTL" "$@"; }

say "Maya lives in New York; she leaves for work at 8:15 and feels loved through touch."
ctl --user maya profile set --name Maya --tz America/New_York \
  --quiet 22:30-06:30 --waking 06:30-22:30 \
  --languages touch,time,words,service,gifts --leave 08:15

say "Sam is in London for the year, and hears love in words."
ctl --user sam profile set --name Sam --tz Europe/London \
  --quiet 23:00-07:00 --waking 07:00-23:00 \
  --languages words,time,touch,gifts,service

say "Maya invites Sam; the code is easy to read aloud."
code="$("$TENDCTL" --user maya invite --json | sed -n 's/.*"code": *"\([^"]*\)".*/\1/p')"
echo "invite code: $code"

say "Sam types it in, in lower case with a space — it still works."
ctl --user sam accept "$(echo "$code" | tr 'A-Z-' 'a-z ')"

say "Both now see the same couple."
ctl --user maya couple

say "Someone else cannot use the code again."
ctl --user eve accept "$code" || true

say "Done. The stack stops now; run deploy/local/stack.sh start to keep one up."
