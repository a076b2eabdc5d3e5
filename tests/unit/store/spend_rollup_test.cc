// The spend rollup written by SqliteRecordStore::AppendBatch, read back
// through the governance store.

#include <vector>

#include <gtest/gtest.h>

#include "governance_test_support.h"
#include "store/sqlite/record_store.h"

namespace strata::store {
namespace {

using testing::GovernanceStoreTest;
using testing::MakeRecord;

class SpendRollupTest : public GovernanceStoreTest {
 protected:
  void SetUp() override {
    GovernanceStoreTest::SetUp();
    records_ = std::make_unique<sqlite::SqliteRecordStore>(*database_);
  }

  static Record WithSpend(const std::string& id, const std::string& key, std::int64_t cost) {
    Record record = MakeRecord(id);
    record.spend = SpendRow{.tenant_id = "t1",
                            .team_id = "team1",
                            .key_id = key,
                            .model = "gpt-4o",
                            .day = "2026-03-15",
                            .requests = 1,
                            .input_tokens = 100,
                            .output_tokens = 10,
                            .cost_nano_usd = cost};
    return record;
  }

  std::vector<SpendRow> ByKey() {
    core::Result<std::vector<SpendRow>> rows = store_->QuerySpend(SpendQuery{.group_by = {"key"}});
    EXPECT_TRUE(rows) << rows.error().message();
    return rows ? *rows : std::vector<SpendRow>{};
  }

  std::unique_ptr<sqlite::SqliteRecordStore> records_;
};

TEST_F(SpendRollupTest, AppendedRecordsAddTheirSpend) {
  ASSERT_TRUE(records_->AppendBatch(std::vector{WithSpend("a", "k1", 10), WithSpend("b", "k1", 20),
                                                WithSpend("c", "k2", 5), MakeRecord("d")}));
  const std::vector<SpendRow> rows = ByKey();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].key_id, "k1");
  EXPECT_EQ(rows[0].requests, 2);
  EXPECT_EQ(rows[0].input_tokens, 200);
  EXPECT_EQ(rows[0].output_tokens, 20);
  EXPECT_EQ(rows[0].cost_nano_usd, 30);
  EXPECT_EQ(rows[1].cost_nano_usd, 5);
}

TEST_F(SpendRollupTest, ARetriedBatchDoesNotCountTwice) {
  const std::vector<Record> batch = {WithSpend("a", "k1", 10), WithSpend("b", "k1", 20)};
  ASSERT_TRUE(records_->AppendBatch(batch));
  ASSERT_TRUE(records_->AppendBatch(batch));
  ASSERT_EQ(ByKey().size(), 1u);
  EXPECT_EQ(ByKey()[0].cost_nano_usd, 30);
  EXPECT_EQ(ByKey()[0].requests, 2);

  // A retry mixed with a new record: only the new one counts.
  ASSERT_TRUE(records_->AppendBatch(std::vector{WithSpend("b", "k1", 20), WithSpend("c", "k1", 1)}));
  EXPECT_EQ(ByKey()[0].cost_nano_usd, 31);
  EXPECT_EQ(ByKey()[0].requests, 3);
}

TEST_F(SpendRollupTest, SpendDoesNotBumpTheGovernanceVersion) {
  const std::int64_t before = Version();
  ASSERT_TRUE(records_->AppendBatch(std::vector{WithSpend("a", "k1", 10)}));
  EXPECT_EQ(Version(), before);
}

}  // namespace
}  // namespace strata::store
