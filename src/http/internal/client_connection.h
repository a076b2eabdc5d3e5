#pragma once

// Private to strata::http: one upstream connection (plain or TLS), how to
// open one within a deadline, and how transport errors become core::Error.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/system/error_code.hpp>

#include "core/result.h"
#include "http/url.h"

namespace strata::http::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
using std::chrono::milliseconds;

// An open connection to one upstream, with the read buffer that must persist
// across the responses it carries. Not thread-safe. Destroying it closes the
// socket at once (no TLS close_notify: the peer learns from the FIN).
class Connection {
 public:
  using TlsStream = beast::ssl_stream<beast::tcp_stream>;

  explicit Connection(beast::tcp_stream stream) : stream_(std::move(stream)) {}
  explicit Connection(TlsStream stream) : stream_(std::move(stream)) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The TCP layer: set its deadline (expires_after) before every operation.
  beast::tcp_stream& tcp();
  beast::flat_buffer& buffer() { return buffer_; }

  // Calls `op` with the stream to read and write (tcp_stream or TlsStream),
  // e.g. to start a Beast operation: both kinds share one code path.
  template <class Op>
  decltype(auto) Visit(Op&& op) {
    return std::visit(std::forward<Op>(op), stream_);
  }

  // False when the peer has already closed the connection (FIN or RST is
  // waiting) or sent bytes nobody asked for: such a connection must not carry
  // another request. A non-blocking peek; it cannot rule out a close that is
  // still on its way, which is why the client also retries once.
  bool LooksReusable();

 private:
  std::variant<beast::tcp_stream, TlsStream> stream_;
  beast::flat_buffer buffer_;
};

// Resolves `url.host`, connects to the first address that answers, sets
// TCP_NODELAY and, for https, runs the TLS handshake with SNI and (unless
// `tls_context` verifies nothing) host name verification. All of it must end
// within `timeout`. `tls_context` must be non-null for https and outlive the
// call. Errors: kUpstreamTimeout, or kUpstreamUnavailable naming the phase
// ("connecting to api.example.com:443: Connection refused").
asio::awaitable<core::Result<std::unique_ptr<Connection>>> Connect(asio::any_io_executor executor, Url url,
                                                                   asio::ssl::context* tls_context,
                                                                   milliseconds timeout);

// Turns an Asio, Beast or OpenSSL error met `during` a phase ("reading the
// response body from api.example.com:443") into the error routing acts on:
// timeouts → kUpstreamTimeout; refused, reset, closed, DNS and TLS failures →
// kUpstreamUnavailable; a response that breaks HTTP or a limit →
// kUpstreamRejected.
core::Error TransportError(boost::system::error_code ec, std::string_view during, milliseconds timeout);

// True for the ways a peer that closed the connection shows up: EOF, reset,
// broken pipe, a TLS stream cut without close_notify.
bool IsPeerClosed(boost::system::error_code ec);

}  // namespace strata::http::internal
