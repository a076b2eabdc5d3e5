#include "store/store.h"

#include <fstream>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "store_test_support.h"

namespace strata::store {
namespace {

using testing::MakeRecord;
using testing::RunCoroutine;
using testing::TempDir;

StoreOptions OptionsFor(const std::filesystem::path& dir) {
  StoreOptions options;
  options.data_dir = dir.string();
  return options;
}

asio::awaitable<core::Result<std::int64_t>> CountOnPool(Store& store) {
  co_return co_await store.pool().Run([&store] { return store.records().Count(); });
}

TEST(StoreTest, OpenCreatesTheDataDirWithItsParents) {
  TempDir dir;
  const std::filesystem::path data_dir = dir.path() / "a" / "b" / "data";
  auto store = Store::Open(OptionsFor(data_dir));
  ASSERT_TRUE(store) << store.error().message();
  EXPECT_TRUE(std::filesystem::exists(data_dir / "strata.db"));
  EXPECT_EQ((*store)->pool().size(), 2u);
}

TEST(StoreTest, PingSucceedsOnAnOpenStore) {
  TempDir dir;
  auto store = Store::Open(OptionsFor(dir.path()));
  ASSERT_TRUE(store);
  core::Status ping = RunCoroutine((*store)->Ping());
  EXPECT_TRUE(ping) << ping.error().message();
}

TEST(StoreTest, RecordsAreReachableThroughThePool) {
  TempDir dir;
  auto store = Store::Open(OptionsFor(dir.path()));
  ASSERT_TRUE(store);
  ASSERT_TRUE((*store)->records().AppendBatch(std::vector{MakeRecord("a"), MakeRecord("b")}));
  core::Result<std::int64_t> count = RunCoroutine(CountOnPool(**store));
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 2);
}

TEST(StoreTest, RecordsSurviveReopening) {
  TempDir dir;
  {
    auto store = Store::Open(OptionsFor(dir.path()));
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->records().AppendBatch(std::vector{MakeRecord("kept")}));
  }
  auto store = Store::Open(OptionsFor(dir.path()));
  ASSERT_TRUE(store);
  auto found = (*store)->records().Find("kept");
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->has_value());
}

TEST(StoreTest, RefusesAnUnknownBackend) {
  TempDir dir;
  StoreOptions options = OptionsFor(dir.path());
  options.backend = "mongodb";
  auto store = Store::Open(options);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), core::ErrorCode::kInvalidRequest);
  EXPECT_NE(store.error().message().find("mongodb"), std::string::npos);
}

TEST(StoreTest, ADataDirThatCannotBeCreatedIsReported) {
  TempDir dir;
  { std::ofstream file(dir.path() / "a-file"); }
  auto store = Store::Open(OptionsFor(dir.path() / "a-file" / "data"));
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), core::ErrorCode::kUnavailable);
  EXPECT_NE(store.error().message().find("a-file"), std::string::npos) << store.error().message();
}

}  // namespace
}  // namespace strata::store
