#pragma once

#include <chrono>
#include <future>
#include <stdexcept>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace strata::testing {

// Drives `task` to completion on `io`, running it until it has no work left,
// and returns its result; an exception that escaped the coroutine is
// rethrown. Reusing one io_context across calls keeps objects bound to it
// (a Client and its pooled connections) alive between steps of a test.
// Throws if the task is still suspended when `io` runs out of work (it waits
// on something that nothing will ever complete).
template <class T>
T RunCoroutine(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
  std::future<T> result = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
  io.restart();
  io.run();
  if (result.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    throw std::logic_error("RunCoroutine: the coroutine is stuck: the io_context ran out of work first");
  }
  return result.get();
}

// The same on a private io_context, for self-contained coroutines.
template <class T>
T RunCoroutine(boost::asio::awaitable<T> task) {
  boost::asio::io_context io;
  return RunCoroutine(io, std::move(task));
}

}  // namespace strata::testing
