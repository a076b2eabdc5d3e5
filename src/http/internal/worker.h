#pragma once

#include <atomic>
#include <list>
#include <memory>
#include <optional>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "http/client.h"
#include "http/server.h"
#include "observability/metrics.h"

namespace strata::http::internal {

// What /metrics shows about the edge. Families are shared by all workers.
struct ServerMetrics {
  observability::Family<observability::Counter>* requests;
  observability::Family<observability::Histogram>* durations;
  observability::Gauge* open_connections;
  observability::Counter* accepted_connections;
  observability::Counter* refused_connections;
  observability::Counter* handler_exceptions;

  static ServerMetrics& Get();
};

// A connection as the worker sees it during drain.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Finish the request in flight, then close; close at once if idle.
  virtual void Drain() = 0;
  // Close now, whatever is in flight.
  virtual void ForceClose() = 0;
};

// Shared-nothing: one io_context, one listener and its own sessions per thread.
// Everything here is touched only from the worker's thread, except the atomics.
struct Worker {
  Worker(const ServerOptions& options, const Router& router, asio::ssl::context* tls,
         std::atomic<std::size_t>& open_connections, const ClientOptions& upstream)
      : options(options), router(router), tls(tls), open_connections(open_connections),
        client(io.get_executor(), upstream) {}

  const ServerOptions& options;
  const Router& router;
  asio::ssl::context* tls;  // null: plain HTTP
  std::atomic<std::size_t>& open_connections;
  bool draining = false;
  // Declared before `io`: destroying io destroys the session frames it still
  // holds, and their destructors unregister from this list.
  std::list<SessionBase*> sessions;
  asio::io_context io{1};
  std::optional<asio::ip::tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> grace_timer;
  Client client;  // this worker's upstream pools; destroyed before io
  std::thread thread;
};

// Runs one accepted connection to its end. Registers with the worker while alive.
void StartSession(Worker& worker, asio::ip::tcp::socket socket);

}  // namespace strata::http::internal
