// One HTTP/1.1 connection: read a request, dispatch it, answer, repeat.
//
// Deadlines come from a per-session watchdog that *cancels* the socket's
// pending operation instead of closing it (as beast::tcp_stream would), so a
// client that is too slow still gets a 408 before the connection closes.
#include <array>
#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "core/ids.h"
#include "http/internal/limits.h"
#include "http/internal/wire.h"
#include "http/internal/worker.h"
#include "http/sse.h"
#include "observability/log.h"

namespace strata::http::internal {
namespace {

namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using observability::Level;
using observability::Log;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadSize = 16 * 1024;
constexpr auto kRefusalWriteTimeout = std::chrono::seconds(2);
constexpr auto kLingerTimeout = std::chrono::seconds(1);
constexpr std::size_t kLingerMaxBytes = 1024 * 1024;

tcp::socket& Lowest(tcp::socket& socket) { return socket; }
tcp::socket& Lowest(asio::ssl::stream<tcp::socket>& stream) { return stream.next_layer(); }

template <class Stream>
constexpr bool kIsTls = !std::is_same_v<Stream, tcp::socket>;

core::Error WriteFailed(boost::system::error_code ec) {
  return core::Error::Unavailable("the client connection failed: " + ec.message());
}

template <class Stream>
class Session final : public SessionBase, public Responder, public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Worker& worker, Stream stream)
      : worker_(worker),
        stream_(std::move(stream)),
        timer_(worker.io, Clock::time_point::max()),
        watch_done_(worker.io, Clock::time_point::max()) {
    registration_ = worker_.sessions.insert(worker_.sessions.end(), this);
    boost::system::error_code ec;
    const auto peer = Lowest(stream_).remote_endpoint(ec);
    if (!ec) client_address_ = peer.address().to_string();
    worker_.open_connections.fetch_add(1, std::memory_order_relaxed);
    ServerMetrics::Get().open_connections->Add(1);
  }

  ~Session() override {
    worker_.sessions.erase(registration_);
    worker_.open_connections.fetch_sub(1, std::memory_order_relaxed);
    ServerMetrics::Get().open_connections->Add(-1);
    if (worker_.draining && worker_.sessions.empty() && worker_.grace_timer) worker_.grace_timer->cancel();
  }

  static asio::awaitable<void> Run(std::shared_ptr<Session> self) {
    asio::co_spawn(self->worker_.io, Watchdog(self), asio::detached);
    std::exception_ptr escaped;
    try {
      co_await self->Serve();
    } catch (...) {
      escaped = std::current_exception();
    }
    if (escaped) {
      ServerMetrics::Get().handler_exceptions->Increment();
      Log(Level::kError, "http session failed", {{"error", DescribeException(escaped)}});
    }
    co_await self->Close();
    self->finished_ = true;
    self->timer_.cancel();
  }

  // SessionBase
  void Drain() override {
    if (idle_) {
      boost::system::error_code ignored;
      Lowest(stream_).cancel(ignored);
    }
  }

  void ForceClose() override {
    boost::system::error_code ignored;
    Lowest(stream_).close(ignored);
    MarkClientGone();
  }

  // Responder
  asio::awaitable<core::Status> Send(Response response) override {
    if (state_ != ReplyState::kNone) co_return core::Error::Internal("a response was already sent");
    response.set(beast_http::field::server, "strata");
    response.set("x-request-id", request_id_);
    keep_alive_ = keep_alive_ && !worker_.draining;
    response.keep_alive(keep_alive_);
    response.prepare_payload();
    status_ = response.result_int();
    state_ = ReplyState::kDone;
    const std::string head = WireHead(response.base());
    SetDeadline(worker_.options.idle_timeout);
    auto [ec, written] = co_await asio::async_write(stream_, WireBuffers(head, response.body()), kUseTuple);
    ClearDeadline();
    if (ec) {
      aborted_ = true;
      co_return WriteFailed(ec);
    }
    bytes_sent_ += response.body().size();
    co_return core::Status();
  }

  asio::awaitable<core::Status> StartEvents(Response head) override {
    if (state_ != ReplyState::kNone) co_return core::Error::Internal("a response was already sent");
    if constexpr (kIsTls<Stream>) keep_alive_ = false;  // it will be watched: see WatchClient()
    beast_http::response<beast_http::empty_body> response(std::move(head.base()));
    if (response[beast_http::field::content_type].empty()) {
      response.set(beast_http::field::content_type, "text/event-stream");
    }
    response.set(beast_http::field::cache_control, "no-cache");
    response.set(beast_http::field::server, "strata");
    response.set("x-request-id", request_id_);
    keep_alive_ = keep_alive_ && !worker_.draining;
    response.keep_alive(keep_alive_);
    response.chunked(true);
    status_ = response.result_int();
    state_ = ReplyState::kStreaming;
    beast_http::response_serializer<beast_http::empty_body> serializer(response);
    SetDeadline(worker_.options.idle_timeout);
    auto [ec, written] = co_await beast_http::async_write_header(stream_, serializer, kUseTuple);
    ClearDeadline();
    if (ec) {
      aborted_ = true;
      MarkClientGone();
      co_return WriteFailed(ec);
    }
    WatchClient();
    co_return core::Status();
  }

  void WatchClient() override {
    if (watcher_running_ || state_ == ReplyState::kDone) return;
    // Cancelling a TLS read mid-record is not safe to resume from, so a TLS
    // connection that was watched closes afterwards instead of being reused.
    if constexpr (kIsTls<Stream>) keep_alive_ = false;
    watching_ = true;
    watcher_running_ = true;
    if constexpr (kIsTls<Stream>) {
      asio::co_spawn(worker_.io, WatchConnection(this->shared_from_this()), asio::detached);
    } else {
      AwaitReadable();
    }
  }

  asio::awaitable<core::Status> SendEvent(std::string_view data, std::string_view name) override {
    const std::string event = FormatSseEvent(data, name);
    co_return co_await SendChunk(event);
  }

  asio::awaitable<core::Status> SendChunk(std::string_view bytes) override {
    if (state_ != ReplyState::kStreaming) co_return core::Error::Internal("no event stream was started");
    if (client_gone_) co_return core::Error::Unavailable("the client disconnected");
    if (bytes.empty()) co_return core::Status();  // an empty chunk would end the stream
    SetDeadline(worker_.options.idle_timeout);
    auto [ec, written] = co_await asio::async_write(stream_, beast_http::make_chunk(asio::buffer(bytes)), kUseTuple);
    ClearDeadline();
    if (ec) {
      aborted_ = true;
      MarkClientGone();
      co_return WriteFailed(ec);
    }
    bytes_sent_ += bytes.size();
    co_return core::Status();
  }

  asio::awaitable<core::Status> FinishEvents() override {
    if (state_ != ReplyState::kStreaming) co_return core::Error::Internal("no event stream was started");
    state_ = ReplyState::kDone;
    if (client_gone_) co_return core::Error::Unavailable("the client disconnected");
    SetDeadline(worker_.options.idle_timeout);
    auto [ec, written] = co_await asio::async_write(stream_, beast_http::make_chunk_last(), kUseTuple);
    ClearDeadline();
    if (ec) {
      aborted_ = true;
      MarkClientGone();
      co_return WriteFailed(ec);
    }
    co_return core::Status();
  }

  bool ClientGone() const override { return client_gone_; }

  void OnClientGone(std::function<void()> callback) override {
    if (!callback) {
      on_client_gone_ = nullptr;
    } else if (client_gone_) {
      callback();
    } else {
      on_client_gone_ = std::move(callback);
    }
  }

  void Abort() override {
    aborted_ = true;
    // Linger 0 makes close() send a reset, which is what "the connection broke" looks like.
    boost::system::error_code ignored;
    Lowest(stream_).set_option(asio::socket_base::linger(true, 0), ignored);
    Lowest(stream_).close(ignored);
  }

  const std::string& request_id() const override { return request_id_; }
  std::string_view client_address() const override { return client_address_; }
  void SetTraceContext(std::string_view trace_id, std::string_view span_id) override {
    trace_id_.assign(trace_id);
    span_id_.assign(span_id);
  }
  std::string_view route() const override { return route_; }

  std::string_view PathParam(std::string_view name) const override {
    for (const auto& [key, value] : params_) {
      if (key == name) return value;
    }
    return {};
  }

 private:
  enum class ReplyState { kNone, kStreaming, kDone };

  asio::awaitable<void> Serve() {
    const ServerOptions& options = worker_.options;
    if constexpr (kIsTls<Stream>) {
      SetDeadline(options.header_timeout);
      auto [ec] = co_await stream_.async_handshake(asio::ssl::stream_base::server, kUseTuple);
      ClearDeadline();
      if (ec) co_return;
    }
    bool first = true;
    while (!worker_.draining) {
      if (buffer_.size() == 0) {
        idle_ = true;
        SetDeadline(first ? options.header_timeout : options.idle_timeout);
        auto [ec, received] = co_await stream_.async_read_some(buffer_.prepare(kReadSize), kUseTuple);
        ClearDeadline();
        idle_ = false;
        if (ec) co_return;  // idle timeout, the client left, or drain: close quietly
        buffer_.commit(received);
      }
      first = false;
      if (!co_await ServeOneRequest()) co_return;
    }
  }

  // Reads, dispatches and answers one request. False: close the connection.
  asio::awaitable<bool> ServeOneRequest() {
    const ServerOptions& options = worker_.options;
    started_ = Clock::now();
    timed_out_ = false;
    RequestParser parser;
    ConfigureParser(parser, options);
    SetDeadline(options.header_timeout);
    auto [ec, received] = co_await beast_http::async_read_header(stream_, buffer_, parser, kUseTuple);
    if (!ec && !parser.is_done()) {
      if (beast::iequals(parser.get()[beast_http::field::expect], "100-continue")) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        auto [write_ec, written] = co_await asio::async_write(stream_, asio::buffer(kContinue), kUseTuple);
        ec = write_ec;
      }
      if (!ec) {
        SetDeadline(options.body_timeout);
        auto [body_ec, body_received] = co_await beast_http::async_read(stream_, buffer_, parser, kUseTuple);
        ec = body_ec;
      }
    }
    ClearDeadline();
    if (ec) {
      if (std::optional<core::Error> refusal = RefusalFor(ec, timed_out_)) co_await Refuse(*refusal);
      co_return false;
    }
    Request request = parser.release();
    co_await Dispatch(request);
    co_return keep_alive_ && !aborted_ && !worker_.draining;
  }

  asio::awaitable<void> Dispatch(Request& request) {
    state_ = ReplyState::kNone;
    status_ = 0;
    bytes_sent_ = 0;
    client_gone_ = false;
    on_client_gone_ = nullptr;
    trace_id_.clear();
    span_id_.clear();
    const std::string_view client_id = request["x-request-id"];
    request_id_ = core::IsAcceptableRequestId(client_id) ? std::string(client_id) : core::NewRequestId();
    keep_alive_ = request.keep_alive() && !worker_.draining;

    Router::Match match = worker_.router.Find(request.method(), request.target());
    route_ = match.handler ? match.pattern : std::string_view("unmatched");
    params_ = std::move(match.params);
    if (!match.handler) {
      const core::Error error =
          match.method_not_allowed
              ? core::Error(core::ErrorCode::kMethodNotAllowed, "method not allowed on this path")
              : core::Error::NotFound("no route for " + std::string(request.target().substr(0, 256)));
      co_await Send(ErrorResponse(error, request.version()));
    } else {
      std::exception_ptr escaped;
      try {
        co_await (*match.handler)(request, *this);
      } catch (...) {
        escaped = std::current_exception();
      }
      if (escaped) {
        ServerMetrics::Get().handler_exceptions->Increment();
        Log(Level::kError, "handler failed",
            {{"route", route_}, {"request_id", request_id_}, {"error", DescribeException(escaped)}});
      }
      if (state_ == ReplyState::kNone && !aborted_) {
        if (!escaped) {
          Log(Level::kError, "handler sent no response", {{"route", route_}, {"request_id", request_id_}});
        }
        co_await Send(ErrorResponse(core::Error::Internal("internal error"), request.version()));
      } else if (state_ == ReplyState::kStreaming) {
        // A stream cut short by a failure must not look complete to the client.
        if (escaped) aborted_ = true;
        else co_await FinishEvents();
      }
    }
    if (watcher_running_) co_await StopWatchingClient();
    on_client_gone_ = nullptr;  // it may point into the finished handler's frame
    Record(request);
  }

  // Answers a request the server could not read (too large, too slow,
  // malformed) and lets the connection close.
  asio::awaitable<void> Refuse(const core::Error& error) {
    request_id_ = core::NewRequestId();
    route_ = "unmatched";
    Response response = ErrorResponse(error);
    response.set(beast_http::field::server, "strata");
    response.set("x-request-id", request_id_);
    response.keep_alive(false);
    response.prepare_payload();
    status_ = response.result_int();
    bytes_sent_ = response.body().size();
    timed_out_ = false;
    SetDeadline(kRefusalWriteTimeout);
    co_await beast_http::async_write(stream_, response, kUseTuple);
    ClearDeadline();
    Request unknown;
    Record(unknown);
    co_await LingerBeforeClose();
  }

  // Closing a socket with unread input sends a reset, which can destroy the
  // refusal we just wrote before the client reads it. Half-close, then read
  // and discard for a moment, as servers have long done.
  asio::awaitable<void> LingerBeforeClose() {
    if constexpr (!kIsTls<Stream>) {
      boost::system::error_code ignored;
      stream_.shutdown(tcp::socket::shutdown_send, ignored);
      std::array<char, 4096> scratch;
      std::size_t discarded = 0;
      SetDeadline(kLingerTimeout);
      while (discarded < kLingerMaxBytes) {
        auto [ec, received] = co_await stream_.async_read_some(asio::buffer(scratch), kUseTuple);
        if (ec) break;
        discarded += received;
      }
      ClearDeadline();
    }
  }

  asio::awaitable<void> Close() {
    if constexpr (kIsTls<Stream>) {
      if (!aborted_ && Lowest(stream_).is_open()) {
        SetDeadline(std::chrono::seconds(1));
        co_await stream_.async_shutdown(kUseTuple);
        ClearDeadline();
      }
    }
    boost::system::error_code ignored;
    Lowest(stream_).shutdown(tcp::socket::shutdown_both, ignored);
    Lowest(stream_).close(ignored);
  }

  // While watched, the connection is waited on so that a client leaving is
  // noticed at once, even while the handler waits on a slow upstream. Bytes
  // that arrive meanwhile (a pipelined request) are kept for the next read.
  //
  // Plain TCP waits for readability without reading, from a callback rather
  // than a coroutine: a quiet client costs no syscall and no spawn. A stopped
  // watch is not cancelled but left to complete, harmlessly, with the next
  // bytes the client sends; the next read then queues behind it instead of
  // first trying a read that would find nothing (one syscall and one trip
  // through the scheduler fewer per request).
  void AwaitReadable() {
    Lowest(stream_).async_wait(tcp::socket::wait_read,
                               [self = this->shared_from_this(), watch = watch_generation_](boost::system::error_code ec) {
                                 if (watch == self->watch_generation_) self->OnReadable(ec);
                               });
  }

  void OnReadable(boost::system::error_code ec) {
    tcp::socket& socket = Lowest(stream_);
    // Readable with nothing to read is the client's end of stream, or a reset.
    const std::size_t available = ec ? 0 : socket.available(ec);
    if (available > 0) {
      const std::size_t received = socket.read_some(buffer_.prepare(available), ec);
      if (!ec) buffer_.commit(received);
    }
    if (ec || available == 0) {
      watcher_running_ = false;
      if (watching_) MarkClientGone();
      return;
    }
    AwaitReadable();
  }

  // TLS reads through the stream, so records are decrypted in order.
  static asio::awaitable<void> WatchConnection(std::shared_ptr<Session> self) {
    std::array<char, 4096> scratch;
    while (true) {
      auto [ec, received] = co_await self->stream_.async_read_some(asio::buffer(scratch), kUseTuple);
      if (ec) {
        if (self->watching_) self->MarkClientGone();
        break;
      }
      asio::buffer_copy(self->buffer_.prepare(received), asio::buffer(scratch.data(), received));
      self->buffer_.commit(received);
    }
    self->watcher_running_ = false;
    self->watch_done_.cancel();
  }

  asio::awaitable<void> StopWatchingClient() {
    watching_ = false;
    if constexpr (!kIsTls<Stream>) {
      ++watch_generation_;  // the pending wait, when it completes, is ignored
      watcher_running_ = false;
      co_return;
    }
    boost::system::error_code ignored;
    Lowest(stream_).cancel(ignored);
    while (watcher_running_) {
      watch_done_.expires_at(Clock::time_point::max());
      co_await watch_done_.async_wait(kUseTuple);
    }
  }

  void MarkClientGone() {
    if (client_gone_) return;
    client_gone_ = true;
    if (on_client_gone_) {
      std::function<void()> callback = std::move(on_client_gone_);
      on_client_gone_ = nullptr;
      callback();
    }
  }

  // Re-arms the timer only when the new deadline is earlier than the armed one;
  // a later deadline is picked up when the timer fires, which keeps the common
  // case (deadlines moving forward) free of timer operations.
  void SetDeadline(Clock::duration timeout) {
    deadline_ = Clock::now() + timeout;
    if (deadline_ < timer_.expiry()) timer_.expires_at(deadline_);
  }
  void ClearDeadline() { deadline_ = Clock::time_point::max(); }

  static asio::awaitable<void> Watchdog(std::shared_ptr<Session> self) {
    while (!self->finished_) {
      co_await self->timer_.async_wait(kUseTuple);
      if (self->finished_) break;
      if (self->deadline_ <= Clock::now()) {
        self->timed_out_ = true;
        self->deadline_ = Clock::time_point::max();
        boost::system::error_code ignored;
        Lowest(self->stream_).cancel(ignored);
      }
      if (self->timer_.expiry() != self->deadline_) self->timer_.expires_at(self->deadline_);
    }
  }

  void Record(const Request& request) {
    const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_);
    const std::string_view method = request.method_string();
    const std::string status = std::to_string(status_);
    ServerMetrics& metrics = ServerMetrics::Get();
    metrics.requests->WithCached({route_, method, status}).Increment();
    metrics.durations->WithCached({route_, method, status}).Observe(static_cast<double>(elapsed.count()) / 1e6);
    if (observability::AccessLogEnabled()) {
      // The query string is left out: it may carry credentials.
      const std::string_view target = request.target();
      const std::string_view path = target.substr(0, std::min<std::size_t>(target.find('?'), 1024));
      const observability::Field fields[] = {
          {"method", method},         {"path", path},
          {"route", route_},          {"status", status_},
          {"bytes", bytes_sent_},     {"latency_us", elapsed.count()},
          {"request_id", request_id_}, {"client_gone", client_gone_},
          {"trace_id", trace_id_},    {"span_id", span_id_},
      };
      // trace_id and span_id (the last two) only when the handler traced the
      // request; a span id only comes with a trace id.
      const std::size_t traced = trace_id_.empty() ? 0 : span_id_.empty() ? 1 : 2;
      Log(Level::kInfo, "access", std::span(fields, std::size(fields) - 2 + traced));
    }
  }

  static std::string DescribeException(std::exception_ptr escaped) {
    try {
      std::rethrow_exception(escaped);
    } catch (const std::exception& e) {
      return e.what();
    } catch (...) {
      return "unknown exception";
    }
  }

  Worker& worker_;
  Stream stream_;
  beast::flat_buffer buffer_;  // persists across requests: it may hold the next pipelined one
  asio::steady_timer timer_;
  Clock::time_point deadline_ = Clock::time_point::max();
  std::list<SessionBase*>::iterator registration_;
  bool timed_out_ = false;
  bool finished_ = false;
  bool idle_ = false;
  bool aborted_ = false;
  std::string client_address_;

  // The request being served.
  Clock::time_point started_;
  std::string request_id_;
  std::string trace_id_;  // SetTraceContext; empty: not traced
  std::string span_id_;
  std::string_view route_ = "unmatched";
  std::vector<std::pair<std::string_view, std::string_view>> params_;
  ReplyState state_ = ReplyState::kNone;
  bool keep_alive_ = true;
  int status_ = 0;
  std::size_t bytes_sent_ = 0;

  // Client watching during a stream.
  bool watching_ = false;
  bool watcher_running_ = false;
  std::uint64_t watch_generation_ = 0;  // plain TCP: which wait is the live one
  bool client_gone_ = false;
  std::function<void()> on_client_gone_;
  asio::steady_timer watch_done_;
};

template <class Stream>
void Spawn(Worker& worker, Stream stream) {
  auto session = std::make_shared<Session<Stream>>(worker, std::move(stream));
  asio::co_spawn(worker.io, Session<Stream>::Run(std::move(session)), [](std::exception_ptr escaped) {
    if (escaped) ServerMetrics::Get().handler_exceptions->Increment();
  });
}

}  // namespace

void StartSession(Worker& worker, tcp::socket socket) {
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (worker.tls != nullptr) {
    Spawn(worker, asio::ssl::stream<tcp::socket>(std::move(socket), *worker.tls));
  } else {
    Spawn(worker, std::move(socket));
  }
}

ServerMetrics& ServerMetrics::Get() {
  static ServerMetrics* metrics = [] {
    auto& registry = observability::DefaultRegistry();
    return new ServerMetrics{
        &registry.AddCounter("strata_http_requests_total", "HTTP requests answered, by route, method and status.",
                             {"route", "method", "status"}),
        &registry.AddHistogram("strata_http_request_duration_seconds",
                               "Time from the first byte of a request to the end of its response.",
                               {"route", "method", "status"}),
        &registry.AddGauge("strata_http_open_connections", "Client connections open now.").With({}),
        &registry.AddCounter("strata_http_connections_total", "Client connections accepted.").With({}),
        &registry.AddCounter("strata_http_refused_connections_total",
                             "Connections refused because max_connections was reached.")
             .With({}),
        &registry.AddCounter("strata_http_handler_exceptions_total", "Exceptions that escaped a handler.")
             .With({}),
    };
  }();
  return *metrics;
}

}  // namespace strata::http::internal
