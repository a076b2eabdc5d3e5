#include "gateway/dispatch.h"

#include <boost/json/serialize.hpp>

#include "observability/log.h"
#include "providers/registry.h"

namespace strata::gateway {
namespace {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
namespace json = boost::json;

// A vendor 400 means the request itself is wrong: another deployment would
// refuse it too. Everything else (limits, outages, timeouts, a vendor
// refusing our credentials) may succeed elsewhere.
bool MayFallBack(const core::Error& error) { return error.code() != core::ErrorCode::kInvalidRequest; }

void SetRoutingHeaders(http::Response& response, const core::Exchange& exchange) {
  response.set("x-strata-deployment", exchange.deployment);
  response.set("x-strata-attempts", std::to_string(exchange.tried.size()));
}

// Forwards a provider's events to the client, starting the event stream on the first.
class ClientSink final : public providers::EventSink {
 public:
  ClientSink(core::Exchange& exchange, http::Responder& responder, unsigned version)
      : exchange_(exchange), responder_(responder), version_(version) {}

  asio::awaitable<core::Status> OnEvent(std::string_view name, std::string_view data) override {
    if (!started_) {
      started_ = true;
      exchange_.first_byte = core::Exchange::Clock::now();
      exchange_.status = 200;
      http::Response head(beast_http::status::ok, version_);
      SetRoutingHeaders(head, exchange_);
      core::Status opened = co_await responder_.StartEvents(std::move(head));
      if (!opened) co_return opened;
    }
    co_return co_await responder_.SendEvent(data, name);
  }

  bool started() const { return started_; }

 private:
  core::Exchange& exchange_;
  http::Responder& responder_;
  unsigned version_;
  bool started_ = false;
};

asio::awaitable<void> EndBrokenStream(core::Exchange& exchange, http::Responder& responder,
                                      const core::Error& error) {
  if (responder.ClientGone()) {
    exchange.client_gone = true;
    co_return;
  }
  // The OpenAI SDKs raise an APIError for a chunk carrying `error`.
  observability::Log(observability::Level::kWarn, "upstream stream broke after it started",
                     {{"request_id", exchange.request_id}, {"deployment", exchange.deployment},
                      {"error", error.message()}});
  const std::string envelope = error.ToJson();
  if (co_await responder.SendEvent(envelope)) co_await responder.FinishEvents();
}

}  // namespace

asio::awaitable<void> SendError(core::Exchange& exchange, http::Responder& responder, const core::Error& error,
                                unsigned version) {
  exchange.status = error.HttpStatus();
  http::Response response = http::ErrorResponse(error, version);
  if (!exchange.tried.empty()) response.set("x-strata-attempts", std::to_string(exchange.tried.size()));
  co_await responder.Send(std::move(response));
}

asio::awaitable<void> Dispatch(core::Exchange& exchange, const std::vector<Candidate>& candidates, int max_attempts,
                               http::Responder& responder) {
  const unsigned version = 11;
  core::Error last_error = core::Error::Unavailable("no deployment could serve '" + exchange.model + "'");
  ClientSink sink(exchange, responder, version);
  for (const Candidate& candidate : candidates) {
    if (static_cast<int>(exchange.tried.size()) >= max_attempts) break;
    const providers::Deployment& deployment = *candidate.deployment;
    const std::shared_ptr<providers::Provider> provider = providers::ProviderFor(deployment.provider);
    if (provider == nullptr || !provider->Speaks(exchange.format)) continue;
    exchange.tried.push_back(deployment.name);
    exchange.deployment = deployment.name;
    exchange.body["model"] = candidate.upstream_model;

    if (exchange.stream) {
      providers::StreamEnd end = co_await provider->Stream(deployment, exchange.format, exchange.body, sink);
      exchange.usage = end.usage;
      if (end.status) co_return;
      last_error = end.status.error();
      if (end.delivered) {
        co_await EndBrokenStream(exchange, responder, last_error);
        co_return;
      }
    } else {
      core::Result<providers::Answer> answer = co_await provider->Call(deployment, exchange.format, exchange.body);
      if (answer) {
        exchange.usage = answer->usage;
        exchange.status = 200;
        exchange.first_byte = core::Exchange::Clock::now();
        http::Response response(beast_http::status::ok, version);
        response.set(beast_http::field::content_type, "application/json");
        SetRoutingHeaders(response, exchange);
        response.body() = std::move(answer->body);
        if (!co_await responder.Send(std::move(response))) exchange.client_gone = true;
        co_return;
      }
      last_error = answer.error();
    }
    observability::Log(observability::Level::kWarn, "upstream attempt failed",
                       {{"request_id", exchange.request_id}, {"deployment", deployment.name},
                        {"error", last_error.message()}});
    if (!MayFallBack(last_error)) break;
  }
  exchange.deployment.clear();
  co_await SendError(exchange, responder, last_error, version);
}

}  // namespace strata::gateway
