#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit/chain.h"
#include "audit/checkpoint.h"
#include "audit/signing_key.h"

namespace strata::audit {

// How a chain is broken, and what it most likely means (docs/AUDIT.md,
// "Verification rules").
enum class BreakKind {
  kHashMismatch,             // edited: the entry's hash is not what its fields hash to
  kSeqGap,                   // deleted: a seq is missing and never shows up
  kSeqBackwards,             // reordered: a seq comes after a higher one (or a missing seq shows up late)
  kDuplicateSeq,             // inserted: the same seq twice
  kPrevHashMismatch,         // inserted or replaced: the entry does not link to the one before
  kCheckpointBeyondChain,    // truncated: a checkpoint covers a seq past the chain's last entry
  kCheckpointBadSignature,   // the checkpoint's signature does not verify
  kCheckpointUnknownKey,     // the checkpoint is signed by a key the verifier does not trust
  kCheckpointHashMismatch,   // the checkpoint's hash is not the hash of the entry at its seq
};

// A stable lowercase name ("hash_mismatch", ...), for reports and the CLI.
std::string_view BreakKindName(BreakKind kind);

// The first broken link found.
struct ChainBreak {
  BreakKind kind = BreakKind::kHashMismatch;
  std::string tenant;
  // The entry's seq; for kSeqGap the first missing seq; for a checkpoint kind
  // the checkpoint's seq.
  std::uint64_t seq = 0;
  // Where it was found: the index in Verify's input (entries, then
  // checkpoints, each from 0), or the 1-based line of an export.
  std::uint64_t position = 0;
  std::string message;  // one sentence for a person
};

struct VerifyReport {
  std::optional<ChainBreak> first_break;
  std::uint64_t entries = 0;      // entries read
  std::uint64_t checkpoints = 0;  // checkpoints read
  std::map<std::string, ChainHead, std::less<>> heads;  // each tenant's last verified entry

  bool ok() const { return !first_break; }
};

// Verifies entries and checkpoints as they arrive, so an export of any size
// streams through it. Entries may interleave tenants; each tenant's entries
// must come in seq order starting at 1.
//
// Which break is "first": the first entry, in arrival order, that breaks its
// tenant's chain; only when every entry verifies, the first checkpoint, in
// arrival order, that fails (checkpoints are judged at Finish, when every
// entry they may cover has been seen).
//
// Memory: 32 bytes per entry (each entry's hash is kept, so that a checkpoint
// arriving later can be checked against it) plus the checkpoints.
class Verifier {
 public:
  explicit Verifier(std::span<const PublicKey> trusted_keys);

  // `position` is echoed in a break: an input index or an export line number.
  void AddEntry(const Entry& entry, std::uint64_t position);
  void AddCheckpoint(Checkpoint checkpoint, std::uint64_t position);
  // Judges the checkpoints and hands over the report. Call it once, last.
  VerifyReport Finish();

 private:
  struct TenantChain {
    std::vector<Digest> hashes;  // hashes[i] is the hash of seq i + 1
  };
  struct PendingCheckpoint {
    Checkpoint checkpoint;
    std::uint64_t position;
  };

  void Break(BreakKind kind, const std::string& tenant, std::uint64_t seq, std::uint64_t position,
             std::string message);
  void WatchForMissingSeq(const Entry& entry);
  std::optional<ChainBreak> CheckCheckpoint(const PendingCheckpoint& pending) const;

  std::vector<PublicKey> trusted_keys_;
  std::map<std::string, TenantChain, std::less<>> chains_;
  std::vector<PendingCheckpoint> checkpoints_;
  VerifyReport report_;
  // After a kSeqGap: the seq that was missing and the one that came instead.
  std::uint64_t missing_seq_ = 0;
  std::uint64_t jumped_seq_ = 0;
};

// Verifies `entries` (any interleaving of tenants, each tenant's in seq order)
// and `checkpoints` against the keys in `trusted_keys`.
VerifyReport Verify(std::span<const Entry> entries, std::span<const Checkpoint> checkpoints,
                    std::span<const PublicKey> trusted_keys);

}  // namespace strata::audit
