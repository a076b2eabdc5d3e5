#include "admin/sessions.h"

#include <stdlib.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "governance/secrets.h"
#include "store/store.h"

namespace strata::admin {
namespace {

namespace beast_http = boost::beast::http;
using namespace std::chrono_literals;

constexpr std::int64_t kNow = 1'773'568'800'000;  // 2026-03-15 10:00 UTC

class SessionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "strata-admin-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    store::StoreOptions options;
    options.data_dir = dir_.string();
    options.threads = 1;
    auto opened = store::Store::Open(options);
    ASSERT_TRUE(opened) << opened.error().message();
    store_ = std::move(*opened);
    auto tenant = store_->governance().CreateTenant({.name = "acme"});
    ASSERT_TRUE(tenant);
    tenant_ = *tenant;
    auto team = store_->governance().CreateTeam({.tenant_id = tenant_.id, .name = "ml"});
    ASSERT_TRUE(team);
    auto hash = governance::HashPassword("correct horse battery");
    ASSERT_TRUE(hash);
    auto user = store_->governance().CreateUser({.tenant_id = tenant_.id,
                                                 .team_id = team->id,
                                                 .email = "ada@acme.example",
                                                 .display_name = "Ada",
                                                 .role = "tenant-admin",
                                                 .password_hash = *hash});
    ASSERT_TRUE(user) << user.error().message();
    user_ = *user;
    options_.session_ttl = 12h;
    options_.idle_timeout = 1h;
    sessions_ = std::make_unique<Sessions>(store_->sessions(), options_);
  }
  void TearDown() override {
    sessions_.reset();
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  StartedSession Start(std::int64_t now_ms = kNow) {
    core::Result<StartedSession> started = sessions_->Start(user_, "password", now_ms);
    EXPECT_TRUE(started) << started.error().message();
    return started ? *started : StartedSession{};
  }
  bool Live(const std::string& id, std::int64_t now_ms) { return static_cast<bool>(sessions_->Resume(id, now_ms)); }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  store::TenantRow tenant_;
  store::UserRow user_;
  ConsoleOptions options_;
  std::unique_ptr<Sessions> sessions_;
};

TEST_F(SessionsTest, AStartedSessionResumesAsItsUser) {
  const StartedSession started = Start();
  EXPECT_TRUE(LooksLikeToken(started.id));
  EXPECT_EQ(started.expires_at_ms, kNow + 12 * 3'600'000);
  EXPECT_EQ(started.csrf_token, CsrfToken(started.id));
  core::Result<ResumedSession> resumed = sessions_->Resume(started.id, kNow + 1000);
  ASSERT_TRUE(resumed) << resumed.error().message();
  EXPECT_EQ(resumed->user.id, user_.id);
  core::Result<Caller> caller = SessionCaller(resumed->user);
  ASSERT_TRUE(caller);
  EXPECT_EQ(caller->tenant_id, tenant_.id);
  EXPECT_EQ(caller->team_id, user_.team_id);
  EXPECT_EQ(caller->role, governance::Role::kTenantAdmin);
  EXPECT_EQ(caller->user_id, user_.id);
  EXPECT_TRUE(caller->key_id.empty());
  EXPECT_TRUE(caller->via_session);
}

TEST_F(SessionsTest, TheStoreKeepsOnlyTheDigestOfTheId) {
  const StartedSession started = Start();
  auto by_id = store_->sessions().FindSession(started.id);
  ASSERT_TRUE(by_id);
  EXPECT_FALSE(*by_id);
  auto by_digest = store_->sessions().FindSession(governance::KeyDigest(started.id));
  ASSERT_TRUE(by_digest);
  ASSERT_TRUE(*by_digest);
  EXPECT_NE((*by_digest)->session.credential_digest, user_.password_hash);
}

TEST_F(SessionsTest, EndsAtItsAbsoluteLifetimeWhateverTheActivity) {
  const StartedSession started = Start();
  for (std::int64_t t = kNow; t < started.expires_at_ms; t += 30 * 60'000) ASSERT_TRUE(Live(started.id, t)) << t;
  EXPECT_FALSE(Live(started.id, started.expires_at_ms));
  EXPECT_FALSE(Live(started.id, kNow)) << "an ended session is deleted";
}

TEST_F(SessionsTest, EndsWhenIdleForTheIdleTimeout) {
  const StartedSession started = Start();
  EXPECT_TRUE(Live(started.id, kNow + 59 * 60'000));
  EXPECT_TRUE(Live(started.id, kNow + 118 * 60'000)) << "the use at 59 min moved the idle deadline";
  EXPECT_FALSE(Live(started.id, kNow + 178 * 60'000 + 1));
}

TEST_F(SessionsTest, UsesWithinAMinuteAreNotWritten) {
  const StartedSession started = Start();
  ASSERT_TRUE(Live(started.id, kNow + 30'000));
  auto stored = store_->sessions().FindSession(governance::KeyDigest(started.id));
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->session.last_seen_at_ms, kNow);
}

TEST_F(SessionsTest, ANewPasswordEndsSessionsMadeWithTheOldOne) {
  const StartedSession started = Start();
  store::UserRow changed = user_;
  changed.password_hash = *governance::HashPassword("another long password");
  ASSERT_TRUE(store_->governance().UpdateUser(changed));
  EXPECT_FALSE(Live(started.id, kNow + 1));
}

TEST_F(SessionsTest, ADisabledUserOrTenantCannotUseItsSession) {
  const StartedSession started = Start();
  store::UserRow disabled = user_;
  disabled.disabled = true;
  ASSERT_TRUE(store_->governance().UpdateUser(disabled));
  EXPECT_FALSE(Live(started.id, kNow + 1));
  ASSERT_TRUE(store_->governance().UpdateUser(user_));
  EXPECT_FALSE(Live(started.id, kNow + 2)) << "ended for good: re-enabling does not revive it";

  const StartedSession second = Start();
  EXPECT_TRUE(Live(second.id, kNow + 3));
  store::TenantRow tenant = tenant_;
  tenant.disabled = true;
  ASSERT_TRUE(store_->governance().UpdateTenant(tenant));
  EXPECT_FALSE(Live(second.id, kNow + 4));
}

TEST_F(SessionsTest, ADeletedUserCannotUseItsSession) {
  const StartedSession started = Start();
  ASSERT_TRUE(store_->governance().DeleteUser(tenant_.id, user_.id));
  core::Result<ResumedSession> resumed = sessions_->Resume(started.id, kNow + 1);
  ASSERT_FALSE(resumed);
  EXPECT_EQ(resumed.error().code(), core::ErrorCode::kUnauthenticated);
}

TEST_F(SessionsTest, LogoutEndsTheSession) {
  const StartedSession started = Start();
  ASSERT_TRUE(sessions_->End(started.id));
  EXPECT_FALSE(Live(started.id, kNow + 1));
  EXPECT_TRUE(sessions_->End(started.id)) << "twice is fine";
  EXPECT_TRUE(sessions_->End("junk"));
}

TEST_F(SessionsTest, RefusesUnknownAndMalformedIds) {
  Start();
  for (const std::string& id : {std::string(), std::string("short"), *RandomToken(), std::string(43, '!')}) {
    core::Result<ResumedSession> resumed = sessions_->Resume(id, kNow);
    ASSERT_FALSE(resumed);
    EXPECT_EQ(resumed.error().code(), core::ErrorCode::kUnauthenticated);
  }
}

TEST_F(SessionsTest, StartingASessionSweepsExpiredOnes) {
  const StartedSession old = Start(kNow - 13 * 3'600'000);
  Start(kNow);
  auto stored = store_->sessions().FindSession(governance::KeyDigest(old.id));
  ASSERT_TRUE(stored);
  EXPECT_FALSE(*stored);
}

TEST_F(SessionsTest, CookiesAreHttpOnlyLaxAndSecureWhenAsked) {
  const StartedSession started{.id = "abc", .csrf_token = "x", .expires_at_ms = 0};
  EXPECT_EQ(sessions_->SessionCookie(started), "strata_session=abc; Path=/; Max-Age=43200; HttpOnly; SameSite=Lax");
  EXPECT_EQ(sessions_->ClearSessionCookie(), "strata_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
  EXPECT_EQ(sessions_->LoginCookie("h"), "strata_oidc=h; Path=/auth/oidc; Max-Age=600; HttpOnly; SameSite=Lax");
  ConsoleOptions secure = options_;
  secure.secure_cookies = true;
  Sessions tls(store_->sessions(), secure);
  EXPECT_EQ(tls.SessionCookie(started), "strata_session=abc; Path=/; Max-Age=43200; HttpOnly; SameSite=Lax; Secure");
  EXPECT_TRUE(tls.ClearLoginCookie().ends_with("; Secure"));
}

TEST(CookieValueTest, FindsTheNamedCookieAmongOthers) {
  http::Request request(beast_http::verb::get, "/", 11);
  request.insert(beast_http::field::cookie, "theme=dark; strata_session=abc123 ; other=1");
  request.insert(beast_http::field::cookie, "strata_oidc=\"quoted\"");
  EXPECT_EQ(CookieValue(request, "strata_session"), "abc123");
  EXPECT_EQ(CookieValue(request, "strata_oidc"), "quoted");
  EXPECT_EQ(CookieValue(request, "theme"), "dark");
  EXPECT_EQ(CookieValue(request, "strata"), "");
  EXPECT_EQ(CookieValue(http::Request(beast_http::verb::get, "/", 11), "strata_session"), "");
}

TEST(CsrfTest, TheTokenIsBoundToTheSession) {
  const std::string a = *RandomToken();
  const std::string b = *RandomToken();
  EXPECT_EQ(CsrfToken(a), CsrfToken(a));
  EXPECT_NE(CsrfToken(a), CsrfToken(b));
  EXPECT_EQ(CsrfToken(a).find(a), std::string::npos);

  http::Request request(beast_http::verb::post, "/admin/v1/tenants", 11);
  EXPECT_FALSE(CsrfMatches(request, a));
  request.set(kCsrfHeader, CsrfToken(b));
  EXPECT_FALSE(CsrfMatches(request, a));
  request.set(kCsrfHeader, CsrfToken(a));
  EXPECT_TRUE(CsrfMatches(request, a));
}

TEST(CsrfTest, OnlyStateChangingMethodsNeedIt) {
  EXPECT_FALSE(ChangesState(beast_http::verb::get));
  EXPECT_FALSE(ChangesState(beast_http::verb::head));
  EXPECT_FALSE(ChangesState(beast_http::verb::options));
  for (auto verb :
       {beast_http::verb::post, beast_http::verb::put, beast_http::verb::patch, beast_http::verb::delete_}) {
    EXPECT_TRUE(ChangesState(verb));
  }
}

TEST(RandomTokenTest, IsFortyThreeUrlSafeCharactersAndFresh) {
  const std::string a = *RandomToken();
  EXPECT_TRUE(LooksLikeToken(a));
  EXPECT_NE(a, *RandomToken());
  EXPECT_FALSE(LooksLikeToken(a.substr(1)));
  EXPECT_FALSE(LooksLikeToken(a.substr(1) + "="));
}

TEST(SessionCallerTest, APlatformUserMustBeAnAdmin) {
  store::UserRow admin{.id = "usr_1", .role = "admin"};
  core::Result<Caller> caller = SessionCaller(admin);
  ASSERT_TRUE(caller);
  EXPECT_TRUE(caller->platform());
  store::UserRow viewer{.id = "usr_2", .role = "viewer"};
  EXPECT_FALSE(SessionCaller(viewer));
  store::UserRow unknown{.id = "usr_3", .tenant_id = "ten_1", .role = "owner"};
  EXPECT_FALSE(SessionCaller(unknown));
}

}  // namespace
}  // namespace strata::admin
