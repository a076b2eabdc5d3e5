#include "tracing/tracer.h"

#include <algorithm>
#include <utility>

#include "tracing/internal/text.h"

namespace strata::tracing {

using internal::CutUtf8;

RatioSampler::RatioSampler(double ratio) {
  constexpr std::uint64_t kMaxThreshold = std::uint64_t{1} << 56;
  if (!(ratio > 0.0)) {  // also NaN
    threshold_ = kMaxThreshold;
  } else if (ratio >= 1.0) {
    threshold_ = 0;
  } else {
    const double rejected = (1.0 - ratio) * static_cast<double>(kMaxThreshold);
    threshold_ = std::min<std::uint64_t>(static_cast<std::uint64_t>(rejected + 0.5), kMaxThreshold);
  }
}

Tracer::Tracer(TracingOptions options, SpanSink* sink)
    : options_(std::move(options)), sink_(sink), sampler_(options_.sample_ratio) {}

Span Tracer::StartSpan(std::string_view name, SpanKind kind, const SpanContext& parent) const {
  Span span;
  if (!options_.enabled) return span;
  const bool has_parent = parent.IsValid();
  SpanContext& context = span.context_;
  context.trace_id = has_parent ? parent.trace_id : NewTraceId();
  context.span_id = NewSpanId();
  bool sampled;
  if (has_parent && (!parent.remote || options_.parent_based)) {
    sampled = parent.sampled();
  } else {
    sampled = sampler_.ShouldSample(context.trace_id);
  }
  context.flags = sampled ? kSampledFlag : 0;
  if (has_parent) context.trace_state = parent.trace_state;
  if (!sampled) return span;

  span.tracer_ = this;
  span.started_ = std::chrono::steady_clock::now();
  std::unique_ptr<SpanData> data = sink_ != nullptr ? sink_->NewSpanData() : std::make_unique<SpanData>();
  data->trace_id = context.trace_id;
  data->span_id = context.span_id;
  if (has_parent) {
    data->parent_span_id = parent.span_id;
    data->parent_remote = parent.remote;
  }
  data->trace_state = context.trace_state;
  data->trace_flags = context.flags;
  data->name.assign(CutUtf8(name, options_.max_attribute_length));  // keeps a recycled string's capacity
  data->kind = kind;
  data->start_unix_nano = internal::UnixNanosNow();
  data->attributes.reserve(std::min<std::size_t>(options_.max_attributes, 16));  // no-op when recycled
  span.data_ = std::move(data);
  return span;
}

Span Tracer::StartServerSpan(std::string_view name, std::string_view traceparent, std::string_view tracestate) const {
  if (!options_.enabled) return Span();
  SpanContext parent;
  if (!traceparent.empty()) {
    if (std::optional<SpanContext> parsed = ParseTraceparent(traceparent)) {
      parent = std::move(*parsed);
      // W3C: tracestate is read only alongside a valid traceparent.
      if (!tracestate.empty()) {
        if (std::optional<std::string> state = SanitizeTraceState(tracestate)) {
          parent.trace_state = std::make_shared<const std::string>(std::move(*state));
        }
      }
    }
  }
  return StartSpan(name, SpanKind::kServer, parent);
}

}  // namespace strata::tracing
