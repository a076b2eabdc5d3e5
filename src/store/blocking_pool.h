#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "store/internal/unique_function.h"

namespace strata::store {

namespace asio = boost::asio;

// A fixed set of threads for work that blocks: SQLite calls, file I/O. The io
// threads hand such work over with Run() so they never block themselves
// (DESIGN.md: the database is never on the request path).
//
// Thread-safety: Post() and Run() may be called from any thread, also from
// work running on the pool. Destruction waits until every job queued so far
// (and any job those jobs post) has run, then joins the threads: queued work
// is drained, never dropped. Destroying the pool from one of its own threads
// deadlocks; don't.
class BlockingPool {
 public:
  // Starts `threads` threads (at least one, whatever is passed).
  explicit BlockingPool(unsigned threads);
  // Drains the queue, then joins. See the class comment.
  ~BlockingPool();

  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Queues `work` to run once on some pool thread. Jobs start in FIFO order.
  // `work` must not throw: an escaping exception ends the process
  // (std::terminate), because there is no caller left to hand it to.
  void Post(internal::UniqueFunction<void()> work);

  // Runs `f()` on a pool thread and resumes the awaiting coroutine on that
  // coroutine's own executor (its io thread or strand), with f's result.
  // An exception thrown by `f` is rethrown in the coroutine. The coroutine's
  // executor is kept busy (outstanding work) meanwhile, so its io_context does
  // not run out of work and return while `f` is still running.
  // `f` is moved into the coroutine frame and destroyed there.
  // Not cancellable: once queued, `f` runs.
  template <class F>
  asio::awaitable<std::invoke_result_t<F>> Run(F f);

  std::size_t size() const { return threads_.size(); }

 private:
  void WorkerLoop();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<internal::UniqueFunction<void()>> queue_;  // guarded by mutex_
  bool stopping_ = false;                                // guarded by mutex_
  std::vector<std::thread> threads_;
};

template <class F>
asio::awaitable<std::invoke_result_t<F>> BlockingPool::Run(F f) {
  using T = std::invoke_result_t<F>;
  // `result` and `failure` live in this coroutine's frame. The frame stays
  // suspended, and so alive, until the handler posted below resumes it; the
  // post to the executor orders the pool thread's writes before our reads.
  std::conditional_t<std::is_void_v<T>, std::monostate, std::optional<T>> result;
  std::exception_ptr failure;
  co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(
      [this, &f, &result, &failure](auto handler) {
        auto executor =
            asio::prefer(asio::get_associated_executor(handler), asio::execution::outstanding_work.tracked);
        Post([&f, &result, &failure, handler = std::move(handler), executor]() mutable {
          try {
            if constexpr (std::is_void_v<T>) {
              f();
            } else {
              result.emplace(f());
            }
          } catch (...) {
            failure = std::current_exception();
          }
          asio::post(executor, std::move(handler));
        });
      },
      asio::use_awaitable);
  if (failure) {
    std::rethrow_exception(failure);
  }
  if constexpr (!std::is_void_v<T>) {
    co_return std::move(*result);
  }
}

}  // namespace strata::store
