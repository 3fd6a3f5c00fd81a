// RunServer() for tend-pairing: wires flags, Redis, auth and the service.
#ifndef TEND_SERVICES_PAIRING_SERVER_H_
#define TEND_SERVICES_PAIRING_SERVER_H_

#include "absl/flags/declare.h"
#include "absl/time/time.h"

// --invite_ttl: how long an invite code works.
ABSL_DECLARE_FLAG(absl::Duration, invite_ttl);
// --undo_window: how long unpaired history can be restored by re-pairing.
ABSL_DECLARE_FLAG(absl::Duration, undo_window);

namespace tend::pairing {

// RunServer()
//
// Serves until SIGTERM; returns the process exit status.
int RunServer();

}  // namespace tend::pairing

#endif  // TEND_SERVICES_PAIRING_SERVER_H_
