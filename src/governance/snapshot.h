#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "governance/roles.h"
#include "store/governance_store.h"

namespace strata::governance {

// Whether an allowlist (exact names, or patterns "x*" matching by prefix;
// empty: everything) lets `model` through.
bool ModelAllowed(const std::vector<std::string>& allowed_models, std::string_view model);

// What a key is on the request path: resolved once per snapshot, read by
// the identify and admit stages.
struct KeyGrant {
  std::string key_id{};
  std::string tenant_id{};  // empty: a platform key (admin API only)
  std::string team_id{};
  std::string owner_id{};
  std::string name{};
  Role role = Role::kDeveloper;
  std::vector<std::string> allowed_models{};  // empty: every model; "prefix*" patterns allowed
  std::int64_t expires_at_ms = 0;           // 0: never
  std::int64_t revoked_at_ms = 0;           // 0: not revoked

  // Whether `model` is allowed: an exact name, or a pattern "x*" it starts with.
  bool AllowsModel(std::string_view model) const;
};

// Hash for unordered maps keyed by std::string that are looked up by
// std::string_view without building a string (C++20 heterogeneous lookup).
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};
template <class Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

// An immutable, in-memory copy of everything the request path needs from the
// governance store (DESIGN.md: the database is never on the request path).
// Built from GovernanceStore::Everything; shared by every worker.
class Snapshot {
 public:
  explicit Snapshot(store::GovernanceStore::Everything everything);
  Snapshot() = default;  // empty: no tenants, no keys

  std::int64_t version() const { return version_; }
  // Keys of every state (revoked and expired included): none means a fresh install.
  std::size_t key_count() const { return keys_by_digest_.size(); }

  // By the SHA-256 of the presented secret, lowercase hex. Revoked and
  // expired keys are found too: the caller tells them apart.
  const KeyGrant* FindKey(std::string_view digest_hex) const;
  const store::TenantRow* FindTenant(std::string_view id) const;
  const store::TeamRow* FindTeam(std::string_view id) const;
  // The rate limit set on a scope ("tenant" | "team" | "key"), if any.
  const store::RateLimitRow* FindRateLimit(std::string_view scope_type, std::string_view scope_id) const;
  // The budgets set on a scope (at most one per period).
  std::vector<const store::BudgetRow*> FindBudgets(std::string_view scope_type, std::string_view scope_id) const;
  // What the budget's scope had spent in the budget's period when the snapshot was loaded.
  std::int64_t SpentAtLoad(std::string_view budget_id) const;

 private:
  std::int64_t version_ = 0;
  StringMap<KeyGrant> keys_by_digest_;
  StringMap<store::TenantRow> tenants_;
  StringMap<store::TeamRow> teams_;
  StringMap<store::RateLimitRow> rate_limits_;  // by "scope_type:scope_id"
  StringMap<std::vector<store::BudgetRow>> budgets_;  // by "scope_type:scope_id"
  StringMap<std::int64_t> budget_spent_;
};

struct SnapshotOptions {
  // How often the store's Version() is polled; a change reloads everything.
  // Bounds how long a revocation takes to reach this node.
  std::chrono::milliseconds refresh_interval{1'000};
};

// Keeps the current Snapshot: loads it at Start(), then polls the store on a
// thread of its own and swaps in a new snapshot when Version() moves. When the
// store fails, the last snapshot keeps serving and healthy() turns false
// (reported on /readyz and in metrics), until a poll succeeds again.
//
// Thread-safety: Current() is safe from any thread and cheap: a thread-local
// copy of the shared pointer is refreshed only when the snapshot changed (one
// relaxed atomic load per call otherwise), so workers share no lock per request.
class SnapshotSource {
 public:
  SnapshotSource(store::GovernanceStore& store, SnapshotOptions options);
  ~SnapshotSource();  // stops the thread

  // Loads the first snapshot (blocking) and starts polling. Fails when the
  // first load fails: the server should not start without its keys.
  core::Status Start();
  void Stop();

  std::shared_ptr<const Snapshot> Current() const;
  // Reloads now (blocking), e.g. after an admin write on this node, so the
  // writer sees its own change at once. Errors leave the current snapshot.
  core::Status Refresh();

  bool healthy() const { return healthy_.load(std::memory_order_relaxed); }
  std::int64_t version() const;

 private:
  void Run();  // the poller thread
  void Poll();
  // Loads everything and publishes it; records the outcome in healthy_.
  core::Status Load();
  // Swaps in `snapshot` unless a load that started later was published first.
  void Publish(std::shared_ptr<const Snapshot> snapshot, std::uint64_t load);
  void SetHealthy(bool healthy, std::string_view error);

  store::GovernanceStore& store_;
  SnapshotOptions options_;
  // Guards current_, published_load_ and stopping_; never taken by Current()
  // on the fast path.
  mutable std::mutex mutex_;
  std::shared_ptr<const Snapshot> current_;  // never null: empty until Start()
  std::uint64_t published_load_ = 0;         // the load current_ came from
  std::atomic<std::uint64_t> loads_started_{0};
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<bool> healthy_{true};
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread poller_;
  const std::uint64_t id_;  // tells sources apart in the thread-local cache
};

}  // namespace strata::governance
