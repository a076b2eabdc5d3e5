#include "gateway/review_hold.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "gateway/dispatch.h"
#include "observability/log.h"

namespace strata::gateway {
namespace {

namespace json = boost::json;

ReviewDesk::Submission SubmissionOf(const core::Exchange& exchange, RequestGuard& guard, bool blocking) {
  ReviewDesk::Submission submission;
  submission.tenant = exchange.principal.tenant;
  submission.request_id = exchange.request_id;
  submission.key_id = exchange.principal.key_id;
  submission.subject = exchange.subject;
  submission.blocking = blocking;
  submission.decision_record = guard.DecisionRecord();
  submission.redacted_exchange = guard.RedactedTranscript();
  return submission;
}

// pending_review (423) or review_rejected (403): the review id in the error
// object and a header, and x-should-retry: false so that the official SDKs
// do not send the request again on their own (it would file a second review).
boost::asio::awaitable<void> SendReviewError(core::Exchange& exchange, http::Responder& responder,
                                             const core::Error& error, const std::string& review_id) {
  exchange.status = error.HttpStatus();
  exchange.error = error.code();
  json::value body = json::parse(ErrorBody(exchange, error));
  body.at("error").as_object()["review_id"] = review_id;
  http::Response response = http::ErrorResponse(error, 11);
  response.body() = json::serialize(body);
  for (const auto& [name, value] : exchange.response_headers) response.set(name, value);
  response.set("x-strata-review-id", review_id);
  response.set("x-should-retry", "false");
  co_await responder.Send(std::move(response));
}

}  // namespace

boost::asio::awaitable<bool> HoldForReview(core::Exchange& exchange, RequestGuard& guard, ReviewDesk* desk,
                                           std::string held_answer, http::Responder& responder) {
  if (desk == nullptr) {
    co_await SendError(exchange, responder,
                       core::Error::Unavailable("the policy requires a human review, and this gateway has no review queue"),
                       11);
    co_return false;
  }
  ReviewDesk::Submission submission = SubmissionOf(exchange, guard, true);
  submission.held_answer = std::move(held_answer);
  core::Result<std::string> id = co_await desk->Submit(std::move(submission));
  if (!id) {
    co_await SendError(exchange, responder, core::Error::Unavailable("cannot queue the answer for review: " + id.error().message()), 11);
    co_return false;
  }
  guard.SetReview(*id, "pending");
  core::Result<ReviewDesk::Decision> decision = co_await desk->Await(*id, guard.effect().review_wait);
  const ReviewDesk::Verdict verdict = decision ? decision->verdict : ReviewDesk::Verdict::kPending;
  if (verdict == ReviewDesk::Verdict::kApproved) {
    guard.SetReview(*id, "approved");
    exchange.response_headers.emplace_back("x-strata-review-id", *id);
    co_return true;
  }
  if (verdict == ReviewDesk::Verdict::kRejected) {
    guard.SetReview(*id, "rejected");
    const core::Error rejected(core::ErrorCode::kReviewRejected,
                               "a reviewer rejected the answer: " + decision->justification);
    co_await SendReviewError(exchange, responder, rejected, *id);
    co_return false;
  }
  const core::Error pending(core::ErrorCode::kPendingReview, "the answer is held for human review; poll GET /v1/reviews/" +
                                                                  *id + " with the same API key");
  co_await SendReviewError(exchange, responder, pending, *id);
  co_return false;
}

boost::asio::awaitable<void> QueueForReview(core::Exchange& exchange, RequestGuard& guard, ReviewDesk* desk) {
  if (desk == nullptr) co_return;
  core::Result<std::string> id = co_await desk->Submit(SubmissionOf(exchange, guard, false));
  if (!id) {
    observability::Log(observability::Level::kError, "cannot queue an exchange for review",
                       {{"request_id", exchange.request_id}, {"error", id.error().message()}});
    co_return;
  }
  guard.SetReview(*id, "pending");
}

}  // namespace strata::gateway
