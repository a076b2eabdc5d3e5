#pragma once

#include "gateway/review_desk.h"
#include "review/review_queue.h"
#include "store/blocking_pool.h"
#include "store/review_store.h"

namespace strata::cli {

// The gateway's ReviewDesk over the review queue and the feedback store.
class QueueReviewDesk final : public gateway::ReviewDesk {
 public:
  QueueReviewDesk(review::ReviewQueue& queue, store::ReviewStore& store, store::BlockingPool& pool)
      : queue_(queue), store_(store), pool_(pool) {}

  boost::asio::awaitable<core::Result<std::string>> Submit(Submission submission) override;
  boost::asio::awaitable<core::Result<Decision>> Await(std::string id, std::chrono::milliseconds wait) override;
  boost::asio::awaitable<core::Result<boost::json::object>> CallerView(std::string id, std::string tenant,
                                                                       std::string key_id) override;
  boost::asio::awaitable<core::Result<boost::json::object>> AddFeedback(Feedback feedback) override;

 private:
  review::ReviewQueue& queue_;
  store::ReviewStore& store_;
  store::BlockingPool& pool_;
};

}  // namespace strata::cli
