#pragma once

#include <memory>
#include <vector>

#include "gateway/catalog.h"
#include "gateway/dispatch.h"
#include "gateway/options.h"
#include "gateway/stage.h"
#include "http/server.h"
#include "pricing/price_table.h"
#include "store/write_behind.h"

namespace strata::gateway {

// The LLM API: OpenAI-compatible endpoints in front of the configured
// providers, each request an Exchange through the stages (identify → ... →
// record), the upstream call routed over the alias's deployments and
// fallbacks. Built once at startup; must outlive the server it adds routes to.
class Gateway {
 public:
  // `prices` prices each exchange; `records` receives one inference record per
  // exchange (may be null in tests).
  Gateway(GatewayOptions options, pricing::PriceTable prices, store::WriteBehindQueue* records);

  // POST /v1/chat/completions, /v1/completions, /v1/embeddings (OpenAI),
  // POST /v1/messages, /v1/messages/count_tokens (Anthropic);
  // GET /v1/models, /v1/models/{id}.
  void AddRoutes(http::Router& router);

  const Catalog& catalog() const { return catalog_; }

 private:
  boost::asio::awaitable<void> HandleInference(core::ApiFormat format, const http::Request& request,
                                               http::Responder& responder);
  boost::asio::awaitable<void> HandleCountTokens(const http::Request& request, http::Responder& responder);
  boost::asio::awaitable<void> HandleModels(const http::Request& request, http::Responder& responder);
  // Runs the request stages; false when one refused (the refusal was sent).
  boost::asio::awaitable<bool> Admit(core::Exchange& exchange, const http::Request& request,
                                     http::Responder& responder);
  boost::asio::awaitable<void> Complete(core::Exchange& exchange);
  // This worker's routing state for this gateway, made on first use.
  WorkerRouting& RoutingOfThisWorker();

  const std::uint64_t generation_;  // tells gateways apart in per-thread state
  const GatewayOptions options_;
  const Catalog catalog_;
  const pricing::PriceTable prices_;
  std::vector<std::unique_ptr<Stage>> stages_;
};

}  // namespace strata::gateway
