#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/governance_store.h"

namespace strata::store {

// The human review queue and caller feedback (docs/REVIEW.md). Plain rows;
// the waiting, sealing and access rules live in src/review. Times are Unix
// milliseconds.
//
// Members default to {} so that designated initializers may leave any out.

// One exchange held for a human decision. Ids are "rev_" + a time-ordered
// random part, so they sort by creation.
struct ReviewRow {
  std::string id{};                // set by Create
  std::string tenant_id{};
  std::string request_id{};
  std::string key_id{};            // the API key that made the request: only it may poll the review
  std::string subject{};           // the end user the content is about (DSR erase), may be empty
  std::string mode = "blocking";   // "blocking" | "queued"
  std::string status = "pending";  // "pending" | "approved" | "rejected" | "expired"
  std::string decision_record = "{}";    // JSON text: why the policy asked for review
  std::string redacted_exchange = "{}";  // JSON text: what the reviewer sees
  // The answer kept back until approval, sealed by the ContentVault (never
  // plaintext). Cleared when the review is rejected or expires.
  std::optional<std::string> held_answer{};
  std::int64_t created_at_ms = 0;
  std::int64_t expires_at_ms = 0;  // a pending review past this expires
  std::int64_t decided_at_ms = 0;  // 0: not decided (also for an expired one)
  std::string reviewer_id{};
  std::string justification{};

  bool operator==(const ReviewRow&) const = default;
};

// Which reviews List returns, ordered by id (creation).
struct ReviewQuery {
  std::string tenant_id{};  // empty: every tenant (platform admins only; the caller checks)
  std::string status{};     // empty: any
  std::string after_id{};   // the cursor: rows with id > after_id
  int limit = 50;           // 1..500
};

// A caller's rating of one answer. Ids are "fb_" + a time-ordered random part.
struct FeedbackRow {
  std::string id{};  // set by CreateFeedback
  std::string tenant_id{};
  std::string request_id{};
  std::string key_id{};
  double score = 0;  // in [0, 1]: 0 bad, 1 good (docs/REVIEW.md); the range is checked by the caller
  std::string comment{};
  std::int64_t created_at_ms = 0;

  bool operator==(const FeedbackRow&) const = default;
};

struct FeedbackQuery {
  std::string tenant_id{};   // empty: every tenant
  std::string request_id{};  // empty: any
  std::string after_id{};
  int limit = 50;            // 1..500
};

// Blocking and thread-safe, like GovernanceStore: run it on the BlockingPool.
// A tenant_id argument left empty means "any tenant" (platform scope; the
// caller checks). Errors: kNotFound for a review that does not exist within
// the tenant given (another tenant's review is simply not found), kConflict
// for a decision on a review that is no longer pending, kInvalidRequest for
// bad arguments (limit, status, mode), kUnavailable for transient database
// conditions, kInternal otherwise. Writes do not bump the governance version.
class ReviewStore {
 public:
  virtual ~ReviewStore() = default;

  // Stores `row` as given, with a fresh id, status "pending", no decision.
  // REQUIRES: created_at_ms and expires_at_ms set; mode "blocking" or "queued".
  virtual core::Result<ReviewRow> Create(ReviewRow row) = 0;
  virtual core::Result<ReviewRow> Get(std::string_view id, std::string_view tenant_id) = 0;
  virtual core::Result<Page<ReviewRow>> List(const ReviewQuery& query) = 0;

  // Approves or rejects a pending review, atomically (two reviewers racing:
  // one wins, the other gets kConflict). A rejection drops the held answer;
  // an approval keeps it for the caller to collect. Returns the updated row.
  // kConflict when the review is decided or expired, or pending but past
  // expires_at_ms at `now_ms`.
  virtual core::Result<ReviewRow> Decide(std::string_view id, std::string_view tenant_id, bool approve,
                                         std::string_view reviewer_id, std::string_view justification,
                                         std::int64_t now_ms) = 0;

  // Which of `ids` are no longer pending (decided, expired, or gone): one read
  // for every review waited on in this process (ReviewQueue polls with it).
  virtual core::Result<std::vector<std::string>> Settled(const std::vector<std::string>& ids) = 0;

  // Pending reviews whose expires_at_ms <= now_ms become "expired" and lose
  // their held answer. Returns how many did.
  virtual core::Result<std::int64_t> ExpireDue(std::int64_t now_ms) = 0;
  // Deletes every review about `subject` in `tenant_id` (data subject erase).
  // REQUIRES: tenant_id not empty. Returns how many.
  virtual core::Result<std::int64_t> DeleteSubject(std::string_view tenant_id, std::string_view subject) = 0;
  // Deletes reviews that are no longer pending and were created before
  // `cutoff_ms` (retention). Pending ones stay. Returns how many.
  virtual core::Result<std::int64_t> PurgeBefore(std::string_view tenant_id, std::int64_t cutoff_ms) = 0;

  // Stores `row` with a fresh id. REQUIRES: created_at_ms set.
  virtual core::Result<FeedbackRow> CreateFeedback(FeedbackRow row) = 0;
  virtual core::Result<Page<FeedbackRow>> ListFeedback(const FeedbackQuery& query) = 0;
  // Deletes feedback created before `cutoff_ms`. Returns how many.
  virtual core::Result<std::int64_t> PurgeFeedbackBefore(std::string_view tenant_id, std::int64_t cutoff_ms) = 0;
};

}  // namespace strata::store
