#include "redis/client.h"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <deque>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <openssl/evp.h>

#include "observability/log.h"
#include "observability/metrics.h"

namespace strata::redis {

namespace beast = boost::beast;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// ---- URL ----

std::string Endpoint::Where() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

namespace {

core::Error UrlError(std::string message) { return core::Error::InvalidRequest("redis URL: " + std::move(message)); }

std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    unsigned value = 0;
    if (i + 2 >= text.size()) {
      return std::nullopt;
    }
    const auto [ptr, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
    if (ec != std::errc() || ptr != text.data() + i + 3) {
      return std::nullopt;
    }
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

template <class Int>
std::optional<Int> ParseDecimal(std::string_view text) {
  Int value{};
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

core::Result<Endpoint> ParseUrl(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (url.starts_with("rediss://")) {
    return UrlError("TLS (rediss://) is not supported");
  }
  if (!url.starts_with(kScheme)) {
    return UrlError("must start with redis://");
  }
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return UrlError("query strings and fragments are not supported");
  }
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  const std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);

  Endpoint endpoint;
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const std::size_t colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      return UrlError("credentials must read [user]:password@");
    }
    std::optional<std::string> user = PercentDecode(userinfo.substr(0, colon));
    std::optional<std::string> password = PercentDecode(userinfo.substr(colon + 1));
    if (!user || !password) {
      return UrlError("bad percent-encoding in the credentials");
    }
    endpoint.user = std::move(*user);
    endpoint.password = std::move(*password);
  }

  std::string_view port;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return UrlError("unclosed '[' in the host");
    }
    endpoint.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (!after.starts_with(':')) {
        return UrlError("unexpected text after the host");
      }
      port = after.substr(1);
      if (port.empty()) {
        return UrlError("empty port");
      }
    }
  } else {
    const std::size_t colon = authority.find(':');
    endpoint.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) {
        return UrlError("empty port");
      }
    }
  }
  if (endpoint.host.empty()) {
    return UrlError("no host");
  }
  if (!port.empty()) {
    const std::optional<std::uint32_t> number = ParseDecimal<std::uint32_t>(port);
    if (!number || *number == 0 || *number > 65535) {
      return UrlError("bad port '" + std::string(port) + "'");
    }
    endpoint.port = static_cast<std::uint16_t>(*number);
  }
  if (!path.empty()) {
    const std::optional<int> db = ParseDecimal<int>(path);
    if (!db || *db < 0) {
      return UrlError("the path must be a database number, not '" + std::string(path) + "'");
    }
    endpoint.db = *db;
  }
  return endpoint;
}

// ---- Script ----

Script::Script(std::string source) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(source.data(), source.size(), digest, &length, EVP_sha1(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  data_ = std::make_shared<const Data>(Data{std::move(source), std::move(hex)});
}

// ---- the client ----

namespace internal {
namespace {

using observability::Level;
using observability::Log;

struct RedisMetrics {
  observability::Counter* ok;
  observability::Counter* error_reply;
  observability::Counter* unavailable;
  observability::Counter* connects;
  observability::Counter* connect_failures;

  static RedisMetrics& Get() {
    static RedisMetrics* metrics = [] {
      auto& registry = observability::DefaultRegistry();
      auto& commands = registry.AddCounter("strata_redis_commands_total",
                                           "Redis commands by outcome: ok, error (an error reply), "
                                           "unavailable (unreachable, timed out, malformed reply).",
                                           {"outcome"});
      auto& connects = registry.AddCounter("strata_redis_connects_total",
                                           "Redis connections opened (ok) or failed to open (failed).",
                                           {"outcome"});
      return new RedisMetrics{&commands.With({"ok"}), &commands.With({"error"}), &commands.With({"unavailable"}),
                              &connects.With({"ok"}), &connects.With({"failed"})};
    }();
    return *metrics;
  }
};

// One connection: the stream, and the parser holding whatever of a reply has
// arrived. Carries one command at a time.
struct Connection {
  Connection(beast::tcp_stream stream, const ReplyLimits& limits) : stream(std::move(stream)), parser(limits) {}

  // False when the server has closed the connection (FIN or RST waiting) or
  // sent bytes nobody asked for. A non-blocking peek.
  bool LooksReusable() {
    if (!parser.idle()) {
      return false;
    }
    auto& socket = stream.socket();
    if (!socket.is_open()) {
      return false;
    }
    char byte = 0;
    const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

  beast::tcp_stream stream;
  ReplyParser parser;
  std::array<char, 16 * 1024> scratch{};
};

// What one command on one connection came to.
struct RoundTrip {
  boost::system::error_code ec;       // a transport failure
  std::optional<core::Error> malformed;  // the reply broke RESP or a limit
  bool got_bytes = false;             // any byte of a reply arrived
  Reply reply;
};

// Writes `wire` and reads one reply, all before `deadline`. `connection` and
// `wire` live in the caller's frame.
asio::awaitable<RoundTrip> Exchange(Connection& connection, const std::string& wire, Clock::time_point deadline) {
  RoundTrip out;
  connection.stream.expires_at(deadline);
  auto [write_ec, written] =
      co_await asio::async_write(connection.stream, asio::buffer(wire), asio::as_tuple(asio::use_awaitable));
  if (write_ec) {
    out.ec = write_ec;
    co_return out;
  }
  for (;;) {
    core::Result<std::optional<Reply>> next = connection.parser.Next();
    if (!next) {
      out.malformed = next.error();
      co_return out;
    }
    if (*next) {
      out.reply = std::move(**next);
      co_return out;
    }
    connection.stream.expires_at(deadline);
    auto [read_ec, read] = co_await connection.stream.async_read_some(asio::buffer(connection.scratch),
                                                                       asio::as_tuple(asio::use_awaitable));
    if (read_ec) {
      out.ec = read_ec;
      co_return out;
    }
    out.got_bytes = true;
    connection.parser.Feed(std::string_view(connection.scratch.data(), read));
  }
}

bool IsPeerClosed(boost::system::error_code ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

// Error replies that mean "Redis is there but cannot serve now": the caller
// treats them as an outage. The second element: drop the connection, since a
// failover may have moved the primary behind the same name.
std::optional<bool> UnavailableReply(std::string_view message) {
  if (message.starts_with("READONLY") || message.starts_with("MASTERDOWN")) {
    return true;
  }
  if (message.starts_with("LOADING") || message.starts_with("BUSY") || message.starts_with("TRYAGAIN")) {
    return false;
  }
  return std::nullopt;
}

// Asio runs getaddrinfo on a helper thread and cannot abandon it, so the
// lookup keeps its own state and we stop waiting at the deadline (as
// http::internal::Connect does).
struct ResolveState {
  explicit ResolveState(const asio::any_io_executor& executor) : resolver(executor), wake(executor) {}
  tcp::resolver resolver;
  asio::steady_timer wake;
  bool done = false;
  boost::system::error_code ec;
  tcp::resolver::results_type results;
};

}  // namespace

// The state behind a Client, shared with the coroutines of its calls.
class ClientImpl : public std::enable_shared_from_this<ClientImpl> {
 public:
  ClientImpl(asio::any_io_executor executor, ClientOptions options)
      : executor_(std::move(executor)), options_(std::move(options)) {
    options_.max_connections = std::max<std::size_t>(options_.max_connections, 1);
    core::Result<Endpoint> endpoint = ParseUrl(options_.url);
    if (endpoint) {
      endpoint_ = std::move(*endpoint);
      where_ = "redis at " + endpoint_.Where();
    } else {
      url_error_ = core::Error::Internal(endpoint.error().message());  // a configuration mistake
    }
  }

  std::size_t open() const { return open_; }
  std::size_t idle() const { return idle_.size(); }

  // One command on the wire; an error reply comes back as a Reply.
  static asio::awaitable<core::Result<Reply>> Run(std::shared_ptr<ClientImpl> self, std::string wire);
  // An error reply becomes a core::Error, counted.
  core::Result<Reply> Finish(core::Result<Reply> raw);

 private:
  struct Lease {
    std::unique_ptr<Connection> connection;
    bool reused = false;
  };
  // A call waiting for a connection: given one, or given the right to open one.
  struct Waiter {
    explicit Waiter(const asio::any_io_executor& executor) : wake(executor) {}
    asio::steady_timer wake;
    std::unique_ptr<Connection> connection;
    bool slot = false;
  };

  static asio::awaitable<core::Result<Lease>> Acquire(std::shared_ptr<ClientImpl> self, Clock::time_point deadline);
  static asio::awaitable<core::Result<std::unique_ptr<Connection>>> Connect(std::shared_ptr<ClientImpl> self,
                                                                           Clock::time_point deadline);
  static asio::awaitable<core::Result<tcp::resolver::results_type>> Resolve(std::shared_ptr<ClientImpl> self,
                                                                           Clock::time_point deadline);

  void Release(std::unique_ptr<Connection> connection);
  void FreeSlot();
  void MarkDown(const core::Error& error);
  void MarkUp();
  bool IsDown() const { return Clock::now() < down_until_; }
  core::Error DownError() const {
    return core::Error::Unavailable(where_ + " is unavailable (" + down_reason_ + "); retrying shortly");
  }
  core::Error Transport(boost::system::error_code ec, std::string_view during, milliseconds timeout) const {
    if (ec == beast::error::timeout) {
      return core::Error::Unavailable(std::string(during) + " " + where_ + ": timed out after " +
                                      std::to_string(timeout.count()) + " ms");
    }
    if (IsPeerClosed(ec)) {
      return core::Error::Unavailable(std::string(during) + " " + where_ + ": the server closed the connection");
    }
    return core::Error::Unavailable(std::string(during) + " " + where_ + ": " + ec.message());
  }

  asio::any_io_executor executor_;
  ClientOptions options_;
  Endpoint endpoint_;
  std::string where_;  // "redis at host:port"
  std::optional<core::Error> url_error_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;  // idle, in use and being opened
  std::deque<std::shared_ptr<Waiter>> waiters_;
  Clock::time_point down_until_{};
  std::string down_reason_;
  bool reported_down_ = false;
};

void ClientImpl::Release(std::unique_ptr<Connection> connection) {
  if (!waiters_.empty()) {
    std::shared_ptr<Waiter> waiter = std::move(waiters_.front());
    waiters_.pop_front();
    waiter->connection = std::move(connection);
    waiter->wake.cancel();
    return;
  }
  idle_.push_back(std::move(connection));
}

// A connection closed, or one that was to be opened was not: its place goes
// to the first waiter, which opens a new one, or is freed.
void ClientImpl::FreeSlot() {
  if (!waiters_.empty()) {
    std::shared_ptr<Waiter> waiter = std::move(waiters_.front());
    waiters_.pop_front();
    waiter->slot = true;
    waiter->wake.cancel();
    return;
  }
  --open_;
}

void ClientImpl::MarkDown(const core::Error& error) {
  down_reason_ = error.message();
  if (options_.reconnect_backoff.count() > 0) {
    down_until_ = Clock::now() + options_.reconnect_backoff;
  }
  if (!reported_down_) {
    reported_down_ = true;
    Log(Level::kWarn, "redis unavailable", {{"error", error.message()}});
  }
}

void ClientImpl::MarkUp() {
  if (reported_down_) {
    reported_down_ = false;
    Log(Level::kInfo, "redis available again", {{"redis", endpoint_.Where()}});
  }
}

asio::awaitable<core::Result<tcp::resolver::results_type>> ClientImpl::Resolve(std::shared_ptr<ClientImpl> self,
                                                                              Clock::time_point deadline) {
  const Endpoint& endpoint = self->endpoint_;
  boost::system::error_code address_ec;
  const asio::ip::address address = asio::ip::make_address(endpoint.host, address_ec);
  if (!address_ec) {
    co_return tcp::resolver::results_type::create(tcp::endpoint(address, endpoint.port), endpoint.host,
                                                  std::to_string(endpoint.port));
  }
  auto state = std::make_shared<ResolveState>(self->executor_);
  state->wake.expires_at(deadline);
  state->resolver.async_resolve(endpoint.host, std::to_string(endpoint.port), tcp::resolver::numeric_service,
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
  if (!state->done) {
    state->resolver.cancel();
    co_return core::Error::Unavailable("resolving " + endpoint.host + ": " +
                                       (wait_ec ? wait_ec.message() : std::string("timed out")));
  }
  if (state->ec) {
    co_return core::Error::Unavailable("resolving " + endpoint.host + ": " + state->ec.message());
  }
  co_return std::move(state->results);
}

asio::awaitable<core::Result<std::unique_ptr<Connection>>> ClientImpl::Connect(std::shared_ptr<ClientImpl> self,
                                                                              Clock::time_point deadline) {
  const milliseconds timeout = self->options_.connect_timeout;
  core::Result<tcp::resolver::results_type> endpoints = co_await Resolve(self, deadline);
  if (!endpoints) {
    co_return endpoints.error();
  }
  beast::tcp_stream stream(self->executor_);
  stream.expires_at(deadline);
  auto [connect_ec, peer] = co_await stream.async_connect(*endpoints, asio::as_tuple(asio::use_awaitable));
  if (connect_ec) {
    co_return self->Transport(connect_ec, "connecting to", timeout);
  }
  boost::system::error_code option_ec;
  stream.socket().set_option(tcp::no_delay(true), option_ec);
  auto connection = std::make_unique<Connection>(std::move(stream), self->options_.limits);

  // The handshake: AUTH, then SELECT, each answered before the next.
  std::vector<std::vector<std::string>> handshake;
  if (!self->endpoint_.password.empty()) {
    if (self->endpoint_.user.empty()) {
      handshake.push_back({"AUTH", self->endpoint_.password});
    } else {
      handshake.push_back({"AUTH", self->endpoint_.user, self->endpoint_.password});
    }
  }
  if (self->endpoint_.db != 0) {
    handshake.push_back({"SELECT", std::to_string(self->endpoint_.db)});
  }
  for (const std::vector<std::string>& command : handshake) {
    const std::string wire = EncodeCommand(command);
    RoundTrip answer = co_await Exchange(*connection, wire, deadline);
    const std::string during = command[0] == "AUTH" ? "authenticating to" : "selecting the database on";
    if (answer.ec) {
      co_return self->Transport(answer.ec, during, timeout);
    }
    if (answer.malformed) {
      co_return core::Error::Unavailable(during + " " + self->where_ + ": " + answer.malformed->message());
    }
    if (answer.reply.is_error()) {
      co_return core::Error::Internal(during + " " + self->where_ + ": " + answer.reply.string);
    }
  }
  connection->stream.expires_never();
  co_return std::move(connection);
}

asio::awaitable<core::Result<ClientImpl::Lease>> ClientImpl::Acquire(std::shared_ptr<ClientImpl> self,
                                                                    Clock::time_point deadline) {
  bool have_slot = false;  // a waiter handed us a place under max_connections
  for (;;) {
    while (!self->idle_.empty()) {
      std::unique_ptr<Connection> connection = std::move(self->idle_.back());
      self->idle_.pop_back();
      if (connection->LooksReusable()) {
        if (have_slot) {
          self->FreeSlot();
        }
        co_return Lease{std::move(connection), true};
      }
      --self->open_;  // closed by the server while idle
    }
    if (self->IsDown()) {
      if (have_slot) {
        self->FreeSlot();
      }
      co_return self->DownError();
    }
    if (have_slot || self->open_ < self->options_.max_connections) {
      if (!have_slot) {
        ++self->open_;
      }
      const Clock::time_point connect_deadline = std::min(deadline, Clock::now() + self->options_.connect_timeout);
      core::Result<std::unique_ptr<Connection>> connected = co_await Connect(self, connect_deadline);
      if (!connected) {
        RedisMetrics::Get().connect_failures->Increment();
        // A refused AUTH is not an outage, but retrying it at once will not
        // help either: pause all the same.
        self->MarkDown(connected.error());
        self->FreeSlot();
        co_return connected.error();
      }
      RedisMetrics::Get().connects->Increment();
      self->MarkUp();
      co_return Lease{std::move(*connected), false};
    }

    auto waiter = std::make_shared<Waiter>(self->executor_);
    waiter->wake.expires_at(deadline);
    self->waiters_.push_back(waiter);
    co_await waiter->wake.async_wait(asio::as_tuple(asio::use_awaitable));
    if (waiter->connection) {
      co_return Lease{std::move(waiter->connection), true};
    }
    if (waiter->slot) {
      have_slot = true;
      continue;
    }
    // Timed out (or cancelled) while still queued.
    std::erase(self->waiters_, waiter);
    co_return core::Error::Unavailable("waiting for a free connection to " + self->where_ + ": timed out after " +
                                       std::to_string(self->options_.command_timeout.count()) + " ms");
  }
}

asio::awaitable<core::Result<Reply>> ClientImpl::Run(std::shared_ptr<ClientImpl> self, std::string wire) {
  if (self->url_error_) {
    co_return *self->url_error_;
  }
  if (self->IsDown()) {
    co_return self->DownError();
  }
  const milliseconds timeout = self->options_.command_timeout;
  const Clock::time_point deadline = Clock::now() + timeout;
  for (bool retried = false;; retried = true) {
    core::Result<Lease> lease = co_await Acquire(self, deadline);
    if (!lease) {
      co_return lease.error();
    }
    RoundTrip answer = co_await Exchange(*lease->connection, wire, deadline);
    if (!answer.ec && !answer.malformed) {
      Reply reply = std::move(answer.reply);
      std::optional<bool> drop;
      if (reply.is_error()) {
        drop = UnavailableReply(reply.string);
      }
      if (drop.value_or(false) || !lease->connection->parser.idle()) {
        lease->connection.reset();  // idle() false: bytes nobody asked for; the framing is off
        self->FreeSlot();
      } else {
        self->Release(std::move(lease->connection));
      }
      co_return reply;
    }
    lease->connection.reset();
    self->FreeSlot();
    if (answer.malformed) {
      co_return core::Error::Unavailable(self->where_ + " sent a malformed reply: " + answer.malformed->message());
    }
    // The keep-alive race (see client.h): a pooled connection the server had
    // closed, and not a byte of a reply came back.
    if (lease->reused && !retried && !answer.got_bytes && IsPeerClosed(answer.ec)) {
      continue;
    }
    core::Error error = self->Transport(answer.ec, "calling", timeout);
    if (answer.ec == beast::error::timeout) {
      self->MarkDown(error);
    }
    co_return error;
  }
}

core::Result<Reply> ClientImpl::Finish(core::Result<Reply> raw) {
  RedisMetrics& metrics = RedisMetrics::Get();
  if (!raw) {
    metrics.unavailable->Increment();
    return raw;
  }
  if (!raw->is_error()) {
    metrics.ok->Increment();
    return raw;
  }
  if (UnavailableReply(raw->string)) {
    metrics.unavailable->Increment();
    return core::Error::Unavailable(where_ + ": " + raw->string);
  }
  metrics.error_reply->Increment();
  return core::Error::Internal(where_ + ": " + raw->string);
}

namespace {

asio::awaitable<core::Result<Reply>> RunCommand(std::shared_ptr<ClientImpl> impl, std::string wire) {
  core::Result<Reply> raw = co_await ClientImpl::Run(impl, std::move(wire));
  co_return impl->Finish(std::move(raw));
}

std::vector<std::string> ScriptCall(std::string verb, std::string script, std::vector<std::string>& keys,
                                    std::vector<std::string>& args) {
  std::vector<std::string> command;
  command.reserve(3 + keys.size() + args.size());
  command.push_back(std::move(verb));
  command.push_back(std::move(script));
  command.push_back(std::to_string(keys.size()));
  command.insert(command.end(), keys.begin(), keys.end());
  command.insert(command.end(), args.begin(), args.end());
  return command;
}

asio::awaitable<core::Result<Reply>> RunScript(std::shared_ptr<ClientImpl> impl, Script script,
                                               std::vector<std::string> keys, std::vector<std::string> args) {
  core::Result<Reply> raw =
      co_await ClientImpl::Run(impl, EncodeCommand(ScriptCall("EVALSHA", script.sha1(), keys, args)));
  if (raw && raw->is_error() && raw->string.starts_with("NOSCRIPT")) {
    // Redis lost its script cache (restart, failover, SCRIPT FLUSH). EVAL
    // runs the script and caches it again for the next EVALSHA.
    raw = co_await ClientImpl::Run(impl, EncodeCommand(ScriptCall("EVAL", script.source(), keys, args)));
  }
  co_return impl->Finish(std::move(raw));
}

}  // namespace
}  // namespace internal

Client::Client(asio::any_io_executor executor, ClientOptions options)
    : impl_(std::make_shared<internal::ClientImpl>(std::move(executor), std::move(options))) {}

Client::~Client() = default;

// Not coroutines themselves: the calls hold the shared state, never `this`.
asio::awaitable<core::Result<Reply>> Client::Command(std::vector<std::string> args) {
  return internal::RunCommand(impl_, EncodeCommand(args));
}

asio::awaitable<core::Result<Reply>> Client::EvalSha(Script script, std::vector<std::string> keys,
                                                    std::vector<std::string> args) {
  return internal::RunScript(impl_, std::move(script), std::move(keys), std::move(args));
}

std::size_t Client::open_connections() const { return impl_->open(); }
std::size_t Client::idle_connections() const { return impl_->idle(); }

// ---- one Client per io_context ----

namespace {

// Owns the Clients of one io_context, for every ClientPool, and destroys them
// at the io_context's shutdown, while its sockets can still be closed.
class PoolService : public asio::execution_context::service {
 public:
  static asio::execution_context::id id;

  explicit PoolService(asio::execution_context& context) : asio::execution_context::service(context) {}

  std::unordered_map<std::uint64_t, std::unique_ptr<Client>> clients;

 private:
  void shutdown() override { clients.clear(); }
};

asio::execution_context::id PoolService::id;

std::atomic<std::uint64_t> next_pool_id{1};

}  // namespace

ClientPool::ClientPool(ClientOptions options)
    : options_(std::move(options)), id_(next_pool_id.fetch_add(1, std::memory_order_relaxed)) {}

ClientPool::~ClientPool() = default;

Client& ClientPool::For(const asio::any_io_executor& executor) {
  asio::execution_context& context = asio::query(executor, asio::execution::context);
  PoolService& service = asio::use_service<PoolService>(context);
  std::unique_ptr<Client>& client = service.clients[id_];
  if (!client) {
    client = std::make_unique<Client>(executor, options_);
  }
  return *client;
}

}  // namespace strata::redis
