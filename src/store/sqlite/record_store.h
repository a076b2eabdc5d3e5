#pragma once

#include <map>
#include <string>

#include "audit/chain.h"
#include "store/record_store.h"

namespace strata::store::sqlite {

class Connection;
class Database;
class SqliteContentVault;

// RecordStore over inference_records (migration 1), with each tenant's audit
// chain in audit_chain and checkpoints in audit_checkpoints (migration 4).
// Thread-safe: calls are serialized on the Database's connection. Blocking.
class SqliteRecordStore final : public RecordStore {
 public:
  // `database` must outlive this object and be migrated to version >= 4.
  // `vault` seals content and names subjects' keys; without one (null),
  // AppendBatch refuses a record with content or a subject, and
  // ExportSubject and EraseSubject fail. It must outlive this object.
  explicit SqliteRecordStore(Database& database, SqliteContentVault* vault = nullptr)
      : database_(database), vault_(vault) {}

  // Besides the base contract: each record is stored with its tenant
  // (kPlatformTenant when empty), its content sealed (content_digest =
  // SHA-256 of the sealed bytes) and the id of its subject's key when it has
  // content or a subject; each NEW record gets the next entry of its
  // tenant's chain over its stored form (record_form.h), in the same
  // transaction. A record whose tenant is longer than audit::kMaxTenantBytes
  // fails the batch (kInvalidRequest).
  core::Status AppendBatch(std::span<const Record> records) override;
  core::Result<std::int64_t> Count() override;
  core::Result<std::optional<Record>> Find(std::string_view id) override;
  core::Result<std::vector<RecordSummary>> List(const RecordQuery& query) override;

  core::Result<std::vector<ChainLink>> ListChain(std::string_view tenant, std::uint64_t after_seq,
                                                 std::size_t limit) override;
  core::Result<std::vector<audit::Checkpoint>> Checkpoints(std::string_view tenant) override;
  core::Result<std::vector<ChainSummary>> Chains() override;
  core::Status AddCheckpoint(const audit::Checkpoint& checkpoint) override;

  core::Result<std::vector<Record>> ExportSubject(std::string_view tenant, std::string_view subject) override;
  core::Result<SubjectErasure> EraseSubject(std::string_view tenant, std::string_view subject) override;
  core::Result<std::int64_t> PurgeContentBefore(std::string_view tenant, std::int64_t cutoff_ms) override;
  core::Result<std::int64_t> PurgeRecordsBefore(std::string_view tenant, std::string_view kind,
                                                std::int64_t cutoff_ms) override;

  // Records with a tenant (written since migration 4) that no chain entry
  // covers: a row inserted behind the store's back. The first such record's
  // id, or nullopt when every record is chained.
  core::Result<std::optional<std::string>> FindUnchainedRecord(std::string_view tenant);

 private:
  // `tenant`'s head: from heads_, else read from audit_chain (seq 0 and the
  // genesis hash for a new chain).
  core::Result<audit::ChainHead*> Head(Connection& connection, std::string_view tenant);

  Database& database_;
  SqliteContentVault* vault_;
  // Each tenant's chain head as last committed. Guarded by the Database's
  // connection lock (only touched while AppendBatch holds it); cleared when a
  // batch does not commit, so that the next one reads the heads back. One
  // writer per database is the design; should another one append links
  // meanwhile, the next batch here fails once on the (tenant, seq) key, drops
  // these heads and succeeds when retried.
  std::map<std::string, audit::ChainHead, std::less<>> heads_;
};

}  // namespace strata::store::sqlite
