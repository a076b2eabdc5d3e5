#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "governance_test_support.h"
#include "store/sqlite/governance_store.h"

namespace strata::store {
namespace {

using core::ErrorCode;
using testing::GovernanceStoreTest;

class GovernanceLimitsTest : public GovernanceStoreTest {};

SpendRow Spend(std::string tenant, std::string team, std::string key, std::string model, std::string day,
               std::int64_t cost) {
  return SpendRow{.tenant_id = std::move(tenant),
                  .team_id = std::move(team),
                  .key_id = std::move(key),
                  .model = std::move(model),
                  .day = std::move(day),
                  .requests = 1,
                  .input_tokens = 10,
                  .output_tokens = 5,
                  .cost_nano_usd = cost};
}

TEST_F(GovernanceLimitsTest, PuttingARateLimitAgainReplacesItInPlace) {
  const TenantRow acme = Tenant("acme");
  const ApiKeyRow key = Key(acme.id, "ci", 'a');
  core::Result<RateLimitRow> first = store_->PutRateLimit(RateLimitRow{
      .tenant_id = acme.id, .scope_type = "key", .scope_id = key.id, .requests_per_minute = 10, .max_concurrent = 2});
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_TRUE(first->id.starts_with("lim_"));
  now += std::chrono::minutes(1);
  core::Result<RateLimitRow> second = store_->PutRateLimit(RateLimitRow{
      .tenant_id = acme.id, .scope_type = "key", .scope_id = key.id, .requests_per_minute = 20, .tokens_per_minute = 900});
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_EQ(second->id, first->id);
  EXPECT_EQ(second->created_at_ms, first->created_at_ms);
  EXPECT_EQ(second->requests_per_minute, 20);
  EXPECT_EQ(second->tokens_per_minute, 900);
  EXPECT_EQ(second->max_concurrent, 0);

  // A tenant scope may leave scope_id to the tenant's id.
  core::Result<RateLimitRow> tenant_wide =
      store_->PutRateLimit(RateLimitRow{.tenant_id = acme.id, .scope_type = "tenant", .requests_per_minute = 100});
  ASSERT_TRUE(tenant_wide) << tenant_wide.error().message();
  EXPECT_EQ(tenant_wide->scope_id, acme.id);

  core::Result<Page<RateLimitRow>> on_key =
      store_->ListRateLimits(ListQuery{.tenant_id = acme.id, .scope_type = "key", .scope_id = key.id});
  ASSERT_TRUE(on_key);
  ASSERT_EQ(on_key->rows.size(), 1u);
  EXPECT_EQ(on_key->rows[0], *second) << "equal rows";
  EXPECT_EQ(store_->ListRateLimits(ListQuery{.tenant_id = acme.id})->rows.size(), 2u);
}

TEST_F(GovernanceLimitsTest, RefusesLimitsOnScopesOutsideTheTenant) {
  const TenantRow acme = Tenant("acme");
  const TenantRow globex = Tenant("globex");
  const TeamRow globex_team = Team(globex.id, "ops");
  const ApiKeyRow globex_key = Key(globex.id, "ci", 'a');
  EXPECT_EQ(store_->PutRateLimit(RateLimitRow{.tenant_id = acme.id, .scope_type = "team", .scope_id = globex_team.id})
                .error()
                .code(),
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(store_->PutBudget(BudgetRow{.tenant_id = acme.id,
                                        .scope_type = "key",
                                        .scope_id = globex_key.id,
                                        .period = "day",
                                        .limit_nano_usd = 1})
                .error()
                .code(),
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(store_->PutRateLimit(RateLimitRow{.tenant_id = acme.id, .scope_type = "tenant", .scope_id = globex.id})
                .error()
                .code(),
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(store_->PutRateLimit(RateLimitRow{.tenant_id = acme.id, .scope_type = "user", .scope_id = "x"})
                .error()
                .code(),
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(store_->PutRateLimit(RateLimitRow{.tenant_id = acme.id, .scope_type = "tenant", .requests_per_minute = -1})
                .error()
                .code(),
            ErrorCode::kInvalidRequest);

  core::Result<RateLimitRow> limit =
      store_->PutRateLimit(RateLimitRow{.tenant_id = globex.id, .scope_type = "team", .scope_id = globex_team.id});
  ASSERT_TRUE(limit);
  EXPECT_EQ(store_->DeleteRateLimit(acme.id, limit->id).error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(store_->DeleteRateLimit(globex.id, limit->id));
  EXPECT_EQ(store_->DeleteRateLimit(globex.id, limit->id).error().code(), ErrorCode::kNotFound);
}

TEST_F(GovernanceLimitsTest, BudgetsAreOnePerScopeAndPeriod) {
  const TenantRow acme = Tenant("acme");
  core::Result<BudgetRow> daily = store_->PutBudget(BudgetRow{
      .tenant_id = acme.id, .scope_type = "tenant", .scope_id = acme.id, .period = "day", .limit_nano_usd = 100});
  ASSERT_TRUE(daily) << daily.error().message();
  EXPECT_TRUE(daily->id.starts_with("bud_"));
  EXPECT_DOUBLE_EQ(daily->soft_ratio, 0.8);
  core::Result<BudgetRow> monthly = store_->PutBudget(BudgetRow{.tenant_id = acme.id,
                                                                .scope_type = "tenant",
                                                                .scope_id = acme.id,
                                                                .period = "month",
                                                                .limit_nano_usd = 1000,
                                                                .soft_ratio = 0.5});
  ASSERT_TRUE(monthly);
  core::Result<BudgetRow> daily_again = store_->PutBudget(BudgetRow{
      .tenant_id = acme.id, .scope_type = "tenant", .scope_id = acme.id, .period = "day", .limit_nano_usd = 200});
  ASSERT_TRUE(daily_again);
  EXPECT_EQ(daily_again->id, daily->id);
  EXPECT_EQ(daily_again->limit_nano_usd, 200);

  core::Result<Page<BudgetRow>> listed = store_->ListBudgets(ListQuery{.tenant_id = acme.id});
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->rows.size(), 2u);

  for (const BudgetRow& bad : {
           BudgetRow{.tenant_id = acme.id, .scope_type = "tenant", .period = "week", .limit_nano_usd = 1},
           BudgetRow{.tenant_id = acme.id, .scope_type = "tenant", .period = "day", .limit_nano_usd = -1},
           BudgetRow{.tenant_id = acme.id, .scope_type = "tenant", .period = "day", .soft_ratio = 1.5},
           BudgetRow{.tenant_id = "ten_nope", .scope_type = "tenant", .period = "day"},
       }) {
    core::Result<BudgetRow> refused = store_->PutBudget(bad);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidRequest) << refused.error().message();
  }
}

TEST_F(GovernanceLimitsTest, AddedSpendIsSummedPerKeyModelAndDay) {
  ASSERT_TRUE(store_->AddSpend({Spend("t1", "team1", "k1", "gpt-4o", "2026-03-14", 100),
                                Spend("t1", "team1", "k1", "gpt-4o", "2026-03-14", 50),
                                Spend("t1", "team1", "k1", "gpt-4o", "2026-03-15", 7),
                                Spend("t1", "team1", "k2", "claude", "2026-03-15", 1000),
                                Spend("t1", "", "", "gpt-4o", "2026-03-15", 3),
                                Spend("t2", "team2", "k3", "gpt-4o", "2026-03-15", 9)}));
  ASSERT_TRUE(store_->AddSpend({Spend("t1", "team1", "k1", "gpt-4o", "2026-03-14", 1)}));

  core::Result<std::vector<SpendRow>> rows =
      store_->QuerySpend(SpendQuery{.tenant_id = "t1", .group_by = {"key", "model", "day"}});
  ASSERT_TRUE(rows) << rows.error().message();
  const std::vector<SpendRow> expected = {
      SpendRow{.key_id = "", .model = "gpt-4o", .day = "2026-03-15", .requests = 1, .input_tokens = 10,
               .output_tokens = 5, .cost_nano_usd = 3},
      SpendRow{.key_id = "k1", .model = "gpt-4o", .day = "2026-03-14", .requests = 3, .input_tokens = 30,
               .output_tokens = 15, .cost_nano_usd = 151},
      SpendRow{.key_id = "k1", .model = "gpt-4o", .day = "2026-03-15", .requests = 1, .input_tokens = 10,
               .output_tokens = 5, .cost_nano_usd = 7},
      SpendRow{.key_id = "k2", .model = "claude", .day = "2026-03-15", .requests = 1, .input_tokens = 10,
               .output_tokens = 5, .cost_nano_usd = 1000},
  };
  EXPECT_EQ(*rows, expected);

  core::Result<std::vector<SpendRow>> by_tenant = store_->QuerySpend(SpendQuery{.group_by = {"tenant"}});
  ASSERT_TRUE(by_tenant);
  ASSERT_EQ(by_tenant->size(), 2u);
  EXPECT_EQ((*by_tenant)[0].tenant_id, "t1");
  EXPECT_EQ((*by_tenant)[0].cost_nano_usd, 1161);
  EXPECT_EQ((*by_tenant)[0].requests, 6);
  EXPECT_EQ((*by_tenant)[1].cost_nano_usd, 9);

  // Filters and an inclusive day range; no grouping is one total row.
  core::Result<std::vector<SpendRow>> one_day =
      store_->QuerySpend(SpendQuery{.model = "gpt-4o", .from_day = "2026-03-15", .to_day = "2026-03-15"});
  ASSERT_TRUE(one_day);
  ASSERT_EQ(one_day->size(), 1u);
  EXPECT_EQ((*one_day)[0].cost_nano_usd, 7 + 3 + 9);
  EXPECT_EQ((*one_day)[0].tenant_id, "");
  core::Result<std::vector<SpendRow>> team =
      store_->QuerySpend(SpendQuery{.team_id = "team1", .to_day = "2026-03-14", .group_by = {"team"}});
  ASSERT_TRUE(team);
  ASSERT_EQ(team->size(), 1u);
  EXPECT_EQ((*team)[0].team_id, "team1");
  EXPECT_EQ((*team)[0].cost_nano_usd, 151);
  core::Result<std::vector<SpendRow>> nothing = store_->QuerySpend(SpendQuery{.from_day = "2027-01-01"});
  ASSERT_TRUE(nothing);
  EXPECT_TRUE(nothing->empty());

  EXPECT_EQ(store_->QuerySpend(SpendQuery{.group_by = {"user"}}).error().code(), ErrorCode::kInvalidRequest);
  EXPECT_EQ(store_->QuerySpend(SpendQuery{.from_day = "yesterday"}).error().code(), ErrorCode::kInvalidRequest);
  EXPECT_EQ(store_->AddSpend({Spend("t1", "", "", "m", "2026-3-1", 1)}).error().code(), ErrorCode::kInvalidRequest);
}

TEST_F(GovernanceLimitsTest, LoadEverythingHoldsTheRowsAndEachBudgetsSpendInItsPeriod) {
  const TenantRow acme = Tenant("acme");
  const TeamRow research = Team(acme.id, "research");
  const ApiKeyRow key = Key(acme.id, "ci", 'a', research.id);
  const ApiKeyRow revoked = Key(acme.id, "old", 'b');
  ASSERT_TRUE(store_->RevokeKey(acme.id, revoked.id, 1));
  ASSERT_TRUE(store_->PutRateLimit(
      RateLimitRow{.tenant_id = acme.id, .scope_type = "key", .scope_id = key.id, .requests_per_minute = 5}));
  auto budget = [&](std::string scope_type, std::string scope_id, std::string period) {
    core::Result<BudgetRow> row = store_->PutBudget(BudgetRow{.tenant_id = acme.id,
                                                              .scope_type = std::move(scope_type),
                                                              .scope_id = std::move(scope_id),
                                                              .period = std::move(period),
                                                              .limit_nano_usd = 1'000'000});
    EXPECT_TRUE(row) << row.error().message();
    return row ? row->id : std::string();
  };
  const std::string key_day = budget("key", key.id, "day");
  const std::string key_month = budget("key", key.id, "month");
  const std::string team_month = budget("team", research.id, "month");
  const std::string tenant_day = budget("tenant", acme.id, "day");

  // now is 2026-03-15.
  ASSERT_TRUE(store_->AddSpend({
      Spend(acme.id, research.id, key.id, "m", "2026-03-15", 10),
      Spend(acme.id, research.id, key.id, "n", "2026-03-15", 20),
      Spend(acme.id, research.id, key.id, "m", "2026-03-01", 100),
      Spend(acme.id, research.id, key.id, "m", "2026-02-28", 1000),  // last month
      Spend(acme.id, research.id, "", "m", "2026-03-10", 10000),     // the team, not the key
      Spend(acme.id, "", "", "m", "2026-03-15", 100000),             // the tenant only
      Spend("ten_other", "", "", "m", "2026-03-15", 1000000),        // another tenant
  }));

  core::Result<GovernanceStore::Everything> everything = store_->LoadEverything();
  ASSERT_TRUE(everything) << everything.error().message();
  EXPECT_EQ(everything->version, Version());
  ASSERT_EQ(everything->tenants.size(), 1u);
  ASSERT_EQ(everything->teams.size(), 1u);
  ASSERT_EQ(everything->keys.size(), 2u);  // revoked keys are included
  EXPECT_EQ(everything->keys[1].revoked_at_ms, 1);
  ASSERT_EQ(everything->rate_limits.size(), 1u);
  ASSERT_EQ(everything->budgets.size(), 4u);
  EXPECT_EQ(everything->budget_spent_nano_usd.at(key_day), 30);
  EXPECT_EQ(everything->budget_spent_nano_usd.at(key_month), 130);
  EXPECT_EQ(everything->budget_spent_nano_usd.at(team_month), 10130);
  EXPECT_EQ(everything->budget_spent_nano_usd.at(tenant_day), 100030);

  // On the first of the next month the month starts again.
  now = std::chrono::sys_days{std::chrono::year{2026} / 4 / 1};
  everything = store_->LoadEverything();
  ASSERT_TRUE(everything);
  EXPECT_EQ(everything->budget_spent_nano_usd.at(key_month), 0);
  EXPECT_EQ(everything->budget_spent_nano_usd.at(team_month), 0);
}

}  // namespace
}  // namespace strata::store
