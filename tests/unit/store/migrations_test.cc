#include "store/migrations.h"

#include <array>

#include <gtest/gtest.h>

#include "store/sqlite/database.h"
#include "store/store.h"
#include "store_test_support.h"

namespace strata::store {
namespace {

using testing::TempDir;

std::int64_t QueryInt(sqlite::Database& database, std::string_view sql) {
  sqlite::Connection connection = database.Lock();
  auto query = connection.Prepare(sql);
  EXPECT_TRUE(query) << query.error().message();
  if (!query) return -1;
  core::Result<bool> row = query->Step();
  EXPECT_TRUE(row && *row);
  return query->ColumnInt64(0);
}

bool TableExists(sqlite::Database& database, std::string_view table) {
  sqlite::Connection connection = database.Lock();
  auto query = connection.Prepare("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = ?");
  EXPECT_TRUE(query);
  EXPECT_TRUE(query->Bind(1, table).Step());
  return query->ColumnInt64(0) == 1;
}

std::unique_ptr<sqlite::Database> OpenDatabase(const std::string& path) {
  auto database = sqlite::Database::Open(path);
  EXPECT_TRUE(database) << database.error().message();
  return database ? std::move(*database) : nullptr;
}

StoreOptions OptionsFor(const TempDir& dir) {
  StoreOptions options;
  options.data_dir = dir.path().string();
  return options;
}

constexpr std::array kTwoSteps = {
    Migration{1, "create t1", "CREATE TABLE t1(x INTEGER)"},
    Migration{2, "create t2", "CREATE TABLE t2(y INTEGER)"},
};

TEST(MigrationsTest, AFreshDatabaseIsMigratedToTheLatestVersion) {
  TempDir dir;
  auto store = Store::Open(OptionsFor(dir));
  ASSERT_TRUE(store) << store.error().message();
  EXPECT_EQ((*store)->schema_version(), Migrations().back().version);
  store->reset();

  auto database = OpenDatabase(dir.File("strata.db"));
  EXPECT_TRUE(TableExists(*database, "inference_records"));
  EXPECT_EQ(QueryInt(*database, "SELECT COUNT(*) FROM schema_migrations"),
            static_cast<std::int64_t>(Migrations().size()));
  sqlite::Connection connection = database->Lock();
  auto first = connection.Prepare("SELECT name, applied_at FROM schema_migrations WHERE version = 1");
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->Step());
  EXPECT_EQ(first->ColumnText(0), "create inference_records");
  EXPECT_FALSE(first->ColumnText(1).empty());
}

TEST(MigrationsTest, ReopeningAppliesNothingTwice) {
  TempDir dir;
  ASSERT_TRUE(Store::Open(OptionsFor(dir)));
  auto database = OpenDatabase(dir.File("strata.db"));
  const std::int64_t applied_before = QueryInt(*database, "SELECT COUNT(*) FROM schema_migrations");

  auto reopened = Store::Open(OptionsFor(dir));
  ASSERT_TRUE(reopened) << reopened.error().message();
  EXPECT_EQ((*reopened)->schema_version(), Migrations().back().version);
  EXPECT_EQ(QueryInt(*database, "SELECT COUNT(*) FROM schema_migrations"), applied_before);
}

TEST(MigrationsTest, RefusesADatabaseWrittenByANewerStrata) {
  TempDir dir;
  ASSERT_TRUE(Store::Open(OptionsFor(dir)));
  {
    auto database = OpenDatabase(dir.File("strata.db"));
    ASSERT_TRUE(database->Lock().Execute(
        "INSERT INTO schema_migrations(version, name, applied_at) VALUES (99, 'from the future', 'later')"));
  }
  auto store = Store::Open(OptionsFor(dir));
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message().find("schema version 99"), std::string::npos) << store.error().message();
  EXPECT_NE(store.error().message().find("newer"), std::string::npos) << store.error().message();
  EXPECT_FALSE(store.error().Retryable());
}

TEST(MigrationsTest, AppliesOnlyThePendingMigrations) {
  TempDir dir;
  auto database = OpenDatabase(dir.File("t.db"));
  core::Result<int> first = ApplyMigrations(*database, std::span(kTwoSteps).first(1));
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(*first, 1);
  EXPECT_TRUE(TableExists(*database, "t1"));
  EXPECT_FALSE(TableExists(*database, "t2"));

  // Re-running migration 1 would fail ("table t1 already exists"): it must be skipped.
  core::Result<int> both = ApplyMigrations(*database, kTwoSteps);
  ASSERT_TRUE(both) << both.error().message();
  EXPECT_EQ(*both, 2);
  EXPECT_TRUE(TableExists(*database, "t2"));
  EXPECT_EQ(*SchemaVersion(*database), 2);
}

TEST(MigrationsTest, AFailingMigrationLeavesThePreviousVersionIntact) {
  TempDir dir;
  auto database = OpenDatabase(dir.File("t.db"));
  constexpr std::array kBrokenSecond = {
      Migration{1, "create t1", "CREATE TABLE t1(x INTEGER)"},
      Migration{2, "half done", "CREATE TABLE t2(y INTEGER); INSERT INTO missing VALUES (1)"},
  };
  core::Result<int> applied = ApplyMigrations(*database, kBrokenSecond);
  ASSERT_FALSE(applied);
  EXPECT_NE(applied.error().message().find("migration 2 (half done)"), std::string::npos) << applied.error().message();
  EXPECT_NE(applied.error().message().find("no such table: missing"), std::string::npos);
  EXPECT_EQ(*SchemaVersion(*database), 1);
  EXPECT_TRUE(TableExists(*database, "t1"));
  EXPECT_FALSE(TableExists(*database, "t2"));  // rolled back with the failing statement
}

TEST(MigrationsTest, RejectsAListThatIsNotNumberedInOrder) {
  TempDir dir;
  auto database = OpenDatabase(dir.File("t.db"));
  constexpr std::array kGap = {
      Migration{1, "one", "CREATE TABLE t1(x)"},
      Migration{3, "three", "CREATE TABLE t3(x)"},
  };
  core::Result<int> applied = ApplyMigrations(*database, kGap);
  ASSERT_FALSE(applied);
  EXPECT_FALSE(TableExists(*database, "t1"));  // checked before anything runs
}

TEST(MigrationsTest, TheCompiledInListIsNumberedFromOne) {
  int expected = 1;
  for (const Migration& migration : Migrations()) {
    EXPECT_EQ(migration.version, expected++);
    EXPECT_FALSE(migration.name.empty());
  }
}

}  // namespace
}  // namespace strata::store
