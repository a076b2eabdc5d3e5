// The authorization-code flow with PKCE against a real HTTP issuer on
// loopback (fake_idp.h), whose token endpoint checks the code, the
// redirect_uri, SHA256(code_verifier) == code_challenge and the client's
// credentials.
#include "oidc/relying_party.h"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "fake_idp.h"
#include "support/run_coroutine.h"

namespace strata::oidc {
namespace {

using namespace test;
using namespace std::chrono_literals;
using strata::testing::RunCoroutine;

constexpr std::string_view kRedirect = "http://127.0.0.1:4100/auth/callback";

class RelyingPartyTest : public ::testing::Test {
 protected:
  RelyingParty& Rp(ClientAuth auth = ClientAuth::kClientSecretBasic, std::string secret = "console-secret") {
    OidcOptions options;
    options.issuer = idp_.issuer();
    options.client_id = "strata-console";
    options.client_secret = secret;
    options.client_auth = auth;
    options.redirect_uri = std::string(kRedirect);
    EXPECT_TRUE(Validate(options));
    idp_.ExpectClient(options.client_id, secret);
    cache_ = std::make_shared<JwksCache>(idp_.issuer(), options.jwks);
    rp_ = std::make_unique<RelyingParty>(options, cache_);
    return *rp_;
  }

  LoginStart Begin() {
    core::Result<LoginStart> start = RunCoroutine(io_, rp_->BeginLogin(client_, SystemClock::now()));
    EXPECT_TRUE(start) << start.error().message();
    return start ? *start : LoginStart{};
  }

  core::Result<IdentityClaims> Finish(PendingLogin pending, Callback callback,
                                      SystemClock::time_point now = SystemClock::now()) {
    return RunCoroutine(io_, rp_->FinishLogin(std::move(pending), std::move(callback), client_, now));
  }

  FakeIdp idp_;
  boost::asio::io_context io_;
  http::Client client_{io_.get_executor(), http::ClientOptions{}};
  std::shared_ptr<JwksCache> cache_;
  std::unique_ptr<RelyingParty> rp_;
};

TEST_F(RelyingPartyTest, BeginLoginBuildsTheAuthorizationUrlWithPkce) {
  Rp();
  const LoginStart start = Begin();
  const std::string prefix = idp_.issuer() + "/authorize?";
  ASSERT_EQ(start.authorization_url.substr(0, prefix.size()), prefix);
  std::map<std::string, std::string> query = ParseForm(std::string_view(start.authorization_url).substr(prefix.size()));
  EXPECT_EQ(query["response_type"], "code");
  EXPECT_EQ(query["client_id"], "strata-console");
  EXPECT_EQ(query["redirect_uri"], kRedirect);
  EXPECT_EQ(query["scope"], "openid email profile groups");
  EXPECT_EQ(query["state"], start.pending.state);
  EXPECT_EQ(query["nonce"], start.pending.nonce);
  EXPECT_EQ(query["code_challenge_method"], "S256");
  EXPECT_EQ(query["code_challenge"], S256(start.pending.code_verifier));
  EXPECT_EQ(query.count("code_verifier"), 0u);  // the verifier never leaves the server
  EXPECT_EQ(start.authorization_url.find("console-secret"), std::string::npos);
  // The redirect_uri is percent-encoded, not pasted.
  EXPECT_NE(start.authorization_url.find("redirect_uri=http%3A%2F%2F127.0.0.1%3A4100%2Fauth%2Fcallback"),
            std::string::npos);
}

TEST_F(RelyingPartyTest, EveryLoginGetsFreshHighEntropyValues) {
  Rp();
  const LoginStart a = Begin();
  const LoginStart b = Begin();
  for (const std::string* value : {&a.pending.state, &a.pending.nonce, &a.pending.code_verifier}) {
    EXPECT_EQ(value->size(), 43u);  // 32 random bytes, base64url
    EXPECT_TRUE(Base64UrlDecode(*value));
  }
  EXPECT_NE(a.pending.state, b.pending.state);
  EXPECT_NE(a.pending.nonce, b.pending.nonce);
  EXPECT_NE(a.pending.code_verifier, b.pending.code_verifier);
  EXPECT_NE(a.pending.state, a.pending.nonce);
  EXPECT_EQ(idp_.discovery_requests(), 1);  // the discovery document is cached
}

TEST_F(RelyingPartyTest, CompletesALoginWithClientSecretBasic) {
  Rp(ClientAuth::kClientSecretBasic);
  const LoginStart start = Begin();
  const Callback callback = idp_.Authorize(start.authorization_url);
  ASSERT_FALSE(callback.code.empty()) << callback.error;
  core::Result<IdentityClaims> identity = Finish(start.pending, callback);
  ASSERT_TRUE(identity) << identity.error().message();
  EXPECT_EQ(identity->sub, "user-42");
  EXPECT_EQ(identity->iss, idp_.issuer());
  EXPECT_EQ(identity->email, "ada@example.com");
  EXPECT_EQ(identity->name, "Ada Lovelace");
  EXPECT_EQ(identity->groups, (std::vector<std::string>{"strata-devs", "everyone"}));
  EXPECT_EQ(idp_.last_client_auth(), "basic");
  EXPECT_EQ(idp_.token_requests(), 1);
  EXPECT_EQ(idp_.pkce_failures(), 0);
}

TEST_F(RelyingPartyTest, CompletesALoginWithClientSecretPost) {
  Rp(ClientAuth::kClientSecretPost);
  const LoginStart start = Begin();
  core::Result<IdentityClaims> identity = Finish(start.pending, idp_.Authorize(start.authorization_url));
  ASSERT_TRUE(identity) << identity.error().message();
  EXPECT_EQ(idp_.last_client_auth(), "post");
}

TEST_F(RelyingPartyTest, APublicClientSendsNoSecretAndReliesOnPkce) {
  Rp(ClientAuth::kClientSecretBasic, "");
  const LoginStart start = Begin();
  core::Result<IdentityClaims> identity = Finish(start.pending, idp_.Authorize(start.authorization_url));
  ASSERT_TRUE(identity) << identity.error().message();
  EXPECT_EQ(idp_.last_client_auth(), "none");
}

TEST_F(RelyingPartyTest, AWrongClientSecretIsRefused) {
  Rp(ClientAuth::kClientSecretBasic);
  idp_.ExpectClient("strata-console", "the-real-secret");
  const LoginStart start = Begin();
  core::Result<IdentityClaims> identity = Finish(start.pending, idp_.Authorize(start.authorization_url));
  ASSERT_FALSE(identity);
  EXPECT_EQ(identity.error().code(), core::ErrorCode::kUnauthenticated);
  EXPECT_NE(identity.error().message().find("invalid_client"), std::string::npos);
}

TEST_F(RelyingPartyTest, TheTokenEndpointRefusesAWrongCodeVerifier) {
  Rp();
  const LoginStart start = Begin();
  const Callback callback = idp_.Authorize(start.authorization_url);
  PendingLogin pending = start.pending;
  pending.code_verifier = Begin().pending.code_verifier;  // another login's verifier
  core::Result<IdentityClaims> identity = Finish(pending, callback);
  ASSERT_FALSE(identity);
  EXPECT_EQ(identity.error().code(), core::ErrorCode::kUnauthenticated);
  EXPECT_NE(identity.error().message().find("invalid_grant"), std::string::npos);
  EXPECT_EQ(idp_.pkce_failures(), 1);
}

TEST_F(RelyingPartyTest, AStateMismatchIsRefusedBeforeTheCodeIsRedeemed) {
  Rp();
  const LoginStart start = Begin();
  Callback callback = idp_.Authorize(start.authorization_url);
  callback.state = Begin().pending.state;  // a callback meant for another login (login CSRF)
  core::Result<IdentityClaims> identity = Finish(start.pending, callback);
  ASSERT_FALSE(identity);
  EXPECT_EQ(identity.error().code(), core::ErrorCode::kUnauthenticated);
  EXPECT_NE(identity.error().message().find("state"), std::string::npos);
  callback.state = "";
  EXPECT_FALSE(Finish(start.pending, callback));
  EXPECT_EQ(idp_.token_requests(), 0);
}

TEST_F(RelyingPartyTest, ANonceMismatchIsRefused) {
  Rp();
  const LoginStart start = Begin();
  const Callback callback = idp_.Authorize(start.authorization_url);
  PendingLogin pending = start.pending;
  pending.nonce = Begin().pending.nonce;  // the ID token was minted for another login
  core::Result<IdentityClaims> identity = Finish(pending, callback);
  ASSERT_FALSE(identity);
  EXPECT_EQ(identity.error().code(), core::ErrorCode::kUnauthenticated);
  EXPECT_NE(identity.error().message().find("\"nonce\" does not match"), std::string::npos);
}

TEST_F(RelyingPartyTest, RefusesIdTokensThatFailTheClaimChecks) {
  Rp();
  const std::vector<std::pair<json::object, std::string>> cases = {
      {{{"iss", "https://evil.example"}}, "\"iss\""},
      {{{"aud", "another-app"}}, "\"aud\""},
      {{{"exp", Seconds(SystemClock::now()) - 3600}}, "expired"},
      {{{"nbf", Seconds(SystemClock::now()) + 3600}}, "not yet valid"},
  };
  for (const auto& [patch, reason] : cases) {
    idp_.PatchClaims(patch);
    const LoginStart start = Begin();
    core::Result<IdentityClaims> identity = Finish(start.pending, idp_.Authorize(start.authorization_url));
    ASSERT_FALSE(identity) << reason;
    EXPECT_EQ(identity.error().code(), core::ErrorCode::kUnauthenticated);
    EXPECT_NE(identity.error().message().find(reason), std::string::npos) << identity.error().message();
  }
}

TEST_F(RelyingPartyTest, AcceptsIdTokensSignedWithEcAndEdKeys) {
  Rp();
  for (auto [key, alg] : {std::pair{&P256(), Algorithm::kES256}, std::pair{&Ed(), Algorithm::kEdDSA}}) {
    idp_.SetKeys({*key}, alg);
    cache_ = std::make_shared<JwksCache>(idp_.issuer(), JwksOptions{});
    rp_ = std::make_unique<RelyingParty>(rp_->options(), cache_);
    const LoginStart start = Begin();
    core::Result<IdentityClaims> identity = Finish(start.pending, idp_.Authorize(start.authorization_url));
    EXPECT_TRUE(identity) << AlgorithmName(alg) << ": " << identity.error().message();
  }
}

TEST_F(RelyingPartyTest, AnIssuerErrorOnTheCallbackIsRefusedWithoutEchoingItsText) {
  Rp();
  const LoginStart start = Begin();
  Callback callback = ParseCallback("/auth/callback?error=access_denied&error_description=%3Cscript%3E&state=" +
                                    start.pending.state);
  core::Result<IdentityClaims> identity = Finish(start.pending, callback);
  ASSERT_FALSE(identity);
  EXPECT_EQ(identity.error().code(), core::ErrorCode::kUnauthenticated);
  EXPECT_NE(identity.error().message().find("access_denied"), std::string::npos);
  EXPECT_EQ(identity.error().message().find("script"), std::string::npos);
  callback.error = "bad\r\nInjected: header";
  EXPECT_EQ(Finish(start.pending, callback).error().message().find('\n'), std::string::npos);
  EXPECT_EQ(idp_.token_requests(), 0);
}

TEST_F(RelyingPartyTest, AnExpiredPendingLoginIsRefused) {
  Rp();
  const LoginStart start = Begin();
  const Callback callback = idp_.Authorize(start.authorization_url);
  core::Result<IdentityClaims> identity = Finish(start.pending, callback, SystemClock::now() + 11min);
  ASSERT_FALSE(identity);
  EXPECT_NE(identity.error().message().find("took longer"), std::string::npos);
  EXPECT_EQ(idp_.token_requests(), 0);
}

TEST_F(RelyingPartyTest, ACodeIsRedeemedOnlyOnce) {
  Rp();
  const LoginStart start = Begin();
  const Callback callback = idp_.Authorize(start.authorization_url);
  ASSERT_TRUE(Finish(start.pending, callback));
  core::Result<IdentityClaims> again = Finish(start.pending, callback);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message().find("invalid_grant"), std::string::npos);
}

TEST_F(RelyingPartyTest, AFailingTokenEndpointIsAnUpstreamError) {
  Rp();
  idp_.SetTokenStatus(503);
  const LoginStart start = Begin();
  core::Result<IdentityClaims> identity = Finish(start.pending, idp_.Authorize(start.authorization_url));
  ASSERT_FALSE(identity);
  EXPECT_EQ(identity.error().code(), core::ErrorCode::kUpstreamUnavailable);
}

TEST(ParseCallbackTest, ReadsAndDecodesTheParameters) {
  const Callback callback =
      ParseCallback("/auth/callback?code=a%2Bb%3D&state=xyz&code=second&error_description=two+words#frag");
  EXPECT_EQ(callback.code, "a+b=");
  EXPECT_EQ(callback.state, "xyz");
  EXPECT_EQ(callback.error, "");
  EXPECT_EQ(callback.error_description, "two words");
  EXPECT_EQ(ParseCallback("code=c&state=s").code, "c");
  EXPECT_EQ(ParseCallback("/auth/callback").code, "");
  EXPECT_EQ(ParseCallback("/cb?code=%zz").code, "%zz");  // a broken escape stays as is
}

TEST(CodeChallengeTest, MatchesTheRfc7636Example) {
  // RFC 7636 appendix B.
  EXPECT_EQ(CodeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  EXPECT_EQ(FormEncode("a b/c?d=é~"), "a%20b%2Fc%3Fd%3D%C3%A9~");
}

}  // namespace
}  // namespace strata::oidc
