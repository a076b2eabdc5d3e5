#include "store/write_behind.h"

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "observability/metrics.h"
#include "store/sqlite/database.h"
#include "store/store.h"
#include "store_test_support.h"

namespace strata::store {
namespace {

using namespace std::chrono_literals;
using testing::MakeRecord;
using testing::RunCoroutine;
using testing::TempDir;

// Fakes wrap the real SQLite store (LevelDB's EnvWrapper idea): only the
// behaviour under test is faked, the records still land in a real file.
class RecordStoreWrapper : public RecordStore {
 public:
  explicit RecordStoreWrapper(RecordStore& target) : target_(target) {}
  core::Status AppendBatch(std::span<const Record> records) override { return target_.AppendBatch(records); }
  core::Result<std::int64_t> Count() override { return target_.Count(); }
  core::Result<std::optional<Record>> Find(std::string_view id) override { return target_.Find(id); }

 private:
  RecordStore& target_;
};

// Takes `delay` per batch and remembers the largest batch it saw.
class SlowStore : public RecordStoreWrapper {
 public:
  SlowStore(RecordStore& target, std::chrono::milliseconds delay) : RecordStoreWrapper(target), delay_(delay) {}
  core::Status AppendBatch(std::span<const Record> records) override {
    std::this_thread::sleep_for(delay_);
    std::size_t seen = largest_batch_.load();
    while (records.size() > seen && !largest_batch_.compare_exchange_weak(seen, records.size())) {
    }
    return RecordStoreWrapper::AppendBatch(records);
  }
  std::size_t largest_batch() const { return largest_batch_.load(); }

 private:
  std::chrono::milliseconds delay_;
  std::atomic<std::size_t> largest_batch_{0};
};

// Fails the first `failures` batches the way a locked database does.
class FlakyStore : public RecordStoreWrapper {
 public:
  FlakyStore(RecordStore& target, int failures) : RecordStoreWrapper(target), failures_left_(failures) {}
  core::Status AppendBatch(std::span<const Record> records) override {
    if (failures_left_.fetch_sub(1) > 0) {
      return core::Error::Unavailable("sqlite: database is locked (fake)");
    }
    return RecordStoreWrapper::AppendBatch(records);
  }

 private:
  std::atomic<int> failures_left_;
};

// Holds every batch until Open() is called.
class GatedStore : public RecordStoreWrapper {
 public:
  using RecordStoreWrapper::RecordStoreWrapper;
  core::Status AppendBatch(std::span<const Record> records) override {
    entered_.fetch_add(1);
    gate_.wait();
    return RecordStoreWrapper::AppendBatch(records);
  }
  void Open() { opener_.set_value(); }
  int entered() const { return entered_.load(); }

 private:
  std::promise<void> opener_;
  std::shared_future<void> gate_ = opener_.get_future().share();
  std::atomic<int> entered_{0};
};

// Records each committed batch's size and ids, for the commit listener.
class CommitLog {
 public:
  WriteBehindQueue::CommitListener Listener() {
    return [this](std::span<const Record> batch) {
      std::lock_guard lock(mutex_);
      sizes_.push_back(batch.size());
      for (const Record& record : batch) ids_.push_back(record.id);
    };
  }
  std::vector<std::size_t> sizes() const {
    std::lock_guard lock(mutex_);
    return sizes_;
  }
  std::vector<std::string> ids() const {
    std::lock_guard lock(mutex_);
    return ids_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::size_t> sizes_;
  std::vector<std::string> ids_;
};

template <class Predicate>
bool WaitFor(Predicate done, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

class WriteBehindQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.data_dir = dir_.path().string();
    auto opened = Store::Open(options);
    ASSERT_TRUE(opened) << opened.error().message();
    store_ = std::move(*opened);
  }

  RecordStore& records() { return store_->records(); }

  std::int64_t Count() {
    core::Result<std::int64_t> count = records().Count();
    EXPECT_TRUE(count) << count.error().message();
    return count ? *count : -1;
  }

  void ExpectStored(const std::string& id) {
    core::Result<std::optional<Record>> found = records().Find(id);
    ASSERT_TRUE(found) << found.error().message();
    EXPECT_TRUE(found->has_value()) << "missing " << id;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(WriteBehindQueueTest, WritesFullBatchesThenTheRemainderAtClose) {
  CommitLog commits;
  WriteBehindQueue queue(records(), {.capacity = 1000, .batch_size = 10, .flush_interval = 1h});
  queue.SetCommitListener(commits.Listener());
  for (int i = 0; i < 95; ++i) {
    ASSERT_TRUE(queue.PushBlocking(MakeRecord("r" + std::to_string(i))));
  }
  // Nine full batches go out without waiting for the (hour-long) interval.
  ASSERT_TRUE(WaitFor([&] { return queue.stats().records_written == 90; }));
  EXPECT_EQ(queue.stats().depth, 5u);
  queue.Close();

  const std::vector<std::size_t> expected = {10, 10, 10, 10, 10, 10, 10, 10, 10, 5};
  EXPECT_EQ(commits.sizes(), expected);
  EXPECT_EQ(queue.stats().batches_written, 10u);
  EXPECT_EQ(Count(), 95);
  // Committed in the order pushed.
  const std::vector<std::string> ids = commits.ids();
  ASSERT_EQ(ids.size(), 95u);
  for (int i = 0; i < 95; ++i) EXPECT_EQ(ids[i], "r" + std::to_string(i));
}

TEST_F(WriteBehindQueueTest, APartialBatchIsWrittenAfterTheFlushInterval) {
  WriteBehindQueue queue(records(), {.capacity = 1000, .batch_size = 512, .flush_interval = 100ms});
  std::promise<std::size_t> first_commit;
  std::atomic<bool> fired{false};
  queue.SetCommitListener([&](std::span<const Record> batch) {
    if (!fired.exchange(true)) first_commit.set_value(batch.size());
  });
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(queue.PushBlocking(MakeRecord("p" + std::to_string(i))));
  }
  std::future<std::size_t> committed = first_commit.get_future();
  ASSERT_EQ(committed.wait_for(10s), std::future_status::ready) << "a partial batch was never flushed";
  EXPECT_EQ(committed.get(), 3u);
  // Not before the interval: the writer waits for a fuller batch until then.
  EXPECT_GE(std::chrono::steady_clock::now() - start, 100ms);
  EXPECT_EQ(Count(), 3);  // written without Close()
}

TEST_F(WriteBehindQueueTest, CloseWritesEverythingAcceptedAndRefusesLaterPushes) {
  WriteBehindQueue queue(records(), {.capacity = 1000, .batch_size = 1000, .flush_interval = 1h});
  for (int i = 0; i < 37; ++i) {
    ASSERT_TRUE(queue.PushBlocking(MakeRecord("c" + std::to_string(i))));
  }
  EXPECT_EQ(Count(), 0);  // nothing due yet: no full batch, interval far away
  queue.Close();
  EXPECT_EQ(Count(), 37);
  EXPECT_EQ(queue.stats().depth, 0u);

  core::Status late = queue.PushBlocking(MakeRecord("late"));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code(), core::ErrorCode::kUnavailable);
  core::Status late_coroutine = RunCoroutine(queue.Push(MakeRecord("late-too")));
  ASSERT_FALSE(late_coroutine);
  EXPECT_EQ(queue.stats().refused, 2u);
  queue.Close();  // a second Close is harmless
  EXPECT_EQ(Count(), 37);
}

TEST_F(WriteBehindQueueTest, TheDestructorFlushesLikeClose) {
  {
    WriteBehindQueue queue(records(), {.capacity = 100, .batch_size = 100, .flush_interval = 1h});
    for (int i = 0; i < 7; ++i) ASSERT_TRUE(queue.PushBlocking(MakeRecord("d" + std::to_string(i))));
  }
  EXPECT_EQ(Count(), 7);
}

TEST_F(WriteBehindQueueTest, FailedWritesAreRetriedWithoutLosingRecords) {
  FlakyStore flaky(records(), /*failures=*/3);
  CommitLog commits;
  WriteBehindQueue queue(flaky, {.capacity = 1000,
                                 .batch_size = 10,
                                 .flush_interval = 5ms,
                                 .retry_backoff_initial = 1ms,
                                 .retry_backoff_max = 4ms});
  queue.SetCommitListener(commits.Listener());
  for (int i = 0; i < 25; ++i) {
    ASSERT_TRUE(queue.PushBlocking(MakeRecord("f" + std::to_string(i))));
  }
  queue.Close();
  EXPECT_EQ(queue.stats().write_errors, 3u);
  EXPECT_EQ(queue.stats().records_written, 25u);
  EXPECT_EQ(Count(), 25);
  const std::vector<std::string> acked = commits.ids();
  EXPECT_EQ(std::set<std::string>(acked.begin(), acked.end()).size(), 25u);
  for (int i = 0; i < 25; ++i) ExpectStored("f" + std::to_string(i));
}

TEST_F(WriteBehindQueueTest, KeepsRetryingWhileAnotherConnectionHoldsTheWriteLock) {
  // A real SQLITE_BUSY: another connection takes the write lock, and this
  // store's connection gives up after its busy timeout on every attempt.
  store_.reset();
  StoreOptions options;
  options.data_dir = dir_.path().string();
  options.busy_timeout = 10ms;
  auto opened = Store::Open(options);
  ASSERT_TRUE(opened);
  store_ = std::move(*opened);
  auto other = sqlite::Database::Open(dir_.File("strata.db"));
  ASSERT_TRUE(other);

  WriteBehindQueue queue(records(), {.capacity = 100,
                                     .batch_size = 10,
                                     .flush_interval = 1ms,
                                     .retry_backoff_initial = 1ms,
                                     .retry_backoff_max = 5ms});
  {
    sqlite::Connection holding = (*other)->Lock();
    auto held = holding.Begin();
    ASSERT_TRUE(held);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(queue.PushBlocking(MakeRecord("b" + std::to_string(i))));
    ASSERT_TRUE(WaitFor([&] { return queue.stats().write_errors >= 3; }));
    EXPECT_EQ(queue.stats().records_written, 0u);
  }  // the other connection rolls back and lets go
  queue.Close();
  EXPECT_EQ(Count(), 5);
  for (int i = 0; i < 5; ++i) ExpectStored("b" + std::to_string(i));
}

// --- backpressure --------------------------------------------------------

struct ProducerReport {
  int pushed = 0;
  int failed = 0;
  int resumed_elsewhere = 0;  // resumed off the producer's own io thread
};

asio::awaitable<void> Produce(WriteBehindQueue& queue, asio::io_context& io, std::string prefix, int count,
                              ProducerReport& report) {
  for (int i = 0; i < count; ++i) {
    core::Status pushed = co_await queue.Push(MakeRecord(prefix + std::to_string(i)));
    if (!pushed) ++report.failed;
    if (!io.get_executor().running_in_this_thread()) ++report.resumed_elsewhere;
    ++report.pushed;
  }
}

TEST_F(WriteBehindQueueTest, ProducersWaitWhenFullAndEveryRecordArrives) {
  SlowStore slow(records(), 3ms);
  WriteBehindQueue queue(slow, {.capacity = 4, .batch_size = 10, .flush_interval = 1ms});

  constexpr int kIoThreads = 2;
  constexpr int kCoroutinesPerThread = 4;
  constexpr int kRecordsEach = 15;
  std::vector<std::unique_ptr<asio::io_context>> ios;
  std::vector<ProducerReport> reports(kIoThreads * kCoroutinesPerThread);
  std::vector<std::future<void>> done;
  for (int t = 0; t < kIoThreads; ++t) {
    ios.push_back(std::make_unique<asio::io_context>(1));
    for (int c = 0; c < kCoroutinesPerThread; ++c) {
      const int n = t * kCoroutinesPerThread + c;
      done.push_back(asio::co_spawn(*ios[t], Produce(queue, *ios[t], "io" + std::to_string(n) + "-", kRecordsEach,
                                                     reports[n]),
                                    asio::use_future));
    }
  }
  std::vector<std::thread> io_threads;
  for (auto& io : ios) io_threads.emplace_back([&io] { io->run(); });
  // And one plain thread, blocking.
  std::thread blocking([&queue] {
    for (int i = 0; i < kRecordsEach; ++i) {
      EXPECT_TRUE(queue.PushBlocking(MakeRecord("thread-" + std::to_string(i))));
    }
  });

  for (auto& finished : done) {
    ASSERT_EQ(finished.wait_for(30s), std::future_status::ready);
    finished.get();
  }
  for (auto& thread : io_threads) thread.join();
  blocking.join();
  queue.Close();

  for (const ProducerReport& report : reports) {
    EXPECT_EQ(report.pushed, kRecordsEach);
    EXPECT_EQ(report.failed, 0);
    EXPECT_EQ(report.resumed_elsewhere, 0);
  }
  EXPECT_GT(queue.stats().producer_waits, 0u);
  EXPECT_LE(slow.largest_batch(), 4u);  // never more than `capacity` uncommitted
  const int expected = (kIoThreads * kCoroutinesPerThread + 1) * kRecordsEach;
  EXPECT_EQ(queue.stats().records_written, static_cast<std::uint64_t>(expected));
  EXPECT_EQ(Count(), expected);
  for (int n = 0; n < kIoThreads * kCoroutinesPerThread; ++n) {
    for (int i = 0; i < kRecordsEach; ++i) ExpectStored("io" + std::to_string(n) + "-" + std::to_string(i));
  }
}

asio::awaitable<void> PushTwo(WriteBehindQueue& queue, std::atomic<int>& accepted) {
  core::Status first = co_await queue.Push(MakeRecord("first"));
  EXPECT_TRUE(first);
  accepted.fetch_add(1);
  core::Status second = co_await queue.Push(MakeRecord("second"));
  EXPECT_TRUE(second);
  accepted.fetch_add(1);
}

TEST_F(WriteBehindQueueTest, AWaitingPushLeavesItsIoThreadFreeForOtherWork) {
  GatedStore gated(records());
  WriteBehindQueue queue(gated, {.capacity = 1, .batch_size = 10, .flush_interval = 1ms});
  asio::io_context io(1);
  std::atomic<int> accepted{0};
  std::future<void> pushed = asio::co_spawn(io, PushTwo(queue, accepted), asio::use_future);
  std::thread io_thread([&io] { io.run(); });

  // "first" is being written (held at the gate), so "second" has no room.
  ASSERT_TRUE(WaitFor([&] { return gated.entered() == 1 && queue.stats().producer_waits == 1; }));
  EXPECT_EQ(accepted.load(), 1);
  // The producer's io thread still runs other handlers meanwhile.
  std::promise<void> ran;
  asio::post(io, [&ran] { ran.set_value(); });
  EXPECT_EQ(ran.get_future().wait_for(10s), std::future_status::ready);

  gated.Open();
  ASSERT_EQ(pushed.wait_for(10s), std::future_status::ready);
  pushed.get();
  io_thread.join();
  queue.Close();
  EXPECT_EQ(Count(), 2);
}

TEST_F(WriteBehindQueueTest, AProducerWaitingAtCloseIsStillWritten) {
  GatedStore gated(records());
  WriteBehindQueue queue(gated, {.capacity = 1, .batch_size = 10, .flush_interval = 1ms});
  ASSERT_TRUE(queue.PushBlocking(MakeRecord("in-flight")));
  ASSERT_TRUE(WaitFor([&] { return gated.entered() == 1; }));
  std::future<core::Status> waiting =
      std::async(std::launch::async, [&queue] { return queue.PushBlocking(MakeRecord("waiting")); });
  ASSERT_TRUE(WaitFor([&] { return queue.stats().producer_waits == 1; }));

  std::thread closer([&queue] { queue.Close(); });
  // Once closed, new pushes are refused, but the waiting one is still owed a place.
  ASSERT_TRUE(WaitFor([&] { return queue.closed(); }));
  EXPECT_FALSE(queue.PushBlocking(MakeRecord("refused")));
  gated.Open();
  closer.join();
  ASSERT_EQ(waiting.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(waiting.get());
  EXPECT_EQ(Count(), 2);
  ExpectStored("in-flight");
  ExpectStored("waiting");
}

TEST_F(WriteBehindQueueTest, ExportsItsMetrics) {
  {
    WriteBehindQueue queue(records(), {});
    ASSERT_TRUE(queue.PushBlocking(MakeRecord("m")));
  }
  const std::string exposition = observability::DefaultRegistry().Render();
  for (const char* name : {"strata_store_queue_depth", "strata_store_records_written_total",
                           "strata_store_write_errors_total", "strata_store_producer_waits_total"}) {
    EXPECT_NE(exposition.find(std::string("# TYPE ") + name), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace strata::store
