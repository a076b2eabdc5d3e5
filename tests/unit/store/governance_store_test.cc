#include "store/sqlite/governance_store.h"

#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "governance_test_support.h"
#include "store/store.h"

namespace strata::store {
namespace {

using core::ErrorCode;
using testing::GovernanceStoreTest;

template <class T>
ErrorCode CodeOf(const core::Result<T>& result) {
  EXPECT_FALSE(result) << "expected an error";
  return result ? ErrorCode::kInternal : result.error().code();
}

class SqliteGovernanceStoreTest : public GovernanceStoreTest {};

TEST_F(SqliteGovernanceStoreTest, TenantsRoundTrip) {
  core::Result<TenantRow> created =
      store_->CreateTenant(TenantRow{.name = "acme", .display_name = "Acme Inc.", .metadata_json = R"({"tier":1})"});
  ASSERT_TRUE(created) << created.error().message();
  EXPECT_TRUE(created->id.starts_with("ten_"));
  EXPECT_EQ(created->created_at_ms, 1'773'568'800'000);  // 2026-03-15T10:00:00Z
  EXPECT_FALSE(created->disabled);

  core::Result<TenantRow> read = store_->GetTenant(created->id);
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_EQ(read->name, "acme");
  EXPECT_EQ(read->display_name, "Acme Inc.");
  EXPECT_EQ(read->metadata_json, R"({"tier":1})");

  TenantRow changed = *read;
  changed.display_name = "Acme";
  changed.disabled = true;
  core::Result<TenantRow> updated = store_->UpdateTenant(changed);
  ASSERT_TRUE(updated) << updated.error().message();
  EXPECT_EQ(updated->display_name, "Acme");
  EXPECT_TRUE(updated->disabled);
  EXPECT_EQ(updated->metadata_json, R"({"tier":1})");
  EXPECT_TRUE(store_->GetTenant(created->id)->disabled);

  // A tenant without a display name shows its name.
  EXPECT_EQ(Tenant("globex").display_name, "globex");
}

TEST_F(SqliteGovernanceStoreTest, RefusesBadOrDuplicateTenantNames) {
  Tenant("acme");
  EXPECT_EQ(CodeOf(store_->CreateTenant(TenantRow{.name = "acme"})), ErrorCode::kInvalidRequest);
  EXPECT_EQ(CodeOf(store_->CreateTenant(TenantRow{.name = "Acme Corp"})), ErrorCode::kInvalidRequest);
  EXPECT_EQ(CodeOf(store_->CreateTenant(TenantRow{.name = ""})), ErrorCode::kInvalidRequest);
  EXPECT_EQ(CodeOf(store_->CreateTenant(TenantRow{.name = "x", .metadata_json = "[1]"})), ErrorCode::kInvalidRequest);
  EXPECT_EQ(CodeOf(store_->GetTenant("ten_nope")), ErrorCode::kNotFound);
  EXPECT_EQ(CodeOf(store_->UpdateTenant(TenantRow{.id = "ten_nope"})), ErrorCode::kNotFound);
}

TEST_F(SqliteGovernanceStoreTest, TeamsAreOnlyFoundWithinTheirTenant) {
  const TenantRow acme = Tenant("acme");
  const TenantRow globex = Tenant("globex");
  const TeamRow research = Team(acme.id, "research");
  EXPECT_TRUE(research.id.starts_with("team_"));

  EXPECT_EQ(store_->GetTeam(acme.id, research.id)->name, "research");
  EXPECT_EQ(CodeOf(store_->GetTeam(globex.id, research.id)), ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetTeam("", research.id)->tenant_id, acme.id);  // platform scope: any tenant
  EXPECT_EQ(CodeOf(store_->DeleteTeam(globex.id, research.id)), ErrorCode::kNotFound);

  // Names are unique within a tenant, not across tenants.
  EXPECT_EQ(CodeOf(store_->CreateTeam(TeamRow{.tenant_id = acme.id, .name = "research"})),
            ErrorCode::kInvalidRequest);
  EXPECT_TRUE(store_->CreateTeam(TeamRow{.tenant_id = globex.id, .name = "research"}));
  EXPECT_EQ(CodeOf(store_->CreateTeam(TeamRow{.tenant_id = "ten_nope", .name = "x"})), ErrorCode::kInvalidRequest);
}

TEST_F(SqliteGovernanceStoreTest, UsersRoundTripAndAreFoundByEmailAndOidc) {
  const TenantRow acme = Tenant("acme");
  const TenantRow globex = Tenant("globex");
  const TeamRow research = Team(acme.id, "research");
  core::Result<UserRow> ada = store_->CreateUser(UserRow{.tenant_id = acme.id,
                                                         .team_id = research.id,
                                                         .email = "Ada@Example.com",
                                                         .display_name = "Ada",
                                                         .role = "developer",
                                                         .password_hash = "$argon2id$fake",
                                                         .oidc_issuer = "https://idp.example.com",
                                                         .oidc_subject = "sub-1"});
  ASSERT_TRUE(ada) << ada.error().message();
  EXPECT_TRUE(ada->id.starts_with("usr_"));

  core::Result<UserRow> read = store_->GetUser(acme.id, ada->id);
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_EQ(read->email, "Ada@Example.com");
  EXPECT_EQ(read->team_id, research.id);
  EXPECT_EQ(read->password_hash, "$argon2id$fake");
  EXPECT_EQ(read->kind, "user");
  EXPECT_EQ(CodeOf(store_->GetUser(globex.id, ada->id)), ErrorCode::kNotFound);
  EXPECT_TRUE(store_->GetUser("", ada->id));

  core::Result<std::optional<UserRow>> by_email = store_->FindUserByEmail("ada@example.com");
  ASSERT_TRUE(by_email && by_email->has_value());
  EXPECT_EQ((*by_email)->id, ada->id);
  EXPECT_FALSE(store_->FindUserByEmail("bob@example.com")->has_value());
  core::Result<std::optional<UserRow>> by_oidc = store_->FindUserByOidc("https://idp.example.com", "sub-1");
  ASSERT_TRUE(by_oidc && by_oidc->has_value());
  EXPECT_EQ((*by_oidc)->id, ada->id);
  EXPECT_FALSE(store_->FindUserByOidc("https://other.example.com", "sub-1")->has_value());

  // Emails are unique whatever their case; OIDC identities too.
  EXPECT_EQ(CodeOf(store_->CreateUser(UserRow{.tenant_id = globex.id, .email = "ADA@example.com", .role = "viewer"})),
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(CodeOf(store_->CreateUser(UserRow{.tenant_id = globex.id,
                                              .email = "ada2@example.com",
                                              .role = "viewer",
                                              .oidc_issuer = "https://idp.example.com",
                                              .oidc_subject = "sub-1"})),
            ErrorCode::kInvalidRequest);

  UserRow changed = *read;
  changed.role = "reviewer";
  changed.team_id = "";
  changed.password_hash = "";
  changed.disabled = true;
  changed.email = "ignored@example.com";  // not an updatable field
  core::Result<UserRow> updated = store_->UpdateUser(changed);
  ASSERT_TRUE(updated) << updated.error().message();
  read = store_->GetUser(acme.id, ada->id);
  EXPECT_EQ(read->role, "reviewer");
  EXPECT_EQ(read->team_id, "");
  EXPECT_EQ(read->password_hash, "");
  EXPECT_TRUE(read->disabled);
  EXPECT_EQ(read->email, "Ada@Example.com");
  EXPECT_EQ(*updated, *read);

  UserRow other_tenant = *read;
  other_tenant.tenant_id = globex.id;
  EXPECT_EQ(CodeOf(store_->UpdateUser(other_tenant)), ErrorCode::kNotFound);
}

TEST_F(SqliteGovernanceStoreTest, RefusesUsersThatBreakTheRules) {
  const TenantRow acme = Tenant("acme");
  const TenantRow globex = Tenant("globex");
  const TeamRow globex_team = Team(globex.id, "ops");
  // A service account has no email, password or OIDC identity.
  EXPECT_EQ(CodeOf(store_->CreateUser(
                UserRow{.tenant_id = acme.id, .kind = "service", .email = "bot@example.com", .role = "developer"})),
            ErrorCode::kInvalidRequest);
  core::Result<UserRow> bot =
      store_->CreateUser(UserRow{.tenant_id = acme.id, .kind = "service", .display_name = "ci", .role = "developer"});
  ASSERT_TRUE(bot) << bot.error().message();
  EXPECT_EQ(bot->email, "");
  // A user needs an email; a platform user is an admin; a team is in the user's tenant.
  EXPECT_EQ(CodeOf(store_->CreateUser(UserRow{.tenant_id = acme.id, .role = "developer"})),
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(CodeOf(store_->CreateUser(UserRow{.email = "root@example.com", .role = "developer"})),
            ErrorCode::kInvalidRequest);
  EXPECT_TRUE(store_->CreateUser(UserRow{.email = "root@example.com", .role = "admin"}));
  EXPECT_EQ(CodeOf(store_->CreateUser(UserRow{
                .tenant_id = acme.id, .team_id = globex_team.id, .email = "x@example.com", .role = "developer"})),
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(CodeOf(store_->CreateUser(UserRow{.tenant_id = acme.id, .kind = "robot", .role = "developer"})),
            ErrorCode::kInvalidRequest);
}

TEST_F(SqliteGovernanceStoreTest, KeysRoundTripAndRevoke) {
  const TenantRow acme = Tenant("acme");
  const TenantRow globex = Tenant("globex");
  const TeamRow research = Team(acme.id, "research");
  core::Result<UserRow> owner =
      store_->CreateUser(UserRow{.tenant_id = acme.id, .kind = "service", .role = "developer"});
  ASSERT_TRUE(owner);
  core::Result<ApiKeyRow> created = store_->CreateKey(ApiKeyRow{.tenant_id = acme.id,
                                                                .team_id = research.id,
                                                                .owner_id = owner->id,
                                                                .name = "ci",
                                                                .prefix = "sk-strata-Ab12Cd",
                                                                .digest_hex = Digest('a'),
                                                                .role = "developer",
                                                                .allowed_models = {"gpt-4o", "claude-*"},
                                                                .metadata_json = R"({"env":"ci"})",
                                                                .expires_at_ms = 1'800'000'000'000});
  ASSERT_TRUE(created) << created.error().message();
  EXPECT_TRUE(created->id.starts_with("key_"));

  core::Result<ApiKeyRow> read = store_->GetKey(acme.id, created->id);
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_EQ(read->allowed_models, (std::vector<std::string>{"gpt-4o", "claude-*"}));
  EXPECT_EQ(read->owner_id, owner->id);
  EXPECT_EQ(read->team_id, research.id);
  EXPECT_EQ(read->metadata_json, R"({"env":"ci"})");
  EXPECT_EQ(read->expires_at_ms, 1'800'000'000'000);
  EXPECT_EQ(read->revoked_at_ms, 0);
  EXPECT_EQ(CodeOf(store_->GetKey(globex.id, created->id)), ErrorCode::kNotFound);

  // A live name is unique in its tenant; a digest everywhere.
  EXPECT_EQ(CodeOf(store_->CreateKey(ApiKeyRow{.tenant_id = acme.id,
                                               .name = "ci",
                                               .prefix = "p",
                                               .digest_hex = Digest('b'),
                                               .role = "developer"})),
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(CodeOf(store_->CreateKey(ApiKeyRow{.tenant_id = globex.id,
                                               .name = "other",
                                               .prefix = "p",
                                               .digest_hex = Digest('a'),
                                               .role = "developer"})),
            ErrorCode::kInvalidRequest);
  // References stay inside the tenant.
  EXPECT_EQ(CodeOf(store_->CreateKey(ApiKeyRow{.tenant_id = globex.id,
                                               .team_id = research.id,
                                               .name = "x",
                                               .prefix = "p",
                                               .digest_hex = Digest('c'),
                                               .role = "developer"})),
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(CodeOf(store_->CreateKey(ApiKeyRow{.tenant_id = globex.id,
                                               .owner_id = owner->id,
                                               .name = "x",
                                               .prefix = "p",
                                               .digest_hex = Digest('c'),
                                               .role = "developer"})),
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(CodeOf(store_->CreateKey(
                ApiKeyRow{.tenant_id = acme.id, .name = "x", .prefix = "p", .digest_hex = "ABC", .role = "developer"})),
            ErrorCode::kInvalidRequest);

  EXPECT_EQ(CodeOf(store_->RevokeKey(globex.id, created->id, 5)), ErrorCode::kNotFound);
  ASSERT_TRUE(store_->RevokeKey(acme.id, created->id, 1'000));
  ASSERT_TRUE(store_->RevokeKey(acme.id, created->id, 2'000));  // again: keeps the first time
  EXPECT_EQ(store_->GetKey(acme.id, created->id)->revoked_at_ms, 1'000);
  EXPECT_EQ(CodeOf(store_->RevokeKey(acme.id, "key_nope", 5)), ErrorCode::kNotFound);

  // Revoking frees the name, and lists leave revoked keys out unless asked.
  const ApiKeyRow second = Key(acme.id, "ci", 'd');
  core::Result<Page<ApiKeyRow>> live = store_->ListKeys(ListQuery{.tenant_id = acme.id});
  ASSERT_TRUE(live);
  ASSERT_EQ(live->rows.size(), 1u);
  EXPECT_EQ(live->rows[0].id, second.id);
  EXPECT_EQ(store_->ListKeys(ListQuery{.tenant_id = acme.id, .include_revoked = true})->rows.size(), 2u);
  EXPECT_EQ(store_->ListKeys(ListQuery{.tenant_id = acme.id, .team_id = research.id, .include_revoked = true})
                ->rows.size(),
            1u);
}

TEST_F(SqliteGovernanceStoreTest, PagesCoverEveryRowExactlyOnceInCreationOrder) {
  const TenantRow acme = Tenant("acme");
  const TenantRow globex = Tenant("globex");
  std::vector<std::string> created;
  for (int i = 0; i < 23; ++i) {
    created.push_back(Team(acme.id, "team-" + std::to_string(i)).id);
    Team(globex.id, "team-" + std::to_string(i));  // other tenants' rows never show
  }
  std::vector<std::string> seen;
  ListQuery query{.tenant_id = acme.id, .limit = 5};
  int pages = 0;
  for (;;) {
    core::Result<Page<TeamRow>> page = store_->ListTeams(query);
    ASSERT_TRUE(page) << page.error().message();
    ++pages;
    for (const TeamRow& team : page->rows) {
      EXPECT_EQ(team.tenant_id, acme.id);
      seen.push_back(team.id);
    }
    if (page->next_after_id.empty()) break;
    EXPECT_EQ(page->rows.size(), 5u);
    query.after_id = page->next_after_id;
  }
  EXPECT_EQ(pages, 5);
  EXPECT_EQ(seen, created);  // ids sort by creation, even within one millisecond
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 23u);

  // An exact multiple of the limit ends with no cursor, not an empty page.
  core::Result<Page<TenantRow>> tenants = store_->ListTenants(ListQuery{.limit = 2});
  ASSERT_TRUE(tenants);
  EXPECT_EQ(tenants->rows.size(), 2u);
  EXPECT_TRUE(tenants->next_after_id.empty());
  EXPECT_EQ(store_->ListTenants(ListQuery{.tenant_id = globex.id})->rows.size(), 1u);

  EXPECT_EQ(CodeOf(store_->ListTeams(ListQuery{.limit = 0})), ErrorCode::kInvalidRequest);
  EXPECT_EQ(CodeOf(store_->ListTeams(ListQuery{.limit = 501})), ErrorCode::kInvalidRequest);
}

TEST_F(SqliteGovernanceStoreTest, DeletingATenantDeletesEverythingInIt) {
  const TenantRow acme = Tenant("acme");
  const TenantRow globex = Tenant("globex");
  const TeamRow research = Team(acme.id, "research");
  ASSERT_TRUE(store_->CreateUser(
      UserRow{.tenant_id = acme.id, .team_id = research.id, .email = "ada@example.com", .role = "developer"}));
  const ApiKeyRow key = Key(acme.id, "ci", 'a', research.id);
  ASSERT_TRUE(store_->PutRateLimit(
      RateLimitRow{.tenant_id = acme.id, .scope_type = "key", .scope_id = key.id, .requests_per_minute = 10}));
  ASSERT_TRUE(store_->PutBudget(BudgetRow{
      .tenant_id = acme.id, .scope_type = "tenant", .scope_id = acme.id, .period = "month", .limit_nano_usd = 5}));
  ASSERT_TRUE(store_->AddSpend({SpendRow{.tenant_id = acme.id, .model = "m", .day = "2026-03-15", .requests = 1},
                                SpendRow{.tenant_id = globex.id, .model = "m", .day = "2026-03-15", .requests = 1}}));
  const ApiKeyRow globex_key = Key(globex.id, "ci", 'b');

  ASSERT_TRUE(store_->DeleteTenant(acme.id));
  EXPECT_EQ(CodeOf(store_->GetTenant(acme.id)), ErrorCode::kNotFound);
  EXPECT_EQ(CodeOf(store_->GetTeam("", research.id)), ErrorCode::kNotFound);
  EXPECT_EQ(CodeOf(store_->GetKey("", key.id)), ErrorCode::kNotFound);
  EXPECT_FALSE(store_->FindUserByEmail("ada@example.com")->has_value());
  EXPECT_TRUE(store_->ListRateLimits(ListQuery{})->rows.empty());
  EXPECT_TRUE(store_->ListBudgets(ListQuery{})->rows.empty());
  core::Result<std::vector<SpendRow>> spend = store_->QuerySpend(SpendQuery{.group_by = {"tenant"}});
  ASSERT_TRUE(spend);
  ASSERT_EQ(spend->size(), 1u);
  EXPECT_EQ((*spend)[0].tenant_id, globex.id);
  // Other tenants are untouched.
  EXPECT_TRUE(store_->GetKey(globex.id, globex_key.id));
  EXPECT_EQ(CodeOf(store_->DeleteTenant(acme.id)), ErrorCode::kNotFound);
}

TEST_F(SqliteGovernanceStoreTest, DeletingATeamTakesItsKeysAndLimitsAndKeepsItsUsers) {
  const TenantRow acme = Tenant("acme");
  const TeamRow research = Team(acme.id, "research");
  core::Result<UserRow> ada = store_->CreateUser(
      UserRow{.tenant_id = acme.id, .team_id = research.id, .email = "ada@example.com", .role = "developer"});
  ASSERT_TRUE(ada);
  const ApiKeyRow team_key = Key(acme.id, "team-key", 'a', research.id);
  const ApiKeyRow tenant_key = Key(acme.id, "tenant-key", 'b');
  ASSERT_TRUE(store_->PutRateLimit(
      RateLimitRow{.tenant_id = acme.id, .scope_type = "team", .scope_id = research.id, .requests_per_minute = 1}));
  ASSERT_TRUE(store_->PutRateLimit(
      RateLimitRow{.tenant_id = acme.id, .scope_type = "key", .scope_id = team_key.id, .requests_per_minute = 2}));
  ASSERT_TRUE(store_->PutRateLimit(
      RateLimitRow{.tenant_id = acme.id, .scope_type = "key", .scope_id = tenant_key.id, .requests_per_minute = 3}));
  ASSERT_TRUE(store_->PutBudget(BudgetRow{
      .tenant_id = acme.id, .scope_type = "team", .scope_id = research.id, .period = "day", .limit_nano_usd = 1}));

  ASSERT_TRUE(store_->DeleteTeam(acme.id, research.id));
  EXPECT_EQ(CodeOf(store_->GetKey(acme.id, team_key.id)), ErrorCode::kNotFound);
  EXPECT_TRUE(store_->GetKey(acme.id, tenant_key.id));
  core::Result<Page<RateLimitRow>> limits = store_->ListRateLimits(ListQuery{.tenant_id = acme.id});
  ASSERT_TRUE(limits);
  ASSERT_EQ(limits->rows.size(), 1u);
  EXPECT_EQ(limits->rows[0].scope_id, tenant_key.id);
  EXPECT_TRUE(store_->ListBudgets(ListQuery{.tenant_id = acme.id})->rows.empty());
  EXPECT_EQ(store_->GetUser(acme.id, ada->id)->team_id, "");
}

TEST_F(SqliteGovernanceStoreTest, DeletingAUserTakesTheKeysItOwns) {
  const TenantRow acme = Tenant("acme");
  core::Result<UserRow> bot = store_->CreateUser(UserRow{.tenant_id = acme.id, .kind = "service", .role = "developer"});
  ASSERT_TRUE(bot);
  core::Result<ApiKeyRow> owned = store_->CreateKey(ApiKeyRow{.tenant_id = acme.id,
                                                              .owner_id = bot->id,
                                                              .name = "bot",
                                                              .prefix = "p",
                                                              .digest_hex = Digest('a'),
                                                              .role = "developer"});
  ASSERT_TRUE(owned);
  ASSERT_TRUE(store_->PutBudget(BudgetRow{
      .tenant_id = acme.id, .scope_type = "key", .scope_id = owned->id, .period = "day", .limit_nano_usd = 1}));
  EXPECT_EQ(CodeOf(store_->DeleteUser(Tenant("globex").id, bot->id)), ErrorCode::kNotFound);
  ASSERT_TRUE(store_->DeleteUser(acme.id, bot->id));
  EXPECT_EQ(CodeOf(store_->GetKey(acme.id, owned->id)), ErrorCode::kNotFound);
  EXPECT_TRUE(store_->ListBudgets(ListQuery{})->rows.empty());
  EXPECT_EQ(CodeOf(store_->GetUser("", bot->id)), ErrorCode::kNotFound);
}

TEST_F(SqliteGovernanceStoreTest, EveryWriteBumpsTheVersionAndNothingElseDoes) {
  std::int64_t version = Version();
  auto expect_bumped = [&](const char* what) {
    const std::int64_t now_version = Version();
    EXPECT_GT(now_version, version) << what;
    version = now_version;
  };
  auto expect_same = [&](const char* what) { EXPECT_EQ(Version(), version) << what; };

  const TenantRow acme = Tenant("acme");
  expect_bumped("CreateTenant");
  TenantRow changed = acme;
  changed.disabled = true;
  ASSERT_TRUE(store_->UpdateTenant(changed));
  expect_bumped("UpdateTenant");
  const TeamRow team = Team(acme.id, "t");
  expect_bumped("CreateTeam");
  core::Result<UserRow> user =
      store_->CreateUser(UserRow{.tenant_id = acme.id, .email = "a@example.com", .role = "viewer"});
  ASSERT_TRUE(user);
  expect_bumped("CreateUser");
  ASSERT_TRUE(store_->UpdateUser(*user));
  expect_bumped("UpdateUser");
  const ApiKeyRow key = Key(acme.id, "k", 'a');
  expect_bumped("CreateKey");
  ASSERT_TRUE(store_->RevokeKey(acme.id, key.id, 1));
  expect_bumped("RevokeKey");
  core::Result<RateLimitRow> limit =
      store_->PutRateLimit(RateLimitRow{.tenant_id = acme.id, .scope_type = "tenant", .scope_id = acme.id});
  ASSERT_TRUE(limit);
  expect_bumped("PutRateLimit");
  core::Result<BudgetRow> budget = store_->PutBudget(
      BudgetRow{.tenant_id = acme.id, .scope_type = "tenant", .scope_id = acme.id, .period = "day"});
  ASSERT_TRUE(budget);
  expect_bumped("PutBudget");

  // Reads, spend and refused writes leave it alone.
  ASSERT_TRUE(store_->GetTenant(acme.id));
  ASSERT_TRUE(store_->ListKeys(ListQuery{}));
  ASSERT_TRUE(store_->LoadEverything());
  ASSERT_TRUE(store_->AddSpend({SpendRow{.tenant_id = acme.id, .model = "m", .day = "2026-03-15", .requests = 1}}));
  ASSERT_TRUE(store_->QuerySpend(SpendQuery{}));
  EXPECT_FALSE(store_->CreateTenant(TenantRow{.name = "acme"}));
  EXPECT_FALSE(store_->DeleteTeam(acme.id, "team_nope"));
  expect_same("reads, spend and refused writes");

  ASSERT_TRUE(store_->DeleteRateLimit(acme.id, limit->id));
  expect_bumped("DeleteRateLimit");
  ASSERT_TRUE(store_->DeleteBudget(acme.id, budget->id));
  expect_bumped("DeleteBudget");
  ASSERT_TRUE(store_->DeleteUser(acme.id, user->id));
  expect_bumped("DeleteUser");
  ASSERT_TRUE(store_->DeleteTeam(acme.id, team.id));
  expect_bumped("DeleteTeam");
  ASSERT_TRUE(store_->DeleteTenant(acme.id));
  expect_bumped("DeleteTenant");
}

TEST(GovernanceIdTest, IdsSortByCreationAndCarryTheirPrefix) {
  std::vector<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    ids.push_back(sqlite::NewGovernanceId("key", 1'700'000'000'000 + i / 100));  // ten ids per millisecond
  }
  // The clock stepping back does not break the order.
  ids.push_back(sqlite::NewGovernanceId("key", 1'600'000'000'000));
  for (std::size_t i = 1; i < ids.size(); ++i) {
    EXPECT_LT(ids[i - 1], ids[i]) << i;
  }
  EXPECT_EQ(ids[0].size(), std::string("key_").size() + 26);
  EXPECT_TRUE(ids[0].starts_with("key_"));
  EXPECT_EQ(ids[0].find_first_not_of("key_0123456789abcdefghjkmnpqrstvwxyz"), std::string::npos);
}

TEST(StoreGovernanceTest, TheStoreOpensWithItsGovernanceTablesAtVersionTwo) {
  testing::TempDir dir;
  StoreOptions options;
  options.data_dir = dir.path().string();
  core::Result<std::unique_ptr<Store>> store = Store::Open(options);
  ASSERT_TRUE(store) << store.error().message();
  EXPECT_GE((*store)->schema_version(), 2);
  GovernanceStore& governance = (*store)->governance();
  EXPECT_EQ(*governance.Version(), 0);
  ASSERT_TRUE(governance.CreateTenant(TenantRow{.name = "acme"}));
  EXPECT_EQ(*governance.Version(), 1);
  core::Result<GovernanceStore::Everything> everything = governance.LoadEverything();
  ASSERT_TRUE(everything) << everything.error().message();
  EXPECT_EQ(everything->tenants.size(), 1u);
}

}  // namespace
}  // namespace strata::store
