#include "store/sqlite/review_store.h"

#include <cmath>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "store/sqlite/database.h"
#include "store/sqlite/governance_sql.h"
#include "store/sqlite/governance_store.h"

namespace strata::store::sqlite {
namespace {

using governance_sql::CheckLimit;
using governance_sql::ReadPage;
using governance_sql::RunCounting;

constexpr auto IdOf = [](const auto& row) { return row.id; };

constexpr std::string_view kReviewColumns =
    "id, tenant_id, request_id, key_id, subject, mode, status, decision_record, redacted_exchange, held_answer, "
    "created_at_ms, expires_at_ms, decided_at_ms, reviewer_id, justification";
constexpr std::string_view kFeedbackColumns = "id, tenant_id, request_id, key_id, score, comment, created_at_ms";

ReviewRow ReadReview(const Statement& s) {
  ReviewRow row;
  row.id = s.ColumnText(0);
  row.tenant_id = s.ColumnText(1);
  row.request_id = s.ColumnText(2);
  row.key_id = s.ColumnText(3);
  row.subject = s.ColumnText(4);
  row.mode = s.ColumnText(5);
  row.status = s.ColumnText(6);
  row.decision_record = s.ColumnText(7);
  row.redacted_exchange = s.ColumnText(8);
  if (!s.ColumnIsNull(9)) row.held_answer = s.ColumnBlob(9);
  row.created_at_ms = s.ColumnInt64(10);
  row.expires_at_ms = s.ColumnInt64(11);
  row.decided_at_ms = s.ColumnInt64(12);
  row.reviewer_id = s.ColumnText(13);
  row.justification = s.ColumnText(14);
  return row;
}

FeedbackRow ReadFeedback(const Statement& s) {
  return FeedbackRow{.id = s.ColumnText(0),
                     .tenant_id = s.ColumnText(1),
                     .request_id = s.ColumnText(2),
                     .key_id = s.ColumnText(3),
                     .score = s.ColumnDouble(4),
                     .comment = s.ColumnText(5),
                     .created_at_ms = s.ColumnInt64(6)};
}

core::Result<ReviewRow> SelectReview(Connection& c, std::string_view id, std::string_view tenant_id) {
  static const std::string kSql =
      "SELECT " + std::string(kReviewColumns) + " FROM reviews WHERE id = ?1 AND (?2 = '' OR tenant_id = ?2)";
  core::Result<Statement> select = c.Prepare(kSql);
  if (!select) return select.error();
  core::Result<bool> found = select->Bind(1, id).Bind(2, tenant_id).Step();
  if (!found) return found.error();
  if (!*found) return core::Error::NotFound("no review '" + std::string(id) + "'");
  return ReadReview(*select);
}

}  // namespace

core::Result<ReviewRow> SqliteReviewStore::Create(ReviewRow row) {
  if (row.mode != "blocking" && row.mode != "queued") {
    return core::Error::InvalidRequest("review mode must be 'blocking' or 'queued'", "mode");
  }
  if (row.tenant_id.empty()) return core::Error::InvalidRequest("a review needs a tenant", "tenant_id");
  row.id = NewGovernanceId("rev", row.created_at_ms);  // monotonic: ids sort by creation
  row.status = "pending";
  row.decided_at_ms = 0;
  row.reviewer_id.clear();
  row.justification.clear();
  Connection c = database_.Lock();
  core::Result<Statement> insert = c.Prepare(
      "INSERT INTO reviews(id, tenant_id, request_id, key_id, subject, mode, status, decision_record, "
      "redacted_exchange, held_answer, created_at_ms, expires_at_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8, ?9, ?10, ?11)");
  if (!insert) return insert.error();
  insert->Bind(1, row.id).Bind(2, row.tenant_id).Bind(3, row.request_id).Bind(4, row.key_id).Bind(5, row.subject);
  insert->Bind(6, row.mode).Bind(7, row.decision_record).Bind(8, row.redacted_exchange);
  if (row.held_answer) {
    insert->BindBlob(9, *row.held_answer);
  } else {
    insert->BindNull(9);
  }
  insert->Bind(10, row.created_at_ms).Bind(11, row.expires_at_ms);
  if (core::Status done = insert->Run(); !done) return done.error();
  return row;
}

core::Result<ReviewRow> SqliteReviewStore::Get(std::string_view id, std::string_view tenant_id) {
  Connection c = database_.Lock();
  return SelectReview(c, id, tenant_id);
}

core::Result<Page<ReviewRow>> SqliteReviewStore::List(const ReviewQuery& query) {
  if (core::Status valid = CheckLimit(query.limit); !valid) return valid.error();
  if (!query.status.empty() && query.status != "pending" && query.status != "approved" &&
      query.status != "rejected" && query.status != "expired") {
    return core::Error::InvalidRequest("'status' must be one of pending, approved, rejected, expired", "status");
  }
  static const std::string kSql = "SELECT " + std::string(kReviewColumns) +
                                  " FROM reviews WHERE id > ?1 AND (?2 = '' OR tenant_id = ?2) "
                                  "AND (?3 = '' OR status = ?3) ORDER BY id LIMIT ?4";
  Connection c = database_.Lock();
  core::Result<Statement> select = c.Prepare(kSql);
  if (!select) return select.error();
  select->Bind(1, query.after_id).Bind(2, query.tenant_id).Bind(3, query.status).Bind(4, query.limit + 1);
  return ReadPage(*select, query.limit, ReadReview, IdOf);
}

core::Result<ReviewRow> SqliteReviewStore::Decide(std::string_view id, std::string_view tenant_id, bool approve,
                                                  std::string_view reviewer_id, std::string_view justification,
                                                  std::int64_t now_ms) {
  Connection c = database_.Lock();
  core::Result<Transaction> transaction = c.Begin();
  if (!transaction) return transaction.error();
  core::Result<ReviewRow> row = SelectReview(c, id, tenant_id);
  if (!row) return row.error();
  if (row->status != "pending") {
    return core::Error(core::ErrorCode::kConflict, "review '" + row->id + "' is already " + row->status);
  }
  if (row->expires_at_ms <= now_ms) {
    return core::Error(core::ErrorCode::kConflict, "review '" + row->id + "' has expired");
  }
  {
    core::Result<Statement> update = c.Prepare(
        "UPDATE reviews SET status = ?2, decided_at_ms = ?3, reviewer_id = ?4, justification = ?5, "
        "held_answer = CASE WHEN ?6 THEN held_answer ELSE NULL END WHERE id = ?1 AND status = 'pending'");
    if (!update) return update.error();
    update->Bind(1, row->id).Bind(2, std::string_view(approve ? "approved" : "rejected")).Bind(3, now_ms);
    update->Bind(4, reviewer_id).Bind(5, justification).Bind(6, approve ? 1 : 0);
    if (core::Status done = update->Run(); !done) return done.error();
  }
  if (core::Status committed = transaction->Commit(); !committed) return committed.error();
  row->status = approve ? "approved" : "rejected";
  row->decided_at_ms = now_ms;
  row->reviewer_id = std::string(reviewer_id);
  row->justification = std::string(justification);
  if (!approve) row->held_answer.reset();
  return std::move(*row);
}

core::Result<std::vector<std::string>> SqliteReviewStore::Settled(const std::vector<std::string>& ids) {
  std::vector<std::string> settled;
  if (ids.empty()) return settled;
  // One statement text whatever the count (the statement cache stays
  // bounded): the ids travel as a JSON array.
  boost::json::array list;
  for (const std::string& id : ids) list.emplace_back(id);
  const std::string ids_json = boost::json::serialize(list);
  Connection c = database_.Lock();
  core::Result<Statement> select = c.Prepare(
      "SELECT j.value FROM json_each(?1) j LEFT JOIN reviews r ON r.id = j.value "
      "WHERE r.id IS NULL OR r.status <> 'pending'");
  if (!select) return select.error();
  select->Bind(1, ids_json);
  for (;;) {
    core::Result<bool> more = select->Step();
    if (!more) return more.error();
    if (!*more) return settled;
    settled.push_back(select->ColumnText(0));
  }
}

core::Result<std::int64_t> SqliteReviewStore::ExpireDue(std::int64_t now_ms) {
  Connection c = database_.Lock();
  return RunCounting(c,
                     "UPDATE reviews SET status = 'expired', held_answer = NULL "
                     "WHERE status = 'pending' AND expires_at_ms <= ?1",
                     now_ms);
}

core::Result<std::int64_t> SqliteReviewStore::DeleteSubject(std::string_view tenant_id, std::string_view subject) {
  if (tenant_id.empty()) return core::Error::InvalidRequest("erasing a subject needs its tenant", "tenant_id");
  Connection c = database_.Lock();
  return RunCounting(c, "DELETE FROM reviews WHERE tenant_id = ?1 AND subject = ?2", tenant_id, subject);
}

core::Result<std::int64_t> SqliteReviewStore::PurgeBefore(std::string_view tenant_id, std::int64_t cutoff_ms) {
  Connection c = database_.Lock();
  return RunCounting(c,
                     "DELETE FROM reviews WHERE status <> 'pending' AND created_at_ms < ?2 "
                     "AND (?1 = '' OR tenant_id = ?1)",
                     tenant_id, cutoff_ms);
}

core::Result<FeedbackRow> SqliteReviewStore::CreateFeedback(FeedbackRow row) {
  if (row.tenant_id.empty()) return core::Error::InvalidRequest("feedback needs a tenant", "tenant_id");
  if (!std::isfinite(row.score)) return core::Error::InvalidRequest("'score' must be a finite number", "score");
  row.id = NewGovernanceId("fb", row.created_at_ms);
  Connection c = database_.Lock();
  core::Result<Statement> insert = c.Prepare(
      "INSERT INTO feedback(id, tenant_id, request_id, key_id, score, comment, created_at_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!insert) return insert.error();
  insert->Bind(1, row.id).Bind(2, row.tenant_id).Bind(3, row.request_id).Bind(4, row.key_id);
  insert->Bind(5, row.score).Bind(6, row.comment).Bind(7, row.created_at_ms);
  if (core::Status done = insert->Run(); !done) return done.error();
  return row;
}

core::Result<Page<FeedbackRow>> SqliteReviewStore::ListFeedback(const FeedbackQuery& query) {
  if (core::Status valid = CheckLimit(query.limit); !valid) return valid.error();
  static const std::string kSql = "SELECT " + std::string(kFeedbackColumns) +
                                  " FROM feedback WHERE id > ?1 AND (?2 = '' OR tenant_id = ?2) "
                                  "AND (?3 = '' OR request_id = ?3) ORDER BY id LIMIT ?4";
  Connection c = database_.Lock();
  core::Result<Statement> select = c.Prepare(kSql);
  if (!select) return select.error();
  select->Bind(1, query.after_id).Bind(2, query.tenant_id).Bind(3, query.request_id).Bind(4, query.limit + 1);
  return ReadPage(*select, query.limit, ReadFeedback, IdOf);
}

core::Result<std::int64_t> SqliteReviewStore::PurgeFeedbackBefore(std::string_view tenant_id,
                                                                  std::int64_t cutoff_ms) {
  Connection c = database_.Lock();
  return RunCounting(c, "DELETE FROM feedback WHERE created_at_ms < ?2 AND (?1 = '' OR tenant_id = ?1)", tenant_id,
                     cutoff_ms);
}

}  // namespace strata::store::sqlite
