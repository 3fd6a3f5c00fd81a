#include "engine/redis/redis_client.h"

#include <hiredis/hiredis.h>
#include <openssl/sha.h>
#include <sys/time.h>

#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "engine/base/metrics.h"

namespace tend::engine {
namespace {

RedisReply CopyReply(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) {
        out.elements.push_back(CopyReply(r->element[i]));
      }
      break;
    default:
      out.type = RedisReply::Type::kNil;
  }
  return out;
}

// Maps a Redis error reply to a Status: "NOT_FOUND rest" keeps its code.
absl::Status ErrorReplyToStatus(absl::string_view text) {
  static constexpr std::pair<absl::string_view, absl::StatusCode> kCodes[] = {
      {"INVALID_ARGUMENT", absl::StatusCode::kInvalidArgument},
      {"NOT_FOUND", absl::StatusCode::kNotFound},
      {"ALREADY_EXISTS", absl::StatusCode::kAlreadyExists},
      {"PERMISSION_DENIED", absl::StatusCode::kPermissionDenied},
      {"FAILED_PRECONDITION", absl::StatusCode::kFailedPrecondition},
      {"RESOURCE_EXHAUSTED", absl::StatusCode::kResourceExhausted},
      {"ABORTED", absl::StatusCode::kAborted},
      {"UNAVAILABLE", absl::StatusCode::kUnavailable},
  };
  for (const auto& [name, code] : kCodes) {
    if (absl::ConsumePrefix(&text, name) && absl::ConsumePrefix(&text, " ")) {
      return absl::Status(code, text);
    }
  }
  // Failover and loading states mean "try again soon".
  if (absl::StartsWith(text, "READONLY") || absl::StartsWith(text, "LOADING") ||
      absl::StartsWith(text, "MASTERDOWN")) {
    return absl::UnavailableError(absl::StrCat("redis: ", text));
  }
  return absl::InternalError(absl::StrCat("redis: ", text));
}

struct RedisMetrics {
  prometheus::Family<prometheus::Histogram>& latency;
  prometheus::Counter& errors;
};

RedisMetrics& Metrics() {
  static RedisMetrics* const metrics = [] {
    auto& latency = prometheus::BuildHistogram()
                        .Name("tend_redis_command_latency_seconds")
                        .Help("Redis round trips by first command.")
                        .Register(*MetricsRegistry());
    auto& errors = prometheus::BuildCounter()
                       .Name("tend_redis_errors_total")
                       .Help("Redis calls that failed to connect or answer.")
                       .Register(*MetricsRegistry());
    return new RedisMetrics{latency, errors.Add({})};
  }();
  return *metrics;
}

// The command a round trip is filed under: its first command, or PIPELINE.
std::string CommandLabel(const std::vector<std::vector<std::string>>& commands) {
  if (commands.size() != 1 || commands[0].empty()) return "PIPELINE";
  std::string name = commands[0][0];
  for (char& c : name) c = absl::ascii_toupper(static_cast<unsigned char>(c));
  return name;
}

}  // namespace

namespace {

absl::StatusOr<RedisOptions> ParseSentinelUrl(absl::string_view rest) {
  RedisOptions options;
  std::vector<absl::string_view> parts = absl::StrSplit(rest, '/');
  if (parts.size() < 2 || parts[0].empty() || parts[1].empty()) {
    return absl::InvalidArgumentError(
        "redis: sentinel url must look like "
        "sentinel://host:port,host:port/master-name/db");
  }
  for (absl::string_view hostport : absl::StrSplit(parts[0], ',')) {
    const size_t colon = hostport.rfind(':');
    int port = 26379;
    if (colon != absl::string_view::npos &&
        (!absl::SimpleAtoi(hostport.substr(colon + 1), &port) || port <= 0 ||
         port > 65535)) {
      return absl::InvalidArgumentError(
          absl::StrCat("redis: sentinel '", hostport, "' has no valid port"));
    }
    const absl::string_view host =
        colon == absl::string_view::npos ? hostport : hostport.substr(0, colon);
    if (host.empty()) return absl::InvalidArgumentError("redis: empty sentinel");
    options.sentinels.emplace_back(std::string(host), port);
  }
  options.master_name = std::string(parts[1]);
  if (parts.size() > 2 && !parts[2].empty() &&
      (!absl::SimpleAtoi(parts[2], &options.db) || options.db < 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis: database '", parts[2], "' is not a number >= 0"));
  }
  return options;
}

absl::StatusOr<RedisOptions> ParseUrlWithoutOptions(absl::string_view url);

}  // namespace

absl::StatusOr<RedisOptions> ParseRedisUrl(absl::string_view whole_url) {
  absl::string_view url = whole_url;
  int wait_replicas = 0;
  if (size_t q = url.find('?'); q != absl::string_view::npos) {
    absl::string_view query = url.substr(q + 1);
    url = url.substr(0, q);
    if (!absl::ConsumePrefix(&query, "replicas=") ||
        !absl::SimpleAtoi(query, &wait_replicas) || wait_replicas < 0) {
      return absl::InvalidArgumentError(
          "redis: the only url option is ?replicas=N, N >= 0");
    }
  }
  absl::StatusOr<RedisOptions> parsed = ParseUrlWithoutOptions(url);
  if (parsed.ok()) parsed->wait_replicas = wait_replicas;
  return parsed;
}

namespace {

absl::StatusOr<RedisOptions> ParseUrlWithoutOptions(absl::string_view url) {
  absl::string_view sentinel = url;
  if (absl::ConsumePrefix(&sentinel, "sentinel://")) {
    return ParseSentinelUrl(sentinel);
  }
  RedisOptions options;
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "redis://")) {
    return absl::InvalidArgumentError(
        "redis: url must start with redis:// or sentinel://, e.g. "
        "redis://127.0.0.1:6379/0");
  }
  if (size_t at = rest.rfind('@'); at != absl::string_view::npos) {
    absl::string_view userinfo = rest.substr(0, at);
    if (size_t colon = userinfo.find(':'); colon != absl::string_view::npos) {
      userinfo = userinfo.substr(colon + 1);
    }
    options.password = std::string(userinfo);
    rest = rest.substr(at + 1);
  }
  absl::string_view hostport = rest;
  if (size_t slash = rest.find('/'); slash != absl::string_view::npos) {
    hostport = rest.substr(0, slash);
    absl::string_view db = rest.substr(slash + 1);
    if (!db.empty() && (!absl::SimpleAtoi(db, &options.db) || options.db < 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("redis: database '", db, "' is not a number >= 0"));
    }
  }
  if (size_t colon = hostport.rfind(':'); colon != absl::string_view::npos) {
    absl::string_view port = hostport.substr(colon + 1);
    if (!absl::SimpleAtoi(port, &options.port) || options.port <= 0 ||
        options.port > 65535) {
      return absl::InvalidArgumentError(
          absl::StrCat("redis: port '", port, "' is not in 1..65535"));
    }
    hostport = hostport.substr(0, colon);
  }
  if (hostport.empty()) {
    return absl::InvalidArgumentError("redis: url has no host");
  }
  options.host = std::string(hostport);
  return options;
}

}  // namespace

RedisScript::RedisScript(std::string source) : source_(std::move(source)) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(source_.data()), source_.size(),
       digest);
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char byte : digest) {
    sha1_.push_back(kHex[byte >> 4]);
    sha1_.push_back(kHex[byte & 0xf]);
  }
}

struct RedisClient::Connection {
  redisContext* context = nullptr;
  std::string where;  // "host:port", for error messages
  ~Connection() {
    if (context != nullptr) redisFree(context);
  }
};

RedisClient::RedisClient(RedisOptions options) : options_(std::move(options)) {}

RedisClient::~RedisClient() = default;

absl::StatusOr<std::pair<std::string, int>> RedisClient::Endpoint() {
  return MasterEndpoint(options_);
}

absl::StatusOr<std::pair<std::string, int>> MasterEndpoint(
    const RedisOptions& options) {
  if (options.sentinels.empty()) {
    return std::make_pair(options.host, options.port);
  }
  const timeval timeout = absl::ToTimeval(options.connect_timeout);
  for (const auto& [host, port] : options.sentinels) {
    redisContext* c = redisConnectWithTimeout(host.c_str(), port, timeout);
    if (c == nullptr) continue;
    std::optional<std::pair<std::string, int>> master;
    if (c->err == 0) {
      redisSetTimeout(c, timeout);
      auto* reply = static_cast<redisReply*>(
          redisCommand(c, "SENTINEL get-master-addr-by-name %b",
                       options.master_name.data(),
                       options.master_name.size()));
      int master_port = 0;
      if (reply != nullptr && reply->type == REDIS_REPLY_ARRAY &&
          reply->elements == 2 &&
          absl::SimpleAtoi(absl::string_view(reply->element[1]->str,
                                             reply->element[1]->len),
                           &master_port)) {
        master.emplace(std::string(reply->element[0]->str,
                                   reply->element[0]->len),
                       master_port);
      }
      if (reply != nullptr) freeReplyObject(reply);
    }
    redisFree(c);
    if (master.has_value()) return *master;
  }
  return absl::UnavailableError(absl::StrCat(
      "redis: no sentinel knows the master of '", options.master_name, "'"));
}

absl::StatusOr<RedisClient::ConnectionPtr> RedisClient::Dial() {
  const timeval connect_timeout = absl::ToTimeval(options_.connect_timeout);
  absl::StatusOr<std::pair<std::string, int>> endpoint = Endpoint();
  if (!endpoint.ok()) return endpoint.status();
  auto conn = std::make_unique<Connection>();
  conn->context = redisConnectWithTimeout(endpoint->first.c_str(),
                                          endpoint->second, connect_timeout);
  const std::string where = absl::StrCat(endpoint->first, ":", endpoint->second);
  conn->where = where;
  if (conn->context == nullptr) {
    return absl::UnavailableError(absl::StrCat("redis ", where, ": no memory"));
  }
  if (conn->context->err != 0) {
    return absl::UnavailableError(
        absl::StrCat("redis ", where, ": ", conn->context->errstr));
  }
  redisSetTimeout(conn->context, absl::ToTimeval(options_.command_timeout));
  std::vector<std::vector<std::string>> setup;
  if (!options_.password.empty()) setup.push_back({"AUTH", options_.password});
  if (options_.db != 0) setup.push_back({"SELECT", absl::StrCat(options_.db)});
  // Right after a failover Sentinel may still name a server that is not
  // (or no longer) the master; such a server must not take writes.
  if (!options_.sentinels.empty()) setup.push_back({"ROLE"});
  for (const auto& argv : setup) {
    std::vector<const char*> args;
    std::vector<size_t> lens;
    for (const auto& a : argv) {
      args.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(conn->context, static_cast<int>(args.size()),
                         args.data(), lens.data()));
    if (reply == nullptr) {
      return absl::UnavailableError(
          absl::StrCat("redis ", where, ": ", conn->context->errstr));
    }
    const bool not_master =
        argv[0] == "ROLE" &&
        (reply->type != REDIS_REPLY_ARRAY || reply->elements == 0 ||
         absl::string_view(reply->element[0]->str, reply->element[0]->len) !=
             "master");
    if (not_master) {
      freeReplyObject(reply);
      return absl::UnavailableError(
          absl::StrCat("redis ", where, ": not the master (yet)"));
    }
    const bool failed = reply->type == REDIS_REPLY_ERROR;
    std::string text = failed ? std::string(reply->str, reply->len) : "";
    freeReplyObject(reply);
    if (failed) {
      return absl::UnavailableError(
          absl::StrCat("redis ", where, ": ", argv[0], " failed: ", text));
    }
  }
  return conn;
}

absl::StatusOr<RedisClient::ConnectionPtr> RedisClient::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    auto can_proceed = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || open_ < options_.pool_size;
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&can_proceed),
                              options_.command_timeout)) {
      return absl::UnavailableError("redis: every pooled connection is busy");
    }
    if (!idle_.empty()) {
      ConnectionPtr conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
    ++open_;
  }
  absl::StatusOr<ConnectionPtr> conn = Dial();
  if (!conn.ok()) {
    absl::MutexLock lock(&mu_);
    --open_;
  }
  return conn;
}

void RedisClient::Release(ConnectionPtr conn, bool healthy) {
  absl::MutexLock lock(&mu_);
  if (healthy) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
}

absl::StatusOr<std::vector<absl::StatusOr<RedisReply>>> RedisClient::RoundTrip(
    const std::vector<std::vector<std::string>>& commands) {
  // Latency is operational: real time, never the injected clock.
  const absl::Time started = absl::Now();
  absl::StatusOr<std::vector<absl::StatusOr<RedisReply>>> replies =
      RoundTripOnce(commands);
  if (!replies.ok()) Metrics().errors.Increment();
  Metrics()
      .latency.Add({{"command", CommandLabel(commands)}}, LatencyBuckets())
      .Observe(absl::ToDoubleSeconds(absl::Now() - started));
  return replies;
}

absl::StatusOr<std::vector<absl::StatusOr<RedisReply>>>
RedisClient::RoundTripOnce(
    const std::vector<std::vector<std::string>>& commands) {
  absl::StatusOr<ConnectionPtr> acquired = Acquire();
  if (!acquired.ok()) return acquired.status();
  ConnectionPtr conn = *std::move(acquired);
  redisContext* c = conn->context;
  for (const auto& argv : commands) {
    std::vector<const char*> args;
    std::vector<size_t> lens;
    args.reserve(argv.size());
    lens.reserve(argv.size());
    for (const auto& a : argv) {
      args.push_back(a.data());
      lens.push_back(a.size());
    }
    redisAppendCommandArgv(c, static_cast<int>(args.size()), args.data(),
                           lens.data());
  }
  std::vector<absl::StatusOr<RedisReply>> replies;
  replies.reserve(commands.size());
  bool demoted = false;
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(c, &raw) != REDIS_OK || raw == nullptr) {
      absl::Status status = absl::UnavailableError(
          absl::StrCat("redis ", options_.host, ":", options_.port, ": ",
                       c->err != 0 ? c->errstr : "connection lost"));
      Release(std::move(conn), /*healthy=*/false);
      return status;
    }
    auto* reply = static_cast<redisReply*>(raw);
    if (reply->type == REDIS_REPLY_ERROR) {
      const absl::string_view text(reply->str, reply->len);
      // A server demoted in a failover: this connection is done for.
      demoted = demoted || absl::StartsWith(text, "READONLY");
      replies.push_back(ErrorReplyToStatus(text));
    } else {
      replies.push_back(CopyReply(reply));
    }
    freeReplyObject(reply);
  }
  Release(std::move(conn), /*healthy=*/!demoted);
  return replies;
}

absl::StatusOr<RedisReply> RedisClient::Command(
    absl::Span<const std::string> argv) {
  auto replies =
      RoundTrip({std::vector<std::string>(argv.begin(), argv.end())});
  if (!replies.ok()) return replies.status();
  return std::move((*replies)[0]);
}

absl::StatusOr<RedisReply> RedisClient::Command(
    std::initializer_list<absl::string_view> argv) {
  std::vector<std::string> args(argv.begin(), argv.end());
  return Command(absl::MakeConstSpan(args));
}

absl::StatusOr<std::vector<RedisReply>> RedisClient::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  if (commands.empty()) return std::vector<RedisReply>();
  auto replies = RoundTrip(commands);
  if (!replies.ok()) return replies.status();
  std::vector<RedisReply> out;
  out.reserve(replies->size());
  for (auto& reply : *replies) {
    if (!reply.ok()) return reply.status();
    out.push_back(*std::move(reply));
  }
  return out;
}

absl::StatusOr<RedisReply> RedisClient::Eval(
    const RedisScript& script, const std::vector<std::string>& keys,
    const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"EVALSHA", script.sha1(),
                                   absl::StrCat(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::vector<std::string>> commands = {argv};
  if (options_.wait_replicas > 0) {
    // On the same connection, so it waits for this very write.
    commands.push_back(
        {"WAIT", absl::StrCat(options_.wait_replicas),
         absl::StrCat(absl::ToInt64Milliseconds(options_.command_timeout) / 2)});
  }
  auto replies = RoundTrip(commands);
  if (replies.ok() && !(*replies)[0].ok() &&
      absl::StartsWith((*replies)[0].status().message(), "redis: NOSCRIPT")) {
    commands[0][0] = "EVAL";
    commands[0][1] = script.source();
    replies = RoundTrip(commands);
  }
  if (!replies.ok()) return replies.status();
  if (options_.wait_replicas > 0 && (*replies)[0].ok() &&
      (!(*replies)[1].ok() ||
       (*replies)[1]->integer < options_.wait_replicas)) {
    return absl::UnavailableError(
        "redis: the write did not reach a replica in time; retry");
  }
  return std::move((*replies)[0]);
}

absl::Status RedisClient::Ping() {
  absl::StatusOr<RedisReply> reply = Command({"PING"});
  return reply.status();
}

}  // namespace tend::engine
