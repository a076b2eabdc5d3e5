// The human review queue as reviewers see it (docs/REVIEW.md): held
// exchanges to approve or reject, and caller feedback. Never the held answer.
#include "admin/route_helpers.h"
#include "review/review_queue.h"
#include "store/review_store.h"

namespace strata::admin {
namespace {

constexpr std::size_t kMaxJustification = 2000;  // characters (code points)

std::size_t CodePoints(std::string_view text) {
  std::size_t count = 0;
  for (const char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

bool IsStatus(std::string_view status) {
  return status == "pending" || status == "approved" || status == "rejected" || status == "expired";
}

struct Decision {
  bool approve = false;
  std::string justification;
};

core::Result<Decision> ReadDecision(const http::Request& request) {
  core::Result<Body> body = Body::Parse(request);
  if (!body) return body.error();
  core::Result<std::string> decision = body->RequiredString("decision");
  if (!decision) return decision.error();
  core::Result<std::string> justification = body->RequiredString("justification");
  if (!justification) return justification.error();
  if (core::Status done = body->Finish(); !done) return done.error();
  if (*decision != "approve" && *decision != "reject") {
    return core::Error::InvalidRequest("'decision' must be \"approve\" or \"reject\"", "decision");
  }
  if (justification->find_first_not_of(" \t\r\n") == std::string::npos) {
    return core::Error::InvalidRequest("'justification' must say why, not be blank", "justification");
  }
  if (CodePoints(*justification) > kMaxJustification) {
    return core::Error::InvalidRequest("'justification' must be at most 2000 characters", "justification");
  }
  return Decision{*decision == "approve", std::move(*justification)};
}

}  // namespace

void AddReviewRoutes(AdminApi& api, http::Router& router) {
  if (api.deps().reviews == nullptr || api.deps().review_queue == nullptr) return;
  store::ReviewStore& reviews = *api.deps().reviews;
  review::ReviewQueue& queue = *api.deps().review_queue;

  http::RouteDoc list = ListDoc("listReviews", "List reviews (a tenant's principal sees its own tenant's only)",
                                "reviews", "Review");
  list.query.push_back({"status", R"({"enum":["pending","approved","rejected","expired"]})", "only this status"});
  api.Add(router, verb::get, "/admin/v1/reviews", Permission::kReviewRead, std::move(list),
          [&api, &reviews](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(page, ReadPageParams(call.request));
            store::ReviewQuery query;
            query.tenant_id = call.caller.tenant_id;
            query.status = QueryParam(call.request, "status").value_or("");
            query.after_id = page->after;
            query.limit = page->limit;
            if (!query.status.empty() && !IsStatus(query.status)) {
              co_return core::Error::InvalidRequest("'status' must be one of pending, approved, rejected, expired",
                                                    "status");
            }
            STRATA_TRY(rows, co_await api.Blocking([&] { return reviews.List(query); }));
            co_return ListReplyOf(*rows, review::ReviewerJson);
          });

  api.Add(router, verb::get, "/admin/v1/reviews/{review_id}", Permission::kReviewRead,
          Doc("getReview", "Get a review: the redacted exchange and the policy decision, never the held answer",
              "reviews", "", Ref("Review")),
          [&api, &reviews](Call& call) -> asio::awaitable<core::Result<Reply>> {
            const std::string id(call.Param("review_id"));
            STRATA_TRY(row, co_await api.Blocking([&] { return reviews.Get(id, call.caller.tenant_id); }));
            co_return Reply{200, review::ReviewerJson(*row)};
          });

  const std::string schema_decision =
      R"({"type":"object","required":["decision","justification"],"additionalProperties":false,"properties":{)"
      R"("decision":{"enum":["approve","reject"]},)"
      R"("justification":{"type":"string","minLength":1,"maxLength":2000}}})";
  http::RouteDoc decide = Doc("decideReview",
                              "Approve or reject a pending review; 409 when it is already decided or expired",
                              "reviews", schema_decision, Ref("Review"));
  api.Add(router, verb::post, "/admin/v1/reviews/{review_id}/decision", Permission::kReviewDecide, std::move(decide),
          [&queue](Call& call) -> asio::awaitable<core::Result<Reply>> {
            const std::string id(call.Param("review_id"));
            STRATA_TRY(decision, ReadDecision(call.request));
            // Through the queue, so that a request waiting on this review here wakes at once.
            STRATA_TRY(row, co_await queue.Decide(id, call.caller.tenant_id, decision->approve,
                                                  call.caller.actor_id(), decision->justification));
            call.acted_on_tenant = row->tenant_id;
            co_return Reply{200, review::ReviewerJson(*row)};
          });

  http::RouteDoc feedback = ListDoc("listFeedback", "List caller feedback on answers", "reviews", "Feedback");
  feedback.query.push_back({"request_id", R"({"type":"string"})", "only feedback on this request"});
  api.Add(router, verb::get, "/admin/v1/feedback", Permission::kReviewRead, std::move(feedback),
          [&api, &reviews](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(page, ReadPageParams(call.request));
            store::FeedbackQuery query;
            query.tenant_id = call.caller.tenant_id;
            query.request_id = QueryParam(call.request, "request_id").value_or("");
            query.after_id = page->after;
            query.limit = page->limit;
            STRATA_TRY(rows, co_await api.Blocking([&] { return reviews.ListFeedback(query); }));
            co_return ListReplyOf(*rows, review::FeedbackJson);
          });
}

}  // namespace strata::admin
