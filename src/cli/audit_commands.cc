// `strata audit keygen`, `verify` and `export`: the offline side of the
// tamper-evident audit log (docs/AUDIT.md). Verifying an export needs no
// server and no database, only the export and the public keys the operator
// trusts; `verify --data-dir` and `export` read a stopped (or running) node's
// database directly and never write to it.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/digest.h"
#include "audit/export.h"
#include "audit/signing_key.h"
#include "audit/verifier.h"
#include "cli/commands.h"
#include "store/audit_checkpointer.h"
#include "store/migrations.h"
#include "store/sqlite/database.h"
#include "store/sqlite/record_store.h"

namespace strata::cli {
namespace {

// Exit statuses of `audit verify`, documented in docs/AUDIT.md.
constexpr int kVerified = 0;
constexpr int kBroken = 1;
constexpr int kCannotVerify = 2;

// Chain links read per query while walking a database.
constexpr std::size_t kPageSize = 1024;

struct VerifyArgs {
  std::string export_path;
  std::string data_dir;           // verify the database there instead of an export
  std::string tenant;             // with data_dir: only this tenant's chain
  std::vector<std::string> keys;  // base64 Ed25519 public keys
  std::string keys_file;          // one base64 key per line
};

std::optional<audit::PublicKey> DecodePublicKey(std::string_view text) {
  const std::optional<std::string> bytes = audit::Base64Decode(text);
  if (!bytes || bytes->size() != audit::PublicKey{}.size()) return std::nullopt;
  audit::PublicKey key;
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return key;
}

// The trusted keys from --key and --keys-file; an unreadable file or a key
// that is not 32 bytes of base64 is an error, not a smaller trust set.
std::optional<std::vector<audit::PublicKey>> TrustedKeys(const VerifyArgs& args) {
  std::vector<std::string> texts = args.keys;
  if (!args.keys_file.empty()) {
    std::ifstream file(args.keys_file);
    if (!file) {
      std::cerr << "strata audit verify: cannot read the keys file " << args.keys_file << '\n';
      return std::nullopt;
    }
    for (std::string line; std::getline(file, line);) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (!line.empty() && line.front() != '#') texts.push_back(line);
    }
  }
  std::vector<audit::PublicKey> keys;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const std::optional<audit::PublicKey> key = DecodePublicKey(texts[i]);
    if (!key) {
      std::cerr << "strata audit verify: trusted key " << i + 1 << " is not a base64 Ed25519 public key (32 bytes)\n";
      return std::nullopt;
    }
    keys.push_back(*key);
  }
  return keys;
}

int Verify(const VerifyArgs& args) {
  const std::optional<std::vector<audit::PublicKey>> keys = TrustedKeys(args);
  if (!keys) return kCannotVerify;
  std::ifstream in(args.export_path, std::ios::binary);
  if (!in) {
    std::cerr << "strata audit verify: cannot read " << args.export_path << '\n';
    return kCannotVerify;
  }
  const audit::ExportVerification result = audit::VerifyExport(in, *keys);
  if (result.malformed) {
    std::cout << "malformed: line " << result.malformed->line << ": " << result.malformed->message << '\n';
    return kBroken;
  }
  if (const std::optional<audit::ChainBreak>& broken = result.report.first_break) {
    std::cout << "broken: line " << broken->position << ": " << audit::BreakKindName(broken->kind) << ", tenant "
              << broken->tenant << ", seq " << broken->seq << ": " << broken->message << '\n';
    return kBroken;
  }
  std::cout << "verified: " << result.report.entries << " entries, " << result.report.checkpoints
            << " checkpoints, " << result.report.heads.size() << " tenants\n";
  for (const auto& [tenant, head] : result.report.heads) {
    std::cout << "  " << tenant << ": seq " << head.seq << ", head " << audit::ToHex(head.hash) << '\n';
  }
  return kVerified;
}

// The database under `data_dir`, opened for reading: it must exist and carry
// the audit chain (schema version 4 or later). Nothing is migrated or created.
core::Result<std::unique_ptr<store::sqlite::Database>> OpenDatabase(const std::string& data_dir) {
  const std::string path = (std::filesystem::path(data_dir) / "strata.db").string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return core::Error::NotFound("no database at " + path);
  }
  core::Result<std::unique_ptr<store::sqlite::Database>> database = store::sqlite::Database::Open(path);
  if (!database) return database.error();
  core::Result<int> version = store::SchemaVersion(**database);
  if (!version) return version.error();
  if (*version < 4) {
    return core::Error::InvalidRequest("the database at " + path + " predates the audit chain (schema version " +
                                       std::to_string(*version) + "); start this version of strata on it once");
  }
  return database;
}

// The tenants to walk: `only`, or every tenant with a chain.
core::Result<std::vector<std::string>> TenantsToWalk(store::RecordStore& records, const std::string& only) {
  if (!only.empty()) return std::vector<std::string>{only};
  core::Result<std::vector<store::ChainSummary>> chains = records.Chains();
  if (!chains) return chains.error();
  std::vector<std::string> tenants;
  for (const store::ChainSummary& chain : *chains) tenants.push_back(chain.tenant);
  return tenants;
}

// Calls `visit` with each of `tenant`'s links in seq order, a page at a
// time; then returns the tenant's checkpoints.
template <class Visit>
core::Result<std::vector<audit::Checkpoint>> WalkChain(store::RecordStore& records, const std::string& tenant,
                                                       Visit visit) {
  std::uint64_t after = 0;
  for (;;) {
    core::Result<std::vector<store::ChainLink>> page = records.ListChain(tenant, after, kPageSize);
    if (!page) return page.error();
    for (store::ChainLink& link : *page) visit(link);
    if (page->size() < kPageSize) return records.Checkpoints(tenant);
    after = page->back().entry.seq;
  }
}

// `strata audit <command>` could not do its work: says why, on stderr.
int CannotVerify(std::string_view command, std::string_view why) {
  std::cerr << "strata audit " << command << ": " << why << '\n';
  return kCannotVerify;
}

// The database of `data_dir` opened for reading, and the tenants to walk.
struct Chains {
  std::unique_ptr<store::sqlite::Database> database;
  std::unique_ptr<store::sqlite::SqliteRecordStore> records;
  std::vector<std::string> tenants;
};

core::Result<Chains> OpenChains(const std::string& data_dir, const std::string& only_tenant) {
  core::Result<std::unique_ptr<store::sqlite::Database>> database = OpenDatabase(data_dir);
  if (!database) return database.error();
  Chains chains{.database = std::move(*database)};
  chains.records = std::make_unique<store::sqlite::SqliteRecordStore>(*chains.database);
  core::Result<std::vector<std::string>> tenants = TenantsToWalk(*chains.records, only_tenant);
  if (!tenants) return tenants.error();
  chains.tenants = std::move(*tenants);
  return chains;
}

// The keys checkpoints are checked against: --key/--keys-file when given,
// else the public half of the node's own key in data_dir (when present).
std::optional<std::vector<audit::PublicKey>> DatabaseTrustedKeys(const VerifyArgs& args) {
  if (!args.keys.empty() || !args.keys_file.empty()) return TrustedKeys(args);
  const std::string path = store::DefaultSigningKeyPath(args.data_dir);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::vector<audit::PublicKey>{};
  core::Result<audit::SigningKey> key = audit::LoadKeyFile(path);
  if (!key) {
    std::cerr << "strata audit verify: " << key.error().message() << '\n';
    return std::nullopt;
  }
  return std::vector<audit::PublicKey>{key->public_key()};
}

int VerifyDatabase(const VerifyArgs& args) {
  const std::optional<std::vector<audit::PublicKey>> keys = DatabaseTrustedKeys(args);
  if (!keys) return kCannotVerify;
  core::Result<Chains> chains = OpenChains(args.data_dir, args.tenant);
  if (!chains) return CannotVerify("verify", chains.error().message());
  store::sqlite::SqliteRecordStore& records = *chains->records;
  for (const std::string& tenant : chains->tenants) {
    // Each entry's stored bytes are rebuilt from its record row as it is now
    // (or, for a row retention deleted, the digest the chain kept), so an
    // edited row, a deleted or inserted link and a reordering all show here.
    audit::Verifier verifier(*keys);
    core::Result<std::vector<audit::Checkpoint>> checkpoints = WalkChain(
        records, tenant, [&](const store::ChainLink& link) { verifier.AddEntry(link.entry, link.entry.seq); });
    if (!checkpoints) return CannotVerify("verify", "tenant " + tenant + ": " + checkpoints.error().message());
    for (audit::Checkpoint& checkpoint : *checkpoints) {
      const std::uint64_t seq = checkpoint.seq;
      verifier.AddCheckpoint(std::move(checkpoint), seq);
    }
    const audit::VerifyReport report = verifier.Finish();
    if (report.first_break) {
      std::cout << "broken: tenant " << tenant << " seq " << report.first_break->seq << ": "
                << audit::BreakKindName(report.first_break->kind) << ": " << report.first_break->message << '\n';
      return kBroken;
    }
    // A record row that no link covers was added behind the store's back.
    core::Result<std::optional<std::string>> unchained = records.FindUnchainedRecord(tenant);
    if (!unchained) return CannotVerify("verify", "tenant " + tenant + ": " + unchained.error().message());
    if (*unchained) {
      std::cout << "broken: tenant " << tenant << " record " << **unchained
                << ": unchained_record: a record is in the database that its tenant's chain does not cover\n";
      return kBroken;
    }
    std::cout << "verified: tenant " << tenant << ", " << report.entries << " entries, " << report.checkpoints
              << " checkpoints\n";
  }
  if (chains->tenants.empty()) std::cout << "verified: no audit chain in the database yet\n";
  return kVerified;
}

struct ExportArgs {
  std::string data_dir;
  std::string tenant;  // empty: every tenant
  std::string out;
  bool digests_only = false;
};

// Writes the export format (audit/export.h) from the database: each tenant's
// links in seq order, then its checkpoints.
int ExportDatabase(const ExportArgs& args) {
  core::Result<Chains> chains = OpenChains(args.data_dir, args.tenant);
  if (!chains) return CannotVerify("export", chains.error().message());
  std::ofstream out(args.out, std::ios::binary | std::ios::trunc);
  if (!out) return CannotVerify("export", "cannot write " + args.out);
  std::uint64_t entries = 0;
  std::uint64_t checkpoint_count = 0;
  for (const std::string& tenant : chains->tenants) {
    core::Result<std::vector<audit::Checkpoint>> checkpoints =
        WalkChain(*chains->records, tenant, [&](store::ChainLink& link) {
          if (args.digests_only) audit::KeepOnlyDigest(link.entry);
          out << audit::FormatExportLine(link.entry) << '\n';
          ++entries;
        });
    if (!checkpoints) return CannotVerify("export", "tenant " + tenant + ": " + checkpoints.error().message());
    for (const audit::Checkpoint& checkpoint : *checkpoints) {
      out << audit::FormatExportLine(checkpoint) << '\n';
      ++checkpoint_count;
    }
  }
  out.flush();
  if (!out) return CannotVerify("export", "writing " + args.out + " failed");
  std::cout << "exported: " << entries << " entries, " << checkpoint_count << " checkpoints, " << chains->tenants.size()
            << " tenants to " << args.out << '\n';
  return kVerified;
}

}  // namespace

void AddAuditCommands(CLI::App& app) {
  CLI::App* audit = app.add_subcommand("audit", "The tamper-evident audit log, offline (docs/AUDIT.md)");
  audit->require_subcommand(1);

  CLI::App* keygen = audit->add_subcommand("keygen", "Create a checkpoint signing key; prints its public key");
  auto key_path = std::make_shared<std::string>();
  keygen->add_option("--out", *key_path, "New key file (created with mode 0600; never overwritten)")->required();
  keygen->callback([key_path] {
    const audit::SigningKey key = audit::SigningKey::Generate();
    if (core::Status saved = audit::SaveNewKeyFile(key, *key_path); !saved) {
      std::cerr << "strata audit keygen: " << saved.error().message() << '\n';
      throw CLI::RuntimeError(kCannotVerify);
    }
    const audit::PublicKey& public_key = key.public_key();
    std::cout << audit::Base64Encode(std::string_view(reinterpret_cast<const char*>(public_key.data()),
                                                      public_key.size()))
              << '\n';
  });

  CLI::App* verify = audit->add_subcommand(
      "verify", "Check an export's hash chains and signed checkpoints; report the first broken link");
  auto args = std::make_shared<VerifyArgs>();
  CLI::Option* export_path = verify->add_option("export", args->export_path, "The export (JSON Lines)");
  CLI::Option* data_dir =
      verify->add_option("--data-dir", args->data_dir, "Verify the database in this data directory instead");
  export_path->excludes(data_dir);
  verify->add_option("--tenant", args->tenant, "With --data-dir: only this tenant's chain")->needs(data_dir);
  verify->add_option("--key", args->keys,
                     "A trusted public key, base64 (repeatable; with --data-dir, default: the node's own key)");
  verify->add_option("--keys-file", args->keys_file, "A file of trusted public keys, one base64 key per line");
  verify->callback([args] {
    if (args->export_path.empty() && args->data_dir.empty()) {
      std::cerr << "strata audit verify: give an export file or --data-dir\n";
      throw CLI::RuntimeError(kCannotVerify);
    }
    const int status = args->data_dir.empty() ? Verify(*args) : VerifyDatabase(*args);
    if (status != kVerified) throw CLI::RuntimeError(status);
  });

  CLI::App* exporter = audit->add_subcommand(
      "export", "Write a database's audit chains and checkpoints in the export format (JSON Lines)");
  auto export_args = std::make_shared<ExportArgs>();
  exporter->add_option("--data-dir", export_args->data_dir, "The node's data directory")->required();
  exporter->add_option("--tenant", export_args->tenant, "Only this tenant's chain (default: every tenant)");
  exporter->add_option("--out", export_args->out, "The export file to write (replaced if it exists)")->required();
  exporter->add_flag("--digests-only", export_args->digests_only,
                     "Carry each record's digest instead of its stored bytes");
  exporter->callback([export_args] {
    const int status = ExportDatabase(*export_args);
    if (status != kVerified) throw CLI::RuntimeError(status);
  });
}

}  // namespace strata::cli
