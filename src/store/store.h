#pragma once

#include <memory>

#include <boost/asio/awaitable.hpp>

#include "core/result.h"
#include "store/blocking_pool.h"
#include "store/content_vault.h"
#include "store/governance_store.h"
#include "store/options.h"
#include "store/policy_store.h"
#include "store/record_store.h"
#include "store/retention_store.h"
#include "store/review_store.h"
#include "store/session_store.h"

namespace strata::store {

namespace sqlite {
class Database;
class SqliteContentVault;
}

// The store module's front door: the database, its schema, the aggregates
// over it, and the pool of threads that run their blocking calls.
//
// Thread-safety: every method may be called from any thread. The aggregates
// it hands out are thread-safe and blocking (run them on pool()). For high-rate
// writes, put a WriteBehindQueue over records().
//
// Destruction drains the pool (queued work still runs against the open
// database), then closes the database. Close every WriteBehindQueue over
// records() first.
class Store {
 public:
  // Creates options.data_dir (with parents) if needed, opens
  // data_dir/strata.db (SQLite, WAL; see sqlite/database.h for durability),
  // applies pending migrations, loads the content master key
  // (options.content_key_file, created on first open) and starts
  // options.threads pool threads.
  // Blocking: call it at startup, not on an io thread.
  // Errors: kInvalidRequest for a backend other than "sqlite"; kUnavailable
  // when the directory or file cannot be created or opened; kInternal when the
  // database was written by a newer Strata (see ApplyMigrations);
  // kInvalidRequest when the content key file is not a valid key.
  static core::Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
  ~Store();

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Readiness check for /readyz: runs a one-row SELECT on the pool, so the
  // calling io thread never blocks, and resumes on the caller's executor.
  // Waits for the connection while a write holds it. Fails (kUnavailable)
  // when the database file cannot be read.
  asio::awaitable<core::Status> Ping();

  RecordStore& records() { return *records_; }
  // Per-subject content encryption; records() seals through it.
  ContentVault& vault();
  // Tenants, teams, users, keys, limits, budgets and the spend rollup.
  GovernanceStore& governance() { return *governance_; }
  // Console sessions, OIDC logins in progress, OIDC users found or created.
  SessionStore& sessions() { return *sessions_; }
  // The human review queue and caller feedback (docs/REVIEW.md).
  ReviewStore& reviews() { return *reviews_; }
  // Versioned policy documents, platform-wide and per tenant (docs/POLICY.md).
  PolicyStore& policies() { return *policies_; }
  // Retention rules and the retention job's run log (docs/PRIVACY.md).
  RetentionStore& retention() { return *retention_; }
  BlockingPool& pool() { return *pool_; }
  // The schema version after the migrations applied at Open().
  int schema_version() const { return schema_version_; }

 private:
  Store(std::unique_ptr<sqlite::Database> database, std::unique_ptr<sqlite::SqliteContentVault> vault,
        int schema_version, unsigned threads);

  // Declaration order is destruction order, reversed: the pool is drained
  // first, while the database its jobs use is still open.
  std::unique_ptr<sqlite::Database> database_;
  std::unique_ptr<sqlite::SqliteContentVault> vault_;
  std::unique_ptr<RecordStore> records_;
  std::unique_ptr<GovernanceStore> governance_;
  std::unique_ptr<SessionStore> sessions_;
  std::unique_ptr<ReviewStore> reviews_;
  std::unique_ptr<PolicyStore> policies_;
  std::unique_ptr<RetentionStore> retention_;
  int schema_version_;
  std::unique_ptr<BlockingPool> pool_;
};

}  // namespace strata::store
