#include "governance/snapshot.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "store/store.h"
#include "unit/store/store_test_support.h"

namespace strata::governance {
namespace {

using namespace std::chrono_literals;
using store::GovernanceStore;

// Polls `condition` until it holds or `timeout` passes; true if it held.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return condition();
}

GovernanceStore::Everything SampleEverything(std::int64_t version) {
  GovernanceStore::Everything everything;
  everything.version = version;
  everything.tenants.push_back(store::TenantRow{.id = "ten_1", .name = "acme"});
  everything.teams.push_back(store::TeamRow{.id = "team_1", .tenant_id = "ten_1", .name = "research"});
  everything.keys.push_back(store::ApiKeyRow{.id = "key_1",
                                             .tenant_id = "ten_1",
                                             .team_id = "team_1",
                                             .name = "ci",
                                             .digest_hex = "d1",
                                             .role = "developer",
                                             .allowed_models = {"gpt-4o"},
                                             .revoked_at_ms = 5});
  everything.rate_limits.push_back(store::RateLimitRow{
      .id = "lim_1", .tenant_id = "ten_1", .scope_type = "key", .scope_id = "key_1", .requests_per_minute = 7});
  everything.budgets.push_back(store::BudgetRow{
      .id = "bud_1", .tenant_id = "ten_1", .scope_type = "team", .scope_id = "team_1", .period = "day"});
  everything.budgets.push_back(store::BudgetRow{
      .id = "bud_2", .tenant_id = "ten_1", .scope_type = "team", .scope_id = "team_1", .period = "month"});
  everything.budget_spent_nano_usd["bud_2"] = 42;
  return everything;
}

// A governance store whose Version() and LoadEverything() the test controls,
// and which can be made to fail like a store that is down. Nothing else is used.
class FakeGovernanceStore : public GovernanceStore {
 public:
  void Set(std::int64_t version) {
    std::lock_guard lock(mutex_);
    version_ = version;
  }
  void SetDown(bool down) { down_ = down; }

  core::Result<std::int64_t> Version() override {
    if (down_) return core::Error::Unavailable("store down");
    std::lock_guard lock(mutex_);
    return version_;
  }
  core::Result<Everything> LoadEverything() override {
    if (down_) return core::Error::Unavailable("store down");
    std::lock_guard lock(mutex_);
    return SampleEverything(version_);
  }

  core::Result<store::TenantRow> CreateTenant(store::TenantRow) override { return Unused(); }
  core::Result<store::TenantRow> GetTenant(std::string_view) override { return Unused(); }
  core::Result<store::TenantRow> UpdateTenant(const store::TenantRow&) override { return Unused(); }
  core::Status DeleteTenant(std::string_view) override { return Unused(); }
  core::Result<store::Page<store::TenantRow>> ListTenants(const store::ListQuery&) override { return Unused(); }
  core::Result<store::TeamRow> CreateTeam(store::TeamRow) override { return Unused(); }
  core::Result<store::TeamRow> GetTeam(std::string_view, std::string_view) override { return Unused(); }
  core::Status DeleteTeam(std::string_view, std::string_view) override { return Unused(); }
  core::Result<store::Page<store::TeamRow>> ListTeams(const store::ListQuery&) override { return Unused(); }
  core::Result<store::UserRow> CreateUser(store::UserRow) override { return Unused(); }
  core::Result<store::UserRow> GetUser(std::string_view, std::string_view) override { return Unused(); }
  core::Result<std::optional<store::UserRow>> FindUserByEmail(std::string_view) override { return Unused(); }
  core::Result<std::optional<store::UserRow>> FindUserByOidc(std::string_view, std::string_view) override {
    return Unused();
  }
  core::Result<store::UserRow> UpdateUser(const store::UserRow&) override { return Unused(); }
  core::Status DeleteUser(std::string_view, std::string_view) override { return Unused(); }
  core::Result<store::Page<store::UserRow>> ListUsers(const store::ListQuery&) override { return Unused(); }
  core::Result<store::ApiKeyRow> CreateKey(store::ApiKeyRow) override { return Unused(); }
  core::Result<store::ApiKeyRow> GetKey(std::string_view, std::string_view) override { return Unused(); }
  core::Status RevokeKey(std::string_view, std::string_view, std::int64_t) override { return Unused(); }
  core::Result<store::Page<store::ApiKeyRow>> ListKeys(const store::ListQuery&) override { return Unused(); }
  core::Result<store::RateLimitRow> PutRateLimit(store::RateLimitRow) override { return Unused(); }
  core::Status DeleteRateLimit(std::string_view, std::string_view) override { return Unused(); }
  core::Result<store::Page<store::RateLimitRow>> ListRateLimits(const store::ListQuery&) override { return Unused(); }
  core::Result<store::BudgetRow> PutBudget(store::BudgetRow) override { return Unused(); }
  core::Status DeleteBudget(std::string_view, std::string_view) override { return Unused(); }
  core::Result<store::Page<store::BudgetRow>> ListBudgets(const store::ListQuery&) override { return Unused(); }
  core::Status AddSpend(const std::vector<store::SpendRow>&) override { return Unused(); }
  core::Result<std::vector<store::SpendRow>> QuerySpend(const store::SpendQuery&) override { return Unused(); }

 private:
  static core::Error Unused() { return core::Error::Internal("not used by these tests"); }

  std::mutex mutex_;
  std::int64_t version_ = 1;
  std::atomic<bool> down_{false};
};

TEST(KeyGrantTest, AllowsModelsByNameOrPrefixPattern) {
  EXPECT_TRUE(KeyGrant{}.AllowsModel("anything"));
  const KeyGrant grant{.allowed_models = {"gpt-4o", "claude-*"}};
  EXPECT_TRUE(grant.AllowsModel("gpt-4o"));
  EXPECT_FALSE(grant.AllowsModel("gpt-4o-mini"));
  EXPECT_TRUE(grant.AllowsModel("claude-sonnet-4"));
  EXPECT_TRUE(grant.AllowsModel("claude-"));
  EXPECT_FALSE(grant.AllowsModel("claude"));
  EXPECT_TRUE(KeyGrant{.allowed_models = {"*"}}.AllowsModel("x"));
}

TEST(SnapshotTest, FindsWhatTheRequestPathNeeds) {
  GovernanceStore::Everything everything = SampleEverything(9);
  everything.keys.push_back(store::ApiKeyRow{.id = "key_2", .tenant_id = "ten_1", .digest_hex = "d2", .role = "root"});
  const Snapshot snapshot(std::move(everything));
  EXPECT_EQ(snapshot.version(), 9);

  const KeyGrant* key = snapshot.FindKey("d1");
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->key_id, "key_1");
  EXPECT_EQ(key->tenant_id, "ten_1");
  EXPECT_EQ(key->team_id, "team_1");
  EXPECT_EQ(key->role, Role::kDeveloper);
  EXPECT_EQ(key->revoked_at_ms, 5);  // revoked keys are found; the caller refuses them
  EXPECT_FALSE(key->AllowsModel("claude"));
  EXPECT_EQ(snapshot.FindKey("d2"), nullptr);  // an unknown role is never guessed
  EXPECT_EQ(snapshot.FindKey("nope"), nullptr);

  ASSERT_NE(snapshot.FindTenant("ten_1"), nullptr);
  EXPECT_EQ(snapshot.FindTenant("ten_1")->name, "acme");
  ASSERT_NE(snapshot.FindTeam("team_1"), nullptr);
  EXPECT_EQ(snapshot.FindTeam("ten_1"), nullptr);

  const store::RateLimitRow* limit = snapshot.FindRateLimit("key", "key_1");
  ASSERT_NE(limit, nullptr);
  EXPECT_EQ(limit->requests_per_minute, 7);
  EXPECT_EQ(snapshot.FindRateLimit("team", "key_1"), nullptr);
  EXPECT_EQ(snapshot.FindRateLimit("key", std::string(300, 'k')), nullptr);

  EXPECT_EQ(snapshot.FindBudgets("team", "team_1").size(), 2u);
  EXPECT_TRUE(snapshot.FindBudgets("tenant", "ten_1").empty());
  EXPECT_EQ(snapshot.SpentAtLoad("bud_2"), 42);
  EXPECT_EQ(snapshot.SpentAtLoad("bud_1"), 0);

  const Snapshot empty;
  EXPECT_EQ(empty.FindKey("d1"), nullptr);
  EXPECT_EQ(empty.version(), 0);
}

// The real store underneath: a key revoked in SQLite is refused within a few
// refresh intervals.
class SnapshotSourceOverStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions options;
    options.data_dir = dir_.path().string();
    auto opened = store::Store::Open(options);
    ASSERT_TRUE(opened) << opened.error().message();
    store_ = std::move(*opened);
    auto tenant = governance().CreateTenant(store::TenantRow{.name = "acme"});
    ASSERT_TRUE(tenant);
    tenant_id_ = tenant->id;
    auto key = governance().CreateKey(store::ApiKeyRow{.tenant_id = tenant_id_,
                                                       .name = "ci",
                                                       .prefix = "sk-strata-abcdef",
                                                       .digest_hex = std::string(64, 'a'),
                                                       .role = "developer"});
    ASSERT_TRUE(key) << key.error().message();
    key_id_ = key->id;
  }
  GovernanceStore& governance() { return store_->governance(); }

  store::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::string tenant_id_;
  std::string key_id_;
};

TEST_F(SnapshotSourceOverStoreTest, PicksUpARevocationWithinAFewRefreshIntervals) {
  SnapshotSource source(governance(), SnapshotOptions{.refresh_interval = 20ms});
  ASSERT_TRUE(source.Start());
  const KeyGrant* key = source.Current()->FindKey(std::string(64, 'a'));
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->revoked_at_ms, 0);

  ASSERT_TRUE(governance().RevokeKey(tenant_id_, key_id_, 1234));
  EXPECT_TRUE(WaitFor([&] {
    const KeyGrant* now = source.Current()->FindKey(std::string(64, 'a'));
    return now != nullptr && now->revoked_at_ms == 1234;
  }));
  EXPECT_EQ(source.version(), *governance().Version());
  EXPECT_TRUE(source.healthy());
}

TEST_F(SnapshotSourceOverStoreTest, RefreshShowsAWriteAtOnce) {
  SnapshotSource source(governance(), SnapshotOptions{.refresh_interval = std::chrono::hours(1)});
  ASSERT_TRUE(source.Start());
  ASSERT_TRUE(governance().CreateTeam(store::TeamRow{.tenant_id = tenant_id_, .name = "research"}));
  EXPECT_NE(source.version(), *governance().Version());  // no poll for an hour
  ASSERT_TRUE(source.Refresh());
  EXPECT_EQ(source.version(), *governance().Version());
}

TEST_F(SnapshotSourceOverStoreTest, StopWakesThePollerAtOnce) {
  SnapshotSource source(governance(), SnapshotOptions{.refresh_interval = std::chrono::hours(1)});
  ASSERT_TRUE(source.Start());
  const auto start = std::chrono::steady_clock::now();
  source.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);  // not the hour of the interval
  source.Stop();  // twice is fine
}

TEST(SnapshotSourceTest, StartFailsWithoutAFirstSnapshot) {
  FakeGovernanceStore store;
  store.SetDown(true);
  SnapshotSource source(store, SnapshotOptions{.refresh_interval = 20ms});
  core::Status started = source.Start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code(), core::ErrorCode::kUnavailable);
  EXPECT_FALSE(source.healthy());
  EXPECT_EQ(source.Current()->FindKey("d1"), nullptr);  // empty, never null
}

TEST(SnapshotSourceTest, KeepsServingTheLastSnapshotWhileTheStoreIsDown) {
  FakeGovernanceStore store;
  store.Set(1);
  SnapshotSource source(store, SnapshotOptions{.refresh_interval = 20ms});
  ASSERT_TRUE(source.Start());
  EXPECT_TRUE(source.healthy());

  store.SetDown(true);
  EXPECT_TRUE(WaitFor([&] { return !source.healthy(); }));
  EXPECT_EQ(source.version(), 1);
  EXPECT_NE(source.Current()->FindKey("d1"), nullptr);
  EXPECT_FALSE(source.Refresh());
  EXPECT_EQ(source.version(), 1);

  store.Set(2);
  store.SetDown(false);
  EXPECT_TRUE(WaitFor([&] { return source.healthy() && source.version() == 2; }));
}

TEST(SnapshotSourceTest, EveryThreadSeesTheNewSnapshotAfterASwap) {
  FakeGovernanceStore store;
  store.Set(1);
  SnapshotSource source(store, SnapshotOptions{.refresh_interval = std::chrono::hours(1)});
  ASSERT_TRUE(source.Start());

  // Unchanged: the cached pointer itself comes back.
  const std::shared_ptr<const Snapshot> first = source.Current();
  EXPECT_EQ(source.Current().get(), first.get());

  std::shared_ptr<const Snapshot> other_thread_before, other_thread_after;
  std::thread([&] { other_thread_before = source.Current(); }).join();
  EXPECT_EQ(other_thread_before.get(), first.get());

  store.Set(2);
  ASSERT_TRUE(source.Refresh());
  EXPECT_EQ(source.Current()->version(), 2);
  EXPECT_NE(source.Current().get(), first.get());
  std::thread([&] { other_thread_after = source.Current(); }).join();
  EXPECT_EQ(other_thread_after.get(), source.Current().get());
}

TEST(SnapshotSourceTest, TwoSourcesOnOneThreadKeepTheirOwnSnapshots) {
  FakeGovernanceStore one, two;
  one.Set(10);
  two.Set(20);
  SnapshotSource first(one, SnapshotOptions{.refresh_interval = std::chrono::hours(1)});
  SnapshotSource second(two, SnapshotOptions{.refresh_interval = std::chrono::hours(1)});
  ASSERT_TRUE(first.Start());
  ASSERT_TRUE(second.Start());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(first.Current()->version(), 10);
    EXPECT_EQ(second.Current()->version(), 20);
  }
}

}  // namespace
}  // namespace strata::governance
