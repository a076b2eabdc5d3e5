#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <thread>

#include <boost/asio/awaitable.hpp>

#include "core/result.h"
#include "store/internal/unique_function.h"
#include "store/options.h"
#include "store/record_store.h"

namespace strata::store {

namespace asio = boost::asio;

// Takes high-rate records (inference log, audit) off the request path and
// writes them to a RecordStore in batches, on a dedicated writer thread, so a
// request never waits for the database (DESIGN.md, "record").
//
// Never silently drops a record:
// - backpressure, not loss: at most `capacity` records are held uncommitted;
//   beyond that producers wait (Push suspends the coroutine, PushBlocking
//   blocks the thread) until a commit makes room, first come first served;
// - a failed write (busy database, disk full) is retried with backoff, for as
//   long as it takes, with the same records; the duplicate-id rule of
//   RecordStore::AppendBatch makes a retry of a batch that did commit harmless;
// - after Close() a push is refused with an error, logged and counted.
//
// Batching: the writer takes up to `batch_size` records per transaction. A
// partial batch is written once its oldest record has waited `flush_interval`
// (or at Close()).
//
// "Acknowledged" means committed: the commit listener runs after the batch's
// transaction committed, so the records then survive a crash of this process
// (see sqlite/database.h for what survives power loss). A successful Push
// only means "accepted": a record still queued is lost if the process is
// killed (SIGKILL); Close() on a normal shutdown writes everything.
//
// Thread-safety: Push, PushBlocking, SetCommitListener, closed and stats may be
// called from any thread, concurrently. Close() may be called more than once.
// Lifetime: the RecordStore must outlive the queue. Close the queue before
// stopping the io_contexts whose coroutines push to it, so waiting producers
// can still be resumed.
//
// Metrics (observability::DefaultRegistry(), summed over all queues):
// strata_store_queue_depth (gauge: accepted, not yet committed),
// strata_store_records_written_total, strata_store_write_errors_total (failed
// batch attempts), strata_store_producer_waits_total (pushes that had to wait
// for room), strata_store_records_refused_total (pushes after Close()).
class WriteBehindQueue {
 public:
  // Called on the writer thread after each committed batch, in commit order.
  // It should return quickly (it delays the next batch) and must not push to
  // this queue: a push could wait for room that only this thread can make.
  // It may call Close(), which then does not wait (see Close()). It must not
  // destroy the queue.
  using CommitListener = std::function<void(std::span<const Record>)>;

  // Counters for this queue alone (the metrics are process-wide).
  struct Stats {
    std::size_t depth = 0;            // accepted, not yet committed
    std::uint64_t records_written = 0;
    std::uint64_t batches_written = 0;
    std::uint64_t write_errors = 0;   // failed attempts, each retried
    std::uint64_t producer_waits = 0;
    std::uint64_t refused = 0;
  };

  // Starts the writer thread. capacity and batch_size below 1 count as 1.
  WriteBehindQueue(RecordStore& store, WriteBehindOptions options);
  // Close(): flushes everything accepted, then joins the writer.
  ~WriteBehindQueue();

  WriteBehindQueue(const WriteBehindQueue&) = delete;
  WriteBehindQueue& operator=(const WriteBehindQueue&) = delete;

  // Accepts `record` for writing. Returns at once while there is room;
  // otherwise suspends the calling coroutine (its io thread keeps serving
  // other work) and resumes it on its own executor once the record is
  // accepted. A producer that is waiting when Close() is called is still
  // accepted and written. Not cancellable: once called, the record is either
  // accepted or refused.
  // Errors: kUnavailable once the queue is closed (the record is not written).
  asio::awaitable<core::Status> Push(Record record);

  // Push for plain threads: blocks the calling thread while there is no room.
  // Never call it on an io thread. Same errors as Push.
  core::Status PushBlocking(Record record);

  // Replaces the listener. Once this returns, the previous listener is not
  // running and will not be called again.
  void SetCommitListener(CommitListener listener);

  // Stops accepting records (later pushes are refused), writes everything
  // already accepted (retrying failures: with a store that keeps failing,
  // this waits until it recovers), then joins the writer thread. Blocks:
  // call it at shutdown, not on an io thread. Called from the commit listener
  // it only stops accepting; the writer still flushes and exits by itself.
  void Close();

  // True once Close() has been called: pushes are refused from then on.
  bool closed() const;

  Stats stats() const;

 private:
  using Clock = std::chrono::steady_clock;

  struct Pending {
    Record record;
    Clock::time_point enqueued_at;
  };
  // A producer waiting for room. Its record is moved into the queue by the
  // writer, under the lock, the moment there is room, and only then is the
  // producer resumed: no wake-up can be lost and no record can overtake it.
  struct Waiter {
    Record record;
    internal::UniqueFunction<void(core::Status)> resume;  // must not block; called without the lock
  };

  enum class Offer {
    kAccepted,  // `record` was moved into the queue
    kWaiting,   // no room: `record` and `*resume` were parked in waiters_
    kFull,      // no room and no `resume` given: `record` untouched
    kClosed,    // refused: `record` untouched
  };
  Offer OfferRecord(Record& record, internal::UniqueFunction<void(core::Status)>* resume);
  bool HasRoomLocked() const;
  void EnqueueLocked(Record record);
  core::Error Refuse(const Record& record);
  void WriterLoop();
  void WriteUntilCommitted(std::span<const Record> batch);
  void NotifyListener(std::span<const Record> batch);

  RecordStore& store_;
  const WriteBehindOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable writer_wake_;  // the writer waits on it; producers and Close() signal
  std::deque<Pending> queue_;            // accepted, not yet taken by the writer
  std::size_t in_flight_ = 0;            // taken by the writer, not yet committed
  std::deque<Waiter> waiters_;           // producers waiting for room, oldest first
  bool closed_ = false;

  std::atomic<std::uint64_t> records_written_{0};
  std::atomic<std::uint64_t> batches_written_{0};
  std::atomic<std::uint64_t> write_errors_{0};
  std::atomic<std::uint64_t> producer_waits_{0};
  std::atomic<std::uint64_t> refused_{0};

  std::mutex listener_mutex_;  // held while the listener runs
  CommitListener listener_;

  std::mutex close_mutex_;  // serializes Close() calls
  std::thread writer_;      // last: starts once everything above is built
};

}  // namespace strata::store
