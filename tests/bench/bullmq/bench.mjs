// BullMQ beside tend-bench-dispatch, on the same redis-server.
//
// Enqueues --jobs delayed jobs that all fall due at one instant, measures
// Redis memory per delayed job (INFO memory used_memory delta / jobs), then
// starts one Worker at --concurrency with a no-op processor and times the
// drain: from the moment the worker starts (after the due instant) until
// the last job completed. Jobs carry a JSON payload of --payload-bytes
// (the size of Tend's reminder payload, passed in by run_dispatch_bench.sh)
// and a 50-character custom jobId, as Tend's reminder ids are (both make a
// repeated add a no-op). Completed jobs are removed (removeOnComplete),
// which is BullMQ's fastest setting and keeps memory flat.
//
// Prints human-readable lines and "RESULT key value" lines.
//
//   cd tests/bench/bullmq && npm ci
//   node bench.mjs --redis redis://127.0.0.1:6379/0 --jobs 100000
//
// The script FLUSHALLs the Redis it is given.
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { readFileSync } from 'node:fs';

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const url = flag('redis', 'redis://127.0.0.1:6379/0');
const jobs = Number(flag('jobs', '100000'));
const concurrency = Number(flag('concurrency', '100'));
const payloadBytes = Number(flag('payload-bytes', '300'));
const chunk = 1000;

function info(text, field) {
  const m = text.match(new RegExp(`^${field}:(\\S+)`, 'm'));
  return m ? Number(m[1]) : 0;
}

function loadAverage() {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

function result(key, value) {
  console.log(`RESULT ${key} ${Number(value).toPrecision(6)}`);
}

// A job's data: what a reminder job would carry, padded to payloadBytes.
function jobData(i) {
  const data = {
    reminder: `rit_${i.toString(16).padStart(16, '0')}.${1800000000 + i}.u_${i % 2000}`,
    couple: `c_${(i % 1000).toString(16).padStart(16, '0')}`,
    title: 'How are you feeling?',
    body: '',
  };
  const base = JSON.stringify(data).length;
  data.body = 'x'.repeat(Math.max(0, payloadBytes - base));
  return data;
}

// 50 characters, unique per job.
function jobId(i) {
  return `rit_nightly-feelings.u${i % 2000}.${String(i).padStart(12, '0')}`.padEnd(50, '_');
}

const admin = new IORedis(url, { maxRetriesPerRequest: null });
await admin.flushall();
const queueConnection = new IORedis(url, { maxRetriesPerRequest: null });
const queue = new Queue('reminders', { connection: queueConnection });
await queue.waitUntilReady();
const memoryBefore = info(await admin.info('memory'), 'used_memory');

// Every job is due at `dueAt`; the delay of each chunk is counted from the
// moment it is added. The due instant is far enough ahead that enqueueing
// ends before it (checked below).
const enqueueStart = Date.now();
const dueAt = enqueueStart + Math.max(10000, jobs / 2.5);
for (let i = 0; i < jobs; i += chunk) {
  const now = Date.now();
  const bulk = [];
  for (let j = i; j < Math.min(jobs, i + chunk); ++j) {
    bulk.push({
      name: 'reminder',
      data: jobData(j),
      opts: { delay: dueAt - now, jobId: jobId(j), removeOnComplete: true, removeOnFail: 1000 },
    });
  }
  await queue.addBulk(bulk);
}
const enqueueEnd = Date.now();
const memoryAfter = info(await admin.info('memory'), 'used_memory');
const delayed = await queue.getDelayedCount();
console.log(
  `bullmq: ${jobs} delayed jobs (${delayed} in the delayed set) enqueued in ` +
    `${((enqueueEnd - enqueueStart) / 1000).toFixed(2)} s; ` +
    `${((memoryAfter - memoryBefore) / jobs).toFixed(0)} B of Redis memory per delayed job`,
);
if (enqueueEnd > dueAt) console.log('bullmq: warning: enqueueing ran past the due instant');

// Wait for the due instant, then drain.
await new Promise((r) => setTimeout(r, Math.max(0, dueAt - Date.now() + 10)));
const loadBefore = loadAverage();
const redisCpu = async () => {
  const t = await admin.info('cpu');
  return info(t, 'used_cpu_user') + info(t, 'used_cpu_sys');
};
const cpu0 = await redisCpu();
const own0 = process.cpuUsage();
let completed = 0;
let failed = 0;
let finish;
const done = new Promise((r) => (finish = r));
const workerConnection = new IORedis(url, { maxRetriesPerRequest: null });
const start = Date.now();
const worker = new Worker('reminders', async () => {}, {
  connection: workerConnection,
  concurrency,
});
worker.on('completed', () => {
  if (++completed + failed === jobs) finish();
});
worker.on('failed', () => {
  if (completed + ++failed === jobs) finish();
});
await done;
const end = Date.now();
const cpu = (await redisCpu()) - cpu0;
const own = process.cpuUsage(own0);
const loadAfter = loadAverage();
const seconds = (end - start) / 1000;
console.log(
  `bullmq: drained ${completed} jobs (${failed} failed) in ${seconds.toFixed(3)} s with one ` +
    `worker at concurrency ${concurrency}: ${(completed / seconds).toFixed(0)} jobs/s; ` +
    `redis-server CPU ${cpu.toFixed(2)} s (${((cpu * 1e6) / jobs).toFixed(1)} us per job), ` +
    `node CPU ${((own.user + own.system) / 1e6).toFixed(2)} s; load average ${loadBefore} -> ${loadAfter}`,
);
result('bullmq_jobs', jobs);
result('bullmq_completed', completed);
result('bullmq_drain_s', seconds);
result('bullmq_jobs_per_s', completed / seconds);
result('bullmq_mem_per_job_B', (memoryAfter - memoryBefore) / jobs);
result('bullmq_redis_cpu_s', cpu);
result('bullmq_node_cpu_s', (own.user + own.system) / 1e6);
result('bullmq_payload_B', JSON.stringify(jobData(0)).length);
console.log(`RESULT_TEXT bullmq_load ${loadAfter}`);

await worker.close();
await queue.close();
await admin.flushall();
for (const c of [admin, queueConnection, workerConnection]) c.disconnect();
