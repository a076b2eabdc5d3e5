#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "http/server.h"

namespace strata::mock_llm::testing {

namespace asio = boost::asio;

// Records what a handler does with its Responder, so the handlers' timing and
// faults can be tested without a server. Leave() plays a client going away.
class FakeResponder : public http::Responder {
 public:
  struct Event {
    std::string name;
    std::string data;
    bool operator==(const Event&) const = default;
  };

  asio::awaitable<core::Status> Send(http::Response response) override {
    sent = std::move(response);
    co_return core::Status();
  }
  asio::awaitable<core::Status> StartEvents(http::Response response) override {
    head = std::move(response);
    co_return core::Status();
  }
  asio::awaitable<core::Status> SendEvent(std::string_view data, std::string_view name) override {
    if (gone) co_return core::Error::UpstreamUnavailable("client gone");
    events.push_back({std::string(name), std::string(data)});
    if (leave_after_events && events.size() == *leave_after_events) Leave();
    co_return core::Status();
  }
  asio::awaitable<core::Status> SendChunk(std::string_view bytes) override {
    if (gone) co_return core::Error::UpstreamUnavailable("client gone");
    chunks.emplace_back(bytes);
    co_return core::Status();
  }
  asio::awaitable<core::Status> FinishEvents() override {
    finished = true;
    co_return core::Status();
  }
  void WatchClient() override {}
  bool ClientGone() const override { return gone; }
  void OnClientGone(std::function<void()> callback) override {
    on_gone = std::move(callback);
    if (gone && on_gone) on_gone();
  }
  void Abort() override { aborted = true; }
  const std::string& request_id() const override { return id; }
  std::string_view route() const override { return {}; }
  std::string_view client_address() const override { return "127.0.0.1"; }
  std::string_view PathParam(std::string_view name) const override {
    const auto it = params.find(std::string(name));
    return it == params.end() ? std::string_view() : std::string_view(it->second);
  }

  void Leave() {
    gone = true;
    if (on_gone) on_gone();
  }

  std::string id = "test-request";
  std::map<std::string, std::string> params;
  std::optional<std::size_t> leave_after_events;

  std::optional<http::Response> sent;
  std::optional<http::Response> head;
  std::vector<Event> events;
  std::vector<std::string> chunks;
  bool finished = false;
  bool aborted = false;
  bool gone = false;
  std::function<void()> on_gone;
};

// Runs `task` to completion on a private io_context; returns how long it took.
inline std::chrono::milliseconds RunToCompletion(asio::io_context& io, asio::awaitable<void> task) {
  const auto start = std::chrono::steady_clock::now();
  std::exception_ptr escaped;
  asio::co_spawn(io, std::move(task), [&escaped](std::exception_ptr e) { escaped = e; });
  io.run();
  io.restart();
  if (escaped) std::rethrow_exception(escaped);
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
}

}  // namespace strata::mock_llm::testing
