#include "gateway/guard/guarded_sink.h"

#include <boost/json/serialize.hpp>

namespace strata::gateway {

boost::asio::awaitable<core::Status> GuardedSink::OnEvent(std::string_view name, std::string_view data) {
  started_ = true;
  if (hold_) {
    events_.push_back({std::string(name), std::string(data), {}});
    co_return core::Status();
  }
  filtered_.clear();
  core::Status allowed = guard_.FilterEvent(name, data, filtered_);
  if (!allowed) co_return allowed;
  for (const http::SseEvent& event : filtered_) {
    core::Status sent = co_await inner_.OnEvent(event.event, event.data);
    if (!sent) co_return sent;
  }
  co_return core::Status();
}

core::Status GuardedSink::Decide() {
  guard_.PrepareWholeStream(events_);
  std::vector<http::SseEvent> decided;
  for (const http::SseEvent& event : events_) {
    if (core::Status allowed = guard_.FilterEvent(event.event, event.data, decided); !allowed) return allowed;
  }
  guard_.FinishStream();
  events_ = std::move(decided);
  return core::Status();
}

boost::asio::awaitable<core::Status> GuardedSink::Release() {
  for (const http::SseEvent& event : events_) {
    core::Status sent = co_await inner_.OnEvent(event.event, event.data);
    if (!sent) co_return sent;
  }
  co_return core::Status();
}

std::string GuardedSink::HeldAnswerJson() const {
  boost::json::array events;
  for (const http::SseEvent& event : events_) {
    boost::json::object item{{"data", event.data}};
    if (!event.event.empty()) item["event"] = event.event;
    events.push_back(std::move(item));
  }
  return boost::json::serialize(boost::json::object{{"object", "stream"}, {"events", std::move(events)}});
}

}  // namespace strata::gateway
