#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
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

// What a key is on the request path: resolved once per snapshot, read by
// the identify and admit stages.
struct KeyGrant {
  std::string key_id;
  std::string tenant_id;  // empty: a platform key (admin API only)
  std::string team_id;
  std::string owner_id;
  std::string name;
  Role role = Role::kDeveloper;
  std::vector<std::string> allowed_models;  // empty: every model; "prefix*" patterns allowed
  std::int64_t expires_at_ms = 0;           // 0: never
  std::int64_t revoked_at_ms = 0;           // 0: not revoked

  // Whether `model` is allowed: an exact name, or a pattern "x*" it starts with.
  bool AllowsModel(std::string_view model) const;
};

// An immutable, in-memory copy of everything the request path needs from the
// governance store (DESIGN.md: the database is never on the request path).
// Built from GovernanceStore::Everything; shared by every worker.
class Snapshot {
 public:
  explicit Snapshot(store::GovernanceStore::Everything everything);
  Snapshot() = default;  // empty: no tenants, no keys

  std::int64_t version() const { return version_; }

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
  std::unordered_map<std::string, KeyGrant> keys_by_digest_;
  std::unordered_map<std::string, store::TenantRow> tenants_;
  std::unordered_map<std::string, store::TeamRow> teams_;
  std::unordered_map<std::string, store::RateLimitRow> rate_limits_;  // by "scope_type:scope_id"
  std::unordered_map<std::string, std::vector<store::BudgetRow>> budgets_;  // by "scope_type:scope_id"
  std::unordered_map<std::string, std::int64_t> budget_spent_;
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
  void Poll();
  void Publish(std::shared_ptr<const Snapshot> snapshot);

  store::GovernanceStore& store_;
  SnapshotOptions options_;
  mutable std::mutex mutex_;  // guards current_ and stopping_; never taken by Current() on the fast path
  std::shared_ptr<const Snapshot> current_;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<bool> healthy_{true};
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread poller_;
  const std::uint64_t id_;  // tells sources apart in the thread-local cache
};

}  // namespace strata::governance
