#include "http/client.h"

#include <array>
#include <chrono>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <openssl/ssl.h>

#include "http/internal/client_connection.h"
#include "http/internal/connection_pool.h"
#include "http/internal/wire.h"
#include "http/url.h"

namespace strata::http {

namespace internal {

using Parser = beast_http::response_parser<beast_http::buffer_body>;

// Everything an open response needs, on the heap so that a ClientStream can
// move while Beast holds pointers into the parser and buffers.
struct StreamState {
  // User-provided, so that make_unique's value-initialization does not zero
  // the 16 KiB scratch on every call.
  StreamState() {}

  std::unique_ptr<Connection> connection;  // null once finished
  std::optional<Parser> parser;            // optional: a 1xx head means starting over
  std::weak_ptr<ConnectionPool> pool;      // expired when the Client is gone
  std::string pool_key;
  std::string where;  // "host:port", for messages
  milliseconds idle_timeout{};
  bool may_pool = true;  // the request itself did not ask to close
  bool finished = false;
  std::array<char, 16 * 1024> scratch;  // where the parser puts body bytes; written before read
};

}  // namespace internal

namespace {

using internal::Connection;
using internal::Parser;
using internal::StreamState;
using Request = beast_http::request<beast_http::string_body>;
using Clock = std::chrono::steady_clock;

// Vendors send large heads (long cookies, many rate-limit headers); Beast's
// 8 KiB default is too tight, and anything past this is not a sane answer.
constexpr std::uint32_t kMaxHeaderBytes = 64 * 1024;

// Bounds the parsed-URL cache: URLs come from configuration, but nothing
// stops a caller from building them per request.
constexpr std::size_t kMaxCachedTargets = 1024;

Request BuildRequest(ClientRequest request, const Url& url, const std::string& authority) {
  Request message;
  // The fields first: Beast keeps the start line in them, so this assignment
  // would undo a method or target set before it.
  static_cast<beast_http::fields&>(message) = std::move(request.headers);
  message.method(request.method);
  message.target(url.target);
  message.version(11);
  if (message.find(beast_http::field::host) == message.end()) {
    message.set(beast_http::field::host, authority);
  }
  message.body() = std::move(request.body);
  message.prepare_payload();
  return message;
}

void ConfigureParser(Parser& parser, beast_http::verb method, std::optional<std::uint64_t> body_limit) {
  parser.header_limit(kMaxHeaderBytes);
  parser.body_limit(body_limit ? boost::optional<std::uint64_t>(*body_limit) : boost::none);
  if (method == beast_http::verb::head) {
    parser.skip(true);  // a HEAD response announces a length it never sends
  }
}

struct HeadOutcome {
  boost::system::error_code ec;
  const char* phase = "";  // "sending the request to", ...; the caller adds host:port
};

// Writes `request` and reads the response head into `state.parser`, skipping
// informational (1xx) heads. `connection` and `request` live in the caller's
// frame, which outlives this call.
asio::awaitable<HeadOutcome> ExchangeHead(Connection& connection, const Request& request, StreamState& state,
                                          std::optional<std::uint64_t> body_limit, milliseconds timeout) {
  const std::string head = internal::WireHead(request.base());
  connection.tcp().expires_after(timeout);
  auto [write_ec, written] = co_await connection.Visit([&head, &request](auto& stream) {
    return asio::async_write(stream, internal::WireBuffers(head, request.body()), asio::as_tuple(asio::use_awaitable));
  });
  if (write_ec) {
    co_return HeadOutcome{write_ec, "sending the request to"};
  }
  for (;;) {
    Parser& parser = *state.parser;
    connection.tcp().expires_after(timeout);
    auto [read_ec, read] = co_await connection.Visit([&connection, &parser](auto& stream) {
      return beast_http::async_read_header(stream, connection.buffer(), parser,
                                           asio::as_tuple(asio::use_awaitable));
    });
    if (read_ec) {
      co_return HeadOutcome{read_ec, "waiting for the response from"};
    }
    const unsigned status = parser.get().result_int();
    if (status < 100 || status >= 200 || status == 101) {
      co_return HeadOutcome{};
    }
    state.parser.emplace();  // 100 Continue, 103 Early Hints: the real head follows
    ConfigureParser(*state.parser, request.method(), body_limit);
  }
}

// Ends the stream; the connection goes back to the pool only when the
// response ended cleanly and both sides allowed keep-alive.
void Finish(StreamState& state) {
  state.finished = true;
  std::unique_ptr<Connection> connection = std::move(state.connection);
  if (!connection || !state.may_pool || !state.parser->is_done() || !state.parser->keep_alive()) {
    return;
  }
  if (std::shared_ptr<internal::ConnectionPool> pool = state.pool.lock()) {
    pool->Release(state.pool_key, std::move(connection), Clock::now());
  }
}

// The body of ClientStream::Read, a free coroutine on the heap state so that
// moving the ClientStream handle during a read is harmless.
asio::awaitable<core::Result<std::string>> ReadPiece(StreamState* state) {
  if (state == nullptr) {
    co_return core::Error::Internal("ClientStream::Read on a moved-from stream");
  }
  for (;;) {
    if (state->finished) {
      co_return std::string();
    }
    Parser& parser = *state->parser;
    if (parser.is_done()) {
      Finish(*state);
      continue;
    }
    parser.get().body().data = state->scratch.data();
    parser.get().body().size = state->scratch.size();
    Connection& connection = *state->connection;
    connection.tcp().expires_after(state->idle_timeout);
    auto [ec, unused] = co_await connection.Visit([&connection, &parser](auto& stream) {
      return beast_http::async_read_some(stream, connection.buffer(), parser, asio::as_tuple(asio::use_awaitable));
    });
    if (ec == asio::ssl::error::stream_truncated && parser.need_eof()) {
      // A body that ends at EOF, from a TLS server that closed without
      // close_notify, as many do: Beast takes a plain EOF as the end, so
      // take this one too.
      parser.put_eof(ec);
    }
    if (ec && ec != beast_http::error::need_buffer) {  // need_buffer: scratch is full, not an error
      state->finished = true;
      state->connection.reset();
      co_return internal::TransportError(ec, "reading the response body from " + state->where, state->idle_timeout);
    }
    const std::size_t got = state->scratch.size() - parser.get().body().size;
    if (parser.is_done()) {
      Finish(*state);  // pool the connection now, not on the caller's next Read
    }
    if (got > 0) {
      co_return std::string(state->scratch.data(), got);
    }
  }
}

}  // namespace

ClientStream::ClientStream(std::unique_ptr<internal::StreamState> state) : state_(std::move(state)) {}
ClientStream::ClientStream(ClientStream&&) noexcept = default;
ClientStream& ClientStream::operator=(ClientStream&&) noexcept = default;
ClientStream::~ClientStream() = default;

unsigned ClientStream::status() const { return state_->parser->get().result_int(); }
const beast_http::fields& ClientStream::headers() const { return state_->parser->get(); }
bool ClientStream::finished() const { return state_ == nullptr || state_->finished; }

asio::awaitable<core::Result<std::string>> ClientStream::Read() { return ReadPiece(state_.get()); }

Client::Client(asio::any_io_executor executor, ClientOptions options)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      tls_context_(std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client)),
      pool_(std::make_shared<internal::ConnectionPool>(options_.max_idle_per_host, options_.pool_idle_ttl)) {
  SSL_CTX_set_min_proto_version(tls_context_->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  if (!options_.verify_tls) {
    tls_context_->set_verify_mode(asio::ssl::verify_none, ec);
    return;
  }
  tls_context_->set_verify_mode(asio::ssl::verify_peer, ec);
  // A host without system CAs can still reach upstreams signed by ca_file;
  // it fails at handshake, with a message, if it needs them.
  tls_context_->set_default_verify_paths(ec);
  if (!options_.ca_file.empty()) {
    tls_context_->load_verify_file(options_.ca_file, ec);
    if (ec) {
      tls_setup_error_ = core::Error::Internal("loading ca_file '" + options_.ca_file + "': " + ec.message());
    }
  }
}

Client::~Client() = default;

std::size_t Client::idle_connections() const { return pool_->IdleCount(); }

asio::awaitable<core::Result<ClientResponse>> Client::Send(ClientRequest request) {
  core::Result<std::unique_ptr<StreamState>> started =
      co_await Start(std::move(request), options_.max_response_bytes);
  if (!started) {
    co_return started.error();
  }
  ClientStream stream(std::move(*started));
  ClientResponse response;
  response.status = stream.status();
  if (boost::optional<std::uint64_t> length = stream.state_->parser->content_length()) {
    response.body.reserve(*length);  // the parser already held it to max_response_bytes
  }
  for (;;) {
    core::Result<std::string> piece = co_await stream.Read();
    if (!piece) {
      co_return piece.error();
    }
    if (piece->empty()) {
      break;
    }
    response.body += *piece;
  }
  // Moved, not copied: the stream is done with its head.
  response.headers = std::move(static_cast<beast_http::fields&>(stream.state_->parser->get()));
  co_return response;
}

asio::awaitable<core::Result<ClientStream>> Client::Open(ClientRequest request) {
  core::Result<std::unique_ptr<StreamState>> started = co_await Start(std::move(request), std::nullopt);
  if (!started) {
    co_return started.error();
  }
  co_return ClientStream(std::move(*started));
}

core::Result<std::shared_ptr<const Client::Target>> Client::TargetOf(const std::string& text) {
  if (const auto cached = targets_.find(text); cached != targets_.end()) {
    return cached->second;
  }
  core::Result<Url> url = Url::Parse(text);
  if (!url) {
    return core::Error::Internal(url.error().message());  // our config built it, not the end user
  }
  auto target = std::make_shared<Target>();
  target->authority = url->Authority();
  target->where = url->HostPort();
  target->pool_key = url->scheme + "://" + target->where;
  target->url = std::move(*url);
  if (targets_.size() >= kMaxCachedTargets) {
    targets_.clear();  // a caller building URLs per request: start over rather than grow
  }
  targets_.emplace(text, target);
  return target;
}

asio::awaitable<core::Result<std::unique_ptr<StreamState>>> Client::Start(ClientRequest request,
                                                                          std::optional<std::uint64_t> body_limit) {
  core::Result<std::shared_ptr<const Target>> target = TargetOf(request.url);
  if (!target) {
    co_return target.error();
  }
  // Held by this frame: a cache reset meanwhile cannot pull it away.
  const std::shared_ptr<const Target> held = std::move(*target);
  const Url& url = held->url;
  const std::string& where = held->where;
  const std::string& key = held->pool_key;
  if (url.tls() && tls_setup_error_) {
    co_return *tls_setup_error_;
  }
  const Request message = BuildRequest(std::move(request), url, held->authority);

  bool retried = false;
  for (;;) {
    std::unique_ptr<Connection> connection;
    if (!retried) {
      connection = pool_->Acquire(key, Clock::now());
    }
    const bool reused = connection != nullptr;
    if (!connection) {
      core::Result<std::unique_ptr<Connection>> connected =
          co_await internal::Connect(executor_, url, tls_context_.get(), options_.connect_timeout);
      if (!connected) {
        co_return connected.error();
      }
      connection = std::move(*connected);
    }

    auto state = std::make_unique<StreamState>();
    state->parser.emplace();
    ConfigureParser(*state->parser, message.method(), body_limit);
    HeadOutcome outcome =
        co_await ExchangeHead(*connection, message, *state, body_limit, options_.first_byte_timeout);
    if (!outcome.ec) {
      state->connection = std::move(connection);
      state->pool = pool_;
      state->pool_key = key;
      state->where = where;
      state->idle_timeout = options_.idle_timeout;
      state->may_pool = message.keep_alive();
      co_return std::move(state);
    }
    // The keep-alive race (see client.h): the server closed this pooled
    // connection while idle, and not a byte of an answer came back.
    const bool nothing_received = connection->buffer().size() == 0 && !state->parser->got_some();
    if (reused && !retried && nothing_received && internal::IsPeerClosed(outcome.ec)) {
      retried = true;
      continue;
    }
    co_return internal::TransportError(outcome.ec, std::string(outcome.phase) + " " + where,
                                       options_.first_byte_timeout);
  }
}

}  // namespace strata::http
