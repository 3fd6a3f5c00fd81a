#include "services/scheduler/server.h"

#include <unistd.h>

#include "absl/flags/flag.h"
#include "engine/base/log.h"
#include "engine/queue/due_queue.h"
#include "engine/redis/redis_client.h"
#include "engine/redis/redis_clock.h"
#include "engine/time/clock.h"
#include "services/common/auth.h"
#include "services/common/flags.h"
#include "services/common/peer.h"
#include "services/common/server.h"
#include "services/scheduler/dispatcher.h"
#include "services/scheduler/live_hub.h"
#include "services/scheduler/push/push_config.h"
#include "services/scheduler/push_sink.h"
#include "services/scheduler/scheduler.h"
#include "services/scheduler/prompt_content.h"
#include "services/scheduler/scheduler_metrics.h"
#include "services/scheduler/scheduler_service.h"
#include "services/scheduler/scheduler_store.h"

ABSL_FLAG(int, dispatch_threads, 2,
          "Dispatcher workers in this replica; 0 serves the API only.");
ABSL_FLAG(int, dispatch_batch, 200, "Due items claimed per round trip.");
ABSL_FLAG(std::string, worker_id, "",
          "Names this replica's leases in Redis; defaults to the host name "
          "and process id.");
ABSL_FLAG(int, queue_shards, 16,
          "Shards of the due queue. Every replica must use the same value.");
ABSL_FLAG(absl::Duration, lease, absl::Seconds(30),
          "How long a claimed item is reserved for the worker that claimed "
          "it; a dead worker's items return after this long.");
ABSL_FLAG(int, max_attempts, 8,
          "Delivery attempts before a reminder goes to the dead letter.");
ABSL_FLAG(absl::Duration, history_retention,
          tend::scheduler::kDefaultRetention,
          "How long a reminder's record is kept after its due time, and its "
          "delivery records after their last write; at least 1m. A reminder "
          "trimmed before it is answered can no longer be answered.");

namespace tend::scheduler {

int RunServer() {
  services::BlockTerminationSignals();
  absl::StatusOr<services::StartupFlags> flags =
      services::ReadStartupFlags("pairing");
  absl::StatusOr<push::PushConfig> push_config = push::PushConfigFromFlags();
  for (const absl::Status& s : {flags.status(), push_config.status()}) {
    if (!s.ok()) return services::StartupFailure("scheduler", s.message());
  }
  const absl::Duration retention = absl::GetFlag(FLAGS_history_retention);
  if (retention < absl::Minutes(1)) {
    return services::StartupFailure("scheduler",
                                    "--history_retention must be at least 1m");
  }
  engine::RedisClient redis(flags->redis);
  engine::RedisKeyClock test_clock(&redis);
  const engine::Clock* clock = services::ClockFromFlags(&test_clock);

  services::Authenticator auth(flags->auth, clock);
  services::ServiceToken token(flags->auth.service_secret, "scheduler",
                               clock);
  services::Peer pairing(absl::GetFlag(FLAGS_pairing_addr), &token);
  services::CoupleDirectory directory(&pairing, clock);

  engine::QueueOptions queue_options;
  queue_options.shards = absl::GetFlag(FLAGS_queue_shards);
  queue_options.lease = absl::GetFlag(FLAGS_lease);
  queue_options.max_attempts = absl::GetFlag(FLAGS_max_attempts);
  engine::DueQueue queue(&redis, queue_options);
  SchedulerStore store(&redis, retention);
  SchedulerOptions scheduler_options;
  scheduler_options.allow_http_webhooks = push_config->webhook.allow_http;
  Scheduler scheduler(&store, &queue, &directory, clock, scheduler_options);

  LiveHub live(&redis, flags->redis);
  live.Start();
  // What reminders say comes from the prompt service; the dispatcher falls
  // back to the ritual's own words when it cannot answer in time.
  services::Peer prompt_peer(absl::GetFlag(FLAGS_prompt_addr), &token);
  PromptContent content(&prompt_peer);
  DispatcherOptions dispatch;
  dispatch.worker_id = absl::GetFlag(FLAGS_worker_id);
  if (dispatch.worker_id.empty()) {
    char host[256] = {0};
    gethostname(host, sizeof host - 1);
    dispatch.worker_id = absl::StrCat(host, "-", getpid());
  }
  dispatch.threads = absl::GetFlag(FLAGS_dispatch_threads);
  dispatch.batch = absl::GetFlag(FLAGS_dispatch_batch);
  dispatch.queue_uses_clock = absl::GetFlag(FLAGS_test_clock);
  push::ProviderSet providers(*push_config, clock);
  PushSink push(&store, &providers, clock, dispatch.worker_id);
  Log(LogLevel::kInfo, "push.configured",
      {{"fcm", push_config->fcm.has_value()},
       {"apns", push_config->apns.has_value()},
       {"webhook_allow_http", push_config->webhook.allow_http}});
  Dispatcher dispatcher(&queue, &scheduler, {&live, &push}, &content, clock,
                        dispatch);
  dispatcher.Start();
  QueueSampler sampler(&queue, absl::Seconds(5));

  SchedulerServiceImpl service(&auth, &scheduler, &live);
  services::ServerConfig config =
      services::ServerConfigFromFlags("scheduler", {&service}, &redis);
  // Live streams end when draining starts; their apps reconnect elsewhere.
  config.before_drain = [&live] { live.Close(); };
  const int exit_code = services::ServeUntilSignal(std::move(config));
  // In-flight RPCs are drained; now the workers finish their batches.
  live.Close();
  dispatcher.Stop();
  return exit_code;
}

}  // namespace tend::scheduler
