#pragma once

#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/exchange.h"
#include "gateway/guard/request_guard.h"
#include "gateway/review_desk.h"
#include "http/server.h"

namespace strata::gateway {

// Blocking review (docs/REVIEW.md): queues the exchange with `held_answer`
// and waits up to the policy's review_wait for a reviewer. True when approved
// in time: the caller then sends the answer. Otherwise the client got its
// answer here: review_rejected (403), or pending_review (423) carrying the
// review id to poll at /v1/reviews/{id}.
boost::asio::awaitable<bool> HoldForReview(core::Exchange& exchange, RequestGuard& guard, ReviewDesk* desk,
                                           std::string held_answer, http::Responder& responder);

// Queued review: the client already has its answer; the exchange joins the
// queue for a reviewer to judge after the fact.
boost::asio::awaitable<void> QueueForReview(core::Exchange& exchange, RequestGuard& guard, ReviewDesk* desk);

}  // namespace strata::gateway
