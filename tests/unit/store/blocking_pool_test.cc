#include "store/blocking_pool.h"

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

namespace strata::store {
namespace {

using namespace std::chrono_literals;

struct Observed {
  std::thread::id caller;
  std::thread::id worker;
  std::thread::id resumed;
  bool resumed_on_executor = false;
  int value = 0;
};

// Named coroutines taking what they use by reference to objects the test
// keeps alive until the future is ready (STYLE.md: no lambda coroutines).
asio::awaitable<void> RunOnPool(BlockingPool& pool, asio::io_context& io, Observed& seen) {
  seen.caller = std::this_thread::get_id();
  seen.value = co_await pool.Run([&seen] {
    seen.worker = std::this_thread::get_id();
    return 42;
  });
  seen.resumed = std::this_thread::get_id();
  seen.resumed_on_executor = io.get_executor().running_in_this_thread();
}

asio::awaitable<bool> RunOnPoolFromStrand(BlockingPool& pool, asio::strand<asio::io_context::executor_type> strand) {
  co_await pool.Run([] { std::this_thread::sleep_for(1ms); });
  co_return strand.running_in_this_thread();
}

asio::awaitable<std::string> RunThrowingWork(BlockingPool& pool) {
  try {
    co_await pool.Run([]() -> int { throw std::runtime_error("disk on fire"); });
  } catch (const std::runtime_error& e) {
    co_return e.what();
  }
  co_return "no exception";
}

TEST(BlockingPoolTest, RunsWorkOffTheCallersThreadAndResumesOnItsExecutor) {
  BlockingPool pool(2);
  // Two io threads, each with its own io_context, as the server runs them.
  asio::io_context io_a;
  asio::io_context io_b;
  Observed seen_a;
  Observed seen_b;
  std::future<void> done_a = asio::co_spawn(io_a, RunOnPool(pool, io_a, seen_a), asio::use_future);
  std::future<void> done_b = asio::co_spawn(io_b, RunOnPool(pool, io_b, seen_b), asio::use_future);
  std::thread thread_a([&] { io_a.run(); });
  std::thread thread_b([&] { io_b.run(); });
  ASSERT_EQ(done_a.wait_for(10s), std::future_status::ready);
  ASSERT_EQ(done_b.wait_for(10s), std::future_status::ready);
  thread_a.join();
  thread_b.join();
  done_a.get();
  done_b.get();

  for (const Observed* seen : {&seen_a, &seen_b}) {
    EXPECT_EQ(seen->value, 42);
    EXPECT_NE(seen->worker, seen->caller);
    EXPECT_EQ(seen->resumed, seen->caller);
    EXPECT_TRUE(seen->resumed_on_executor);
  }
  EXPECT_NE(seen_a.caller, seen_b.caller);
}

TEST(BlockingPoolTest, ResumesOnTheCoroutinesStrand) {
  BlockingPool pool(2);
  asio::io_context io(2);
  auto strand = asio::make_strand(io);
  std::vector<std::future<bool>> results;
  for (int i = 0; i < 20; ++i) {
    results.push_back(asio::co_spawn(strand, RunOnPoolFromStrand(pool, strand), asio::use_future));
  }
  std::thread first([&] { io.run(); });
  std::thread second([&] { io.run(); });
  first.join();
  second.join();
  for (std::future<bool>& on_strand : results) {
    EXPECT_TRUE(on_strand.get());
  }
}

TEST(BlockingPoolTest, RethrowsTheWorksExceptionInTheCoroutine) {
  BlockingPool pool(1);
  asio::io_context io;
  std::future<std::string> message = asio::co_spawn(io, RunThrowingWork(pool), asio::use_future);
  io.run();
  EXPECT_EQ(message.get(), "disk on fire");
}

TEST(BlockingPoolTest, DestructionRunsEveryQueuedJobFirst) {
  std::atomic<int> ran{0};
  {
    BlockingPool pool(1);
    for (int i = 0; i < 50; ++i) {
      pool.Post([&ran] {
        std::this_thread::sleep_for(100us);
        ran.fetch_add(1);
      });
    }
  }
  EXPECT_EQ(ran.load(), 50);
}

TEST(BlockingPoolTest, JobsPostedWhileDrainingAlsoRun) {
  std::atomic<int> ran{0};
  {
    BlockingPool pool(2);
    pool.Post([&pool, &ran] {
      std::this_thread::sleep_for(5ms);
      pool.Post([&ran] { ran.fetch_add(1); });
      ran.fetch_add(1);
    });
  }
  EXPECT_EQ(ran.load(), 2);
}

TEST(BlockingPoolTest, RunsJobsOnAllItsThreadsAtOnce) {
  std::atomic<int> released{0};
  std::atomic<int> running{0};
  std::promise<void> all_running;
  std::shared_future<void> all_started = all_running.get_future().share();
  {
    BlockingPool pool(3);  // destroyed (drained) before what its jobs use
    ASSERT_EQ(pool.size(), 3u);
    for (int i = 0; i < 3; ++i) {
      pool.Post([&running, &all_running, all_started, &released] {
        if (running.fetch_add(1) + 1 == 3) {
          all_running.set_value();
        }
        // Run one after another, the first job would give up waiting here.
        if (all_started.wait_for(10s) == std::future_status::ready) {
          released.fetch_add(1);
        }
      });
    }
  }
  EXPECT_EQ(released.load(), 3);
}

}  // namespace
}  // namespace strata::store
