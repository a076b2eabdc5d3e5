#include "store/sqlite/record_store.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <tuple>

#include "audit/digest.h"
#include "audit/framing.h"
#include "store/sqlite/content_vault.h"
#include "store/sqlite/database.h"
#include "store/sqlite/governance_sql.h"
#include "store/sqlite/record_form.h"
#include "store/sqlite/spend.h"

namespace strata::store::sqlite {

namespace {

using SpendGroups = std::map<std::tuple<std::string, std::string, std::string, std::string, std::string>, SpendRow>;

void AddUp(SpendGroups& groups, const SpendRow& row) {
  auto [entry, added] = groups.try_emplace({row.tenant_id, row.team_id, row.key_id, row.model, row.day}, row);
  if (added) return;
  SpendRow& sum = entry->second;
  sum.requests += row.requests;
  sum.input_tokens += row.input_tokens;
  sum.output_tokens += row.output_tokens;
  sum.cost_nano_usd += row.cost_nano_usd;
}

// A fixed-size column (digest, key, signature) as read back. A value of the
// wrong size (only a hand-edited row has one) is kept as far as it goes,
// zero-padded: it then fails to verify rather than failing the read.
template <std::size_t N>
std::array<std::uint8_t, N> FixedColumn(const Statement& statement, int column) {
  std::array<std::uint8_t, N> value{};
  const std::string bytes = statement.ColumnBlob(column);
  std::memcpy(value.data(), bytes.data(), std::min(bytes.size(), N));
  return value;
}

audit::Digest DigestColumn(const Statement& statement, int column) { return FixedColumn<32>(statement, column); }

// Runs `on_failure` unless dismissed: an early return from a transaction.
template <class F>
class UnlessCommitted {
 public:
  explicit UnlessCommitted(F on_failure) : on_failure_(std::move(on_failure)) {}
  ~UnlessCommitted() {
    if (!committed_) on_failure_();
  }
  void Committed() { committed_ = true; }

 private:
  F on_failure_;
  bool committed_ = false;
};

core::Error NoVault() { return core::Error::Internal("store: content needs a content vault, and none is configured"); }

}  // namespace

core::Result<audit::ChainHead*> SqliteRecordStore::Head(Connection& connection, std::string_view tenant) {
  if (auto cached = heads_.find(tenant); cached != heads_.end()) return &cached->second;
  core::Result<Statement> select =
      connection.Prepare("SELECT seq, hash FROM audit_chain WHERE tenant_id = ? ORDER BY seq DESC LIMIT 1");
  if (!select) return select.error();
  core::Result<bool> row = select->Bind(1, tenant).Step();
  if (!row) return row.error();
  audit::ChainHead head{.seq = 0, .hash = audit::kGenesisHash};
  if (*row) head = {.seq = static_cast<std::uint64_t>(select->ColumnInt64(0)), .hash = DigestColumn(*select, 1)};
  return &heads_.emplace(std::string(tenant), head).first->second;
}

core::Status SqliteRecordStore::AppendBatch(std::span<const Record> records) {
  if (records.empty()) {
    return {};
  }
  SpendGroups spend;
  Connection connection = database_.Lock();
  // Whatever this batch cached (chain heads it advanced, keys it created)
  // may be rolled back with it: forget it all, the next batch reads it back.
  UnlessCommitted forget([this] {
    heads_.clear();
    if (vault_ != nullptr) vault_->ForgetAll();
  });
  core::Result<Transaction> transaction = connection.Begin();
  if (!transaction) {
    return transaction.error();
  }
  {
    // ON CONFLICT(id) DO NOTHING, not INSERT OR IGNORE: only a duplicate id is
    // skipped; a NOT NULL violation is still an error.
    core::Result<Statement> insert = connection.Prepare(
        "INSERT INTO inference_records(id, created_at_ms, kind, payload, tenant_id, content, content_digest, "
        "content_key_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING");
    if (!insert) {
      return insert.error();
    }
    core::Result<Statement> link = connection.Prepare(
        "INSERT INTO audit_chain(tenant_id, seq, record_id, stored_digest, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    if (!link) {
      return link.error();
    }
    std::string stored_form;  // one buffer for the batch
    for (const Record& record : records) {
      const std::string_view tenant = record.tenant.empty() ? kPlatformTenant : std::string_view(record.tenant);
      if (core::Status valid = audit::CheckTenant(tenant); !valid) {
        return core::Error::InvalidRequest("record " + record.id + ": " + valid.error().message());
      }
      std::string key_id;
      std::optional<std::string> sealed;
      audit::Digest content_digest{};
      if (record.content || !record.subject.empty()) {
        if (vault_ == nullptr) return NoVault();
        core::Result<std::string> id = vault_->KeyIdLocked(connection, tenant, record.subject);
        if (!id) return id.error();
        key_id = std::move(*id);
        if (record.content) {
          core::Result<std::string> box = vault_->SealLocked(connection, tenant, key_id, *record.content);
          if (!box) return box.error();
          sealed = std::move(*box);
          content_digest = audit::Sha256(*sealed);
        }
      }
      insert->Reset();
      insert->Bind(1, record.id).Bind(2, record.created_at_ms).Bind(3, record.kind).Bind(4, record.payload);
      insert->Bind(5, tenant);
      if (sealed) {
        insert->BindBlob(6, *sealed).BindBlob(7, audit::AsBytes(content_digest));
      } else {
        insert->BindNull(6).BindNull(7);
      }
      if (key_id.empty()) {
        insert->BindNull(8);
      } else {
        insert->Bind(8, key_id);
      }
      if (core::Status inserted = insert->Run(); !inserted) {
        return inserted.error();  // the transaction rolls back: none of the batch is written
      }
      // Only a record that was actually inserted counts: a retried batch's
      // stored records changed nothing (changes() == 0); their spend was
      // added and their chain entry written when they were first stored.
      if (connection.changes() != 1) continue;
      if (record.spend) AddUp(spend, *record.spend);

      core::Result<audit::ChainHead*> head = Head(connection, tenant);
      if (!head) return head.error();
      stored_form.clear();
      AppendRecordStoredForm(stored_form, {
                                              .id = record.id,
                                              .created_at_ms = record.created_at_ms,
                                              .kind = record.kind,
                                              .tenant = tenant,
                                              .payload = record.payload,
                                              .content_key_id = key_id,
                                              .content_digest = content_digest,
                                          });
      const audit::Digest stored_digest = audit::Sha256(stored_form);
      audit::ChainHead& last = **head;
      const audit::ChainHead next{.seq = last.seq + 1,
                                  .hash = audit::EntryHash(tenant, last.seq + 1, last.hash, stored_digest)};
      link->Reset();
      core::Status linked = link->Bind(1, tenant)
                                .Bind(2, static_cast<std::int64_t>(next.seq))
                                .Bind(3, record.id)
                                .BindBlob(4, audit::AsBytes(stored_digest))
                                .BindBlob(5, audit::AsBytes(last.hash))
                                .BindBlob(6, audit::AsBytes(next.hash))
                                .Run();
      if (!linked) return linked.error();
      last = next;
    }
  }
  // One upsert per (tenant, team, key, model, day) of the batch, not one per
  // record: a busy key's batch is one row of the rollup.
  for (const auto& [group, row] : spend) {
    if (core::Status added = UpsertSpend(connection, row); !added) return added.error();
  }
  core::Status committed = transaction->Commit();
  if (committed) forget.Committed();
  return committed;
}

core::Result<std::int64_t> SqliteRecordStore::Count() {
  Connection connection = database_.Lock();
  core::Result<Statement> select = connection.Prepare("SELECT COUNT(*) FROM inference_records");
  if (!select) {
    return select.error();
  }
  core::Result<bool> row = select->Step();
  if (!row) {
    return row.error();
  }
  return select->ColumnInt64(0);
}

core::Result<std::optional<Record>> SqliteRecordStore::Find(std::string_view id) {
  Connection connection = database_.Lock();
  core::Result<Statement> select =
      connection.Prepare("SELECT id, created_at_ms, kind, payload FROM inference_records WHERE id = ?");
  if (!select) {
    return select.error();
  }
  core::Result<bool> row = select->Bind(1, id).Step();
  if (!row) {
    return row.error();
  }
  if (!*row) {
    return std::optional<Record>();
  }
  return std::optional<Record>(Record{
      .id = select->ColumnText(0),
      .created_at_ms = select->ColumnInt64(1),
      .kind = select->ColumnText(2),
      .payload = select->ColumnText(3),
  });
}

core::Result<std::vector<RecordSummary>> SqliteRecordStore::List(const RecordQuery& query) {
  Connection connection = database_.Lock();
  core::Result<Statement> select = connection.Prepare(
      "SELECT id, created_at_ms, kind, payload, content IS NOT NULL FROM inference_records "
      "WHERE tenant_id = ?1 AND (?2 = '' OR kind = ?2) AND (?3 = '' OR id < ?3) AND (?5 = '' OR id = ?5) "
      "ORDER BY id DESC LIMIT ?4");
  if (!select) return select.error();
  select->Bind(1, query.tenant).Bind(2, query.kind).Bind(3, query.before_id).Bind(4, static_cast<std::int64_t>(query.limit));
  select->Bind(5, query.id);
  return governance_sql::ReadRows(*select, [](const Statement& row) {
    return RecordSummary{.id = row.ColumnText(0),
                         .created_at_ms = row.ColumnInt64(1),
                         .kind = row.ColumnText(2),
                         .payload = row.ColumnText(3),
                         .has_content = row.ColumnInt64(4) != 0};
  });
}

// --- The chain, read back. ---

core::Result<std::vector<ChainLink>> SqliteRecordStore::ListChain(std::string_view tenant, std::uint64_t after_seq,
                                                                  std::size_t limit) {
  Connection connection = database_.Lock();
  core::Result<Statement> select = connection.Prepare(
      "SELECT c.seq, c.record_id, c.stored_digest, c.prev_hash, c.hash, r.id IS NOT NULL, r.created_at_ms, "
      "r.kind, r.tenant_id, r.payload, r.content_key_id, r.content_digest "
      "FROM audit_chain c LEFT JOIN inference_records r ON r.id = c.record_id "
      "WHERE c.tenant_id = ? AND c.seq > ? ORDER BY c.seq LIMIT ?");
  if (!select) return select.error();
  select->Bind(1, tenant)
      .Bind(2, static_cast<std::int64_t>(std::min<std::uint64_t>(after_seq, INT64_MAX)))
      .Bind(3, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
  std::vector<ChainLink> links;
  for (;;) {
    core::Result<bool> row = select->Step();
    if (!row) return row.error();
    if (!*row) break;
    ChainLink link;
    link.entry.tenant = std::string(tenant);
    link.entry.seq = static_cast<std::uint64_t>(select->ColumnInt64(0));
    link.record_id = select->ColumnText(1);
    link.entry.stored_digest = DigestColumn(*select, 2);
    link.entry.prev_hash = DigestColumn(*select, 3);
    link.entry.hash = DigestColumn(*select, 4);
    if (select->ColumnInt64(5) != 0) {
      const std::string kind = select->ColumnText(7);
      const std::string row_tenant = select->ColumnText(8);
      const std::string payload = select->ColumnText(9);
      const std::string key_id = select->ColumnText(10);
      link.entry.stored = RecordStoredForm({
          .id = link.record_id,
          .created_at_ms = select->ColumnInt64(6),
          .kind = kind,
          .tenant = row_tenant,
          .payload = payload,
          .content_key_id = key_id,
          .content_digest = DigestColumn(*select, 11),
      });
    }
    links.push_back(std::move(link));
  }
  return links;
}

core::Result<std::vector<audit::Checkpoint>> SqliteRecordStore::Checkpoints(std::string_view tenant) {
  Connection connection = database_.Lock();
  core::Result<Statement> select = connection.Prepare(
      "SELECT seq, hash, time_ms, public_key, signature FROM audit_checkpoints WHERE tenant_id = ? ORDER BY seq");
  if (!select) return select.error();
  select->Bind(1, tenant);
  return governance_sql::ReadRows(*select, [tenant](const Statement& row) {
    return audit::Checkpoint{.tenant = std::string(tenant),
                             .seq = static_cast<std::uint64_t>(row.ColumnInt64(0)),
                             .hash = DigestColumn(row, 1),
                             .time_ms = row.ColumnInt64(2),
                             .key = FixedColumn<std::tuple_size_v<audit::PublicKey>>(row, 3),
                             .signature = FixedColumn<std::tuple_size_v<audit::Signature>>(row, 4)};
  });
}

core::Result<std::vector<ChainSummary>> SqliteRecordStore::Chains() {
  Connection connection = database_.Lock();
  // A skip scan over the primary key: one probe per tenant, not a scan of
  // every link (GROUP BY would read them all).
  core::Result<Statement> next_tenant =
      connection.Prepare("SELECT tenant_id FROM audit_chain WHERE tenant_id > ? ORDER BY tenant_id LIMIT 1");
  if (!next_tenant) return next_tenant.error();
  core::Result<Statement> head = connection.Prepare(
      "SELECT seq, hash, (SELECT COALESCE(MAX(k.seq), 0) FROM audit_checkpoints k WHERE k.tenant_id = ?1) "
      "FROM audit_chain WHERE tenant_id = ?1 ORDER BY seq DESC LIMIT 1");
  if (!head) return head.error();
  std::vector<ChainSummary> chains;
  std::string after;
  for (;;) {
    next_tenant->Reset();
    core::Result<bool> found = next_tenant->Bind(1, after).Step();
    if (!found) return found.error();
    if (!*found) break;
    after = next_tenant->ColumnText(0);
    head->Reset();
    core::Result<bool> row = head->Bind(1, after).Step();
    if (!row) return row.error();
    if (!*row) continue;
    chains.push_back({.tenant = after,
                      .head = {.seq = static_cast<std::uint64_t>(head->ColumnInt64(0)), .hash = DigestColumn(*head, 1)},
                      .checkpointed_seq = static_cast<std::uint64_t>(head->ColumnInt64(2))});
  }
  return chains;
}

core::Status SqliteRecordStore::AddCheckpoint(const audit::Checkpoint& checkpoint) {
  Connection connection = database_.Lock();
  core::Result<Statement> insert = connection.Prepare(
      "INSERT INTO audit_checkpoints(tenant_id, seq, hash, time_ms, public_key, signature) VALUES (?, ?, ?, ?, ?, ?) "
      "ON CONFLICT(tenant_id, seq) DO NOTHING");
  if (!insert) return insert.error();
  return insert->Bind(1, checkpoint.tenant)
      .Bind(2, static_cast<std::int64_t>(checkpoint.seq))
      .BindBlob(3, audit::AsBytes(checkpoint.hash))
      .Bind(4, checkpoint.time_ms)
      .BindBlob(5, audit::AsBytes(checkpoint.key))
      .BindBlob(6, audit::AsBytes(checkpoint.signature))
      .Run();
}

core::Result<std::optional<std::string>> SqliteRecordStore::FindUnchainedRecord(std::string_view tenant) {
  Connection connection = database_.Lock();
  core::Result<Statement> select = connection.Prepare(
      "SELECT r.id FROM inference_records r WHERE r.tenant_id = ? "
      "AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.record_id = r.id AND c.tenant_id = r.tenant_id) LIMIT 1");
  if (!select) return select.error();
  core::Result<bool> row = select->Bind(1, tenant).Step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(select->ColumnText(0));
}

// --- Data subjects and retention. ---

core::Result<std::vector<Record>> SqliteRecordStore::ExportSubject(std::string_view tenant, std::string_view subject) {
  if (vault_ == nullptr) return NoVault();
  Connection connection = database_.Lock();
  core::Result<std::optional<std::string>> key_id = vault_->FindKeyIdLocked(connection, tenant, subject);
  if (!key_id) return key_id.error();
  std::vector<Record> records;
  if (!*key_id) return records;
  core::Result<Statement> select = connection.Prepare(
      "SELECT id, created_at_ms, kind, payload, content FROM inference_records "
      "WHERE content_key_id = ? AND tenant_id = ? ORDER BY created_at_ms, id");
  if (!select) return select.error();
  select->Bind(1, **key_id).Bind(2, tenant);
  for (;;) {
    core::Result<bool> row = select->Step();
    if (!row) return row.error();
    if (!*row) break;
    Record record{.id = select->ColumnText(0),
                  .created_at_ms = select->ColumnInt64(1),
                  .kind = select->ColumnText(2),
                  .payload = select->ColumnText(3),
                  .tenant = std::string(tenant),
                  .subject = std::string(subject)};
    if (!select->ColumnIsNull(4)) {
      core::Result<std::string> opened = vault_->OpenLocked(connection, tenant, select->ColumnBlob(4));
      if (!opened) return opened.error();
      record.content = std::move(*opened);
    }
    records.push_back(std::move(record));
  }
  return records;
}

namespace {

// After an erasure or a purge: the pages as they were before may still be in
// the write-ahead log; a truncating checkpoint writes the zeroed pages back
// and empties it. Best effort: a busy reader leaves the old frames until the
// next checkpoint, and the next erasure or purge tries again.
void DropOldPageImages(Connection& connection) { (void)connection.Execute("PRAGMA wal_checkpoint(TRUNCATE)"); }

}  // namespace

core::Result<SubjectErasure> SqliteRecordStore::EraseSubject(std::string_view tenant, std::string_view subject) {
  if (vault_ == nullptr) return NoVault();
  Connection connection = database_.Lock();
  core::Result<Transaction> transaction = connection.Begin();
  if (!transaction) return transaction.error();
  core::Result<std::string> key_id = vault_->EraseSubjectLocked(connection, tenant, subject);
  if (!key_id) return key_id.error();
  SubjectErasure erasure{.key_id = std::move(*key_id)};
  if (!erasure.key_id.empty()) {
    core::Result<Statement> update = connection.Prepare(
        "UPDATE inference_records SET content = NULL WHERE content_key_id = ? AND tenant_id = ?");
    if (!update) return update.error();
    if (core::Status updated = update->Bind(1, erasure.key_id).Bind(2, tenant).Run(); !updated) {
      return updated.error();
    }
    erasure.records = connection.changes();
  }
  if (core::Status committed = transaction->Commit(); !committed) return committed.error();
  DropOldPageImages(connection);
  return erasure;
}

core::Result<std::int64_t> SqliteRecordStore::PurgeContentBefore(std::string_view tenant, std::int64_t cutoff_ms) {
  Connection connection = database_.Lock();
  core::Result<Statement> update =
      tenant.empty() ? connection.Prepare(
                           "UPDATE inference_records SET content = NULL WHERE content IS NOT NULL AND created_at_ms < ?")
                     : connection.Prepare(
                           "UPDATE inference_records SET content = NULL "
                           "WHERE content IS NOT NULL AND created_at_ms < ? AND tenant_id = ?");
  if (!update) return update.error();
  update->Bind(1, cutoff_ms);
  if (!tenant.empty()) update->Bind(2, tenant);
  if (core::Status updated = update->Run(); !updated) return updated.error();
  const std::int64_t purged = connection.changes();
  if (purged > 0) DropOldPageImages(connection);
  return purged;
}

core::Result<std::int64_t> SqliteRecordStore::PurgeRecordsBefore(std::string_view tenant, std::string_view kind,
                                                                 std::int64_t cutoff_ms) {
  Connection connection = database_.Lock();
  core::Result<Statement> remove = connection.Prepare(
      "DELETE FROM inference_records WHERE created_at_ms < ?1 AND (?2 = '' OR tenant_id = ?2) "
      "AND (?3 = '' OR kind = ?3)");
  if (!remove) return remove.error();
  if (core::Status removed = remove->Bind(1, cutoff_ms).Bind(2, tenant).Bind(3, kind).Run(); !removed) {
    return removed.error();
  }
  const std::int64_t purged = connection.changes();
  if (purged > 0) DropOldPageImages(connection);
  return purged;
}

}  // namespace strata::store::sqlite
