#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace strata::core {

// What went wrong, in terms a caller can act on. Each code fixes the HTTP
// status, the OpenAI error `type`, and whether routing may try again elsewhere.
// When adding a code, also extend the tables in error.cc.
enum class ErrorCode {
  kInvalidRequest,       // 400, never retried
  kUnauthenticated,      // 401
  kPermissionDenied,     // 403
  kNotFound,             // 404
  kMethodNotAllowed,     // 405
  kRequestTimeout,       // 408: the client was too slow to send its request
  kPayloadTooLarge,      // 413
  kHeadersTooLarge,      // 431
  kRateLimited,          // 429 + Retry-After
  kBudgetExceeded,       // 429 "insufficient_quota" + x-should-retry: false: retrying soon will not help
  kPolicyBlocked,        // 400, code "content_policy_violation"
  kConflict,             // 409: the resource is not in a state that allows this (a review already decided)
  kPendingReview,        // 423 + x-should-retry: false: a human reviews the answer (docs/REVIEW.md)
  kReviewRejected,       // 403: a reviewer rejected the answer
  kUpstreamRejected,     // 502: the vendor refused the request; another try won't help
  kUpstreamUnavailable,  // 503: try the next deployment, with backoff
  kUpstreamTimeout,      // 504: retry only within the route's retry budget
  kUnavailable,          // 503: Strata itself cannot serve now (draining, store down)
  kInternal,             // 500: a bug; logged and counted
};

// An error value: expected failures travel as values, never as exceptions.
// Cheap to default-construct (boost::system::result needs it).
class Error {
 public:
  Error() = default;
  Error(ErrorCode code, std::string message, std::string param = {})
      : code_(code), message_(std::move(message)), param_(std::move(param)) {}

  static Error InvalidRequest(std::string message, std::string param = {}) {
    return {ErrorCode::kInvalidRequest, std::move(message), std::move(param)};
  }
  static Error NotFound(std::string message) { return {ErrorCode::kNotFound, std::move(message)}; }
  static Error UpstreamUnavailable(std::string message) {
    return {ErrorCode::kUpstreamUnavailable, std::move(message)};
  }
  static Error UpstreamTimeout(std::string message) {
    return {ErrorCode::kUpstreamTimeout, std::move(message)};
  }
  static Error UpstreamRejected(std::string message) {
    return {ErrorCode::kUpstreamRejected, std::move(message)};
  }
  static Error Unavailable(std::string message) { return {ErrorCode::kUnavailable, std::move(message)}; }
  static Error Internal(std::string message) { return {ErrorCode::kInternal, std::move(message)}; }

  Error& WithRetryAfter(std::chrono::seconds delay) {
    retry_after_ = delay;
    return *this;
  }

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& param() const { return param_; }
  const std::optional<std::chrono::seconds>& retry_after() const { return retry_after_; }

  int HttpStatus() const;
  // The OpenAI error `type` ("invalid_request_error", "rate_limit_error", ...).
  std::string_view Type() const;
  // A stable machine-readable code ("payload_too_large", ...).
  std::string_view CodeName() const;
  // Whether routing may retry the call on another attempt or deployment.
  bool Retryable() const;
  // {"error": {"message", "type", "param", "code"}}
  std::string ToJson() const;

 private:
  ErrorCode code_ = ErrorCode::kInternal;
  std::string message_;
  std::string param_;
  std::optional<std::chrono::seconds> retry_after_;
};

}  // namespace strata::core
