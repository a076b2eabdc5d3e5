#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "core/result.h"
#include "http/options.h"

namespace strata::http {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;

using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;

// How a handler answers one request: either one Send(), or StartEvents()
// followed by any number of SendEvent()/SendChunk() and one FinishEvents().
// Owned by the connection; valid until the handler's coroutine returns.
// Not thread-safe: use it from the handler's own coroutine only.
class Responder {
 public:
  virtual ~Responder() = default;

  // Sends a complete response. Content-Length, Server, keep-alive and
  // x-request-id are set by the server.
  virtual asio::awaitable<core::Status> Send(Response response) = 0;

  // Starts a chunked `text/event-stream` response with `head`'s status and
  // headers. From here on the server watches the socket, so a client that
  // goes away is noticed at once, not only at the next write.
  virtual asio::awaitable<core::Status> StartEvents(Response head) = 0;
  // Writes one SSE event ("event: <name>\n" when given, "data: <data>\n\n")
  // as one chunk and flushes it. Fails once the client is gone.
  virtual asio::awaitable<core::Status> SendEvent(std::string_view data, std::string_view name = {}) = 0;
  // Writes bytes already in SSE form as one chunk (pass-through of an upstream stream).
  virtual asio::awaitable<core::Status> SendChunk(std::string_view bytes) = 0;
  // Writes the last chunk. The connection may then serve the next request.
  virtual asio::awaitable<core::Status> FinishEvents() = 0;

  // Starts watching the connection before any response is sent, so that a
  // client leaving during a long non-streamed wait is noticed too (ClientGone,
  // OnClientGone). Streams are watched from StartEvents() on without it.
  virtual void WatchClient() = 0;
  // True once the client closed or reset the connection while watched.
  virtual bool ClientGone() const = 0;
  // Runs `callback` (on the connection's thread) the moment the client goes
  // away during a stream. If it already has, runs it at once, inside this
  // call: register first, then check ClientGone() before starting to wait.
  // One callback at a time; it is dropped when the handler returns, or by
  // passing an empty function.
  virtual void OnClientGone(std::function<void()> callback) = 0;
  // Closes the connection without answering (fault injection, protocol abuse).
  virtual void Abort() = 0;

  // The request id: the client's `x-request-id` when acceptable, else a new one.
  virtual const std::string& request_id() const = 0;
  // The route pattern that matched, e.g. "/v1/models/{id}": a bounded metrics label.
  virtual std::string_view route() const = 0;
  // The value of a `{name}` segment of the matched route; empty if none.
  virtual std::string_view PathParam(std::string_view name) const = 0;
  // The peer's IP address as text ("127.0.0.1", "::1"); empty if unknown.
  virtual std::string_view client_address() const = 0;
  // The request's trace, for the access log line (`trace_id`, `span_id`,
  // lowercase hex; docs/TRACING.md). Empty views: none. Copied; call again to
  // replace. Does nothing by default (test responders).
  virtual void SetTraceContext(std::string_view trace_id, std::string_view span_id) {}
};

using Handler = std::function<asio::awaitable<void>(const Request&, Responder&)>;

// Method + path → handler. Patterns are literal segments and `{name}`
// segments, each matching one non-empty path segment. The query string is ignored
// for matching. Built before the server starts; read-only afterwards.
// What a route is, for the OpenAPI document (http/openapi.h): the document is
// built from the same Router the server dispatches with, so it cannot drift.
struct RouteDoc {
  struct Param {
    std::string name;
    std::string schema = R"({"type":"string"})";  // JSON Schema text
    std::string description;
    bool required = false;
  };
  std::string operation_id;  // unique, e.g. "createKey"
  std::string summary;
  std::string tag;           // groups operations: "gateway", "tenants", "keys", ...
  // The permission the route checks (docs/IDENTITY.md), emitted as
  // x-strata-permission; empty for routes that only need a gateway key, or none.
  std::string permission;
  bool public_route = false;  // no credential at all (health, the document itself)
  std::string request_schema;   // JSON Schema text of the JSON body; empty: no body
  std::string response_schema;  // JSON Schema text of the success body
  int success_status = 200;
  bool event_stream = false;  // the success answer may be text/event-stream (stream: true)
  std::vector<Param> query;
};

class Router {
 public:
  void Add(beast_http::verb method, std::string pattern, Handler handler, RouteDoc doc = {});

  struct RouteInfo {
    beast_http::verb method;
    std::string_view pattern;
    const RouteDoc* doc;
  };
  // Every route in the order added.
  std::vector<RouteInfo> Routes() const;

  struct Match {
    const Handler* handler = nullptr;     // null: no route
    std::string_view pattern;             // matched pattern, for labels
    bool method_not_allowed = false;      // the path exists with another method
    std::vector<std::pair<std::string_view, std::string_view>> params;
  };
  Match Find(beast_http::verb method, std::string_view target) const;

 private:
  struct Route {
    beast_http::verb method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    RouteDoc doc;
  };
  std::vector<Route> routes_;
};

class Client;

// The HTTP/1.1 edge: one io_context per worker thread, each with its own
// SO_REUSEPORT listener and its own upstream Client (connection pools),
// keep-alive, in-order pipelining, size and time limits answered with JSON
// errors, optional TLS, and graceful drain on Stop().
class Server {
 public:
  // `upstream` configures each worker's Client (see WorkerClient()).
  Server(ServerOptions options, Router router, ClientOptions upstream = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listeners and starts the workers. Returns the bound port (useful
  // when options.port is 0). Fails if the address cannot be bound or the TLS
  // files cannot be loaded.
  core::Result<std::uint16_t> Start();
  // Stops accepting, lets in-flight requests and streams finish for up to
  // options.shutdown_grace, then closes what is left. Safe from any thread,
  // including a signal handler's io_context. Idempotent.
  void Stop();
  // Blocks until every worker has exited after Stop().
  void Wait();

  std::uint16_t port() const;
  // Connections open right now, across workers.
  std::size_t open_connections() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// The upstream Client of the worker thread that runs the caller: handlers use
// it for vendor calls, so pools are per worker and never shared across threads.
// Precondition: called on a Server's worker thread (aborts otherwise).
Client& WorkerClient();

// Builds a JSON error response in the OpenAI envelope, with Retry-After when set.
Response ErrorResponse(const core::Error& error, unsigned version = 11);

}  // namespace strata::http
