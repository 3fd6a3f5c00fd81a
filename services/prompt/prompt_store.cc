#include "services/prompt/prompt_store.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "engine/base/status_macros.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

namespace tend::prompt {
namespace {

using engine::RedisReply;
using engine::RedisScript;
using google::protobuf::util::TimeUtil;

std::string Micros(absl::Time t) { return absl::StrCat(absl::ToUnixMicros(t)); }

absl::Time FromMicros(absl::string_view text) {
  int64_t micros = 0;
  (void)absl::SimpleAtoi(text, &micros);
  return absl::FromUnixMicros(micros);
}

int64_t ToInt(absl::string_view text) {
  int64_t value = 0;
  (void)absl::SimpleAtoi(text, &value);
  return value;
}

std::string UserKey(absl::string_view user, absl::string_view kind) {
  return absl::StrCat(kKeyPrefix, "u:{", user, "}:", kind);
}

constexpr char kScoreOutbox[] = "tend:p:score_outbox";

// HGETALL as field → value pairs.
std::vector<std::pair<std::string, std::string>> Pairs(const RedisReply& r) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    out.emplace_back(r.elements[i].str, r.elements[i + 1].str);
  }
  return out;
}

std::vector<std::string> Strings(const RedisReply& r) {
  std::vector<std::string> out;
  for (const RedisReply& e : r.elements) out.push_back(e.str);
  return out;
}

// "1:40,2:0" ⇄ {{1,40},{2,0}}.
std::string JoinPairs(const std::vector<std::pair<int, int>>& pairs) {
  return absl::StrJoin(pairs, ",", [](std::string* out, const auto& p) {
    absl::StrAppend(out, p.first, ":", p.second);
  });
}
std::vector<std::pair<int, int>> SplitPairs(absl::string_view text) {
  std::vector<std::pair<int, int>> out;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(part, absl::MaxSplits(':', 1));
    out.emplace_back(static_cast<int>(ToInt(kv.first)),
                     static_cast<int>(ToInt(kv.second)));
  }
  return out;
}

// CreateQuestion.
// KEYS: q:{question}, qindex, asked, depth, daily, custom_asked
// ARGV: id, blob, create_us, history_key ('' for none), day, daily ('1'|'0'),
//       depth points, through ('' leaves the depth state alone), custom_id
// Returns: {1, blob} when created, {0, stored blob} when the id existed.
// Invariant: the question, its history entry and the depth state that
//   chose it are written together, once.
const RedisScript kCreateQuestion(R"lua(
if redis.call('HSETNX', KEYS[1], 'question', ARGV[2]) == 0 then
  return {0, redis.call('HGET', KEYS[1], 'question')}
end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
if ARGV[4] ~= '' then redis.call('ZADD', KEYS[3], 'GT', ARGV[5], ARGV[4]) end
if ARGV[6] == '1' then
  redis.call('ZADD', KEYS[5], ARGV[5], ARGV[1])
  local through = tonumber(redis.call('HGET', KEYS[4], 'through') or '-1e12')
  if ARGV[8] ~= '' and tonumber(ARGV[8]) > through then
    redis.call('HSET', KEYS[4], 'points', ARGV[7], 'through', ARGV[8])
  end
end
if ARGV[9] ~= '' then redis.call('HSET', KEYS[6], ARGV[9], ARGV[3]) end
return {1, ARGV[2]}
)lua");

// SaveAnswer.
// KEYS: q:{question}, answered:{user}, journal:{user}, members
// ARGV: question id, user, partner, answer blob, journal ('1'|'0'), now_us
// Returns: 1 when this answer revealed the question, else 0.
// Errors: NOT_FOUND (no question), FAILED_PRECONDITION (already revealed).
// Invariant: `revealed` is set exactly when both partners hold an answer
//   to share, and after that no answer of the question changes.
const RedisScript kSaveAnswer(R"lua(
if redis.call('HEXISTS', KEYS[1], 'question') == 0 then
  return redis.error_reply('NOT_FOUND name: no such question')
end
if redis.call('HEXISTS', KEYS[1], 'revealed') == 1 then
  return redis.error_reply('FAILED_PRECONDITION name: both answers are revealed; an answer cannot change after that')
end
redis.call('HSET', KEYS[1], 'a:' .. ARGV[2], ARGV[4], 'j:' .. ARGV[2], ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[1])
if ARGV[5] == '1' then
  redis.call('ZADD', KEYS[3], ARGV[6], ARGV[1])
else
  redis.call('ZREM', KEYS[3], ARGV[1])
end
redis.call('SADD', KEYS[4], ARGV[2])
if ARGV[5] == '0' and redis.call('HGET', KEYS[1], 'j:' .. ARGV[3]) == '0' then
  redis.call('HSET', KEYS[1], 'revealed', ARGV[6])
  return 1
end
return 0
)lua");

// SaveCustom.
// KEYS: custom, members
// ARGV: id, blob, max_count, author
// Returns: 1. Errors: RESOURCE_EXHAUSTED at max_count questions.
const RedisScript kSaveCustom(R"lua(
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then
  return redis.error_reply('RESOURCE_EXHAUSTED custom_question: the couple has the most questions allowed; delete one first')
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[4])
return 1
)lua");

// ClaimNudge.
// KEYS: nudges
// ARGV: user, day, reminder id
// Returns: 1 when the reminder may nudge, 0 when another did that day.
// Invariant: at most one reminder nudges a person per day.
const RedisScript kClaimNudge(R"lua(
local mine = ARGV[2] .. '|' .. ARGV[3]
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current == mine then return 1 end
if current and string.sub(current, 1, #ARGV[2] + 1) == ARGV[2] .. '|' then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], mine)
return 1
)lua");

// SubmitCheck.
// KEYS: check, check:{user}, check:{partner}, members
// ARGV: user, now_us, window_us, interval_us, score, signs, answers
// Returns: {1, open_us, partner score, partner signs, partner submit_us}
//   when the partner has taken the check in the same period, else
//   {0, open_us}; {-1, open_us} while a completed period's interval runs.
//   Times go back as the strings they were stored as: Lua's numbers would
//   print them rounded.
// Invariant: an entry counts in the period it was made in; a period that
//   lapsed without both, or whose interval has passed, is replaced.
const RedisScript kSubmitCheck(R"lua(
local now = tonumber(ARGV[2])
local open_us = redis.call('HGET', KEYS[1], 'open_us')
local open = tonumber(open_us or '-1')
local done = redis.call('HEXISTS', KEYS[1], 'done_us') == 1
if done and now < open + tonumber(ARGV[4]) then
  return {-1, open_us}
end
if open < 0 or done or now >= open + tonumber(ARGV[3]) then
  open_us = ARGV[2]
  open = now
  redis.call('HSET', KEYS[1], 'open_us', open_us)
  redis.call('HDEL', KEYS[1], 'done_us', 'score', 'focus')
end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], 'submit_us', ARGV[2], 'score', ARGV[5],
           'signs', ARGV[6], 'answers', ARGV[7])
redis.call('SADD', KEYS[4], ARGV[1])
local theirs = redis.call('HMGET', KEYS[3], 'submit_us', 'score', 'signs')
if theirs[1] and tonumber(theirs[1]) >= open then
  return {1, open_us, theirs[2], theirs[3], theirs[1]}
end
return {0, open_us}
)lua");

// CompleteCheck.
// KEYS: check, scores
// ARGV: open_us, now_us, couple score, focus signs
// Returns: 1 when this completed the period, 0 when it already was.
// Invariant: a period completes once; its score is pending until the
//   scheduler has it.
const RedisScript kCompleteCheck(R"lua(
if redis.call('HGET', KEYS[1], 'open_us') ~= ARGV[1] or
   redis.call('HEXISTS', KEYS[1], 'done_us') == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'done_us', ARGV[2], 'score', ARGV[3],
           'focus', ARGV[4], 'pending', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[2] .. ':' .. ARGV[3])
return 1
)lua");

// EraseUser, for one couple.
// KEYS: answered:{user}, journal:{user}, gestures:{user}, check:{user},
//       nudges, members
// ARGV: user, the couple's key prefix "tend:p:{couple}:"
// Returns: the number of records removed.
// Invariant: afterwards nothing in the couple holds the user's words.
const RedisScript kEraseUser(R"lua(
local removed = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if redis.call('HDEL', ARGV[2] .. 'q:' .. id, 'a:' .. ARGV[1],
                'j:' .. ARGV[1]) > 0 then
    removed = removed + 1
  end
end
for i = 1, 4 do removed = removed + redis.call('DEL', KEYS[i]) end
removed = removed + redis.call('HDEL', KEYS[5], ARGV[1])
redis.call('SREM', KEYS[6], ARGV[1])
return removed
)lua");

// EraseCouple.
// KEYS: qindex, daily, asked, depth, custom, custom_seq, custom_asked,
//       nudges, cadence, check, scores, members
// ARGV: the couple's key prefix "tend:p:{couple}:"
// Returns: {records removed, member...}.
// Invariant: afterwards no key of the couple remains.
const RedisScript kEraseCouple(R"lua(
local removed = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  removed = removed + redis.call('DEL', ARGV[1] .. 'q:' .. id)
end
local members = redis.call('SMEMBERS', KEYS[12])
for _, m in ipairs(members) do
  for _, kind in ipairs({'answered:', 'journal:', 'gestures:', 'check:'}) do
    removed = removed + redis.call('DEL', ARGV[1] .. kind .. m)
  end
end
removed = removed + redis.call('HLEN', KEYS[5])
for _, key in ipairs(KEYS) do redis.call('DEL', key) end
local out = {removed}
for _, m in ipairs(members) do table.insert(out, m) end
return out
)lua");

absl::StatusOr<v1::Question> ParseQuestion(const std::string& blob) {
  v1::Question question;
  if (!question.ParseFromString(blob)) {
    return absl::DataLossError("question: stored record does not parse");
  }
  return question;
}

// Builds a view from HGETALL q:{id}.
absl::StatusOr<std::optional<QuestionView>> ViewFrom(const RedisReply& all) {
  std::optional<QuestionView> view;
  for (size_t i = 0; i + 1 < all.elements.size(); i += 2) {
    if (all.elements[i].str == "question") {
      view.emplace();
      TEND_ASSIGN_OR_RETURN(view->question,
                            ParseQuestion(all.elements[i + 1].str));
    }
  }
  if (!view.has_value()) return view;
  for (size_t i = 0; i + 1 < all.elements.size(); i += 2) {
    absl::string_view field = all.elements[i].str;
    const std::string& value = all.elements[i + 1].str;
    if (absl::ConsumePrefix(&field, "a:")) {
      v1::Answer answer;
      if (!answer.ParseFromString(value)) {
        return absl::DataLossError("answer: stored record does not parse");
      }
      view->answers.emplace(std::string(field), std::move(answer));
    } else if (field == "revealed") {
      view->reveal_time = FromMicros(value);
    }
  }
  return view;
}

CheckEntry EntryFrom(absl::string_view submit_us, absl::string_view score,
                     absl::string_view signs) {
  CheckEntry entry;
  entry.submit_time = FromMicros(submit_us);
  entry.score = static_cast<int>(ToInt(score));
  entry.signs = SplitPairs(signs);
  return entry;
}

}  // namespace

std::string PromptStore::Key(absl::string_view couple_id,
                             absl::string_view kind) {
  return absl::StrCat(kKeyPrefix, "{", couple_id, "}:", kind);
}

absl::StatusOr<std::optional<QuestionView>> PromptStore::LoadQuestion(
    absl::string_view couple_id, absl::string_view question_id) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply reply,
      redis_->Command(
          {"HGETALL", Key(couple_id, absl::StrCat("q:", question_id))}));
  return ViewFrom(reply);
}

absl::StatusOr<std::vector<QuestionView>> PromptStore::LoadQuestions(
    absl::string_view couple_id, const std::vector<std::string>& ids) {
  std::vector<std::vector<std::string>> commands;
  for (const std::string& id : ids) {
    commands.push_back({"HGETALL", Key(couple_id, absl::StrCat("q:", id))});
  }
  std::vector<QuestionView> out;
  if (commands.empty()) return out;
  TEND_ASSIGN_OR_RETURN(std::vector<RedisReply> replies,
                        redis_->Pipeline(commands));
  for (const RedisReply& reply : replies) {
    TEND_ASSIGN_OR_RETURN(std::optional<QuestionView> view, ViewFrom(reply));
    if (view.has_value()) out.push_back(*std::move(view));
  }
  return out;
}

absl::StatusOr<QuestionView> PromptStore::CreateQuestion(
    absl::string_view couple_id, const NewQuestion& question, absl::Time now) {
  std::vector<std::string> args = {question.id,
                                   question.question.SerializeAsString(),
                                   Micros(now),
                                   question.history_key,
                                   absl::StrCat(DayNumber(question.day)),
                                   question.daily ? "1" : "0",
                                   "",
                                   "",
                                   question.custom_id};
  if (question.depth.has_value() && question.depth->through.has_value()) {
    args[6] = absl::StrCat(question.depth->points);
    args[7] = absl::StrCat(DayNumber(*question.depth->through));
  }
  TEND_ASSIGN_OR_RETURN(
      RedisReply reply,
      redis_->Eval(kCreateQuestion,
                   {Key(couple_id, absl::StrCat("q:", question.id)),
                    Key(couple_id, "qindex"), Key(couple_id, "asked"),
                    Key(couple_id, "depth"), Key(couple_id, "daily"),
                    Key(couple_id, "custom_asked")},
                   args));
  if (reply.elements.size() != 2) {
    return absl::InternalError("question: unexpected reply from Redis");
  }
  if (reply.elements[0].integer == 1) {
    QuestionView view;
    view.question = question.question;
    return view;
  }
  // Asked meanwhile by the partner's call: theirs stands.
  TEND_ASSIGN_OR_RETURN(std::optional<QuestionView> stored,
                        LoadQuestion(couple_id, question.id));
  if (!stored.has_value()) {
    return absl::UnavailableError("question: erased meanwhile, try again");
  }
  return *std::move(stored);
}

absl::StatusOr<std::vector<std::string>> PromptStore::QuestionIds(
    absl::string_view couple_id, int offset, int limit) {
  TEND_ASSIGN_OR_RETURN(RedisReply reply,
                        redis_->Command({"ZREVRANGE", Key(couple_id, "qindex"),
                                         absl::StrCat(offset),
                                         absl::StrCat(offset + limit - 1)}));
  return Strings(reply);
}

absl::StatusOr<std::optional<std::pair<std::string, absl::CivilDay>>>
PromptStore::LastDailyBefore(absl::string_view couple_id, absl::CivilDay day) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply reply,
      redis_->Command({"ZREVRANGEBYSCORE", Key(couple_id, "daily"),
                       absl::StrCat("(", DayNumber(day)), "-inf", "WITHSCORES",
                       "LIMIT", "0", "1"}));
  if (reply.elements.size() < 2) return std::nullopt;
  return std::make_pair(reply.elements[0].str,
                        DayFromNumber(ToInt(reply.elements[1].str)));
}

absl::StatusOr<DepthState> PromptStore::LoadDepth(absl::string_view couple_id) {
  TEND_ASSIGN_OR_RETURN(RedisReply reply,
                        redis_->Command({"HGETALL", Key(couple_id, "depth")}));
  DepthState state;
  for (const auto& [field, value] : Pairs(reply)) {
    if (field == "points") state.points = static_cast<int>(ToInt(value));
    if (field == "through") state.through = DayFromNumber(ToInt(value));
  }
  return state;
}

absl::StatusOr<bool> PromptStore::SaveAnswer(absl::string_view couple_id,
                                             absl::string_view question_id,
                                             const std::string& user,
                                             const std::string& partner,
                                             const v1::Answer& answer,
                                             absl::Time now) {
  const std::string id(question_id);
  TEND_ASSIGN_OR_RETURN(
      RedisReply reply,
      redis_->Eval(kSaveAnswer,
                   {Key(couple_id, absl::StrCat("q:", id)),
                    Key(couple_id, absl::StrCat("answered:", user)),
                    Key(couple_id, absl::StrCat("journal:", user)),
                    Key(couple_id, "members")},
                   {id, user, partner, answer.SerializeAsString(),
                    answer.journal() ? "1" : "0", Micros(now)}));
  return reply.integer == 1;
}

absl::StatusOr<std::vector<std::string>> PromptStore::JournalIds(
    absl::string_view couple_id, const std::string& user, int offset,
    int limit) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply reply,
      redis_->Command(
          {"ZREVRANGE", Key(couple_id, absl::StrCat("journal:", user)),
           absl::StrCat(offset), absl::StrCat(offset + limit - 1)}));
  return Strings(reply);
}

absl::StatusOr<History> PromptStore::LoadHistory(absl::string_view couple_id,
                                                 absl::string_view kind,
                                                 absl::CivilDay since) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply reply,
      redis_->Command({"ZRANGEBYSCORE", Key(couple_id, kind),
                       absl::StrCat(DayNumber(since)), "+inf", "WITHSCORES"}));
  History history;
  for (const auto& [key, day] : Pairs(reply)) {
    history[key] = DayFromNumber(ToInt(day));
  }
  return history;
}

absl::Status PromptStore::RecordChoice(absl::string_view couple_id,
                                       absl::string_view kind,
                                       const std::string& key,
                                       absl::CivilDay day) {
  return redis_
      ->Command({"ZADD", Key(couple_id, kind), "GT",
                 absl::StrCat(DayNumber(day)), key})
      .status();
}

absl::StatusOr<std::string> PromptStore::NextCustomId(
    absl::string_view couple_id) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply reply,
      redis_->Command({"INCR", Key(couple_id, "custom_seq")}));
  return absl::StrCat("cq", reply.integer);
}

absl::Status PromptStore::SaveCustom(absl::string_view couple_id,
                                     const std::string& id,
                                     const v1::CustomQuestion& question,
                                     int max_count) {
  return redis_
      ->Eval(kSaveCustom, {Key(couple_id, "custom"), Key(couple_id, "members")},
             {id, question.SerializeAsString(), absl::StrCat(max_count),
              question.author_user_id()})
      .status();
}

absl::StatusOr<std::vector<v1::CustomQuestion>> PromptStore::LoadCustom(
    absl::string_view couple_id) {
  TEND_ASSIGN_OR_RETURN(
      std::vector<RedisReply> replies,
      redis_->Pipeline({{"HGETALL", Key(couple_id, "custom")},
                        {"HGETALL", Key(couple_id, "custom_asked")}}));
  absl::flat_hash_map<std::string, absl::Time> asked;
  for (const auto& [id, micros] : Pairs(replies[1])) {
    asked[id] = FromMicros(micros);
  }
  std::vector<v1::CustomQuestion> out;
  for (const auto& [id, blob] : Pairs(replies[0])) {
    v1::CustomQuestion question;
    if (!question.ParseFromString(blob)) {
      return absl::DataLossError(
          "custom question: stored record does not parse");
    }
    auto it = asked.find(id);
    if (it != asked.end()) {
      *question.mutable_last_asked_time() =
          TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(it->second));
    }
    out.push_back(std::move(question));
  }
  std::sort(out.begin(), out.end(),
            [](const v1::CustomQuestion& a, const v1::CustomQuestion& b) {
              if (a.create_time() != b.create_time()) {
                return a.create_time() < b.create_time();
              }
              return a.name() < b.name();
            });
  return out;
}

absl::StatusOr<bool> PromptStore::DeleteCustom(absl::string_view couple_id,
                                               const std::string& id) {
  TEND_ASSIGN_OR_RETURN(
      std::vector<RedisReply> replies,
      redis_->Pipeline({{"HDEL", Key(couple_id, "custom"), id},
                        {"HDEL", Key(couple_id, "custom_asked"), id}}));
  return replies[0].integer > 0;
}

absl::StatusOr<bool> PromptStore::ClaimNudge(absl::string_view couple_id,
                                             const std::string& user,
                                             absl::CivilDay day,
                                             const std::string& reminder_id) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply reply,
      redis_->Eval(kClaimNudge, {Key(couple_id, "nudges")},
                   {user, absl::StrCat(DayNumber(day)), reminder_id}));
  return reply.integer == 1;
}

absl::StatusOr<std::optional<std::pair<scheduler::v1::Cadence, absl::Time>>>
PromptStore::LoadCadence(absl::string_view couple_id) {
  TEND_ASSIGN_OR_RETURN(RedisReply reply,
                        redis_->Command({"HMGET", Key(couple_id, "cadence"),
                                         "blob", "fetched_us"}));
  if (reply.elements.size() != 2 || reply.elements[0].is_nil()) {
    return std::nullopt;
  }
  scheduler::v1::Cadence cadence;
  if (!cadence.ParseFromString(reply.elements[0].str)) return std::nullopt;
  return std::make_pair(std::move(cadence), FromMicros(reply.elements[1].str));
}

absl::Status PromptStore::SaveCadence(absl::string_view couple_id,
                                      const scheduler::v1::Cadence& cadence,
                                      absl::Time fetched) {
  return redis_
      ->Command({"HSET", Key(couple_id, "cadence"), "blob",
                 cadence.SerializeAsString(), "fetched_us", Micros(fetched)})
      .status();
}

absl::StatusOr<CheckSubmission> PromptStore::SubmitCheck(
    absl::string_view couple_id, const std::string& user,
    const std::string& partner, const CheckEntry& entry, absl::Duration window,
    absl::Duration interval) {
  const std::string answers =
      absl::StrJoin(entry.answers, ",", [](std::string* out, const auto& a) {
        absl::StrAppend(out, a.first, ":", a.second);
      });
  TEND_ASSIGN_OR_RETURN(
      RedisReply reply,
      redis_->Eval(
          kSubmitCheck,
          {Key(couple_id, "check"),
           Key(couple_id, absl::StrCat("check:", user)),
           Key(couple_id, absl::StrCat("check:", partner)),
           Key(couple_id, "members")},
          {user, Micros(entry.submit_time),
           absl::StrCat(absl::ToInt64Microseconds(window)),
           absl::StrCat(absl::ToInt64Microseconds(interval)),
           absl::StrCat(entry.score), JoinPairs(entry.signs), answers}));
  if (reply.elements.size() < 2) {
    return absl::InternalError("check: unexpected reply from Redis");
  }
  if (reply.elements[0].integer == -1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "connection_check: you have both taken this check; the next one opens "
        "at ",
        absl::FormatTime(absl::RFC3339_sec,
                         FromMicros(reply.elements[1].str) + interval,
                         absl::UTCTimeZone())));
  }
  CheckSubmission out;
  out.open_time = FromMicros(reply.elements[1].str);
  if (reply.elements[0].integer == 1 && reply.elements.size() == 5) {
    out.partner = EntryFrom(reply.elements[4].str, reply.elements[2].str,
                            reply.elements[3].str);
  }
  return out;
}

absl::StatusOr<bool> PromptStore::CompleteCheck(absl::string_view couple_id,
                                                absl::Time open_time, int score,
                                                const std::vector<int>& focus,
                                                absl::Time now) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply reply,
      redis_->Eval(kCompleteCheck,
                   {Key(couple_id, "check"), Key(couple_id, "scores")},
                   {Micros(open_time), Micros(now), absl::StrCat(score),
                    absl::StrJoin(focus, ",")}));
  if (reply.integer != 1) return false;
  // The pending flag above is the record; the outbox is the index a relay
  // walks. Should this write fail, GetConnectionSummary re-queues it.
  (void)QueueScore(couple_id, now);
  return true;
}

absl::Status PromptStore::QueueScore(absl::string_view couple_id,
                                     absl::Time since) {
  return redis_
      ->Command(
          {"ZADD", kScoreOutbox, "NX", Micros(since), std::string(couple_id)})
      .status();
}

absl::StatusOr<CheckPeriod> PromptStore::LoadCheckPeriod(
    absl::string_view couple_id) {
  TEND_ASSIGN_OR_RETURN(RedisReply reply,
                        redis_->Command({"HGETALL", Key(couple_id, "check")}));
  CheckPeriod period;
  for (const auto& [field, value] : Pairs(reply)) {
    if (field == "open_us") period.open_time = FromMicros(value);
    if (field == "done_us") period.done_time = FromMicros(value);
    if (field == "score") period.score = static_cast<int>(ToInt(value));
    if (field == "pending") period.pending_time = FromMicros(value);
    if (field == "focus") {
      for (absl::string_view s :
           absl::StrSplit(value, ',', absl::SkipEmpty())) {
        period.focus.push_back(static_cast<int>(ToInt(s)));
      }
    }
  }
  return period;
}

absl::StatusOr<std::optional<CheckEntry>> PromptStore::LoadCheckEntry(
    absl::string_view couple_id, const std::string& user) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply reply,
      redis_->Command({"HMGET", Key(couple_id, absl::StrCat("check:", user)),
                       "submit_us", "score", "signs", "answers"}));
  if (reply.elements.size() != 4 || reply.elements[0].is_nil()) {
    return std::nullopt;
  }
  CheckEntry entry = EntryFrom(reply.elements[0].str, reply.elements[1].str,
                               reply.elements[2].str);
  for (absl::string_view part :
       absl::StrSplit(reply.elements[3].str, ',', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(part, absl::MaxSplits(':', 1));
    entry.answers.emplace_back(std::string(kv.first),
                               static_cast<int>(ToInt(kv.second)));
  }
  return entry;
}

absl::StatusOr<std::vector<std::pair<absl::Time, int>>>
PromptStore::CoupleScores(absl::string_view couple_id, int limit) {
  TEND_ASSIGN_OR_RETURN(RedisReply reply,
                        redis_->Command({"ZREVRANGE", Key(couple_id, "scores"),
                                         "0", absl::StrCat(limit - 1)}));
  std::vector<std::pair<absl::Time, int>> out;
  for (const std::string& entry : Strings(reply)) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(entry, absl::MaxSplits(':', 1));
    out.emplace_back(FromMicros(kv.first), static_cast<int>(ToInt(kv.second)));
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> PromptStore::PendingScoreCouples(
    int limit) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply reply,
      redis_->Command({"ZRANGE", kScoreOutbox, "0", absl::StrCat(limit - 1)}));
  return Strings(reply);
}

absl::Status PromptStore::ScoreDelivered(absl::string_view couple_id,
                                         absl::Time measure_time) {
  // Clears `pending` only if no newer score replaced it meanwhile.
  TEND_ASSIGN_OR_RETURN(
      RedisReply pending,
      redis_->Command({"HGET", Key(couple_id, "check"), "pending"}));
  std::vector<std::vector<std::string>> commands;
  if (!pending.is_nil() && FromMicros(pending.str) <= measure_time) {
    commands.push_back({"HDEL", Key(couple_id, "check"), "pending"});
    commands.push_back({"ZREM", kScoreOutbox, std::string(couple_id)});
  } else if (pending.is_nil()) {
    commands.push_back({"ZREM", kScoreOutbox, std::string(couple_id)});
  }
  if (commands.empty()) return absl::OkStatus();
  return redis_->Pipeline(commands).status();
}

absl::Status PromptStore::SaveQuiz(const std::string& user,
                                   const nlohmann::json& quiz) {
  return redis_->Command({"SET", UserKey(user, "quiz"), quiz.dump()}).status();
}

absl::StatusOr<std::optional<nlohmann::json>> PromptStore::LoadQuiz(
    const std::string& user) {
  TEND_ASSIGN_OR_RETURN(RedisReply reply,
                        redis_->Command({"GET", UserKey(user, "quiz")}));
  if (reply.is_nil()) return std::nullopt;
  nlohmann::json quiz = nlohmann::json::parse(reply.str, nullptr, false);
  if (quiz.is_discarded()) {
    return absl::DataLossError("quiz: stored record does not parse");
  }
  return quiz;
}

absl::Status PromptStore::NoteMember(absl::string_view couple_id,
                                     const std::string& user) {
  return redis_
      ->Pipeline({{"SADD", Key(couple_id, "members"), user},
                  {"SADD", UserKey(user, "couples"), std::string(couple_id)}})
      .status();
}

absl::StatusOr<std::vector<std::string>> PromptStore::CouplesOf(
    const std::string& user) {
  TEND_ASSIGN_OR_RETURN(
      RedisReply reply,
      redis_->Command({"SMEMBERS", UserKey(user, "couples")}));
  std::vector<std::string> couples = Strings(reply);
  std::sort(couples.begin(), couples.end());
  return couples;
}

absl::StatusOr<nlohmann::json> PromptStore::Export(const std::string& user) {
  nlohmann::json out = {{"user_id", user}};
  TEND_ASSIGN_OR_RETURN(std::optional<nlohmann::json> quiz, LoadQuiz(user));
  if (quiz.has_value()) out["love_language_quiz"] = *quiz;
  nlohmann::json couples = nlohmann::json::array();
  TEND_ASSIGN_OR_RETURN(std::vector<std::string> couple_ids, CouplesOf(user));
  for (const std::string& couple_id : couple_ids) {
    nlohmann::json couple = {{"name", absl::StrCat("couples/", couple_id)}};
    TEND_ASSIGN_OR_RETURN(
        RedisReply answered,
        redis_->Command({"ZRANGE",
                         Key(couple_id, absl::StrCat("answered:", user)), "0",
                         "-1"}));
    TEND_ASSIGN_OR_RETURN(std::vector<QuestionView> views,
                          LoadQuestions(couple_id, Strings(answered)));
    nlohmann::json answers = nlohmann::json::array();
    for (const QuestionView& view : views) {
      auto mine = view.answers.find(user);
      if (mine == view.answers.end()) continue;
      std::string json;
      (void)google::protobuf::util::MessageToJsonString(mine->second, &json);
      // Only the person's own words: never the partner's answer.
      answers.push_back(nlohmann::json::parse(json, nullptr, false));
    }
    couple["answers"] = answers;
    TEND_ASSIGN_OR_RETURN(std::vector<v1::CustomQuestion> custom,
                          LoadCustom(couple_id));
    nlohmann::json own_questions = nlohmann::json::array();
    for (const v1::CustomQuestion& q : custom) {
      if (q.author_user_id() != user) continue;
      std::string json;
      (void)google::protobuf::util::MessageToJsonString(q, &json);
      own_questions.push_back(nlohmann::json::parse(json, nullptr, false));
    }
    couple["custom_questions_added"] = own_questions;
    TEND_ASSIGN_OR_RETURN(
        History gestures,
        LoadHistory(couple_id, absl::StrCat("gestures:", user),
                    absl::CivilDay(1970, 1, 1)));
    nlohmann::json suggested = nlohmann::json::object();
    for (const auto& [item, day] : gestures) {
      suggested[item] = absl::FormatCivilTime(day);
    }
    couple["gestures_suggested"] = suggested;
    TEND_ASSIGN_OR_RETURN(std::optional<CheckEntry> check,
                          LoadCheckEntry(couple_id, user));
    if (check.has_value()) {
      nlohmann::json ratings = nlohmann::json::object();
      for (const auto& [item, rating] : check->answers) ratings[item] = rating;
      couple["my_connection_check"] = {
          {"submit_time",
           absl::FormatTime(absl::RFC3339_sec, check->submit_time,
                            absl::UTCTimeZone())},
          {"score", check->score},
          {"ratings", ratings}};
    }
    TEND_ASSIGN_OR_RETURN(auto scores, CoupleScores(couple_id, 1000));
    nlohmann::json couple_scores = nlohmann::json::array();
    for (const auto& [time, score] : scores) {
      couple_scores.push_back(
          {{"measure_time",
            absl::FormatTime(absl::RFC3339_sec, time, absl::UTCTimeZone())},
           {"score", score}});
    }
    couple["couple_connection_scores"] = couple_scores;
    couples.push_back(couple);
  }
  out["couples"] = couples;
  return out;
}

absl::StatusOr<int> PromptStore::EraseUser(const std::string& user) {
  int erased = 0;
  TEND_ASSIGN_OR_RETURN(std::vector<std::string> couple_ids, CouplesOf(user));
  for (const std::string& couple_id : couple_ids) {
    TEND_ASSIGN_OR_RETURN(
        RedisReply reply,
        redis_->Eval(kEraseUser,
                     {Key(couple_id, absl::StrCat("answered:", user)),
                      Key(couple_id, absl::StrCat("journal:", user)),
                      Key(couple_id, absl::StrCat("gestures:", user)),
                      Key(couple_id, absl::StrCat("check:", user)),
                      Key(couple_id, "nudges"), Key(couple_id, "members")},
                     {user, Key(couple_id, "")}));
    erased += static_cast<int>(reply.integer);
    // Their own questions leave the rotation with them.
    TEND_ASSIGN_OR_RETURN(std::vector<v1::CustomQuestion> custom,
                          LoadCustom(couple_id));
    for (const v1::CustomQuestion& q : custom) {
      if (q.author_user_id() != user) continue;
      const std::string id(q.name().substr(q.name().rfind('/') + 1));
      TEND_ASSIGN_OR_RETURN(bool deleted, DeleteCustom(couple_id, id));
      erased += deleted ? 1 : 0;
    }
  }
  TEND_ASSIGN_OR_RETURN(
      std::vector<RedisReply> replies,
      redis_->Pipeline({{"DEL", UserKey(user, "quiz")},
                        {"DEL", UserKey(user, "couples")},
                        {"DEL", absl::StrCat(kKeyPrefix, "req:", user)}}));
  for (const RedisReply& r : replies) erased += static_cast<int>(r.integer);
  return erased;
}

absl::StatusOr<int> PromptStore::EraseCouple(absl::string_view couple_id) {
  std::vector<std::string> keys;
  for (const char* kind :
       {"qindex", "daily", "asked", "depth", "custom", "custom_seq",
        "custom_asked", "nudges", "cadence", "check", "scores", "members"}) {
    keys.push_back(Key(couple_id, kind));
  }
  TEND_ASSIGN_OR_RETURN(RedisReply reply,
                        redis_->Eval(kEraseCouple, keys, {Key(couple_id, "")}));
  if (reply.elements.empty()) {
    return absl::InternalError("erase: unexpected reply from Redis");
  }
  std::vector<std::vector<std::string>> unlink = {
      {"ZREM", kScoreOutbox, std::string(couple_id)}};
  for (size_t i = 1; i < reply.elements.size(); ++i) {
    unlink.push_back({"SREM", UserKey(reply.elements[i].str, "couples"),
                      std::string(couple_id)});
  }
  TEND_RETURN_IF_ERROR(redis_->Pipeline(unlink).status());
  return static_cast<int>(reply.elements[0].integer);
}

}  // namespace tend::prompt
