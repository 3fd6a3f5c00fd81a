#include "tests/security/security_stack.h"

#include <signal.h>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/support/redis_server.h"

namespace tend::security {

void SecurityStack::StartAll(
    const std::map<std::string, std::vector<std::string>>& extra_flags) {
  const std::string pairing_addr =
      absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort());
  const std::string prompt_addr =
      absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort());
  const std::string scheduler_addr =
      absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort());
  auto argv = [&](const std::string& name, std::vector<std::string> args) {
    auto extra = extra_flags.find(name);
    if (extra != extra_flags.end()) {
      args.insert(args.end(), extra->second.begin(), extra->second.end());
    }
    return args;
  };
  // Pairing first: the others look couples up in it. The scheduler's port
  // is fixed up front, so pairing's outbox relay reaches it once it is up.
  absl::StatusOr<e2e::Service> pairing = Spawn(
      "tend-pairing",
      argv("pairing", {TEND_PAIRING_BIN,
                       absl::StrCat("--listen=", pairing_addr), "--test_clock",
                       absl::StrCat("--scheduler_addr=", scheduler_addr)}));
  ASSERT_TRUE(pairing.ok()) << pairing.status();
  absl::StatusOr<e2e::Service> prompt =
      Spawn("tend-prompt",
            argv("prompt",
                 {TEND_PROMPT_BIN, absl::StrCat("--listen=", prompt_addr),
                  "--test_clock", absl::StrCat("--pairing_addr=", pairing_addr),
                  absl::StrCat("--scheduler_addr=", scheduler_addr)}));
  ASSERT_TRUE(prompt.ok()) << prompt.status();
  absl::StatusOr<e2e::Service> scheduler =
      Spawn("tend-scheduler",
            argv("scheduler",
                 {TEND_SCHEDULER_BIN, absl::StrCat("--listen=", scheduler_addr),
                  "--test_clock", absl::StrCat("--pairing_addr=", pairing_addr),
                  absl::StrCat("--prompt_addr=", prompt_addr)}));
  ASSERT_TRUE(scheduler.ok()) << scheduler.status();
  pairing_ = *pairing;
  prompt_ = *prompt;
  scheduler_ = *scheduler;
  pairing_stub_ = pairing::v1::PairingService::NewStub(pairing_.channel);
  prompt_stub_ = prompt::v1::PromptService::NewStub(prompt_.channel);
  scheduler_stub_ =
      scheduler::v1::SchedulerService::NewStub(scheduler_.channel);
}

void SecurityStack::Profile(const std::string& user, const std::string& zone) {
  grpc::Status s = e2e::SetDayProfile(pairing_stub_.get(), user, zone);
  ASSERT_TRUE(s.ok()) << user << ": " << s.error_message();
}

std::string SecurityStack::PairWithRituals(const std::string& a,
                                           const std::string& b) {
  absl::StatusOr<pairing::v1::Couple> couple = Pair(pairing_stub_.get(), a, b);
  EXPECT_TRUE(couple.ok()) << couple.status();
  if (!couple.ok()) return "";
  int seeded = 0;
  EXPECT_TRUE(e2e::Poll(
      [&] {
        scheduler::v1::ListRitualsResponse out;
        grpc::Status s = scheduler_stub_->ListRituals(
            e2e::WithAuth(e2e::UserBearer(a)).get(), {}, &out);
        seeded = s.ok() ? out.rituals_size() : 0;
        return seeded >= 3;
      },
      absl::Seconds(15), absl::Milliseconds(50)))
      << "no seeded rituals for " << couple->name();
  return couple->name();
}

std::map<std::string, std::string> SecurityStack::RedisSnapshot(
    const std::function<bool(const std::string&)>& skip) {
  // One round trip: every key with its type and its content in a canonical
  // order (not DUMP: a hash's DUMP changes when Redis rehashes it, which
  // reads alone can trigger).
  static const engine::RedisScript kDumpAll(R"lua(
local out = {}
for _, key in ipairs(redis.call('KEYS', '*')) do
  local t = redis.call('TYPE', key)['ok']
  local items = {}
  if t == 'string' then
    items = {redis.call('GET', key)}
  elseif t == 'hash' then
    local all = redis.call('HGETALL', key)
    for i = 1, #all, 2 do items[#items + 1] = all[i] .. '=' .. all[i + 1] end
    table.sort(items)
  elseif t == 'set' then
    items = redis.call('SMEMBERS', key)
    table.sort(items)
  elseif t == 'zset' then
    items = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
  elseif t == 'list' then
    items = redis.call('LRANGE', key, 0, -1)
  elseif t == 'stream' then
    for _, e in ipairs(redis.call('XRANGE', key, '-', '+')) do
      items[#items + 1] = e[1] .. ':' .. table.concat(e[2], ',')
    end
  end
  out[#out + 1] = key
  out[#out + 1] = t .. '\n' .. table.concat(items, '\n')
end
return out
)lua");
  std::map<std::string, std::string> snapshot;
  absl::StatusOr<engine::RedisReply> reply = redis()->Eval(kDumpAll, {}, {});
  EXPECT_TRUE(reply.ok()) << reply.status();
  if (!reply.ok()) return snapshot;
  for (size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
    const std::string& key = reply->elements[i].str;
    if (!skip(key)) snapshot[key] = reply->elements[i + 1].str;
  }
  return snapshot;
}

std::string SnapshotDiff(const std::map<std::string, std::string>& before,
                         const std::map<std::string, std::string>& after) {
  std::string diff;
  for (const auto& [key, value] : after) {
    auto it = before.find(key);
    if (it == before.end()) {
      absl::StrAppend(&diff, " +", key);
    } else if (it->second != value) {
      absl::StrAppend(&diff, " ~", key);
    }
  }
  for (const auto& [key, value] : before) {
    if (!after.count(key)) absl::StrAppend(&diff, " -", key);
  }
  return diff;
}

void SecurityStack::StopAll() {
  // The test's channels go first: idle ones would hold each server in its
  // drain for the whole --drain_timeout.
  pairing_stub_.reset();
  prompt_stub_.reset();
  scheduler_stub_.reset();
  for (e2e::Service* service : {&scheduler_, &prompt_, &pairing_}) {
    service->channel.reset();
    if (service->process != nullptr) {
      EXPECT_EQ(service->process->Terminate(SIGTERM), 0);
    }
  }
}

}  // namespace tend::security
