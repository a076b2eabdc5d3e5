#include "tracing/otlp_json.h"

#include <unistd.h>

#include <charconv>
#include <cmath>

#include "core/text.h"

#ifndef STRATA_VERSION
#define STRATA_VERSION "0.0.0"
#endif

namespace strata::tracing {
namespace {

template <class Int>
void AppendInteger(std::string& out, Int value) {
  char buffer[24];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

// proto3 JSON: 64-bit integers as strings.
template <class Int>
void AppendQuotedInteger(std::string& out, Int value) {
  out += '"';
  AppendInteger(out, value);
  out += '"';
}

// proto3 JSON: a double as a number, except the non-finite ones, which are
// the strings "NaN", "Infinity" and "-Infinity".
void AppendDouble(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "\"NaN\"";
  } else if (std::isinf(value)) {
    out += value > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else {
    char buffer[32];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, end);
  }
}

void AppendAnyValue(std::string& out, const AttributeValue& value) {
  std::visit(
      [&out](const auto& held) {
        using T = std::decay_t<decltype(held)>;
        if constexpr (std::is_same_v<T, std::string>) {
          out += "{\"stringValue\":";
          core::AppendJsonString(out, held);
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          out += "{\"intValue\":";
          AppendQuotedInteger(out, held);
        } else if constexpr (std::is_same_v<T, double>) {
          out += "{\"doubleValue\":";
          AppendDouble(out, held);
        } else if constexpr (std::is_same_v<T, bool>) {
          out += held ? "{\"boolValue\":true" : "{\"boolValue\":false";
        } else {
          out += "{\"arrayValue\":{\"values\":[";
          for (std::size_t i = 0; i < held.size(); ++i) {
            if (i > 0) out += ',';
            out += "{\"stringValue\":";
            core::AppendJsonString(out, held[i]);
            out += '}';
          }
          out += "]}";
        }
        out += '}';
      },
      value);
}

void AppendKeyValue(std::string& out, std::string_view key, const AttributeValue& value) {
  out += "{\"key\":";
  core::AppendJsonString(out, key);
  out += ",\"value\":";
  AppendAnyValue(out, value);
  out += '}';
}

void AppendAttributes(std::string& out, const std::vector<Attribute>& attributes) {
  out += "\"attributes\":[";
  for (std::size_t i = 0; i < attributes.size(); ++i) {
    if (i > 0) out += ',';
    AppendKeyValue(out, attributes[i].key, attributes[i].value);
  }
  out += ']';
}

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

// trace.proto SpanFlags: bits 0-7 the W3C trace flags; bit 8 says whether
// bit 9 (the parent is remote) is known, which it always is here.
constexpr std::uint32_t kContextHasIsRemote = 0x100;
constexpr std::uint32_t kContextIsRemote = 0x200;

}  // namespace

std::vector<std::pair<std::string, std::string>> ResourceAttributes(const TracingOptions& options) {
  std::vector<std::pair<std::string, std::string>> attributes = {
      {"service.name", options.service_name.empty() ? std::string("strata") : options.service_name},
      {"service.version", options.service_version.empty() ? std::string(STRATA_VERSION) : options.service_version},
      {"host.name", options.host_name.empty() ? HostName() : options.host_name},
      {"telemetry.sdk.name", "strata"},
      {"telemetry.sdk.language", "cpp"},
      {"telemetry.sdk.version", STRATA_VERSION},
  };
  for (const auto& [key, value] : options.resource_attributes) {
    bool replaced = false;
    for (auto& existing : attributes) {
      if (existing.first == key) {
        existing.second = value;
        replaced = true;
      }
    }
    if (!replaced) attributes.emplace_back(key, value);
  }
  return attributes;
}

OtlpJsonEncoder::OtlpJsonEncoder(const TracingOptions& options) {
  prefix_ = "{\"resourceSpans\":[{\"resource\":{\"attributes\":[";
  bool first = true;
  for (const auto& [key, value] : ResourceAttributes(options)) {
    if (!first) prefix_ += ',';
    first = false;
    AppendKeyValue(prefix_, key, AttributeValue(value));
  }
  prefix_ += "]},\"scopeSpans\":[{\"scope\":{\"name\":\"strata\",\"version\":";
  core::AppendJsonString(prefix_, STRATA_VERSION);
  prefix_ += "},\"spans\":[";
}

std::string OtlpJsonEncoder::Encode(std::span<const std::unique_ptr<SpanData>> spans) const {
  std::string out;
  out.reserve(prefix_.size() + 16 + spans.size() * 1024);
  out += prefix_;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (i > 0) out += ',';
    AppendSpan(out, *spans[i]);
  }
  out += "]}]}]}";
  return out;
}

void OtlpJsonEncoder::AppendSpan(std::string& out, const SpanData& span) {
  out += "{\"traceId\":\"";
  span.trace_id.AppendHex(out);
  out += "\",\"spanId\":\"";
  span.span_id.AppendHex(out);
  out += '"';
  if (span.trace_state && !span.trace_state->empty()) {
    out += ",\"traceState\":";
    core::AppendJsonString(out, *span.trace_state);
  }
  if (span.parent_span_id.IsValid()) {
    out += ",\"parentSpanId\":\"";
    span.parent_span_id.AppendHex(out);
    out += '"';
  }
  out += ",\"flags\":";
  AppendInteger(out, static_cast<std::uint32_t>(span.trace_flags) | kContextHasIsRemote |
                         (span.parent_remote ? kContextIsRemote : 0));
  out += ",\"name\":";
  core::AppendJsonString(out, span.name);
  out += ",\"kind\":";
  AppendInteger(out, static_cast<int>(span.kind));
  out += ",\"startTimeUnixNano\":";
  AppendQuotedInteger(out, span.start_unix_nano);
  out += ",\"endTimeUnixNano\":";
  AppendQuotedInteger(out, span.end_unix_nano);
  out += ',';
  AppendAttributes(out, span.attributes);
  if (span.dropped_attributes > 0) {
    out += ",\"droppedAttributesCount\":";
    AppendInteger(out, span.dropped_attributes);
  }
  if (!span.events.empty()) {
    out += ",\"events\":[";
    for (std::size_t i = 0; i < span.events.size(); ++i) {
      const SpanEvent& event = span.events[i];
      if (i > 0) out += ',';
      out += "{\"timeUnixNano\":";
      AppendQuotedInteger(out, event.time_unix_nano);
      out += ",\"name\":";
      core::AppendJsonString(out, event.name);
      out += ',';
      AppendAttributes(out, event.attributes);
      out += '}';
    }
    out += ']';
  }
  if (span.dropped_events > 0) {
    out += ",\"droppedEventsCount\":";
    AppendInteger(out, span.dropped_events);
  }
  // The code even when UNSET (0): proto3 JSON may omit defaults, but an
  // explicit status is what receivers and people reading payloads expect.
  out += ",\"status\":{\"code\":";
  AppendInteger(out, static_cast<int>(span.status));
  if (!span.status_message.empty()) {
    out += ",\"message\":";
    core::AppendJsonString(out, span.status_message);
  }
  out += "}}";
}

}  // namespace strata::tracing
