#!/usr/bin/env bash
# Runs deploy/k8s/components/redis-sentinel's pod scripts (init.sh, which
# writes redis.conf and sentinel.conf, and pre-stop.sh) with real
# redis-server and redis-sentinel processes, three "pods" on 127.0.0.10-12
# named as in the cluster (redis-sentinel-N.redis-sentinel), inside a private
# network and mount namespace (its own loopback and /etc/hosts):
#   1. first start: pod 0 leads, pods 1 and 2 replicate it;
#   2. pre-stop on the master hands over to a replica before it stops;
#   3. a restarted pod asks the Sentinels and comes back as a replica of the
#      current master, data intact;
#   4. kill -9 of the master: the Sentinels promote a replica, and the killed
#      pod restarts as its replica; nothing written before is lost.
# Needs root (unshare), redis-server, redis-sentinel and redis-cli; exits 77
# (skipped) without them. Takes about a minute.
#
# Every wait is for a condition, bounded by a deadline on the wall clock
# (never a count of sleeps, which stretches under load, and never a fixed
# sleep). The bounds are generous on purpose: the pod scripts keep the
# production timings (down-after 5 s, failover-timeout 60 s), and when a
# loaded machine makes a Sentinel election fail, Sentinel only tries again
# after twice the failover timeout. TEND_SENTINEL_TEST_SLACK multiplies
# every bound (default 1).
set -euo pipefail

SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../deploy/k8s/components/redis-sentinel/scripts" && pwd)"

if [ "${TEND_SENTINEL_TEST_INSIDE:-}" != 1 ]; then
  for tool in redis-server redis-sentinel redis-cli unshare ip; do
    command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool is not installed"; exit 77; }
  done
  if ! unshare -m -n true 2>/dev/null; then
    echo "SKIP: cannot create network and mount namespaces here (needs root)"
    exit 77
  fi
  export TEND_SENTINEL_TEST_INSIDE=1
  exec unshare -m -n bash "${BASH_SOURCE[0]}" "$@"
fi

# --- Inside the namespaces.
ip link set lo up
WORK="$(mktemp -d)"
cleanup() {
  for pidfile in "$WORK"/p*/*.pid; do
    [ -f "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
cat >"$WORK/hosts" <<'EOF'
127.0.0.1 localhost
127.0.0.10 redis-sentinel-0.redis-sentinel
127.0.0.11 redis-sentinel-1.redis-sentinel
127.0.0.12 redis-sentinel-2.redis-sentinel
EOF
mount --bind "$WORK/hosts" /etc/hosts

fail() {
  echo "FAIL: $*"
  for i in 0 1 2; do
    echo "--- pod $i redis.log / sentinel.log (last lines)"
    tail -5 "$WORK/p$i/redis.log" 2>/dev/null || true
    tail -5 "$WORK/p$i/sentinel.log" 2>/dev/null || true
  done
  exit 1
}
ip_of() { echo "127.0.0.1$1"; }
cli() { local i="$1"; shift; redis-cli -h "$(ip_of "$i")" --raw "$@" 2>/dev/null | tr -d '\r'; }
role() { cli "$1" info replication | sed -n 's/^role://p'; }
master() { redis-cli -h "$(ip_of "$1")" -p 26379 --raw sentinel get-master-addr-by-name mymaster 2>/dev/null | head -1 | tr -d '\r'; }
pod_of() { echo "${1#redis-sentinel-}" | cut -d. -f1; }

# start_pod I: what the pod's init container and two containers do, with
# paths and the bind address moved for a shared machine.
start_pod() {
  local i="$1" d="$WORK/p$1"
  mkdir -p "$d/conf" "$d/data" "$d/tmp" "$d/bin"
  printf '#!/bin/sh\necho redis-sentinel-%s\n' "$i" >"$d/bin/hostname"
  chmod +x "$d/bin/hostname"
  sed -e "s#/conf/#$d/conf/#g" -e "s#^dir /data\$#dir $d/data#" -e "s#^dir /tmp\$#dir $d/tmp#" \
    -e "s#^bind \* -::\*\$#bind $(ip_of "$i")#" "$SCRIPTS/init.sh" >"$d/init.sh"
  PATH="$d/bin:$PATH" REDIS_MEMORY_LIMIT_MB=256 sh "$d/init.sh" >"$d/init.log" 2>&1 ||
    fail "init.sh of pod $i: $(cat "$d/init.log")"
  redis-server "$d/conf/redis.conf" --daemonize yes --logfile "$d/redis.log" --pidfile "$d/redis.pid"
  redis-sentinel "$d/conf/sentinel.conf" --daemonize yes --logfile "$d/sentinel.log" --pidfile "$d/sentinel.pid"
  wait_for 60 "pod $i answers PING (redis and sentinel)" pod_up "$i"
}
pod_up() {
  [ "$(cli "$1" ping)" = PONG ] &&
    [ "$(redis-cli -h "$(ip_of "$1")" -p 26379 ping 2>/dev/null | tr -d '\r')" = PONG ]
}
stop_pod() {  # I [SIGNAL]
  local i="$1" sig="${2:-TERM}" d="$WORK/p$1" f
  for f in "$d/redis.pid" "$d/sentinel.pid"; do
    [ -f "$f" ] || continue
    local pid
    pid="$(cat "$f")"
    kill "-$sig" "$pid" 2>/dev/null || true
    wait_for 60 "process $pid exits" gone "$pid"
    rm -f "$f"
  done
}
gone() { ! kill -0 "$1" 2>/dev/null; }
# wait_for SECONDS DESCRIPTION COMMAND...: until COMMAND succeeds, for at
# most SECONDS (times TEND_SENTINEL_TEST_SLACK) of wall-clock time.
wait_for() {
  local what="$2" bound=$(($1 * ${TEND_SENTINEL_TEST_SLACK:-1}))
  local deadline=$((SECONDS + bound)) started=$SECONDS
  shift 2
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$what (waited ${bound}s)"
    sleep 0.25
  done
  [ $((SECONDS - started)) -lt 20 ] || echo "note: $what took $((SECONDS - started))s"
}
healthy_replicas() {  # SENTINEL_POD N
  local listing
  listing="$(redis-cli -h "$(ip_of "$1")" -p 26379 --raw sentinel replicas mymaster 2>/dev/null | tr -d '\r')" || return 1
  [ "$(printf '%s\n' "$listing" | grep -A1 -x flags | grep -cx slave)" -eq "$2" ] &&
    [ "$(printf '%s\n' "$listing" | grep -A1 -x master-link-status | grep -cx ok)" -eq "$2" ]
}
replicas_online() { [ "$(cli "$1" info replication | grep -c 'state=online')" -eq "$2" ]; }
is_role() { [ "$(role "$1")" = "$2" ]; }
sentinels_agree_not() {  # OLD_MASTER: every live sentinel names another master
  local i m
  for i in 0 1 2; do
    [ -f "$WORK/p$i/sentinel.pid" ] || continue
    m="$(master "$i")"
    [ -n "$m" ] && [ "$m" != "$1" ] || return 1
  done
}
replica_of() { cli "$1" info replication | grep -q "^master_host:$2\$" && cli "$1" info replication | grep -q '^master_link_status:up$'; }

echo "== 1. first start"
start_pod 0
grep -q "no Sentinel answers" "$WORK/p0/init.log" || fail "pod 0 should lead on a first start: $(cat "$WORK/p0/init.log")"
start_pod 1
start_pod 2
wait_for 90 "two replicas online" replicas_online 0 2
is_role 0 master || fail "pod 0 is $(role 0), not master"
[ "$(cli 0 set reminder:1 due)" = OK ] || fail "write to the master: $(cli 0 set reminder:1 due)"
wait_for 60 "replication of reminder:1" bash -c "[ \"\$(redis-cli -h 127.0.0.12 --raw get reminder:1 | tr -d '\r')\" = due ]"
echo "ok: pod 0 leads, pods 1 and 2 replicate"

echo "== 2. pre-stop hands the master over"
# SENTINEL FAILOVER answers NOGOODSLAVE unless the Sentinel has seen a
# replica healthy in a recent INFO: wait until it sees both, flagged plain
# "slave" (not down or disconnected) with their link to the master up.
wait_for 90 "sentinel 0 sees two healthy replicas" healthy_replicas 0 2
sed -e "s#redis-cli #redis-cli -h $(ip_of 0) #g" "$SCRIPTS/pre-stop.sh" >"$WORK/pre-stop-0.sh"
start_time=$SECONDS
sh "$WORK/pre-stop-0.sh" >"$WORK/pre-stop.log" 2>&1
grep -q "no failover" "$WORK/pre-stop.log" && fail "pre-stop did not hand over: $(cat "$WORK/pre-stop.log")"
# pre-stop waits up to 25 s for the demotion, then lets Redis stop anyway;
# under load the demotion may land a little later.
wait_for 60 "pod 0 demoted after pre-stop" is_role 0 slave
wait_for 60 "the Sentinels name another master" sentinels_agree_not redis-sentinel-0.redis-sentinel
new_master="$(master 1)"
echo "ok: pre-stop handed over to $new_master in $((SECONDS - start_time))s"
stop_pod 0

echo "== 3. a restarted pod follows the Sentinels"
cli "$(pod_of "$new_master")" set reminder:2 due >/dev/null
start_pod 0
grep -q "name $new_master as master" "$WORK/p0/init.log" || fail "pod 0's init: $(cat "$WORK/p0/init.log")"
wait_for 90 "pod 0 replicates $new_master" replica_of 0 "$new_master"
wait_for 60 "reminder:2 on pod 0" bash -c "[ \"\$(redis-cli -h 127.0.0.10 --raw get reminder:2 | tr -d '\r')\" = due ]"
echo "ok: pod 0 came back as a replica of $new_master"

echo "== 4. kill -9 the master"
old="$new_master"
old_pod="$(pod_of "$old")"
cli "$old_pod" set reminder:3 due >/dev/null
wait_for 60 "reminder:3 replicated" bash -c "[ \"\$(redis-cli -h 127.0.0.1$(( (old_pod + 1) % 3 )) --raw get reminder:3 | tr -d '\r')\" = due ]"
stop_pod "$old_pod" KILL
start_time=$SECONDS
# 5 s to notice, then the election; a failed election is retried after
# 2 x failover-timeout (120 s).
wait_for 180 "the Sentinels promote a replica" sentinels_agree_not "$old"
promoted="$(master "$(( (old_pod + 1) % 3 ))")"
wait_for 60 "$promoted is master" is_role "$(pod_of "$promoted")" master
echo "ok: $promoted promoted $((SECONDS - start_time))s after the kill"
start_pod "$old_pod"
wait_for 90 "the old master rejoins as a replica" replica_of "$old_pod" "$promoted"
for key in reminder:1 reminder:2 reminder:3; do
  [ "$(cli "$(pod_of "$promoted")" get "$key")" = due ] || fail "$key lost after the failover"
done
echo "ok: pod $old_pod rejoined as a replica; reminders 1-3 are all there"
echo "all Redis Sentinel pod-script checks passed"
