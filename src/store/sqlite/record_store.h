#pragma once

#include "store/record_store.h"

namespace strata::store::sqlite {

class Database;

// RecordStore over the inference_records table (migration 1).
// Thread-safe: calls are serialized on the Database's connection. Blocking.
class SqliteRecordStore final : public RecordStore {
 public:
  // `database` must outlive this object and be migrated to version >= 1.
  explicit SqliteRecordStore(Database& database) : database_(database) {}

  core::Status AppendBatch(std::span<const Record> records) override;
  core::Result<std::int64_t> Count() override;
  core::Result<std::optional<Record>> Find(std::string_view id) override;

 private:
  Database& database_;
};

}  // namespace strata::store::sqlite
