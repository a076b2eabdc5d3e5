#pragma once

#include <string_view>
#include <variant>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error.h"
#include "core/exchange.h"
#include "gateway/catalog.h"
#include "http/server.h"

namespace strata::gateway {

struct Continue {};
using StageOutcome = std::variant<Continue, core::Error>;

// One step of the request pipeline. Built once from config and shared by all
// requests on all workers: keep per-request state in the Exchange, never in
// the stage, and no locks.
class Stage {
 public:
  virtual ~Stage() = default;
  virtual std::string_view Name() const = 0;  // metrics label and config key
  // Whether OnAdmit may wait on I/O (a Redis limits backend, say): such a
  // stage gets a span of its own in the request's trace.
  virtual bool AdmitMayWaitOnIo() const { return false; }
  // Before the body is parsed (who is calling). An error ends the exchange
  // with that error.
  virtual boost::asio::awaitable<StageOutcome> OnRequest(core::Exchange& exchange, const http::Request& request) {
    co_return Continue{};
  }
  // After the body is parsed and the model resolved to `routes`, before the
  // upstream call (may it go ahead). An error ends the exchange with that error.
  virtual boost::asio::awaitable<StageOutcome> OnAdmit(core::Exchange& exchange, const http::Request& request,
                                                       const std::vector<AliasRoute>& routes) {
    co_return Continue{};
  }
  // Exactly once however the exchange ended (refused, failed, answered, or the
  // client left), after the client got its answer.
  virtual boost::asio::awaitable<void> OnComplete(core::Exchange& exchange) { co_return; }
};

}  // namespace strata::gateway
