#include "store/migrations.h"

#include <array>
#include <string>

#include "store/sqlite/database.h"

namespace strata::store {
namespace {

// Append only: see the policy in migrations.h.
constexpr std::array kMigrations = {
    Migration{
        1,
        "create inference_records",
        // The generic high-rate record table: the inference log and the audit
        // trail are built on it. `seq` gives a total order of arrival; `id` is
        // the caller's key and makes a retried batch idempotent.
        R"sql(
CREATE TABLE inference_records (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  created_at_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL
);
CREATE INDEX inference_records_by_created_at ON inference_records(created_at_ms);
)sql",
    },
};

constexpr std::string_view kCreateMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
))sql";

core::Result<int> ReadVersion(sqlite::Connection& connection) {
  core::Result<sqlite::Statement> select = connection.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!select) {
    return select.error();
  }
  core::Result<bool> row = select->Step();
  if (!row) {
    return row.error();
  }
  return static_cast<int>(select->ColumnInt64(0));
}

core::Status CheckNotNewer(int current, std::span<const Migration> migrations, const std::string& path) {
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  if (current > latest) {
    return core::Error::Internal("store: " + path + " has schema version " + std::to_string(current) +
                                 ", newer than the latest this binary knows (" + std::to_string(latest) +
                                 "); it was written by a newer Strata. Upgrade Strata, or point data_dir elsewhere");
  }
  return {};
}

// Applies `migration` if the database is exactly one version behind it.
core::Status ApplyOne(sqlite::Database& database, const Migration& migration) {
  sqlite::Connection connection = database.Lock();
  core::Result<sqlite::Transaction> transaction = connection.Begin();
  if (!transaction) {
    return transaction.error();
  }
  // Re-read under the write lock: another process may have migrated meanwhile.
  core::Result<int> current = ReadVersion(connection);
  if (!current) {
    return current.error();
  }
  if (*current >= migration.version) {
    return {};  // rolled back by the destructor; nothing was written
  }
  if (core::Status applied = connection.Execute(migration.sql); !applied) {
    return core::Error(applied.error().code(), "store: migration " + std::to_string(migration.version) + " (" +
                                                   std::string(migration.name) + ") failed: " +
                                                   applied.error().message());
  }
  {
    // Scoped so the statement is back in the cache before COMMIT.
    core::Result<sqlite::Statement> record = connection.Prepare(
        "INSERT INTO schema_migrations(version, name, applied_at) "
        "VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
    if (!record) {
      return record.error();
    }
    if (core::Status inserted = record->Bind(1, migration.version).Bind(2, migration.name).Run(); !inserted) {
      return inserted.error();
    }
  }
  return transaction->Commit();
}

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

core::Result<int> SchemaVersion(sqlite::Database& database) {
  sqlite::Connection connection = database.Lock();
  if (core::Status created = connection.Execute(kCreateMigrationsTable); !created) {
    return created.error();
  }
  return ReadVersion(connection);
}

core::Result<int> ApplyMigrations(sqlite::Database& database, std::span<const Migration> migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return core::Error::Internal("store: migration list is not numbered 1, 2, 3, ... (entry " +
                                   std::to_string(i) + " has version " + std::to_string(migrations[i].version) + ")");
    }
  }
  core::Result<int> current = SchemaVersion(database);
  if (!current) {
    return current.error();
  }
  if (core::Status fits = CheckNotNewer(*current, migrations, database.path()); !fits) {
    return fits.error();
  }
  for (const Migration& migration : migrations) {
    if (migration.version <= *current) {
      continue;
    }
    if (core::Status applied = ApplyOne(database, migration); !applied) {
      return applied.error();
    }
  }
  // Read back rather than assume: a concurrent opener may have moved further.
  core::Result<int> final_version = SchemaVersion(database);
  if (!final_version) {
    return final_version.error();
  }
  if (core::Status fits = CheckNotNewer(*final_version, migrations, database.path()); !fits) {
    return fits.error();
  }
  return *final_version;
}

}  // namespace strata::store
