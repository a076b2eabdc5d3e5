#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "core/result.h"
#include "store/blocking_pool.h"
#include "store/content_vault.h"
#include "store/review_store.h"

namespace strata::review {

namespace asio = boost::asio;

// How the queue behaves. Plain values, fixed at construction.
struct ReviewOptions {
  // How long a review stays pending (and its answer held) before it expires.
  // Default: 24 h.
  std::chrono::milliseconds hold_ttl = std::chrono::hours(24);
  // How often a waiter re-reads the store, to see decisions made on another
  // node. A decision made through this queue wakes its waiters at once.
  // Default: 250 ms.
  std::chrono::milliseconds poll_interval{250};
  // The wall clock, Unix milliseconds; tests replace it. Default: system_clock.
  std::function<std::int64_t()> now_ms = nullptr;
};

// What the gateway hands over when the policy asks for a human review.
struct HeldExchange {
  std::string tenant{};
  std::string request_id{};
  std::string key_id{};   // only this key may poll the review (GET /v1/reviews/{id})
  std::string subject{};  // the end user, for DSR erase and the vault key; may be empty
  std::string mode = "blocking";  // "blocking" | "queued"
  std::string decision_record = "{}";    // JSON text: the policy decision
  std::string redacted_exchange = "{}";  // JSON text: what the reviewer sees
  // The answer to release on approval, in plaintext (a JSON document: the
  // complete response body). Sealed under (tenant, subject) before it is
  // stored; never stored in clear. nullopt: nothing held (queued mode).
  std::optional<std::string> held_answer{};
};

// Where a review stands.
struct ReviewStatus {
  std::string id{};
  std::string status{};         // "pending" | "approved" | "rejected" | "expired"
  std::int64_t decided_at_ms = 0;
  std::string justification{};  // the reviewer's, once decided

  bool pending() const { return status == "pending"; }
};

// The runtime side of human review (docs/REVIEW.md): files held exchanges,
// lets request handlers wait for a decision, and shows the API caller its
// review. Store and vault calls run on the BlockingPool, never on the calling
// io thread.
//
// Thread-safety: every method may be called from any thread. A coroutine
// that waits (AwaitDecision) must run on a single-threaded executor (an io
// thread's io_context, or a strand): Notify wakes it by posting to it.
// The store, pool and vault must outlive the queue; the queue must outlive
// every coroutine running its methods.
class ReviewQueue {
 public:
  ReviewQueue(store::ReviewStore& store, store::BlockingPool& pool, store::ContentVault& vault,
              ReviewOptions options = {});
  ~ReviewQueue();

  ReviewQueue(const ReviewQueue&) = delete;
  ReviewQueue& operator=(const ReviewQueue&) = delete;

  // Seals the held answer and files a pending review that expires after
  // hold_ttl. Returns its id ("rev_…"). Errors: kInvalidRequest for a bad
  // mode or a missing tenant; the vault's or store's errors otherwise.
  asio::awaitable<core::Result<std::string>> Submit(HeldExchange exchange);

  // Waits until review `id` is decided (approved or rejected) or expired, or
  // `wait` has passed, and returns where it stands then (still pending after
  // `wait`). Wakes at once on Notify(id); decisions taken elsewhere (another
  // node, the store directly) are seen within about poll_interval: all the
  // waiters of this queue share one store read per interval. Cheap to have
  // many of: one timer each, no thread. Returns
  // early, with the last status read, when the coroutine is cancelled.
  // kNotFound when there is no such review.
  asio::awaitable<core::Result<ReviewStatus>> AwaitDecision(std::string id, std::chrono::milliseconds wait);

  // Wakes every AwaitDecision on `id` in this process, to re-read the store.
  // Decide() calls it; call it after deciding through the store directly.
  void Notify(std::string_view id);

  // Approves or rejects review `id` within `tenant_id` (empty: any tenant) and
  // wakes its waiters. Errors as store::ReviewStore::Decide: kNotFound,
  // kConflict when it is no longer pending.
  asio::awaitable<core::Result<store::ReviewRow>> Decide(std::string id, std::string tenant_id, bool approve,
                                                         std::string reviewer_id, std::string justification);

  // What the API caller sees at GET /v1/reviews/{id}:
  //   {"id", "object": "review", "status", "created_at": unix s,
  //    "decided_at": unix s | null,
  //    "justification": string   (only when rejected),
  //    "response": <held answer> (only when approved and still held)}
  // The held answer is parsed as JSON (a string when it is not JSON). Only
  // the review's own tenant and key see it: anyone else, or a missing
  // review, gets kNotFound, so existence is never disclosed.
  asio::awaitable<core::Result<boost::json::object>> CallerView(std::string id, std::string tenant,
                                                                std::string key_id);

  // The held answer in plaintext, for the same tenant and key only; nullopt
  // when none is held (not approved yet, rejected, expired, or erased).
  asio::awaitable<core::Result<std::optional<std::string>>> OpenAnswer(std::string id, std::string tenant,
                                                                       std::string key_id);

  // Expires every pending review past its hold time (held answers dropped).
  // Returns how many expired.
  asio::awaitable<core::Result<std::int64_t>> ExpireOnce();
  // ExpireOnce every `interval` until the coroutine is cancelled (co_spawn it
  // with a cancellation slot) or its executor stops. Failures are logged.
  asio::awaitable<void> RunExpiry(std::chrono::milliseconds interval);

  // Waiters currently registered (all ids); for tests and metrics.
  std::size_t waiters() const;

 private:
  struct Waiter;
  class Registration;
  struct CallersReview {
    store::ReviewRow row;
    std::optional<std::string> answer;  // opened: approved and still held
  };
  core::Result<CallersReview> ReadForCaller(const std::string& id, const std::string& tenant,
                                            const std::string& key_id);

  std::int64_t Now() const;
  asio::awaitable<core::Result<ReviewStatus>> ReadStatus(const std::string& id);
  // One Settled() read for every review waited on here, at most once a
  // poll_interval; Notify()s those that settled.
  asio::awaitable<void> PollSettled();

  store::ReviewStore& store_;
  store::BlockingPool& pool_;
  store::ContentVault& vault_;
  ReviewOptions options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::vector<std::shared_ptr<Waiter>>> waiters_;  // guarded by mutex_
  std::chrono::steady_clock::time_point last_poll_{};  // guarded by mutex_
};

// A review row as its tenant's reviewers see it in the admin API: everything
// but the held answer. Times are Unix seconds (null when unset).
boost::json::object ReviewerJson(const store::ReviewRow& row);
boost::json::object FeedbackJson(const store::FeedbackRow& row);

}  // namespace strata::review
