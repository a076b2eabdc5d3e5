#include "store/sqlite/record_store.h"

#include <map>
#include <string>
#include <tuple>

#include "store/sqlite/database.h"
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

}  // namespace

core::Status SqliteRecordStore::AppendBatch(std::span<const Record> records) {
  if (records.empty()) {
    return {};
  }
  SpendGroups spend;
  Connection connection = database_.Lock();
  core::Result<Transaction> transaction = connection.Begin();
  if (!transaction) {
    return transaction.error();
  }
  {
    // ON CONFLICT(id) DO NOTHING, not INSERT OR IGNORE: only a duplicate id is
    // skipped; a NOT NULL violation is still an error.
    core::Result<Statement> insert = connection.Prepare(
        "INSERT INTO inference_records(id, created_at_ms, kind, payload) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(id) DO NOTHING");
    if (!insert) {
      return insert.error();
    }
    for (const Record& record : records) {
      insert->Reset();
      core::Status inserted =
          insert->Bind(1, record.id).Bind(2, record.created_at_ms).Bind(3, record.kind).Bind(4, record.payload).Run();
      if (!inserted) {
        return inserted.error();  // the transaction rolls back: none of the batch is written
      }
      // Only a record that was actually inserted counts: a retried batch's
      // stored records changed nothing (changes() == 0), so their spend was
      // already added when they were first written.
      if (record.spend && connection.changes() == 1) AddUp(spend, *record.spend);
    }
  }
  // One upsert per (tenant, team, key, model, day) of the batch, not one per
  // record: a busy key's batch is one row of the rollup.
  for (const auto& [group, row] : spend) {
    if (core::Status added = UpsertSpend(connection, row); !added) return added.error();
  }
  return transaction->Commit();
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

}  // namespace strata::store::sqlite
