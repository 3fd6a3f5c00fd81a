// The DueQueue's Lua scripts: every change to the queue is one of these.
//
// Each script runs against one shard, and KEYS[1..7] are always that
// shard's keys in this order: due, leased, data, meta, done, dead,
// deaddata (see due_queue.h for what each holds). Some scripts take the
// shard's couple sets after them. Every key a script touches is declared in
// KEYS and carries the shard's hash tag, so a script never crosses a Redis
// Cluster slot.
//
// Times are milliseconds since the Unix epoch. An empty `now` argument
// means "Redis's TIME", so replicas with skewed clocks agree on due-ness.
// Redis 7 replicates a script's effects, not the script, so reading TIME
// in a script that writes is safe.
//
// META values are "couple|attempts|due_ms", and in the dead letter
// "couple|attempts|due_ms|last error". `due_ms` is the reminder's own due
// time (as scheduled or rescheduled); the score in `due` is when it may
// next be claimed, which a retry pushes later. Couple ids never contain
// '|' (DueQueue refuses them), so the fields split from the left.
//
// Only due_queue.cc includes this file.
#ifndef TEND_ENGINE_QUEUE_LUA_SCRIPTS_H_
#define TEND_ENGINE_QUEUE_LUA_SCRIPTS_H_

namespace tend::engine::queue_lua {

// The prelude, prepended to every script: key names and shared helpers.
inline constexpr char kPrelude[] = R"lua(
local DUE, LEASED, DATA, META, DONE, DEAD, DEADDATA =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]

-- The caller's `now` in ms, or Redis's TIME when the caller sent ''.
local function clock(arg)
  if arg ~= '' then return tonumber(arg) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Runs `cmd key list...` in slices of 1000 arguments (unpack() stops near
-- 8000) and returns the sum of the integer replies. Slices are even, so
-- score/member and field/value pairs stay whole.
local function each(cmd, key, list)
  local sum = 0
  for i = 1, #list, 1000 do
    local r = redis.call(cmd, key, unpack(list, i, math.min(i + 999, #list)))
    if type(r) == 'number' then sum = sum + r end
  end
  return sum
end

-- Like each(), for commands answering one element per argument (HMGET,
-- ZMSCORE); a missing one is false.
local function fetch(cmd, key, list)
  if #list == 0 then return {} end
  if #list <= 1000 then return redis.call(cmd, key, unpack(list)) end
  local out = {}
  for i = 1, #list, 1000 do
    local r = redis.call(cmd, key, unpack(list, i, math.min(i + 999, #list)))
    for j = 1, #r do out[#out + 1] = r[j] end
  end
  return out
end

local function split_meta(m)
  local couple, attempts, due = string.match(m, '^([^|]*)|(%d+)|(%-?%d+)')
  return couple, tonumber(attempts), due
end

local function join_meta(couple, attempts, due)
  return couple .. '|' .. attempts .. '|' .. due
end

-- Stores `count` reminders given in ARGV from index `a` in fours (id,
-- due_ms, payload, couple), reminder i's couple set being KEYS[k + i - 1].
-- An id whose META exists (due, leased or dead) or that is in DONE, or that
-- came earlier in this call, is left alone. Returns how many were stored.
local function schedule(a, k, count)
  if count <= 0 then return 0 end
  local ids = {}
  for i = 1, count do ids[i] = ARGV[a + 4 * (i - 1)] end
  local metas = fetch('HMGET', META, ids)
  local hashed = {}
  for i = 1, count do hashed[i] = redis.sha1hex(ids[i]) end
  local done = fetch('ZMSCORE', DONE, hashed)
  local seen, zadd, data, meta, couples = {}, {}, {}, {}, {}
  local stored = 0
  for i = 1, count do
    local id = ids[i]
    if not metas[i] and not done[i] and not seen[id] then
      seen[id] = true
      local at = a + 4 * (i - 1)
      local due = ARGV[at + 1]
      zadd[#zadd + 1] = due
      zadd[#zadd + 1] = id
      data[#data + 1] = id
      data[#data + 1] = ARGV[at + 2]
      meta[#meta + 1] = id
      meta[#meta + 1] = join_meta(ARGV[at + 3], 0, due)
      local members = couples[KEYS[k + i - 1]]
      if not members then
        members = {}
        couples[KEYS[k + i - 1]] = members
      end
      members[#members + 1] = id
      stored = stored + 1
    end
  end
  if stored > 0 then
    each('ZADD', DUE, zadd)
    each('HSET', DATA, data)
    each('HSET', META, meta)
    for key, members in pairs(couples) do each('SADD', key, members) end
  end
  return stored
end

-- Moves `ids`, already out of DUE and LEASED, to the dead letter at `now`:
-- the payload from DATA to DEADDATA, and metas[i] with `err` into META.
local function bury(ids, metas, now, err)
  if #ids == 0 then return end
  local payloads = fetch('HMGET', DATA, ids)
  local zadd, dd, mm = {}, {}, {}
  now = string.format('%d', now)
  for i, id in ipairs(ids) do
    zadd[#zadd + 1] = now
    zadd[#zadd + 1] = id
    dd[#dd + 1] = id
    dd[#dd + 1] = payloads[i] or ''
    mm[#mm + 1] = id
    mm[#mm + 1] = metas[i] .. '|' .. err
  end
  each('ZADD', DEAD, zadd)
  each('HSET', DEADDATA, dd)
  each('HDEL', DATA, ids)
  each('HSET', META, mm)
end

-- Takes up to `limit` leases that expired by `now` out of LEASED, counting
-- an attempt for each: back to DUE at its own due time, or to the dead
-- letter once attempts reach `max_attempts`. Returns how many left LEASED.
local function recover(now, limit, max_attempts)
  local ids = redis.call('ZRANGE', LEASED, '-inf', now, 'BYSCORE',
                         'LIMIT', 0, limit)
  if #ids == 0 then return 0 end
  each('ZREM', LEASED, ids)
  local metas = fetch('HMGET', META, ids)
  local zadd, mm, dead, dead_metas = {}, {}, {}, {}
  for i, id in ipairs(ids) do
    if metas[i] then
      local couple, attempts, due = split_meta(metas[i])
      local meta = join_meta(couple, attempts + 1, due)
      if attempts + 1 >= max_attempts then
        dead[#dead + 1] = id
        dead_metas[#dead_metas + 1] = meta
      else
        zadd[#zadd + 1] = due
        zadd[#zadd + 1] = id
        mm[#mm + 1] = id
        mm[#mm + 1] = meta
      end
    end
  end
  if #zadd > 0 then
    each('ZADD', DUE, zadd)
    each('HSET', META, mm)
  end
  bury(dead, dead_metas, now, 'lease expired')
  return #ids
end
)lua";

// Schedule.
// KEYS: the shard's seven, then one couple set per reminder.
// ARGV: (id, due_ms, payload, couple) per reminder.
// Returns: how many were newly stored.
// Invariant: an id is stored at most once while it is due, leased, dead or
//   remembered as done; data, meta and the couple set come with it.
inline constexpr char kSchedule[] = R"lua(
return schedule(1, 8, #ARGV / 4)
)lua";

// Claim.
// KEYS: the shard's seven.
// ARGV: now_ms or '', lease_ms, max, max_attempts, recover_limit.
// Returns: {now_ms, lease_expire_ms, next_due_ms, id1, payload1, meta1, id2,
//   ...}, the claimed reminders oldest due first; next_due_ms is the
//   earliest score left in DUE when fewer than `max` were due, else -1
//   (also when DUE is empty), so an idle worker knows how long to wait.
// Invariant: a claimed id moves from DUE to LEASED, scored by its lease
//   expiry, which is also the token its worker must show; expired leases
//   are recovered first, so a dead worker's reminders come back here.
//   A reminder's next lease starts after its previous one ended, so its
//   token only grows, and a stale token never matches again.
inline constexpr char kClaim[] = R"lua(
local now = clock(ARGV[1])
recover(now, tonumber(ARGV[5]), tonumber(ARGV[4]))
local expire = now + tonumber(ARGV[2])
local out = {now, expire, -1}
expire = string.format('%d', expire)  -- formatted once, not per member
local ids = redis.call('ZRANGE', DUE, '-inf', now, 'BYSCORE',
                       'LIMIT', 0, tonumber(ARGV[3]))
if #ids < tonumber(ARGV[3]) then
  local first = redis.call('ZRANGE', DUE, '(' .. now, '+inf', 'BYSCORE',
                           'LIMIT', 0, 1, 'WITHSCORES')
  if first[2] then out[3] = tonumber(first[2]) end
end
if #ids == 0 then return out end
each('ZREM', DUE, ids)
local zadd = {}
for i, id in ipairs(ids) do
  zadd[2 * i - 1] = expire
  zadd[2 * i] = id
end
each('ZADD', LEASED, zadd)
local payloads = fetch('HMGET', DATA, ids)
local metas = fetch('HMGET', META, ids)
for i, id in ipairs(ids) do
  out[#out + 1] = id
  out[#out + 1] = payloads[i] or ''
  out[#out + 1] = metas[i] or ''
end
return out
)lua";

// Complete.
// KEYS: the shard's seven, then the couple set of each ack, then the
//   couple set of each next reminder.
// ARGV: done_memory_ms, n_acks, (id, lease_token) per ack, then (id,
//   due_ms, payload, couple) per next reminder.
// Returns: {acks that took effect, next reminders newly stored}.
// Invariant: an ack takes effect only while the worker's lease holds (its
//   token is still the score in LEASED); the id then leaves LEASED, DATA,
//   META and its couple set and enters DONE, in the same step that stores
//   the next reminders. DONE forgets entries older than done_memory.
inline constexpr char kComplete[] = R"lua(
local now = clock('')
local now_text = string.format('%d', now)
local n = tonumber(ARGV[2])
local acked = 0
if n > 0 then
  local ids, tokens = {}, {}
  for i = 1, n do
    ids[i] = ARGV[1 + 2 * i]
    tokens[i] = tonumber(ARGV[2 + 2 * i])
  end
  local scores = fetch('ZMSCORE', LEASED, ids)
  local seen, gone, zadd, couples = {}, {}, {}, {}
  for i = 1, n do
    local id = ids[i]
    if scores[i] and tonumber(scores[i]) == tokens[i] and not seen[id] then
      seen[id] = true
      gone[#gone + 1] = id
      zadd[#zadd + 1] = now_text
      zadd[#zadd + 1] = redis.sha1hex(id)
      local members = couples[KEYS[7 + i]]
      if not members then
        members = {}
        couples[KEYS[7 + i]] = members
      end
      members[#members + 1] = id
    end
  end
  acked = #gone
  if acked > 0 then
    each('ZREM', LEASED, gone)
    each('HDEL', DATA, gone)
    each('HDEL', META, gone)
    each('ZADD', DONE, zadd)
    for key, members in pairs(couples) do each('SREM', key, members) end
  end
end
local stored = schedule(3 + 2 * n, 8 + n, (#ARGV - 2 - 2 * n) / 4)
redis.call('ZREMRANGEBYSCORE', DONE, '-inf', now - tonumber(ARGV[1]))
return {acked, stored}
)lua";

// Nack.
// KEYS: the shard's seven.
// ARGV: id, lease_token, now_ms or '', wait_ms, max_attempts, error.
// Returns: 0 when the lease was lost (nothing changed), 1 when the
//   reminder is due again at now + wait_ms, 2 when it went to the dead
//   letter.
// Invariant: only the lease holder counts a failed attempt; a reminder
//   leaves LEASED for exactly one of DUE or DEAD.
inline constexpr char kNack[] = R"lua(
local id = ARGV[1]
local score = redis.call('ZSCORE', LEASED, id)
if not score or tonumber(score) ~= tonumber(ARGV[2]) then return 0 end
local now = clock(ARGV[3])
redis.call('ZREM', LEASED, id)
local couple, attempts, due = split_meta(redis.call('HGET', META, id))
local meta = join_meta(couple, attempts + 1, due)
if attempts + 1 >= tonumber(ARGV[5]) then
  bury({id}, {meta}, now, ARGV[6])
  return 2
end
redis.call('ZADD', DUE, now + tonumber(ARGV[4]), id)
redis.call('HSET', META, id, meta)
return 1
)lua";

// RecoverExpiredLeases.
// KEYS: the shard's seven.
// ARGV: now_ms or '', max_attempts, limit.
// Returns: how many expired leases left LEASED (to DUE or the dead letter).
// Invariant: as recover() in the prelude.
inline constexpr char kRecover[] = R"lua(
return recover(clock(ARGV[1]), tonumber(ARGV[3]), tonumber(ARGV[2]))
)lua";

// Cancel.
// KEYS: the shard's seven, then the couple set.
// ARGV: id.
// Returns: 1 when the id was due (not yet claimed) and is now gone, else 0.
// Invariant: a cancelled id is in none of the sets and has no data or meta.
inline constexpr char kCancel[] = R"lua(
local id = ARGV[1]
if redis.call('ZREM', DUE, id) == 0 then return 0 end
redis.call('HDEL', DATA, id)
redis.call('HDEL', META, id)
redis.call('SREM', KEYS[8], id)
return 1
)lua";

// CancelCouple.
// KEYS: the shard's seven, then the couple set.
// ARGV: none.
// Returns: how many reminders were removed (due, leased or dead).
// Invariant: afterwards nothing of the couple is left but DONE entries,
//   which hold ids only; a worker still holding a lease finds its ack
//   ignored.
inline constexpr char kCancelCouple[] = R"lua(
local ids = redis.call('SMEMBERS', KEYS[8])
if #ids == 0 then return 0 end
local removed = each('ZREM', DUE, ids) + each('ZREM', LEASED, ids) +
                each('ZREM', DEAD, ids)
each('HDEL', DATA, ids)
each('HDEL', META, ids)
each('HDEL', DEADDATA, ids)
redis.call('DEL', KEYS[8])
return removed
)lua";

// Reschedule.
// KEYS: the shard's seven.
// ARGV: id, due_ms.
// Returns: 1 when the id was due (not yet claimed) and moved, else 0.
// Invariant: the score in DUE and the due time in META move together;
//   attempts are kept.
inline constexpr char kReschedule[] = R"lua(
local id = ARGV[1]
if not redis.call('ZSCORE', DUE, id) then return 0 end
local couple, attempts = split_meta(redis.call('HGET', META, id))
redis.call('ZADD', DUE, ARGV[2], id)
redis.call('HSET', META, id, join_meta(couple, attempts, ARGV[2]))
return 1
)lua";

// RetryDeadLetter.
// KEYS: the shard's seven.
// ARGV: id, now_ms or ''.
// Returns: 1 when the id was dead and is due again now, else 0.
// Invariant: the payload moves back from DEADDATA to DATA, and META loses
//   the error and its attempts in the same step.
inline constexpr char kRetryDead[] = R"lua(
local id = ARGV[1]
if redis.call('ZREM', DEAD, id) == 0 then return 0 end
local payload = redis.call('HGET', DEADDATA, id) or ''
redis.call('HDEL', DEADDATA, id)
redis.call('HSET', DATA, id, payload)
local couple, attempts, due = split_meta(redis.call('HGET', META, id))
redis.call('HSET', META, id, join_meta(couple, 0, due))
redis.call('ZADD', DUE, clock(ARGV[2]), id)
return 1
)lua";

// ListDeadLetters (reads only).
// KEYS: the shard's seven.
// ARGV: max.
// Returns: {id1, dead_ms1, payload1, meta1, id2, ...}, oldest first.
// Invariant: none changed.
inline constexpr char kListDead[] = R"lua(
local rows = redis.call('ZRANGE', DEAD, 0, tonumber(ARGV[1]) - 1,
                        'WITHSCORES')
local out = {}
for i = 1, #rows, 2 do
  out[#out + 1] = rows[i]
  out[#out + 1] = rows[i + 1]
  out[#out + 1] = redis.call('HGET', DEADDATA, rows[i]) or ''
  out[#out + 1] = redis.call('HGET', META, rows[i]) or ''
end
return out
)lua";

}  // namespace tend::engine::queue_lua

#endif  // TEND_ENGINE_QUEUE_LUA_SCRIPTS_H_
