#include "store/sqlite/database.h"

#include <gtest/gtest.h>

#include "store_test_support.h"

namespace strata::store::sqlite {
namespace {

using testing::TempDir;
using namespace std::chrono_literals;

std::string QueryText(Database& database, std::string_view sql) {
  Connection connection = database.Lock();
  core::Result<Statement> query = connection.Prepare(sql);
  EXPECT_TRUE(query) << query.error().message();
  if (!query) return {};
  core::Result<bool> row = query->Step();
  EXPECT_TRUE(row && *row);
  return query->ColumnText(0);
}

std::int64_t CountRows(Database& database, std::string_view table) {
  Connection connection = database.Lock();
  core::Result<Statement> query = connection.Prepare("SELECT COUNT(*) FROM " + std::string(table));
  EXPECT_TRUE(query) << query.error().message();
  if (!query) return -1;
  EXPECT_TRUE(query->Step());
  return query->ColumnInt64(0);
}

TEST(SqliteDatabaseTest, OpensInWalModeWithNormalSyncAndForeignKeys) {
  TempDir dir;
  core::Result<std::unique_ptr<Database>> database = Database::Open(dir.File("t.db"));
  ASSERT_TRUE(database) << database.error().message();
  EXPECT_EQ(QueryText(**database, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(QueryText(**database, "PRAGMA synchronous"), "1");  // NORMAL
  EXPECT_EQ(QueryText(**database, "PRAGMA foreign_keys"), "1");
}

TEST(SqliteDatabaseTest, ErrorsCarrySqlitesOwnMessage) {
  TempDir dir;
  auto database = Database::Open(dir.File("t.db"));
  ASSERT_TRUE(database);
  Connection connection = (*database)->Lock();

  core::Result<Statement> bad = connection.Prepare("SELEC 1");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("syntax error"), std::string::npos) << bad.error().message();
  EXPECT_EQ(bad.error().code(), core::ErrorCode::kInternal);

  core::Status missing = connection.Execute("INSERT INTO nowhere VALUES (1)");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("no such table: nowhere"), std::string::npos) << missing.error().message();
}

TEST(SqliteDatabaseTest, OpeningAFileInAMissingDirectoryFailsAsUnavailable) {
  TempDir dir;
  auto database = Database::Open(dir.File("no/such/dir/t.db"));
  ASSERT_FALSE(database);
  EXPECT_EQ(database.error().code(), core::ErrorCode::kUnavailable);
  EXPECT_NE(database.error().message().find("unable to open"), std::string::npos) << database.error().message();
}

TEST(SqliteDatabaseTest, BindsAndReadsBackEveryType) {
  TempDir dir;
  auto database = Database::Open(dir.File("t.db"));
  ASSERT_TRUE(database);
  Connection connection = (*database)->Lock();
  ASSERT_TRUE(connection.Execute("CREATE TABLE t(i INTEGER, d REAL, s TEXT, n TEXT)"));
  const std::string text("h\xC3\xA9llo\n\"quoted\"\0tail", 20);
  {
    auto insert = connection.Prepare("INSERT INTO t VALUES (?, ?, ?, ?)");
    ASSERT_TRUE(insert);
    ASSERT_TRUE(insert->Bind(1, std::int64_t{1} << 40).Bind(2, 2.5).Bind(3, text).BindNull(4).Run());
  }
  auto select = connection.Prepare("SELECT i, d, s, n FROM t");
  ASSERT_TRUE(select);
  ASSERT_EQ(select->column_count(), 4);
  core::Result<bool> row = select->Step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ(select->ColumnInt64(0), std::int64_t{1} << 40);
  EXPECT_EQ(select->ColumnDouble(1), 2.5);
  EXPECT_EQ(select->ColumnText(2), text);
  EXPECT_TRUE(select->ColumnIsNull(3));
  row = select->Step();
  ASSERT_TRUE(row);
  EXPECT_FALSE(*row);
}

TEST(SqliteDatabaseTest, ABadBindIsReportedByStep) {
  TempDir dir;
  auto database = Database::Open(dir.File("t.db"));
  ASSERT_TRUE(database);
  Connection connection = (*database)->Lock();
  auto select = connection.Prepare("SELECT ?");
  ASSERT_TRUE(select);
  core::Result<bool> row = select->Bind(1, 1).Bind(7, 2).Step();
  ASSERT_FALSE(row);
  EXPECT_NE(row.error().message().find("parameter 7"), std::string::npos) << row.error().message();
  // Reset clears the remembered failure; the statement is usable again.
  row = select->Reset().Bind(1, 5).Step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ(select->ColumnInt64(0), 5);
}

TEST(SqliteDatabaseTest, TheSameSqlCanBeInUseTwiceAtOnce) {
  TempDir dir;
  auto database = Database::Open(dir.File("t.db"));
  ASSERT_TRUE(database);
  Connection connection = (*database)->Lock();
  constexpr std::string_view kSql = "SELECT ? + 1";
  auto outer = connection.Prepare(kSql);
  auto inner = connection.Prepare(kSql);  // the cached copy is busy: a second one
  ASSERT_TRUE(outer && inner);
  ASSERT_TRUE(outer->Bind(1, 1).Step());
  ASSERT_TRUE(inner->Bind(1, 10).Step());
  EXPECT_EQ(outer->ColumnInt64(0), 2);
  EXPECT_EQ(inner->ColumnInt64(0), 11);
}

TEST(SqliteDatabaseTest, ATransactionNotCommittedIsRolledBack) {
  TempDir dir;
  auto database = Database::Open(dir.File("t.db"));
  ASSERT_TRUE(database);
  ASSERT_TRUE((*database)->Lock().Execute("CREATE TABLE t(x INTEGER)"));
  {
    Connection connection = (*database)->Lock();
    auto transaction = connection.Begin();
    ASSERT_TRUE(transaction);
    ASSERT_TRUE(connection.Execute("INSERT INTO t VALUES (1)"));
    // Leaves scope without Commit(), as an early error return would.
  }
  EXPECT_EQ(CountRows(**database, "t"), 0);
  {
    Connection connection = (*database)->Lock();
    auto transaction = connection.Begin();
    ASSERT_TRUE(transaction);
    ASSERT_TRUE(connection.Execute("INSERT INTO t VALUES (1)"));
    ASSERT_TRUE(transaction->Commit());
    EXPECT_FALSE(transaction->Commit());  // twice is an error, not a crash
  }
  EXPECT_EQ(CountRows(**database, "t"), 1);
}

TEST(SqliteDatabaseTest, ACommitIsVisibleToAnotherConnection) {
  TempDir dir;
  auto writer = Database::Open(dir.File("t.db"));
  auto reader = Database::Open(dir.File("t.db"));
  ASSERT_TRUE(writer && reader);
  ASSERT_TRUE((*writer)->Lock().Execute("CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (1), (2)"));
  EXPECT_EQ(CountRows(**reader, "t"), 2);
}

TEST(SqliteDatabaseTest, ABusyDatabaseFailsAfterTheBusyTimeoutAsUnavailable) {
  TempDir dir;
  auto holder = Database::Open(dir.File("t.db"));
  auto waiter = Database::Open(dir.File("t.db"), DatabaseOptions{.busy_timeout = 50ms});
  ASSERT_TRUE(holder && waiter);
  Connection holding = (*holder)->Lock();
  auto held = holding.Begin();
  ASSERT_TRUE(held);

  const auto start = std::chrono::steady_clock::now();
  Connection waiting = (*waiter)->Lock();
  core::Result<Transaction> blocked = waiting.Begin();
  ASSERT_FALSE(blocked);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
  EXPECT_EQ(blocked.error().code(), core::ErrorCode::kUnavailable);
  EXPECT_NE(blocked.error().message().find("database is locked"), std::string::npos) << blocked.error().message();
}

}  // namespace
}  // namespace strata::store::sqlite
