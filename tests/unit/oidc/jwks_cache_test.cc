// JwksCache against a real HTTP issuer on loopback (fake_idp.h), with a fake
// steady clock so TTLs and the refetch interval are tested without sleeping.
#include "oidc/jwks_cache.h"

#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "fake_idp.h"
#include "oidc/relying_party.h"
#include "support/run_coroutine.h"

namespace strata::oidc {
namespace {

using namespace test;
using namespace std::chrono_literals;
using strata::testing::RunCoroutine;
using SteadyClock = JwksCache::SteadyClock;

class FakeClock {
 public:
  JwksCache::Now Now() {
    return [this] { return SteadyClock::time_point(std::chrono::seconds(seconds_.load())); };
  }
  void Advance(std::chrono::seconds by) { seconds_ += by.count(); }

 private:
  std::atomic<std::int64_t> seconds_{1'000'000};
};

class JwksCacheTest : public ::testing::Test {
 protected:
  JwksCache& Cache(JwksOptions options = {}) {
    cache_ = std::make_shared<JwksCache>(idp_.issuer(), options, clock_.Now());
    return *cache_;
  }

  core::Result<std::vector<PublicKey>> KeysFor(std::string kid) {
    return RunCoroutine(io_, cache_->KeysFor(std::move(kid), client_));
  }

  // Verifies `token` through the cache, as a RelyingParty does.
  core::Result<IdentityClaims> Verify(const std::string& token) {
    OidcOptions options;
    options.issuer = idp_.issuer();
    options.client_id = "strata-console";
    options.redirect_uri = "http://127.0.0.1/auth/callback";
    RelyingParty rp(options, cache_);
    return RunCoroutine(io_, rp.VerifyIdToken(token, std::nullopt, client_, SystemClock::now()));
  }

  std::string TokenSignedBy(const TestKey& key, Algorithm alg = Algorithm::kRS256) {
    return MakeToken(key, alg, Claims(idp_.issuer(), "strata-console", SystemClock::now()));
  }

  FakeIdp idp_;
  FakeClock clock_;
  boost::asio::io_context io_;
  http::Client client_{io_.get_executor(), http::ClientOptions{}};
  std::shared_ptr<JwksCache> cache_;
};

TEST_F(JwksCacheTest, FetchesDiscoveryThenTheJwksOnceAndServesLaterCallsFromTheCache) {
  Cache();
  for (int i = 0; i < 5; ++i) {
    core::Result<std::vector<PublicKey>> keys = KeysFor("rsa-1");
    ASSERT_TRUE(keys) << keys.error().message();
    ASSERT_EQ(keys->size(), 1u);
    EXPECT_EQ(keys->front().kid(), "rsa-1");
  }
  core::Result<ProviderMetadata> metadata = RunCoroutine(io_, cache_->Metadata(client_));
  ASSERT_TRUE(metadata);
  EXPECT_EQ(metadata->token_endpoint, idp_.issuer() + "/token");
  EXPECT_EQ(metadata->code_challenge_methods_supported, std::vector<std::string>{"S256"});
  EXPECT_EQ(idp_.discovery_requests(), 1);
  EXPECT_EQ(idp_.jwks_requests(), 1);
  EXPECT_TRUE(Verify(TokenSignedBy(Rsa())));
  EXPECT_EQ(idp_.jwks_requests(), 1);
}

TEST_F(JwksCacheTest, AfterKeyRotationATokenWithTheNewKidVerifiesAfterOneRefetch) {
  Cache();
  ASSERT_TRUE(Verify(TokenSignedBy(Rsa())));
  ASSERT_EQ(idp_.jwks_requests(), 1);

  idp_.SetKeys({Rsa2(), P256()});  // the issuer rotates: rsa-1 is withdrawn
  clock_.Advance(31s);             // past the refetch interval, within the cache TTL
  core::Result<IdentityClaims> identity = Verify(TokenSignedBy(Rsa2()));
  ASSERT_TRUE(identity) << identity.error().message();
  EXPECT_EQ(idp_.jwks_requests(), 2);
  EXPECT_EQ(idp_.discovery_requests(), 1);  // the discovery document is still fresh

  EXPECT_TRUE(Verify(TokenSignedBy(P256(), Algorithm::kES256)));
  EXPECT_EQ(idp_.jwks_requests(), 2);
  // The withdrawn key no longer verifies anything.
  core::Result<IdentityClaims> old = Verify(TokenSignedBy(Rsa()));
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error().code(), core::ErrorCode::kUnauthenticated);
}

TEST_F(JwksCacheTest, ForgedKidsCauseAtMostOneFetchPerRefetchInterval) {
  Cache();
  ASSERT_TRUE(KeysFor("rsa-1"));
  ASSERT_EQ(idp_.jwks_requests(), 1);

  for (int i = 0; i < 50; ++i) {
    // Signed by a key the issuer never published, under an invented kid.
    const std::string forged = TokenSignedBy(WithKid(Ed(), "forged-" + std::to_string(i)), Algorithm::kEdDSA);
    core::Result<IdentityClaims> refused = Verify(forged);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code(), core::ErrorCode::kUnauthenticated);
    EXPECT_NE(refused.error().message().find("no key with its \"kid\""), std::string::npos);
  }
  EXPECT_EQ(idp_.jwks_requests(), 1);  // the last fetch was under 30 s ago: none allowed
  EXPECT_EQ(cache_->stats().held_back, 50u);

  clock_.Advance(31s);
  for (int i = 0; i < 50; ++i) EXPECT_FALSE(KeysFor("forged-again-" + std::to_string(i)));
  EXPECT_EQ(idp_.jwks_requests(), 2);  // one refetch for the whole second wave

  clock_.Advance(29s);
  EXPECT_FALSE(KeysFor("forged-later"));
  EXPECT_EQ(idp_.jwks_requests(), 2);
  EXPECT_TRUE(KeysFor("rsa-1"));  // real tokens keep working throughout
}

TEST_F(JwksCacheTest, ConcurrentCallersShareOneFetch) {
  Cache();
  idp_.SetJwksDelay(200ms);
  int succeeded = 0;
  for (int i = 0; i < 10; ++i) {
    boost::asio::co_spawn(io_, cache_->KeysFor("rsa-1", client_),
                          [&succeeded](std::exception_ptr escaped, core::Result<std::vector<PublicKey>> keys) {
                            if (!escaped && keys) ++succeeded;
                          });
  }
  io_.restart();
  io_.run();
  EXPECT_EQ(succeeded, 10);
  EXPECT_EQ(idp_.discovery_requests(), 1);
  EXPECT_EQ(idp_.jwks_requests(), 1);
}

// Asks for keys but gives up after `limit`; true when it gave up.
asio::awaitable<bool> GiveUpAfter(JwksCache& cache, http::Client& client, std::chrono::milliseconds limit) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(co_await asio::this_coro::executor, limit);
  auto outcome = co_await (cache.KeysFor("rsa-1", client) || timer.async_wait(asio::use_awaitable));
  co_return outcome.index() == 1;
}

TEST_F(JwksCacheTest, ACallerGivingUpDoesNotAbortTheFetchOthersWaitFor) {
  Cache();
  idp_.SetJwksDelay(300ms);
  bool gave_up = false;
  bool others_served = false;
  // The first caller starts the fetch, then is cancelled while it runs.
  boost::asio::co_spawn(io_, GiveUpAfter(*cache_, client_, 50ms),
                        [&gave_up](std::exception_ptr, bool result) { gave_up = result; });
  boost::asio::co_spawn(io_, cache_->KeysFor("rsa-1", client_),
                        [&others_served](std::exception_ptr escaped, core::Result<std::vector<PublicKey>> keys) {
                          others_served = !escaped && keys;
                        });
  io_.restart();
  io_.run();
  EXPECT_TRUE(gave_up);
  EXPECT_TRUE(others_served);
  EXPECT_EQ(idp_.jwks_requests(), 1);
  EXPECT_EQ(cache_->stats().failed_refreshes, 0u);
}

TEST_F(JwksCacheTest, CallersOnOtherThreadsWaitForTheFetchInFlight) {
  Cache();
  idp_.SetJwksDelay(300ms);
  std::atomic<int> succeeded{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([this, &succeeded] {
      boost::asio::io_context io;  // one io_context and Client per thread, as workers have
      http::Client client(io.get_executor(), http::ClientOptions{});
      for (int i = 0; i < 4; ++i) {
        boost::asio::co_spawn(io, cache_->KeysFor("rsa-1", client),
                              [&succeeded](std::exception_ptr escaped, core::Result<std::vector<PublicKey>> keys) {
                                if (!escaped && keys) ++succeeded;
                              });
      }
      io.run();
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(succeeded.load(), 12);
  EXPECT_EQ(idp_.jwks_requests(), 1);
}

TEST_F(JwksCacheTest, KeepsKeysForTheirMaxAge) {
  idp_.SetJwksCacheControl("public, max-age=120");
  Cache();
  ASSERT_TRUE(KeysFor("rsa-1"));
  clock_.Advance(119s);
  ASSERT_TRUE(KeysFor("rsa-1"));
  EXPECT_EQ(idp_.jwks_requests(), 1);
  clock_.Advance(1s);
  ASSERT_TRUE(KeysFor("rsa-1"));
  EXPECT_EQ(idp_.jwks_requests(), 2);
  EXPECT_EQ(idp_.discovery_requests(), 1);  // no Cache-Control on it: kept for max_ttl
}

TEST_F(JwksCacheTest, BoundsTheMaxAgeTheIssuerAsksFor) {
  idp_.SetJwksCacheControl("max-age=31536000");  // a year
  Cache();
  ASSERT_TRUE(KeysFor("rsa-1"));
  clock_.Advance(3599s);
  ASSERT_TRUE(KeysFor("rsa-1"));
  EXPECT_EQ(idp_.jwks_requests(), 1);
  clock_.Advance(1s);  // max_ttl, 1 h by default
  ASSERT_TRUE(KeysFor("rsa-1"));
  EXPECT_EQ(idp_.jwks_requests(), 2);
  EXPECT_EQ(idp_.discovery_requests(), 2);
}

TEST_F(JwksCacheTest, NoStoreStillCachesForTheMinimumLifetime) {
  idp_.SetJwksCacheControl("no-store");
  Cache();
  ASSERT_TRUE(KeysFor("rsa-1"));
  clock_.Advance(59s);
  ASSERT_TRUE(KeysFor("rsa-1"));
  EXPECT_EQ(idp_.jwks_requests(), 1);
  clock_.Advance(1s);
  ASSERT_TRUE(KeysFor("rsa-1"));
  EXPECT_EQ(idp_.jwks_requests(), 2);
}

TEST_F(JwksCacheTest, KeepsUsingItsKeysWhileTheIssuerFails) {
  Cache();
  ASSERT_TRUE(KeysFor("rsa-1"));
  idp_.SetJwksStatus(500);
  clock_.Advance(3600s);  // expired
  core::Result<std::vector<PublicKey>> stale = KeysFor("rsa-1");
  ASSERT_TRUE(stale) << stale.error().message();
  EXPECT_EQ(idp_.jwks_requests(), 2);
  EXPECT_EQ(cache_->stats().failed_refreshes, 1u);
  ASSERT_TRUE(KeysFor("rsa-1"));  // no new try within the refetch interval
  EXPECT_EQ(idp_.jwks_requests(), 2);

  idp_.SetJwksStatus(200);
  clock_.Advance(30s);
  ASSERT_TRUE(KeysFor("rsa-1"));
  EXPECT_EQ(idp_.jwks_requests(), 3);
  clock_.Advance(30s);
  ASSERT_TRUE(KeysFor("rsa-1"));  // fresh again
  EXPECT_EQ(idp_.jwks_requests(), 3);
}

TEST_F(JwksCacheTest, AnUnreachableIssuerIsReportedAndNotRetriedAtOnce) {
  cache_ = std::make_shared<JwksCache>("http://127.0.0.1:1", JwksOptions{}, clock_.Now());
  core::Result<std::vector<PublicKey>> first = KeysFor("k");
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code(), core::ErrorCode::kUpstreamUnavailable);
  core::Result<std::vector<PublicKey>> second = KeysFor("k");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), core::ErrorCode::kUpstreamUnavailable);
  EXPECT_NE(second.error().message().find("next try within 30 s"), std::string::npos);
  EXPECT_EQ(cache_->stats().held_back, 1u);
}

TEST_F(JwksCacheTest, RefusesADiscoveryDocumentNamingAnotherIssuer) {
  idp_.SetDiscoveryIssuer("https://evil.example");
  Cache();
  core::Result<std::vector<PublicKey>> keys = KeysFor("rsa-1");
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error().code(), core::ErrorCode::kUpstreamRejected);
  EXPECT_NE(keys.error().message().find("another issuer"), std::string::npos);
  EXPECT_EQ(idp_.jwks_requests(), 0);
}

TEST_F(JwksCacheTest, GivesUpOnASlowIssuerAfterTheFetchTimeout) {
  idp_.SetJwksDelay(2s);
  JwksOptions options;
  options.fetch_timeout = 200ms;
  Cache(options);
  const auto start = std::chrono::steady_clock::now();
  core::Result<std::vector<PublicKey>> keys = KeysFor("rsa-1");
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error().code(), core::ErrorCode::kUpstreamTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
}

TEST_F(JwksCacheTest, SkipsKeysItCannotUseAndKeepsTheRest) {
  json::object encryption = Jwk(Rsa2());
  encryption["use"] = "enc";
  idp_.SetExtraJwks(json::array{json::object{{"kty", "oct"}, {"kid", "hmac"}, {"k", "c2VjcmV0"}}, encryption,
                                json::object{{"kty", "EC"}, {"kid", "p521"}, {"crv", "P-521"}}, "not a key"});
  Cache();
  core::Result<std::vector<PublicKey>> keys = KeysFor("rsa-1");
  ASSERT_TRUE(keys) << keys.error().message();
  EXPECT_EQ(keys->size(), 1u);
}

TEST_F(JwksCacheTest, AJwksWithoutUsableKeysIsAnError) {
  idp_.SetKeys({MakeRsaKey("short", 1024)});
  Cache();
  core::Result<std::vector<PublicKey>> keys = KeysFor("short");
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error().code(), core::ErrorCode::kUpstreamRejected);
  EXPECT_NE(keys.error().message().find("no usable signing key"), std::string::npos);
}

TEST(CacheLifetimeTest, ReadsMaxAgeAndClampsIt) {
  const auto lifetime = [](std::string_view header) { return CacheLifetime(header, 60s, 3600s).count(); };
  EXPECT_EQ(lifetime(""), 3600);
  EXPECT_EQ(lifetime("max-age=300"), 300);
  EXPECT_EQ(lifetime("public, Max-Age=600, must-revalidate"), 600);
  EXPECT_EQ(lifetime("max-age=5"), 60);
  EXPECT_EQ(lifetime("max-age=99999999"), 3600);
  EXPECT_EQ(lifetime("no-cache"), 60);
  EXPECT_EQ(lifetime("max-age=300, no-store"), 60);
  EXPECT_EQ(lifetime("max-age=abc"), 3600);
  EXPECT_EQ(lifetime("max-age=\"120\""), 120);
  EXPECT_EQ(lifetime("max-age=99999999999999999999"), 3600);
}

}  // namespace
}  // namespace strata::oidc
