#include "store/blocking_pool.h"

#include <algorithm>

namespace strata::store {

BlockingPool::BlockingPool(unsigned threads) {
  const unsigned count = std::max(threads, 1u);
  threads_.reserve(count);
  for (unsigned i = 0; i < count; ++i) {
    threads_.emplace_back([this] { WorkerLoop(); });
  }
}

BlockingPool::~BlockingPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& thread : threads_) {
    thread.join();
  }
}

void BlockingPool::Post(internal::UniqueFunction<void()> work) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(work));
  }
  wake_.notify_one();
}

void BlockingPool::WorkerLoop() {
  for (;;) {
    internal::UniqueFunction<void()> work;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      // Stopping only ends a thread once the queue is empty: queued work is
      // drained, never dropped.
      if (queue_.empty()) {
        return;
      }
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    work();
  }
}

}  // namespace strata::store
