#pragma once

// A real OTLP/HTTP receiver on loopback for the exporter tests: a small
// Beast server on its own thread that records every request (target,
// headers, body, arrival time) and answers each from a script, then with
// 200 {"partialSuccess":{}} as the OpenTelemetry Collector does.

#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace strata::tracing::testing {

class OtlpReceiver {
 public:
  using Clock = std::chrono::steady_clock;

  struct Received {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
    Clock::time_point at;
  };

  struct Reply {
    unsigned status = 200;
    std::string body = R"({"partialSuccess":{}})";
    std::vector<std::pair<std::string, std::string>> headers;
    std::chrono::milliseconds delay{0};  // before answering

    static Reply Status(unsigned status, std::vector<std::pair<std::string, std::string>> headers = {}) {
      Reply reply;
      reply.status = status;
      reply.body = R"({"code":14,"message":"unavailable"})";
      reply.headers = std::move(headers);
      return reply;
    }
    static Reply Delayed(std::chrono::milliseconds delay) {
      Reply reply;
      reply.delay = delay;
      return reply;
    }
  };

  OtlpReceiver() : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    boost::asio::co_spawn(io_, AcceptLoop(), boost::asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }

  ~OtlpReceiver() {
    io_.stop();
    thread_.join();
  }

  OtlpReceiver(const OtlpReceiver&) = delete;
  OtlpReceiver& operator=(const OtlpReceiver&) = delete;

  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Replies for the next requests, in order, whatever connection they come on.
  void Script(std::vector<Reply> replies) {
    std::lock_guard lock(mutex_);
    for (Reply& reply : replies) script_.push_back(std::move(reply));
  }

  std::vector<Received> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

  // Connections accepted so far.
  int accepted() const { return accepted_.load(); }

  // Waits until at least `count` requests have arrived.
  bool WaitForRequests(std::size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return arrived_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
  }

 private:
  boost::asio::awaitable<void> AcceptLoop() {
    while (true) {
      auto [ec, socket] = co_await acceptor_.async_accept(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (ec) co_return;
      accepted_.fetch_add(1);
      boost::asio::co_spawn(io_, Session(std::move(socket)), boost::asio::detached);
    }
  }

  boost::asio::awaitable<void> Session(boost::asio::ip::tcp::socket socket) {
    namespace http = boost::beast::http;
    boost::beast::tcp_stream stream(std::move(socket));
    boost::beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> request;
      auto [read_error, read_bytes] =
          co_await http::async_read(stream, buffer, request, boost::asio::as_tuple(boost::asio::use_awaitable));
      if (read_error) co_return;
      Reply reply = Record(request);
      if (reply.delay.count() > 0) {
        boost::asio::steady_timer timer(io_, reply.delay);
        co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      }
      http::response<http::string_body> response(static_cast<http::status>(reply.status), request.version());
      response.set(http::field::content_type, "application/json");
      for (const auto& [name, value] : reply.headers) response.set(name, value);
      response.body() = reply.body;
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      auto [write_error, written] =
          co_await http::async_write(stream, response, boost::asio::as_tuple(boost::asio::use_awaitable));
      if (write_error || !request.keep_alive()) co_return;
    }
  }

  Reply Record(const boost::beast::http::request<boost::beast::http::string_body>& request) {
    Received received;
    received.method = std::string(request.method_string());
    received.target = std::string(request.target());
    for (const auto& field : request) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      received.headers[name] = std::string(field.value());
    }
    received.body = request.body();
    received.at = Clock::now();
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(received));
    arrived_.notify_all();
    if (script_.empty()) return Reply{};
    Reply reply = std::move(script_.front());
    script_.pop_front();
    return reply;
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<int> accepted_{0};
  mutable std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<Reply> script_;
  std::vector<Received> requests_;
  std::thread thread_;
};

}  // namespace strata::tracing::testing
