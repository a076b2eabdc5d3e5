#pragma once

#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/exchange.h"
#include "gateway/catalog.h"
#include "http/server.h"

namespace strata::gateway {

// Calls the candidates in order until one answers, and sends the answer (or
// the last error) to the client in the OpenAI wire format. Falls back to the
// next candidate on any failure not caused by the request itself (a vendor
// 400 stops it), at most `max_attempts` calls, and never once a streamed
// answer has started reaching the client: a stream cut after that ends with
// an error event instead. Fills exchange.deployment, tried, usage, status.
boost::asio::awaitable<void> Dispatch(core::Exchange& exchange, const std::vector<Candidate>& candidates,
                                      int max_attempts, http::Responder& responder);

// Sends `error` in the OpenAI envelope and records its status on the exchange.
boost::asio::awaitable<void> SendError(core::Exchange& exchange, http::Responder& responder, const core::Error& error,
                                       unsigned version);

}  // namespace strata::gateway
