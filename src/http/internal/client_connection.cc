#include "http/internal/client_connection.h"

#include <sys/socket.h>

#include <cerrno>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace strata::http::internal {
namespace {

namespace beast_http = beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

const boost::system::error_category& HttpErrorCategory() {
  return beast_http::make_error_code(beast_http::error::bad_version).category();
}

// Asio runs getaddrinfo on a helper thread and cannot abandon it: cancelling
// the resolver only takes effect once the lookup returns, which may be long
// after our deadline. So the lookup keeps its state alive on its own (the
// shared_ptr in its handler) and we stop waiting for it at the deadline; a
// late answer lands in state nobody reads any more.
struct ResolveState {
  explicit ResolveState(const asio::any_io_executor& executor) : resolver(executor), wake(executor) {}
  tcp::resolver resolver;
  asio::steady_timer wake;  // expires at the deadline; cancelled when the answer is in
  bool done = false;
  boost::system::error_code ec;
  tcp::resolver::results_type results;
};

asio::awaitable<core::Result<tcp::resolver::results_type>> Resolve(asio::any_io_executor executor, Url url,
                                                                   Clock::time_point deadline,
                                                                   milliseconds timeout) {
  auto state = std::make_shared<ResolveState>(executor);
  state->wake.expires_at(deadline);
  state->resolver.async_resolve(url.host, std::to_string(url.port), tcp::resolver::numeric_service,
                                [state](boost::system::error_code ec, tcp::resolver::results_type results) {
                                  state->done = true;
                                  state->ec = ec;
                                  state->results = std::move(results);
                                  state->wake.cancel();
                                });
  boost::system::error_code wait_ec;
  if (!state->done) {
    std::tie(wait_ec) = co_await state->wake.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  const std::string during = "resolving " + url.host;
  if (!state->done) {
    state->resolver.cancel();
    if (!wait_ec) {
      co_return TransportError(beast::error::timeout, during, timeout);
    }
    co_return TransportError(wait_ec, during, timeout);  // we were cancelled
  }
  if (state->ec) {
    co_return TransportError(state->ec, during, timeout);
  }
  co_return std::move(state->results);
}

// asio's host_name_verification only says no; record why, so that the
// handshake error can tell a wrong host from an unknown CA.
struct HostNameCheck {
  asio::ssl::host_name_verification check;

  bool operator()(bool preverified, asio::ssl::verify_context& context) {
    if (check(preverified, context)) {
      return true;
    }
    if (preverified) {
      X509_STORE_CTX_set_error(context.native_handle(), X509_V_ERR_HOSTNAME_MISMATCH);
    }
    return false;
  }
};

}  // namespace

beast::tcp_stream& Connection::tcp() {
  if (auto* plain = std::get_if<beast::tcp_stream>(&stream_)) {
    return *plain;
  }
  return beast::get_lowest_layer(std::get<TlsStream>(stream_));
}

bool Connection::LooksReusable() {
  if (buffer_.size() != 0) {
    return false;  // bytes after the last response: the framing is off
  }
  auto& socket = tcp().socket();
  if (!socket.is_open()) {
    return false;
  }
  char byte = 0;
  const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  // Only "nothing to read yet" means alive: 0 is the FIN, > 0 unsolicited bytes
  // (often a 408 sent just before the server closed), < 0 otherwise a reset.
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

asio::awaitable<core::Result<std::unique_ptr<Connection>>> Connect(asio::any_io_executor executor, Url url,
                                                                   asio::ssl::context* tls_context,
                                                                   milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  const std::string where = url.HostPort();

  core::Result<tcp::resolver::results_type> endpoints = co_await Resolve(executor, url, deadline, timeout);
  if (!endpoints) {
    co_return endpoints.error();
  }

  beast::tcp_stream stream(executor);
  stream.expires_at(deadline);
  auto [connect_ec, endpoint] = co_await stream.async_connect(*endpoints, asio::as_tuple(asio::use_awaitable));
  if (connect_ec) {
    co_return TransportError(connect_ec, "connecting to " + where, timeout);
  }
  boost::system::error_code option_ec;
  stream.socket().set_option(tcp::no_delay(true), option_ec);  // latency only; not worth failing over
  if (!url.tls()) {
    stream.expires_never();
    co_return std::make_unique<Connection>(std::move(stream));
  }

  Connection::TlsStream tls(std::move(stream), *tls_context);
  SSL* ssl = tls.native_handle();
  // SNI carries names only (RFC 6066); an IP literal is checked against the
  // certificate's IP entries by the verification below.
  if (!url.host_is_ip && SSL_set_tlsext_host_name(ssl, url.host.c_str()) != 1) {
    co_return core::Error::UpstreamUnavailable("TLS handshake with " + where + ": cannot set SNI");
  }
  if ((SSL_CTX_get_verify_mode(tls_context->native_handle()) & SSL_VERIFY_PEER) != 0) {
    tls.set_verify_callback(HostNameCheck{asio::ssl::host_name_verification(url.host)});
  }
  beast::get_lowest_layer(tls).expires_at(deadline);
  auto [handshake_ec] = co_await tls.async_handshake(asio::ssl::stream_base::client,
                                                     asio::as_tuple(asio::use_awaitable));
  if (handshake_ec) {
    const std::string during = "TLS handshake with " + where;
    const long verify_result = SSL_get_verify_result(ssl);
    if (handshake_ec != beast::error::timeout && verify_result != X509_V_OK) {
      co_return core::Error::UpstreamUnavailable(during + ": " + handshake_ec.message() + ": " +
                                                 X509_verify_cert_error_string(verify_result));
    }
    co_return TransportError(handshake_ec, during, timeout);
  }
  beast::get_lowest_layer(tls).expires_never();
  co_return std::make_unique<Connection>(std::move(tls));
}

core::Error TransportError(boost::system::error_code ec, std::string_view during, milliseconds timeout) {
  std::string prefix(during);
  prefix += ": ";
  if (ec == beast::error::timeout) {
    return core::Error::UpstreamTimeout(prefix + "timed out after " + std::to_string(timeout.count()) + " ms");
  }
  if (ec == beast_http::error::end_of_stream) {
    return core::Error::UpstreamUnavailable(prefix + "the server closed the connection");
  }
  if (ec == beast_http::error::partial_message) {
    return core::Error::UpstreamUnavailable(prefix + "the server closed the connection mid-response");
  }
  if (ec == beast_http::error::body_limit || ec == beast_http::error::header_limit ||
      ec == beast_http::error::buffer_overflow) {
    return core::Error::UpstreamRejected(prefix + "the response is too large (" + ec.message() + ")");
  }
  if (ec.category() == HttpErrorCategory()) {
    return core::Error::UpstreamRejected(prefix + "malformed HTTP response (" + ec.message() + ")");
  }
  return core::Error::UpstreamUnavailable(prefix + ec.message());
}

bool IsPeerClosed(boost::system::error_code ec) {
  return ec == beast_http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::ssl::error::stream_truncated;
}

}  // namespace strata::http::internal
