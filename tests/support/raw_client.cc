#include "support/raw_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>

namespace strata::testing {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using tcp = asio::ip::tcp;

RawClient::RawClient(std::uint16_t port) : socket_(io_) {
  socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  socket_.set_option(tcp::no_delay(true));
}

void RawClient::Send(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes)); }

std::optional<beast_http::response<beast_http::string_body>> RawClient::ReadResponse(
    std::chrono::milliseconds timeout) {
  beast_http::response<beast_http::string_body> response;
  std::optional<boost::system::error_code> result;
  beast_http::async_read(socket_, buffer_, response,
                         [&](boost::system::error_code ec, std::size_t) { result = ec; });
  io_.restart();
  io_.run_for(timeout);
  if (!result) {
    socket_.cancel();
    io_.restart();
    io_.run();
    return std::nullopt;
  }
  if (*result) return std::nullopt;
  return response;
}

bool RawClient::ClosedByServer(std::chrono::milliseconds timeout) {
  std::optional<boost::system::error_code> result;
  static char scratch[4096];
  std::function<void(boost::system::error_code, std::size_t)> on_read;
  on_read = [&](boost::system::error_code ec, std::size_t) {
    if (ec) {
      result = ec;
      return;
    }
    socket_.async_read_some(asio::buffer(scratch), on_read);  // discard data until close
  };
  socket_.async_read_some(asio::buffer(scratch), on_read);
  io_.restart();
  io_.run_for(timeout);
  if (!result) {
    socket_.cancel();
    io_.restart();
    io_.run();
    return false;
  }
  return true;
}

std::optional<beast_http::response<beast_http::string_body>> Fetch(std::uint16_t port, std::string_view method,
                                                                   std::string_view target, std::string_view body) {
  RawClient client(port);
  std::string request = std::string(method) + " " + std::string(target) +
                        " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + std::to_string(body.size()) +
                        "\r\n\r\n" + std::string(body);
  client.Send(request);
  return client.ReadResponse();
}

}  // namespace strata::testing
