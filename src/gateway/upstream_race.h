#pragma once

#include <chrono>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "core/result.h"
#include "http/server.h"
#include "providers/provider.h"

namespace strata::gateway {

// Run one upstream call until it ends, its deadline passes, or the client
// leaves, whichever comes first. The loser is cancelled: the call's socket
// operations abort and its connection is dropped, never pooled, so a slow
// vendor is abandoned and a vendor stops generating for nobody.
//
// The call runs on a coroutine of its own whose cancellation slot the race
// holds; the deadline is a timer callback and the client's leaving a
// responder callback, so a race costs one spawn, one timer and no exception
// (the obvious `call || timer || client` spends three spawns, a parallel
// group and a thrown operation_aborted per request).

// A whole answer. A deadline becomes kUpstreamTimeout, the client leaving
// kUnavailable.
boost::asio::awaitable<core::Result<providers::Answer>> RaceCall(
    boost::asio::awaitable<core::Result<providers::Answer>> call, std::chrono::milliseconds limit,
    http::Responder& responder, std::string_view deployment);

// A stream. The deadline bounds only the wait for the first event (`*started`
// turns true when it is sent); after that only the client's idle timeout
// bounds the stream, since a long generation is not a failure.
boost::asio::awaitable<providers::StreamEnd> RaceStream(boost::asio::awaitable<providers::StreamEnd> stream,
                                                        const bool* started, std::chrono::milliseconds limit,
                                                        http::Responder& responder, std::string_view deployment);

}  // namespace strata::gateway
