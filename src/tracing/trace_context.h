#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace strata::tracing {

// W3C Trace Context (https://www.w3.org/TR/trace-context/), level 1: the
// `traceparent` and `tracestate` headers, and the ids they carry.

// 16 bytes; all zero is invalid.
struct TraceId {
  std::array<std::uint8_t, 16> bytes{};

  bool IsValid() const;
  std::string Hex() const;                 // 32 lowercase hex characters
  void AppendHex(std::string& out) const;  // the same, appended
  // The last 56 bits, big-endian: the randomness OTel's ratio sampler reads.
  std::uint64_t Randomness() const;
  bool operator==(const TraceId&) const = default;
};

// 8 bytes; all zero is invalid (and means "no parent" in a SpanData).
struct SpanId {
  std::array<std::uint8_t, 8> bytes{};

  bool IsValid() const;
  std::string Hex() const;                 // 16 lowercase hex characters
  void AppendHex(std::string& out) const;
  bool operator==(const SpanId&) const = default;
};

inline constexpr std::uint8_t kSampledFlag = 0x01;
// Beyond this, an incoming tracestate is dropped rather than propagated
// (W3C: 512 characters is what every vendor must be able to carry).
inline constexpr std::size_t kMaxTraceStateLength = 512;
inline constexpr std::size_t kMaxTraceStateMembers = 32;

// What a span is known by across processes. Cheap to copy: the tracestate,
// rarely present, is shared rather than copied.
struct SpanContext {
  TraceId trace_id;
  SpanId span_id;
  std::uint8_t flags = 0;  // trace-flags; only kSampledFlag has a meaning here
  bool remote = false;     // parsed from a header, not created in this process
  std::shared_ptr<const std::string> trace_state;  // null: none

  bool IsValid() const { return trace_id.IsValid() && span_id.IsValid(); }
  bool sampled() const { return (flags & kSampledFlag) != 0; }
  std::string_view trace_state_view() const { return trace_state ? std::string_view(*trace_state) : std::string_view(); }
};

// Parses a `traceparent` value. Version 00 must be exactly
// "00-<32 hex>-<16 hex>-<2 hex>", lowercase hex only, neither id all zeros.
// A later version (not "ff") is read for the same four fields, as W3C asks,
// provided it is exactly that long or continues with '-'. Leading and trailing
// spaces and tabs (HTTP optional whitespace) are ignored. Returns nullopt for
// anything else; the context returned is `remote`. Callers receiving the
// header more than once must treat it as absent (W3C 3.2.2).
std::optional<SpanContext> ParseTraceparent(std::string_view value);

// "00-<trace id>-<span id>-<flags>" for `context`; empty if it is not valid.
std::string FormatTraceparent(const SpanContext& context);

// An incoming `tracestate`, carried through unchanged when it is plausible:
// at most kMaxTraceStateLength characters of printable ASCII, at most
// kMaxTraceStateMembers list members. Surrounding optional whitespace is
// removed. nullopt for an empty or implausible value (which is then dropped,
// never truncated: a vendor's entry cut in half would be worse than none).
// Several tracestate header lines must be joined with ',' first.
std::optional<std::string> SanitizeTraceState(std::string_view value);

// Fresh random ids from a per-thread xoshiro256** generator seeded from the
// OS (std::random_device): fast (a few ns), not predictable across processes
// or threads, never all zero. Not cryptographic: ids are not secrets.
TraceId NewTraceId();
SpanId NewSpanId();

}  // namespace strata::tracing
