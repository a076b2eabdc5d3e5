#include "store/sqlite/database.h"

#include <string>
#include <utility>

#include <sqlite3.h>

#include "store/sqlite/error.h"

namespace strata::store::sqlite {
namespace {

// Runs a pragma that answers with one text row, returning that row.
core::Result<std::string> QueryPragma(sqlite3* db, const char* sql) {
  sqlite3_stmt* statement = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &statement, nullptr);
  if (rc != SQLITE_OK) {
    return ToError(db, rc, sql);
  }
  std::string value;
  rc = sqlite3_step(statement);
  if (rc == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    value = text != nullptr ? text : "";
  }
  core::Result<std::string> result = value;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    result = ToError(db, rc, sql);
  }
  sqlite3_finalize(statement);
  return result;
}

core::Status Exec(sqlite3* db, std::string_view sql) {
  const std::string text(sql);  // sqlite3_exec wants a terminated string
  char* message = nullptr;
  const int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, &message);
  sqlite3_free(message);  // sqlite3_errmsg still holds the same text for ToError
  if (rc != SQLITE_OK) {
    return ToError(db, rc, "running " + text);
  }
  return {};
}

}  // namespace

core::Result<std::unique_ptr<Database>> Database::Open(const std::string& path, const DatabaseOptions& options) {
  sqlite3* db = nullptr;
  // NOMUTEX (multi-thread mode): our own mutex serializes every use of the
  // connection, so SQLite's per-connection mutex would only add cost.
  const int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    core::Error error = ToError(db, rc, "opening " + path);
    sqlite3_close(db);  // a handle is returned even on failure, and must be closed
    return error;
  }
  // From here the Database owns the handle and closes it on every return.
  std::unique_ptr<Database> database(new Database(db, path));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));

  core::Result<std::string> mode = QueryPragma(db, "PRAGMA journal_mode=WAL");
  if (!mode) {
    return mode.error();
  }
  if (*mode != "wal") {
    return core::Error::Unavailable("sqlite: " + path + ": cannot enable WAL mode (journal_mode is '" + *mode +
                                    "'); is the data directory on a network filesystem?");
  }
  // secure_delete: what is deleted or overwritten (an erased subject's
  // wrapped key, purged content) is zeroed in the file, not left in free pages.
  if (core::Status set = Exec(db, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;");
      !set) {
    return set.error();
  }
  return database;
}

Database::Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

Database::~Database() {
  for (auto& [sql, cached] : statements_) {
    sqlite3_finalize(cached.statement);
  }
  sqlite3_close(db_);
}

Connection Database::Lock() { return Connection(this); }

void Database::Release(sqlite3_stmt* statement, bool* in_use) {
  if (in_use == nullptr) {
    sqlite3_finalize(statement);
    return;
  }
  // Reset so the statement holds no read snapshot or lock while idle in the cache.
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  *in_use = false;  // std::map nodes never move, so the slot is still there
}

Connection::Connection(Database* database) : lock_(database->mutex_), database_(database) {}

core::Result<Statement> Connection::Prepare(std::string_view sql) {
  auto it = database_->statements_.find(sql);
  if (it != database_->statements_.end() && !it->second.in_use) {
    it->second.in_use = true;
    return Statement(database_, it->second.statement, &it->second.in_use);
  }
  sqlite3_stmt* statement = nullptr;
  const int rc = sqlite3_prepare_v3(database_->db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
  if (rc != SQLITE_OK) {
    return ToError(database_->db_, rc, "preparing " + std::string(sql));
  }
  if (statement == nullptr) {  // only whitespace or comments
    return core::Error::Internal("sqlite: preparing '" + std::string(sql) + "': no statement in the text");
  }
  if (it != database_->statements_.end()) {
    // The cached copy is busy (a nested use of the same SQL): this one is
    // finalized when released rather than cached twice.
    return Statement(database_, statement, /*in_use=*/nullptr);
  }
  auto [slot, inserted] = database_->statements_.emplace(std::string(sql), Database::CachedStatement{statement, true});
  return Statement(database_, statement, &slot->second.in_use);
}

core::Status Connection::Execute(std::string_view sql) { return Exec(database_->db_, sql); }

core::Result<Transaction> Connection::Begin() {
  if (core::Status begun = Exec(database_->db_, "BEGIN IMMEDIATE"); !begun) {
    return begun.error();
  }
  return Transaction(database_);
}

std::int64_t Connection::changes() const { return sqlite3_changes64(database_->db_); }

Transaction::Transaction(Transaction&& other) noexcept : database_(std::exchange(other.database_, nullptr)) {}

Transaction::~Transaction() {
  if (database_ == nullptr) {
    return;
  }
  // Some failures (disk full, I/O error) already rolled SQLite back; a second
  // ROLLBACK would only fail with "no transaction is active".
  if (sqlite3_get_autocommit(database_->db_) == 0) {
    sqlite3_exec(database_->db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

core::Status Transaction::Commit() {
  if (database_ == nullptr) {
    return core::Error::Internal("sqlite: commit of a transaction that is no longer open");
  }
  if (core::Status committed = Exec(database_->db_, "COMMIT"); !committed) {
    return committed.error();  // still open: the destructor rolls back
  }
  database_ = nullptr;
  return {};
}

}  // namespace strata::store::sqlite
