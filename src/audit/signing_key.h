#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace strata::audit {

// An Ed25519 public key (32 bytes) and signature (64 bytes), libsodium's
// crypto_sign_* (RFC 8032 Ed25519, pure, no prehash).
using PublicKey = std::array<std::uint8_t, 32>;
using Signature = std::array<std::uint8_t, 64>;

// Whether `signature` is `public_key`'s Ed25519 signature over `message`.
bool SignatureValid(const PublicKey& public_key, std::string_view message, const Signature& signature);

// A node's checkpoint signing key. The secret never leaves this object except
// through SaveNewKeyFile; it has no stream operator, no JSON form and is wiped
// on destruction, so it cannot end up in a log by accident.
//
// Where it lives (docs/AUDIT.md, "The node key"): today, a file the operator
// points to; later, `<data_dir>/audit/node.key` created on first start, mode
// 0600, never in the database, so whoever can rewrite the database cannot also
// re-sign its checkpoints.
class SigningKey {
 public:
  // A fresh key from the OS CSPRNG (libsodium).
  static SigningKey Generate();
  // The key whose 32-byte Ed25519 seed is `seed`. Refuses any other length.
  static core::Result<SigningKey> FromSeed(std::string_view seed);

  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;
  SigningKey(SigningKey&& other) noexcept;
  SigningKey& operator=(SigningKey&& other) noexcept;
  ~SigningKey();

  const PublicKey& public_key() const { return public_key_; }
  Signature Sign(std::string_view message) const;

 private:
  SigningKey() = default;
  std::array<std::uint8_t, 64> secret_{};  // libsodium's form: seed || public key
  PublicKey public_key_{};

  friend core::Status SaveNewKeyFile(const SigningKey& key, const std::string& path);
};

// Writes `key`'s seed, base64 and a newline, to a NEW file at `path` created
// with mode 0600 (refuses to overwrite an existing file).
core::Status SaveNewKeyFile(const SigningKey& key, const std::string& path);

// Reads a key file written by SaveNewKeyFile. Refuses a file that group or
// others may read or write, and one that does not hold exactly one base64
// seed; the error never quotes the file's content.
core::Result<SigningKey> LoadKeyFile(const std::string& path);

}  // namespace strata::audit
