#include "store/store.h"

#include <filesystem>
#include <system_error>

#include "store/migrations.h"
#include "store/sqlite/content_vault.h"
#include "store/sqlite/database.h"
#include "store/sqlite/governance_store.h"
#include "store/sqlite/policy_store.h"
#include "store/sqlite/record_store.h"
#include "store/sqlite/retention_store.h"
#include "store/sqlite/review_store.h"
#include "store/sqlite/session_store.h"

namespace strata::store {

core::Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  if (options.backend != "sqlite") {
    return core::Error::InvalidRequest("store: unknown backend '" + options.backend + "' (supported: sqlite)",
                                       "store.backend");
  }
  const std::filesystem::path dir(options.data_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return core::Error::Unavailable("store: cannot create data_dir " + dir.string() + ": " + ec.message());
  }
  const std::string path = (dir / "strata.db").string();
  sqlite::DatabaseOptions database_options;
  database_options.busy_timeout = options.busy_timeout;
  core::Result<std::unique_ptr<sqlite::Database>> database = sqlite::Database::Open(path, database_options);
  if (!database) {
    return database.error();
  }
  core::Result<int> version = ApplyMigrations(**database);
  if (!version) {
    return version.error();
  }
  const std::string key_path =
      options.content_key_file.empty() ? (dir / "content.key").string() : options.content_key_file;
  core::Result<sqlite::MasterKey> master_key = sqlite::LoadOrCreateMasterKey(key_path);
  if (!master_key) {
    return master_key.error();
  }
  auto vault = std::make_unique<sqlite::SqliteContentVault>(**database, *master_key);
  master_key->fill(0);
  return std::unique_ptr<Store>(new Store(std::move(*database), std::move(vault), *version, options.threads));
}

Store::Store(std::unique_ptr<sqlite::Database> database, std::unique_ptr<sqlite::SqliteContentVault> vault,
             int schema_version, unsigned threads)
    : database_(std::move(database)),
      vault_(std::move(vault)),
      records_(std::make_unique<sqlite::SqliteRecordStore>(*database_, vault_.get())),
      governance_(std::make_unique<sqlite::SqliteGovernanceStore>(*database_)),
      sessions_(std::make_unique<sqlite::SqliteSessionStore>(*database_)),
      reviews_(std::make_unique<sqlite::SqliteReviewStore>(*database_)),
      policies_(std::make_unique<sqlite::SqlitePolicyStore>(*database_)),
      retention_(std::make_unique<sqlite::SqliteRetentionStore>(*database_)),
      schema_version_(schema_version),
      pool_(std::make_unique<BlockingPool>(threads)) {}

Store::~Store() {
  // Explicit so that queued pool work finishes before the aggregates and database_ go.
  pool_.reset();
}

ContentVault& Store::vault() { return *vault_; }

asio::awaitable<core::Status> Store::Ping() {
  sqlite::Database* database = database_.get();
  // Reads schema_migrations rather than a bare SELECT 1, which SQLite answers
  // without touching the file: the check should fail when the file is unreadable.
  co_return co_await pool_->Run(
      [database]() -> core::Status { return database->Lock().Execute("SELECT 1 FROM schema_migrations LIMIT 1"); });
}

}  // namespace strata::store
