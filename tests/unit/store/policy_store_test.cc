#include "store/policy_store.h"

#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "store/store.h"
#include "store_test_support.h"

namespace strata::store {
namespace {

using testing::TempDir;

class PolicyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.data_dir = dir_.path().string();
    auto opened = Store::Open(options);
    ASSERT_TRUE(opened) << opened.error().message();
    store_ = std::move(*opened);
  }

  PolicyStore& policies() { return store_->policies(); }

  PolicyVersion Put(std::string_view scope, std::string_view source, std::int64_t now_ms = 1'000) {
    core::Result<PolicyVersion> stored = policies().Put(scope, source, "usr_1", now_ms);
    EXPECT_TRUE(stored) << stored.error().message();
    return stored ? *stored : PolicyVersion{};
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(PolicyStoreTest, VersionsCountUpPerScopeFromOne) {
  EXPECT_EQ(Put("", "rules: []").version, 1);
  EXPECT_EQ(Put("", "rules: [] # 2").version, 2);
  EXPECT_EQ(Put("ten_a", "rules: []").version, 1);
  const PolicyVersion third = Put("", "rules: [] # 3", 3'000);
  EXPECT_EQ(third, (PolicyVersion{.scope = "", .version = 3, .source = "rules: [] # 3", .created_at_ms = 3'000,
                                  .created_by = "usr_1"}));
}

TEST_F(PolicyStoreTest, ConcurrentPutsGetDistinctConsecutiveVersions) {
  constexpr int kThreads = 4;
  constexpr int kPutsEach = 10;
  std::vector<std::vector<std::int64_t>> versions(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &versions] {
      for (int i = 0; i < kPutsEach; ++i) {
        core::Result<PolicyVersion> stored = policies().Put("", "rules: []", "usr_1", 1);
        if (stored) versions[t].push_back(stored->version);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<std::int64_t> all;
  for (const auto& each : versions) all.insert(each.begin(), each.end());
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kThreads * kPutsEach));
  EXPECT_EQ(*all.begin(), 1);
  EXPECT_EQ(*all.rbegin(), kThreads * kPutsEach);
}

TEST_F(PolicyStoreTest, LatestIsTheHighestVersionOrNothing) {
  core::Result<std::optional<PolicyVersion>> none = policies().Latest("");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());

  Put("", "one");
  Put("", "two");
  Put("ten_a", "tenant");
  core::Result<std::optional<PolicyVersion>> latest = policies().Latest("");
  ASSERT_TRUE(latest && latest->has_value());
  EXPECT_EQ((*latest)->version, 2);
  EXPECT_EQ((*latest)->source, "two");
}

TEST_F(PolicyStoreTest, LatestOfEveryScopeListsThePlatformFirstThenTenantsById) {
  Put("ten_b", "b1");
  Put("ten_a", "a1");
  Put("", "p1");
  Put("ten_b", "b2");
  Put("", "p2");
  core::Result<std::vector<PolicyVersion>> all = policies().LatestOfEveryScope();
  ASSERT_TRUE(all) << all.error().message();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].scope, "");
  EXPECT_EQ((*all)[0].source, "p2");
  EXPECT_EQ((*all)[1].scope, "ten_a");
  EXPECT_EQ((*all)[1].version, 1);
  EXPECT_EQ((*all)[2].scope, "ten_b");
  EXPECT_EQ((*all)[2].source, "b2");
}

TEST_F(PolicyStoreTest, ListPagesNewestFirst) {
  for (int i = 1; i <= 5; ++i) Put("", "v" + std::to_string(i));
  Put("ten_a", "other scope");

  core::Result<Page<PolicyVersion>> first = policies().List("", 0, 2);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->rows.size(), 2u);
  EXPECT_EQ(first->rows[0].version, 5);
  EXPECT_EQ(first->rows[1].version, 4);
  EXPECT_EQ(first->next_after_id, "4");

  core::Result<Page<PolicyVersion>> rest = policies().List("", 4, 50);
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->rows.size(), 3u);
  EXPECT_EQ(rest->rows[0].version, 3);
  EXPECT_EQ(rest->rows[2].version, 1);
  EXPECT_EQ(rest->next_after_id, "");
}

TEST_F(PolicyStoreTest, ListRefusesALimitOutOfRange) {
  core::Result<Page<PolicyVersion>> page = policies().List("", 0, 0);
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code(), core::ErrorCode::kInvalidRequest);
}

TEST_F(PolicyStoreTest, GetFindsOneVersionOfItsOwnScopeOnly) {
  Put("ten_a", "a1");
  core::Result<std::optional<PolicyVersion>> found = policies().Get("ten_a", 1);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->source, "a1");
  core::Result<std::optional<PolicyVersion>> other = policies().Get("ten_b", 1);
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->has_value());
  core::Result<std::optional<PolicyVersion>> missing = policies().Get("ten_a", 2);
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

TEST_F(PolicyStoreTest, FingerprintMovesOnEveryPut) {
  core::Result<std::int64_t> before = policies().Fingerprint();
  ASSERT_TRUE(before);
  Put("", "one");
  core::Result<std::int64_t> after_one = policies().Fingerprint();
  ASSERT_TRUE(after_one);
  EXPECT_NE(*after_one, *before);
  Put("ten_a", "one");
  core::Result<std::int64_t> after_two = policies().Fingerprint();
  ASSERT_TRUE(after_two);
  EXPECT_NE(*after_two, *after_one);
  core::Result<std::int64_t> again = policies().Fingerprint();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *after_two);
}

TEST_F(PolicyStoreTest, VersionsSurviveReopening) {
  Put("", "kept");
  store_.reset();
  StoreOptions options;
  options.data_dir = dir_.path().string();
  auto reopened = Store::Open(options);
  ASSERT_TRUE(reopened);
  core::Result<std::optional<PolicyVersion>> latest = (*reopened)->policies().Latest("");
  ASSERT_TRUE(latest && latest->has_value());
  EXPECT_EQ((*latest)->source, "kept");
  EXPECT_EQ((*reopened)->policies().Put("", "next", "usr_1", 2)->version, 2);
}

}  // namespace
}  // namespace strata::store
