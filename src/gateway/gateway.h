#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gateway/catalog.h"
#include "gateway/dispatch.h"
#include "gateway/options.h"
#include "gateway/review_desk.h"
#include "gateway/stage.h"
#include "gateway/stages/guard_stage.h"
#include "governance/snapshot.h"
#include "limits/limits.h"
#include "http/server.h"
#include "pricing/price_table.h"
#include "store/write_behind.h"
#include "tracing/span.h"
#include "tracing/tracer.h"

namespace strata::gateway {

// The LLM API: OpenAI-compatible endpoints in front of the configured
// providers, each request an Exchange through the stages (identify → ... →
// record), the upstream call routed over the alias's deployments and
// fallbacks. Built once at startup; must outlive the server it adds routes to.
// What the gateway works with besides its options; each may be null (tests,
// or a gateway without that concern). All must outlive the gateway.
struct GatewayDeps {
  store::WriteBehindQueue* records = nullptr;          // one inference record per exchange
  const governance::SnapshotSource* snapshots = nullptr;  // virtual keys, tenants, limits, budgets
  limits::Backend* limits = nullptr;                   // rate limits, concurrency caps, budgets
  const tracing::Tracer* tracer = nullptr;             // spans (docs/TRACING.md); null: tracing off
  PolicyProvider policy;            // the policy in force (docs/POLICY.md); empty: the built-in default
  ReviewDesk* reviews = nullptr;    // human review (docs/REVIEW.md); null: a policy asking for one fails the request
};

class Gateway {
 public:
  // `prices` prices each exchange.
  Gateway(GatewayOptions options, pricing::PriceTable prices, GatewayDeps deps);

  // POST /v1/chat/completions, /v1/completions, /v1/embeddings (OpenAI),
  // POST /v1/messages, /v1/messages/count_tokens (Anthropic);
  // GET /v1/models, /v1/models/{id}.
  void AddRoutes(http::Router& router);
  // The reusable schemas the routes' documentation refers to (OpenAPI components).
  static std::map<std::string, std::string> Schemas();

  const Catalog& catalog() const { return catalog_; }

 private:
  boost::asio::awaitable<void> HandleInference(core::ApiFormat format, const http::Request& request,
                                               http::Responder& responder);
  boost::asio::awaitable<void> HandleCountTokens(const http::Request& request, http::Responder& responder);
  boost::asio::awaitable<void> HandleModels(const http::Request& request, http::Responder& responder);
  // GET /v1/reviews/{id} and POST /v1/feedback (review_routes.cc).
  boost::asio::awaitable<void> HandleReview(const http::Request& request, http::Responder& responder);
  boost::asio::awaitable<void> HandleFeedback(const http::Request& request, http::Responder& responder);
  // The request's SERVER span, continuing the caller's traceparent; hands
  // the trace id to the exchange and the access log. With tracing off, the
  // caller's trace id is still logged and, when `passthrough` is given, its
  // headers are kept there to be forwarded upstream unchanged.
  tracing::Span StartRequestSpan(std::string_view name, const http::Request& request, http::Responder& responder,
                                 core::Exchange& exchange, providers::CallContext* passthrough = nullptr) const;
  // Runs the stages' OnRequest (before parsing; `routes` null) or OnAdmit
  // (after); false when one refused (the refusal was sent). A stage whose
  // OnAdmit may wait on I/O runs in a child span of `span`.
  boost::asio::awaitable<bool> Admit(core::Exchange& exchange, const http::Request& request,
                                     http::Responder& responder, const tracing::Span& span,
                                     const std::vector<AliasRoute>* routes = nullptr);
  boost::asio::awaitable<void> Complete(core::Exchange& exchange);
  // This worker's routing state for this gateway, made on first use.
  WorkerRouting& RoutingOfThisWorker();

  const std::uint64_t generation_;  // tells gateways apart in per-thread state
  const GatewayOptions options_;
  const Catalog catalog_;
  const pricing::PriceTable prices_;
  const tracing::Tracer* tracer_;  // never null: a disabled tracer when none was given
  ReviewDesk* reviews_;
  std::vector<std::unique_ptr<Stage>> stages_;
};

}  // namespace strata::gateway
