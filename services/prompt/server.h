// RunServer() for tend-prompt: wires flags, Redis, the catalog, auth, the
// peers and the service.
#ifndef TEND_SERVICES_PROMPT_SERVER_H_
#define TEND_SERVICES_PROMPT_SERVER_H_

#include <string>

#include "absl/flags/declare.h"

// --catalog_dir: read the catalog from this directory instead of the copy
// compiled into the binary.
ABSL_DECLARE_FLAG(std::string, catalog_dir);

namespace tend::prompt {

// RunServer()
//
// Serves until SIGTERM; returns the process exit status: 2 for bad flags
// or an invalid catalog.
int RunServer();

}  // namespace tend::prompt

#endif  // TEND_SERVICES_PROMPT_SERVER_H_
