#include "http/server.h"

#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/write.hpp>

#include "http/internal/worker.h"
#include "observability/log.h"

namespace strata::http {

using internal::Worker;
using tcp = asio::ip::tcp;
using observability::Level;
using observability::Log;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

core::Result<tcp::endpoint> ResolveListenAddress(const std::string& host, std::uint16_t port) {
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(host, ec);
  if (!ec) return tcp::endpoint(address, port);
  asio::io_context io;
  tcp::resolver resolver(io);
  auto results = resolver.resolve(host, std::to_string(port), tcp::resolver::passive, ec);
  if (ec || results.empty()) {
    return core::Error::InvalidRequest("cannot resolve listen host '" + host + "': " + ec.message());
  }
  return results.begin()->endpoint();
}

core::Result<std::unique_ptr<asio::ssl::context>> MakeTlsContext(const ServerTlsOptions& tls) {
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  boost::system::error_code ec;
  context->use_certificate_chain_file(tls.cert_file, ec);
  if (ec) return core::Error::InvalidRequest("cannot load TLS certificate " + tls.cert_file + ": " + ec.message());
  context->use_private_key_file(tls.key_file, asio::ssl::context::pem, ec);
  if (ec) return core::Error::InvalidRequest("cannot load TLS key " + tls.key_file + ": " + ec.message());
  return context;
}

// Every worker binds its own socket to the same address; the kernel spreads
// new connections across them (SO_REUSEPORT), so workers share nothing.
core::Status Listen(Worker& worker, const tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  tcp::acceptor& acceptor = worker.acceptor.emplace(worker.io);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) {
    const int one = 1;
    if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
      ec.assign(errno, boost::system::system_category());
    }
  }
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return core::Error::Unavailable("cannot listen on " + endpoint.address().to_string() + ":" +
                                    std::to_string(endpoint.port()) + ": " + ec.message());
  }
  return core::Status();
}

// Past max_connections a connection gets a 503 and is closed, so the client
// learns why instead of seeing a bare reset.
asio::awaitable<void> RefuseConnection(tcp::socket socket, bool tls) {
  if (!tls) {
    Response response = ErrorResponse(core::Error::Unavailable("the server has too many open connections"));
    response.set(beast_http::field::server, "strata");
    response.keep_alive(false);
    response.prepare_payload();
    co_await beast_http::async_write(socket, response, kUseTuple);
  }
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

asio::awaitable<void> AcceptLoop(Worker& worker) {
  auto& metrics = internal::ServerMetrics::Get();
  asio::steady_timer backoff(worker.io);
  while (true) {
    auto [ec, socket] = co_await worker.acceptor->async_accept(kUseTuple);
    if (ec) {
      if (worker.draining || ec == asio::error::operation_aborted) co_return;
      // Out of file descriptors or similar: wait instead of spinning.
      Log(Level::kWarn, "accept failed", {{"error", ec.message()}});
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(kUseTuple);
      continue;
    }
    if (worker.open_connections.load(std::memory_order_relaxed) >= worker.options.max_connections) {
      metrics.refused_connections->Increment();
      asio::co_spawn(worker.io, RefuseConnection(std::move(socket), worker.tls != nullptr), asio::detached);
      continue;
    }
    metrics.accepted_connections->Increment();
    internal::StartSession(worker, std::move(socket));
  }
}

void BeginDrain(Worker& worker, std::chrono::milliseconds grace) {
  worker.draining = true;
  if (worker.acceptor) {
    boost::system::error_code ignored;
    worker.acceptor->close(ignored);
  }
  const std::vector<internal::SessionBase*> sessions(worker.sessions.begin(), worker.sessions.end());
  for (internal::SessionBase* session : sessions) session->Drain();
  if (worker.sessions.empty()) return;
  worker.grace_timer.emplace(worker.io, grace);
  worker.grace_timer->async_wait([&worker](boost::system::error_code ec) {
    if (ec) return;  // every session finished in time
    Log(Level::kWarn, "shutdown grace period over; closing connections",
        {{"connections", static_cast<std::uint64_t>(worker.sessions.size())}});
    const std::vector<internal::SessionBase*> left(worker.sessions.begin(), worker.sessions.end());
    for (internal::SessionBase* session : left) session->ForceClose();
    // A handler that ignores its closed connection must not hold the process.
    worker.grace_timer->expires_after(std::chrono::seconds(1));
    worker.grace_timer->async_wait([&worker](boost::system::error_code) { worker.io.stop(); });
  });
}

}  // namespace

namespace {
thread_local Client* current_worker_client = nullptr;
}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, Router router, ClientOptions upstream)
      : options_(std::move(options)), router_(std::move(router)), upstream_(std::move(upstream)) {}

  core::Result<std::uint16_t> Start() {
    core::Result<tcp::endpoint> endpoint = ResolveListenAddress(options_.host, options_.port);
    if (!endpoint) return endpoint.error();
    if (options_.tls.enabled()) {
      auto tls = MakeTlsContext(options_.tls);
      if (!tls) return tls.error();
      tls_ = std::move(*tls);
    }
    unsigned count = options_.workers != 0 ? options_.workers : std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < count; ++i) {
      auto& worker = workers_.emplace_back(std::make_unique<Worker>(options_, router_, tls_.get(), open_connections_, upstream_));
      core::Status listening = Listen(*worker, *endpoint);
      if (!listening) return listening.error();
      if (i == 0) endpoint->port(worker->acceptor->local_endpoint().port());  // port 0: all bind the one chosen
    }
    port_ = endpoint->port();
    for (auto& worker : workers_) {
      asio::co_spawn(worker->io, AcceptLoop(*worker), asio::detached);
      worker->thread = std::thread([&worker = *worker] {
        current_worker_client = &worker.client;
        worker.io.run();
      });
    }
    return port_;
  }

  void Stop() {
    if (stopping_.exchange(true)) return;
    for (auto& worker : workers_) {
      asio::post(worker->io, [&worker = *worker, grace = options_.shutdown_grace] { BeginDrain(worker, grace); });
    }
  }

  void Wait() {
    for (auto& worker : workers_) {
      if (worker->thread.joinable()) worker->thread.join();
    }
  }

  ~Impl() {
    Stop();
    Wait();
  }

  std::uint16_t port() const { return port_; }
  std::size_t open_connections() const { return open_connections_.load(); }

 private:
  const ServerOptions options_;
  const Router router_;
  const ClientOptions upstream_;
  std::unique_ptr<asio::ssl::context> tls_;
  std::atomic<std::size_t> open_connections_{0};
  std::atomic<bool> stopping_{false};
  std::uint16_t port_ = 0;
  std::vector<std::unique_ptr<Worker>> workers_;
};

Server::Server(ServerOptions options, Router router, ClientOptions upstream)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router), std::move(upstream))) {}
Server::~Server() = default;
core::Result<std::uint16_t> Server::Start() { return impl_->Start(); }
void Server::Stop() { impl_->Stop(); }
void Server::Wait() { impl_->Wait(); }
std::uint16_t Server::port() const { return impl_->port(); }
std::size_t Server::open_connections() const { return impl_->open_connections(); }

Client& WorkerClient() {
  if (current_worker_client == nullptr) {
    Log(Level::kError, "WorkerClient() called off a server worker thread");
    std::abort();
  }
  return *current_worker_client;
}

Response ErrorResponse(const core::Error& error, unsigned version) {
  Response response(static_cast<beast_http::status>(error.HttpStatus()), version);
  response.set(beast_http::field::content_type, "application/json");
  if (error.retry_after()) response.set(beast_http::field::retry_after, std::to_string(error.retry_after()->count()));
  // The official SDKs retry every 429 unless told not to; a spent budget stays spent.
  if (error.code() == core::ErrorCode::kBudgetExceeded) response.set("x-should-retry", "false");
  response.body() = error.ToJson();
  return response;
}

}  // namespace strata::http
