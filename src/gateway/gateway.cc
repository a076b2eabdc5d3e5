#include "gateway/gateway.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "gateway/dispatch.h"
#include "gateway/stages/identify_stage.h"
#include "gateway/stages/record_stage.h"

namespace strata::gateway {
namespace {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
namespace json = boost::json;

// The field each OpenAI endpoint cannot do without.
std::string_view RequiredField(core::ApiFormat format) {
  switch (format) {
    case core::ApiFormat::kOpenAiCompletions: return "prompt";
    case core::ApiFormat::kOpenAiEmbeddings: return "input";
    default: return "messages";
  }
}

// Parses the body once into the exchange; the checks are the ones every
// provider relies on. The rest is the vendor's to judge.
core::Status ParseOpenAiBody(core::ApiFormat format, std::string_view text, core::Exchange& exchange) {
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
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
  if (format == core::ApiFormat::kOpenAiChat && (!field->is_array() || field->get_array().empty())) {
    return core::Error::InvalidRequest("'messages' must be a non-empty array", "messages");
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

}  // namespace

Gateway::Gateway(GatewayOptions options, store::WriteBehindQueue* records)
    : options_(std::move(options)), catalog_(options_.models) {
  stages_.push_back(std::make_unique<IdentifyStage>(options_.api_keys));
  if (records != nullptr) stages_.push_back(std::make_unique<RecordStage>(*records));
}

void Gateway::AddRoutes(http::Router& router) {
  const auto openai = [this](core::ApiFormat format) {
    return [this, format](const http::Request& request, http::Responder& responder) {
      return HandleOpenAi(format, request, responder);
    };
  };
  router.Add(beast_http::verb::post, "/v1/chat/completions", openai(core::ApiFormat::kOpenAiChat));
  router.Add(beast_http::verb::post, "/v1/completions", openai(core::ApiFormat::kOpenAiCompletions));
  router.Add(beast_http::verb::post, "/v1/embeddings", openai(core::ApiFormat::kOpenAiEmbeddings));
  const auto models = [this](const http::Request& request, http::Responder& responder) {
    return HandleModels(request, responder);
  };
  router.Add(beast_http::verb::get, "/v1/models", models);
  router.Add(beast_http::verb::get, "/v1/models/{id}", models);
}

asio::awaitable<bool> Gateway::Admit(core::Exchange& exchange, const http::Request& request,
                                     http::Responder& responder) {
  for (const auto& stage : stages_) {
    StageOutcome outcome = co_await stage->OnRequest(exchange, request);
    if (const core::Error* refused = std::get_if<core::Error>(&outcome)) {
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
asio::awaitable<void> Gateway::HandleOpenAi(core::ApiFormat format, const http::Request& request,
                                            http::Responder& responder) {
  core::Exchange exchange;
  exchange.request_id = responder.request_id();
  exchange.format = format;
  if (co_await Admit(exchange, request, responder)) {
    core::Status parsed = ParseOpenAiBody(format, request.body(), exchange);
    std::vector<Candidate> candidates;
    if (parsed) candidates = catalog_.Plan(exchange.model);
    if (!parsed) {
      co_await SendError(exchange, responder, parsed.error(), request.version());
    } else if (candidates.empty()) {
      co_await SendError(exchange, responder,
                         core::Error(core::ErrorCode::kNotFound,
                                     "the model '" + exchange.model + "' does not exist on this gateway", "model"),
                         request.version());
    } else {
      co_await Dispatch(exchange, candidates, options_.max_attempts, responder);
    }
  }
  exchange.client_gone = exchange.client_gone || responder.ClientGone();
  co_await Complete(exchange);
}

asio::awaitable<void> Gateway::HandleModels(const http::Request& request, http::Responder& responder) {
  core::Exchange exchange;
  exchange.request_id = responder.request_id();
  if (!co_await Admit(exchange, request, responder)) co_return;
  const std::string_view id = responder.PathParam("id");
  if (!id.empty()) {
    if (!catalog_.Serves(id)) {
      co_await SendError(exchange, responder,
                         core::Error(core::ErrorCode::kNotFound, "the model '" + std::string(id) + "' does not exist",
                                     "model"),
                         request.version());
      co_return;
    }
    co_await responder.Send(JsonResponse(ModelObject(id), request.version()));
    co_return;
  }
  json::array data;
  for (const std::string& name : catalog_.Names()) data.push_back(ModelObject(name));
  json::object list;
  list["object"] = "list";
  list["data"] = std::move(data);
  co_await responder.Send(JsonResponse(list, request.version()));
}

}  // namespace strata::gateway
