#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>

#include "core/result.h"
#include "http/url.h"
#include "http/options.h"

namespace boost::asio::ssl {
class context;
}

namespace strata::http {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;

namespace internal {
class ConnectionPool;
struct StreamState;
}  // namespace internal

// One upstream request. `url` is absolute, http or https. Host is filled in
// unless `headers` sets it; Content-Length always comes from `body`; the rest
// of `headers` goes out as given. "Connection: close" in `headers` keeps the
// connection out of the pool.
struct ClientRequest {
  beast_http::verb method = beast_http::verb::get;
  std::string url;
  beast_http::fields headers;
  std::string body;
};

// A whole response, any status: a 4xx or 5xx from the upstream is a response,
// not an error; mapping it is the caller's business.
struct ClientResponse {
  unsigned status = 0;
  beast_http::fields headers;
  std::string body;  // chunked framing removed
};

// A response whose head is in and whose body is read piece by piece as it
// arrives. Move-only. Read it to its end (an empty piece) and its connection
// goes back to the pool; destroy it before that and the connection is closed,
// since the rest of the body would still be on it. May outlive the Client
// that opened it (it then closes its connection instead of pooling it), but
// must stay alive, on its Client's thread, while a Read() is pending.
class ClientStream {
 public:
  ClientStream(ClientStream&&) noexcept;
  ClientStream& operator=(ClientStream&&) noexcept;
  ~ClientStream();

  // The response head. Not on a moved-from stream.
  unsigned status() const;
  const beast_http::fields& headers() const;

  // The next piece of the body, chunked framing removed, as soon as any bytes
  // of it arrive (at most 16 KiB a piece): never waits to fill a buffer. An
  // empty string means the body is complete; further calls return empty
  // again. Each wait is bounded by ClientOptions::idle_timeout. Errors: kUpstreamTimeout (idle too long),
  // kUpstreamUnavailable (connection closed or reset mid-body),
  // kUpstreamRejected (broken chunk framing); the stream is finished after any
  // error and its connection closed.
  asio::awaitable<core::Result<std::string>> Read();

  // True once the body was read to its end or an error ended it.
  bool finished() const;

 private:
  friend class Client;
  explicit ClientStream(std::unique_ptr<internal::StreamState> state);

  std::unique_ptr<internal::StreamState> state_;
};

// HTTP/1.1 client for upstream calls, with keep-alive pools keyed by (scheme,
// host, port). One per io thread (gateway worker): not thread-safe, and all
// calls, and the coroutines they return, must run on `executor`'s thread. The
// Client must outlive the Send() and Open() calls it started.
//
// Deadlines (ClientOptions): connect_timeout covers DNS, TCP and the TLS
// handshake; first_byte_timeout covers writing the request and, again, the
// wait from request written to response head; idle_timeout the wait for each
// body read. Every socket has TCP_NODELAY.
//
// TLS: peers are verified against the system CAs plus `ca_file`, with
// host name verification and SNI. `verify_tls = false` accepts any
// certificate: tests and local development only, never production.
//
// Errors are core::Error, never exceptions, and say which phase failed
// ("connecting to api.example.com:443: Connection refused"):
//   kUpstreamTimeout      a deadline above passed;
//   kUpstreamUnavailable  DNS, refused, reset, closed early, TLS failure
//                         (e.g. "certificate verify failed");
//   kUpstreamRejected     the response is not valid HTTP or exceeds a limit;
//   kInternal             `url` is not a valid http(s) URL, or `ca_file` could
//                         not be loaded (both are configuration mistakes).
//
// Retry: a pooled connection is checked (non-blocking peek) before use, and
// one the server already closed is dropped unused. A request sent on a pooled
// connection that still fails before any byte of the response arrives,
// because the server closed it (EOF, reset, broken pipe), is sent once more
// on a new connection. Why that is safe: it is the keep-alive race every
// HTTP/1.1 client meets, the server closing an idle connection just as our
// request went out. Servers close only between requests, so the request was
// never read, and RFC 9112 §9.3.1 allows an automatic retry when the client
// can tell the request was not applied. What remains (a server that read the
// request, then died without a byte of answer) looks the same; hence once
// only, and never for a fresh connection, whose failure is returned as is.
// Nothing else is retried here; retries across attempts and deployments
// belong to routing.
class Client {
 public:
  Client(asio::any_io_executor executor, ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends `request` and reads the whole response. A body larger than
  // options.max_response_bytes fails with kUpstreamRejected.
  asio::awaitable<core::Result<ClientResponse>> Send(ClientRequest request);

  // Sends `request` and returns once the response head is in; read the body
  // with ClientStream::Read(). The body size is not capped.
  asio::awaitable<core::Result<ClientStream>> Open(ClientRequest request);

  // Idle pooled connections, across hosts (metrics, tests).
  std::size_t idle_connections() const;

 private:
  asio::awaitable<core::Result<std::unique_ptr<internal::StreamState>>> Start(ClientRequest request,
                                                                             std::optional<std::uint64_t> body_limit);

  // A URL split once into what a call needs; the gateway calls the same few
  // URLs (one per deployment and endpoint) over and over.
  struct Target {
    Url url;
    std::string authority;  // the Host header
    std::string where;      // "host:port", for messages
    std::string pool_key;   // "scheme://host:port"
  };
  core::Result<std::shared_ptr<const Target>> TargetOf(const std::string& url);

  asio::any_io_executor executor_;
  ClientOptions options_;
  std::unordered_map<std::string, std::shared_ptr<const Target>> targets_;  // at most kMaxCachedTargets
  std::unique_ptr<asio::ssl::context> tls_context_;
  std::optional<core::Error> tls_setup_error_;  // ca_file unreadable: every https call fails with it
  std::shared_ptr<internal::ConnectionPool> pool_;
};

}  // namespace strata::http
