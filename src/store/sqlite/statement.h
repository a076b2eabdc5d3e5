#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

struct sqlite3_stmt;

namespace strata::store::sqlite {

class Database;

// A prepared statement borrowed from a Connection (see database.h).
// RAII: the destructor resets the statement, clears its bindings and returns
// it to the connection's cache (or finalizes it when it was not cached).
//
// Lifetime: must be destroyed before the Connection that prepared it, since
// it uses the connection without taking the lock itself. Not thread-safe:
// like the Connection, it belongs to the one thread holding the lock.
//
// Binding: parameters are 1-based, as in SQLite. Bind calls chain, and the
// first failure is remembered and returned by the next Step()/Run(), so a
// caller checks once:
//   auto insert = connection.Prepare("INSERT INTO t(a, b) VALUES (?, ?)");
//   if (!insert) return insert.error();
//   if (auto done = insert->Bind(1, id).Bind(2, payload).Run(); !done) return done.error();
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Text is copied by SQLite (SQLITE_TRANSIENT): `value` need only outlive the call.
  Statement& Bind(int index, std::string_view value);
  Statement& Bind(int index, double value);
  template <std::integral I>
  Statement& Bind(int index, I value) {
    return BindInt64(index, static_cast<std::int64_t>(value));
  }
  Statement& BindInt64(int index, std::int64_t value);
  Statement& BindNull(int index);
  // Binds `bytes` as a BLOB (copied, like text).
  Statement& BindBlob(int index, std::string_view bytes);

  // Advances one row. true: a row is ready for the Column accessors;
  // false: the statement is done. Errors carry SQLite's message.
  core::Result<bool> Step();
  // Steps until done, discarding rows: for INSERT/UPDATE/DELETE/DDL.
  core::Status Run();
  // Makes the statement ready to bind and step again (after Step() or Run()),
  // clearing bindings and any remembered bind failure.
  Statement& Reset();

  // Column accessors read the current row; `column` is 0-based. Valid only
  // after Step() returned true.
  std::int64_t ColumnInt64(int column) const;
  double ColumnDouble(int column) const;
  std::string ColumnText(int column) const;
  // A BLOB column's bytes (empty for NULL).
  std::string ColumnBlob(int column) const;
  bool ColumnIsNull(int column) const;
  int column_count() const;

 private:
  friend class Connection;
  // `in_use` is the cache slot's flag, cleared on release; null when the
  // statement is not cached and is finalized on release instead.
  Statement(Database* database, sqlite3_stmt* statement, bool* in_use);
  void RememberBindFailure(int rc, int index);

  Database* database_;
  sqlite3_stmt* statement_;
  bool* in_use_;
  std::optional<core::Error> bind_failure_;
};

}  // namespace strata::store::sqlite
