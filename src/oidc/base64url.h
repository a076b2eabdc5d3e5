#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace strata::oidc {

// Base64url without padding (RFC 4648 §5, as JOSE uses it, RFC 7515 §2).
std::string Base64UrlEncode(std::string_view bytes);

// Decodes unpadded base64url. Strict, so that one token has one spelling:
// refuses padding, whitespace, characters outside the url-safe alphabet, a
// length of 1 mod 4, and non-zero leftover bits in the last character.
// nullopt on any of these.
std::optional<std::string> Base64UrlDecode(std::string_view text);

// Standard base64 with padding (RFC 4648 §4): HTTP Basic credentials.
std::string Base64Encode(std::string_view bytes);

}  // namespace strata::oidc
