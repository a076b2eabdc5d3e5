#pragma once

#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "tracing/options.h"
#include "tracing/span.h"

namespace strata::tracing {

// The resource attributes exported with every span: service.name,
// service.version, host.name, telemetry.sdk.{name,language,version}, then
// options.resource_attributes (which may override the ones before).
std::vector<std::pair<std::string, std::string>> ResourceAttributes(const TracingOptions& options);

// Encodes spans as an OTLP ExportTraceServiceRequest in the OTLP/JSON
// encoding (opentelemetry-proto docs/specification.md, "JSON Protobuf
// Encoding"): lowerCamelCase field names; trace and span ids as lowercase hex
// (not base64); enums (kind, status code) as integers; 64-bit integers
// (times, intValue) as decimal strings; fields at their default omitted.
//
//   {"resourceSpans":[{"resource":{"attributes":[…]},
//     "scopeSpans":[{"scope":{"name":"strata","version":…},"spans":[…]}]}]}
//
// The resource and scope part is serialized once, here. Thread-compatible:
// Encode is const and may run on any thread.
class OtlpJsonEncoder {
 public:
  explicit OtlpJsonEncoder(const TracingOptions& options);

  std::string Encode(std::span<const std::unique_ptr<SpanData>> spans) const;
  // One span object, appended to `out`.
  static void AppendSpan(std::string& out, const SpanData& span);

 private:
  std::string prefix_;  // up to and including "spans":[
};

}  // namespace strata::tracing
