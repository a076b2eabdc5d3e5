#include "gateway/upstream_race.h"

#include <string>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace strata::gateway {
namespace {

namespace asio = boost::asio;

// A cancelled call must come back with its error, not throw at its next
// co_await (asio's default once a coroutine's slot was cancelled).
template <class T>
asio::awaitable<T> Cancellable(asio::awaitable<T> call) {
  co_await asio::this_coro::throw_if_cancelled(false);
  T outcome = co_await std::move(call);
  co_return outcome;
}

// What ended a race early, if anything; owns the signal that cancels the call.
// Lives in the racing coroutine's frame, which it keeps alive until no
// callback can reach it any more (Disarm).
class Referee {
 public:
  enum class Verdict { kNone, kDeadline, kClientGone };

  Referee(asio::any_io_executor executor, std::chrono::milliseconds limit, http::Responder& responder,
          const bool* started)
      : deadline_(std::move(executor), limit), responder_(responder), started_(started) {
    deadline_.async_wait([this](boost::system::error_code ec) {
      if (ec == asio::error::operation_aborted) return;  // cancelled by Disarm: `this` may be gone already
      expiry_ran_ = true;
      if (started_ == nullptr || !*started_) Call(Verdict::kDeadline);
    });
    // Runs at once if the client already left: the call is then never started.
    responder_.OnClientGone([this] { Call(Verdict::kClientGone); });
  }
  // Also when an exception skips Disarm: the responder must not keep a
  // callback into a frame that is gone.
  ~Referee() { responder_.OnClientGone(nullptr); }

  asio::cancellation_slot slot() { return signal_.slot(); }
  Verdict verdict() const { return verdict_; }

  // Stops both callbacks. A cancelled expiry returns without touching `this`;
  // one already queued (the deadline passed as the call ended) cannot be
  // cancelled and will run, so wait for it rather than leave it a dangling
  // `this`.
  asio::awaitable<void> Disarm() {
    responder_.OnClientGone(nullptr);
    if (deadline_.cancel() == 0 && !expiry_ran_) {
      co_await asio::post(deadline_.get_executor(), asio::use_awaitable);
    }
  }

 private:
  void Call(Verdict verdict) {
    if (verdict_ != Verdict::kNone) return;
    verdict_ = verdict;
    signal_.emit(asio::cancellation_type::terminal);
  }

  asio::steady_timer deadline_;
  http::Responder& responder_;
  const bool* started_;
  asio::cancellation_signal signal_;
  Verdict verdict_ = Verdict::kNone;
  bool expiry_ran_ = false;
};

template <class T>
asio::awaitable<T> Run(asio::awaitable<T> call, Referee& referee) {
  T outcome{};
  if (referee.verdict() != Referee::Verdict::kNone) {  // the client left before the call could start
    co_await referee.Disarm();
    co_return outcome;
  }
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  outcome = co_await asio::co_spawn(executor, Cancellable(std::move(call)),
                                      asio::bind_cancellation_slot(referee.slot(), asio::use_awaitable));
  co_await referee.Disarm();
  co_return outcome;
}

core::Error ClientLeft() { return core::Error::Unavailable("the client disconnected"); }

}  // namespace

asio::awaitable<core::Result<providers::Answer>> RaceCall(asio::awaitable<core::Result<providers::Answer>> call,
                                                          std::chrono::milliseconds limit,
                                                          http::Responder& responder, std::string_view deployment) {
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  Referee referee(executor, limit, responder, nullptr);
  core::Result<providers::Answer> answer = co_await Run(std::move(call), referee);
  switch (referee.verdict()) {
    case Referee::Verdict::kNone: co_return answer;
    case Referee::Verdict::kClientGone: co_return ClientLeft();
    case Referee::Verdict::kDeadline: break;
  }
  co_return core::Error::UpstreamTimeout(std::string(deployment) + " did not answer within " +
                                         std::to_string(limit.count()) + " ms");
}

asio::awaitable<providers::StreamEnd> RaceStream(asio::awaitable<providers::StreamEnd> stream, const bool* started,
                                                 std::chrono::milliseconds limit, http::Responder& responder,
                                                 std::string_view deployment) {
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  Referee referee(executor, limit, responder, started);
  providers::StreamEnd end = co_await Run(std::move(stream), referee);
  if (referee.verdict() == Referee::Verdict::kNone) co_return end;
  end.delivered = *started;
  if (referee.verdict() == Referee::Verdict::kClientGone) {
    end.status = ClientLeft();
  } else {
    end.status = core::Error::UpstreamTimeout(std::string(deployment) + " sent nothing within " +
                                              std::to_string(limit.count()) + " ms");
  }
  co_return end;
}

}  // namespace strata::gateway
