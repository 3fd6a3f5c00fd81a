#!/bin/sh
# Writes this pod's redis.conf and sentinel.conf into /conf.
#
# The master is whoever the Sentinels say it is. Only when no Sentinel
# answers (the very first start, or every pod down at once) does pod 0 lead;
# deploy/README.md says what to check after a full outage.
set -eu

SERVICE=redis-sentinel
MASTER_SET=mymaster
SELF="$(hostname).$SERVICE"
REPLICAS="${REPLICAS:-3}"
QUORUM="${QUORUM:-2}"

resolves() { getent hosts "$1" >/dev/null 2>&1; }

# The headless Service publishes not-ready pods, so our own name appears
# within seconds of the pod getting its address.
waited=0
until resolves "$SELF"; do
  waited=$((waited + 1))
  if [ "$waited" -gt 120 ]; then
    echo "init: $SELF does not resolve" >&2
    exit 1
  fi
  sleep 1
done

master=""
n=0
while [ "$n" -lt "$REPLICAS" ]; do
  peer="$SERVICE-$n.$SERVICE"
  n=$((n + 1))
  [ "$peer" = "$SELF" ] && continue
  resolves "$peer" || continue
  answer="$(timeout 3 redis-cli -h "$peer" -p 26379 --raw \
    sentinel get-master-addr-by-name "$MASTER_SET" 2>/dev/null | head -n 1)" || true
  case "$answer" in
    "" | *" "*) continue ;;  # no answer, or an error message
  esac
  master="$answer"
  break
done
if [ -z "$master" ]; then
  master="$SERVICE-0.$SERVICE"
  echo "init: no Sentinel answers; $master leads"
else
  echo "init: the Sentinels name $master as master"
fi

# maxmemory: 70% of the container's memory limit, leaving room for the
# copy-on-write of AOF rewrites and RDB snapshots. noeviction: Tend's queue
# must never lose keys; writes fail instead (and alert).
maxmemory=0
if [ -n "${REDIS_MEMORY_LIMIT_MB:-}" ]; then
  maxmemory="$((REDIS_MEMORY_LIMIT_MB * 7 / 10))mb"
fi

cat >/conf/redis.conf <<CONF
bind * -::*
port 6379
protected-mode no
dir /data
appendonly yes
appendfsync everysec
aof-use-rdb-preamble yes
save 3600 1 300 100 60 10000
maxmemory $maxmemory
maxmemory-policy noeviction
replica-announce-ip $SELF
replica-announce-port 6379
# A master cut off from every replica stops taking writes after 10 s, so a
# partitioned old master cannot collect writes that the failover then drops.
min-replicas-to-write 1
min-replicas-max-lag 10
CONF
if [ "$master" != "$SELF" ]; then
  echo "replicaof $master 6379" >>/conf/redis.conf
fi

cat >/conf/sentinel.conf <<CONF
bind * -::*
port 26379
protected-mode no
dir /tmp
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip $SELF
sentinel announce-port 26379
sentinel monitor $MASTER_SET $master 6379 $QUORUM
sentinel down-after-milliseconds $MASTER_SET 5000
sentinel failover-timeout $MASTER_SET 60000
sentinel parallel-syncs $MASTER_SET 1
CONF
