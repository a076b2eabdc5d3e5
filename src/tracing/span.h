#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "tracing/trace_context.h"

namespace strata::tracing {

class Tracer;

// OTLP's numbering (opentelemetry/proto/trace/v1/trace.proto), exported as is.
enum class SpanKind : int { kInternal = 1, kServer = 2, kClient = 3 };
enum class StatusCode : int { kUnset = 0, kOk = 1, kError = 2 };

// An attribute or event name. Spans keep the name by reference until the
// exporter thread has sent them, so it must live for the whole process: the
// consteval constructors accept only constant expressions (a string literal,
// or the constants in genai.h), and a name built at run time does not compile.
// Immortal() is the escape hatch for names that do outlive every span (e.g.
// interned once at startup).
class AttributeKey {
 public:
  consteval AttributeKey(const char* key) : key_(key) {}  // NOLINT: implicit on purpose
  consteval AttributeKey(std::string_view key) : key_(key) {}  // NOLINT
  static AttributeKey Immortal(std::string_view key) { return AttributeKey(key, 0); }

  constexpr std::string_view view() const { return key_; }

 private:
  constexpr AttributeKey(std::string_view key, int) : key_(key) {}
  std::string_view key_;
};

// OTLP AnyValue, restricted to what spans here need: string, int64, double,
// bool, and arrays of strings (e.g. gen_ai.response.finish_reasons).
using AttributeValue = std::variant<std::string, std::int64_t, double, bool, std::vector<std::string>>;

struct Attribute {
  std::string_view key;  // from an AttributeKey: lives for the process
  AttributeValue value;
};

struct SpanEvent {
  std::string_view name;  // from an AttributeKey
  std::uint64_t time_unix_nano = 0;
  std::vector<Attribute> attributes;
};

// A finished (or finishing) sampled span, as exported. Owned by the Span
// handle until End(), then by the exporter.
struct SpanData {
  TraceId trace_id;
  SpanId span_id;
  SpanId parent_span_id;  // all zero: a root span
  std::shared_ptr<const std::string> trace_state;
  std::uint8_t trace_flags = 0;
  bool parent_remote = false;
  std::string name;
  SpanKind kind = SpanKind::kInternal;
  std::uint64_t start_unix_nano = 0;
  std::uint64_t end_unix_nano = 0;
  StatusCode status = StatusCode::kUnset;
  std::string status_message;
  std::vector<Attribute> attributes;
  std::uint32_t dropped_attributes = 0;
  std::vector<SpanEvent> events;
  std::uint32_t dropped_events = 0;
};

// Where ended spans go (the batch exporter, or a fake in tests). Both calls
// come from the request path, from every worker at once: they must be
// thread-safe and must not block.
class SpanSink {
 public:
  virtual ~SpanSink() = default;
  // Storage for a new sampled span: a fresh one, or (the exporter) one
  // recycled after export, so that steady traffic allocates nothing.
  // Precondition on what is returned: every field at its default, though
  // containers may keep their capacity.
  virtual std::unique_ptr<SpanData> NewSpanData() { return std::make_unique<SpanData>(); }
  virtual void OnEnd(std::unique_ptr<SpanData> span) noexcept = 0;
};

// An event attribute given by view; copied only when the span records.
struct EventAttribute {
  using Value = std::variant<std::string_view, std::int64_t, double, bool>;
  AttributeKey key;
  Value value;

  EventAttribute(AttributeKey k, std::string_view v) : key(k), value(v) {}
  EventAttribute(AttributeKey k, const char* v) : key(k), value(std::string_view(v)) {}
  EventAttribute(AttributeKey k, bool v) : key(k), value(v) {}
  EventAttribute(AttributeKey k, double v) : key(k), value(v) {}
  template <class I>
    requires(std::is_integral_v<I> && !std::is_same_v<I, bool>)
  EventAttribute(AttributeKey k, I v) : key(k), value(static_cast<std::int64_t>(v)) {}
};

// A handle on one span, made by Tracer::StartSpan. Move-only; ends the span
// when destroyed if End() was not called.
//
// Cost: a span that is not sampled holds no SpanData, and every setter below
// is one branch that returns at once: callers need not test recording()
// first, except to avoid building an expensive value (a serialized message
// list) that would be thrown away.
//
// Not thread-safe: use a span from one thread (or one coroutine) at a time.
// The Tracer that made it must outlive it.
class Span {
 public:
  Span() = default;  // inert: not recording, invalid context (tracing off)
  Span(Span&& other) noexcept;
  Span& operator=(Span&& other) noexcept;  // ends this span first
  ~Span();

  // Whether this span records anything (sampled and tracing on).
  bool recording() const { return data_ != nullptr; }
  // Its ids, also when not sampled, so that the trace id and the sampling
  // decision still reach the upstream. Invalid for an inert span.
  const SpanContext& context() const { return context_; }
  // The `traceparent` value naming this span as the parent: what to send on
  // an outgoing request made within it. Empty for an inert span.
  std::string Traceparent() const { return FormatTraceparent(context_); }

  void SetName(std::string_view name);

  // Sets (or replaces) an attribute. Beyond TracingOptions::max_attributes
  // new keys are dropped and counted; strings are cut at
  // max_attribute_length (on a UTF-8 boundary).
  void SetAttribute(AttributeKey key, std::string_view value);
  void SetAttribute(AttributeKey key, const char* value) { SetAttribute(key, std::string_view(value)); }
  void SetAttribute(AttributeKey key, const std::string& value) { SetAttribute(key, std::string_view(value)); }
  void SetAttribute(AttributeKey key, bool value);
  void SetAttribute(AttributeKey key, double value);
  template <class I>
    requires(std::is_integral_v<I> && !std::is_same_v<I, bool>)
  void SetAttribute(AttributeKey key, I value) {
    if (data_ == nullptr) return;
    if constexpr (std::is_unsigned_v<I> && sizeof(I) >= sizeof(std::int64_t)) {
      constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
      SetInt(key, value > static_cast<std::uint64_t>(kMax) ? kMax : static_cast<std::int64_t>(value));
    } else {
      SetInt(key, static_cast<std::int64_t>(value));
    }
  }
  void SetAttribute(AttributeKey key, std::vector<std::string> values);

  // Prompt or completion content: recorded only when
  // TracingOptions::capture_content is on, cut at max_content_length.
  void SetContent(AttributeKey key, std::string_view content);
  // Whether SetContent would record: test it before serializing messages.
  bool capturing_content() const;

  // A timestamped event (OTLP Span.Event), e.g. the first token.
  void AddEvent(AttributeKey name, std::initializer_list<EventAttribute> attributes = {});

  // OTel rules: Ok is final; Unset is ignored; the message is kept for Error only.
  void SetStatus(StatusCode code, std::string_view message = {});
  // Status Error with `message`, and `error.type` = `type` (a low-cardinality
  // class such as "timeout", "rate_limited" or an HTTP status "503").
  void SetError(std::string_view type, std::string_view message);

  // Ends the span now and hands it to the exporter. Later calls do nothing.
  void End();

 private:
  friend class Tracer;
  void SetInt(AttributeKey key, std::int64_t value);
  Attribute* Slot(AttributeKey key);  // existing or new; nullptr when full

  std::unique_ptr<SpanData> data_;
  SpanContext context_;
  const Tracer* tracer_ = nullptr;
  std::chrono::steady_clock::time_point started_{};
};

}  // namespace strata::tracing
