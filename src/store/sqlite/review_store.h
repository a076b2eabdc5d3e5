#pragma once

#include "store/review_store.h"

namespace strata::store::sqlite {

class Database;

// ReviewStore over the reviews and feedback tables of migration 5.
//
// Thread-safe: calls are serialized on the Database's connection. Blocking.
class SqliteReviewStore final : public ReviewStore {
 public:
  // `database` must outlive this object and be migrated to version >= 5.
  explicit SqliteReviewStore(Database& database) : database_(database) {}

  core::Result<ReviewRow> Create(ReviewRow row) override;
  core::Result<ReviewRow> Get(std::string_view id, std::string_view tenant_id) override;
  core::Result<Page<ReviewRow>> List(const ReviewQuery& query) override;
  core::Result<ReviewRow> Decide(std::string_view id, std::string_view tenant_id, bool approve,
                                 std::string_view reviewer_id, std::string_view justification,
                                 std::int64_t now_ms) override;
  core::Result<std::vector<std::string>> Settled(const std::vector<std::string>& ids) override;
  core::Result<std::int64_t> ExpireDue(std::int64_t now_ms) override;
  core::Result<std::int64_t> DeleteSubject(std::string_view tenant_id, std::string_view subject) override;
  core::Result<std::int64_t> PurgeBefore(std::string_view tenant_id, std::int64_t cutoff_ms) override;

  core::Result<FeedbackRow> CreateFeedback(FeedbackRow row) override;
  core::Result<Page<FeedbackRow>> ListFeedback(const FeedbackQuery& query) override;
  core::Result<std::int64_t> PurgeFeedbackBefore(std::string_view tenant_id, std::int64_t cutoff_ms) override;

 private:
  Database& database_;
};

}  // namespace strata::store::sqlite
