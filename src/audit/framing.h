#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "audit/digest.h"

// The byte framing that entry hashes, checkpoint signatures and a record's
// stored form are computed over (docs/AUDIT.md, "Byte layout"). Fixed-width big-endian integers and
// length-prefixed strings, so that no two different field tuples can produce
// the same bytes.
namespace strata::audit {

inline void AppendU32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift & 0xff));
}

inline void AppendU64(std::string& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift & 0xff));
}

// u32 big-endian length, then the bytes. Callers bound the length (tenants
// are at most kMaxTenantBytes), so it always fits.
inline void AppendLengthPrefixed(std::string& out, std::string_view bytes) {
  AppendU32(out, static_cast<std::uint32_t>(bytes.size()));
  out.append(bytes);
}

// The bytes of a digest, key or signature, as a view.
template <std::size_t N>
std::string_view AsBytes(const std::array<std::uint8_t, N>& array) {
  return {reinterpret_cast<const char*>(array.data()), N};
}

inline void AppendDigest(std::string& out, const Digest& digest) {
  out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
}

}  // namespace strata::audit
