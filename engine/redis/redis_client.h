// RedisClient: the one Redis client in Tend, a small pool over hiredis.
//
// Every service and the engine's queue talk to Redis through this class. It
// owns the connections; callers own only the replies, which are plain values
// (no hiredis pointers escape).
//
//   auto options = tend::engine::ParseRedisUrl("redis://127.0.0.1:6379/0");
//   tend::engine::RedisClient redis(*options);
//   absl::StatusOr<RedisReply> reply = redis.Command({"GET", "k"});
//
// Failure model:
//   - A connection that fails (refused, reset, timed out) is thrown away and
//     the call answers UNAVAILABLE at once; the next call dials again, so
//     when Redis comes back the process recovers without a restart.
//   - Behind Sentinel, every new connection asks where the master is and
//     checks its ROLE; a connection that answers READONLY (its server was
//     demoted in a failover) is dropped like a broken one.
//   - An error reply from Redis becomes a Status. A reply whose text begins
//     with an absl status code name and a space, e.g.
//     "NOT_FOUND invite: unknown, used or expired code", keeps that code and
//     the rest as its message. This is how Lua scripts report rule
//     violations. Any other error reply is INTERNAL.
#ifndef TEND_ENGINE_REDIS_REDIS_CLIENT_H_
#define TEND_ENGINE_REDIS_REDIS_CLIENT_H_

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

struct redisContext;

namespace tend::engine {

// RedisOptions
//
// Where Redis is and how patient to be with it.
struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
  std::string password;
  // Dialing gives up after this long, so a dead Redis answers fast.
  absl::Duration connect_timeout = absl::Milliseconds(500);
  // A command without an answer after this long fails its connection.
  absl::Duration command_timeout = absl::Seconds(2);
  // Connections kept open at most; callers beyond this wait for one.
  int pool_size = 8;
  // When set, `host` and `port` are ignored: each new connection asks these
  // Sentinels, in order, where `master_name`'s master is now, so the client
  // follows a failover on its own.
  std::vector<std::pair<std::string, int>> sentinels;
  std::string master_name;
  // When above zero, every Eval() (Tend's writes are scripts) waits until
  // this many replicas have the write (WAIT) and fails UNAVAILABLE when they
  // do not within `command_timeout`, so an acknowledged write survives a
  // failover. Set by "?replicas=N" on the url.
  int wait_replicas = 0;
};

// ParseRedisUrl()
//
// Parses "redis://[:password@]host[:port][/db]" or
// "sentinel://host:port[,host:port...]/master-name[/db]", either with an
// optional "?replicas=N" (see `wait_replicas`). Errors name the part.
absl::StatusOr<RedisOptions> ParseRedisUrl(absl::string_view url);

// MasterEndpoint()
//
// Where `options` say to connect now: `host` and `port`, or, behind
// Sentinel, the master that the first answering Sentinel names.
// UNAVAILABLE when no Sentinel does.
absl::StatusOr<std::pair<std::string, int>> MasterEndpoint(
    const RedisOptions& options);

// RedisReply
//
// One reply, copied out of hiredis.
struct RedisReply {
  enum class Type { kNil, kInteger, kString, kStatus, kArray };
  Type type = Type::kNil;
  int64_t integer = 0;
  std::string str;                   // kString and kStatus
  std::vector<RedisReply> elements;  // kArray

  bool is_nil() const { return type == Type::kNil; }
};

// RedisScript
//
// A Lua script and its SHA-1, sent with EVALSHA and loaded on NOSCRIPT.
class RedisScript {
 public:
  explicit RedisScript(std::string source);
  const std::string& source() const { return source_; }
  const std::string& sha1() const { return sha1_; }

 private:
  std::string source_;
  std::string sha1_;
};

// RedisClient
//
// Thread-safe. Commands go to a pooled connection; a failed connection is
// dropped and redialled on the next call.
class RedisClient {
 public:
  explicit RedisClient(RedisOptions options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Command()
  //
  // Sends one command and returns its reply.
  absl::StatusOr<RedisReply> Command(absl::Span<const std::string> argv);
  absl::StatusOr<RedisReply> Command(
      std::initializer_list<absl::string_view> argv);

  // Pipeline()
  //
  // Sends all commands in one round trip and returns their replies in order.
  // The first error reply, or a connection failure, fails the whole call;
  // commands are not atomic together (use a script or MULTI for that).
  absl::StatusOr<std::vector<RedisReply>> Pipeline(
      const std::vector<std::vector<std::string>>& commands);

  // Eval()
  //
  // Runs `script` atomically with KEYS = `keys` and ARGV = `args`.
  absl::StatusOr<RedisReply> Eval(const RedisScript& script,
                                  const std::vector<std::string>& keys,
                                  const std::vector<std::string>& args);

  // Ping()
  //
  // OK when Redis answers PING.
  absl::Status Ping();

  const RedisOptions& options() const { return options_; }

 private:
  struct Connection;
  using ConnectionPtr = std::unique_ptr<Connection>;

  absl::StatusOr<ConnectionPtr> Acquire();
  void Release(ConnectionPtr conn, bool healthy);
  absl::StatusOr<ConnectionPtr> Dial();
  // Where to dial: the configured address, or the master Sentinel names.
  absl::StatusOr<std::pair<std::string, int>> Endpoint();
  // Runs `commands` on one connection and returns every reply, errors too.
  absl::StatusOr<std::vector<absl::StatusOr<RedisReply>>> RoundTrip(
      const std::vector<std::vector<std::string>>& commands);
  absl::StatusOr<std::vector<absl::StatusOr<RedisReply>>> RoundTripOnce(
      const std::vector<std::vector<std::string>>& commands);

  const RedisOptions options_;
  absl::Mutex mu_;
  std::vector<ConnectionPtr> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace tend::engine

#endif  // TEND_ENGINE_REDIS_REDIS_CLIENT_H_
