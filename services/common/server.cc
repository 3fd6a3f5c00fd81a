#include "services/common/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>

#include <cstdio>

#include "prometheus/exposer.h"
#include "engine/base/metrics.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "engine/base/log.h"
#include "services/common/request_check.h"
#include "services/common/flags.h"

namespace tend::services {
namespace {

// Replaces the port in "HOST:PORT" (or "[v6]:PORT") with `port`.
std::string WithPort(const std::string& listen, int port) {
  const size_t colon = listen.rfind(':');
  const std::string host =
      colon == std::string::npos ? listen : listen.substr(0, colon);
  return absl::StrCat(host, ":", port);
}

}  // namespace

absl::StatusOr<std::unique_ptr<RunningServer>> RunningServer::Start(
    ServerConfig config) {
  static const bool once = [] {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    RouteProtobufLogs();
    return true;
  }();
  (void)once;

  std::unique_ptr<RunningServer> running(new RunningServer());
  running->config_ = std::move(config);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(running->config_.listen,
                           grpc::InsecureServerCredentials(), &running->port_);
  for (grpc::Service* service : running->config_.services) {
    builder.RegisterService(service);
  }
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(NewUnparseableRequestInterceptor());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  running->server_ = builder.BuildAndStart();
  if (running->server_ == nullptr || running->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("--listen: cannot bind ", running->config_.listen));
  }
  running->address_ = WithPort(running->config_.listen, running->port_);
  running->health_thread_ =
      std::thread([r = running.get()] { r->HealthLoop(); });
  return running;
}

RunningServer::~RunningServer() { Shutdown(absl::ZeroDuration()); }

void RunningServer::HealthLoop() {
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  bool last_serving = true;
  bool first = true;
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    mu_.Unlock();
    const bool serving = config_.redis == nullptr || config_.redis->Ping().ok();
    mu_.Lock();
    if (stopping_) break;
    if (first || serving != last_serving) {
      health->SetServingStatus(serving);
      if (!first || !serving) {
        Log(serving ? LogLevel::kInfo : LogLevel::kWarning, "health.changed",
            {{"service", config_.name}, {"serving", serving}});
      }
      last_serving = serving;
      first = false;
    }
    // Health is operational, not business time: it paces itself on the
    // real clock through the mutex's timed wait.
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), config_.health_interval);
  }
}

void RunningServer::Shutdown(absl::Duration drain) {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (health_thread_.joinable()) health_thread_.join();
  server_->GetHealthCheckService()->SetServingStatus(false);
  if (config_.before_drain) config_.before_drain();
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(drain));
  server_->Wait();
}

void BlockTerminationSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

int ServeUntilSignal(ServerConfig config) {
  BlockTerminationSignals();
  const std::string name = config.name;
  absl::StatusOr<std::unique_ptr<RunningServer>> running =
      RunningServer::Start(std::move(config));
  if (!running.ok()) {
    Log(LogLevel::kError, "server.start_failed",
        {{"service", name},
         {"error", std::string(running.status().message())}});
    return 1;
  }
  std::printf("listening on %s\n", (*running)->address().c_str());
  std::unique_ptr<prometheus::Exposer> exposer;
  const std::string metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  if (!metrics_listen.empty()) {
    try {
      // prometheus-cpp reports a failed bind by throwing; it stops here.
      exposer = std::make_unique<prometheus::Exposer>(metrics_listen, 1);
      exposer->RegisterCollectable(MetricsRegistry());
      const size_t colon = metrics_listen.rfind(':');
      std::printf("metrics on %s:%d\n",
                  metrics_listen.substr(0, colon).c_str(),
                  exposer->GetListeningPorts().front());
    } catch (const std::exception& e) {
      Log(LogLevel::kError, "metrics.bind_failed",
          {{"service", name}, {"listen", metrics_listen}});
      return 1;
    }
  }
  std::fflush(stdout);
  Log(LogLevel::kInfo, "server.started",
      {{"service", name}, {"address", (*running)->address()}});

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  int signal_number = 0;
  sigwait(&signals, &signal_number);

  const absl::Duration drain = absl::GetFlag(FLAGS_drain_timeout);
  Log(LogLevel::kInfo, "server.draining",
      {{"service", name},
       {"signal", signal_number},
       {"drain_ms", absl::ToInt64Milliseconds(drain)}});
  (*running)->Shutdown(drain);
  Log(LogLevel::kInfo, "server.stopped", {{"service", name}});
  return 0;
}

absl::StatusOr<StartupFlags> ReadStartupFlags(absl::string_view calls) {
  absl::StatusOr<engine::RedisOptions> redis =
      engine::ParseRedisUrl(absl::GetFlag(FLAGS_redis));
  if (!redis.ok()) return redis.status();
  absl::StatusOr<AuthOptions> auth = AuthOptionsFromFlags();
  if (!auth.ok()) return auth.status();
  if (!calls.empty() && auth->service_secret.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--service_secret is required to call ", calls));
  }
  return StartupFlags{*std::move(redis), *std::move(auth)};
}

int StartupFailure(absl::string_view name, absl::string_view message) {
  std::fprintf(stderr, "tend-%s: %s\n", std::string(name).c_str(),
               std::string(message).c_str());
  return 2;
}

const engine::Clock* ClockFromFlags(const engine::RedisKeyClock* test_clock) {
  if (absl::GetFlag(FLAGS_test_clock)) return test_clock;
  return engine::RealClock::Get();
}

ServerConfig ServerConfigFromFlags(std::string name,
                                   std::vector<grpc::Service*> services,
                                   engine::RedisClient* redis) {
  ServerConfig config;
  config.name = std::move(name);
  config.listen = absl::GetFlag(FLAGS_listen);
  config.services = std::move(services);
  config.redis = redis;
  return config;
}

}  // namespace tend::services
