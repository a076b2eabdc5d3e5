#pragma once

#include <span>
#include <string_view>

#include "core/result.h"

namespace strata::store {

namespace sqlite {
class Database;
}

// One step of the schema, compiled into the binary.
struct Migration {
  int version;            // 1, 2, 3, ... with no gaps
  std::string_view name;  // what it does, for operators reading schema_migrations
  std::string_view sql;   // one or more statements
};

// The schema this binary knows, oldest first. Policy (see docs/STORE.md):
// append only; never edit or reorder a migration once it has shipped, because
// databases in the field have already run it. A change is a new migration.
std::span<const Migration> Migrations();

// Brings the database up to the last migration in `migrations` (by default the
// compiled-in list) and returns the resulting schema version.
//
// Applied versions are recorded in schema_migrations(version, name,
// applied_at). Each pending migration runs in its own transaction together with
// its schema_migrations row, so a failure leaves the database at the previous
// version, never halfway through one. Running again is a no-op. Safe against
// another process migrating the same file at the same moment (each step
// re-reads the version under the write lock).
//
// Errors:
// - kInternal when the database's version is newer than the last one in
//   `migrations`: it was written by a newer Strata, and this binary refuses to
//   touch it rather than misread it (upgrade the binary, or use another data_dir);
// - kInternal when `migrations` is not numbered 1, 2, 3, ... (a bug);
// - the SQLite error of a failing step.
// Blocking: run it on the BlockingPool or at startup.
core::Result<int> ApplyMigrations(sqlite::Database& database, std::span<const Migration> migrations = Migrations());

// The highest applied version, 0 for a database never migrated (creating an
// empty schema_migrations table if there is none). Blocking.
core::Result<int> SchemaVersion(sqlite::Database& database);

}  // namespace strata::store
