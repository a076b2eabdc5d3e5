#pragma once

#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "core/exchange.h"
#include "core/result.h"
#include "core/usage.h"
#include "providers/deployment.h"

namespace strata::providers {

namespace asio = boost::asio;

// Where a streamed answer goes, event by event, as soon as each arrives.
class EventSink {
 public:
  virtual ~EventSink() = default;
  // One event in the wire format the call was made in: `data` is the SSE data
  // (a JSON chunk, or "[DONE]" for OpenAI), `name` the SSE event name (Anthropic).
  // Fails once the client is gone; the provider then stops reading upstream.
  virtual asio::awaitable<core::Status> OnEvent(std::string_view name, std::string_view data) = 0;
};

// What one upstream call carries besides the body: the W3C trace context of
// the attempt (docs/TRACING.md), sent as `traceparent` / `tracestate` so the
// vendor can join the caller's trace. Empty fields send no header. Passed as a
// value rather than kept in a thread-local "current span": other requests'
// coroutines run on the same thread between this call's suspensions.
struct CallContext {
  std::string traceparent;
  std::string tracestate;
};

// Sets the context's headers on an upstream request, after the deployment's
// own headers so that a config header cannot replace them by accident.
template <class Fields>
void SetTraceHeaders(Fields& headers, const CallContext& context) {
  if (!context.traceparent.empty()) headers.set("traceparent", context.traceparent);
  if (!context.tracestate.empty()) headers.set("tracestate", context.tracestate);
}

// A whole (non-streamed) answer, in the wire format the call was made in.
struct Answer {
  std::string body;  // JSON, forwarded to the client
  core::Usage usage;
};

// How a stream ended. `delivered` tells routing whether anything reached the
// client: after that, no retry and no fallback may happen.
struct StreamEnd {
  core::Status status;
  core::Usage usage;
  bool delivered = false;
};

// A vendor family. One instance serves every deployment of its family from
// every worker: it keeps no per-request state, and makes its upstream calls
// through the calling worker's http::Client (http::WorkerClient()).
//
// Errors are core::Error with the vendor's message kept: a vendor 400 is
// kInvalidRequest (the request is at fault), 429 kRateLimited with its
// Retry-After, 5xx kUpstreamUnavailable, 401/403 kUpstreamRejected (our
// vendor credentials are at fault, not the caller's), timeouts kUpstreamTimeout.
class Provider {
 public:
  virtual ~Provider() = default;

  // Whether `format` is spoken natively; others reach it as OpenAI chat.
  virtual bool Speaks(core::ApiFormat format) const = 0;

  // `body` is the client's body in `format` (Speaks(format) holds), model
  // already set to the deployment's upstream model. `context` goes on every
  // HTTP request the call makes (key rotation retries included); it must
  // outlive the call. Pass a named object: g++ 12 frees a temporary (`{}`)
  // argument of a co_await'ed call too early.
  virtual asio::awaitable<core::Result<Answer>> Call(const Deployment& deployment, core::ApiFormat format,
                                                     const boost::json::object& body, const CallContext& context) = 0;
  virtual asio::awaitable<StreamEnd> Stream(const Deployment& deployment, core::ApiFormat format,
                                            const boost::json::object& body, EventSink& sink,
                                            const CallContext& context) = 0;
};

}  // namespace strata::providers
