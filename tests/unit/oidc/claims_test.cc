#include "oidc/claims.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "test_keys.h"

namespace strata::oidc {
namespace {

using namespace test;
using namespace std::chrono_literals;

constexpr std::string_view kIssuer = "https://idp.example.com";
constexpr std::string_view kClient = "strata-console";
const SystemClock::time_point kNow = SystemClock::time_point(std::chrono::seconds(1'760'000'000));

ClaimChecks Checks(std::optional<std::string> nonce = std::nullopt) {
  ClaimChecks checks;
  checks.issuer = std::string(kIssuer);
  checks.client_id = std::string(kClient);
  checks.nonce = std::move(nonce);
  return checks;
}

// The message of the refusal; fails the test if the claims pass.
std::string Refusal(const json::object& claims, const ClaimChecks& checks = Checks(), SystemClock::time_point now = kNow) {
  core::Result<IdentityClaims> result = CheckClaims(claims, checks, now);
  EXPECT_FALSE(result);
  if (result) return {};
  EXPECT_EQ(result.error().code(), core::ErrorCode::kUnauthenticated);
  return result.error().message();
}

TEST(CheckClaimsTest, AcceptsValidClaimsAndExtractsTheIdentity) {
  core::Result<IdentityClaims> identity = CheckClaims(Claims(kIssuer, kClient, kNow, "n-1"), Checks("n-1"), kNow);
  ASSERT_TRUE(identity) << identity.error().message();
  EXPECT_EQ(identity->sub, "user-42");
  EXPECT_EQ(identity->iss, kIssuer);
  EXPECT_EQ(identity->email, "ada@example.com");
  EXPECT_TRUE(identity->email_verified);
  EXPECT_EQ(identity->name, "Ada Lovelace");
  EXPECT_EQ(identity->groups, (std::vector<std::string>{"strata-devs", "everyone"}));
  EXPECT_EQ(identity->expires_at, kNow + 300s);
  EXPECT_EQ(identity->issued_at, kNow);
}

TEST(CheckClaimsTest, RefusesAnotherIssuerWithoutQuotingIt) {
  json::object claims = Claims("https://evil.example", kClient, kNow);
  const std::string message = Refusal(claims);
  EXPECT_NE(message.find("\"iss\""), std::string::npos);
  EXPECT_EQ(message.find("evil"), std::string::npos);
  // Exact match: no trailing-slash or case normalization.
  EXPECT_FALSE(Refusal(Claims("https://idp.example.com/", kClient, kNow)).empty());
  EXPECT_FALSE(Refusal(Claims("https://IDP.example.com", kClient, kNow)).empty());
}

TEST(CheckClaimsTest, AudienceMustContainTheClientId) {
  EXPECT_NE(Refusal(Claims(kIssuer, "another-app", kNow)).find("\"aud\""), std::string::npos);
  json::object missing = Claims(kIssuer, kClient, kNow);
  missing.erase("aud");
  EXPECT_NE(Refusal(missing).find("\"aud\""), std::string::npos);

  json::object single_in_array = Claims(kIssuer, kClient, kNow);
  single_in_array["aud"] = json::array{kClient};
  EXPECT_TRUE(CheckClaims(single_in_array, Checks(), kNow));
}

TEST(CheckClaimsTest, SeveralAudiencesNeedAnAzpNamingThisClient) {
  json::object claims = Claims(kIssuer, kClient, kNow);
  claims["aud"] = json::array{"other-api", kClient};
  EXPECT_NE(Refusal(claims).find("azp"), std::string::npos);
  claims["azp"] = "other-api";
  EXPECT_NE(Refusal(claims).find("another client"), std::string::npos);
  claims["azp"] = kClient;
  EXPECT_TRUE(CheckClaims(claims, Checks(), kNow));
}

TEST(CheckClaimsTest, RefusesExpiredTokensBeyondTheLeeway) {
  const json::object claims = Claims(kIssuer, kClient, kNow);  // exp = now + 300 s
  EXPECT_TRUE(CheckClaims(claims, Checks(), kNow + 300s + 59s));
  EXPECT_NE(Refusal(claims, Checks(), kNow + 300s + 60s).find("expired"), std::string::npos);
  ClaimChecks strict = Checks();
  strict.leeway = 0s;
  EXPECT_NE(Refusal(claims, strict, kNow + 300s).find("expired"), std::string::npos);

  json::object no_exp = claims;
  no_exp.erase("exp");
  EXPECT_NE(Refusal(no_exp).find("\"exp\" is missing"), std::string::npos);
  json::object string_exp = claims;
  string_exp["exp"] = "tomorrow";
  EXPECT_NE(Refusal(string_exp).find("\"exp\""), std::string::npos);
}

TEST(CheckClaimsTest, RefusesTokensNotYetValid) {
  json::object claims = Claims(kIssuer, kClient, kNow);
  claims["nbf"] = Seconds(kNow) + 120;
  EXPECT_NE(Refusal(claims).find("not yet valid"), std::string::npos);
  claims["nbf"] = Seconds(kNow) + 30;  // within the leeway
  EXPECT_TRUE(CheckClaims(claims, Checks(), kNow));
  claims["nbf"] = 1.5e9;  // fractional seconds are NumericDates too
  EXPECT_TRUE(CheckClaims(claims, Checks(), kNow));
}

TEST(CheckClaimsTest, RefusesTokensIssuedInTheFutureOrWithoutIat) {
  json::object claims = Claims(kIssuer, kClient, kNow);
  claims["iat"] = Seconds(kNow) + 3600;
  EXPECT_NE(Refusal(claims).find("\"iat\""), std::string::npos);
  claims.erase("iat");
  EXPECT_NE(Refusal(claims).find("\"iat\" is missing"), std::string::npos);
  claims["iat"] = -5;
  EXPECT_NE(Refusal(claims).find("\"iat\""), std::string::npos);
}

TEST(CheckClaimsTest, NonceMustMatchTheLogin) {
  EXPECT_NE(Refusal(Claims(kIssuer, kClient, kNow, "n-1"), Checks("n-2")).find("\"nonce\" does not match"),
            std::string::npos);
  EXPECT_NE(Refusal(Claims(kIssuer, kClient, kNow), Checks("n-1")).find("\"nonce\" is missing"), std::string::npos);
  // Without an expected nonce (a bearer token), none is required.
  EXPECT_TRUE(CheckClaims(Claims(kIssuer, kClient, kNow, "n-1"), Checks(), kNow));
}

TEST(CheckClaimsTest, RefusesAMissingSubject) {
  json::object claims = Claims(kIssuer, kClient, kNow);
  claims["sub"] = "";
  EXPECT_NE(Refusal(claims).find("\"sub\""), std::string::npos);
}

TEST(ExtractGroupsTest, ReadsArraysSingleStringsAndNestedPaths) {
  const json::object payload = boost::json::parse(R"({
      "groups": ["a", 7, "b", null],
      "team": "solo",
      "realm_access": {"roles": ["kc-admin"]},
      "odd.name": ["literal"]})").as_object();
  EXPECT_EQ(ExtractGroups(payload, "groups"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ExtractGroups(payload, "team"), (std::vector<std::string>{"solo"}));
  EXPECT_EQ(ExtractGroups(payload, "realm_access.roles"), (std::vector<std::string>{"kc-admin"}));
  EXPECT_EQ(ExtractGroups(payload, "odd.name"), (std::vector<std::string>{"literal"}));
  EXPECT_TRUE(ExtractGroups(payload, "missing").empty());
  EXPECT_TRUE(ExtractGroups(payload, "realm_access.nothing").empty());
  EXPECT_TRUE(ExtractGroups(payload, "team.deeper").empty());
}

// ---- the whole offline check ----

std::vector<PublicKey> Keys(std::initializer_list<const TestKey*> keys) {
  std::vector<PublicKey> out;
  for (const TestKey* key : keys) out.push_back(*PublicKey::FromJwk(Jwk(*key)));
  return out;
}

TEST(VerifyIdTokenTest, AcceptsATokenSignedByAnIssuerKey) {
  const std::vector<PublicKey> keys = Keys({&Rsa(), &P256(), &Ed()});
  for (auto [key, alg] : {std::pair{&Rsa(), Algorithm::kRS256}, std::pair{&P256(), Algorithm::kES256},
                          std::pair{&Ed(), Algorithm::kEdDSA}}) {
    const std::string token = MakeToken(*key, alg, Claims(kIssuer, kClient, kNow, "n"));
    core::Result<IdentityClaims> identity = VerifyIdToken(token, keys, Checks("n"), kNow);
    ASSERT_TRUE(identity) << AlgorithmName(alg) << ": " << identity.error().message();
    EXPECT_EQ(identity->sub, "user-42");
  }
}

TEST(VerifyIdTokenTest, UsesOnlyTheKeyTheTokenNames) {
  const std::vector<PublicKey> keys = Keys({&Rsa(), &Rsa2()});
  // Signed by rsa-1 but claiming rsa-2: refused, even though rsa-1 is published.
  const std::string input = SigningInput(Header("RS256", "rsa-2"), Claims(kIssuer, kClient, kNow));
  const std::string forged = input + "." + Base64UrlEncode(Sign(Rsa(), Algorithm::kRS256, input));
  core::Result<IdentityClaims> result = VerifyIdToken(forged, keys, Checks(), kNow);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message().find("signature"), std::string::npos);
  // Without a kid every fitting key is tried.
  const std::string no_kid_input = SigningInput(Header("RS256", ""), Claims(kIssuer, kClient, kNow));
  const std::string no_kid = no_kid_input + "." + Base64UrlEncode(Sign(Rsa2(), Algorithm::kRS256, no_kid_input));
  EXPECT_TRUE(VerifyIdToken(no_kid, keys, Checks(), kNow));
}

TEST(VerifyIdTokenTest, RefusesAWrongAlgorithmForTheKey) {
  // An ES256 header over an RSA key's kid: no key fits.
  const std::vector<PublicKey> keys = Keys({&Rsa()});
  const std::string input = SigningInput(Header("ES256", "rsa-1"), Claims(kIssuer, kClient, kNow));
  const std::string token = input + "." + Base64UrlEncode(std::string(64, 'x'));
  core::Result<IdentityClaims> result = VerifyIdToken(token, keys, Checks(), kNow);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message().find("no key of the issuer matches"), std::string::npos);
}

TEST(VerifyIdTokenTest, RefusesHs256SignedWithThePublicKeyAsSecret) {
  // The classic confusion: HMAC over the token with the issuer's public key
  // as the secret. Refused at the header, before any key is looked at.
  const std::vector<PublicKey> keys = Keys({&Rsa()});
  const std::string input = SigningInput(Header("HS256", "rsa-1"), Claims(kIssuer, kClient, kNow));
  const std::string token = input + "." + Base64UrlEncode(std::string(32, 's'));
  core::Result<IdentityClaims> result = VerifyIdToken(token, keys, Checks(), kNow);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message().find("HMAC"), std::string::npos);
}

TEST(VerifyIdTokenTest, RefusesUnsignedTokens) {
  const std::vector<PublicKey> keys = Keys({&Rsa()});
  const std::string token = SigningInput(Header("none", ""), Claims(kIssuer, kClient, kNow)) + ".";
  core::Result<IdentityClaims> result = VerifyIdToken(token, keys, Checks(), kNow);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), core::ErrorCode::kUnauthenticated);
}

TEST(VerifyIdTokenTest, ChecksClaimsOnlyAfterTheSignature) {
  // An expired token with a bad signature is refused for the signature: the
  // claims of an unverified token are not looked at.
  const std::vector<PublicKey> keys = Keys({&Rsa()});
  std::string token = MakeToken(Rsa(), Algorithm::kRS256, Claims(kIssuer, kClient, kNow - 1h));
  token.back() = token.back() == 'A' ? 'Q' : 'A';
  core::Result<IdentityClaims> result = VerifyIdToken(token, keys, Checks(), kNow);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message().find("signature"), std::string::npos);
  // Well signed but expired: refused for the expiry.
  result = VerifyIdToken(MakeToken(Rsa(), Algorithm::kRS256, Claims(kIssuer, kClient, kNow - 1h)), keys, Checks(), kNow);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message().find("expired"), std::string::npos);
}

}  // namespace
}  // namespace strata::oidc
