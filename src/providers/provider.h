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
  // already set to the deployment's upstream model.
  virtual asio::awaitable<core::Result<Answer>> Call(const Deployment& deployment, core::ApiFormat format,
                                                     const boost::json::object& body) = 0;
  virtual asio::awaitable<StreamEnd> Stream(const Deployment& deployment, core::ApiFormat format,
                                            const boost::json::object& body, EventSink& sink) = 0;
};

}  // namespace strata::providers
