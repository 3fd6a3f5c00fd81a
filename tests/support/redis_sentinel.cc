#include "tests/support/redis_sentinel.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "engine/redis/redis_client.h"

namespace tend::testing {
namespace {

// A client for one server or Sentinel on loopback, quick to give up.
std::unique_ptr<engine::RedisClient> ClientFor(int port) {
  engine::RedisOptions options;
  options.port = port;
  options.connect_timeout = absl::Milliseconds(200);
  options.command_timeout = absl::Seconds(2);
  options.pool_size = 1;
  return std::make_unique<engine::RedisClient>(options);
}

// Calls `check` every 50 ms until it is OK or `timeout` has passed; then
// DEADLINE_EXCEEDED with `what` and the last failure. Paces the polling of
// other processes, not business time.
absl::Status WaitUntil(const std::string& what, absl::Duration timeout,
                       const std::function<absl::Status()>& check) {
  const absl::Time give_up = absl::Now() + timeout;
  absl::Status last;
  while (!(last = check()).ok()) {
    if (absl::Now() >= give_up) {
      return absl::DeadlineExceededError(
          absl::StrCat(what, " (waited ", absl::FormatDuration(timeout),
                       "): ", last.message()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return absl::OkStatus();
}

// The value of `field` in a flat [field, value, ...] reply.
std::string Field(const engine::RedisReply& reply, absl::string_view field) {
  for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    if (reply.elements[i].str == field) return reply.elements[i + 1].str;
  }
  return "";
}

// OK when the server on `port` is a master with at least `replicas`
// replicas connected.
absl::Status IsMasterWithReplicas(int port, int replicas) {
  absl::StatusOr<engine::RedisReply> role = ClientFor(port)->Command({"ROLE"});
  if (!role.ok()) return role.status();
  if (role->elements.size() < 3 || role->elements[0].str != "master") {
    return absl::UnavailableError(absl::StrCat(port, " is not a master"));
  }
  const int connected = static_cast<int>(role->elements[2].elements.size());
  if (connected < replicas) {
    return absl::UnavailableError(absl::StrCat(
        port, " has ", connected, " of ", replicas, " replicas connected"));
  }
  return absl::OkStatus();
}

// OK when the server on `port` replicates `master_port` with its link up.
absl::Status IsInSyncWith(int port, int master_port) {
  absl::StatusOr<engine::RedisReply> role = ClientFor(port)->Command({"ROLE"});
  if (!role.ok()) return role.status();
  const bool linked = role->elements.size() >= 4 &&
                      role->elements[0].str == "slave" &&
                      role->elements[2].integer == master_port &&
                      role->elements[3].str == "connected";
  if (!linked) {
    return absl::UnavailableError(
        absl::StrCat(port, " is not in sync with ", master_port));
  }
  return absl::OkStatus();
}

}  // namespace

RedisSentinelSet::RedisSentinelSet() {
  char pattern[] = "/tmp/tend-sentinel-XXXXXX";
  const char* made = mkdtemp(pattern);
  dir_ = made != nullptr ? made : "";
}

RedisSentinelSet::~RedisSentinelSet() {
  sentinels_.clear();
  servers_.clear();
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

absl::Status RedisSentinelSet::Start(SentinelSetOptions options) {
  if (dir_.empty()) return absl::InternalError("cannot make a temporary dir");
  options_ = std::move(options);
  for (int i = 0; i <= options_.replicas; ++i) {
    auto server = std::make_unique<RedisServer>();
    std::vector<std::string> args = options_.server_args;
    if (i > 0) {
      args.insert(args.end(), {"--replicaof", "127.0.0.1",
                               absl::StrCat(servers_[0]->port())});
    }
    if (absl::Status s = server->Start(args); !s.ok()) return s;
    servers_.push_back(std::move(server));
  }
  const int master_port = servers_[0]->port();
  for (int i = 1; i <= options_.replicas; ++i) {
    const int port = servers_[i]->port();
    if (absl::Status s =
            WaitUntil("replica in sync", options_.start_timeout,
                      [&] { return IsInSyncWith(port, master_port); });
        !s.ok()) {
      return s;
    }
  }

  for (int i = 0; i < options_.sentinels; ++i) {
    const int port = FreeLoopbackPort();
    const std::string conf = absl::StrCat(dir_, "/sentinel-", i, ".conf");
    std::ofstream out(conf);
    out << "port " << port << "\n"
        << "bind 127.0.0.1\n"
        << "dir " << dir_ << "\n"
        << "logfile " << dir_ << "/sentinel-" << i << ".log\n"
        << "sentinel monitor " << kMasterName << " 127.0.0.1 " << master_port
        << " " << options_.quorum << "\n"
        << "sentinel down-after-milliseconds " << kMasterName << " "
        << absl::ToInt64Milliseconds(options_.down_after) << "\n"
        << "sentinel failover-timeout " << kMasterName << " "
        << absl::ToInt64Milliseconds(options_.failover_timeout) << "\n"
        << "sentinel parallel-syncs " << kMasterName << " 1\n";
    out.close();
    auto sentinel = std::make_unique<ChildProcess>(
        std::vector<std::string>{"redis-server", conf, "--sentinel"});
    if (absl::Status s = sentinel->Start(); !s.ok()) return s;
    sentinel_ports_.push_back(port);
    sentinels_.push_back(std::move(sentinel));
  }
  // Every Sentinel must know the whole set before a failover can be voted.
  for (int port : sentinel_ports_) {
    absl::Status s = WaitUntil(
        absl::StrCat("sentinel on ", port, " knows the set"),
        options_.start_timeout, [&]() -> absl::Status {
          absl::StatusOr<engine::RedisReply> master =
              ClientFor(port)->Command({"SENTINEL", "MASTER", kMasterName});
          if (!master.ok()) return master.status();
          const std::string replicas = Field(*master, "num-slaves");
          const std::string others = Field(*master, "num-other-sentinels");
          if (replicas != absl::StrCat(options_.replicas) ||
              others != absl::StrCat(options_.sentinels - 1)) {
            return absl::UnavailableError(absl::StrCat("sees ", replicas,
                                                       " replicas and ", others,
                                                       " other sentinels"));
          }
          return absl::OkStatus();
        });
    if (!s.ok()) {
      return absl::Status(s.code(), absl::StrCat(s.message(), SentinelLogs()));
    }
  }
  return absl::OkStatus();
}

std::string RedisSentinelSet::url(int wait_replicas) const {
  std::vector<std::string> hosts;
  for (int port : sentinel_ports_)
    hosts.push_back(absl::StrCat("127.0.0.1:", port));
  std::string url = absl::StrCat("sentinel://", absl::StrJoin(hosts, ","), "/",
                                 kMasterName, "/0");
  if (wait_replicas > 0) absl::StrAppend(&url, "?replicas=", wait_replicas);
  return url;
}

absl::StatusOr<int> RedisSentinelSet::MasterPort() const {
  absl::Status last = absl::UnavailableError("no sentinel");
  for (int port : sentinel_ports_) {
    absl::StatusOr<engine::RedisReply> addr = ClientFor(port)->Command(
        {"SENTINEL", "GET-MASTER-ADDR-BY-NAME", kMasterName});
    int master = 0;
    if (addr.ok() && addr->elements.size() == 2 &&
        absl::SimpleAtoi(addr->elements[1].str, &master)) {
      return master;
    }
    if (!addr.ok()) last = addr.status();
  }
  return last;
}

RedisServer* RedisSentinelSet::ServerOnPort(int port) const {
  for (const auto& server : servers_) {
    if (server->port() == port) return server.get();
  }
  return nullptr;
}

absl::StatusOr<int> RedisSentinelSet::KillMaster() {
  absl::StatusOr<int> port = MasterPort();
  if (!port.ok()) return port.status();
  RedisServer* server = ServerOnPort(*port);
  if (server == nullptr) {
    return absl::NotFoundError(absl::StrCat("no server on port ", *port));
  }
  server->Stop();
  return *port;
}

absl::Status RedisSentinelSet::WaitForFailover(int old_port, int replicas,
                                               absl::Duration timeout) {
  absl::Status s = WaitUntil("failover", timeout, [&]() -> absl::Status {
    int named = 0;
    for (int port : sentinel_ports_) {
      absl::StatusOr<engine::RedisReply> addr = ClientFor(port)->Command(
          {"SENTINEL", "GET-MASTER-ADDR-BY-NAME", kMasterName});
      int master = 0;
      if (!addr.ok() || addr->elements.size() != 2 ||
          !absl::SimpleAtoi(addr->elements[1].str, &master)) {
        return absl::UnavailableError(
            absl::StrCat("sentinel on ", port, " does not answer"));
      }
      if (master == old_port) {
        return absl::UnavailableError(
            absl::StrCat("sentinel on ", port, " still names ", old_port));
      }
      if (named != 0 && master != named) {
        return absl::UnavailableError("the sentinels disagree");
      }
      named = master;
    }
    return IsMasterWithReplicas(named, replicas);
  });
  if (!s.ok()) {
    return absl::Status(s.code(), absl::StrCat(s.message(), SentinelLogs()));
  }
  return absl::OkStatus();
}

absl::Status RedisSentinelSet::Restart(int port) {
  RedisServer* server = ServerOnPort(port);
  if (server == nullptr) {
    return absl::NotFoundError(absl::StrCat("no server on port ", port));
  }
  absl::StatusOr<int> master = MasterPort();
  if (!master.ok()) return master.status();
  std::vector<std::string> args = options_.server_args;
  args.insert(args.end(), {"--replicaof", "127.0.0.1", absl::StrCat(*master)});
  if (absl::Status s = server->Start(args); !s.ok()) return s;
  if (server->port() != port) {
    return absl::UnavailableError(
        absl::StrCat("port ", port, " was taken while the server was down"));
  }
  return WaitUntil("restarted server in sync", options_.start_timeout,
                   [&] { return IsInSyncWith(port, *master); });
}

std::string RedisSentinelSet::SentinelLogs() const {
  std::string out;
  for (size_t i = 0; i < sentinels_.size(); ++i) {
    std::ifstream in(absl::StrCat(dir_, "/sentinel-", i, ".log"));
    std::string line;
    std::vector<std::string> lines;
    while (std::getline(in, line)) lines.push_back(line);
    const size_t from = lines.size() > 15 ? lines.size() - 15 : 0;
    absl::StrAppend(&out, "\n--- sentinel ", i, " (last lines)\n");
    for (size_t j = from; j < lines.size(); ++j) {
      absl::StrAppend(&out, lines[j], "\n");
    }
  }
  return out;
}

}  // namespace tend::testing
