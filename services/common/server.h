// The gRPC server runtime every Tend service runs in.
//
// It binds --listen (port 0 picks a free port), prints
// "listening on HOST:PORT" on stdout once serving, switches on
// grpc.health.v1 (SERVING only while Redis answers PING) and server
// reflection, and on SIGTERM or SIGINT drains in-flight RPCs for up to
// --drain_timeout before returning 0.
//
//   ServerConfig config;
//   config.name = "pairing";
//   config.services = {&service};
//   config.redis = &redis;
//   return tend::services::ServeUntilSignal(std::move(config));
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
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/redis/redis_client.h"

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

}  // namespace tend::services

#endif  // TEND_SERVICES_COMMON_SERVER_H_
