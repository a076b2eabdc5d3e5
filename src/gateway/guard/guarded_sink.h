#pragma once

#include <vector>

#include "gateway/guard/request_guard.h"
#include "providers/provider.h"

namespace strata::gateway {

// Puts a streamed answer through the request's guard on its way to the
// client (`inner`): each event filtered as it comes, or, when the guard holds
// the whole answer, kept here until Release().
class GuardedSink final : public providers::EventSink {
 public:
  GuardedSink(RequestGuard& guard, providers::EventSink& inner)
      : guard_(guard), inner_(inner), hold_(guard.HoldsWholeAnswer()) {}

  boost::asio::awaitable<core::Status> OnEvent(std::string_view name, std::string_view data) override;

  // For a held answer: checks it whole, then keeps the events the client may
  // get (filtered) for Release(). kPolicyBlocked when an output finding is blocked.
  core::Status Decide();
  // Sends what Decide() kept.
  boost::asio::awaitable<core::Status> Release();
  // The held answer as a review keeps it: {"object":"stream","events":[…]}.
  std::string HeldAnswerJson() const;

  bool holds() const { return hold_; }
  // Set at the first event from upstream, whether or not it was sent: the
  // first-event deadline must not fire on an answer that is being held.
  const bool* started_flag() const { return &started_; }

 private:
  RequestGuard& guard_;
  providers::EventSink& inner_;
  const bool hold_;
  bool started_ = false;
  std::vector<http::SseEvent> events_;  // held (raw), then decided (filtered)
  std::vector<http::SseEvent> filtered_;
};

}  // namespace strata::gateway
