#include "store/sqlite/statement.h"

#include <string>

#include <sqlite3.h>

#include "store/sqlite/database.h"
#include "store/sqlite/error.h"

namespace strata::store::sqlite {

Statement::Statement(Database* database, sqlite3_stmt* statement, bool* in_use)
    : database_(database), statement_(statement), in_use_(in_use) {}

Statement::Statement(Statement&& other) noexcept
    : database_(other.database_),
      statement_(std::exchange(other.statement_, nullptr)),
      in_use_(other.in_use_),
      bind_failure_(std::move(other.bind_failure_)) {}

Statement::~Statement() {
  if (statement_ != nullptr) {
    database_->Release(statement_, in_use_);
  }
}

void Statement::RememberBindFailure(int rc, int index) {
  if (rc != SQLITE_OK && !bind_failure_) {
    bind_failure_ = ToError(database_->db_, rc, "binding parameter " + std::to_string(index));
  }
}

Statement& Statement::Bind(int index, std::string_view value) {
  RememberBindFailure(
      sqlite3_bind_text64(statement_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8), index);
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  RememberBindFailure(sqlite3_bind_double(statement_, index, value), index);
  return *this;
}

Statement& Statement::BindInt64(int index, std::int64_t value) {
  RememberBindFailure(sqlite3_bind_int64(statement_, index, value), index);
  return *this;
}

Statement& Statement::BindNull(int index) {
  RememberBindFailure(sqlite3_bind_null(statement_, index), index);
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  RememberBindFailure(sqlite3_bind_blob64(statement_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT), index);
  return *this;
}

core::Result<bool> Statement::Step() {
  if (bind_failure_) {
    return *bind_failure_;
  }
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  return ToError(database_->db_, rc, std::string("running ") + sqlite3_sql(statement_));
}

core::Status Statement::Run() {
  for (;;) {
    core::Result<bool> row = Step();
    if (!row) {
      return row.error();
    }
    if (!*row) {
      return {};
    }
  }
}

Statement& Statement::Reset() {
  // sqlite3_reset repeats the last step's error code; that error was already
  // reported by Step(), so it is not an error of the reset.
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
  bind_failure_.reset();
  return *this;
}

std::int64_t Statement::ColumnInt64(int column) const { return sqlite3_column_int64(statement_, column); }

double Statement::ColumnDouble(int column) const { return sqlite3_column_double(statement_, column); }

std::string Statement::ColumnText(int column) const {
  // Read the pointer before the size, as SQLite's documentation asks.
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  const int size = sqlite3_column_bytes(statement_, column);
  return text == nullptr ? std::string() : std::string(text, static_cast<std::size_t>(size));
}

std::string Statement::ColumnBlob(int column) const {
  const auto* bytes = static_cast<const char*>(sqlite3_column_blob(statement_, column));
  const int size = sqlite3_column_bytes(statement_, column);
  return bytes == nullptr ? std::string() : std::string(bytes, static_cast<std::size_t>(size));
}

bool Statement::ColumnIsNull(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }

int Statement::column_count() const { return sqlite3_column_count(statement_); }

}  // namespace strata::store::sqlite
