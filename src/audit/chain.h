#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "audit/digest.h"
#include "core/result.h"

namespace strata::audit {

// Tenant ids are short; the bound keeps the framing's u32 lengths and an
// export line's size small whatever a caller passes.
inline constexpr std::size_t kMaxTenantBytes = 256;

// The prev_hash of every tenant's first entry (seq 1): 32 zero bytes.
inline constexpr Digest kGenesisHash{};

// One link of a tenant's chain. The chain commits to SHA-256(stored), never
// to the stored bytes directly, so an entry can travel in either form:
//   - `stored` present: the bytes as stored (an encrypted payload, opaque to
//     the chain); their digest is computed from them when verifying;
//   - `stored` absent: only `stored_digest`, after the content was purged or
//     for an export that leaves content out. It verifies identically.
struct Entry {
  std::string tenant;
  std::uint64_t seq = 0;  // 1, 2, 3 ... per tenant, no gaps
  std::optional<std::string> stored;
  Digest stored_digest{};  // used only when `stored` is absent
  Digest prev_hash{};      // the previous entry's hash; kGenesisHash for seq 1
  Digest hash{};           // EntryHash(tenant, seq, prev_hash, StoredDigest(*this))

  bool operator==(const Entry&) const = default;
};

// SHA-256(stored) when the bytes are present, else the digest carried.
Digest StoredDigest(const Entry& entry);

// Replaces the stored bytes by their digest: what an export after erasure or
// a purge carries. The entry's hash is unchanged, so it still verifies.
void KeepOnlyDigest(Entry& entry);

// The entry hash (docs/AUDIT.md, "Entry hash"):
//   SHA-256( u32 len || "strata.audit.entry.v1"
//            || u32 len || tenant
//            || u64 seq
//            || prev_hash (32 bytes)
//            || stored_digest (32 bytes) )
// with big-endian integers. Pure; the same bytes in, the same hash out.
Digest EntryHash(std::string_view tenant, std::uint64_t seq, const Digest& prev_hash, const Digest& stored_digest);

// Where a tenant's chain ends: the last seq and its hash.
struct ChainHead {
  std::uint64_t seq = 0;
  Digest hash{};
  bool operator==(const ChainHead&) const = default;
};

// Appends entries to each tenant's chain. Holds only each tenant's head.
// Not thread-safe: one writer (the store's write-behind thread) owns it, which
// is also what makes seq gapless.
class ChainWriter {
 public:
  // Continues a chain that already exists (its head read back from the store
  // at startup). Replaces any head held for `tenant`.
  void Resume(std::string tenant, ChainHead head);

  // The next entry of `tenant`'s chain over `stored`. Refuses an empty tenant
  // or one longer than kMaxTenantBytes.
  core::Result<Entry> Append(std::string_view tenant, std::string stored);

  // The head of `tenant`'s chain; nullopt before its first entry.
  std::optional<ChainHead> Head(std::string_view tenant) const;

 private:
  std::map<std::string, ChainHead, std::less<>> heads_;
};

// Whether `tenant` is a valid tenant id for the chain (non-empty, bounded).
core::Status CheckTenant(std::string_view tenant);

}  // namespace strata::audit
