#include "gateway/gateway.h"

#include <atomic>
#include <iterator>
#include <random>
#include <unordered_map>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "gateway/api_docs.h"
#include "gateway/dispatch.h"
#include "gateway/guard/request_guard.h"
#include "gateway/review_hold.h"
#include "pricing/token_estimate.h"
#include "gateway/stages/admit_stage.h"
#include "gateway/stages/identify_stage.h"
#include "gateway/stages/metrics_stage.h"
#include "gateway/stages/record_stage.h"
#include "tracing/genai.h"

namespace strata::gateway {
namespace {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
namespace json = boost::json;

// The field each endpoint cannot do without.
std::string_view RequiredField(core::ApiFormat format) {
  switch (format) {
    case core::ApiFormat::kOpenAiCompletions: return "prompt";
    case core::ApiFormat::kOpenAiEmbeddings: return "input";
    default: return "messages";
  }
}

// Parses the body once into the exchange; the checks are the ones every
// provider relies on. The rest is the vendor's to judge.
core::Status ParseBody(core::ApiFormat format, std::string_view text, core::Exchange& exchange) {
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec, exchange.body.storage());  // same arena: the move below moves
  if (ec) return core::Error::InvalidRequest("the request body is not valid JSON: " + ec.message());
  if (!parsed.is_object()) return core::Error::InvalidRequest("the request body must be a JSON object");
  exchange.body = std::move(parsed.get_object());
  const json::value* model = exchange.body.if_contains("model");
  if (model == nullptr || !model->is_string() || model->get_string().empty()) {
    return core::Error::InvalidRequest("'model' must be a non-empty string", "model");
  }
  exchange.model = std::string(model->get_string());
  const std::string_view required = RequiredField(format);
  const json::value* field = exchange.body.if_contains(required);
  if (field == nullptr || field->is_null()) {
    return core::Error::InvalidRequest("'" + std::string(required) + "' is required", std::string(required));
  }
  const bool chat_like = format == core::ApiFormat::kOpenAiChat || format == core::ApiFormat::kAnthropicMessages;
  if (chat_like && (!field->is_array() || field->get_array().empty())) {
    return core::Error::InvalidRequest("'messages' must be a non-empty array", "messages");
  }
  if (format == core::ApiFormat::kAnthropicMessages) {
    const json::value* max_tokens = exchange.body.if_contains("max_tokens");
    if (max_tokens == nullptr || !(max_tokens->is_int64() || max_tokens->is_uint64()) || max_tokens->to_number<double>() < 1) {
      return core::Error::InvalidRequest("'max_tokens' must be a positive integer", "max_tokens");
    }
  }
  if (const json::value* stream = exchange.body.if_contains("stream"); stream != nullptr && !stream->is_null()) {
    if (!stream->is_bool()) return core::Error::InvalidRequest("'stream' must be a boolean", "stream");
    exchange.stream = stream->get_bool();
  }
  if (format == core::ApiFormat::kOpenAiEmbeddings && exchange.stream) {
    return core::Error::InvalidRequest("embeddings cannot be streamed", "stream");
  }
  return core::Status();
}

json::object ModelObject(std::string_view id) {
  json::object model;
  model["id"] = id;
  model["object"] = "model";
  model["created"] = 0;
  model["owned_by"] = "strata";
  return model;
}

http::Response JsonResponse(const json::value& body, unsigned version) {
  http::Response response(beast_http::status::ok, version);
  response.set(beast_http::field::content_type, "application/json");
  response.body() = json::serialize(body);
  return response;
}

std::atomic<std::uint64_t> next_generation{1};

// `{method} {route}`, the HTTP server span name: a literal, so that an
// unsampled request builds no string.
std::string_view RequestSpanName(core::ApiFormat format) {
  switch (format) {
    case core::ApiFormat::kOpenAiCompletions: return "POST /v1/completions";
    case core::ApiFormat::kOpenAiEmbeddings: return "POST /v1/embeddings";
    case core::ApiFormat::kAnthropicMessages: return "POST /v1/messages";
    default: return "POST /v1/chat/completions";
  }
}

// The caller's trace headers. A traceparent sent twice counts as absent (W3C
// 3.2.2); several tracestate lines are one list, joined with ','.
struct TraceHeaders {
  std::string_view traceparent;
  std::string tracestate;
};

TraceHeaders ReadTraceHeaders(const http::Request& request) {
  TraceHeaders headers;
  auto [first, end] = request.equal_range("traceparent");
  if (first == end || std::next(first) != end) return headers;
  headers.traceparent = first->value();
  for (auto [it, last] = request.equal_range("tracestate"); it != last; ++it) {
    if (!headers.tracestate.empty()) headers.tracestate += ',';
    headers.tracestate.append(it->value());
  }
  return headers;
}

// What the request's span learns once the exchange is over.
void EndRequestSpan(tracing::Span& span, const core::Exchange& exchange) {
  namespace genai = tracing::genai;
  if (!span.recording()) return;
  span.SetAttribute(genai::kHttpResponseStatusCode, exchange.status);
  if (exchange.principal.authenticated) {
    span.SetAttribute(genai::kStrataTenant, exchange.principal.tenant);
    span.SetAttribute(genai::kStrataKeyId, exchange.principal.key_id);  // the id, never the secret
  }
  if (!exchange.tried.empty()) {
    span.SetAttribute(genai::kStrataAttempts, exchange.tried.size());
    if (!exchange.alias.empty()) span.SetAttribute(genai::kStrataAlias, exchange.alias);
    if (!exchange.deployment.empty()) span.SetAttribute(genai::kStrataDeployment, exchange.deployment);
    if (exchange.status == 200) genai::RecordUsage(span, exchange.usage);
  }
  if (exchange.cost_usd) span.SetAttribute(genai::kStrataCostUsd, *exchange.cost_usd);
  // HTTP server semconv: 5xx is the server's error; a 4xx is the caller's
  // and leaves the status unset.
  if (exchange.client_gone) {
    span.SetError("client_gone", "the client disconnected");
  } else if (exchange.status >= 500) {
    span.SetError(std::to_string(exchange.status), "answered " + std::to_string(exchange.status));
  }
}

const tracing::Tracer& DisabledTracer() {
  static const tracing::Tracer disabled(tracing::TracingOptions{}, nullptr);
  return disabled;
}

}  // namespace

Gateway::Gateway(GatewayOptions options, pricing::PriceTable prices, GatewayDeps deps)
    : generation_(next_generation.fetch_add(1)),
      options_(std::move(options)),
      catalog_(options_.models),
      prices_(std::move(prices)),
      tracer_(deps.tracer != nullptr ? deps.tracer : &DisabledTracer()),
      reviews_(deps.reviews) {
  stages_.push_back(std::make_unique<IdentifyStage>(options_.api_keys, deps.snapshots));
  if (deps.limits != nullptr) {
    stages_.push_back(std::make_unique<AdmitStage>(options_.limits, prices_, deps.snapshots, *deps.limits));
  }
  // After admit: a blocked request still counts against its caller's limits.
  if (options_.guard.enabled) {
    stages_.push_back(std::make_unique<GuardStage>(options_.guard, options_.limits, prices_, std::move(deps.policy)));
  }
  stages_.push_back(std::make_unique<MetricsStage>());
  if (deps.records != nullptr) stages_.push_back(std::make_unique<RecordStage>(*deps.records));
}

std::map<std::string, std::string> Gateway::Schemas() { return GatewaySchemas(); }

void Gateway::AddRoutes(http::Router& router) {
  const auto openai = [this](core::ApiFormat format) {
    return [this, format](const http::Request& request, http::Responder& responder) {
      return HandleInference(format, request, responder);
    };
  };
  using enum DocumentedRoute;
  router.Add(beast_http::verb::post, "/v1/chat/completions", openai(core::ApiFormat::kOpenAiChat),
             GatewayRouteDoc(kChat));
  router.Add(beast_http::verb::post, "/v1/completions", openai(core::ApiFormat::kOpenAiCompletions),
             GatewayRouteDoc(kCompletions));
  router.Add(beast_http::verb::post, "/v1/embeddings", openai(core::ApiFormat::kOpenAiEmbeddings),
             GatewayRouteDoc(kEmbeddings));
  router.Add(beast_http::verb::post, "/v1/messages", openai(core::ApiFormat::kAnthropicMessages),
             GatewayRouteDoc(kMessages));
  router.Add(
      beast_http::verb::post, "/v1/messages/count_tokens",
      [this](const http::Request& request, http::Responder& responder) { return HandleCountTokens(request, responder); },
      GatewayRouteDoc(kCountTokens));
  const auto models = [this](const http::Request& request, http::Responder& responder) {
    return HandleModels(request, responder);
  };
  router.Add(beast_http::verb::get, "/v1/models", models, GatewayRouteDoc(kModels));
  router.Add(beast_http::verb::get, "/v1/models/{id}", models, GatewayRouteDoc(kModel));
  if (reviews_ != nullptr) {
    router.Add(
        beast_http::verb::get, "/v1/reviews/{id}",
        [this](const http::Request& request, http::Responder& responder) { return HandleReview(request, responder); },
        GatewayRouteDoc(kReview));
    router.Add(
        beast_http::verb::post, "/v1/feedback",
        [this](const http::Request& request, http::Responder& responder) { return HandleFeedback(request, responder); },
        GatewayRouteDoc(kFeedback));
  }
}

WorkerRouting& Gateway::RoutingOfThisWorker() {
  // Keyed by generation, not address: a later gateway may reuse this one's address.
  thread_local std::unordered_map<std::uint64_t, std::unique_ptr<WorkerRouting>> per_gateway;
  std::unique_ptr<WorkerRouting>& routing = per_gateway[generation_];
  if (!routing) routing = std::make_unique<WorkerRouting>(catalog_, options_, std::random_device{}());
  return *routing;
}

tracing::Span Gateway::StartRequestSpan(std::string_view name, const http::Request& request,
                                        http::Responder& responder, core::Exchange& exchange,
                                        providers::CallContext* passthrough) const {
  namespace genai = tracing::genai;
  TraceHeaders incoming = ReadTraceHeaders(request);
  tracing::Span span = tracer_->StartServerSpan(name, incoming.traceparent, incoming.tracestate);
  if (span.context().IsValid()) {
    exchange.trace_id = span.context().trace_id.Hex();
    responder.SetTraceContext(exchange.trace_id, span.context().span_id.Hex());
  } else if (!incoming.traceparent.empty()) {
    // Tracing is off. The caller's trace id still ties our log lines to its
    // trace, and its headers go upstream as they came (W3C: a system that
    // does not take part forwards the context).
    if (std::optional<tracing::SpanContext> caller = tracing::ParseTraceparent(incoming.traceparent)) {
      exchange.trace_id = caller->trace_id.Hex();
      responder.SetTraceContext(exchange.trace_id, {});
      if (passthrough != nullptr) {
        passthrough->traceparent = tracing::FormatTraceparent(*caller);
        passthrough->tracestate = tracing::SanitizeTraceState(incoming.tracestate).value_or("");
      }
    }
  }
  if (span.recording()) {
    const auto method = request.method_string();
    span.SetAttribute(genai::kHttpRequestMethod, std::string_view(method.data(), method.size()));
    span.SetAttribute(genai::kHttpRoute, responder.route());
    span.SetAttribute(genai::kStrataRequestId, exchange.request_id);
    if (!responder.client_address().empty()) span.SetAttribute(genai::kClientAddress, responder.client_address());
  }
  return span;
}

asio::awaitable<bool> Gateway::Admit(core::Exchange& exchange, const http::Request& request,
                                     http::Responder& responder, const tracing::Span& span,
                                     const std::vector<AliasRoute>* routes) {
  for (const std::unique_ptr<Stage>& stage : stages_) {
    // Two statements, not a conditional expression: g++ 12 mishandles the
    // temporaries of co_await inside ?: (the refusal's message was freed).
    StageOutcome outcome;
    tracing::Span stage_span;
    if (routes == nullptr) {
      outcome = co_await stage->OnRequest(exchange, request);
    } else {
      if (stage->AdmitMayWaitOnIo()) {  // only those get a span (identify reads memory)
        stage_span = tracer_->StartChild(span, stage->Name());
        stage_span.SetAttribute(tracing::genai::kStrataStage, stage->Name());
      }
      outcome = co_await stage->OnAdmit(exchange, request, *routes);
    }
    if (const core::Error* refused = std::get_if<core::Error>(&outcome)) {
      stage_span.SetError(refused->CodeName(), refused->message());
      stage_span.End();
      co_await SendError(exchange, responder, *refused, request.version());
      co_return false;
    }
  }
  co_return true;
}

asio::awaitable<void> Gateway::Complete(core::Exchange& exchange) {
  for (const auto& stage : stages_) co_await stage->OnComplete(exchange);
}

// Identify runs before the body is parsed: a caller without a valid key
// learns nothing about what the API would accept.
asio::awaitable<void> Gateway::HandleInference(core::ApiFormat format, const http::Request& request,
                                               http::Responder& responder) {
  namespace genai = tracing::genai;
  core::Exchange exchange;
  exchange.request_id = responder.request_id();
  exchange.format = format;
  exchange.client_address = std::string(responder.client_address());
  providers::CallContext passthrough;
  tracing::Span span = StartRequestSpan(RequestSpanName(format), request, responder, exchange, &passthrough);
  span.SetAttribute(genai::kOperationName, genai::OperationName(format));
  if (co_await Admit(exchange, request, responder, span)) {
    core::Status parsed = ParseBody(format, request.body(), exchange);
    std::vector<AliasRoute> routes;
    if (parsed) {
      routes = catalog_.Routes(exchange.model);
      span.SetAttribute(genai::kRequestModel, exchange.model);
      span.SetAttribute(genai::kStrataStream, exchange.stream);
      genai::RecordInputContent(span, exchange.body);  // only with capture_content
    }
    if (!parsed) {
      co_await SendError(exchange, responder, parsed.error(), request.version());
    } else if (routes.empty()) {
      co_await SendError(exchange, responder,
                         core::Error(core::ErrorCode::kNotFound,
                                     "the model '" + exchange.model + "' does not exist on this gateway", "model"),
                         request.version());
    } else if (co_await Admit(exchange, request, responder, span, &routes)) {
      RequestGuard* guard = GuardOf(exchange);
      const DispatchTrace trace{tracer_, &span, &passthrough};
      const DispatchGuard governance{guard, reviews_};
      co_await Dispatch(exchange, routes, options_, prices_, RoutingOfThisWorker(), responder, trace, governance);
      if (guard != nullptr && guard->effect().review == policy::ReviewMode::kQueued && exchange.status == 200) {
        co_await QueueForReview(exchange, *guard, reviews_);
      }
    }
  }
  exchange.client_gone = exchange.client_gone || responder.ClientGone();
  EndRequestSpan(span, exchange);
  co_await Complete(exchange);
  // The span ends here, so accounting and the record's queueing are inside it.
}

// An estimate (docs/PRICING.md), the same whichever provider would serve the
// model: asking a vendor would put a network call, and its cost, on a request
// that exists to avoid one.
asio::awaitable<void> Gateway::HandleCountTokens(const http::Request& request, http::Responder& responder) {
  core::Exchange exchange;
  exchange.request_id = responder.request_id();
  exchange.format = core::ApiFormat::kAnthropicMessages;
  tracing::Span span = StartRequestSpan("POST /v1/messages/count_tokens", request, responder, exchange);
  if (!co_await Admit(exchange, request, responder, span)) {
    EndRequestSpan(span, exchange);
    co_return;
  }
  core::Status parsed = ParseBody(core::ApiFormat::kAnthropicMessages, request.body(), exchange);
  if (!parsed && parsed.error().param() != "max_tokens") {  // count_tokens takes no max_tokens
    co_await SendError(exchange, responder, parsed.error(), request.version());
    EndRequestSpan(span, exchange);
    co_return;
  }
  json::object count;
  count["input_tokens"] = pricing::EstimateRequestInputTokens(exchange.body);
  exchange.status = 200;
  EndRequestSpan(span, exchange);
  co_await responder.Send(JsonResponse(count, request.version()));
}

asio::awaitable<void> Gateway::HandleModels(const http::Request& request, http::Responder& responder) {
  core::Exchange exchange;
  exchange.request_id = responder.request_id();
  const std::string_view id = responder.PathParam("id");
  tracing::Span span =
      StartRequestSpan(id.empty() ? "GET /v1/models" : "GET /v1/models/{id}", request, responder, exchange);
  exchange.status = 200;  // unless a refusal below says otherwise
  if (!co_await Admit(exchange, request, responder, span)) {
    EndRequestSpan(span, exchange);
    co_return;
  }
  if (!id.empty()) {
    if (!catalog_.Serves(id)) {
      co_await SendError(exchange, responder,
                         core::Error(core::ErrorCode::kNotFound, "the model '" + std::string(id) + "' does not exist",
                                     "model"),
                         request.version());
      EndRequestSpan(span, exchange);
      co_return;
    }
    EndRequestSpan(span, exchange);
    co_await responder.Send(JsonResponse(ModelObject(id), request.version()));
    co_return;
  }
  EndRequestSpan(span, exchange);
  json::array data;
  for (const std::string& name : catalog_.Names()) data.push_back(ModelObject(name));
  json::object list;
  list["object"] = "list";
  list["data"] = std::move(data);
  co_await responder.Send(JsonResponse(list, request.version()));
}

}  // namespace strata::gateway
