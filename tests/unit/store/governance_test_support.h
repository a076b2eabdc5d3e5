#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "store/migrations.h"
#include "store/sqlite/database.h"
#include "store/sqlite/governance_store.h"
#include "store_test_support.h"

namespace strata::store::testing {

// A migrated SQLite file in a temp dir with a SqliteGovernanceStore over it,
// whose clock is `now` (2026-03-15 10:00 UTC unless a test moves it).
class GovernanceStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = sqlite::Database::Open(dir_.File("strata.db"));
    ASSERT_TRUE(opened) << opened.error().message();
    database_ = std::move(*opened);
    core::Result<int> version = ApplyMigrations(*database_);
    ASSERT_TRUE(version) << version.error().message();
    store_ = std::make_unique<sqlite::SqliteGovernanceStore>(*database_, [this] { return now; });
  }

  TenantRow Tenant(const std::string& name) {
    core::Result<TenantRow> row = store_->CreateTenant(TenantRow{.name = name});
    EXPECT_TRUE(row) << row.error().message();
    return row ? *row : TenantRow{};
  }
  TeamRow Team(const std::string& tenant_id, const std::string& name) {
    core::Result<TeamRow> row = store_->CreateTeam(TeamRow{.tenant_id = tenant_id, .name = name});
    EXPECT_TRUE(row) << row.error().message();
    return row ? *row : TeamRow{};
  }
  // `seed` makes the digest unique: 64 hex characters.
  static std::string Digest(char seed) { return std::string(64, seed); }
  ApiKeyRow Key(const std::string& tenant_id, const std::string& name, char seed, const std::string& team_id = "") {
    core::Result<ApiKeyRow> row = store_->CreateKey(ApiKeyRow{.tenant_id = tenant_id,
                                                              .team_id = team_id,
                                                              .name = name,
                                                              .prefix = "sk-strata-abcdef",
                                                              .digest_hex = Digest(seed),
                                                              .role = "developer"});
    EXPECT_TRUE(row) << row.error().message();
    return row ? *row : ApiKeyRow{};
  }
  std::int64_t Version() {
    core::Result<std::int64_t> version = store_->Version();
    EXPECT_TRUE(version) << version.error().message();
    return version ? *version : -1;
  }

  std::chrono::system_clock::time_point now =
      std::chrono::sys_days{std::chrono::year{2026} / 3 / 15} + std::chrono::hours(10);
  TempDir dir_;
  std::unique_ptr<sqlite::Database> database_;
  std::unique_ptr<sqlite::SqliteGovernanceStore> store_;
};

}  // namespace strata::store::testing
