#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/result.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace strata::oidc {

// The JWS algorithms an ID token may be signed with: asymmetric only. `none`
// and the HMAC family (HS256/384/512) are refused by design: an IdP-signed
// token is never checked with a shared secret here, which also rules out the
// classic confusion attack (an RSA public key used as an HMAC secret).
enum class Algorithm { kRS256, kRS384, kRS512, kPS256, kPS384, kPS512, kES256, kES384, kEdDSA };

// "RS256" → kRS256 …; nullopt for "none", "HS256" and anything unknown.
std::optional<Algorithm> ParseAlgorithm(std::string_view name);
std::string_view AlgorithmName(Algorithm alg);

// A token longer than this is refused before any decoding. ID tokens carrying
// a few hundred groups stay well below it.
inline constexpr std::size_t kMaxJwtBytes = 64 * 1024;

// A JWS in compact serialization, split and decoded but NOT yet trusted:
// nothing in it means anything until VerifySignature() and the claim checks
// (claims.h) have passed.
struct Jwt {
  Algorithm alg = Algorithm::kRS256;
  std::string kid;              // header "kid"; empty when absent
  boost::json::object header;
  boost::json::object payload;  // the claims
  std::string signing_input;    // "<header>.<payload>", base64url, as received
  std::string signature;        // decoded signature bytes
};

// Splits and decodes `token`. Fails with kUnauthenticated, the message naming
// the problem (never quoting the token), when it is larger than kMaxJwtBytes,
// is not three dot-separated parts (a JWE's five included), a part is not
// strict base64url, the header or payload is not a JSON object, the header has
// no "alg", names "none", an HMAC or an unknown algorithm, or carries "crit"
// (no extension is understood here, so RFC 7515 §4.1.11 requires refusal).
core::Result<Jwt> ParseJwt(std::string_view token);

enum class KeyType { kRsa, kEcP256, kEcP384, kEd25519 };

// A public verification key built from a JWK (RFC 7517/7518/8037). Cheap to
// copy (shares the OpenSSL key). Immutable, so safe to use from any thread.
class PublicKey {
 public:
  // Accepts kty "RSA" (n, e; at least 2048 bits), "EC" (crv P-256 or P-384;
  // x and y at their full length; the point must lie on the curve) and "OKP"
  // (crv Ed25519, x). Fails with kInvalidRequest, saying why, for anything
  // else, including private keys (a "d" member): a JWKS must not publish them.
  static core::Result<PublicKey> FromJwk(const boost::json::object& jwk);

  const std::string& kid() const { return kid_; }
  KeyType type() const { return type_; }
  // The JWK's "alg", when it names a supported algorithm: the key then
  // verifies that algorithm only.
  const std::optional<Algorithm>& alg() const { return alg_; }

  // Whether this key can verify `alg`: the key type matches the algorithm's
  // family (and curve), and the JWK's own "alg", if any, is `alg`.
  bool Fits(Algorithm alg) const;

 private:
  friend bool VerifySignature(Algorithm alg, std::string_view input, std::string_view signature,
                              const PublicKey& key);
  PublicKey() = default;

  std::shared_ptr<evp_pkey_st> pkey_;
  KeyType type_ = KeyType::kRsa;
  std::optional<Algorithm> alg_;
  std::string kid_;
};

// Checks `signature` over `input` with `key` under `alg` (RS*: PKCS#1 v1.5;
// PS*: PSS, MGF1 with the same hash, salt of the hash's length; ES*: the JOSE
// raw r||s form, converted to DER for OpenSSL; EdDSA: Ed25519). False when the
// signature does not verify, has the wrong length, or the key does not fit
// the algorithm.
bool VerifySignature(Algorithm alg, std::string_view input, std::string_view signature, const PublicKey& key);

// ParseJwt's token, checked against `key`: kUnauthenticated when it fails.
core::Status VerifySignature(const Jwt& jwt, const PublicKey& key);

}  // namespace strata::oidc
