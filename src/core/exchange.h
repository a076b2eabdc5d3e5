#pragma once

#include <any>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>

#include "core/error.h"
#include "core/usage.h"

namespace strata::core {

// The wire format a body is in. A provider serves some natively; the gateway
// translates the rest through the canonical one, OpenAI chat.
enum class ApiFormat { kOpenAiChat, kOpenAiCompletions, kOpenAiEmbeddings, kAnthropicMessages };

// Who is calling. Filled by the identify stage from a virtual key (its
// tenant, team and model allowlist) or a static config key (tenant "default").
struct Principal {
  std::string key_id;  // a stable, non-secret id of the credential used
  std::string tenant = "default";
  std::string team;    // empty: none
  bool authenticated = false;
  // Models the credential may call: aliases, or patterns ending in '*'. Empty: any.
  std::vector<std::string> allowed_models;
};

// One request's journey through the pipeline: parsed once at the start,
// enriched by each stage, read by accounting and recording at the end.
// Owned by the request's coroutine; never shared across requests or threads.
struct Exchange {
  using Clock = std::chrono::steady_clock;

  std::string request_id;
  ApiFormat format = ApiFormat::kOpenAiChat;
  Principal principal;
  std::string client_address;  // the peer's IP, for per-address limits
  Clock::time_point started = Clock::now();

  // The request, parsed once.
  // In an arena that lives as long as the exchange: the parse then costs a
  // few block allocations instead of one per key and string.
  boost::json::storage_ptr arena = boost::json::make_shared_resource<boost::json::monotonic_resource>(4096);
  boost::json::object body{arena};
  std::string model;  // the alias the client asked for
  bool stream = false;

  // What routing did.
  std::string alias;                    // the configured alias that served (a bounded label)
  std::string deployment;               // the one that answered
  std::string upstream_model;           // the model id it was called with
  std::vector<std::string> tried;       // every attempt, in order
  std::optional<Clock::time_point> first_byte;  // first byte sent to the client

  // What it cost.
  Usage usage;
  std::optional<double> cost_usd;  // unknown when the model has no price
  std::int64_t cost_nano_usd = 0;  // the same, exact; 0 when unknown
  int status = 0;                  // the HTTP status the client got
  bool client_gone = false;

  // Headers every answer to this request carries, whatever it is (e.g. the
  // x-ratelimit-* of the admit stage).
  std::vector<std::pair<std::string, std::string>> response_headers;
  // What the admit stage took (its limits ticket), for it to settle at the end.
  std::any admission;
  // The data subject the exchange is about (docs/AUDIT.md): a header, the
  // OpenAI `user` field or Anthropic's metadata.user_id; empty: the tenant.
  std::string subject;
  // The guard stage's per-request state (gateway::RequestGuard), if it ran.
  std::any guard;

  // For metrics (docs/METRICS.md), filled by dispatch. The error the client
  // got, in the answer or as a stream's final event; empty when it was served.
  std::optional<ErrorCode> error;
  // One per upstream call, in order. `deployment` and `provider` view the
  // gateway's config, which outlives every exchange it serves.
  struct UpstreamCall {
    std::string_view deployment;
    std::string_view provider;
    std::string alias;  // the alias it was tried under
    Clock::time_point started;
    Clock::duration took{};  // until the answer or the error (a stream: until its end)
    std::optional<ErrorCode> error;  // empty: it succeeded
  };
  std::vector<UpstreamCall> upstream_calls;
  bool counted_in_flight = false;  // the metrics stage counted it as in flight
  std::string_view requested_alias;  // the configured alias `model` resolved to (config-owned)
  // Ends the last call with `outcome`, a core::Result (success or the Error).
  template <class Outcome>
  void EndUpstreamCall(const Outcome& outcome) {
    if (upstream_calls.empty()) return;
    upstream_calls.back().took = Clock::now() - upstream_calls.back().started;
    if (!outcome) upstream_calls.back().error = outcome.error().code();
  }

  // The request's trace (docs/TRACING.md), for log lines: the trace id in
  // hex, from our span or, with tracing off, from the caller's traceparent.
  // Empty: no trace.
  std::string trace_id;
};

}  // namespace strata::core
