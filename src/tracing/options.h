#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace strata::tracing {

using std::chrono::milliseconds;

// The `tracing:` section of the config (docs/TRACING.md). Every default is the
// one a production gateway should run with; tracing itself is off by default.
struct TracingOptions {
  bool enabled = false;  // false: Tracer::StartSpan returns inert spans, nothing is exported

  // Where spans go: an OTLP/HTTP collector. A URL without a path (or with
  // "/") gets "/v1/traces" appended, as OTEL_EXPORTER_OTLP_ENDPOINT does; a
  // URL with a path is used as is (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).
  std::string endpoint = "http://127.0.0.1:4318";
  // Extra request headers for the collector, e.g. {"authorization", "Bearer …"}.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string ca_file;      // extra CA bundle (PEM) for an https endpoint
  bool verify_tls = true;   // never false in production

  // Sampling. Roots (no valid incoming traceparent) are kept with probability
  // `sample_ratio`, decided from the trace id (OTel TraceIdRatioBased), so
  // every node makes the same decision for the same trace. With
  // `parent_based`, a request carrying a valid traceparent follows the
  // caller's sampled flag instead; false applies the ratio to every trace
  // (callers then cannot force 100 % sampling on the collector).
  double sample_ratio = 1.0;  // 0 … 1
  bool parent_based = true;

  // Batching, off the request path (exporter.h).
  std::size_t max_queue_size = 2048;     // spans held for export; beyond this, new spans are dropped and counted
  std::size_t max_batch_size = 512;      // spans per export request
  milliseconds max_batch_delay{5'000};   // a partial batch waits at most this long
  milliseconds export_timeout{10'000};   // one export request, connect to response
  int max_export_attempts = 5;           // per batch, the first included; retried on 429/502/503/504 and transport errors
  milliseconds retry_initial_backoff{1'000};  // doubled per retry, full jitter…
  milliseconds retry_max_backoff{5'000};      // …up to this
  milliseconds max_retry_after{30'000};       // a collector's Retry-After is honoured up to this
  milliseconds shutdown_timeout{5'000};       // Shutdown() flushes for at most this long

  // Limits per span: attributes beyond the count, events beyond theirs, are
  // dropped (and counted in the span); longer string values are cut at a
  // UTF-8 boundary.
  std::size_t max_attributes = 32;
  std::size_t max_events = 16;
  std::size_t max_attribute_length = 1024;

  // Prompt and completion content (gen_ai.input.messages, gen_ai.output.messages,
  // gen_ai.system_instructions) is recorded only when this is true, each value
  // cut at `max_content_length`. Off by default: content is personal data.
  bool capture_content = false;
  std::size_t max_content_length = 16 * 1024;

  // Resource attributes.
  std::string service_name = "strata";  // service.name
  std::string service_version;          // service.version; empty: the build's version
  std::string host_name;                // host.name; empty: gethostname()
  std::vector<std::pair<std::string, std::string>> resource_attributes;  // more, e.g. deployment.environment.name
};

}  // namespace strata::tracing
