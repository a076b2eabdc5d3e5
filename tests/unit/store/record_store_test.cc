#include "store/sqlite/record_store.h"

#include <array>
#include <vector>

#include <gtest/gtest.h>

#include "store/migrations.h"
#include "store/sqlite/database.h"
#include "store_test_support.h"

namespace strata::store::sqlite {
namespace {

using testing::MakeRecord;
using testing::TempDir;

class SqliteRecordStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Database::Open(dir_.File("strata.db"));
    ASSERT_TRUE(opened) << opened.error().message();
    database_ = std::move(*opened);
    ASSERT_TRUE(ApplyMigrations(*database_));
    records_ = std::make_unique<SqliteRecordStore>(*database_);
  }

  std::int64_t Count() {
    core::Result<std::int64_t> count = records_->Count();
    EXPECT_TRUE(count) << count.error().message();
    return count ? *count : -1;
  }

  TempDir dir_;
  std::unique_ptr<Database> database_;
  std::unique_ptr<SqliteRecordStore> records_;
};

TEST_F(SqliteRecordStoreTest, AppendedRecordsCanBeFoundAndCounted) {
  const std::vector<Record> batch = {
      MakeRecord("a", R"({"model":"gpt-4o"})"),
      MakeRecord("b", "h\xC3\xA9llo \"quoted\"\n"),
      Record{.id = "c", .created_at_ms = 42, .kind = "audit", .payload = ""},
  };
  ASSERT_TRUE(records_->AppendBatch(batch));
  EXPECT_EQ(Count(), 3);
  for (const Record& expected : batch) {
    core::Result<std::optional<Record>> found = records_->Find(expected.id);
    ASSERT_TRUE(found) << found.error().message();
    ASSERT_TRUE(found->has_value()) << expected.id;
    EXPECT_EQ(**found, expected);
  }
}

TEST_F(SqliteRecordStoreTest, FindingAnUnknownIdIsNotAnError) {
  ASSERT_TRUE(records_->AppendBatch(std::vector{MakeRecord("a")}));
  core::Result<std::optional<Record>> found = records_->Find("nope");
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->has_value());
}

TEST_F(SqliteRecordStoreTest, AnEmptyBatchWritesNothing) {
  EXPECT_TRUE(records_->AppendBatch({}));
  EXPECT_EQ(Count(), 0);
}

TEST_F(SqliteRecordStoreTest, RetryingABatchThatAlreadyCommittedChangesNothing) {
  const std::vector<Record> batch = {MakeRecord("a", "first"), MakeRecord("b", "first")};
  ASSERT_TRUE(records_->AppendBatch(batch));
  ASSERT_TRUE(records_->AppendBatch(batch));
  EXPECT_EQ(Count(), 2);

  // A retry mixed with new records: the new ones land, the stored ones are kept as they were.
  const std::vector<Record> retry = {MakeRecord("a", "second"), MakeRecord("c", "second")};
  ASSERT_TRUE(records_->AppendBatch(retry));
  EXPECT_EQ(Count(), 3);
  EXPECT_EQ((*records_->Find("a"))->payload, "first");
  EXPECT_EQ((*records_->Find("c"))->payload, "second");
}

TEST_F(SqliteRecordStoreTest, ADuplicateIdInsideOneBatchKeepsTheFirst) {
  const std::vector<Record> batch = {MakeRecord("a", "first"), MakeRecord("a", "second")};
  ASSERT_TRUE(records_->AppendBatch(batch));
  EXPECT_EQ(Count(), 1);
  EXPECT_EQ((*records_->Find("a"))->payload, "first");
}

TEST_F(SqliteRecordStoreTest, ABusyDatabaseFailsTheWholeBatchAsUnavailable) {
  // A second connection with a short busy timeout, while this one holds the write lock.
  auto other = Database::Open(dir_.File("strata.db"), DatabaseOptions{.busy_timeout = std::chrono::milliseconds(20)});
  ASSERT_TRUE(other);
  SqliteRecordStore blocked(**other);
  {
    Connection holding = database_->Lock();
    auto held = holding.Begin();
    ASSERT_TRUE(held);
    core::Status appended = blocked.AppendBatch(std::vector{MakeRecord("a"), MakeRecord("b")});
    ASSERT_FALSE(appended);
    EXPECT_EQ(appended.error().code(), core::ErrorCode::kUnavailable);
    EXPECT_TRUE(appended.error().Retryable());
  }
  EXPECT_EQ(Count(), 0);
  ASSERT_TRUE(blocked.AppendBatch(std::vector{MakeRecord("a"), MakeRecord("b")}));
  EXPECT_EQ(Count(), 2);
}

}  // namespace
}  // namespace strata::store::sqlite
