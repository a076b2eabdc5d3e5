#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit/chain.h"
#include "audit/checkpoint.h"
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
  // The tenant whose audit chain the record joins (docs/AUDIT.md); empty:
  // the platform's own chain, "_platform" (platform admins' actions).
  std::string tenant{};
  // The data subject whose key seals `content` (ContentVault); empty: the
  // tenant's own key. Never stored with the record: only the key's opaque id is.
  std::string subject{};
  // Prompt and answer as the policy says to log them, in clear here; the
  // store seals it before writing. Empty: nothing to log.
  std::optional<std::string> content{};
  // Added to the spend rollup in the same transaction as the record, and only
  // when the record is new (a retried batch does not count twice).
  std::optional<SpendRow> spend{};  // {} keeps designated initializers that omit it warning-free

  bool operator==(const Record&) const = default;
};

// The tenant whose chain a record with an empty `tenant` joins.
inline constexpr std::string_view kPlatformTenant = "_platform";

// One link of a tenant's audit chain as the store holds it (docs/AUDIT.md,
// "In the store").
struct ChainLink {
  // entry.stored: the record's stored form (sqlite/record_form.h) rebuilt
  // from its row as it is now, so an edited row no longer matches the hash;
  // absent when retention deleted the row, and entry.stored_digest is then
  // the digest the chain recorded. seq, prev_hash and hash as stored.
  audit::Entry entry;
  std::string record_id;
};

// Where one tenant's chain stands.
struct ChainSummary {
  std::string tenant;
  audit::ChainHead head;
  std::uint64_t checkpointed_seq = 0;  // the highest checkpointed seq; 0: none yet
};

// A page of one tenant's records, newest first (ids are time-ordered).
struct RecordQuery {
  std::string tenant;
  std::string kind;       // empty: every kind
  std::string before_id;  // the last id of the previous page; empty: the newest
  std::string id;         // only this record; empty: any
  std::size_t limit = 50;
};

// A record as listed: its metadata, never its content.
struct RecordSummary {
  std::string id;
  std::int64_t created_at_ms = 0;
  std::string kind;
  std::string payload;
  bool has_content = false;  // sealed content is stored (not none, purged or erased)
};

// What EraseSubject did.
struct SubjectErasure {
  std::string key_id;        // the key destroyed; empty: the subject had none
  std::int64_t records = 0;  // records whose content was removed
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
  // Only id, created_at_ms, kind and payload are filled in: content is
  // stored sealed (see ExportSubject).
  virtual core::Result<std::optional<Record>> Find(std::string_view id) = 0;

  // `query.tenant`'s records, newest first. Default: fails (kInternal).
  virtual core::Result<std::vector<RecordSummary>> List(const RecordQuery& query);

  // --- The audit chain (docs/AUDIT.md). AppendBatch adds every new record
  // to its tenant's chain in the same transaction. The methods below have
  // defaults that fail (kInternal) for stores without a chain (test fakes).

  // `tenant`'s links with seq > after_seq, in seq order, at most `limit`.
  virtual core::Result<std::vector<ChainLink>> ListChain(std::string_view tenant, std::uint64_t after_seq,
                                                         std::size_t limit);
  // `tenant`'s signed checkpoints, in seq order.
  virtual core::Result<std::vector<audit::Checkpoint>> Checkpoints(std::string_view tenant);
  // Every tenant that has a chain, by tenant id, with its head.
  virtual core::Result<std::vector<ChainSummary>> Chains();
  // Stores a checkpoint (AuditCheckpointer). One per (tenant, seq): storing
  // the same seq again keeps the first.
  virtual core::Status AddCheckpoint(const audit::Checkpoint& checkpoint);

  // --- Data subjects and retention. None of these touches the chain: it
  // commits to content digests, which stay, so the chain still verifies.

  // `subject`'s records in `tenant` (those sealed under, or naming, its key),
  // by creation time, each with its content opened (left empty once purged
  // or erased) and `subject` set. Empty when the subject has no key.
  virtual core::Result<std::vector<Record>> ExportSubject(std::string_view tenant, std::string_view subject);
  // Crypto-shreds `subject` in `tenant`: destroys its key and removes the
  // sealed content of its records (content = NULL; digest and key id stay),
  // in one transaction.
  virtual core::Result<SubjectErasure> EraseSubject(std::string_view tenant, std::string_view subject);
  // Removes the content (keeps the digest) of records created before
  // `cutoff_ms`, in `tenant`, or in every tenant when `tenant` is empty.
  // Returns how many records lost their content.
  virtual core::Result<std::int64_t> PurgeContentBefore(std::string_view tenant, std::int64_t cutoff_ms);
  // Deletes records of `kind` (every kind when empty) created before
  // `cutoff_ms`, in `tenant` (every tenant when empty). Their chain links
  // stay, carrying their digests. Returns how many rows were deleted.
  virtual core::Result<std::int64_t> PurgeRecordsBefore(std::string_view tenant, std::string_view kind,
                                                        std::int64_t cutoff_ms);
};

}  // namespace strata::store
