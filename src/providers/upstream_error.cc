#include "providers/upstream_error.h"

#include <charconv>

#include <boost/json/parse.hpp>

namespace strata::providers {
namespace {

// OpenAI and Anthropic both put the message at error.message; Gemini too.
std::string VendorMessage(std::string_view body) {
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(body, ec);
  if (!ec && parsed.is_object()) {
    const boost::json::object& object = parsed.get_object();
    if (const auto* error = object.if_contains("error")) {
      if (error->is_string()) return std::string(error->get_string());
      if (error->is_object()) {
        if (const auto* message = error->get_object().if_contains("message"); message && message->is_string()) {
          return std::string(message->get_string());
        }
      }
    }
  }
  constexpr std::size_t kMaxRaw = 512;
  return std::string(body.substr(0, kMaxRaw));
}

}  // namespace

core::Error UpstreamHttpError(std::string_view deployment, unsigned status, std::string_view body,
                              const boost::beast::http::fields& headers) {
  using core::ErrorCode;
  const std::string message =
      std::string(deployment) + " answered " + std::to_string(status) + ": " + VendorMessage(body);
  ErrorCode code = ErrorCode::kUpstreamRejected;
  if (status == 400 || status == 404 || status == 413 || status == 422) code = ErrorCode::kInvalidRequest;
  else if (status == 408 || status == 504) code = ErrorCode::kUpstreamTimeout;
  else if (status == 429) code = ErrorCode::kRateLimited;
  else if (status >= 500) code = ErrorCode::kUpstreamUnavailable;
  core::Error error(code, message);
  if (status == 429) {
    const std::string_view retry_after = headers[boost::beast::http::field::retry_after];
    long long seconds = 0;
    const auto [end, ec] = std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds);
    if (ec == std::errc() && seconds >= 0) error.WithRetryAfter(std::chrono::seconds(seconds));
  }
  return error;
}

boost::asio::awaitable<core::Error> ReadErrorAnswer(std::string_view deployment, http::ClientStream& stream) {
  constexpr std::size_t kMaxErrorBody = 64 * 1024;
  std::string body;
  while (body.size() < kMaxErrorBody) {
    core::Result<std::string> piece = co_await stream.Read();
    if (!piece || piece->empty()) break;
    body += *piece;
  }
  co_return UpstreamHttpError(deployment, stream.status(), body, stream.headers());
}

}  // namespace strata::providers
