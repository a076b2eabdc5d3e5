#include "tracing/exporter.h"

#include <pthread.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <random>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include "http/client.h"
#include "http/url.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "routing/retry.h"
#include "tracing/internal/span_queue.h"

namespace strata::tracing {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

struct Metrics {
  observability::Counter& exported;
  observability::Counter& dropped_full;
  observability::Counter& dropped_failed;
  observability::Counter& dropped_shutdown;
  observability::Counter& failures;
  observability::Counter& retries;
  observability::Gauge& queue_depth;
};

Metrics& GlobalMetrics() {
  static Metrics* metrics = [] {
    auto& registry = observability::DefaultRegistry();
    auto& dropped = registry.AddCounter("strata_tracing_spans_dropped_total",
                                        "Sampled spans not exported, by reason.", {"reason"});
    return new Metrics{
        registry.AddCounter("strata_tracing_spans_exported_total", "Spans the OTLP collector accepted.").With({}),
        dropped.With({"queue_full"}),
        dropped.With({"export_failed"}),
        dropped.With({"shutdown"}),
        registry.AddCounter("strata_tracing_export_failures_total",
                            "Span batches given up (non-retryable answer or attempts exhausted).")
            .With({}),
        registry.AddCounter("strata_tracing_export_retries_total", "OTLP export requests retried.").With({}),
        registry.AddGauge("strata_tracing_queue_depth", "Spans waiting for export.").With({}),
    };
  }();
  return *metrics;
}

// Back to NewSpanData's precondition (every field at its default), keeping
// the capacity of the name and of the attribute list.
void Clear(SpanData& span) {
  span.trace_id = {};
  span.span_id = {};
  span.parent_span_id = {};
  span.trace_state.reset();
  span.trace_flags = 0;
  span.parent_remote = false;
  span.name.clear();
  span.kind = SpanKind::kInternal;
  span.start_unix_nano = 0;
  span.end_unix_nano = 0;
  span.status = StatusCode::kUnset;
  span.status_message.clear();
  span.attributes.clear();
  span.dropped_attributes = 0;
  span.events.clear();
  span.dropped_events = 0;
}

bool Retryable(unsigned status) { return status == 429 || status == 502 || status == 503 || status == 504; }

std::string Snippet(std::string_view text) {
  constexpr std::size_t kMax = 200;
  return std::string(text.substr(0, kMax));
}

// ExportTraceServiceResponse.partialSuccess.rejectedSpans (an int64, so a
// string in proto3 JSON, though a number is accepted too); 0 when absent.
std::uint64_t RejectedSpans(std::string_view body) {
  if (body.find("rejectedSpans") == std::string_view::npos) return 0;
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(body, ec);
  if (ec || !parsed.is_object()) return 0;
  const boost::json::value* partial = parsed.get_object().if_contains("partialSuccess");
  if (partial == nullptr || !partial->is_object()) return 0;
  const boost::json::value* rejected = partial->get_object().if_contains("rejectedSpans");
  if (rejected == nullptr) return 0;
  if (rejected->is_string()) {
    std::uint64_t value = 0;
    const std::string_view text = rejected->get_string();
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
  }
  if (rejected->is_int64()) return static_cast<std::uint64_t>(std::max<std::int64_t>(rejected->get_int64(), 0));
  if (rejected->is_uint64()) return rejected->get_uint64();
  return 0;
}

// A coroutine taking what it needs by value: the request races its deadline,
// and the loser is cancelled (the client's socket operations abort).
asio::awaitable<core::Result<http::ClientResponse>> SendBefore(http::Client& client, http::ClientRequest request,
                                                               Clock::time_point deadline) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  auto outcome = co_await (client.Send(std::move(request)) || timer.async_wait(asio::use_awaitable));
  if (outcome.index() == 0) co_return std::move(std::get<0>(outcome));
  co_return core::Error::UpstreamTimeout("the OTLP collector did not answer in time");
}

}  // namespace

namespace internal {

// What the export thread owns for talking to the collector: its io_context
// and client, used only on that thread, and run only while a request is out.
class ExportSession {
 public:
  explicit ExportSession(const TracingOptions& options) : client_(io_.get_executor(), ClientOptionsFor(options)) {}

  struct Outcome {
    bool ok = false;
    bool retryable = false;
    std::optional<milliseconds> retry_after;
    std::string error;  // for the log
    std::string body;   // the collector's answer, on success
  };

  // Sends `body`, bounded by `deadline`; `abandon` is polled every 50 ms
  // while the request is out, and cancels it when true (a shutdown deadline).
  Outcome Post(const std::string& url, const TracingOptions& options, const std::string& body,
               Clock::time_point deadline, const std::function<bool()>& abandon) {
    http::ClientRequest request;
    request.method = beast_http::verb::post;
    request.url = url;
    request.headers.set(beast_http::field::content_type, "application/json");
    request.headers.set(beast_http::field::user_agent, "strata-otlp-exporter");
    for (const auto& [name, value] : options.headers) request.headers.set(name, value);
    request.body = body;

    std::optional<core::Result<http::ClientResponse>> result;
    std::exception_ptr escaped;
    asio::cancellation_signal cancel;
    asio::co_spawn(io_, SendBefore(client_, std::move(request), deadline),
                   asio::bind_cancellation_slot(
                       cancel.slot(),
                       [&result, &escaped](std::exception_ptr error, core::Result<http::ClientResponse> response) {
                         escaped = error;
                         if (!error) result.emplace(std::move(response));
                       }));
    io_.restart();
    // Run only until this request is done: the pool keeps idle connections
    // without pending operations, so nothing else is left to run.
    bool cancelled = false;
    while (!result && !escaped) {
      if (!cancelled && abandon()) {
        cancel.emit(asio::cancellation_type::terminal);  // aborts the socket operations
        cancelled = true;
      }
      io_.run_one_for(std::chrono::milliseconds(50));
      if (io_.stopped()) break;  // no work left, yet no answer: reported below
    }
    Outcome outcome;
    if (escaped || !result) {
      outcome.error = "the export request failed unexpectedly";
      outcome.retryable = true;
      return outcome;
    }
    if (!*result) {
      const core::Error& error = result->error();
      outcome.error = error.message();
      outcome.retryable = error.code() != core::ErrorCode::kInternal;  // kInternal: a bad URL, no use retrying
      return outcome;
    }
    http::ClientResponse& response = **result;
    if (response.status >= 200 && response.status < 300) {
      outcome.ok = true;
      outcome.body = std::move(response.body);
      return outcome;
    }
    outcome.error = "the OTLP collector answered " + std::to_string(response.status) + ": " + Snippet(response.body);
    outcome.retryable = Retryable(response.status);
    if (outcome.retryable) {
      if (auto it = response.headers.find(beast_http::field::retry_after); it != response.headers.end()) {
        outcome.retry_after = routing::ParseRetryAfter(it->value(), std::chrono::system_clock::now());
      }
    }
    return outcome;
  }

 private:
  static http::ClientOptions ClientOptionsFor(const TracingOptions& options) {
    http::ClientOptions client;
    client.connect_timeout = options.export_timeout;
    client.first_byte_timeout = options.export_timeout;
    client.idle_timeout = options.export_timeout;
    client.max_idle_per_host = 2;
    client.ca_file = options.ca_file;
    client.verify_tls = options.verify_tls;
    client.max_response_bytes = 1024 * 1024;
    return client;
  }

  asio::io_context io_;
  http::Client client_;
};

}  // namespace internal

core::Result<std::string> TracesUrl(const std::string& endpoint) {
  core::Result<http::Url> parsed = http::Url::Parse(endpoint);
  if (!parsed) return core::Error::InvalidRequest("tracing.endpoint: " + parsed.error().message(), "endpoint");
  if (parsed->target != "/") return endpoint;
  std::string url = endpoint;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + "/v1/traces";
}

core::Status ValidateOptions(const TracingOptions& options) {
  const auto invalid = [](std::string message, std::string field) {
    return core::Error::InvalidRequest("tracing." + field + ": " + message, field);
  };
  if (options.enabled) {
    core::Result<std::string> url = TracesUrl(options.endpoint);
    if (!url) return url.error();
  }
  if (!(options.sample_ratio >= 0.0 && options.sample_ratio <= 1.0)) {
    return invalid("must be between 0 and 1", "sample_ratio");
  }
  if (options.max_queue_size == 0) return invalid("must be positive", "max_queue_size");
  if (options.max_batch_size == 0) return invalid("must be positive", "max_batch_size");
  if (options.max_batch_size > options.max_queue_size) {
    return invalid("must not exceed max_queue_size", "max_batch_size");
  }
  if (options.max_batch_delay.count() <= 0) return invalid("must be positive", "max_batch_delay");
  if (options.export_timeout.count() <= 0) return invalid("must be positive", "export_timeout");
  if (options.max_export_attempts < 1) return invalid("must be at least 1", "max_export_attempts");
  if (options.max_attributes == 0) return invalid("must be positive", "max_attributes");
  if (options.max_attribute_length == 0) return invalid("must be positive", "max_attribute_length");
  return core::Status();
}

OtlpHttpExporter::OtlpHttpExporter(TracingOptions options)
    : options_(std::move(options)),
      encoder_(options_),
      queue_(std::make_unique<internal::SpanQueue>(options_.max_queue_size)),
      spare_(std::make_unique<internal::SpanQueue>(options_.max_queue_size)) {
  core::Result<std::string> url = TracesUrl(options_.endpoint);
  if (url) {
    url_ = std::move(*url);
  } else {
    url_error_ = url.error().message();
    observability::Log(observability::Level::kError, "tracing: unusable OTLP endpoint; spans will be dropped",
                       {{"error", url_error_}});
  }
  GlobalMetrics();  // registered before the first scrape, not at the first span
  thread_ = std::thread([this] { Run(); });
  pthread_setname_np(thread_.native_handle(), "strata-otlp");
}

OtlpHttpExporter::~OtlpHttpExporter() { Shutdown(options_.shutdown_timeout); }

std::unique_ptr<SpanData> OtlpHttpExporter::NewSpanData() {
  std::unique_ptr<SpanData> recycled = spare_->Pop();
  return recycled != nullptr ? std::move(recycled) : std::make_unique<SpanData>();
}

void OtlpHttpExporter::OnEnd(std::unique_ptr<SpanData> span) noexcept {
  if (closed_.load(std::memory_order_acquire)) {
    dropped_shutdown_.fetch_add(1, std::memory_order_relaxed);
    GlobalMetrics().dropped_shutdown.Increment();
    return;  // `span` is freed here
  }
  if (!queue_->TryPush(span)) {
    dropped_full_.fetch_add(1, std::memory_order_relaxed);
    GlobalMetrics().dropped_full.Increment();
    return;
  }
  const std::size_t queued = queue_->size();
  if (queued == 1 || queued == options_.max_batch_size) Wake();
}

void OtlpHttpExporter::Wake() {
  std::lock_guard lock(mutex_);
  wake_.notify_one();
}

bool OtlpHttpExporter::Flush(milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (closed_.load()) return queue_->size() == 0;
  const std::uint64_t ticket = ++flush_requested_;
  wake_.notify_one();
  return flushed_.wait_for(lock, timeout, [&] { return flush_done_ >= ticket || closed_.load(); }) &&
         flush_done_ >= ticket;
}

bool OtlpHttpExporter::Shutdown(milliseconds timeout) {
  const std::uint64_t dropped_before = dropped_shutdown_.load();
  {
    std::lock_guard lock(mutex_);
    if (!stop_) {
      stop_ = true;
      stop_deadline_ = Clock::now() + timeout;
    }
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
  closed_.store(true, std::memory_order_release);
  std::uint64_t left = 0;
  while (queue_->Pop() != nullptr) ++left;
  if (left > 0) {
    dropped_shutdown_.fetch_add(left, std::memory_order_relaxed);
    GlobalMetrics().dropped_shutdown.Increment(static_cast<double>(left));
  }
  {
    std::lock_guard lock(mutex_);
    flushed_.notify_all();
  }
  return dropped_shutdown_.load() == dropped_before;
}

ExporterStats OtlpHttpExporter::stats() const {
  ExporterStats stats;
  stats.spans_exported = exported_.load();
  stats.spans_dropped_queue_full = dropped_full_.load();
  stats.spans_dropped_failed = dropped_failed_.load();
  stats.spans_dropped_shutdown = dropped_shutdown_.load();
  stats.export_requests = requests_.load();
  stats.export_failures = failures_.load();
  stats.export_retries = retries_.load();
  return stats;
}

// The export loop. Idle, it sleeps until a producer wakes it (first span,
// full batch), a Flush or Shutdown; the timed wait is a fallback for a
// wake-up lost to a race (two producers seeing a length of 2, neither 1),
// which is what can stretch a batch's wait to twice max_batch_delay.
void OtlpHttpExporter::Run() {
  internal::ExportSession session(options_);
  std::vector<std::unique_ptr<SpanData>> batch;
  batch.reserve(options_.max_batch_size);
  std::unique_lock lock(mutex_);
  while (true) {
    const auto pending_flush = [this] { return flush_requested_ != flush_done_; };
    if (queue_->size() == 0 && !stop_ && !pending_flush()) {
      wake_.wait_for(lock, options_.max_batch_delay);
    }
    if (queue_->size() == 0) {
      if (pending_flush()) {
        flush_done_ = flush_requested_;
        flushed_.notify_all();
      }
      if (stop_) break;
      continue;
    }
    // A batch has begun: let it fill, up to the delay, unless told to hurry.
    const Clock::time_point batch_deadline = Clock::now() + options_.max_batch_delay;
    wake_.wait_until(lock, batch_deadline, [&] {
      return queue_->size() >= options_.max_batch_size || stop_ || pending_flush();
    });
    const std::uint64_t flush_target = flush_requested_;
    const bool drain_all = stop_ || pending_flush();
    lock.unlock();
    do {
      batch.clear();
      while (batch.size() < options_.max_batch_size) {
        std::unique_ptr<SpanData> span = queue_->Pop();
        if (span == nullptr) break;
        batch.push_back(std::move(span));
      }
      GlobalMetrics().queue_depth.Set(static_cast<double>(queue_->size()));
      if (batch.empty()) break;
      ExportBatch(batch, session);
      for (std::unique_ptr<SpanData>& span : batch) {
        Clear(*span);
        spare_->TryPush(span);  // when the spare ring is full, `span` is freed below
      }
    } while (drain_all || queue_->size() >= options_.max_batch_size);
    lock.lock();
    if (drain_all && flush_target > flush_done_) {
      flush_done_ = flush_target;
      flushed_.notify_all();
    }
  }
}

void OtlpHttpExporter::ExportBatch(std::vector<std::unique_ptr<SpanData>>& batch, internal::ExportSession& session) {
  const auto count = static_cast<std::uint64_t>(batch.size());
  Metrics& metrics = GlobalMetrics();
  const auto give_up = [&](bool for_shutdown, std::string_view why) {
    if (for_shutdown) {
      dropped_shutdown_.fetch_add(count, std::memory_order_relaxed);
      metrics.dropped_shutdown.Increment(static_cast<double>(count));
    } else {
      failures_.fetch_add(1, std::memory_order_relaxed);
      dropped_failed_.fetch_add(count, std::memory_order_relaxed);
      metrics.failures.Increment();
      metrics.dropped_failed.Increment(static_cast<double>(count));
    }
    observability::Log(observability::Level::kWarn, "tracing: span batch dropped",
                       {{"spans", count}, {"endpoint", url_}, {"error", why}});
  };
  if (!url_error_.empty()) {
    give_up(false, url_error_);
    return;
  }
  const std::string body = encoder_.Encode(batch);
  const std::function<bool()> shutdown_passed = [this] {
    std::lock_guard lock(mutex_);
    return stop_ && Clock::now() >= stop_deadline_;
  };
  thread_local std::minstd_rand jitter{std::random_device{}()};
  milliseconds backoff = options_.retry_initial_backoff;
  for (int attempt = 1;; ++attempt) {
    Clock::time_point deadline = Clock::now() + options_.export_timeout;
    {
      std::lock_guard lock(mutex_);
      if (stop_) deadline = std::min(deadline, stop_deadline_);
    }
    if (deadline <= Clock::now()) {
      give_up(true, "the shutdown deadline passed");
      return;
    }
    requests_.fetch_add(1, std::memory_order_relaxed);
    internal::ExportSession::Outcome outcome = session.Post(url_, options_, body, deadline, shutdown_passed);
    if (outcome.ok) {
      exported_.fetch_add(count, std::memory_order_relaxed);
      metrics.exported.Increment(static_cast<double>(count));
      if (const std::uint64_t rejected = RejectedSpans(outcome.body); rejected > 0) {
        observability::Log(observability::Level::kWarn, "tracing: the collector rejected part of a batch",
                           {{"rejected_spans", rejected}, {"answer", Snippet(outcome.body)}});
      }
      return;
    }
    if (shutdown_passed()) {
      give_up(true, "the shutdown deadline passed: " + outcome.error);
      return;
    }
    if (!outcome.retryable || attempt >= options_.max_export_attempts) {
      give_up(false, outcome.error);
      return;
    }
    milliseconds wait;
    if (outcome.retry_after) {
      wait = std::min(*outcome.retry_after, options_.max_retry_after);
    } else {
      // Full jitter: uniform in [0, backoff], so retrying exporters spread out.
      wait = milliseconds(std::uniform_int_distribution<std::int64_t>(0, backoff.count())(jitter));
      backoff = std::min(backoff * 2, options_.retry_max_backoff);
    }
    retries_.fetch_add(1, std::memory_order_relaxed);
    metrics.retries.Increment();
    std::unique_lock lock(mutex_);
    const Clock::time_point resume = Clock::now() + wait;
    // Sleep, unless a shutdown makes the retry impossible before its deadline.
    if (wake_.wait_until(lock, resume, [&] { return stop_ && stop_deadline_ < resume; })) {
      lock.unlock();
      give_up(true, "the shutdown deadline falls before the next retry");
      return;
    }
  }
}

}  // namespace strata::tracing
