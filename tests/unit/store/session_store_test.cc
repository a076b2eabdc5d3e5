#include "store/sqlite/session_store.h"

#include <gtest/gtest.h>

#include "governance_test_support.h"

namespace strata::store {
namespace {

using testing::GovernanceStoreTest;

constexpr std::int64_t kNow = 1'773'568'800'000;  // 2026-03-15 10:00 UTC

class SessionStoreTest : public GovernanceStoreTest {
 protected:
  void SetUp() override {
    GovernanceStoreTest::SetUp();
    sessions_ = std::make_unique<sqlite::SqliteSessionStore>(*database_);
  }

  UserRow User(const std::string& tenant_id, const std::string& email, const std::string& role = "developer") {
    core::Result<UserRow> row =
        store_->CreateUser(UserRow{.tenant_id = tenant_id, .email = email, .display_name = email, .role = role});
    EXPECT_TRUE(row) << row.error().message();
    return row ? *row : UserRow{};
  }

  SessionRow Session(const std::string& user_id, char seed, std::int64_t expires_at_ms = kNow + 3'600'000) {
    return SessionRow{.id_digest = Digest(seed),
                      .user_id = user_id,
                      .method = "password",
                      .credential_digest = Digest('f'),
                      .created_at_ms = kNow,
                      .last_seen_at_ms = kNow,
                      .expires_at_ms = expires_at_ms};
  }

  std::optional<SessionWithUser> Find(char seed) {
    core::Result<std::optional<SessionWithUser>> found = sessions_->FindSession(Digest(seed));
    EXPECT_TRUE(found) << found.error().message();
    return found ? *found : std::nullopt;
  }

  OidcSignIn SignIn(const std::string& subject, const std::string& email, const std::string& role,
                    const std::string& tenant_name) {
    return OidcSignIn{.issuer = "https://idp.example",
                      .subject = subject,
                      .email = email,
                      .display_name = "Ada",
                      .role = role,
                      .tenant_name = tenant_name,
                      .now_ms = kNow};
  }

  std::unique_ptr<sqlite::SqliteSessionStore> sessions_;
};

TEST_F(SessionStoreTest, MigrationThreeCreatesTheTables) {
  core::Result<int> version = SchemaVersion(*database_);
  ASSERT_TRUE(version);
  EXPECT_GE(*version, 3);
}

TEST_F(SessionStoreTest, FindsASessionWithItsUserAndDeletesIt) {
  const TenantRow tenant = Tenant("acme");
  const UserRow user = User(tenant.id, "ada@acme.example");
  ASSERT_TRUE(sessions_->CreateSession(Session(user.id, 'a')));

  std::optional<SessionWithUser> found = Find('a');
  ASSERT_TRUE(found);
  EXPECT_EQ(found->session, Session(user.id, 'a'));
  EXPECT_EQ(found->user, user);
  EXPECT_FALSE(found->tenant_disabled);
  EXPECT_FALSE(Find('b'));

  ASSERT_TRUE(sessions_->DeleteSession(Digest('a')));
  EXPECT_FALSE(Find('a'));
  EXPECT_TRUE(sessions_->DeleteSession(Digest('a'))) << "deleting twice succeeds";
}

TEST_F(SessionStoreTest, RefusesASessionForAUserThatDoesNotExist) {
  core::Status created = sessions_->CreateSession(Session("usr_missing", 'a'));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code(), core::ErrorCode::kInvalidRequest);
}

TEST_F(SessionStoreTest, ReportsADisabledTenant) {
  TenantRow tenant = Tenant("acme");
  const UserRow user = User(tenant.id, "ada@acme.example");
  ASSERT_TRUE(sessions_->CreateSession(Session(user.id, 'a')));
  tenant.disabled = true;
  ASSERT_TRUE(store_->UpdateTenant(tenant));
  std::optional<SessionWithUser> found = Find('a');
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->tenant_disabled);
}

TEST_F(SessionStoreTest, SessionsGoWithTheirUserAndTenant) {
  const TenantRow tenant = Tenant("acme");
  const UserRow ada = User(tenant.id, "ada@acme.example");
  const UserRow bob = User(tenant.id, "bob@acme.example");
  ASSERT_TRUE(sessions_->CreateSession(Session(ada.id, 'a')));
  ASSERT_TRUE(sessions_->CreateSession(Session(bob.id, 'b')));
  ASSERT_TRUE(store_->DeleteUser(tenant.id, ada.id));
  EXPECT_FALSE(Find('a'));
  EXPECT_TRUE(Find('b'));
  ASSERT_TRUE(store_->DeleteTenant(tenant.id));
  EXPECT_FALSE(Find('b'));
}

TEST_F(SessionStoreTest, TouchOnlyMovesLastSeenForward) {
  const UserRow user = User(Tenant("acme").id, "ada@acme.example");
  ASSERT_TRUE(sessions_->CreateSession(Session(user.id, 'a')));
  ASSERT_TRUE(sessions_->TouchSession(Digest('a'), kNow + 90'000));
  EXPECT_EQ(Find('a')->session.last_seen_at_ms, kNow + 90'000);
  ASSERT_TRUE(sessions_->TouchSession(Digest('a'), kNow + 30'000));
  EXPECT_EQ(Find('a')->session.last_seen_at_ms, kNow + 90'000);
}

TEST_F(SessionStoreTest, DeletesExpiredSessionsAndPendingLogins) {
  const UserRow user = User(Tenant("acme").id, "ada@acme.example");
  ASSERT_TRUE(sessions_->CreateSession(Session(user.id, 'a', kNow - 1)));
  ASSERT_TRUE(sessions_->CreateSession(Session(user.id, 'b', kNow + 1)));
  ASSERT_TRUE(sessions_->PutPendingLogin({.handle_digest = Digest('c'), .sealed = "x", .created_at_ms = kNow,
                                          .expires_at_ms = kNow}));
  core::Result<std::int64_t> deleted = sessions_->DeleteExpired(kNow);
  ASSERT_TRUE(deleted) << deleted.error().message();
  EXPECT_EQ(*deleted, 2);
  EXPECT_FALSE(Find('a'));
  EXPECT_TRUE(Find('b'));
}

TEST_F(SessionStoreTest, DeletesEverySessionOfAUser) {
  const TenantRow tenant = Tenant("acme");
  const UserRow ada = User(tenant.id, "ada@acme.example");
  const UserRow bob = User(tenant.id, "bob@acme.example");
  ASSERT_TRUE(sessions_->CreateSession(Session(ada.id, 'a')));
  ASSERT_TRUE(sessions_->CreateSession(Session(ada.id, 'b')));
  ASSERT_TRUE(sessions_->CreateSession(Session(bob.id, 'c')));
  core::Result<std::int64_t> deleted = sessions_->DeleteUserSessions(ada.id);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(*deleted, 2);
  EXPECT_TRUE(Find('c'));
}

TEST_F(SessionStoreTest, APendingLoginIsTakenOnce) {
  const PendingLoginRow row{.handle_digest = Digest('a'), .sealed = "sealed", .created_at_ms = kNow,
                            .expires_at_ms = kNow + 600'000};
  ASSERT_TRUE(sessions_->PutPendingLogin(row));
  core::Result<std::optional<PendingLoginRow>> first = sessions_->TakePendingLogin(Digest('a'), kNow);
  ASSERT_TRUE(first) << first.error().message();
  ASSERT_TRUE(*first);
  EXPECT_EQ((*first)->sealed, "sealed");
  core::Result<std::optional<PendingLoginRow>> second = sessions_->TakePendingLogin(Digest('a'), kNow);
  ASSERT_TRUE(second);
  EXPECT_FALSE(*second);
}

TEST_F(SessionStoreTest, AnExpiredPendingLoginIsNotReturnedButStillRemoved) {
  ASSERT_TRUE(sessions_->PutPendingLogin({.handle_digest = Digest('a'), .sealed = "s", .created_at_ms = kNow,
                                          .expires_at_ms = kNow + 10}));
  core::Result<std::optional<PendingLoginRow>> late = sessions_->TakePendingLogin(Digest('a'), kNow + 10);
  ASSERT_TRUE(late);
  EXPECT_FALSE(*late);
  core::Result<std::int64_t> left = sessions_->DeleteExpired(0);
  ASSERT_TRUE(left);
  EXPECT_EQ(*left, 0);
}

TEST_F(SessionStoreTest, OidcSignInCreatesTheUserOnceAndFindsItBySubject) {
  const TenantRow tenant = Tenant("acme");
  const std::int64_t before = Version();
  core::Result<UserRow> first = sessions_->SignInOidcUser(SignIn("sub-1", "ada@acme.example", "developer", "acme"));
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(first->tenant_id, tenant.id);
  EXPECT_EQ(first->role, "developer");
  EXPECT_EQ(first->oidc_subject, "sub-1");
  EXPECT_EQ(first->kind, "user");
  EXPECT_TRUE(first->password_hash.empty());
  EXPECT_GT(Version(), before);

  core::Result<UserRow> again = sessions_->SignInOidcUser(SignIn("sub-1", "ada@acme.example", "viewer", "acme"));
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(again->role, "viewer") << "the role follows the groups at every sign-in";
  core::Result<UserRow> stored = store_->GetUser(tenant.id, first->id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->role, "viewer");
}

TEST_F(SessionStoreTest, OidcSignInNeverLinksAnAccountByEmail) {
  const TenantRow tenant = Tenant("acme");
  const UserRow local = User(tenant.id, "ada@acme.example", "tenant-admin");
  core::Result<UserRow> refused =
      sessions_->SignInOidcUser(SignIn("sub-1", "ADA@acme.example", "developer", "acme"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), core::ErrorCode::kPermissionDenied);
  core::Result<UserRow> unchanged = store_->GetUser(tenant.id, local.id);
  ASSERT_TRUE(unchanged);
  EXPECT_EQ(unchanged->role, "tenant-admin");
  EXPECT_TRUE(unchanged->oidc_subject.empty());
}

TEST_F(SessionStoreTest, OidcSignInKeepsTheStoredEmailWhenTheNewOneIsTaken) {
  const TenantRow tenant = Tenant("acme");
  User(tenant.id, "bob@acme.example");
  core::Result<UserRow> first = sessions_->SignInOidcUser(SignIn("sub-1", "ada@acme.example", "developer", "acme"));
  ASSERT_TRUE(first);
  core::Result<UserRow> renamed = sessions_->SignInOidcUser(SignIn("sub-1", "ada2@acme.example", "developer", "acme"));
  ASSERT_TRUE(renamed);
  EXPECT_EQ(renamed->email, "ada2@acme.example");
  core::Result<UserRow> clash = sessions_->SignInOidcUser(SignIn("sub-1", "bob@acme.example", "developer", "acme"));
  ASSERT_TRUE(clash) << clash.error().message();
  EXPECT_EQ(clash->email, "ada2@acme.example");
}

TEST_F(SessionStoreTest, OidcSignInRefusesMissingOrDisabledTenantsAndDisabledUsers) {
  core::Result<UserRow> no_tenant = sessions_->SignInOidcUser(SignIn("sub-1", "a@x.example", "developer", "nope"));
  ASSERT_FALSE(no_tenant);
  EXPECT_EQ(no_tenant.error().code(), core::ErrorCode::kPermissionDenied);

  TenantRow tenant = Tenant("acme");
  core::Result<UserRow> user = sessions_->SignInOidcUser(SignIn("sub-1", "a@x.example", "developer", "acme"));
  ASSERT_TRUE(user);
  UserRow disabled = *user;
  disabled.disabled = true;
  ASSERT_TRUE(store_->UpdateUser(disabled));
  core::Result<UserRow> refused = sessions_->SignInOidcUser(SignIn("sub-1", "a@x.example", "developer", "acme"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), core::ErrorCode::kPermissionDenied);

  tenant.disabled = true;
  ASSERT_TRUE(store_->UpdateTenant(tenant));
  core::Result<UserRow> other = sessions_->SignInOidcUser(SignIn("sub-2", "b@x.example", "developer", "acme"));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code(), core::ErrorCode::kPermissionDenied);
}

TEST_F(SessionStoreTest, OidcSignInRefusesANewUserWithoutEmail) {
  Tenant("acme");
  core::Result<UserRow> refused = sessions_->SignInOidcUser(SignIn("sub-1", "", "developer", "acme"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), core::ErrorCode::kPermissionDenied);
}

TEST_F(SessionStoreTest, MovingTenantsLeavesTheTeamAndRevokesOwnedKeys) {
  const TenantRow acme = Tenant("acme");
  const TenantRow globex = Tenant("globex");
  const TeamRow team = Team(acme.id, "ml");
  core::Result<UserRow> user = sessions_->SignInOidcUser(SignIn("sub-1", "a@x.example", "developer", "acme"));
  ASSERT_TRUE(user);
  UserRow in_team = *user;
  in_team.team_id = team.id;
  ASSERT_TRUE(store_->UpdateUser(in_team));
  ApiKeyRow key{.tenant_id = acme.id, .owner_id = user->id, .name = "k", .prefix = "sk-strata-abcdef",
                .digest_hex = Digest('9'), .role = "developer"};
  core::Result<ApiKeyRow> created = store_->CreateKey(key);
  ASSERT_TRUE(created) << created.error().message();

  core::Result<UserRow> moved = sessions_->SignInOidcUser(SignIn("sub-1", "a@x.example", "viewer", "globex"));
  ASSERT_TRUE(moved) << moved.error().message();
  EXPECT_EQ(moved->id, user->id);
  EXPECT_EQ(moved->tenant_id, globex.id);
  EXPECT_TRUE(moved->team_id.empty());
  core::Result<ApiKeyRow> revoked = store_->GetKey(acme.id, created->id);
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->revoked_at_ms, kNow);
}

TEST_F(SessionStoreTest, OidcSignInMakesPlatformAdminsWithoutATenant) {
  core::Result<UserRow> admin = sessions_->SignInOidcUser(SignIn("sub-1", "ops@x.example", "admin", ""));
  ASSERT_TRUE(admin) << admin.error().message();
  EXPECT_TRUE(admin->tenant_id.empty());
  core::Result<UserRow> refused = sessions_->SignInOidcUser(SignIn("sub-2", "v@x.example", "viewer", ""));
  ASSERT_FALSE(refused);
}

}  // namespace
}  // namespace strata::store
