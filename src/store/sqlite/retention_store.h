#pragma once

#include "store/retention_store.h"

namespace strata::store::sqlite {

class Database;

// RetentionStore over the retention_rules and retention_runs tables of
// migration 4.
//
// Thread-safe: calls are serialized on the Database's connection. Blocking.
class SqliteRetentionStore final : public RetentionStore {
 public:
  // `database` must outlive this object and be migrated to version >= 4.
  explicit SqliteRetentionStore(Database& database) : database_(database) {}

  core::Status Update(std::string_view tenant, std::span<const RetentionChange> changes,
                      std::int64_t now_ms) override;
  core::Result<std::vector<RetentionRule>> List(std::string_view tenant) override;
  core::Result<std::vector<RetentionRule>> ListAll() override;
  core::Status AddRun(const RetentionRun& run) override;
  core::Result<Page<RetentionRun>> ListRuns(std::string_view after_id, int limit) override;

 private:
  Database& database_;
};

}  // namespace strata::store::sqlite
