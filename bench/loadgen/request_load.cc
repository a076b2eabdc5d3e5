#include "loadgen/request_load.h"

#include <chrono>
#include <limits>
#include <memory>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

namespace strata::loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

struct Connection {
  explicit Connection(asio::io_context& io) : stream(io), pause(io) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  asio::steady_timer pause;  // the worker's sleep until its next request is due
  bool open = false;
};

class RequestLoad {
 public:
  RequestLoad(asio::io_context& io, const Options& options, tcp::resolver::results_type endpoints)
      : io_(io),
        options_(options),
        endpoints_(std::move(endpoints)),
        request_(SerializeRequest(options.request)),
        timeout_(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.timeout_s))),
        open_loop_(options.rate > 0),
        schedule_(open_loop_ ? options.rate : 1.0),
        record_from_(static_cast<Nanos>(options.warmup_s * kNanosPerSecond)),
        end_(record_from_ + static_cast<Nanos>(options.duration_s * kNanosPerSecond)),
        total_(open_loop_ ? schedule_.CountBefore(end_) : 0),
        spin_(static_cast<Nanos>(options.spin_us * 1000)),
        stats_(record_from_, static_cast<Nanos>(options.late_threshold_ms * kNanosPerMilli)),
        drain_timer_(io) {
    connection_count_ = options.connections > 0 ? options.connections : (open_loop_ ? 16 : 1);
  }

  int connection_count() const { return connection_count_; }
  const RequestStats& stats() const { return stats_; }

  asio::awaitable<void> Start() {
    for (int i = 0; i < connection_count_; ++i) {
      connections_.push_back(std::make_unique<Connection>(io_));
      co_await Connect(*connections_.back());  // a failure is retried on first use
    }
    t0_ = Clock::now() + std::chrono::milliseconds(1);
    workers_left_ = connection_count_;
    for (int i = 0; i < connection_count_; ++i) {
      asio::co_spawn(io_, Worker(i), asio::detached);
    }
    asio::co_spawn(io_, Drain(), asio::detached);
  }

 private:
  Nanos Now() const { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0_).count(); }
  Clock::time_point At(Nanos t) const { return t0_ + std::chrono::nanoseconds(t); }

  asio::awaitable<bool> Connect(Connection& connection) {
    connection.stream.close();
    connection.buffer.clear();
    connection.stream.expires_after(timeout_);
    auto [ec, endpoint] = co_await connection.stream.async_connect(endpoints_, kAsTuple);
    connection.open = !ec;
    if (!ec) {
      connection.stream.socket().set_option(tcp::no_delay(true), ec);
    }
    co_return connection.open;
  }

  // Sleeps until `due`. Within --spin-us of it, polls instead: a timer wakes
  // a sleeping thread tens of µs late on some machines (VMs especially), and
  // in open loop every µs of that lag is measured as latency. Each poll goes
  // through the io_context's queue, so ready I/O is served meanwhile.
  asio::awaitable<void> WaitUntil(Connection& connection, Nanos due) {
    if (due - Now() > spin_) {
      connection.pause.expires_at(At(due - spin_));
      co_await connection.pause.async_wait(kAsTuple);
    }
    while (Now() < due && !stopped_) {
      co_await asio::post(io_, asio::use_awaitable);
    }
  }

  // Open loop: a free connection claims the next request of the schedule and
  // sends it at its due time, or at once if that has passed (all connections
  // were busy: it is late, and its latency still counts from its due time).
  // Closed loop: back to back until the end.
  asio::awaitable<void> Worker(int index) {
    Connection& connection = *connections_[index];
    while (!stopped_) {
      Nanos scheduled = 0;
      if (open_loop_) {
        if (next_ >= total_) {
          break;
        }
        scheduled = schedule_.Due(next_++);
        co_await WaitUntil(connection, scheduled);
        if (stopped_) {
          stats_.RecordUnfinished(scheduled);
          break;
        }
      } else {
        scheduled = Now();
        if (scheduled >= end_) {
          break;
        }
      }
      co_await Exchange(connection, scheduled);
    }
    if (--workers_left_ == 0) {
      drain_timer_.cancel();
    }
  }

  // Sends one request and reads its answer, recording the outcome.
  asio::awaitable<void> Exchange(Connection& connection, Nanos scheduled) {
    RequestTiming timing{.scheduled = scheduled, .sent = Now()};
    for (int attempt = 0;; ++attempt) {
      const bool reused = connection.open;
      if (!connection.open) {
        const bool connected = co_await Connect(connection);
        if (!connected) {
          timing.done = Now();
          Finish(timing, RequestOutcome::kTransportError, 0);
          if (!open_loop_) {  // do not spin against a target that is down
            connection.pause.expires_after(std::chrono::milliseconds(10));
            co_await connection.pause.async_wait(kAsTuple);
          }
          co_return;
        }
      }
      connection.stream.expires_after(timeout_);
      auto [write_ec, written] = co_await asio::async_write(connection.stream, asio::buffer(request_), kAsTuple);
      http::response_parser<http::string_body> parser;
      parser.body_limit(std::numeric_limits<std::uint64_t>::max());
      parser.skip(options_.request.method == "HEAD");
      boost::system::error_code ec = write_ec;
      if (!ec) {
        auto [read_ec, read] = co_await http::async_read(connection.stream, connection.buffer, parser, kAsTuple);
        ec = read_ec;
      }
      timing.done = Now();
      if (ec) {
        connection.open = false;
        connection.stream.close();
        if (reused && attempt == 0 && !parser.got_some() && !stopped_ && ec != beast::error::timeout) {
          continue;  // the server had closed the idle connection: once more, on a new one
        }
        Finish(timing, ec == beast::error::timeout ? RequestOutcome::kTimeout : RequestOutcome::kTransportError, 0);
        co_return;
      }
      if (!parser.get().keep_alive()) {
        connection.open = false;
        connection.stream.close();
      }
      Finish(timing, RequestOutcome::kResponse, parser.get().result_int());
      co_return;
    }
  }

  void Finish(const RequestTiming& timing, RequestOutcome outcome, int status) {
    if (stopped_) {
      stats_.RecordUnfinished(timing.scheduled);  // cut off by the end of the drain
    } else {
      stats_.Record(timing, outcome, status);
    }
  }

  // Bounds the run: at the planned end plus --timeout, requests not sent yet
  // or still in flight are given up on and counted as unfinished.
  asio::awaitable<void> Drain() {
    drain_timer_.expires_at(At(end_) + timeout_);
    auto [ec] = co_await drain_timer_.async_wait(kAsTuple);
    if (ec) {
      co_return;  // every worker finished in time
    }
    stopped_ = true;
    for (; next_ < total_; ++next_) {
      stats_.RecordUnfinished(schedule_.Due(next_));
    }
    for (auto& connection : connections_) {
      connection->pause.cancel();
      connection->stream.close();  // in-flight requests fail and are counted unfinished
    }
  }

  asio::io_context& io_;
  const Options& options_;
  tcp::resolver::results_type endpoints_;
  const std::string request_;
  const Clock::duration timeout_;
  const bool open_loop_;
  const OpenLoopSchedule schedule_;
  const Nanos record_from_;
  const Nanos end_;
  const std::uint64_t total_;  // open loop: requests in the run, warm-up included
  const Nanos spin_;
  int connection_count_ = 1;
  RequestStats stats_;
  Clock::time_point t0_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::uint64_t next_ = 0;  // open loop: the next request no connection has claimed
  bool stopped_ = false;
  int workers_left_ = 0;
  asio::steady_timer drain_timer_;
};

}  // namespace

RequestStats RunRequestLoad(const Options& options, const tcp::resolver::results_type& endpoints,
                            RequestRunInfo& info) {
  asio::io_context io(1);
  RequestLoad load(io, options, endpoints);
  asio::co_spawn(io, load.Start(), asio::detached);
  io.run();
  info.open_loop = options.rate > 0;
  info.connections = load.connection_count();
  return load.stats();
}

}  // namespace strata::loadgen
