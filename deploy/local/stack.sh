#!/usr/bin/env bash
# The local stack: a private redis-server and Tend's services on loopback.
#
#   deploy/local/stack.sh start   # prints the addresses; writes $STATE/env
#   deploy/local/stack.sh stop
#   deploy/local/stack.sh status
#
# Redis gets its own data directory with AOF on, binds 127.0.0.1 only, and
# takes a free port; every service listens on 127.0.0.1 port 0 and reports
# the port it got. `source $STATE/env` gives TEND_* variables for tendctl.
# State lives in $TEND_LOCAL_DIR (default build/local).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

STATE="${TEND_LOCAL_DIR:-$TEND_BUILD_DIR/local}"
BIN="$TEND_BUILD_DIR/bin"
# A development secret: local only, never used outside this stack.
DEV_SECRET="${TEND_JWT_SECRET:-tend-local-dev-secret}"
SERVICE_SECRET="${TEND_SERVICE_SECRET:-tend-local-service-secret}"

free_port() {
  # Below Linux's ephemeral range (32768+), so no outgoing connection holds it.
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 12000))
    if ! (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  return 1
}

wait_for_line() {  # FILE PATTERN: waits up to 20 s for PATTERN in FILE
  for _ in $(seq 200); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

start_redis() {
  mkdir -p "$STATE/redis"
  local port
  for _ in $(seq 5); do
    port="$(free_port)"
    redis-server --bind 127.0.0.1 --port "$port" --dir "$STATE/redis" \
      --appendonly yes --save "" --daemonize yes \
      --pidfile "$STATE/redis.pid" --logfile "$STATE/redis.log"
    for _ in $(seq 50); do
      if redis-cli -p "$port" ping >/dev/null 2>&1; then
        echo "redis://127.0.0.1:$port/0" >"$STATE/redis.url"
        return 0
      fi
      sleep 0.1
    done
  done
  echo "stack: redis-server did not start; see $STATE/redis.log" >&2
  exit 1
}

# start_service NAME BINARY PORT [flags...]
start_service() {
  local name="$1" binary="$2" port="$3"
  shift 3
  [ -x "$BIN/$binary" ] || return 0
  TEND_REDIS="$(cat "$STATE/redis.url")" TEND_JWT_SECRET="$DEV_SECRET" \
    TEND_SERVICE_SECRET="$SERVICE_SECRET" \
    nohup "$BIN/$binary" --listen="127.0.0.1:$port" "$@" \
    >"$STATE/$name.out" 2>"$STATE/$name.log" &
  echo $! >"$STATE/$name.pid"
  if ! wait_for_line "$STATE/$name.out" "^listening on "; then
    echo "stack: $name did not start; see $STATE/$name.log" >&2
    tail -5 "$STATE/$name.log" >&2
    exit 1
  fi
  sed -n 's/^listening on //p' "$STATE/$name.out" | head -1 >"$STATE/$name.addr"
}

addr() { cat "$STATE/$1.addr" 2>/dev/null || true; }

cmd_start() {
  cmd_stop >/dev/null 2>&1 || true
  mkdir -p "$STATE"
  start_redis
  # The services call each other, so their ports are chosen up front.
  local pairing_port prompt_port scheduler_port
  pairing_port="$(free_port)"
  prompt_port="$(free_port)"
  scheduler_port="$(free_port)"
  local peers=(--pairing_addr="127.0.0.1:$pairing_port"
               --scheduler_addr="127.0.0.1:$scheduler_port")
  [ -x "$BIN/tend-prompt" ] && peers+=(--prompt_addr="127.0.0.1:$prompt_port")
  start_service pairing tend-pairing "$pairing_port" "${peers[@]}"
  start_service prompt tend-prompt "$prompt_port" "${peers[@]}"
  start_service scheduler tend-scheduler "$scheduler_port" "${peers[@]}" \
    ${TEND_SCHEDULER_FLAGS:-}
  cat >"$STATE/env" <<ENV
export TEND_REDIS=$(cat "$STATE/redis.url")
export TEND_JWT_SECRET=$DEV_SECRET
export TEND_PAIRING_ADDR=$(addr pairing)
export TEND_PROMPT_ADDR=$(addr prompt)
export TEND_SCHEDULER_ADDR=$(addr scheduler)
ENV
  cmd_status
}

cmd_stop() {
  for name in scheduler prompt pairing; do
    if [ -f "$STATE/$name.pid" ]; then
      local pid
      pid="$(cat "$STATE/$name.pid")"
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$STATE/$name.pid" "$STATE/$name.addr"
    fi
  done
  if [ -f "$STATE/redis.url" ]; then
    local port
    port="$(sed 's|.*:\([0-9]*\)/.*|\1|' "$STATE/redis.url")"
    redis-cli -p "$port" shutdown >/dev/null 2>&1 || true
    rm -f "$STATE/redis.url"
  fi
  echo "stack stopped"
}

cmd_status() {
  echo "redis:     $(cat "$STATE/redis.url" 2>/dev/null || echo down)  (data: $STATE/redis, AOF on)"
  for name in pairing prompt scheduler; do
    printf '%-10s %s\n' "$name:" "$(addr "$name" | sed 's/^$/not running/')"
  done
  echo "env:       source $STATE/env"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
