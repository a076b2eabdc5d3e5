#include "loadgen/stream_load.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/read.hpp>

#include "loadgen/sse_scanner.h"

namespace strata::loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

Clock::duration Seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

// VmRSS of `pid` in KiB, -1 if it cannot be read.
long ReadRssKib(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      long kib = -1;
      status >> kib;
      return kib;
    }
    status.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return -1;
}

// Shared by the threads of one run.
struct RunState {
  Clock::time_point t0;
  std::atomic<std::uint64_t> open{0};  // streams past their first event, not yet ended
  std::atomic<std::uint64_t> peak{0};

  void Opened() {
    const std::uint64_t now_open = open.fetch_add(1) + 1;
    std::uint64_t seen = peak.load();
    while (now_open > seen && !peak.compare_exchange_weak(seen, now_open)) {
    }
  }
};

// The streams of one io thread.
class StreamGroup {
 public:
  StreamGroup(const Options& options, const tcp::resolver::results_type& endpoints, const std::string& request,
              RunState& run)
      : options_(options), endpoints_(endpoints), request_(request), run_(run) {}

  void Spawn(asio::io_context& io, int index) { asio::co_spawn(io, Stream(io, index), asio::detached); }
  const StreamStats& stats() const { return stats_; }

 private:
  Nanos Now() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - run_.t0).count();
  }

  asio::awaitable<void> Stream(asio::io_context& io, int index) {
    const Clock::time_point start =
        run_.t0 + Seconds(options_.ramp_s * static_cast<double>(index) / static_cast<double>(options_.streams));
    asio::steady_timer ramp(io, start);
    co_await ramp.async_wait(kAsTuple);

    beast::tcp_stream stream(io);
    const Clock::duration timeout = Seconds(options_.timeout_s);
    const Nanos connect_start = Now();
    stream.expires_after(timeout);
    auto [connect_ec, endpoint] = co_await stream.async_connect(endpoints_, kAsTuple);
    if (connect_ec) {
      stats_.RecordEnd(StreamEnd::kConnectError, 0);
      co_return;
    }
    stats_.RecordConnect(Now() - connect_start);
    boost::system::error_code ignored;
    stream.socket().set_option(tcp::no_delay(true), ignored);

    StreamProgress progress;
    progress.sent = Now();
    const Clock::time_point sent = Clock::now();
    const Clock::time_point hold_until = sent + Seconds(options_.stream_duration_s);
    stream.expires_at(std::min(hold_until, sent + timeout));
    auto [write_ec, written] = co_await asio::async_write(stream, asio::buffer(request_), kAsTuple);
    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    boost::system::error_code ec = write_ec;
    if (!ec) {
      auto [header_ec, header_bytes] = co_await http::async_read_header(stream, buffer, parser, kAsTuple);
      ec = header_ec;
    }
    if (ec) {
      stats_.RecordEnd(ec == beast::error::timeout ? StreamEnd::kNoFirstEvent : StreamEnd::kCut, 0);
      co_return;
    }
    const int status = parser.get().result_int();
    if (status < 200 || status > 299) {
      stats_.RecordEnd(StreamEnd::kNon2xx, status);
      co_return;
    }

    SseEventScanner scanner;
    char body[2048];
    StreamEnd end = StreamEnd::kCompletedEarly;
    while (!parser.is_done()) {
      parser.get().body().data = body;
      parser.get().body().size = sizeof body;
      auto [read_ec, read] = co_await http::async_read_some(stream, buffer, parser, kAsTuple);
      const Nanos now = Now();
      const std::size_t got = sizeof body - parser.get().body().size;
      const bool had_events = progress.events > 0;
      stats_.RecordEvents(progress, scanner.Feed(std::string_view(body, got)), now);
      if (!had_events && progress.events > 0) {
        run_.Opened();
        stream.expires_at(hold_until);  // from now on the only deadline is the hold's end
      }
      if (read_ec && read_ec != http::error::need_buffer) {
        if (read_ec == beast::error::timeout) {
          end = progress.events == 0 ? StreamEnd::kNoFirstEvent : StreamEnd::kHeld;
        } else {
          end = StreamEnd::kCut;
        }
        break;
      }
    }
    if (progress.events > 0) {
      run_.open.fetch_sub(1);
    }
    if (end == StreamEnd::kCompletedEarly && progress.events == 0) {
      end = StreamEnd::kNoFirstEvent;  // a 2xx without a single event is no stream
    }
    stats_.RecordEnd(end, status);
  }

  const Options& options_;
  const tcp::resolver::results_type& endpoints_;
  const std::string& request_;
  RunState& run_;
  StreamStats stats_;
};

// Samples a process's RSS every 100 ms until stopped; keeps the largest.
class RssSampler {
 public:
  explicit RssSampler(int pid) : pid_(pid), before_(ReadRssKib(pid)), peak_(before_) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~RssSampler() { Stop(); }

  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
      thread_.join();
    }
  }
  long before() const { return before_; }
  long peak() const { return peak_; }

 private:
  void Loop() {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stop_; })) {
      peak_ = std::max(peak_, ReadRssKib(pid_));
    }
  }

  int pid_;
  long before_;
  long peak_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

StreamStats RunStreamLoad(const Options& options, const tcp::resolver::results_type& endpoints,
                          StreamRunInfo& info) {
  const std::string request = SerializeRequest(options.request);
  const int threads = std::clamp(options.threads, 1, options.streams);
  std::unique_ptr<RssSampler> rss;
  if (options.rss_pid > 0) {
    rss = std::make_unique<RssSampler>(options.rss_pid);
  }
  RunState run;
  run.t0 = Clock::now() + std::chrono::milliseconds(10);
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<std::unique_ptr<StreamGroup>> groups;
  for (int t = 0; t < threads; ++t) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
    groups.push_back(std::make_unique<StreamGroup>(options, endpoints, request, run));
  }
  for (int i = 0; i < options.streams; ++i) {
    groups[i % threads]->Spawn(*contexts[i % threads], i);
  }
  std::vector<std::thread> workers;
  for (int t = 1; t < threads; ++t) {
    workers.emplace_back([&contexts, t] { contexts[t]->run(); });
  }
  contexts[0]->run();
  for (std::thread& worker : workers) {
    worker.join();
  }
  StreamStats total;
  for (const auto& group : groups) {
    total.Add(group->stats());
  }
  info.peak_concurrent = run.peak.load();
  if (rss) {
    rss->Stop();
    info.rss_before_kib = rss->before();
    info.rss_peak_kib = rss->peak();
  }
  return total;
}

}  // namespace strata::loadgen
