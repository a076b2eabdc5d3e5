#include "cli/review_desk.h"

#include "core/clock.h"

namespace strata::cli {

boost::asio::awaitable<core::Result<std::string>> QueueReviewDesk::Submit(Submission submission) {
  review::HeldExchange held;
  held.tenant = std::move(submission.tenant);
  held.request_id = std::move(submission.request_id);
  held.key_id = std::move(submission.key_id);
  held.subject = std::move(submission.subject);
  held.mode = submission.blocking ? "blocking" : "queued";
  held.decision_record = std::move(submission.decision_record);
  held.redacted_exchange = std::move(submission.redacted_exchange);
  held.held_answer = std::move(submission.held_answer);
  co_return co_await queue_.Submit(std::move(held));
}

boost::asio::awaitable<core::Result<QueueReviewDesk::Decision>> QueueReviewDesk::Await(
    std::string id, std::chrono::milliseconds wait) {
  core::Result<review::ReviewStatus> status = co_await queue_.AwaitDecision(std::move(id), wait);
  if (!status) co_return status.error();
  Decision decision;
  decision.justification = std::move(status->justification);
  if (status->status == "approved") decision.verdict = Verdict::kApproved;
  if (status->status == "rejected") decision.verdict = Verdict::kRejected;
  if (status->status == "expired") decision.verdict = Verdict::kExpired;
  co_return decision;
}

boost::asio::awaitable<core::Result<boost::json::object>> QueueReviewDesk::CallerView(std::string id,
                                                                                      std::string tenant,
                                                                                      std::string key_id) {
  co_return co_await queue_.CallerView(std::move(id), std::move(tenant), std::move(key_id));
}

boost::asio::awaitable<core::Result<boost::json::object>> QueueReviewDesk::AddFeedback(Feedback feedback) {
  store::FeedbackRow row;
  row.tenant_id = std::move(feedback.tenant);
  row.key_id = std::move(feedback.key_id);
  row.request_id = std::move(feedback.request_id);
  row.score = feedback.score;
  row.comment = std::move(feedback.comment);
  row.created_at_ms = core::NowMs();
  store::ReviewStore& store = store_;
  core::Result<store::FeedbackRow> stored = co_await pool_.Run([&store, &row] { return store.CreateFeedback(row); });
  if (!stored) co_return stored.error();
  boost::json::object json = review::FeedbackJson(*stored);
  co_return json;
}

}  // namespace strata::cli
