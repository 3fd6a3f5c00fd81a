#!/bin/sh
# Before this pod's Redis stops (rolling update, drain): if it is the master,
# ask Sentinel to fail over to a replica first and wait for it, so writes
# pause for about a second instead of Sentinel's 5 s detection plus the
# failover.
set -u

role() {
  redis-cli --raw info replication 2>/dev/null | tr -d '\r' | sed -n 's/^role://p'
}

[ "$(role)" = master ] || exit 0
# OK, or an error such as NOGOODSLAVE (no replica in sync): then there is
# nobody to hand over to, and Redis just stops (AOF fsync, RDB save).
answer="$(redis-cli -p 26379 --raw sentinel failover mymaster 2>&1 | tr -d '\r')"
if [ "$answer" != OK ]; then
  echo "pre-stop: no failover: $answer"
  exit 0
fi
waited=0
while [ "$waited" -lt 25 ]; do
  [ "$(role)" = slave ] && exit 0
  sleep 1
  waited=$((waited + 1))
done
exit 0
