#!/usr/bin/env bash
# Sets everything up and runs Tend's main job: the local stack (a private
# redis-server, tend-pairing and tend-scheduler) and a scripted journey with
# tendctl. Two partners in different time zones pair, Tend suggests their
# rituals, both accept, the next 14 days are previewed on both clocks, they
# get the day's question (answers hidden until both answer), and a
# reminder due within the minute is delivered live to `tendctl watch`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

tend_install_packages "${TEND_BUILD_PACKAGES[@]}"
tend_build -DTEND_BUILD_TESTS=OFF -- tend-pairing tend-prompt tend-scheduler tendctl

# A fresh stack for every run, so the journey starts from nobody.
export TEND_LOCAL_DIR="${TEND_LOCAL_DIR:-$TEND_BUILD_DIR/demo}"
"$TEND_ROOT/deploy/local/stack.sh" stop >/dev/null 2>&1 || true
rm -rf "$TEND_LOCAL_DIR"
"$TEND_ROOT/deploy/local/stack.sh" start
trap '"$TEND_ROOT/deploy/local/stack.sh" stop >/dev/null' EXIT
source "$TEND_LOCAL_DIR/env"

TENDCTL="$TEND_BUILD_DIR/bin/tendctl"
say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
ctl() { printf '$ tendctl %s\n' "$*"; "$TENDCTL" "$@"; }

say "Maya lives in New York; she leaves for work at 8:15 and feels loved through touch."
ctl --user maya profile set --name Maya --tz America/New_York \
  --quiet 22:30-06:30 --waking 06:30-22:30 \
  --languages touch,time,words,service,gifts --leave 08:15 --budget 6

say "Sam is in London for the year, and hears love in words."
ctl --user sam profile set --name Sam --tz Europe/London \
  --quiet 23:00-07:00 --waking 07:00-23:30 \
  --languages words,time,touch,gifts,service --budget 6

say "Maya invites Sam; the code is easy to read aloud."
code="$("$TENDCTL" --user maya invite --json | sed -n 's/.*"code": *"\([^"]*\)".*/\1/p')"
echo "invite code: $code"

say "Sam types it in, in lower case with a space — it still works."
ctl --user sam accept "$(echo "$code" | tr 'A-Z-' 'a-z ')" | head -3

say "Tend suggests rituals that fit both of their days."
for _ in $(seq 50); do
  "$TENDCTL" --user maya rituals list --json 2>/dev/null | grep -q '"name"' && break
  sleep 0.2
done
ctl --user maya rituals list

say "A ritual is agreed, not imposed: each of them accepts."
ctl --user maya rituals accept --all >/dev/null
ctl --user sam rituals accept --all >/dev/null
echo "(both accepted every suggestion)"

say "The next 14 days, on both clocks."
ctl --user maya preview --days 14

say "Today's question is the same for both; answers stay private until both have answered."
ctl --user maya question
ctl --user maya answer "That little café by the river where we got caught in the rain."
ctl --user sam answers

# Someone who is awake now gets a small reminder within the minute.
recipient=""
for who in maya:America/New_York:2230:0630 sam:Europe/London:2300:0700; do
  IFS=: read -r user zone quiet_from quiet_to <<<"$who"
  now="$(TZ=$zone date +%H%M)"
  if [ "$now" -lt "$quiet_from" ] && [ "$now" -ge "$quiet_to" ]; then
    recipient="$user"
    recipient_zone="$zone"
    break
  fi
done
if [ -z "$recipient" ]; then
  say "Both are inside their quiet hours right now, so no reminder goes out live."
  say "Done. Run deploy/local/stack.sh start to keep a stack up."
  exit 0
fi
seconds="$(date +%S)"
ahead=1
[ "${seconds#0}" -gt 45 ] && ahead=2
at="$(TZ=$recipient_zone date -d "+$ahead min" +%H:%M)"

say "$recipient sets a small personal ritual for $at today; their app is connected."
"$TENDCTL" --user "$recipient" watch --count 1 --timeout 150s >"$TEND_LOCAL_DIR/watch.txt" 2>&1 &
watcher=$!
sleep 1
ctl --user "$recipient" rituals add custom --title "Send a little note" \
  --kind personal --at "$at" | head -4
echo "(waiting for it to fall due…)"
if wait "$watcher"; then
  say "Delivered live to 'tendctl watch':"
  cat "$TEND_LOCAL_DIR/watch.txt"
  id="$(sed -n 's/.*tendctl ack \([^ ]*\) .*/\1/p' "$TEND_LOCAL_DIR/watch.txt" | head -1)"
  if [ -n "$id" ]; then
    say "$recipient answers it."
    ctl --user "$recipient" ack "$id" done --mood 4 | head -3
    ctl --user "$recipient" streaks
  fi
else
  cat "$TEND_LOCAL_DIR/watch.txt"
  echo "demo: the reminder did not arrive in time" >&2
  exit 1
fi

say "And the check-in cadence Tend will keep for them:"
ctl --user maya cadence

say "Done. The stack stops now; run deploy/local/stack.sh start to keep one up."
