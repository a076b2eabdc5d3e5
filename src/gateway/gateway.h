#pragma once

#include <memory>
#include <vector>

#include "gateway/catalog.h"
#include "gateway/options.h"
#include "gateway/stage.h"
#include "http/server.h"
#include "store/write_behind.h"

namespace strata::gateway {

// The LLM API: OpenAI-compatible endpoints in front of the configured
// providers, each request an Exchange through the stages (identify → ... →
// record), the upstream call routed over the alias's deployments and
// fallbacks. Built once at startup; must outlive the server it adds routes to.
class Gateway {
 public:
  // `records` receives one inference record per exchange (may be null in tests).
  Gateway(GatewayOptions options, store::WriteBehindQueue* records);

  // POST /v1/chat/completions, /v1/completions, /v1/embeddings;
  // GET /v1/models, /v1/models/{id}.
  void AddRoutes(http::Router& router);

  const Catalog& catalog() const { return catalog_; }

 private:
  boost::asio::awaitable<void> HandleOpenAi(core::ApiFormat format, const http::Request& request,
                                            http::Responder& responder);
  boost::asio::awaitable<void> HandleModels(const http::Request& request, http::Responder& responder);
  // Runs the request stages; false when one refused (the refusal was sent).
  boost::asio::awaitable<bool> Admit(core::Exchange& exchange, const http::Request& request,
                                     http::Responder& responder);
  boost::asio::awaitable<void> Complete(core::Exchange& exchange);

  const GatewayOptions options_;
  const Catalog catalog_;
  std::vector<std::unique_ptr<Stage>> stages_;
};

}  // namespace strata::gateway
