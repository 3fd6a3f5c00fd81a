// The gRPC server runtime every Tend service runs in.
//
// It binds --listen (port 0 picks a free port), prints
// "listening on HOST:PORT" on stdout once serving, switches on
// grpc.health.v1 (SERVING only while Redis answers PING) and server
// reflection, and on SIGTERM or SIGINT drains in-flight RPCs for up to
// --drain_timeout before returning 0.
//
// Each service's RunServer() starts the same way:
//
//   BlockTerminationSignals();
//   absl::StatusOr<StartupFlags> flags = ReadStartupFlags();
//   if (!flags.ok()) {
//     return StartupFailure("pairing", flags.status().message());
//   }
//   engine::RedisClient redis(flags->redis);
//   engine::RedisKeyClock test_clock(&redis);
//   const engine::Clock* clock = ClockFromFlags(&test_clock);
//   Authenticator auth(flags->auth, clock);
//   ...  // the service itself
//   return ServeUntilSignal(
//       ServerConfigFromFlags("pairing", {&service}, &redis));
#ifndef TEND_SERVICES_COMMON_SERVER_H_
#define TEND_SERVICES_COMMON_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/redis/redis_client.h"
#include "engine/redis/redis_clock.h"
#include "engine/time/clock.h"
#include "services/common/auth.h"

namespace tend::services {

// ServerConfig
//
// What to serve and where.
struct ServerConfig {
  // Short service name for logs, e.g. "pairing".
  std::string name;
  // HOST:PORT; port 0 picks a free port.
  std::string listen = "127.0.0.1:0";
  // Services to register; not owned, must outlive the server.
  std::vector<grpc::Service*> services;
  // Health follows this Redis; not owned. May be null (always SERVING).
  engine::RedisClient* redis = nullptr;
  // How often health re-checks Redis.
  absl::Duration health_interval = absl::Seconds(1);
  // Runs when draining begins, before in-flight RPCs are awaited, e.g. to
  // end server streams that would otherwise hold the drain to its deadline.
  std::function<void()> before_drain;
};

// RunningServer
//
// A started server with its health checker. Destroying it shuts it down.
class RunningServer {
 public:
  // Start()
  //
  // Builds and starts the server. Fails when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<RunningServer>> Start(
      ServerConfig config);

  ~RunningServer();

  // The port actually bound.
  int port() const { return port_; }
  // "HOST:PORT" with the real port.
  const std::string& address() const { return address_; }

  // Shutdown()
  //
  // Marks the server NOT_SERVING, lets in-flight RPCs finish for up to
  // `drain`, then cancels what is left. Idempotent.
  void Shutdown(absl::Duration drain);

 private:
  RunningServer() = default;
  void HealthLoop();

  ServerConfig config_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::string address_;
  std::thread health_thread_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

// ServeUntilSignal()
//
// Starts the server, prints "listening on HOST:PORT", and blocks until
// SIGTERM or SIGINT; then drains for --drain_timeout. Returns the process
// exit status: 0 after a clean drain, 1 when the server cannot start.
// Call it before starting other threads so they inherit the signal mask.
int ServeUntilSignal(ServerConfig config);

// BlockTerminationSignals()
//
// Blocks SIGTERM and SIGINT in the calling thread and every thread it
// starts afterwards, so ServeUntilSignal() can wait for them. main() calls
// it first when it starts background threads before serving.
void BlockTerminationSignals();

// StartupFlags
//
// What every service reads from the shared flags before it starts.
struct StartupFlags {
  // --redis.
  engine::RedisOptions redis;
  // The key flags (see AuthOptionsFromFlags()).
  AuthOptions auth;
};

// ReadStartupFlags()
//
// Reads --redis and the key flags. When `calls` names a peer (a service
// that cannot work without calling it), an empty --service_secret fails
// too: "--service_secret is required to call <calls>".
absl::StatusOr<StartupFlags> ReadStartupFlags(absl::string_view calls = "");

// StartupFailure()
//
// Prints "tend-<name>: <message>" on stderr and returns 2, the exit status
// of a service that cannot start with the configuration it was given.
int StartupFailure(absl::string_view name, absl::string_view message);

// ClockFromFlags()
//
// The clock a service runs on: `test_clock` with --test_clock, otherwise
// the real one.
const engine::Clock* ClockFromFlags(const engine::RedisKeyClock* test_clock);

// ServerConfigFromFlags()
//
// A ServerConfig for service `name` on --listen, serving `services` with
// health following `redis`.
ServerConfig ServerConfigFromFlags(std::string name,
                                   std::vector<grpc::Service*> services,
                                   engine::RedisClient* redis);

}  // namespace tend::services

#endif  // TEND_SERVICES_COMMON_SERVER_H_
