#pragma once

#include <cstdint>
#include <string_view>

#include "tracing/options.h"
#include "tracing/span.h"
#include "tracing/trace_context.h"

namespace strata::tracing {

// OTel's TraceIdRatioBased: keeps a trace when the last 56 bits of its id
// (its randomness R) reach the threshold T = (1 - ratio) * 2^56. The same id
// gets the same decision in every process and at every ratio, and a trace
// kept at ratio r is also kept at every ratio above r.
class RatioSampler {
 public:
  explicit RatioSampler(double ratio);  // clamped to [0, 1]
  bool ShouldSample(const TraceId& trace_id) const { return trace_id.Randomness() >= threshold_; }
  std::uint64_t threshold() const { return threshold_; }

 private:
  std::uint64_t threshold_;
};

// Starts spans: decides sampling, makes ids, and sends ended spans to a
// SpanSink. One per process, shared by every worker: const and lock-free.
// Must outlive every span it started; the sink must outlive the tracer.
//
// Sampling is parent-based: a span with a valid parent follows the parent's
// sampled flag (for a remote parent only when options.parent_based; else the
// ratio decides, on the parent's trace id); a root is sampled by ratio.
class Tracer {
 public:
  // `sink` may be null: sampled spans are then built and discarded (tests).
  Tracer(TracingOptions options, SpanSink* sink);

  bool enabled() const { return options_.enabled; }
  const TracingOptions& options() const { return options_; }

  // A span in the trace of `parent` (a local span's context, or one parsed
  // from traceparent), or the root of a new trace when `parent` is not valid.
  // Inert when tracing is off. Not sampled: a context with fresh ids and no
  // data, costing one random draw and no allocation.
  Span StartSpan(std::string_view name, SpanKind kind, const SpanContext& parent = {}) const;
  Span StartChild(const Span& parent, std::string_view name, SpanKind kind = SpanKind::kInternal) const {
    return StartSpan(name, kind, parent.context());
  }
  // The request's span, continuing the caller's trace when its `traceparent`
  // is valid (and then carrying its `tracestate`); pass empty views for
  // absent headers. Kind SERVER.
  Span StartServerSpan(std::string_view name, std::string_view traceparent, std::string_view tracestate) const;

 private:
  friend class Span;
  TracingOptions options_;
  SpanSink* sink_;
  RatioSampler sampler_;
};

}  // namespace strata::tracing
