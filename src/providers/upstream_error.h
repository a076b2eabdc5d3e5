#pragma once

#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/fields.hpp>

#include "core/error.h"
#include "http/client.h"

namespace strata::providers {

// Turns a vendor's error response into a core::Error that keeps the vendor's
// message ("<deployment>: <vendor message>") and classifies it for routing:
// 400/404/413/422 kInvalidRequest (the request is at fault), 401/403
// kUpstreamRejected, 408/504 kUpstreamTimeout, 429 kRateLimited (Retry-After
// kept), any other 5xx kUpstreamUnavailable, anything else kUpstreamRejected.
core::Error UpstreamHttpError(std::string_view deployment, unsigned status, std::string_view body,
                              const boost::beast::http::fields& headers);

// The same for a streamed call whose answer is an error: reads its body (up
// to 64 KiB) for the vendor's message.
boost::asio::awaitable<core::Error> ReadErrorAnswer(std::string_view deployment, http::ClientStream& stream);

}  // namespace strata::providers
