#include "cli/run_server.h"

#include <csignal>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "observability/log.h"

namespace strata::cli {

using observability::Level;
using observability::Log;

int RunUntilSignalled(http::Server& server, std::string_view name, const http::ServerOptions& options) {
  // Registered before the workers start, so a signal that arrives at once still drains.
  boost::asio::io_context signals_io;
  boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
  core::Result<std::uint16_t> port = server.Start();
  if (!port) {
    Log(Level::kError, "cannot start", {{"server", name}, {"error", port.error().message()}});
    return 1;
  }
  const std::string url = std::string(options.tls.enabled() ? "https://" : "http://") + options.host + ":" +
                          std::to_string(*port);
  Log(Level::kInfo, "listening", {{"server", name}, {"url", url}, {"port", *port}});
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    Log(Level::kInfo, "draining", {{"server", name}, {"signal", signal}});
    server.Stop();
  });
  signals_io.run();
  server.Wait();
  Log(Level::kInfo, "stopped", {{"server", name}});
  return 0;
}

}  // namespace strata::cli
