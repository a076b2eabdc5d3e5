#pragma once

#include <array>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/message.hpp>

namespace strata::http::internal {

namespace beast_http = boost::beast::http;

// The start line and fields of a message as it goes on the wire, ending with
// the blank line. Beast's serializer walks a nest of buffer views per write,
// which on a small exchange costs more than the exchange's own work; one flat
// head and the body as a second buffer go out in a single gather write.
std::string WireHead(const beast_http::response_header<>& head);
std::string WireHead(const beast_http::request_header<>& head);

// {head, body} for asio::async_write. Both must outlive the write.
inline std::array<boost::asio::const_buffer, 2> WireBuffers(const std::string& head, const std::string& body) {
  return {boost::asio::buffer(head), boost::asio::buffer(body)};
}

}  // namespace strata::http::internal
