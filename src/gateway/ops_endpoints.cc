#include "gateway/ops_endpoints.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "gateway/api_docs.h"
#include "observability/metrics.h"

namespace strata::gateway {
namespace {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;

http::Response JsonResponse(beast_http::status status, const boost::json::value& body, unsigned version) {
  http::Response response(status, version);
  response.set(beast_http::field::content_type, "application/json");
  response.set(beast_http::field::cache_control, "no-store");
  response.body() = boost::json::serialize(body);
  return response;
}

asio::awaitable<void> Healthz(const http::Request& request, http::Responder& responder) {
  boost::json::object body;
  body["status"] = "ok";
  co_await responder.Send(JsonResponse(beast_http::status::ok, body, request.version()));
}

asio::awaitable<void> Readyz(const std::vector<ReadinessCheck>& checks, const http::Request& request,
                             http::Responder& responder) {
  boost::json::object results;
  bool ready = true;
  for (const ReadinessCheck& check : checks) {
    core::Status status = co_await check.check();
    if (status) {
      results[check.name] = "ok";
    } else {
      ready = false;
      results[check.name] = status.error().message();
    }
  }
  boost::json::object body;
  body["status"] = ready ? "ready" : "not_ready";
  body["checks"] = std::move(results);
  const auto code = ready ? beast_http::status::ok : beast_http::status::service_unavailable;
  co_await responder.Send(JsonResponse(code, body, request.version()));
}

asio::awaitable<void> Metrics(const http::Request& request, http::Responder& responder) {
  http::Response response(beast_http::status::ok, request.version());
  response.set(beast_http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  response.body() = observability::DefaultRegistry().Render();
  co_await responder.Send(std::move(response));
}

}  // namespace

void AddOpsRoutes(http::Router& router, std::vector<ReadinessCheck> readiness_checks) {
  router.Add(beast_http::verb::get, "/healthz", Healthz, OpsRouteDoc("/healthz"));
  auto checks = std::make_shared<const std::vector<ReadinessCheck>>(std::move(readiness_checks));
  router.Add(beast_http::verb::get, "/readyz",
             [checks](const http::Request& request, http::Responder& responder) {
               return Readyz(*checks, request, responder);
             },
             OpsRouteDoc("/readyz"));
  router.Add(beast_http::verb::get, "/metrics", Metrics, OpsRouteDoc("/metrics"));
}

}  // namespace strata::gateway
