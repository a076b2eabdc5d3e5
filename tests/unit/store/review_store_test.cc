#include "store/sqlite/review_store.h"

#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "store/migrations.h"
#include "store/sqlite/database.h"
#include "store_test_support.h"

namespace strata::store {
namespace {

constexpr std::int64_t kNow = 1'773'568'800'000;  // 2026-03-15 10:00 UTC
constexpr std::int64_t kHour = 3'600'000;

class ReviewStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = sqlite::Database::Open(dir_.File("strata.db"));
    ASSERT_TRUE(opened) << opened.error().message();
    database_ = std::move(*opened);
    ASSERT_TRUE(ApplyMigrations(*database_));
    store_ = std::make_unique<sqlite::SqliteReviewStore>(*database_);
  }

  ReviewRow Review(const std::string& tenant, const std::string& subject = "user-1", std::int64_t created = kNow) {
    core::Result<ReviewRow> row = store_->Create(ReviewRow{.tenant_id = tenant,
                                                           .request_id = "req-" + subject,
                                                           .key_id = "key_1",
                                                           .subject = subject,
                                                           .decision_record = R"({"rule":"r"})",
                                                           .redacted_exchange = R"({"prompt":"p"})",
                                                           .held_answer = std::string("sealed\0bytes", 12),
                                                           .created_at_ms = created,
                                                           .expires_at_ms = created + kHour});
    EXPECT_TRUE(row) << row.error().message();
    return row ? *row : ReviewRow{};
  }

  std::vector<std::string> Ids(const ReviewQuery& query) {
    core::Result<Page<ReviewRow>> page = store_->List(query);
    EXPECT_TRUE(page) << page.error().message();
    std::vector<std::string> ids;
    if (page) {
      for (const ReviewRow& row : page->rows) ids.push_back(row.id);
    }
    return ids;
  }

  testing::TempDir dir_;
  std::unique_ptr<sqlite::Database> database_;
  std::unique_ptr<sqlite::SqliteReviewStore> store_;
};

TEST_F(ReviewStoreTest, CreateStoresAPendingReviewWithItsHeldBytes) {
  const ReviewRow created = Review("ten_a");
  EXPECT_TRUE(created.id.starts_with("rev_"));
  EXPECT_EQ(created.status, "pending");
  core::Result<ReviewRow> read = store_->Get(created.id, "ten_a");
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, created);
  EXPECT_EQ(read->held_answer, std::string("sealed\0bytes", 12));
}

TEST_F(ReviewStoreTest, CreateRefusesAnUnknownMode) {
  core::Result<ReviewRow> row = store_->Create(ReviewRow{.tenant_id = "ten_a", .mode = "someday"});
  ASSERT_FALSE(row);
  EXPECT_EQ(row.error().code(), core::ErrorCode::kInvalidRequest);
}

TEST_F(ReviewStoreTest, AnotherTenantsReviewIsNotFound) {
  const ReviewRow row = Review("ten_a");
  EXPECT_TRUE(store_->Get(row.id, ""));
  core::Result<ReviewRow> other = store_->Get(row.id, "ten_b");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code(), core::ErrorCode::kNotFound);
  core::Result<ReviewRow> decided = store_->Decide(row.id, "ten_b", true, "usr_1", "ok", kNow + 1);
  ASSERT_FALSE(decided);
  EXPECT_EQ(decided.error().code(), core::ErrorCode::kNotFound);
  EXPECT_EQ(store_->Get(row.id, "ten_a")->status, "pending");
}

TEST_F(ReviewStoreTest, ApproveRecordsTheDecisionAndKeepsTheHeldAnswer) {
  const ReviewRow row = Review("ten_a");
  core::Result<ReviewRow> decided = store_->Decide(row.id, "ten_a", true, "usr_rev", "fine", kNow + 1000);
  ASSERT_TRUE(decided) << decided.error().message();
  EXPECT_EQ(decided->status, "approved");
  EXPECT_EQ(decided->decided_at_ms, kNow + 1000);
  EXPECT_EQ(decided->reviewer_id, "usr_rev");
  EXPECT_EQ(decided->justification, "fine");
  EXPECT_TRUE(decided->held_answer);
  EXPECT_EQ(*store_->Get(row.id, ""), *decided);
}

TEST_F(ReviewStoreTest, RejectDropsTheHeldAnswer) {
  const ReviewRow row = Review("ten_a");
  core::Result<ReviewRow> decided = store_->Decide(row.id, "", false, "usr_rev", "no", kNow + 1000);
  ASSERT_TRUE(decided);
  EXPECT_EQ(decided->status, "rejected");
  EXPECT_FALSE(decided->held_answer);
  EXPECT_FALSE(store_->Get(row.id, "")->held_answer);
}

TEST_F(ReviewStoreTest, ASecondDecisionIsAConflictAndChangesNothing) {
  const ReviewRow row = Review("ten_a");
  ASSERT_TRUE(store_->Decide(row.id, "ten_a", true, "usr_1", "first", kNow + 1));
  core::Result<ReviewRow> second = store_->Decide(row.id, "ten_a", false, "usr_2", "second", kNow + 2);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), core::ErrorCode::kConflict);
  core::Result<ReviewRow> read = store_->Get(row.id, "ten_a");
  EXPECT_EQ(read->status, "approved");
  EXPECT_EQ(read->reviewer_id, "usr_1");
  EXPECT_EQ(read->justification, "first");
}

TEST_F(ReviewStoreTest, ADecisionAfterTheHoldTimeIsAConflict) {
  const ReviewRow row = Review("ten_a");
  core::Result<ReviewRow> late = store_->Decide(row.id, "ten_a", true, "usr_1", "late", kNow + kHour);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code(), core::ErrorCode::kConflict);
}

TEST_F(ReviewStoreTest, ExpireDueExpiresOnlyPendingReviewsPastTheirTime) {
  const ReviewRow old_one = Review("ten_a", "u1", kNow - 2 * kHour);
  const ReviewRow fresh = Review("ten_a", "u2", kNow);
  const ReviewRow decided = Review("ten_b", "u3", kNow - 2 * kHour);
  ASSERT_TRUE(store_->Decide(decided.id, "", true, "usr", "ok", kNow - 2 * kHour + 1));
  core::Result<std::int64_t> expired = store_->ExpireDue(kNow);
  ASSERT_TRUE(expired);
  EXPECT_EQ(*expired, 1);
  EXPECT_EQ(store_->Get(old_one.id, "")->status, "expired");
  EXPECT_FALSE(store_->Get(old_one.id, "")->held_answer);
  EXPECT_EQ(store_->Get(fresh.id, "")->status, "pending");
  EXPECT_EQ(store_->Get(decided.id, "")->status, "approved");
  core::Result<ReviewRow> late = store_->Decide(old_one.id, "", true, "usr", "ok", kNow);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code(), core::ErrorCode::kConflict);
}

TEST_F(ReviewStoreTest, ListFiltersByTenantAndStatusAndPagesInCreationOrder) {
  std::vector<std::string> a;
  for (int i = 0; i < 5; ++i) a.push_back(Review("ten_a", "u" + std::to_string(i)).id);
  const std::string b = Review("ten_b").id;
  ASSERT_TRUE(store_->Decide(a[1], "", false, "usr", "no", kNow + 1));

  EXPECT_EQ(Ids(ReviewQuery{.tenant_id = "ten_a"}), a);
  EXPECT_EQ(Ids(ReviewQuery{.tenant_id = "ten_b"}), std::vector<std::string>{b});
  EXPECT_EQ(Ids(ReviewQuery{}).size(), 6u);
  EXPECT_EQ(Ids(ReviewQuery{.tenant_id = "ten_a", .status = "rejected"}), std::vector<std::string>{a[1]});
  EXPECT_EQ(Ids(ReviewQuery{.tenant_id = "ten_a", .status = "pending"}).size(), 4u);

  std::vector<std::string> paged;
  ReviewQuery query{.tenant_id = "ten_a", .limit = 2};
  for (int pages = 0; pages < 10; ++pages) {
    core::Result<Page<ReviewRow>> page = store_->List(query);
    ASSERT_TRUE(page);
    for (const ReviewRow& row : page->rows) paged.push_back(row.id);
    if (page->next_after_id.empty()) break;
    EXPECT_EQ(page->rows.size(), 2u);
    query.after_id = page->next_after_id;
  }
  EXPECT_EQ(paged, a);
}

TEST_F(ReviewStoreTest, ListRefusesABadLimitOrStatus) {
  for (const ReviewQuery& query :
       {ReviewQuery{.limit = 0}, ReviewQuery{.limit = 501}, ReviewQuery{.status = "maybe"}}) {
    core::Result<Page<ReviewRow>> page = store_->List(query);
    ASSERT_FALSE(page);
    EXPECT_EQ(page.error().code(), core::ErrorCode::kInvalidRequest);
  }
}

TEST_F(ReviewStoreTest, DeleteSubjectErasesThatSubjectsReviewsInItsTenantOnly) {
  const ReviewRow mine = Review("ten_a", "alice");
  const ReviewRow mine_too = Review("ten_a", "alice");
  const ReviewRow other = Review("ten_a", "bob");
  const ReviewRow other_tenant = Review("ten_b", "alice");
  core::Result<std::int64_t> deleted = store_->DeleteSubject("ten_a", "alice");
  ASSERT_TRUE(deleted);
  EXPECT_EQ(*deleted, 2);
  EXPECT_FALSE(store_->Get(mine.id, ""));
  EXPECT_FALSE(store_->Get(mine_too.id, ""));
  EXPECT_TRUE(store_->Get(other.id, ""));
  EXPECT_TRUE(store_->Get(other_tenant.id, ""));
  EXPECT_FALSE(store_->DeleteSubject("", "alice"));
}

TEST_F(ReviewStoreTest, PurgeBeforeKeepsPendingAndRecentReviews) {
  const ReviewRow old_decided = Review("ten_a", "u1", kNow - 10 * kHour);
  const ReviewRow old_pending = Review("ten_a", "u2", kNow - 10 * kHour);
  const ReviewRow old_other_tenant = Review("ten_b", "u3", kNow - 10 * kHour);
  const ReviewRow recent = Review("ten_a", "u4", kNow);
  ASSERT_TRUE(store_->Decide(old_decided.id, "", true, "usr", "ok", kNow - 10 * kHour + 1));
  ASSERT_TRUE(store_->Decide(old_other_tenant.id, "", true, "usr", "ok", kNow - 10 * kHour + 1));
  ASSERT_TRUE(store_->Decide(recent.id, "", true, "usr", "ok", kNow + 1));

  core::Result<std::int64_t> purged = store_->PurgeBefore("ten_a", kNow - kHour);
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, 1);
  EXPECT_FALSE(store_->Get(old_decided.id, ""));
  EXPECT_TRUE(store_->Get(old_pending.id, ""));
  EXPECT_TRUE(store_->Get(old_other_tenant.id, ""));
  EXPECT_TRUE(store_->Get(recent.id, ""));

  purged = store_->PurgeBefore("", kNow - kHour);
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, 1);
  EXPECT_FALSE(store_->Get(old_other_tenant.id, ""));
}

TEST_F(ReviewStoreTest, FeedbackIsListedByTenantAndRequestAndPurged) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    core::Result<FeedbackRow> row = store_->CreateFeedback(FeedbackRow{.tenant_id = "ten_a",
                                                                       .request_id = i == 0 ? "req_x" : "req_y",
                                                                       .key_id = "key_1",
                                                                       .score = i * 0.5,
                                                                       .comment = "c" + std::to_string(i),
                                                                       .created_at_ms = kNow - i * kHour});
    ASSERT_TRUE(row) << row.error().message();
    EXPECT_TRUE(row->id.starts_with("fb_"));
    ids.push_back(row->id);
  }
  ASSERT_TRUE(store_->CreateFeedback(FeedbackRow{.tenant_id = "ten_b", .request_id = "req_x", .created_at_ms = kNow}));

  core::Result<Page<FeedbackRow>> all_a = store_->ListFeedback(FeedbackQuery{.tenant_id = "ten_a"});
  ASSERT_TRUE(all_a);
  ASSERT_EQ(all_a->rows.size(), 3u);
  EXPECT_EQ(all_a->rows[0].id, ids[0]);
  EXPECT_EQ(all_a->rows[1].score, 0.5);
  EXPECT_EQ(all_a->rows[0].comment, "c0");

  core::Result<Page<FeedbackRow>> on_x =
      store_->ListFeedback(FeedbackQuery{.tenant_id = "ten_a", .request_id = "req_x"});
  ASSERT_TRUE(on_x);
  ASSERT_EQ(on_x->rows.size(), 1u);
  EXPECT_EQ(on_x->rows[0].id, ids[0]);

  core::Result<Page<FeedbackRow>> first = store_->ListFeedback(FeedbackQuery{.tenant_id = "ten_a", .limit = 2});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->rows.size(), 2u);
  EXPECT_EQ(first->next_after_id, ids[1]);

  core::Result<std::int64_t> purged = store_->PurgeFeedbackBefore("ten_a", kNow - kHour / 2);
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, 2);
  EXPECT_EQ(store_->ListFeedback(FeedbackQuery{})->rows.size(), 2u);

  core::Result<FeedbackRow> bad =
      store_->CreateFeedback(FeedbackRow{.tenant_id = "ten_a", .score = std::numeric_limits<double>::quiet_NaN()});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), core::ErrorCode::kInvalidRequest);
}

}  // namespace
}  // namespace strata::store
