// PromptStore: the prompt service's records in Redis.
//
// A couple's keys carry its hash tag, "tend:p:{couple}:…", so one couple's
// records live in one Redis Cluster slot and every multi-key script below
// stays inside it:
//
//   q:{question}     hash    everything about one question, read in one
//                            HGETALL:
//                              question   tend.prompt.v1.Question as asked
//                                         (text, item, depth, date)
//                              a:{user}   tend.prompt.v1.Answer
//                              j:{user}   "1" for a journal entry, "0" for
//                                         an answer to share
//                              revealed   reveal time (µs); once set, the
//                                         question's answers never change
//   qindex           zset    question id → create time (µs), newest last
//   daily            zset    daily question id → its day (days since
//                            1970-01-01)
//   asked            zset    catalog item id or "custom:{id}" → the day it
//                            was last asked or offered to the couple: the
//                            no-repeat history of questions and ideas
//   depth            hash    points, through (day number): how deep the
//                            daily questions go (selection.h)
//   answered:{user}  zset    question id → last write (µs): what the user
//                            wrote, for export and erasure
//   journal:{user}   zset    question id → last write (µs): the user's
//                            journal entries
//   custom           hash    custom question id → tend.prompt.v1.
//                            CustomQuestion; custom_seq its id counter;
//                            custom_asked id → when it was last asked (µs)
//   gestures:{user}  zset    catalog item id → day it was suggested to the
//                            user (the giver)
//   nudges           hash    user → "{day}|{reminder id}" of the last nudge
//   cadence          hash    blob (tend.scheduler.v1.Cadence), fetched_us:
//                            the last cadence seen, the fallback when the
//                            scheduler cannot be asked
//   check            hash    the connection check's period: open_us,
//                            done_us, score, focus, pending (a couple score
//                            not yet acknowledged by the scheduler)
//   check:{user}     hash    submit_us, score, signs, answers: the user's
//                            own latest connection check; never shown to
//                            the partner nor sent anywhere
//   scores           zset    "{measure_us}:{score}" → measure time (µs):
//                            couple scores
//   members          set     users who have written anything here
//
// A person's own keys, "tend:p:u:{user}:…":
//   quiz             string  JSON of their latest quiz answers and result
//   couples          set     couples they have written in (erasure)
// and, outside any tag, "tend:p:req:{user}" (services/common/request_log.h)
// and "tend:p:score_outbox", a zset of couples with a pending score.
//
// Invariants, kept by doing every multi-key change in one Lua script:
//   - a question is created once, and its history entry and the depth
//     state that chose it are written in the same step;
//   - once a question is `revealed`, its answers never change; it is
//     revealed exactly when both partners hold an answer to share;
//   - a check period completes once, with the couple score.
// Times are microseconds since the Unix epoch, from the injected clock.
#ifndef TEND_SERVICES_PROMPT_PROMPT_STORE_H_
#define TEND_SERVICES_PROMPT_PROMPT_STORE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/redis/redis_client.h"
#include "nlohmann/json.hpp"
#include "services/prompt/selection.h"
#include "tend/prompt/v1/prompt.pb.h"
#include "tend/scheduler/v1/scheduler.pb.h"

namespace tend::prompt {

// The prefix of every prompt key.
inline constexpr char kKeyPrefix[] = "tend:p:";

// QuestionView
//
// A question with what has been written to it.
struct QuestionView {
  v1::Question question;
  // Every answer by author, journal entries included.
  absl::flat_hash_map<std::string, v1::Answer> answers;
  std::optional<absl::Time> reveal_time;
};

// NewQuestion
//
// A question to create, and the state that chose it.
struct NewQuestion {
  std::string id;
  v1::Question question;
  // The history entry: a catalog item id or "custom:{id}".
  std::string history_key;
  absl::CivilDay day;
  bool daily = false;
  // For a daily question: the depth state after counting earlier days.
  std::optional<DepthState> depth;
  // For a custom question: its id, to note when it was last asked.
  std::string custom_id;
};

// CheckEntry
//
// One person's stored connection check.
struct CheckEntry {
  absl::Time submit_time;
  int score = 0;
  // Sign → score, for FocusSigns().
  std::vector<std::pair<int, int>> signs;
  // Item id → rating.
  std::vector<std::pair<std::string, int>> answers;
};

// CheckPeriod
//
// Where the couple's connection check stands.
struct CheckPeriod {
  std::optional<absl::Time> open_time;
  std::optional<absl::Time> done_time;
  int score = 0;
  std::vector<int> focus;
  // The couple score not yet acknowledged by the scheduler, if any.
  std::optional<absl::Time> pending_time;
};

// CheckSubmission
//
// What SubmitCheck() found.
struct CheckSubmission {
  // The period the entry counts in.
  absl::Time open_time;
  // The partner's entry in the same period, when they have taken it.
  std::optional<CheckEntry> partner;
};

// PromptStore
//
// Thread-safe; owns no state but the Redis client it is given.
class PromptStore {
 public:
  explicit PromptStore(engine::RedisClient* redis) : redis_(redis) {}

  // Key()
  //
  // "tend:p:{couple}:kind".
  static std::string Key(absl::string_view couple_id, absl::string_view kind);

  // Questions and answers.
  absl::StatusOr<std::optional<QuestionView>> LoadQuestion(
      absl::string_view couple_id, absl::string_view question_id);
  // The ones that exist, in the order asked for.
  absl::StatusOr<std::vector<QuestionView>> LoadQuestions(
      absl::string_view couple_id, const std::vector<std::string>& ids);
  // Creates the question unless one with its id exists; returns the stored
  // one either way.
  absl::StatusOr<QuestionView> CreateQuestion(absl::string_view couple_id,
                                              const NewQuestion& question,
                                              absl::Time now);
  // Question ids, newest first.
  absl::StatusOr<std::vector<std::string>> QuestionIds(
      absl::string_view couple_id, int offset, int limit);
  // The day of the latest daily question before `day`, with its id.
  absl::StatusOr<std::optional<std::pair<std::string, absl::CivilDay>>>
  LastDailyBefore(absl::string_view couple_id, absl::CivilDay day);
  absl::StatusOr<DepthState> LoadDepth(absl::string_view couple_id);
  // Stores `answer` for `user`. Returns true when this revealed the
  // question. NOT_FOUND when there is no such question;
  // FAILED_PRECONDITION once it is revealed.
  absl::StatusOr<bool> SaveAnswer(absl::string_view couple_id,
                                  absl::string_view question_id,
                                  const std::string& user,
                                  const std::string& partner,
                                  const v1::Answer& answer, absl::Time now);
  // The user's journal question ids, newest first.
  absl::StatusOr<std::vector<std::string>> JournalIds(
      absl::string_view couple_id, const std::string& user, int offset,
      int limit);

  // Histories: `kind` is "asked" (the couple's) or "gestures:{user}".
  // History() holds the entries on or after `since`.
  absl::StatusOr<History> LoadHistory(absl::string_view couple_id,
                                      absl::string_view kind,
                                      absl::CivilDay since);
  absl::Status RecordChoice(absl::string_view couple_id, absl::string_view kind,
                            const std::string& key, absl::CivilDay day);

  // Custom questions. SaveCustom fails with RESOURCE_EXHAUSTED when the
  // couple has `max_count` already.
  absl::StatusOr<std::string> NextCustomId(absl::string_view couple_id);
  absl::Status SaveCustom(absl::string_view couple_id, const std::string& id,
                          const v1::CustomQuestion& question, int max_count);
  // Every custom question with its last_asked_time, oldest first.
  absl::StatusOr<std::vector<v1::CustomQuestion>> LoadCustom(
      absl::string_view couple_id);
  // False when there was no such question.
  absl::StatusOr<bool> DeleteCustom(absl::string_view couple_id,
                                    const std::string& id);

  // ClaimNudge()
  //
  // True when `user` may be nudged by `reminder_id` on `day`: no other
  // reminder has nudged them that day (the same reminder, retried, may).
  absl::StatusOr<bool> ClaimNudge(absl::string_view couple_id,
                                  const std::string& user, absl::CivilDay day,
                                  const std::string& reminder_id);

  // The last cadence seen, and when.
  absl::StatusOr<std::optional<std::pair<scheduler::v1::Cadence, absl::Time>>>
  LoadCadence(absl::string_view couple_id);
  absl::Status SaveCadence(absl::string_view couple_id,
                           const scheduler::v1::Cadence& cadence,
                           absl::Time fetched);

  // Connection check. SubmitCheck stores `entry` in the current period,
  // opening a new one when there is none, it has lapsed (`window` passed
  // without both) or it completed at least `interval` ago;
  // FAILED_PRECONDITION while a completed period's interval runs.
  absl::StatusOr<CheckSubmission> SubmitCheck(absl::string_view couple_id,
                                              const std::string& user,
                                              const std::string& partner,
                                              const CheckEntry& entry,
                                              absl::Duration window,
                                              absl::Duration interval);
  // Completes the period that opened at `open_time` with the couple score;
  // false when it had already completed. Marks the score pending and puts
  // the couple on the score outbox.
  absl::StatusOr<bool> CompleteCheck(absl::string_view couple_id,
                                     absl::Time open_time, int score,
                                     const std::vector<int>& focus,
                                     absl::Time now);
  absl::StatusOr<CheckPeriod> LoadCheckPeriod(absl::string_view couple_id);
  absl::StatusOr<std::optional<CheckEntry>> LoadCheckEntry(
      absl::string_view couple_id, const std::string& user);
  // Couple scores, newest first, with their times.
  absl::StatusOr<std::vector<std::pair<absl::Time, int>>> CoupleScores(
      absl::string_view couple_id, int limit);
  // QueueScore()
  //
  // Puts the couple on the score outbox (again), e.g. when its pending
  // score was completed but the outbox write failed.
  absl::Status QueueScore(absl::string_view couple_id, absl::Time since);
  // Couples with a pending score, oldest first.
  absl::StatusOr<std::vector<std::string>> PendingScoreCouples(int limit);
  // The scheduler has the score measured at `measure_time`.
  absl::Status ScoreDelivered(absl::string_view couple_id,
                              absl::Time measure_time);

  // The love-language quiz.
  absl::Status SaveQuiz(const std::string& user, const nlohmann::json& quiz);
  absl::StatusOr<std::optional<nlohmann::json>> LoadQuiz(
      const std::string& user);

  // NoteMember()
  //
  // Records that `user` writes in `couple_id`, for export and erasure.
  absl::Status NoteMember(absl::string_view couple_id, const std::string& user);

  // Export and erasure.
  absl::StatusOr<nlohmann::json> Export(const std::string& user);
  absl::StatusOr<int> EraseUser(const std::string& user);
  absl::StatusOr<int> EraseCouple(absl::string_view couple_id);

 private:
  absl::StatusOr<std::vector<std::string>> CouplesOf(const std::string& user);

  engine::RedisClient* const redis_;
};

}  // namespace tend::prompt

#endif  // TEND_SERVICES_PROMPT_PROMPT_STORE_H_
