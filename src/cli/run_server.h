#pragma once

#include <functional>
#include <string_view>

#include "http/server.h"

namespace strata::cli {

// Starts `server`, logs where it listens, and blocks until SIGINT or SIGTERM
// has drained it. Returns the process exit code.
int RunUntilSignalled(http::Server& server, std::string_view name, const http::ServerOptions& options);

}  // namespace strata::cli
