#include "audit/verifier.h"

#include <algorithm>

namespace strata::audit {

std::string_view BreakKindName(BreakKind kind) {
  switch (kind) {
    case BreakKind::kHashMismatch: return "hash_mismatch";
    case BreakKind::kSeqGap: return "seq_gap";
    case BreakKind::kSeqBackwards: return "seq_backwards";
    case BreakKind::kDuplicateSeq: return "duplicate_seq";
    case BreakKind::kPrevHashMismatch: return "prev_hash_mismatch";
    case BreakKind::kCheckpointBeyondChain: return "checkpoint_beyond_chain";
    case BreakKind::kCheckpointBadSignature: return "checkpoint_bad_signature";
    case BreakKind::kCheckpointUnknownKey: return "checkpoint_unknown_key";
    case BreakKind::kCheckpointHashMismatch: return "checkpoint_hash_mismatch";
  }
  return "unknown";
}

Verifier::Verifier(std::span<const PublicKey> trusted_keys) : trusted_keys_(trusted_keys.begin(), trusted_keys.end()) {}

void Verifier::Break(BreakKind kind, const std::string& tenant, std::uint64_t seq, std::uint64_t position,
                     std::string message) {
  report_.first_break = ChainBreak{kind, tenant, seq, position, "tenant " + tenant + ": " + std::move(message)};
}

void Verifier::AddEntry(const Entry& entry, std::uint64_t position) {
  ++report_.entries;
  if (report_.first_break) {
    WatchForMissingSeq(entry);
    return;
  }
  TenantChain& chain = chains_[entry.tenant];
  const std::uint64_t last = chain.hashes.size();
  const std::uint64_t expected = last + 1;
  auto seq_text = [&] { return std::to_string(entry.seq); };  // only a break pays for it

  if (entry.seq == expected) {
    const Digest& linked = last == 0 ? kGenesisHash : chain.hashes.back();
    if (entry.prev_hash != linked) {
      Break(BreakKind::kPrevHashMismatch, entry.tenant, entry.seq, position,
            "entry " + seq_text() + " does not link to entry " + std::to_string(last) +
                " (prev_hash differs): an entry was inserted or replaced");
      return;
    }
    if (EntryHash(entry.tenant, entry.seq, entry.prev_hash, StoredDigest(entry)) != entry.hash) {
      Break(BreakKind::kHashMismatch, entry.tenant, entry.seq, position,
            "entry " + seq_text() + " does not hash to its recorded hash: its content or fields were edited");
      return;
    }
    chain.hashes.push_back(entry.hash);
    return;
  }
  if (entry.seq > expected) {
    // Deleted, unless the missing entry shows up later (then reordered):
    // WatchForMissingSeq decides while the rest streams past.
    missing_seq_ = expected;
    jumped_seq_ = entry.seq;
    Break(BreakKind::kSeqGap, entry.tenant, expected, position,
          "entry " + std::to_string(expected) + " is missing (entry " + std::to_string(last) +
              " is followed by entry " + seq_text() + "): entries were deleted");
    return;
  }
  if (entry.seq == 0) {
    Break(BreakKind::kSeqBackwards, entry.tenant, 0, position, "entry 0 is out of order: seqs start at 1");
    return;
  }
  if (entry.seq == last) {
    Break(BreakKind::kDuplicateSeq, entry.tenant, entry.seq, position,
          "entry " + seq_text() + " appears twice: an entry was inserted");
    return;
  }
  Break(BreakKind::kSeqBackwards, entry.tenant, entry.seq, position,
        "entry " + seq_text() + " comes after entry " + std::to_string(last) + ": entries were reordered");
}

void Verifier::WatchForMissingSeq(const Entry& entry) {
  ChainBreak& found = *report_.first_break;
  if (found.kind != BreakKind::kSeqGap || entry.tenant != found.tenant || entry.seq != missing_seq_) return;
  found.kind = BreakKind::kSeqBackwards;
  found.seq = jumped_seq_;
  found.message = "tenant " + found.tenant + ": entry " + std::to_string(jumped_seq_) + " comes before entry " +
                  std::to_string(missing_seq_) + ": entries were reordered";
}

void Verifier::AddCheckpoint(Checkpoint checkpoint, std::uint64_t position) {
  ++report_.checkpoints;
  checkpoints_.push_back({std::move(checkpoint), position});
}

std::optional<ChainBreak> Verifier::CheckCheckpoint(const PendingCheckpoint& pending) const {
  const Checkpoint& checkpoint = pending.checkpoint;
  auto broken = [&](BreakKind kind, std::string message) {
    return ChainBreak{kind, checkpoint.tenant, checkpoint.seq, pending.position,
                      "tenant " + checkpoint.tenant + ": checkpoint at entry " + std::to_string(checkpoint.seq) +
                          " " + std::move(message)};
  };
  if (std::find(trusted_keys_.begin(), trusted_keys_.end(), checkpoint.key) == trusted_keys_.end()) {
    return broken(BreakKind::kCheckpointUnknownKey, "is signed by a key that is not trusted");
  }
  if (!CheckpointSignatureValid(checkpoint)) {
    return broken(BreakKind::kCheckpointBadSignature, "has a signature that does not verify");
  }
  if (checkpoint.seq == 0) {
    // Only reachable through Verify (the export parser refuses seq 0).
    return broken(BreakKind::kCheckpointHashMismatch, "names entry 0, which no chain has");
  }
  const auto chain = chains_.find(checkpoint.tenant);
  const std::uint64_t length = chain == chains_.end() ? 0 : chain->second.hashes.size();
  if (checkpoint.seq > length) {
    return broken(BreakKind::kCheckpointBeyondChain,
                  "is past the last entry (" + std::to_string(length) + "): the chain was truncated");
  }
  if (chain->second.hashes[checkpoint.seq - 1] != checkpoint.hash) {
    return broken(BreakKind::kCheckpointHashMismatch,
                  "does not match that entry's hash: the chain was rewritten up to there");
  }
  return std::nullopt;
}

VerifyReport Verifier::Finish() {
  for (const auto& [tenant, chain] : chains_) {  // each chain's last verified entry
    if (!chain.hashes.empty()) report_.heads.emplace(tenant, ChainHead{chain.hashes.size(), chain.hashes.back()});
  }
  if (!report_.first_break) {
    for (const PendingCheckpoint& pending : checkpoints_) {
      if (auto broken = CheckCheckpoint(pending)) {
        report_.first_break = std::move(broken);
        break;
      }
    }
  }
  return std::move(report_);
}

VerifyReport Verify(std::span<const Entry> entries, std::span<const Checkpoint> checkpoints,
                    std::span<const PublicKey> trusted_keys) {
  Verifier verifier(trusted_keys);
  std::uint64_t position = 0;
  for (const Entry& entry : entries) verifier.AddEntry(entry, position++);
  position = 0;
  for (const Checkpoint& checkpoint : checkpoints) verifier.AddCheckpoint(checkpoint, position++);
  return verifier.Finish();
}

}  // namespace strata::audit
