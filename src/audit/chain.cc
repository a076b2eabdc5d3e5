#include "audit/chain.h"

#include "audit/framing.h"

namespace strata::audit {
namespace {

// Versioned, so that a future layout can never collide with this one.
constexpr std::string_view kEntryDomain = "strata.audit.entry.v1";

}  // namespace

Digest StoredDigest(const Entry& entry) {
  return entry.stored ? Sha256(*entry.stored) : entry.stored_digest;
}

void KeepOnlyDigest(Entry& entry) {
  if (!entry.stored) return;
  entry.stored_digest = Sha256(*entry.stored);
  entry.stored.reset();
}

Digest EntryHash(std::string_view tenant, std::uint64_t seq, const Digest& prev_hash, const Digest& stored_digest) {
  std::string framed;
  framed.reserve(4 + kEntryDomain.size() + 4 + tenant.size() + 8 + 32 + 32);
  AppendLengthPrefixed(framed, kEntryDomain);
  AppendLengthPrefixed(framed, tenant);
  AppendU64(framed, seq);
  AppendDigest(framed, prev_hash);
  AppendDigest(framed, stored_digest);
  return Sha256(framed);
}

core::Status CheckTenant(std::string_view tenant) {
  if (tenant.empty()) return core::Error::InvalidRequest("audit: the tenant is empty", "tenant");
  if (tenant.size() > kMaxTenantBytes) {
    return core::Error::InvalidRequest("audit: the tenant is longer than 256 bytes", "tenant");
  }
  return {};
}

void ChainWriter::Resume(std::string tenant, ChainHead head) { heads_.insert_or_assign(std::move(tenant), head); }

core::Result<Entry> ChainWriter::Append(std::string_view tenant, std::string stored) {
  if (auto valid = CheckTenant(tenant); !valid) return valid.error();
  auto it = heads_.find(tenant);
  if (it == heads_.end()) it = heads_.emplace(std::string(tenant), ChainHead{}).first;
  ChainHead& head = it->second;

  Entry entry;
  entry.tenant = std::string(tenant);
  entry.seq = head.seq + 1;
  entry.prev_hash = head.seq == 0 ? kGenesisHash : head.hash;
  entry.hash = EntryHash(entry.tenant, entry.seq, entry.prev_hash, Sha256(stored));
  entry.stored = std::move(stored);
  head = {entry.seq, entry.hash};
  return entry;
}

std::optional<ChainHead> ChainWriter::Head(std::string_view tenant) const {
  const auto it = heads_.find(tenant);
  if (it == heads_.end()) return std::nullopt;
  return it->second;
}

}  // namespace strata::audit
