#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "core/usage.h"

namespace strata::core {

// The wire format a body is in. A provider serves some natively; the gateway
// translates the rest through the canonical one, OpenAI chat.
enum class ApiFormat { kOpenAiChat, kOpenAiCompletions, kOpenAiEmbeddings, kAnthropicMessages };

// Who is calling. Filled by the identify stage; tenants, teams and roles
// arrive with the identity work, which only has to fill this in.
struct Principal {
  std::string key_id;  // a stable, non-secret id of the credential used
  std::string tenant = "default";
  bool authenticated = false;
};

// One request's journey through the pipeline: parsed once at the start,
// enriched by each stage, read by accounting and recording at the end.
// Owned by the request's coroutine; never shared across requests or threads.
struct Exchange {
  using Clock = std::chrono::steady_clock;

  std::string request_id;
  ApiFormat format = ApiFormat::kOpenAiChat;
  Principal principal;
  Clock::time_point started = Clock::now();

  // The request, parsed once.
  boost::json::object body;
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
  int status = 0;                  // the HTTP status the client got
  bool client_gone = false;
};

}  // namespace strata::core
