#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace strata::store {

// One row of the spend rollup: what one key spent on one model on one UTC day.
struct SpendRow {
  std::string tenant_id{};
  std::string team_id{};  // may be empty
  std::string key_id{};   // may be empty (static keys, anonymous)
  std::string model{};    // the alias the client asked for
  std::string day{};      // "YYYY-MM-DD", UTC
  std::int64_t requests = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cost_nano_usd = 0;

  bool operator==(const SpendRow&) const = default;
};

// One high-rate record: an inference log entry, an audit event. The store
// treats `payload` as opaque text (JSON by convention).
struct Record {
  std::string id;               // unique, chosen by the producer (e.g. a request id)
  std::int64_t created_at_ms;   // Unix time in milliseconds, set by the producer
  std::string kind;             // what the payload is, e.g. "inference", "audit"
  std::string payload;
  // Added to the spend rollup in the same transaction as the record, and only
  // when the record is new (a retried batch does not count twice).
  std::optional<SpendRow> spend{};  // {} keeps designated initializers that omit it warning-free

  bool operator==(const Record&) const = default;
};

// The aggregate for high-rate records. Implementations: sqlite::SqliteRecordStore;
// PostgreSQL later. Writers normally go through WriteBehindQueue rather than
// calling AppendBatch themselves.
//
// Every method blocks on I/O: call it on the BlockingPool or a dedicated
// thread, never on an io thread. Implementations are thread-safe.
class RecordStore {
 public:
  virtual ~RecordStore() = default;

  // Writes `records` in one transaction: all of them or, on error, none.
  // A record whose id is already stored is skipped (the stored one is kept),
  // so retrying a batch whose outcome was unknown is safe: the batch is
  // idempotent. Errors: kUnavailable for transient conditions (busy
  // database, disk full, I/O error) that a retry may fix; kInternal otherwise.
  virtual core::Status AppendBatch(std::span<const Record> records) = 0;

  // How many records are stored.
  virtual core::Result<std::int64_t> Count() = 0;

  // The record with this id, or nullopt when there is none (not an error).
  virtual core::Result<std::optional<Record>> Find(std::string_view id) = 0;
};

}  // namespace strata::store
