#include "http/internal/limits.h"

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>

namespace strata::http::internal {

namespace beast_http = boost::beast::http;

void ConfigureParser(RequestParser& parser, const ServerOptions& options) {
  parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(options.max_header_bytes, UINT32_MAX)));
  parser.body_limit(options.max_body_bytes);
}

std::optional<core::Error> RefusalFor(boost::system::error_code ec, bool timed_out) {
  using core::Error;
  using core::ErrorCode;
  if (timed_out) {
    return Error(ErrorCode::kRequestTimeout, "the request was not received in time");
  }
  if (ec == beast_http::error::header_limit) {
    return Error(ErrorCode::kHeadersTooLarge, "the request head exceeds the server's header size limit");
  }
  if (ec == beast_http::error::body_limit) {
    return Error(ErrorCode::kPayloadTooLarge, "the request body exceeds the server's body size limit");
  }
  const boost::system::error_code end_of_stream = beast_http::error::end_of_stream;
  if (ec.category() == end_of_stream.category() && ec != end_of_stream &&
      ec != beast_http::error::partial_message) {
    return Error::InvalidRequest("malformed HTTP request: " + ec.message());
  }
  // EOF, reset, a half-sent request, cancellation on shutdown: nobody to answer.
  return std::nullopt;
}

}  // namespace strata::http::internal
