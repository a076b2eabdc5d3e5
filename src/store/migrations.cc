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
    Migration{
        2,
        "create governance tables",
        // Tenants and what lives in them (docs/IDENTITY.md), and the daily
        // spend rollup. Empty references are stored as NULL so that foreign
        // keys and UNIQUE constraints ignore them. Deleting a tenant cascades
        // to everything in it. governance_version is bumped by every write
        // to these tables (not spend), in the same transaction, so a snapshot
        // reader polling it sees every change.
        R"sql(
CREATE TABLE governance_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL
);
INSERT INTO governance_version(id, version) VALUES (1, 0);

CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  metadata_json TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE teams (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  metadata_json TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  UNIQUE (tenant_id, name)
);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  tenant_id TEXT REFERENCES tenants(id) ON DELETE CASCADE,
  team_id TEXT REFERENCES teams(id) ON DELETE SET NULL,
  kind TEXT NOT NULL CHECK (kind IN ('user', 'service')),
  email TEXT COLLATE NOCASE UNIQUE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  oidc_issuer TEXT,
  oidc_subject TEXT,
  created_at_ms INTEGER NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  UNIQUE (oidc_issuer, oidc_subject)
);
CREATE INDEX users_by_tenant ON users(tenant_id, id);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  tenant_id TEXT REFERENCES tenants(id) ON DELETE CASCADE,
  team_id TEXT REFERENCES teams(id) ON DELETE CASCADE,
  owner_id TEXT REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  digest_hex TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  allowed_models TEXT NOT NULL,
  metadata_json TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL DEFAULT 0,
  revoked_at_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_keys_by_tenant ON api_keys(tenant_id, id);
CREATE INDEX api_keys_by_team ON api_keys(team_id);
CREATE INDEX api_keys_by_owner ON api_keys(owner_id);
-- A name is taken only while its key is live: revoking frees it.
CREATE UNIQUE INDEX api_keys_live_name ON api_keys(COALESCE(tenant_id, ''), name) WHERE revoked_at_ms = 0;

CREATE TABLE rate_limits (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  scope_type TEXT NOT NULL CHECK (scope_type IN ('tenant', 'team', 'key')),
  scope_id TEXT NOT NULL,
  requests_per_minute INTEGER NOT NULL,
  tokens_per_minute INTEGER NOT NULL,
  max_concurrent INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  UNIQUE (scope_type, scope_id)
);
CREATE INDEX rate_limits_by_tenant ON rate_limits(tenant_id, id);

CREATE TABLE budgets (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  scope_type TEXT NOT NULL CHECK (scope_type IN ('tenant', 'team', 'key')),
  scope_id TEXT NOT NULL,
  period TEXT NOT NULL CHECK (period IN ('day', 'month')),
  limit_nano_usd INTEGER NOT NULL,
  soft_ratio REAL NOT NULL,
  created_at_ms INTEGER NOT NULL,
  UNIQUE (scope_type, scope_id, period)
);
CREATE INDEX budgets_by_tenant ON budgets(tenant_id, id);

-- No foreign keys: the record path must never fail because a tenant, team or
-- key went away meanwhile. Empty team or key ids are '' (part of the key).
CREATE TABLE spend_daily (
  tenant_id TEXT NOT NULL,
  team_id TEXT NOT NULL,
  key_id TEXT NOT NULL,
  model TEXT NOT NULL,
  day TEXT NOT NULL,
  requests INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cost_nano_usd INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, team_id, key_id, model, day)
) WITHOUT ROWID;
CREATE INDEX spend_daily_by_day ON spend_daily(day);
CREATE INDEX spend_daily_by_team ON spend_daily(team_id, day);
CREATE INDEX spend_daily_by_key ON spend_daily(key_id, day);
)sql",
    },
    Migration{
        3,
        "create console sessions and pending logins",
        // Console sign-in (docs/ADMIN_API.md, "Console sessions"). Secrets are
        // kept only as SHA-256 digests: a session under the digest of its id,
        // an OIDC login in progress under the digest of the browser's handle,
        // its state/nonce/verifier sealed under a key derived from that handle.
        // A user's sessions go with the user (and so with its tenant).
        R"sql(
CREATE TABLE console_sessions (
  id_digest TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  method TEXT NOT NULL CHECK (method IN ('password', 'oidc')),
  credential_digest TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  last_seen_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX console_sessions_by_user ON console_sessions(user_id);
CREATE INDEX console_sessions_by_expiry ON console_sessions(expires_at_ms);

CREATE TABLE oidc_pending_logins (
  handle_digest TEXT PRIMARY KEY,
  sealed TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX oidc_pending_logins_by_expiry ON oidc_pending_logins(expires_at_ms);
)sql",
    },
    Migration{
        4,
        "audit chain, content encryption and retention",
        // docs/AUDIT.md. Every record joins its tenant's hash chain
        // (audit_chain) in the transaction that writes it. Content is sealed
        // under its data subject's key (subject_keys, each wrapped by the
        // node's master key); erasing a subject deletes its key row, so its
        // sealed content can never be opened again, and purges the content
        // too. content_digest stays: the chain commits to it, so a record whose
        // content is gone still verifies. No foreign keys, as for spend: the
        // record path never fails on a tenant deleted meanwhile.
        R"sql(
ALTER TABLE inference_records ADD COLUMN tenant_id TEXT NOT NULL DEFAULT '';
ALTER TABLE inference_records ADD COLUMN content BLOB;
ALTER TABLE inference_records ADD COLUMN content_digest BLOB;
ALTER TABLE inference_records ADD COLUMN content_key_id TEXT;
CREATE INDEX inference_records_by_tenant ON inference_records(tenant_id, created_at_ms);
CREATE INDEX inference_records_by_content_key ON inference_records(content_key_id) WHERE content_key_id IS NOT NULL;

CREATE TABLE audit_chain (
  tenant_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  record_id TEXT NOT NULL UNIQUE,
  stored_digest BLOB NOT NULL,
  prev_hash BLOB NOT NULL,
  hash BLOB NOT NULL,
  PRIMARY KEY (tenant_id, seq)
) WITHOUT ROWID;

CREATE TABLE audit_checkpoints (
  tenant_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  hash BLOB NOT NULL,
  time_ms INTEGER NOT NULL,
  public_key BLOB NOT NULL,
  signature BLOB NOT NULL,
  PRIMARY KEY (tenant_id, seq)
) WITHOUT ROWID;

CREATE TABLE subject_keys (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  wrapped_key BLOB NOT NULL,
  created_at_ms INTEGER NOT NULL,
  UNIQUE (tenant_id, subject)
);

-- Retention per tenant and kind of data; '' is every tenant's default.
CREATE TABLE retention_rules (
  tenant_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('content', 'metadata', 'audit', 'reviews', 'feedback')),
  days INTEGER NOT NULL CHECK (days >= 1),
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, kind)
) WITHOUT ROWID;

CREATE TABLE retention_runs (
  id TEXT PRIMARY KEY,
  started_at_ms INTEGER NOT NULL,
  finished_at_ms INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
  purged_json TEXT NOT NULL,
  error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX retention_runs_by_start ON retention_runs(started_at_ms);
)sql",
    },
    Migration{
        5,
        "policies, reviews and feedback",
        // docs/POLICY.md and docs/REVIEW.md. Policy documents are versioned per
        // scope ('' is platform-wide); the highest version of a scope is the
        // one in force. A review's held answer is sealed like inference content.
        R"sql(
CREATE TABLE policy_versions (
  tenant_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  source TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  PRIMARY KEY (tenant_id, version)
) WITHOUT ROWID;

CREATE TABLE reviews (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  key_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('blocking', 'queued')),
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
  decision_record TEXT NOT NULL,
  redacted_exchange TEXT NOT NULL,
  held_answer BLOB,
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  decided_at_ms INTEGER NOT NULL DEFAULT 0,
  reviewer_id TEXT NOT NULL DEFAULT '',
  justification TEXT NOT NULL DEFAULT ''
);
CREATE INDEX reviews_by_status ON reviews(tenant_id, status, created_at_ms);
CREATE INDEX reviews_by_subject ON reviews(tenant_id, subject);

CREATE TABLE feedback (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  key_id TEXT NOT NULL,
  score REAL NOT NULL,
  comment TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
);
CREATE INDEX feedback_by_request ON feedback(tenant_id, request_id);
CREATE INDEX feedback_by_created ON feedback(created_at_ms);
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
