// Test-only JOSE signer: keys generated in-process with OpenSSL, their JWKs,
// and signed compact JWTs. Independent of the code under test except for
// base64url (tested on its own), so a bug in the verifier cannot hide behind
// the same bug in the signer.
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "oidc/base64url.h"
#include "oidc/jose.h"

namespace strata::oidc::test {

namespace json = boost::json;

struct TestKey {
  std::shared_ptr<EVP_PKEY> pkey;
  std::string kid;
  KeyType type = KeyType::kRsa;
};

inline std::shared_ptr<EVP_PKEY> Own(EVP_PKEY* pkey) {
  if (pkey == nullptr) throw std::runtime_error("key generation failed");
  return std::shared_ptr<EVP_PKEY>(pkey, EVP_PKEY_free);
}

inline TestKey MakeRsaKey(std::string kid, unsigned bits = 2048) {
  return {Own(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits))), std::move(kid), KeyType::kRsa};
}
inline TestKey MakeEcKey(std::string kid, bool p384 = false) {
  return {Own(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", p384 ? "P-384" : "P-256")), std::move(kid),
          p384 ? KeyType::kEcP384 : KeyType::kEcP256};
}
inline TestKey MakeEdKey(std::string kid) {
  return {Own(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")), std::move(kid), KeyType::kEd25519};
}

// Keys are slow to make under the sanitizers: one of each per test binary.
inline const TestKey& Rsa() { static const TestKey key = MakeRsaKey("rsa-1"); return key; }
inline const TestKey& Rsa2() { static const TestKey key = MakeRsaKey("rsa-2"); return key; }
inline const TestKey& P256() { static const TestKey key = MakeEcKey("ec-1"); return key; }
inline const TestKey& P384() { static const TestKey key = MakeEcKey("ec-384", true); return key; }
inline const TestKey& Ed() { static const TestKey key = MakeEdKey("ed-1"); return key; }

// The same key under another kid.
inline TestKey WithKid(const TestKey& key, std::string kid) { return {key.pkey, std::move(kid), key.type}; }

inline std::string Bytes(const unsigned char* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

inline std::string BnBytes(const EVP_PKEY* pkey, const char* name, int pad = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) throw std::runtime_error("no such key parameter");
  std::string out(pad > 0 ? std::size_t(pad) : std::size_t(BN_num_bytes(bn)), '\0');
  if (pad > 0) {
    BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), pad);
  } else {
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  }
  BN_free(bn);
  return out;
}

// The public JWK of `key`.
inline json::object Jwk(const TestKey& key) {
  json::object jwk;
  if (!key.kid.empty()) jwk["kid"] = key.kid;
  switch (key.type) {
    case KeyType::kRsa:
      jwk["kty"] = "RSA";
      jwk["n"] = Base64UrlEncode(BnBytes(key.pkey.get(), OSSL_PKEY_PARAM_RSA_N));
      jwk["e"] = Base64UrlEncode(BnBytes(key.pkey.get(), OSSL_PKEY_PARAM_RSA_E));
      break;
    case KeyType::kEcP256:
    case KeyType::kEcP384: {
      const int size = key.type == KeyType::kEcP256 ? 32 : 48;
      jwk["kty"] = "EC";
      jwk["crv"] = key.type == KeyType::kEcP256 ? "P-256" : "P-384";
      jwk["x"] = Base64UrlEncode(BnBytes(key.pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, size));
      jwk["y"] = Base64UrlEncode(BnBytes(key.pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, size));
      break;
    }
    case KeyType::kEd25519: {
      unsigned char raw[32];
      size_t length = sizeof raw;
      EVP_PKEY_get_raw_public_key(key.pkey.get(), raw, &length);
      jwk["kty"] = "OKP";
      jwk["crv"] = "Ed25519";
      jwk["x"] = Base64UrlEncode(Bytes(raw, length));
      break;
    }
  }
  return jwk;
}

inline const char* Digest(Algorithm alg) {
  switch (alg) {
    case Algorithm::kRS256: case Algorithm::kPS256: case Algorithm::kES256: return "SHA256";
    case Algorithm::kRS384: case Algorithm::kPS384: case Algorithm::kES384: return "SHA384";
    case Algorithm::kRS512: case Algorithm::kPS512: return "SHA512";
    case Algorithm::kEdDSA: return nullptr;
  }
  return nullptr;
}

// The DER signature OpenSSL makes (ECDSA: a DER SEQUENCE of r and s).
inline std::string SignDer(const TestKey& key, Algorithm alg, std::string_view input) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestSignInit_ex(md.get(), &pctx, Digest(alg), nullptr, nullptr, key.pkey.get(), nullptr) != 1) {
    throw std::runtime_error("sign init failed");
  }
  if (alg == Algorithm::kPS256 || alg == Algorithm::kPS384 || alg == Algorithm::kPS512) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  if (EVP_DigestSign(md.get(), nullptr, &length, data, input.size()) != 1) throw std::runtime_error("sign failed");
  std::string signature(length, '\0');
  if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, data, input.size()) != 1) {
    throw std::runtime_error("sign failed");
  }
  signature.resize(length);
  return signature;
}

// ECDSA DER → JOSE r||s, each left-padded to `size`.
inline std::string DerToRaw(std::string_view der, int size) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, long(der.size()));
  if (sig == nullptr) throw std::runtime_error("bad DER signature");
  std::string raw(std::size_t(2 * size), '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), size);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + size, size);
  ECDSA_SIG_free(sig);
  return raw;
}

// A signature in JOSE form.
inline std::string Sign(const TestKey& key, Algorithm alg, std::string_view input) {
  std::string der = SignDer(key, alg, input);
  if (alg == Algorithm::kES256) return DerToRaw(der, 32);
  if (alg == Algorithm::kES384) return DerToRaw(der, 48);
  return der;
}

// "<b64 header>.<b64 payload>"
inline std::string SigningInput(const json::object& header, const json::object& payload) {
  return Base64UrlEncode(json::serialize(header)) + "." + Base64UrlEncode(json::serialize(payload));
}

inline json::object Header(std::string_view alg, std::string_view kid) {
  json::object header;
  header["alg"] = alg;
  header["typ"] = "JWT";
  if (!kid.empty()) header["kid"] = kid;
  return header;
}

// A compact JWS of `payload` signed by `key` with `alg`, kid = key.kid.
inline std::string MakeToken(const TestKey& key, Algorithm alg, const json::object& payload) {
  const std::string input = SigningInput(Header(AlgorithmName(alg), key.kid), payload);
  return input + "." + Base64UrlEncode(Sign(key, alg, input));
}

inline std::int64_t Seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// Claims an ID token from `issuer` for `client_id` would carry, valid at `now`.
inline json::object Claims(std::string_view issuer, std::string_view client_id, std::chrono::system_clock::time_point now,
                           std::string_view nonce = {}) {
  json::object claims;
  claims["iss"] = issuer;
  claims["sub"] = "user-42";
  claims["aud"] = client_id;
  claims["iat"] = Seconds(now);
  claims["exp"] = Seconds(now) + 300;
  claims["email"] = "ada@example.com";
  claims["email_verified"] = true;
  claims["name"] = "Ada Lovelace";
  claims["groups"] = json::array{"strata-devs", "everyone"};
  if (!nonce.empty()) claims["nonce"] = nonce;
  return claims;
}

}  // namespace strata::oidc::test
