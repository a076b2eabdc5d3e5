// The API caller's side of human review and feedback (docs/REVIEW.md):
// polling a held answer, and scoring an exchange. Both identify the caller
// like the model routes, and see only what that caller's key made.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "gateway/dispatch.h"
#include "gateway/gateway.h"

namespace strata::gateway {
namespace {

namespace beast_http = boost::beast::http;
namespace json = boost::json;

constexpr std::size_t kMaxRequestIdBytes = 200;
constexpr std::size_t kMaxCommentBytes = 2000;

http::Response JsonAnswer(beast_http::status status, const json::object& body, unsigned version) {
  http::Response response(status, version);
  response.set(beast_http::field::content_type, "application/json");
  response.body() = json::serialize(body);
  return response;
}

// {"request_id": "…", "score": 0..1, "comment": "…"}, nothing else.
core::Result<ReviewDesk::Feedback> ReadFeedback(std::string_view text) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(text, ec);
  if (ec) return core::Error::InvalidRequest("the request body is not valid JSON: " + ec.message());
  if (!parsed.is_object()) return core::Error::InvalidRequest("the request body must be a JSON object");
  ReviewDesk::Feedback feedback;
  for (const auto& [key, value] : parsed.get_object()) {
    if (key == "request_id") {
      if (!value.is_string() || value.get_string().empty() || value.get_string().size() > kMaxRequestIdBytes) {
        return core::Error::InvalidRequest("'request_id' must be a non-empty string of at most 200 bytes", "request_id");
      }
      feedback.request_id = std::string(value.get_string());
    } else if (key == "score") {
      if (!value.is_number() || value.to_number<double>() < 0 || value.to_number<double>() > 1) {
        return core::Error::InvalidRequest("'score' must be a number from 0 (bad) to 1 (good)", "score");
      }
      feedback.score = value.to_number<double>();
    } else if (key == "comment") {
      if (!value.is_string() || value.get_string().size() > kMaxCommentBytes) {
        return core::Error::InvalidRequest("'comment' must be a string of at most 2000 bytes", "comment");
      }
      feedback.comment = std::string(value.get_string());
    } else {
      return core::Error::InvalidRequest("unknown field '" + std::string(key) + "'", std::string(key));
    }
  }
  if (feedback.request_id.empty()) return core::Error::InvalidRequest("'request_id' is required", "request_id");
  if (!parsed.get_object().contains("score")) return core::Error::InvalidRequest("'score' is required", "score");
  return feedback;
}

}  // namespace

boost::asio::awaitable<void> Gateway::HandleReview(const http::Request& request, http::Responder& responder) {
  core::Exchange exchange;
  exchange.request_id = responder.request_id();
  tracing::Span span = StartRequestSpan("GET /v1/reviews/{id}", request, responder, exchange);
  if (!co_await Admit(exchange, request, responder, span)) co_return;
  const std::string id(responder.PathParam("id"));
  core::Result<json::object> view =
      co_await reviews_->CallerView(id, exchange.principal.tenant, exchange.principal.key_id);
  if (!view) {
    co_await SendError(exchange, responder, view.error(), request.version());
    co_return;
  }
  exchange.status = 200;
  co_await responder.Send(JsonAnswer(beast_http::status::ok, *view, request.version()));
}

boost::asio::awaitable<void> Gateway::HandleFeedback(const http::Request& request, http::Responder& responder) {
  core::Exchange exchange;
  exchange.request_id = responder.request_id();
  tracing::Span span = StartRequestSpan("POST /v1/feedback", request, responder, exchange);
  if (!co_await Admit(exchange, request, responder, span)) co_return;
  core::Result<ReviewDesk::Feedback> feedback = ReadFeedback(request.body());
  if (!feedback) {
    co_await SendError(exchange, responder, feedback.error(), request.version());
    co_return;
  }
  feedback->tenant = exchange.principal.tenant;
  feedback->key_id = exchange.principal.key_id;
  core::Result<json::object> stored = co_await reviews_->AddFeedback(std::move(*feedback));
  if (!stored) {
    co_await SendError(exchange, responder, stored.error(), request.version());
    co_return;
  }
  exchange.status = 201;
  co_await responder.Send(JsonAnswer(beast_http::status::created, *stored, request.version()));
}

}  // namespace strata::gateway
