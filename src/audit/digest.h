#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strata::audit {

// A SHA-256 digest: entry hashes, prev_hash links and stored-content digests.
using Digest = std::array<std::uint8_t, 32>;

// SHA-256 of `bytes` (OpenSSL).
Digest Sha256(std::string_view bytes);

// Lowercase hex, 64 characters.
std::string ToHex(const Digest& digest);

// Exactly 64 lowercase hex characters, so that one digest has one spelling in
// an export; nullopt otherwise.
std::optional<Digest> DigestFromHex(std::string_view hex);

// Standard base64 with padding (RFC 4648 §4).
std::string Base64Encode(std::string_view bytes);

// Strict standard base64 with padding: no whitespace, no url-safe alphabet,
// zero leftover bits. nullopt on anything else.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace strata::audit
