#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace strata::testing {

// A blocking loopback client for tests that need byte-level control: send any
// bytes, read one HTTP response, see whether the server closed. Every read has
// a timeout so a hanging server fails the test instead of hanging it.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port);
  void Send(std::string_view bytes);
  // The next response, or nullopt if the connection closed or timed out first.
  std::optional<boost::beast::http::response<boost::beast::http::string_body>> ReadResponse(
      std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // True if the server closes the connection (EOF or reset) within `timeout`.
  bool ClosedByServer(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  boost::asio::ip::tcp::socket& socket() { return socket_; }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

// A GET or POST on a fresh connection; nullopt on failure.
std::optional<boost::beast::http::response<boost::beast::http::string_body>> Fetch(
    std::uint16_t port, std::string_view method, std::string_view target, std::string_view body = {});

}  // namespace strata::testing
