#!/usr/bin/env bash
# Tend's end-to-end dispatch against BullMQ, on one redis-server, in one run.
#
# Builds tend-bench-dispatch (Release, -DTEND_BUILD_BENCH=ON, into
# build-bench/ unless BUILD_DIR says otherwise), installs BullMQ into
# tests/bench/bullmq/node_modules if it is not there, starts ONE
# redis-server on a free loopback port, runs tend-bench-dispatch against it
# (burst with 1 and 2 replicas, steady lateness), FLUSHALLs, runs
# tests/bench/bullmq/bench.mjs with the same number of delayed jobs and the
# same payload size, and prints a markdown table. See RESULTS-dispatch.md.
#
#   tests/bench/run_dispatch_bench.sh                 # everything
#   BUILD_DIR=/tmp/build-bench tests/bench/run_dispatch_bench.sh --threads=4
#
# Arguments are passed to tend-bench-dispatch (e.g. --couples=2000,
# --burst_reminders=50000, --threads=4). Logs: $LOG_DIR (default a temp
# dir), printed at the end.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-bench}"
LOG_DIR="${LOG_DIR:-$(mktemp -d /tmp/tend-dispatch-bench-XXXXXX)}"
mkdir -p "$LOG_DIR"

echo "== build ($BUILD_DIR)" >&2
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
  -DTEND_BUILD_BENCH=ON >"$LOG_DIR/configure.log"
cmake --build "$BUILD_DIR" -j2 --target tend-bench-dispatch \
  >"$LOG_DIR/build.log"
if [[ ! -d "$ROOT/tests/bench/bullmq/node_modules/bullmq" ]]; then
  echo "== npm ci (tests/bench/bullmq)" >&2
  (cd "$ROOT/tests/bench/bullmq" && npm ci --no-audit --no-fund) >&2
fi

# One redis-server for both, on a free loopback port.
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
REDIS_DIR="$(mktemp -d /tmp/tend-dispatch-redis-XXXXXX)"
redis-server --port "$PORT" --bind 127.0.0.1 --dir "$REDIS_DIR" --save "" \
  --appendonly no --logfile "$REDIS_DIR/redis.log" &
REDIS_PID=$!
# The machine's load, every 5 s, for the table.
(while true; do cut -d' ' -f1 /proc/loadavg; sleep 5; done) >"$LOG_DIR/loadavg.log" &
LOAD_PID=$!
cleanup() {
  kill "$LOAD_PID" 2>/dev/null || true
  kill "$REDIS_PID" 2>/dev/null || true
  wait "$REDIS_PID" 2>/dev/null || true
  rm -rf "$REDIS_DIR"
}
trap cleanup EXIT
for _ in $(seq 100); do
  redis-cli -p "$PORT" ping >/dev/null 2>&1 && break
  sleep 0.05
done
URL="redis://127.0.0.1:$PORT/0"
REDIS_VERSION="$(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/')"

echo "== tend-bench-dispatch against $URL" >&2
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
"$BUILD_DIR/bin/tend-bench-dispatch" --redis_url="$URL" "$@" \
  2>"$LOG_DIR/tend.stderr" | tee "$LOG_DIR/tend.out" >&2
redis-cli -p "$PORT" flushall >/dev/null

result() {  # result FILE KEY
  awk -v k="$2" '$1 == "RESULT" && $2 == k { print $3 }' "$1" | tail -1
}
JOBS="$(result "$LOG_DIR/tend.out" burst_1r_reminders)"
JOBS="${JOBS:-100000}"
PAYLOAD="$(result "$LOG_DIR/tend.out" burst_1r_payload_B)"
PAYLOAD="${PAYLOAD:-300}"

echo "== BullMQ against $URL: $JOBS delayed jobs, ${PAYLOAD%.*} B payload" >&2
(cd "$ROOT/tests/bench/bullmq" &&
  node bench.mjs --redis "$URL" --jobs "${JOBS%.*}" --concurrency 100 \
    --payload-bytes "${PAYLOAD%.*}") 2>"$LOG_DIR/bullmq.stderr" |
  tee "$LOG_DIR/bullmq.out" >&2
LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"
BULLMQ_VERSION="$(node -p "require('$ROOT/tests/bench/bullmq/node_modules/bullmq/package.json').version")"

T="$LOG_DIR/tend.out"
B="$LOG_DIR/bullmq.out"
LOAD_RANGE="$(sort -n "$LOG_DIR/loadavg.log" | sed -n '1p;$p' | paste -sd' ')"
python3 - "$T" "$B" "$REDIS_VERSION" "$BULLMQ_VERSION" "$LOAD_START" "$LOAD_END" "$LOAD_RANGE" <<'EOF'
import sys

def read(path):
    out = {}
    for line in open(path):
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "RESULT":
            out[parts[1]] = float(parts[2])
        elif len(parts) >= 2 and parts[0] == "RESULT_TEXT":
            out[parts[1]] = " ".join(parts[2:])
    return out

t, b = read(sys.argv[1]), read(sys.argv[2])
redis_version, bullmq_version, load_start, load_end, load_range = sys.argv[3:8]
low, high = (load_range.split() + ["?", "?"])[:2]

def num(d, k, fmt="{:,.0f}"):
    return fmt.format(d[k]) if k in d else "n/a"

def ratio(x, y):
    return f"{x / y:.2f}" if x is not None and y else "n/a"

g = lambda d, k: d.get(k)
rows = []
rows.append(("Throughput, 1 replica (Tend: reminders/s, ticks included in the work; BullMQ: jobs/s, 1 worker, concurrency 100)",
             num(t, "burst_1r_reminders_per_s"), num(b, "bullmq_jobs_per_s"),
             ratio(g(t, "burst_1r_reminders_per_s"), g(b, "bullmq_jobs_per_s"))))
rows.append(("Throughput, 2 replicas (Tend: two scheduler stacks in one process; BullMQ: same 1-worker figure)",
             num(t, "burst_2r_reminders_per_s"), num(b, "bullmq_jobs_per_s"),
             ratio(g(t, "burst_2r_reminders_per_s"), g(b, "bullmq_jobs_per_s"))))
rows.append((f"Burst drain, {num(t, 'burst_1r_reminders')} due in one second, 1 replica (s; lower is better)",
             num(t, "burst_1r_drain_s", "{:.2f}"), num(b, "bullmq_drain_s", "{:.2f}"),
             ratio(g(t, "burst_1r_drain_s"), g(b, "bullmq_drain_s"))))
rows.append(("Burst drain, 2 replicas (s)", num(t, "burst_2r_drain_s", "{:.2f}"), "", ""))
rows.append((f"Ticks drained with the burst ({num(t, 'burst_1r_couples')} couples); queue items/s, 1 / 2 replicas",
             f"{num(t, 'burst_1r_ticks')}; {num(t, 'burst_1r_items_per_s')} / {num(t, 'burst_2r_items_per_s')}", "", ""))
rows.append(("Lateness p50 / p99 at a steady 1,000 reminders/s (ms)",
             f"{num(t, 'steady_p50_ms', '{:.0f}')} / {num(t, 'steady_p99_ms', '{:.0f}')}", "", ""))
rows.append(("Redis memory per scheduled reminder (Tend: queue + records + its share of ticks) / per delayed job (B)",
             num(t, "burst_1r_mem_per_reminder_B"), num(b, "bullmq_mem_per_job_B"),
             ratio(g(t, "burst_1r_mem_per_reminder_B"), g(b, "bullmq_mem_per_job_B"))))
rows.append(("Tend's part of that: MEMORY USAGE of the queue per item (reminder or tick) / of the reminder records per reminder (B)",
             f"{num(t, 'burst_1r_queue_bytes_per_item_B')} / {num(t, 'burst_1r_record_bytes_per_reminder_B')}", "", ""))
rows.append(("Payload per reminder / job (B)", num(t, "burst_1r_payload_B"), num(b, "bullmq_payload_B"), ""))
rows.append(("redis-server CPU per reminder / job, 1 replica (us)",
             num({"x": t["burst_1r_redis_cpu_s"] * 1e6 / t["burst_1r_reminders"]} if "burst_1r_redis_cpu_s" in t else {}, "x", "{:.1f}"),
             num({"x": b["bullmq_redis_cpu_s"] * 1e6 / b["bullmq_jobs"]} if "bullmq_redis_cpu_s" in b else {}, "x", "{:.1f}"), ""))
print()
print(f"Redis {redis_version}, BullMQ {bullmq_version}; 1-minute load average between {low} and {high} during the run "
      f"(sampled every 5 s); {load_start} at the start, {load_end} at the end "
      f"(Tend burst 1r end: {t.get('burst_1r_load', 'n/a')}, 2r end: {t.get('burst_2r_load', 'n/a')}, "
      f"steady end: {t.get('steady_load', 'n/a')}; BullMQ end: {b.get('bullmq_load', 'n/a')})")
print()
print("| | Tend | BullMQ | Tend/BullMQ |")
print("| --- | --- | --- | --- |")
for r in rows:
    print("| " + " | ".join(r) + " |")
EOF
echo
echo "logs: $LOG_DIR" >&2
