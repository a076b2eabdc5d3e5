#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/sqlite/statement.h"

struct sqlite3;
struct sqlite3_stmt;

namespace strata::store::sqlite {

class Connection;
class Transaction;

struct DatabaseOptions {
  // How long a statement waits for another connection's (or process's) lock
  // before failing with SQLITE_BUSY. Default: 5 s.
  std::chrono::milliseconds busy_timeout{5'000};
};

// One SQLite database file, opened through one connection.
//
// Settings, applied at Open():
// - journal_mode=WAL: readers in other connections or processes do not block
//   the writer, nor it them;
// - synchronous=NORMAL: a committed transaction survives a crash of this
//   process (SIGKILL, abort), because the commit is in the WAL file once
//   COMMIT returns. It may be lost on an operating-system crash or power
//   failure, which rolls back to the last WAL sync (at checkpoints); the
//   database file itself is never corrupted. FULL would fsync on every
//   commit, which costs a lot for a high-rate log;
// - busy_timeout from the options;
// - foreign_keys=ON.
//
// Threading model: the one connection is guarded by a mutex. Lock() blocks
// until the calling thread owns the connection, and every statement runs
// under that lock, so all calls are serialized; SQLite itself is opened in
// multi-thread mode (no mutex of its own) because ours already serializes.
// All calls block on disk I/O and on SQLite's busy timeout: run them on the
// BlockingPool or a dedicated thread, never on an io thread.
// Database is thread-safe; a Connection, and the Statements and Transactions
// it makes, belong to the one thread that holds the lock.
class Database {
 public:
  // Opens (creating if needed) the file at `path`; its directory must exist.
  // Errors: kUnavailable when the file cannot be opened or WAL cannot be
  // enabled (e.g. a filesystem without shared memory), with SQLite's message.
  static core::Result<std::unique_ptr<Database>> Open(const std::string& path,
                                                      const DatabaseOptions& options = {});
  // Finalizes cached statements and closes the connection.
  // REQUIRES: no Connection is alive.
  ~Database();

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Blocks until this thread owns the connection. The lock is held for as
  // long as the returned Connection lives: keep it short (one unit of work).
  // Not reentrant: locking twice on one thread deadlocks.
  Connection Lock();

  const std::string& path() const { return path_; }

 private:
  friend class Connection;
  friend class Statement;
  friend class Transaction;

  struct CachedStatement {
    sqlite3_stmt* statement = nullptr;
    bool in_use = false;  // a live Statement holds it; a second user gets a fresh one
  };

  Database(sqlite3* db, std::string path);
  void Release(sqlite3_stmt* statement, bool* in_use);

  std::mutex mutex_;
  sqlite3* db_;
  std::string path_;
  // Prepared statements keyed by SQL text, guarded by mutex_. Bounded by the
  // number of distinct SQL strings in the program, which are all literals.
  std::map<std::string, CachedStatement, std::less<>> statements_;
};

// Exclusive use of a Database's connection for as long as it lives (it holds
// the Database's mutex). Move-only. Everything it returns (Statement,
// Transaction) must be destroyed before it.
class Connection {
 public:
  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) = delete;

  // A prepared statement for `sql` (one statement), from the cache when this
  // text was prepared before. Errors (bad SQL, missing table) carry SQLite's message.
  core::Result<Statement> Prepare(std::string_view sql);
  // Runs one or more `;`-separated statements, discarding any rows: DDL, pragmas.
  core::Status Execute(std::string_view sql);
  // BEGIN IMMEDIATE: takes the write lock now rather than at the first write,
  // so a busy database fails (after busy_timeout) here and not halfway through.
  core::Result<Transaction> Begin();

  // Rows changed by the most recent INSERT/UPDATE/DELETE on this connection.
  std::int64_t changes() const;

 private:
  friend class Database;
  explicit Connection(Database* database);

  std::unique_lock<std::mutex> lock_;
  Database* database_;
};

// A write transaction, begun by Connection::Begin(). If it is destroyed before
// Commit() succeeds, it rolls back: an early return or an error leaves the
// database as it was. Move-only; must be destroyed before its Connection.
class Transaction {
 public:
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  // COMMIT. On failure the transaction is still open and the destructor rolls
  // it back. Once this returns success, the writes survive a process crash
  // (see Database). Committing twice is an error.
  core::Status Commit();

 private:
  friend class Connection;
  explicit Transaction(Database* database) : database_(database) {}

  Database* database_;  // null once committed, rolled back or moved from
};

}  // namespace strata::store::sqlite
