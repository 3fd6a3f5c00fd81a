#include "services/pairing/pairing_store.h"

#include <openssl/rand.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/base/status_macros.h"
#include "google/protobuf/util/json_util.h"

namespace tend::pairing {
namespace {

using engine::RedisReply;
using engine::RedisScript;

std::string Key(absl::string_view kind, absl::string_view id) {
  return absl::StrCat(kKeyPrefix, kind, ":", id);
}

std::string Micros(absl::Time t) { return absl::StrCat(absl::ToUnixMicros(t)); }

// Every script below shares this preamble: P is the key prefix.
#define TEND_PAIRING_LUA_PREAMBLE "local P = 'tend:pairing:'\n"

// Queues one "changed" event for couple `cid` unless one is already waiting
// (replan_pending); OutboxRelay clears the mark before it sends, so a change
// after that queues a new event and none is missed.
#define TEND_PAIRING_LUA_NOTIFY_CHANGED                                     \
  "local function notify_changed(cid)\n"                                    \
  "  if redis.call('SADD', P .. 'replan_pending', cid) == 1 then\n"         \
  "    redis.call('RPUSH', P .. 'outbox',\n"                                \
  "               '{\"kind\":\"changed\",\"couple\":\"' .. cid .. '\"}')\n" \
  "  end\n"                                                                 \
  "end\n"

// SaveProfile.
// KEYS: profile:{user}, member:{user}
// ARGV: serialized profile, notify ("1" when the change moves reminders)
// Returns: 1.
// Invariant: a change that moves reminders is stored together with the
//   event that makes the scheduler re-plan the couple.
const RedisScript kSaveProfile(
    TEND_PAIRING_LUA_PREAMBLE TEND_PAIRING_LUA_NOTIFY_CHANGED R"lua(
redis.call('SET', KEYS[1], ARGV[1])
if ARGV[2] == '1' then
  local cid = redis.call('GET', KEYS[2])
  if cid then notify_changed(cid) end
end
return 1
)lua");

// SetHomeTimeZone.
// KEYS: member:{user}
// ARGV: zone
// Returns: 1. Errors: NOT_FOUND when the user is not in a couple.
// Invariant: as SaveProfile's.
const RedisScript kSetHomeTimeZone(
    TEND_PAIRING_LUA_PREAMBLE TEND_PAIRING_LUA_NOTIFY_CHANGED R"lua(
local cid = redis.call('GET', KEYS[1])
if not cid then
  return redis.error_reply('NOT_FOUND couple: the caller is not in a couple')
end
redis.call('HSET', P .. 'couple:' .. cid, 'home_time_zone', ARGV[1])
notify_changed(cid)
return 1
)lua");

// SaveInvite.
// KEYS: member:{inviter}, invite_of:{inviter}, invite:{code}
// ARGV: inviter, code, expire_us, ttl_ms
// Returns: 1. Errors: FAILED_PRECONDITION when the inviter is paired,
//   ABORTED when the code is already taken.
// Invariant: a person has at most one live invite.
const RedisScript kSaveInvite(TEND_PAIRING_LUA_PREAMBLE R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.error_reply('FAILED_PRECONDITION caller: already in a couple; unpair first')
end
if redis.call('EXISTS', KEYS[3]) == 1 then
  return redis.error_reply('ABORTED code: taken, draw another')
end
local old = redis.call('GET', KEYS[2])
if old then redis.call('DEL', P .. 'invite:' .. old) end
redis.call('HSET', KEYS[3], 'inviter', ARGV[1], 'expire_us', ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[4])
return 1
)lua");

// AcceptInvite.
// KEYS: invite:{code}, member:{acceptor}, fails:{acceptor}
// ARGV: acceptor, now_us, window_us, max_failures, new_couple_id, fail_id
// Returns: {couple_id}. Errors: see PairingStore::AcceptInvite.
// Invariant: the invite is consumed and both members are linked in the same
//   step, or nothing changes but the failure count.
const RedisScript kAcceptInvite(TEND_PAIRING_LUA_PREAMBLE R"lua(
local acceptor = ARGV[1]
local now = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - window)
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[4]) then
  return redis.error_reply('RESOURCE_EXHAUSTED code: too many failed attempts; try again within the hour')
end
local inviter = redis.call('HGET', KEYS[1], 'inviter')
local expire = tonumber(redis.call('HGET', KEYS[1], 'expire_us') or '0')
if not inviter or expire <= now then
  redis.call('ZADD', KEYS[3], now, ARGV[6])
  redis.call('PEXPIRE', KEYS[3], math.floor(window / 1000))
  return redis.error_reply('NOT_FOUND code: no such invite, or it was used or has expired')
end
if inviter == acceptor then
  return redis.error_reply('INVALID_ARGUMENT code: this is your own invite; share it with your partner')
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  return redis.error_reply('FAILED_PRECONDITION caller: already in a couple; unpair first')
end
if redis.call('EXISTS', P .. 'member:' .. inviter) == 1 then
  return redis.error_reply('FAILED_PRECONDITION code: the inviter is already in a couple')
end
local cid = ARGV[5]
local former = redis.call('HGET', P .. 'former:' .. acceptor, inviter)
if former and redis.call('HGET', P .. 'couple:' .. former, 'state') == 'dissolved' then
  cid = former
  redis.call('HSET', P .. 'couple:' .. cid, 'state', 'active')
  redis.call('HDEL', P .. 'couple:' .. cid, 'erase_us')
  redis.call('ZREM', P .. 'dissolved', cid)
  redis.call('HDEL', P .. 'former:' .. acceptor, inviter)
  redis.call('HDEL', P .. 'former:' .. inviter, acceptor)
else
  redis.call('HSET', P .. 'couple:' .. cid, 'inviter', inviter, 'invitee', acceptor,
             'create_us', ARGV[2], 'state', 'active')
end
redis.call('SET', P .. 'member:' .. inviter, cid)
redis.call('SET', KEYS[2], cid)
redis.call('RPUSH', P .. 'outbox', '{"kind":"formed","couple":"' .. cid .. '"}')
redis.call('DEL', KEYS[1], P .. 'invite_of:' .. inviter)
local own = redis.call('GET', P .. 'invite_of:' .. acceptor)
if own then redis.call('DEL', P .. 'invite:' .. own, P .. 'invite_of:' .. acceptor) end
return {cid}
)lua");

// Unpair.
// KEYS: member:{user}
// ARGV: user, erase_us, erase_now ("1" or "0")
// Returns: {couple_id, partner}. Errors: NOT_FOUND when unpaired.
// Invariant: both member keys go in the same step; the couple is either
//   erased or dissolved with an erase time and listed in `dissolved`.
const RedisScript kUnpair(TEND_PAIRING_LUA_PREAMBLE R"lua(
local cid = redis.call('GET', KEYS[1])
if not cid then
  return redis.error_reply('NOT_FOUND couple: the caller is not in a couple')
end
local ckey = P .. 'couple:' .. cid
local a = redis.call('HGET', ckey, 'inviter')
local b = redis.call('HGET', ckey, 'invitee')
local partner = a
if a == ARGV[1] then partner = b end
redis.call('DEL', P .. 'member:' .. a, P .. 'member:' .. b)
local erase = 'false'
if ARGV[3] == '1' then erase = 'true' end
redis.call('RPUSH', P .. 'outbox',
           '{"kind":"dissolved","couple":"' .. cid .. '","erase":' .. erase .. '}')
if ARGV[3] == '1' then
  redis.call('DEL', ckey)
else
  redis.call('HSET', ckey, 'state', 'dissolved', 'erase_us', ARGV[2])
  redis.call('ZADD', P .. 'dissolved', ARGV[2], cid)
  redis.call('HSET', P .. 'former:' .. a, b, cid)
  redis.call('HSET', P .. 'former:' .. b, a, cid)
end
return {cid, partner}
)lua");

// EraseDissolved.
// KEYS: couple:{couple}
// ARGV: couple_id, now_us
// Returns: 1 when erased, 0 when the couple re-paired or is not yet due.
// Invariant: an active couple is never erased by the sweep.
const RedisScript kEraseDissolved(TEND_PAIRING_LUA_PREAMBLE R"lua(
redis.call('ZREM', P .. 'dissolved', ARGV[1])
if redis.call('HGET', KEYS[1], 'state') ~= 'dissolved' then return 0 end
local due = tonumber(redis.call('HGET', KEYS[1], 'erase_us') or '0')
if due > tonumber(ARGV[2]) then
  redis.call('ZADD', P .. 'dissolved', due, ARGV[1])
  return 0
end
local a = redis.call('HGET', KEYS[1], 'inviter')
local b = redis.call('HGET', KEYS[1], 'invitee')
if redis.call('HGET', P .. 'former:' .. a, b) == ARGV[1] then
  redis.call('HDEL', P .. 'former:' .. a, b)
end
if redis.call('HGET', P .. 'former:' .. b, a) == ARGV[1] then
  redis.call('HDEL', P .. 'former:' .. b, a)
end
redis.call('DEL', KEYS[1])
redis.call('RPUSH', P .. 'outbox',
           '{"kind":"dissolved","couple":"' .. ARGV[1] .. '","erase":true}')
return 1
)lua");

// DeleteUser.
// KEYS: profile, member, fails, former, invite_of, req — all of {user}
// ARGV: user
// Returns: the number of keys removed.
// Invariant: afterwards no key names the user and no record holds their
//   id; their current and former couples are erased with them; the outbox
//   holds a "dissolved" (erase) event for each such couple and, after them,
//   one "user_erased" event, so the other services erase the person too.
const RedisScript kDeleteUser(TEND_PAIRING_LUA_PREAMBLE R"lua(
local user = ARGV[1]
local removed = 0
local function erase_couple(cid)
  local ckey = P .. 'couple:' .. cid
  local a = redis.call('HGET', ckey, 'inviter')
  local b = redis.call('HGET', ckey, 'invitee')
  for _, member in ipairs({a, b}) do
    if member and member ~= user then
      if redis.call('GET', P .. 'member:' .. member) == cid then
        redis.call('DEL', P .. 'member:' .. member)
      end
      redis.call('HDEL', P .. 'former:' .. member, user)
      -- The partner's remembered answers (AcceptInvite's is the couple,
      -- both ids in it) go too: a retry of theirs runs again instead.
      redis.call('DEL', P .. 'req:' .. member)
    end
  end
  redis.call('ZREM', P .. 'dissolved', cid)
  removed = removed + redis.call('DEL', ckey)
  redis.call('RPUSH', P .. 'outbox',
             '{"kind":"dissolved","couple":"' .. cid .. '","erase":true}')
end
local cid = redis.call('GET', KEYS[2])
if cid then erase_couple(cid) end
local former = redis.call('HGETALL', KEYS[4])
for i = 2, #former, 2 do erase_couple(former[i]) end
local code = redis.call('GET', KEYS[5])
if code then removed = removed + redis.call('DEL', P .. 'invite:' .. code) end
for _, key in ipairs(KEYS) do removed = removed + redis.call('DEL', key) end
redis.call('RPUSH', P .. 'outbox',
           '{"kind":"user_erased","user":"' .. user .. '"}')
return removed
)lua");

absl::StatusOr<std::string> FailId() {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return absl::UnavailableError("random: the CSPRNG is not ready");
  }
  return absl::StrCat(absl::Hex(*reinterpret_cast<uint64_t*>(bytes)));
}

absl::Time TimeFromMicros(absl::string_view text) {
  int64_t micros = 0;
  (void)absl::SimpleAtoi(text, &micros);
  return absl::FromUnixMicros(micros);
}

// HGETALL as field → value pairs.
std::vector<std::pair<std::string, std::string>> Pairs(const RedisReply& r) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    out.emplace_back(r.elements[i].str, r.elements[i + 1].str);
  }
  return out;
}

}  // namespace

absl::StatusOr<v1::PartnerProfile> PairingStore::LoadProfile(
    const std::string& user) {
  TEND_ASSIGN_OR_RETURN(RedisReply reply,
                        redis_->Command({"GET", Key("profile", user)}));
  v1::PartnerProfile profile;
  if (reply.is_nil()) return profile;
  if (!profile.ParseFromString(reply.str)) {
    return absl::DataLossError("profile: stored record does not parse");
  }
  return profile;
}

absl::Status PairingStore::SaveProfile(const std::string& user,
                                       const v1::PartnerProfile& profile,
                                       bool moves_reminders) {
  return redis_
      ->Eval(kSaveProfile, {Key("profile", user), Key("member", user)},
             {profile.SerializeAsString(), moves_reminders ? "1" : "0"})
      .status();
}

absl::Status PairingStore::SaveInvite(const std::string& inviter,
                                      const std::string& code,
                                      absl::Time expire_time, absl::Time now) {
  // The Redis TTL is only a backstop for garbage; expiry is judged against
  // the injected clock with expire_us.
  const int64_t ttl_ms =
      absl::ToInt64Milliseconds(expire_time - now + absl::Hours(1));
  return redis_
      ->Eval(kSaveInvite,
             {Key("member", inviter), Key("invite_of", inviter),
              Key("invite", code)},
             {inviter, code, Micros(expire_time), absl::StrCat(ttl_ms)})
      .status();
}

absl::StatusOr<CoupleRecord> PairingStore::AcceptInvite(
    const std::string& acceptor, const std::string& code,
    const std::string& new_couple_id, absl::Time now,
    const AcceptLimits& limits) {
  TEND_ASSIGN_OR_RETURN(std::string fail_id, FailId());
  TEND_ASSIGN_OR_RETURN(
      RedisReply reply,
      redis_->Eval(
          kAcceptInvite,
          {Key("invite", code), Key("member", acceptor),
           Key("fails", acceptor)},
          {acceptor, Micros(now),
           absl::StrCat(absl::ToInt64Microseconds(limits.window)),
           absl::StrCat(limits.max_failures), new_couple_id, fail_id}));
  if (reply.elements.size() != 1) {
    return absl::InternalError("accept: unexpected reply from Redis");
  }
  return LoadCouple(reply.elements[0].str);
}

absl::StatusOr<CoupleRecord> PairingStore::LoadCouple(
    const std::string& couple_id) {
  TEND_ASSIGN_OR_RETURN(RedisReply reply,
                        redis_->Command({"HGETALL", Key("couple", couple_id)}));
  CoupleRecord record;
  record.id = couple_id;
  std::string state;
  for (const auto& [field, value] : Pairs(reply)) {
    if (field == "inviter") record.inviter = value;
    if (field == "invitee") record.invitee = value;
    if (field == "create_us") record.create_time = TimeFromMicros(value);
    if (field == "home_time_zone") record.home_time_zone = value;
    if (field == "state") state = value;
  }
  if (state != "active") {
    return absl::NotFoundError("couple: the caller is not in a couple");
  }
  return record;
}

absl::StatusOr<std::optional<CoupleRecord>> PairingStore::CoupleOf(
    const std::string& user) {
  TEND_ASSIGN_OR_RETURN(RedisReply member,
                        redis_->Command({"GET", Key("member", user)}));
  if (member.is_nil()) return std::nullopt;
  absl::StatusOr<CoupleRecord> record = LoadCouple(member.str);
  if (absl::IsNotFound(record.status())) return std::nullopt;
  if (!record.ok()) return record.status();
  return *std::move(record);
}

absl::Status PairingStore::SetHomeTimeZone(const std::string& user,
                                           const std::string& zone) {
  return redis_->Eval(kSetHomeTimeZone, {Key("member", user)}, {zone}).status();
}

absl::StatusOr<UnpairResult> PairingStore::Unpair(const std::string& user,
                                                  absl::Time erase_time,
                                                  bool erase_now) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply reply,
      redis_->Eval(kUnpair, {Key("member", user)},
                   {user, Micros(erase_time), erase_now ? "1" : "0"}));
  if (reply.elements.size() != 2) {
    return absl::InternalError("unpair: unexpected reply from Redis");
  }
  return UnpairResult{reply.elements[0].str, reply.elements[1].str};
}

absl::StatusOr<int> PairingStore::PurgeDissolved(absl::Time now) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply due,
      redis_->Command({"ZRANGEBYSCORE", absl::StrCat(kKeyPrefix, "dissolved"),
                       "-inf", Micros(now), "LIMIT", "0", "1000"}));
  int erased = 0;
  for (const RedisReply& cid : due.elements) {
    TEND_ASSIGN_OR_RETURN(
        RedisReply done, redis_->Eval(kEraseDissolved, {Key("couple", cid.str)},
                                      {cid.str, Micros(now)}));
    erased += static_cast<int>(done.integer);
  }
  return erased;
}

absl::StatusOr<int> PairingStore::DeleteUser(const std::string& user) {
  TEND_ASSIGN_OR_RETURN(RedisReply reply,
                        redis_->Eval(kDeleteUser,
                                     {Key("profile", user), Key("member", user),
                                      Key("fails", user), Key("former", user),
                                      Key("invite_of", user), Key("req", user)},
                                     {user}));
  return static_cast<int>(reply.integer);
}

absl::StatusOr<nlohmann::json> PairingStore::Export(const std::string& user) {
  nlohmann::json out = {{"user_id", user}};
  TEND_ASSIGN_OR_RETURN(RedisReply profile_blob,
                        redis_->Command({"GET", Key("profile", user)}));
  if (!profile_blob.is_nil()) {
    v1::PartnerProfile profile;
    std::string json;
    if (profile.ParseFromString(profile_blob.str) &&
        google::protobuf::util::MessageToJsonString(profile, &json).ok()) {
      out["profile"] = nlohmann::json::parse(json, nullptr, false);
    }
  }
  TEND_ASSIGN_OR_RETURN(std::optional<CoupleRecord> couple, CoupleOf(user));
  if (couple.has_value()) {
    out["couple"] = {
        {"name", absl::StrCat("couples/", couple->id)},
        {"partner_user_id",
         couple->inviter == user ? couple->invitee : couple->inviter},
        {"role", couple->inviter == user ? "inviter" : "invitee"},
        {"create_time", absl::FormatTime(absl::RFC3339_sec, couple->create_time,
                                         absl::UTCTimeZone())}};
  }
  TEND_ASSIGN_OR_RETURN(std::vector<RedisReply> rest,
                        redis_->Pipeline({{"GET", Key("invite_of", user)},
                                          {"ZCARD", Key("fails", user)},
                                          {"HGETALL", Key("former", user)},
                                          {"HLEN", Key("req", user)}}));
  if (!rest[0].is_nil()) {
    TEND_ASSIGN_OR_RETURN(
        RedisReply invite,
        redis_->Command({"HGET", Key("invite", rest[0].str), "expire_us"}));
    out["open_invite"] = {
        {"code", rest[0].str},
        {"expire_time",
         absl::FormatTime(absl::RFC3339_sec, TimeFromMicros(invite.str),
                          absl::UTCTimeZone())}};
  }
  out["failed_invite_attempts_last_hour"] = rest[1].integer;
  nlohmann::json former = nlohmann::json::array();
  for (const auto& [partner, cid] : Pairs(rest[2])) {
    former.push_back({{"partner_user_id", partner},
                      {"name", absl::StrCat("couples/", cid)}});
  }
  out["former_couples_in_undo_window"] = former;
  out["remembered_request_ids"] = rest[3].integer;
  return out;
}

}  // namespace tend::pairing
