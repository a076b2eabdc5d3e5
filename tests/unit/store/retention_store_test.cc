// SqliteRetentionStore: rules per tenant and kind, and the run log.
#include "store/sqlite/retention_store.h"

#include <gtest/gtest.h>

#include "store/migrations.h"
#include "store/sqlite/database.h"
#include "store_test_support.h"

namespace strata::store {
namespace {

class RetentionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = sqlite::Database::Open(dir_.File("strata.db"));
    ASSERT_TRUE(opened) << opened.error().message();
    database_ = std::move(*opened);
    ASSERT_TRUE(ApplyMigrations(*database_));
    store_ = std::make_unique<sqlite::SqliteRetentionStore>(*database_);
  }

  std::vector<RetentionRule> Rules(std::string_view tenant) {
    core::Result<std::vector<RetentionRule>> rules = store_->List(tenant);
    EXPECT_TRUE(rules) << rules.error().message();
    return rules ? *rules : std::vector<RetentionRule>{};
  }

  static RetentionRun Run(std::string id, std::int64_t started) {
    return RetentionRun{.id = std::move(id),
                        .started_at_ms = started,
                        .finished_at_ms = started + 5,
                        .status = "ok",
                        .purged_json = R"({"acme":{"content":2}})",
                        .error = ""};
  }

  testing::TempDir dir_;
  std::unique_ptr<sqlite::Database> database_;
  std::unique_ptr<sqlite::SqliteRetentionStore> store_;
};

TEST_F(RetentionStoreTest, SetReplacesAndListsByTenant) {
  ASSERT_TRUE(store_->Set("acme", "content", 30, 1'000));
  ASSERT_TRUE(store_->Set("acme", "content", 7, 2'000));
  ASSERT_TRUE(store_->Set("acme", "audit", 365, 2'000));
  ASSERT_TRUE(store_->Set("", "content", 90, 3'000));
  ASSERT_TRUE(store_->Set("globex", "metadata", 10, 3'000));

  const std::vector<RetentionRule> acme = Rules("acme");
  ASSERT_EQ(acme.size(), 2u);
  EXPECT_EQ(acme[0], (RetentionRule{"acme", "audit", 365, 2'000}));
  EXPECT_EQ(acme[1], (RetentionRule{"acme", "content", 7, 2'000}));
  EXPECT_EQ(Rules(""), (std::vector<RetentionRule>{{"", "content", 90, 3'000}}));

  core::Result<std::vector<RetentionRule>> all = store_->ListAll();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].tenant_id, "");  // the defaults first
  EXPECT_EQ((*all)[3].tenant_id, "globex");
}

TEST_F(RetentionStoreTest, DeleteRemovesOneRuleAndToleratesAbsentOnes) {
  ASSERT_TRUE(store_->Set("acme", "content", 30, 1'000));
  ASSERT_TRUE(store_->Set("acme", "reviews", 30, 1'000));
  ASSERT_TRUE(store_->Delete("acme", "content"));
  ASSERT_TRUE(store_->Delete("acme", "content"));
  ASSERT_TRUE(store_->Delete("nobody", "audit"));
  EXPECT_EQ(Rules("acme"), (std::vector<RetentionRule>{{"acme", "reviews", 30, 1'000}}));
}

TEST_F(RetentionStoreTest, UpdateIsAllOrNothing) {
  ASSERT_TRUE(store_->Set("acme", "content", 30, 1'000));
  const std::vector<RetentionChange> bad_kind = {{"metadata", 10}, {"secrets", 10}};
  core::Status refused = store_->Update("acme", bad_kind, 2'000);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), core::ErrorCode::kInvalidRequest);
  const std::vector<RetentionChange> bad_days = {{"metadata", 10}, {"audit", 0}};
  EXPECT_FALSE(store_->Update("acme", bad_days, 2'000));
  const std::vector<RetentionChange> too_long = {{"audit", kMaxRetentionDays + 1}};
  EXPECT_FALSE(store_->Update("acme", too_long, 2'000));
  const std::vector<RetentionChange> twice = {{"audit", 10}, {"audit", std::nullopt}};
  EXPECT_FALSE(store_->Update("acme", twice, 2'000));
  EXPECT_EQ(Rules("acme"), (std::vector<RetentionRule>{{"acme", "content", 30, 1'000}}));

  const std::vector<RetentionChange> good = {{"content", std::nullopt}, {"metadata", 10}, {"feedback", 3}};
  ASSERT_TRUE(store_->Update("acme", good, 2'000));
  const std::vector<RetentionRule> rules = Rules("acme");
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].kind, "feedback");
  EXPECT_EQ(rules[1].kind, "metadata");
}

TEST_F(RetentionStoreTest, RunsListNewestFirstWithAcursor) {
  ASSERT_TRUE(store_->AddRun(Run("rr_a", 1'000)));
  ASSERT_TRUE(store_->AddRun(Run("rr_b", 3'000)));
  RetentionRun failed = Run("rr_c", 2'000);
  failed.status = "failed";
  failed.error = "acme: content: disk I/O error";
  ASSERT_TRUE(store_->AddRun(failed));

  core::Result<Page<RetentionRun>> first = store_->ListRuns("", 2);
  ASSERT_TRUE(first) << first.error().message();
  ASSERT_EQ(first->rows.size(), 2u);
  EXPECT_EQ(first->rows[0].id, "rr_b");
  EXPECT_EQ(first->rows[1], failed);
  EXPECT_EQ(first->next_after_id, "rr_c");
  core::Result<Page<RetentionRun>> second = store_->ListRuns(first->next_after_id, 2);
  ASSERT_TRUE(second);
  ASSERT_EQ(second->rows.size(), 1u);
  EXPECT_EQ(second->rows[0].id, "rr_a");
  EXPECT_EQ(second->rows[0].purged_json, R"({"acme":{"content":2}})");
  EXPECT_TRUE(second->next_after_id.empty());

  EXPECT_TRUE(store_->ListRuns("rr_unknown", 10)->rows.empty());
  EXPECT_FALSE(store_->ListRuns("", 0));
  RetentionRun odd = Run("rr_d", 4'000);
  odd.status = "maybe";
  EXPECT_FALSE(store_->AddRun(odd));
}

}  // namespace
}  // namespace strata::store
