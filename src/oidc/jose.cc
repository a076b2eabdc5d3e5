#include "oidc/jose.h"

#include <array>
#include <utility>

#include <boost/json/parse.hpp>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "oidc/base64url.h"

namespace strata::oidc {
namespace {

namespace json = boost::json;

struct AlgorithmInfo {
  Algorithm alg;
  std::string_view name;
  const char* digest;  // null for EdDSA (the digest is part of the scheme)
};

constexpr std::array<AlgorithmInfo, 9> kAlgorithms{{
    {Algorithm::kRS256, "RS256", "SHA256"},
    {Algorithm::kRS384, "RS384", "SHA384"},
    {Algorithm::kRS512, "RS512", "SHA512"},
    {Algorithm::kPS256, "PS256", "SHA256"},
    {Algorithm::kPS384, "PS384", "SHA384"},
    {Algorithm::kPS512, "PS512", "SHA512"},
    {Algorithm::kES256, "ES256", "SHA256"},
    {Algorithm::kES384, "ES384", "SHA384"},
    {Algorithm::kEdDSA, "EdDSA", nullptr},
}};

const AlgorithmInfo& Info(Algorithm alg) {
  for (const AlgorithmInfo& info : kAlgorithms) {
    if (info.alg == alg) return info;
  }
  return kAlgorithms[0];  // unreachable: every enumerator is in the table
}

core::Error Unauthenticated(std::string message) {
  return {core::ErrorCode::kUnauthenticated, std::move(message)};
}

// ---- RAII for the OpenSSL objects used below ----
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

// OpenSSL reports failures on a per-thread queue; clear what a refused key or
// signature left there so it cannot surface in an unrelated later call (TLS).
struct ClearOpensslErrors {
  ~ClearOpensslErrors() { ERR_clear_error(); }
};

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

core::Error BadKey(std::string message) { return core::Error::InvalidRequest("JWK refused: " + std::move(message)); }

// A required base64url member of a JWK, decoded.
core::Result<std::string> Member(const json::object& jwk, std::string_view name) {
  const json::value* value = jwk.if_contains(name);
  if (value == nullptr || !value->is_string()) return BadKey("member \"" + std::string(name) + "\" is missing");
  std::optional<std::string> decoded = Base64UrlDecode(value->get_string());
  if (!decoded || decoded->empty()) return BadKey("member \"" + std::string(name) + "\" is not base64url");
  return std::move(*decoded);
}

std::string_view StringMember(const json::object& object, std::string_view name) {
  const json::value* value = object.if_contains(name);
  if (value == nullptr || !value->is_string()) return {};
  return value->get_string();
}

core::Result<PkeyPtr> FromParams(const char* type, OSSL_PARAM_BLD* builder) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(builder));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return BadKey(std::string("OpenSSL could not build the ") + type + " key");
  }
  return PkeyPtr(raw);
}

core::Result<PkeyPtr> RsaKey(const json::object& jwk) {
  core::Result<std::string> n = Member(jwk, "n");
  if (!n) return n.error();
  core::Result<std::string> e = Member(jwk, "e");
  if (!e) return e.error();
  BnPtr bn_n(BN_bin2bn(Bytes(*n), int(n->size()), nullptr));
  BnPtr bn_e(BN_bin2bn(Bytes(*e), int(e->size()), nullptr));
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> builder(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !builder || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return BadKey("OpenSSL could not read n and e");
  }
  core::Result<PkeyPtr> key = FromParams("RSA", builder.get());
  if (!key) return key;
  if (EVP_PKEY_get_bits(key->get()) < 2048) return BadKey("RSA keys shorter than 2048 bits are not accepted");
  return key;
}

core::Result<PkeyPtr> EcKey(const json::object& jwk, KeyType& type) {
  const std::string_view crv = StringMember(jwk, "crv");
  std::size_t size = 0;
  const char* group = nullptr;
  if (crv == "P-256") {
    size = 32, group = "prime256v1", type = KeyType::kEcP256;
  } else if (crv == "P-384") {
    size = 48, group = "secp384r1", type = KeyType::kEcP384;
  } else {
    return BadKey("EC curve \"" + std::string(crv) + "\" is not supported (P-256, P-384)");
  }
  core::Result<std::string> x = Member(jwk, "x");
  if (!x) return x.error();
  core::Result<std::string> y = Member(jwk, "y");
  if (!y) return y.error();
  // RFC 7518 §6.2.1.2: coordinates are encoded at the full length of the curve.
  if (x->size() != size || y->size() != size) return BadKey("EC coordinates must be " + std::to_string(size) + " bytes");
  std::string point = "\x04" + *x + *y;  // uncompressed SEC1 point
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> builder(OSSL_PARAM_BLD_new());
  if (!builder || OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1) {
    return BadKey("OpenSSL could not read the EC point");
  }
  return FromParams("EC", builder.get());
}

core::Result<PkeyPtr> OkpKey(const json::object& jwk) {
  const std::string_view crv = StringMember(jwk, "crv");
  if (crv != "Ed25519") return BadKey("OKP curve \"" + std::string(crv) + "\" is not supported (Ed25519)");
  core::Result<std::string> x = Member(jwk, "x");
  if (!x) return x.error();
  if (x->size() != 32) return BadKey("an Ed25519 key is 32 bytes");
  EVP_PKEY* raw = EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, Bytes(*x), x->size());
  if (raw == nullptr) return BadKey("OpenSSL could not build the Ed25519 key");
  return PkeyPtr(raw);
}

bool TypeFits(KeyType type, Algorithm alg) {
  switch (alg) {
    case Algorithm::kRS256:
    case Algorithm::kRS384:
    case Algorithm::kRS512:
    case Algorithm::kPS256:
    case Algorithm::kPS384:
    case Algorithm::kPS512:
      return type == KeyType::kRsa;
    case Algorithm::kES256:
      return type == KeyType::kEcP256;
    case Algorithm::kES384:
      return type == KeyType::kEcP384;
    case Algorithm::kEdDSA:
      return type == KeyType::kEd25519;
  }
  return false;
}

bool IsPss(Algorithm alg) { return alg == Algorithm::kPS256 || alg == Algorithm::kPS384 || alg == Algorithm::kPS512; }

// JOSE carries an ECDSA signature as r||s, each at the curve's size (RFC 7518
// §3.4); OpenSSL wants the DER SEQUENCE. Empty on a malformed signature.
std::string RawEcdsaToDer(std::string_view raw, std::size_t coordinate_size) {
  if (raw.size() != 2 * coordinate_size) return {};
  BIGNUM* r = BN_bin2bn(Bytes(raw), int(coordinate_size), nullptr);
  BIGNUM* s = BN_bin2bn(Bytes(raw) + coordinate_size, int(coordinate_size), nullptr);
  std::unique_ptr<ECDSA_SIG, EcdsaSigFree> sig(ECDSA_SIG_new());
  if (r == nullptr || s == nullptr || !sig || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return {};
  }
  const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (length <= 0) return {};
  std::string der(std::size_t(length), '\0');
  unsigned char* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != length) return {};
  return der;
}

core::Result<json::object> DecodeObject(std::string_view part, std::string_view what) {
  std::optional<std::string> text = Base64UrlDecode(part);
  if (!text) return Unauthenticated("token refused: its " + std::string(what) + " is not base64url");
  boost::system::error_code ec;
  json::value value = json::parse(*text, ec);
  if (ec || !value.is_object()) {
    return Unauthenticated("token refused: its " + std::string(what) + " is not a JSON object");
  }
  return std::move(value.as_object());
}

}  // namespace

std::optional<Algorithm> ParseAlgorithm(std::string_view name) {
  for (const AlgorithmInfo& info : kAlgorithms) {
    if (info.name == name) return info.alg;
  }
  return std::nullopt;
}

std::string_view AlgorithmName(Algorithm alg) { return Info(alg).name; }

core::Result<Jwt> ParseJwt(std::string_view token) {
  if (token.empty()) return Unauthenticated("token refused: it is empty");
  if (token.size() > kMaxJwtBytes) {
    return Unauthenticated("token refused: larger than " + std::to_string(kMaxJwtBytes) + " bytes");
  }
  const std::size_t first = token.find('.');
  const std::size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return Unauthenticated("token refused: not a JWS in compact form (three dot-separated parts)");
  }
  core::Result<json::object> header = DecodeObject(token.substr(0, first), "header");
  if (!header) return header.error();
  core::Result<json::object> payload = DecodeObject(token.substr(first + 1, second - first - 1), "payload");
  if (!payload) return payload.error();
  std::optional<std::string> signature = Base64UrlDecode(token.substr(second + 1));
  if (!signature) return Unauthenticated("token refused: its signature is not base64url");

  const json::value* alg_value = header->if_contains("alg");
  if (alg_value == nullptr || !alg_value->is_string()) return Unauthenticated("token refused: its header has no \"alg\"");
  const std::string_view alg_name = alg_value->get_string();
  const std::optional<Algorithm> alg = ParseAlgorithm(alg_name);
  if (!alg) {
    if (alg_name == "none" || alg_name == "None" || alg_name == "NONE") {
      return Unauthenticated("token refused: unsigned (alg \"none\")");
    }
    if (alg_name.starts_with("HS")) {
      return Unauthenticated("token refused: HMAC algorithms are not accepted for tokens signed by an issuer");
    }
    return Unauthenticated("token refused: algorithm not supported");
  }
  if (header->contains("crit")) return Unauthenticated("token refused: its header has \"crit\" extensions");
  const std::string_view typ = StringMember(*header, "typ");
  if (typ.size() >= 6 && (typ.ends_with("at+jwt") || typ.ends_with("AT+JWT"))) {
    return Unauthenticated("token refused: it is an access token (typ at+jwt), not an ID token");
  }
  if (signature->empty()) return Unauthenticated("token refused: its signature is empty");

  Jwt jwt;
  jwt.alg = *alg;
  if (const json::value* kid = header->if_contains("kid")) {
    if (!kid->is_string()) return Unauthenticated("token refused: its \"kid\" is not a string");
    jwt.kid = kid->get_string();
  }
  jwt.header = std::move(*header);
  jwt.payload = std::move(*payload);
  jwt.signing_input = std::string(token.substr(0, second));
  jwt.signature = std::move(*signature);
  return jwt;
}

core::Result<PublicKey> PublicKey::FromJwk(const json::object& jwk) {
  ClearOpensslErrors clear;
  if (jwk.contains("d") || jwk.contains("p") || jwk.contains("k")) {
    return BadKey("it holds private or symmetric key material");
  }
  const std::string_view use = StringMember(jwk, "use");
  if (jwk.contains("use") && use != "sig") return BadKey("its \"use\" is not \"sig\"");
  if (const json::value* ops = jwk.if_contains("key_ops")) {
    bool verify = false;
    if (ops->is_array()) {
      for (const json::value& op : ops->get_array()) verify = verify || (op.is_string() && op.get_string() == "verify");
    }
    if (!verify) return BadKey("its \"key_ops\" do not include \"verify\"");
  }

  PublicKey key;
  key.kid_ = std::string(StringMember(jwk, "kid"));
  const std::string_view kty = StringMember(jwk, "kty");
  core::Result<PkeyPtr> pkey = BadKey("kty \"" + std::string(kty) + "\" is not supported (RSA, EC, OKP)");
  if (kty == "RSA") {
    key.type_ = KeyType::kRsa;
    pkey = RsaKey(jwk);
  } else if (kty == "EC") {
    pkey = EcKey(jwk, key.type_);
  } else if (kty == "OKP") {
    key.type_ = KeyType::kEd25519;
    pkey = OkpKey(jwk);
  }
  if (!pkey) return pkey.error();

  // fromdata does not prove the key is sound (an EC point off the curve, an
  // even RSA modulus): check it as a peer's public key.
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey->get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return BadKey("the public key is not valid");

  if (jwk.contains("alg")) {
    const std::optional<Algorithm> alg = ParseAlgorithm(StringMember(jwk, "alg"));
    if (!alg) return BadKey("its \"alg\" is not a supported signature algorithm");
    if (!TypeFits(key.type_, *alg)) return BadKey("its \"alg\" does not match its key type");
    key.alg_ = alg;
  }
  key.pkey_ = std::shared_ptr<EVP_PKEY>(pkey->release(), PkeyFree{});
  return key;
}

bool PublicKey::Fits(Algorithm alg) const { return TypeFits(type_, alg) && (!alg_ || *alg_ == alg); }

bool VerifySignature(Algorithm alg, std::string_view input, std::string_view signature, const PublicKey& key) {
  if (!key.pkey_ || !key.Fits(alg) || signature.empty()) return false;
  ClearOpensslErrors clear;
  const AlgorithmInfo& info = Info(alg);

  std::string der;
  if (alg == Algorithm::kES256 || alg == Algorithm::kES384) {
    der = RawEcdsaToDer(signature, alg == Algorithm::kES256 ? 32 : 48);
    if (der.empty()) return false;
    signature = der;
  } else if (key.type() == KeyType::kRsa && signature.size() != std::size_t(EVP_PKEY_get_size(key.pkey_.get()))) {
    return false;
  }

  std::unique_ptr<EVP_MD_CTX, MdCtxFree> md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by `md`
  if (!md || EVP_DigestVerifyInit_ex(md.get(), &pctx, info.digest, nullptr, nullptr, key.pkey_.get(), nullptr) != 1) {
    return false;
  }
  if (IsPss(alg) && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
                     EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, info.digest, nullptr) != 1)) {
    return false;
  }
  return EVP_DigestVerify(md.get(), Bytes(signature), signature.size(), Bytes(input), input.size()) == 1;
}

core::Status VerifySignature(const Jwt& jwt, const PublicKey& key) {
  if (!key.Fits(jwt.alg)) {
    return Unauthenticated("token refused: the issuer's key does not fit algorithm " + std::string(AlgorithmName(jwt.alg)));
  }
  if (!VerifySignature(jwt.alg, jwt.signing_input, jwt.signature, key)) {
    return Unauthenticated("token refused: the signature does not verify");
  }
  return {};
}

}  // namespace strata::oidc
