#include "store/write_behind.h"

#include <algorithm>
#include <exception>
#include <future>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "observability/log.h"
#include "observability/metrics.h"

namespace strata::store {
namespace {

using observability::Level;
using observability::Log;

// Registered once per process: a registry family per queue would repeat names.
struct QueueMetrics {
  observability::Gauge& depth;
  observability::Counter& records_accepted;
  observability::Counter& records_written;
  observability::Counter& write_errors;
  observability::Counter& producer_waits;
  observability::Counter& records_refused;
};

QueueMetrics& Metrics() {
  static QueueMetrics metrics{
      observability::DefaultRegistry()
          .AddGauge("strata_store_queue_depth", "Records accepted by write-behind queues and not yet committed.")
          .With({}),
      observability::DefaultRegistry()
          .AddCounter("strata_store_records_accepted_total",
                      "Records accepted by write-behind queues; nothing accepted is dropped: accepted minus "
                      "written is the queue depth.")
          .With({}),
      observability::DefaultRegistry()
          .AddCounter("strata_store_records_written_total", "Records committed by write-behind queues.")
          .With({}),
      observability::DefaultRegistry()
          .AddCounter("strata_store_write_errors_total",
                      "Failed batch writes of write-behind queues; each batch is kept and retried.")
          .With({}),
      observability::DefaultRegistry()
          .AddCounter("strata_store_producer_waits_total",
                      "Pushes to a write-behind queue that waited for room (backpressure).")
          .With({}),
      observability::DefaultRegistry()
          .AddCounter("strata_store_records_refused_total", "Pushes refused because the write-behind queue was closed.")
          .With({}),
  };
  return metrics;
}

// The queue whose writer runs on this thread, if any: lets Close() notice it
// is being called from the commit listener, where joining would deadlock.
thread_local const WriteBehindQueue* writing_queue = nullptr;

}  // namespace

WriteBehindQueue::WriteBehindQueue(RecordStore& store, WriteBehindOptions options)
    : store_(store), options_([&options] {
        options.capacity = std::max<std::size_t>(options.capacity, 1);
        options.batch_size = std::max<std::size_t>(options.batch_size, 1);
        return options;
      }()) {
  Metrics();  // register before the writer thread can touch them
  writer_ = std::thread([this] { WriterLoop(); });
}

WriteBehindQueue::~WriteBehindQueue() {
  Close();
  if (writer_.joinable()) {  // Close() from the listener left the join to us
    writer_.join();
  }
}

asio::awaitable<core::Status> WriteBehindQueue::Push(Record record) {
  switch (OfferRecord(record, nullptr)) {
    case Offer::kAccepted:
      co_return core::Status{};
    case Offer::kClosed:
      co_return Refuse(record);
    case Offer::kFull:
    case Offer::kWaiting:
      break;
  }
  // No room: park the record and suspend. The writer moves the record into the
  // queue when a commit makes room, and only then resumes us, via a post to our
  // own executor (kept busy meanwhile so its io_context does not run dry).
  // async_initiate runs the initiation after this coroutine has suspended, so
  // a resume cannot race ahead of the suspension.
  core::Status status = co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(core::Status)>(
      [this, &record](auto handler) {
        auto executor =
            asio::prefer(asio::get_associated_executor(handler), asio::execution::outstanding_work.tracked);
        internal::UniqueFunction<void(core::Status)> resume = [handler = std::move(handler),
                                                               executor](core::Status outcome) mutable {
          asio::post(executor, [handler = std::move(handler), outcome = std::move(outcome)]() mutable {
            std::move(handler)(std::move(outcome));
          });
        };
        switch (OfferRecord(record, &resume)) {
          case Offer::kWaiting:
            return;
          case Offer::kAccepted:  // room appeared since the first try
            resume(core::Status{});
            return;
          case Offer::kFull:  // never returned when `resume` is given; never claim success unqueued
            resume(core::Error::Internal("store: write-behind queue lost track of a push"));
            return;
          case Offer::kClosed:
            resume(Refuse(record));
            return;
        }
      },
      asio::use_awaitable);
  co_return status;
}

core::Status WriteBehindQueue::PushBlocking(Record record) {
  // Fast path first: no promise to allocate while there is room.
  switch (OfferRecord(record, nullptr)) {
    case Offer::kAccepted:
      return {};
    case Offer::kClosed:
      return Refuse(record);
    case Offer::kFull:
    case Offer::kWaiting:
      break;
  }
  std::promise<core::Status> accepted;
  std::future<core::Status> outcome = accepted.get_future();
  // The promise lives in the waiter, not on this stack: set_value may still be
  // running on the writer thread when get() below returns.
  internal::UniqueFunction<void(core::Status)> resume = [accepted = std::move(accepted)](core::Status status) mutable {
    accepted.set_value(std::move(status));
  };
  switch (OfferRecord(record, &resume)) {
    case Offer::kAccepted:  // room appeared since the first try
      return {};
    case Offer::kFull:  // never returned when `resume` is given; never claim success unqueued
      return core::Error::Internal("store: write-behind queue lost track of a push");
    case Offer::kClosed:
      return Refuse(record);
    case Offer::kWaiting:
      break;
  }
  return outcome.get();
}

void WriteBehindQueue::SetCommitListener(CommitListener listener) {
  std::lock_guard lock(listener_mutex_);
  listener_ = std::move(listener);
}

void WriteBehindQueue::Close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  writer_wake_.notify_one();
  if (writing_queue == this) {
    return;  // called from the listener: the writer flushes and exits on its own
  }
  std::lock_guard close_lock(close_mutex_);
  if (writer_.joinable()) {
    writer_.join();
  }
}

bool WriteBehindQueue::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

WriteBehindQueue::Stats WriteBehindQueue::stats() const {
  Stats stats;
  {
    std::lock_guard lock(mutex_);
    stats.depth = queue_.size() + in_flight_;
  }
  stats.records_written = records_written_.load();
  stats.batches_written = batches_written_.load();
  stats.write_errors = write_errors_.load();
  stats.producer_waits = producer_waits_.load();
  stats.refused = refused_.load();
  return stats;
}

WriteBehindQueue::Offer WriteBehindQueue::OfferRecord(Record& record,
                                                      internal::UniqueFunction<void(core::Status)>* resume) {
  std::lock_guard lock(mutex_);
  if (closed_) {
    return Offer::kClosed;
  }
  if (HasRoomLocked()) {
    EnqueueLocked(std::move(record));
    return Offer::kAccepted;
  }
  if (resume == nullptr) {
    return Offer::kFull;
  }
  waiters_.push_back(Waiter{std::move(record), std::move(*resume)});
  producer_waits_.fetch_add(1, std::memory_order_relaxed);
  Metrics().producer_waits.Increment();
  return Offer::kWaiting;
}

bool WriteBehindQueue::HasRoomLocked() const {
  // Earlier waiters go first: a newcomer may not slip into room they are owed.
  return waiters_.empty() && queue_.size() + in_flight_ < options_.capacity;
}

void WriteBehindQueue::EnqueueLocked(Record record) {
  queue_.push_back(Pending{std::move(record), Clock::now()});
  Metrics().depth.Add(1);
  Metrics().records_accepted.Increment();
  // The writer sleeps either on an empty queue (untimed) or until the oldest
  // record's flush deadline; these are the two sizes that change its decision.
  if (queue_.size() == 1 || queue_.size() == options_.batch_size) {
    writer_wake_.notify_one();
  }
}

core::Error WriteBehindQueue::Refuse(const Record& record) {
  refused_.fetch_add(1, std::memory_order_relaxed);
  Metrics().records_refused.Increment();
  // Loud on purpose: a refused record is data the caller must now handle.
  Log(Level::kError, "store: write-behind queue is closed; record refused",
      {{"id", std::string_view(record.id)}, {"kind", std::string_view(record.kind)}});
  return core::Error::Unavailable("store: write-behind queue is closed; record '" + record.id + "' was not accepted");
}

void WriteBehindQueue::WriterLoop() {
  writing_queue = this;
  std::vector<Record> batch;
  batch.reserve(std::min<std::size_t>(options_.batch_size, 4096));
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      for (;;) {
        if (queue_.size() >= options_.batch_size) {
          break;
        }
        if (queue_.empty()) {
          // Empty and closed means done: waiters are admitted whenever there
          // is room, so none can be left behind an empty queue.
          if (closed_) {
            return;
          }
          writer_wake_.wait(lock);
          continue;
        }
        if (closed_) {
          break;  // flush the partial batch now
        }
        const Clock::time_point deadline = queue_.front().enqueued_at + options_.flush_interval;
        if (Clock::now() >= deadline) {
          break;
        }
        writer_wake_.wait_until(lock, deadline);
      }
      const std::size_t count = std::min(queue_.size(), options_.batch_size);
      for (std::size_t i = 0; i < count; ++i) {
        batch.push_back(std::move(queue_.front().record));
        queue_.pop_front();
      }
      // Still counted against capacity until committed: memory and the
      // records at risk stay bounded by `capacity`.
      in_flight_ = count;
    }

    WriteUntilCommitted(batch);

    std::vector<Waiter> admitted;
    {
      std::lock_guard lock(mutex_);
      in_flight_ = 0;
      while (!waiters_.empty() && queue_.size() < options_.capacity) {
        EnqueueLocked(std::move(waiters_.front().record));
        admitted.push_back(std::move(waiters_.front()));
        waiters_.pop_front();
      }
    }
    Metrics().depth.Add(-static_cast<double>(batch.size()));
    Metrics().records_written.Increment(static_cast<double>(batch.size()));
    records_written_.fetch_add(batch.size(), std::memory_order_relaxed);
    batches_written_.fetch_add(1, std::memory_order_relaxed);
    for (Waiter& waiter : admitted) {
      waiter.resume(core::Status{});
    }
    NotifyListener(batch);
    batch.clear();
  }
}

void WriteBehindQueue::WriteUntilCommitted(std::span<const Record> batch) {
  std::chrono::milliseconds backoff = options_.retry_backoff_initial;
  for (int attempt = 1;; ++attempt) {
    core::Status written;
    try {
      written = store_.AppendBatch(batch);
    } catch (const std::exception& e) {
      // A throwing store is a bug, but the records are still ours to keep.
      written = core::Error::Internal(std::string("store: AppendBatch threw: ") + e.what());
    }
    if (written) {
      return;
    }
    write_errors_.fetch_add(1, std::memory_order_relaxed);
    Metrics().write_errors.Increment();
    Log(Level::kWarn, "store: writing a batch failed; keeping it and retrying",
        {{"error", std::string_view(written.error().message())},
         {"records", batch.size()},
         {"attempt", attempt},
         {"retry_in_ms", backoff.count()}});
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::max(options_.retry_backoff_max, options_.retry_backoff_initial));
  }
}

void WriteBehindQueue::NotifyListener(std::span<const Record> batch) {
  std::lock_guard lock(listener_mutex_);
  if (!listener_) {
    return;
  }
  try {
    listener_(batch);
  } catch (const std::exception& e) {
    // The batch is committed whatever the listener does; keep writing.
    Log(Level::kError, "store: write-behind commit listener threw", {{"error", std::string_view(e.what())}});
  }
}

}  // namespace strata::store
