// `strata audit keygen` and `strata audit verify`: the offline side of the
// tamper-evident audit log (docs/AUDIT.md). Verification needs no server and
// no database, only an export and the public keys the operator trusts.
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/digest.h"
#include "audit/export.h"
#include "audit/signing_key.h"
#include "cli/commands.h"

namespace strata::cli {
namespace {

// Exit statuses of `audit verify`, documented in docs/AUDIT.md.
constexpr int kVerified = 0;
constexpr int kBroken = 1;
constexpr int kCannotVerify = 2;

struct VerifyArgs {
  std::string export_path;
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
  verify->add_option("export", args->export_path, "The export (JSON Lines)")->required();
  verify->add_option("--key", args->keys, "A trusted public key, base64 (repeatable)");
  verify->add_option("--keys-file", args->keys_file, "A file of trusted public keys, one base64 key per line");
  verify->callback([args] {
    const int status = Verify(*args);
    if (status != kVerified) throw CLI::RuntimeError(status);
  });
}

}  // namespace strata::cli
