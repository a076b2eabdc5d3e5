#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "tracing/options.h"
#include "tracing/otlp_json.h"
#include "tracing/span.h"

namespace strata::tracing {

namespace internal {
class SpanQueue;
class ExportSession;
}  // namespace internal

// Checks what the config can get wrong: the endpoint (an http or https URL)
// when tracing is enabled, the ratio within [0, 1], positive sizes and
// durations, a batch no larger than the queue. kInvalidRequest saying which.
core::Status ValidateOptions(const TracingOptions& options);

// The collector URL spans are POSTed to: `endpoint` with "/v1/traces"
// appended when it has no path (TracingOptions::endpoint).
core::Result<std::string> TracesUrl(const std::string& endpoint);

struct ExporterStats {
  std::uint64_t spans_exported = 0;             // acknowledged (2xx) by the collector
  std::uint64_t spans_dropped_queue_full = 0;   // refused by a full queue
  std::uint64_t spans_dropped_failed = 0;       // in batches given up (non-retryable answer, attempts exhausted)
  std::uint64_t spans_dropped_shutdown = 0;     // still queued or being retried when Shutdown's deadline passed
  std::uint64_t export_requests = 0;            // POSTs sent, retries included
  std::uint64_t export_failures = 0;            // batches given up
  std::uint64_t export_retries = 0;
};

// Exports ended spans to an OTLP/HTTP collector (JSON encoding), in batches,
// from ONE background thread, so that the request path never waits on it.
//
// Queue: a bounded lock-free ring (internal/span_queue.h; capacity
// max_queue_size rounded up to a power of two). OnEnd is a CAS and two
// stores; it takes a mutex only to wake the export thread, when the queue
// goes from empty to one span or reaches a full batch, i.e. at most twice
// per batch. When the ring is full the span is dropped and counted.
// Exported SpanData are cleared and kept in a second ring of the same size
// for NewSpanData, so steady traffic allocates no span memory. Traces
// may be lost, unlike audit and inference records (store::WriteBehindQueue
// pushes back on producers instead): a trace is a diagnostic sample, already
// sampled, and a slow collector must never slow or stall traffic.
//
// Batching: the thread sends up to max_batch_size spans per request; a
// partial batch waits at most max_batch_delay from when the thread saw its
// first span (twice that if a wake-up races, see exporter.cc).
//
// Sending: POST <url> with Content-Type: application/json and the configured
// headers, through an http::Client on an io_context private to the thread,
// each request bounded by export_timeout. 429, 502, 503, 504 and transport
// errors are retried, up to max_export_attempts per batch, after the
// collector's Retry-After (capped at max_retry_after) or else exponential
// backoff with full jitter; anything else non-2xx gives the batch up.
//
// Metrics (observability::DefaultRegistry(), summed over exporters):
// strata_tracing_spans_exported_total, strata_tracing_spans_dropped_total
// {reason=queue_full|export_failed|shutdown}, strata_tracing_export_failures_total,
// strata_tracing_export_retries_total, strata_tracing_queue_depth.
//
// Thread-safety: OnEnd, Flush, stats from any thread; Shutdown from one.
class OtlpHttpExporter final : public SpanSink {
 public:
  // Starts the export thread. An endpoint TracesUrl rejects makes every
  // export fail (counted): validate options at config load.
  explicit OtlpHttpExporter(TracingOptions options);
  // Shutdown(options.shutdown_timeout) if not done yet.
  ~OtlpHttpExporter() override;
  OtlpHttpExporter(const OtlpHttpExporter&) = delete;
  OtlpHttpExporter& operator=(const OtlpHttpExporter&) = delete;

  // A SpanData recycled from an exported batch when one is spare, else a new one.
  std::unique_ptr<SpanData> NewSpanData() override;
  // Never blocks: queues the span, or drops it when the queue is full.
  void OnEnd(std::unique_ptr<SpanData> span) noexcept override;

  // Exports everything queued before the call (retries included) and waits
  // for it, at most `timeout`. True when all of it was dealt with in time
  // (exported, or given up and counted).
  bool Flush(std::chrono::milliseconds timeout);

  // Exports what is queued, for at most `timeout` (in-flight requests and
  // retry waits are cut short at the deadline), then stops the thread. Spans
  // left over, and spans ended afterwards, are dropped and counted. True when
  // nothing was dropped for lack of time. Idempotent.
  bool Shutdown(std::chrono::milliseconds timeout);

  ExporterStats stats() const;
  const std::string& url() const { return url_; }

 private:
  void Run();
  void ExportBatch(std::vector<std::unique_ptr<SpanData>>& batch, internal::ExportSession& session);
  void Wake();

  const TracingOptions options_;
  const OtlpJsonEncoder encoder_;
  std::string url_;
  std::string url_error_;  // non-empty: the endpoint is unusable
  std::unique_ptr<internal::SpanQueue> queue_;  // ended spans, waiting for export
  std::unique_ptr<internal::SpanQueue> spare_;  // exported SpanData, cleared, for reuse

  std::mutex mutex_;  // guards the fields below, and is what the cvs wait on
  std::condition_variable wake_;  // the export thread waits on it
  std::condition_variable flushed_;  // Flush() callers wait on it
  bool stop_ = false;
  std::chrono::steady_clock::time_point stop_deadline_{};
  std::uint64_t flush_requested_ = 0;
  std::uint64_t flush_done_ = 0;

  std::atomic<bool> closed_{false};  // the export thread has exited
  std::atomic<std::uint64_t> exported_{0}, dropped_full_{0}, dropped_failed_{0}, dropped_shutdown_{0};
  std::atomic<std::uint64_t> requests_{0}, failures_{0}, retries_{0};
  std::thread thread_;
};

}  // namespace strata::tracing
