#include "oidc/jose.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "oidc/base64url.h"
#include "oidc/claims.h"
#include "test_keys.h"

namespace strata::oidc {
namespace {

using namespace test;
using namespace std::chrono_literals;

constexpr std::string_view kIssuer = "https://idp.example.com";
constexpr std::string_view kClient = "strata-console";

// ---- base64url ----

TEST(Base64UrlTest, RoundTripsEveryLengthWithoutPadding) {
  std::string bytes;
  for (int length = 0; length < 40; ++length) {
    const std::string encoded = Base64UrlEncode(bytes);
    EXPECT_EQ(encoded.find('='), std::string::npos);
    EXPECT_EQ(Base64UrlDecode(encoded), bytes) << "length " << length;
    bytes += char(0xf0 + length % 16);  // high bytes: exercises '-' and '_'
  }
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(Base64UrlTest, RefusesPaddingForeignCharactersAndNonCanonicalSpellings) {
  EXPECT_FALSE(Base64UrlDecode("QQ=="));   // padding
  EXPECT_FALSE(Base64UrlDecode("+/8"));    // standard alphabet
  EXPECT_FALSE(Base64UrlDecode("QUJD RA")); // whitespace
  EXPECT_FALSE(Base64UrlDecode("QUJDR"));  // length 1 mod 4
  EXPECT_EQ(Base64UrlDecode("QQ"), "A");
  EXPECT_FALSE(Base64UrlDecode("QR"));     // same byte, non-zero leftover bits
}

TEST(Base64UrlTest, StandardBase64KeepsPadding) {
  EXPECT_EQ(Base64Encode("client:secret"), "Y2xpZW50OnNlY3JldA==");
}

// ---- parsing ----

std::string Part(std::string_view json) { return Base64UrlEncode(json); }

core::Error ParseError(std::string_view token) {
  core::Result<Jwt> jwt = ParseJwt(token);
  EXPECT_FALSE(jwt);
  return jwt ? core::Error() : jwt.error();
}

TEST(ParseJwtTest, SplitsAWellFormedToken) {
  const std::string token = Part(R"({"alg":"RS256","kid":"k1"})") + "." + Part(R"({"sub":"x"})") + ".c2ln";
  core::Result<Jwt> jwt = ParseJwt(token);
  ASSERT_TRUE(jwt) << jwt.error().message();
  EXPECT_EQ(jwt->alg, Algorithm::kRS256);
  EXPECT_EQ(jwt->kid, "k1");
  EXPECT_EQ(jwt->payload.at("sub").as_string(), "x");
  EXPECT_EQ(jwt->signature, "sig");
  EXPECT_EQ(jwt->signing_input, token.substr(0, token.rfind('.')));
}

TEST(ParseJwtTest, RefusesMalformedTokensSayingWhy) {
  const std::string header = Part(R"({"alg":"RS256"})");
  const std::string payload = Part(R"({"sub":"x"})");
  EXPECT_EQ(ParseError("").code(), core::ErrorCode::kUnauthenticated);
  EXPECT_NE(ParseError(header + "." + payload).message().find("three"), std::string::npos);
  EXPECT_NE(ParseError(header + "." + payload + ".a.b.c").message().find("three"), std::string::npos);  // a JWE
  EXPECT_NE(ParseError(header + ".%%%.c2ln").message().find("payload is not base64url"), std::string::npos);
  EXPECT_NE(ParseError(Part("[1]") + "." + payload + ".c2ln").message().find("header is not a JSON object"),
            std::string::npos);
  EXPECT_NE(ParseError(header + "." + Part("not json") + ".c2ln").message().find("payload is not a JSON object"),
            std::string::npos);
  EXPECT_NE(ParseError(Part(R"({"typ":"JWT"})") + "." + payload + ".c2ln").message().find("no \"alg\""),
            std::string::npos);
  EXPECT_NE(ParseError(header + "." + payload + ".").message().find("signature is empty"), std::string::npos);
  EXPECT_NE(ParseError(std::string(kMaxJwtBytes + 1, 'a')).message().find("larger"), std::string::npos);
}

TEST(ParseJwtTest, RefusesAlgNoneWhateverItsCase) {
  for (std::string_view alg : {"none", "None", "NONE"}) {
    const std::string token = Part(R"({"alg":")" + std::string(alg) + R"("})") + "." + Part(R"({"sub":"x"})") + ".c2ln";
    EXPECT_NE(ParseError(token).message().find("unsigned"), std::string::npos) << alg;
  }
  // Nor with the signature left off, as "none" tokens are usually sent.
  EXPECT_EQ(ParseError(Part(R"({"alg":"none"})") + "." + Part(R"({"sub":"x"})") + ".").code(),
            core::ErrorCode::kUnauthenticated);
}

TEST(ParseJwtTest, RefusesHmacAndUnknownAlgorithms) {
  for (std::string_view alg : {"HS256", "HS384", "HS512"}) {
    const std::string token = Part(R"({"alg":")" + std::string(alg) + R"("})") + "." + Part(R"({"sub":"x"})") + ".c2ln";
    EXPECT_NE(ParseError(token).message().find("HMAC"), std::string::npos) << alg;
  }
  EXPECT_NE(ParseError(Part(R"({"alg":"ES512"})") + "." + Part("{}") + ".c2ln").message().find("not supported"),
            std::string::npos);
  EXPECT_FALSE(ParseAlgorithm("none"));
  EXPECT_FALSE(ParseAlgorithm("HS256"));
  EXPECT_EQ(ParseAlgorithm("EdDSA"), Algorithm::kEdDSA);
}

TEST(ParseJwtTest, RefusesCriticalExtensionsAndAccessTokens) {
  EXPECT_NE(ParseError(Part(R"({"alg":"RS256","crit":["exp"]})") + "." + Part("{}") + ".c2ln").message().find("crit"),
            std::string::npos);
  EXPECT_NE(ParseError(Part(R"({"alg":"RS256","typ":"at+jwt"})") + "." + Part("{}") + ".c2ln").message().find("access token"),
            std::string::npos);
}

// ---- JWK ----

TEST(PublicKeyTest, BuildsRsaEcAndEd25519KeysFromJwks) {
  for (const TestKey* key : {&Rsa(), &P256(), &P384(), &Ed()}) {
    core::Result<PublicKey> built = PublicKey::FromJwk(Jwk(*key));
    ASSERT_TRUE(built) << key->kid << ": " << built.error().message();
    EXPECT_EQ(built->kid(), key->kid);
    EXPECT_EQ(built->type(), key->type);
    EXPECT_FALSE(built->alg());
  }
}

std::string JwkError(const json::object& jwk) {
  core::Result<PublicKey> key = PublicKey::FromJwk(jwk);
  EXPECT_FALSE(key);
  return key ? std::string() : key.error().message();
}

TEST(PublicKeyTest, RefusesWeakBrokenAndNonSigningKeys) {
  EXPECT_NE(JwkError(Jwk(MakeRsaKey("short", 1024))).find("2048"), std::string::npos);

  json::object off_curve = Jwk(P256());
  std::string y = *Base64UrlDecode(off_curve["y"].as_string());
  y.back() ^= 1;
  off_curve["y"] = Base64UrlEncode(y);
  EXPECT_FALSE(JwkError(off_curve).empty());

  json::object short_x = Jwk(P256());
  short_x["x"] = Base64UrlEncode(Base64UrlDecode(short_x["x"].as_string())->substr(1));
  EXPECT_NE(JwkError(short_x).find("32 bytes"), std::string::npos);

  json::object private_key = Jwk(P256());
  private_key["d"] = "AAAA";
  EXPECT_NE(JwkError(private_key).find("private"), std::string::npos);

  json::object encryption = Jwk(Rsa());
  encryption["use"] = "enc";
  EXPECT_NE(JwkError(encryption).find("use"), std::string::npos);

  json::object mismatched = Jwk(Rsa());
  mismatched["alg"] = "ES256";
  EXPECT_NE(JwkError(mismatched).find("does not match"), std::string::npos);

  json::object secret{{"kty", "oct"}, {"k", "c2VjcmV0"}};
  EXPECT_FALSE(JwkError(secret).empty());
  EXPECT_NE(JwkError(json::object{{"kty", "EC"}, {"crv", "P-521"}, {"x", "AA"}, {"y", "AA"}}).find("P-521"),
            std::string::npos);
  EXPECT_NE(JwkError(json::object{{"kty", "OKP"}, {"crv", "X25519"}, {"x", "AA"}}).find("X25519"), std::string::npos);
}

// ---- signatures, every algorithm ----

struct AlgCase {
  Algorithm alg;
  const TestKey& (*key)();
};

void PrintTo(const AlgCase& c, std::ostream* os) { *os << AlgorithmName(c.alg); }

class SignatureTest : public ::testing::TestWithParam<AlgCase> {};

TEST_P(SignatureTest, AcceptsAValidTokenAndRefusesAnyTampering) {
  const AlgCase& c = GetParam();
  const TestKey& key = c.key();
  core::Result<PublicKey> public_key = PublicKey::FromJwk(Jwk(key));
  ASSERT_TRUE(public_key) << public_key.error().message();
  const auto now = std::chrono::system_clock::now();
  const std::string token = MakeToken(key, c.alg, Claims(kIssuer, kClient, now));

  core::Result<Jwt> jwt = ParseJwt(token);
  ASSERT_TRUE(jwt) << jwt.error().message();
  EXPECT_TRUE(VerifySignature(*jwt, *public_key)) << AlgorithmName(c.alg);

  // The same header and signature over a payload whose "sub" was changed.
  const std::size_t dot = token.find('.');
  const std::size_t dot2 = token.find('.', dot + 1);
  json::object tampered_claims = Claims(kIssuer, kClient, now);
  tampered_claims["sub"] = "user-43";
  const std::string tampered_payload =
      token.substr(0, dot + 1) + Base64UrlEncode(json::serialize(tampered_claims)) + token.substr(dot2);
  core::Result<Jwt> tampered = ParseJwt(tampered_payload);
  ASSERT_TRUE(tampered);
  EXPECT_EQ(VerifySignature(*tampered, *public_key).error().message(), "token refused: the signature does not verify");

  // Flip bits of the signature, first and last byte.
  for (std::size_t at : {std::size_t(0), jwt->signature.size() - 1}) {
    Jwt bad = *jwt;
    bad.signature[at] ^= 0x01;
    EXPECT_FALSE(VerifySignature(bad, *public_key)) << AlgorithmName(c.alg) << " byte " << at;
  }
  // A truncated signature.
  Jwt truncated = *jwt;
  truncated.signature.pop_back();
  EXPECT_FALSE(VerifySignature(truncated, *public_key));
}

INSTANTIATE_TEST_SUITE_P(
    EveryAlgorithm, SignatureTest,
    ::testing::Values(AlgCase{Algorithm::kRS256, &Rsa}, AlgCase{Algorithm::kRS384, &Rsa}, AlgCase{Algorithm::kRS512, &Rsa},
                      AlgCase{Algorithm::kPS256, &Rsa}, AlgCase{Algorithm::kPS384, &Rsa}, AlgCase{Algorithm::kPS512, &Rsa},
                      AlgCase{Algorithm::kES256, &P256}, AlgCase{Algorithm::kES384, &P384},
                      AlgCase{Algorithm::kEdDSA, &Ed}),
    [](const ::testing::TestParamInfo<AlgCase>& info) { return std::string(AlgorithmName(info.param.alg)); });

TEST(SignatureTest, RefusesAnRsaSignatureRelabelledWithAnotherAlgorithm) {
  const PublicKey key = *PublicKey::FromJwk(Jwk(Rsa()));
  const std::string input = "header.payload";
  const std::string rs256 = Sign(Rsa(), Algorithm::kRS256, input);
  EXPECT_TRUE(VerifySignature(Algorithm::kRS256, input, rs256, key));
  EXPECT_FALSE(VerifySignature(Algorithm::kPS256, input, rs256, key));
  EXPECT_FALSE(VerifySignature(Algorithm::kRS384, input, rs256, key));
  // An RSA key never verifies an EC or EdDSA algorithm, whatever the bytes.
  EXPECT_FALSE(key.Fits(Algorithm::kES256));
  EXPECT_FALSE(VerifySignature(Algorithm::kES256, input, std::string(64, 'x'), key));
}

TEST(SignatureTest, AKeyPinnedToAnAlgorithmVerifiesOnlyThatOne) {
  json::object jwk = Jwk(Rsa());
  jwk["alg"] = "PS256";
  const PublicKey key = *PublicKey::FromJwk(jwk);
  const std::string input = "header.payload";
  EXPECT_TRUE(VerifySignature(Algorithm::kPS256, input, Sign(Rsa(), Algorithm::kPS256, input), key));
  EXPECT_FALSE(VerifySignature(Algorithm::kRS256, input, Sign(Rsa(), Algorithm::kRS256, input), key));
}

TEST(SignatureTest, EcdsaWantsTheJoseRawFormNotDer) {
  const PublicKey key = *PublicKey::FromJwk(Jwk(P256()));
  const std::string input = "header.payload";
  const std::string der = SignDer(P256(), Algorithm::kES256, input);
  EXPECT_FALSE(VerifySignature(Algorithm::kES256, input, der, key));
  EXPECT_TRUE(VerifySignature(Algorithm::kES256, input, DerToRaw(der, 32), key));
  // r||s at the wrong width (P-384's) is refused, not truncated.
  std::string wide = DerToRaw(der, 48);
  EXPECT_FALSE(VerifySignature(Algorithm::kES256, input, wide, key));
  // Zero r and s: OpenSSL must refuse them (the "psychic signatures" bug, CVE-2022-21449 in Java).
  EXPECT_FALSE(VerifySignature(Algorithm::kES256, input, std::string(64, '\0'), key));
}

TEST(SignatureTest, EcdsaHandlesRAndSWithLeadingZeroBytes) {
  // About 1 in 128 signatures has r or s below 2^248: its DER integer is
  // shorter, and the raw form must be left-padded. Sign until both cases occurred.
  const PublicKey key = *PublicKey::FromJwk(Jwk(P256()));
  bool short_r = false;
  bool short_s = false;
  for (int i = 0; i < 5000 && !(short_r && short_s); ++i) {
    const std::string input = "message-" + std::to_string(i);
    const std::string raw = Sign(P256(), Algorithm::kES256, input);
    const bool r_zero = raw[0] == '\0';
    const bool s_zero = raw[32] == '\0';
    if (!r_zero && !s_zero) continue;
    short_r = short_r || r_zero;
    short_s = short_s || s_zero;
    EXPECT_TRUE(VerifySignature(Algorithm::kES256, input, raw, key)) << "message " << i;
  }
  EXPECT_TRUE(short_r && short_s);
}

TEST(SignatureTest, KeysOfAnotherIssuerDoNotVerify) {
  const PublicKey other = *PublicKey::FromJwk(Jwk(Rsa2()));
  const std::string input = "header.payload";
  EXPECT_FALSE(VerifySignature(Algorithm::kRS256, input, Sign(Rsa(), Algorithm::kRS256, input), other));
  const PublicKey other_ec = *PublicKey::FromJwk(Jwk(MakeEcKey("other")));
  EXPECT_FALSE(VerifySignature(Algorithm::kES256, input, Sign(P256(), Algorithm::kES256, input), other_ec));
  const PublicKey other_ed = *PublicKey::FromJwk(Jwk(MakeEdKey("other")));
  EXPECT_FALSE(VerifySignature(Algorithm::kEdDSA, input, Sign(Ed(), Algorithm::kEdDSA, input), other_ed));
}

}  // namespace
}  // namespace strata::oidc
