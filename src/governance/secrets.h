#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace strata::governance {

// A new virtual key: the secret is shown to its creator once and never stored.
struct MintedKey {
  std::string secret;      // "sk-strata-" + 43 base62 characters (256 bits of entropy)
  std::string prefix;      // the first 16 characters of the secret, for lists and logs
  std::string digest_hex;  // SHA-256 of the secret, lowercase hex: what the store keeps
};

// From the operating system's CSPRNG (OpenSSL RAND_bytes).
MintedKey MintKey();

// SHA-256 of `secret`, lowercase hex.
std::string KeyDigest(std::string_view secret);

// Whether two digests (or any two strings) are equal, in time that depends
// only on their lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// argon2id (libsodium's crypto_pwhash_str, interactive limits): a
// self-describing string that carries its salt and parameters.
core::Result<std::string> HashPassword(std::string_view password);
bool VerifyPassword(std::string_view hash, std::string_view password);

}  // namespace strata::governance
