// RunServer() for tend-scheduler: flags, Redis, queue, dispatcher, service.
#ifndef TEND_SERVICES_SCHEDULER_SERVER_H_
#define TEND_SERVICES_SCHEDULER_SERVER_H_

#include <string>

#include "absl/flags/declare.h"
#include "absl/time/time.h"

// --dispatch_threads: dispatcher workers in this replica (0: none).
ABSL_DECLARE_FLAG(int, dispatch_threads);
// --dispatch_batch: due items claimed per round trip.
ABSL_DECLARE_FLAG(int, dispatch_batch);
// --worker_id: names this replica's leases; defaults to the host name.
ABSL_DECLARE_FLAG(std::string, worker_id);
// --queue_shards: shards of the due queue; the same for every replica.
ABSL_DECLARE_FLAG(int, queue_shards);
// --lease: how long a claimed item is reserved for its worker.
ABSL_DECLARE_FLAG(absl::Duration, lease);
// --max_attempts: delivery attempts before the dead letter.
ABSL_DECLARE_FLAG(int, max_attempts);
// --test_clock: read the time from Redis key tend:test:clock (tests only).
ABSL_DECLARE_FLAG(bool, test_clock);

namespace tend::scheduler {

// RunServer()
//
// Serves until SIGTERM; returns the process exit status.
int RunServer();

}  // namespace tend::scheduler

#endif  // TEND_SERVICES_SCHEDULER_SERVER_H_
