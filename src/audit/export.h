#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "audit/chain.h"
#include "audit/checkpoint.h"
#include "audit/verifier.h"
#include "core/result.h"

// The export format (docs/AUDIT.md, "Export format"): JSON Lines, one entry or
// one checkpoint per line, readable and verifiable offline by anyone holding
// the node's public keys.
//   {"tenant":"acme","seq":1,"stored_b64":"...","prev_hash":"<hex>","hash":"<hex>"}
//   {"tenant":"acme","seq":2,"stored_digest":"<hex>","prev_hash":"<hex>","hash":"<hex>"}
//   {"checkpoint":{"tenant":"acme","seq":2,"hash":"<hex>","time_ms":...,"key":"<b64>","signature":"<b64>"}}
namespace strata::audit {

using ExportLine = std::variant<Entry, Checkpoint>;

// One line, no newline. An entry with its stored bytes is written with
// "stored_b64"; one without (KeepOnlyDigest) with "stored_digest".
std::string FormatExportLine(const Entry& entry);
std::string FormatExportLine(const Checkpoint& checkpoint);

// Parses one line (without its newline). Strict: one JSON object, every field
// with its type, no unknown field, exactly one of stored_b64 / stored_digest.
// A clear InvalidRequest error on anything else, whatever the bytes.
core::Result<ExportLine> ParseExportLine(std::string_view line);

struct ExportReaderOptions {
  // A longer line is refused rather than buffered (default 16 MiB, for
  // entries that carry large stored payloads).
  std::size_t max_line_bytes = 16 * 1024 * 1024;
};

// A line the reader could not parse.
struct MalformedLine {
  std::uint64_t line = 0;  // 1-based
  std::string message;
};

struct ExportVerification {
  // Reading stops at the first malformed line; `report` then covers only
  // the lines before it.
  std::optional<MalformedLine> malformed;
  VerifyReport report;  // the first broken link's position is its line number

  bool ok() const { return !malformed && report.ok(); }
};

// Reads an export from `in` and verifies it against `trusted_keys`. Empty
// lines are skipped.
ExportVerification VerifyExport(std::istream& in, std::span<const PublicKey> trusted_keys,
                                const ExportReaderOptions& options = {});

}  // namespace strata::audit
