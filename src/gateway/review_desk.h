#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "core/result.h"

namespace strata::gateway {

// Where the gateway hands exchanges to human judgement (docs/REVIEW.md): the
// review queue and feedback, seen from the API. An interface so that the
// gateway does not depend on how they are stored.
class ReviewDesk {
 public:
  virtual ~ReviewDesk() = default;

  struct Submission {
    std::string tenant;
    std::string request_id;
    std::string key_id;   // the only caller who may poll it
    std::string subject;  // whose key seals the held answer
    bool blocking = false;
    std::string decision_record;    // JSON
    std::string redacted_exchange;  // JSON: what the reviewer sees
    std::optional<std::string> held_answer;  // JSON: what the caller gets once approved
  };
  enum class Verdict { kPending, kApproved, kRejected, kExpired };
  struct Decision {
    Verdict verdict = Verdict::kPending;
    std::string justification;  // the reviewer's, once decided
  };

  // Queues the exchange for review; its id ("rev_…").
  virtual boost::asio::awaitable<core::Result<std::string>> Submit(Submission submission) = 0;
  // The review's state once decided, or kPending after `wait`.
  virtual boost::asio::awaitable<core::Result<Decision>> Await(std::string id, std::chrono::milliseconds wait) = 0;
  // The review as the caller who made the request polls it (GET
  // /v1/reviews/{id}); kNotFound for any other tenant or key.
  virtual boost::asio::awaitable<core::Result<boost::json::object>> CallerView(std::string id, std::string tenant,
                                                                               std::string key_id) = 0;

  struct Feedback {
    std::string tenant;
    std::string key_id;
    std::string request_id;
    double score = 0;  // 0 (bad) to 1 (good)
    std::string comment;
  };
  // Stores feedback on an exchange; the stored feedback's JSON.
  virtual boost::asio::awaitable<core::Result<boost::json::object>> AddFeedback(Feedback feedback) = 0;
};

}  // namespace strata::gateway
