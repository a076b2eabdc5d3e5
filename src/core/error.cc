#include "core/error.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/result.h"

namespace strata::core {
namespace {

struct CodeInfo {
  int status;
  std::string_view type;
  std::string_view name;
  bool retryable;
};

CodeInfo Info(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidRequest: return {400, "invalid_request_error", "invalid_request", false};
    case ErrorCode::kUnauthenticated: return {401, "authentication_error", "invalid_api_key", false};
    case ErrorCode::kPermissionDenied: return {403, "permission_error", "permission_denied", false};
    case ErrorCode::kNotFound: return {404, "not_found_error", "not_found", false};
    case ErrorCode::kMethodNotAllowed: return {405, "invalid_request_error", "method_not_allowed", false};
    case ErrorCode::kRequestTimeout: return {408, "invalid_request_error", "request_timeout", false};
    case ErrorCode::kPayloadTooLarge: return {413, "invalid_request_error", "payload_too_large", false};
    case ErrorCode::kHeadersTooLarge:
      return {431, "invalid_request_error", "request_header_fields_too_large", false};
    case ErrorCode::kRateLimited: return {429, "rate_limit_error", "rate_limit_exceeded", true};
    case ErrorCode::kBudgetExceeded: return {429, "insufficient_quota", "insufficient_quota", false};
    case ErrorCode::kPolicyBlocked: return {400, "invalid_request_error", "content_policy_violation", false};
    case ErrorCode::kConflict: return {409, "invalid_request_error", "conflict", false};
    case ErrorCode::kPendingReview: return {423, "pending_review", "pending_review", false};
    case ErrorCode::kReviewRejected: return {403, "review_rejected", "review_rejected", false};
    case ErrorCode::kUpstreamRejected: return {502, "api_error", "upstream_rejected", false};
    case ErrorCode::kUpstreamUnavailable: return {503, "api_error", "upstream_unavailable", true};
    case ErrorCode::kUpstreamTimeout: return {504, "api_error", "upstream_timeout", true};
    case ErrorCode::kUnavailable: return {503, "api_error", "unavailable", true};
    case ErrorCode::kInternal: return {500, "api_error", "internal_error", false};
  }
  return {500, "api_error", "internal_error", false};
}

}  // namespace

int Error::HttpStatus() const { return Info(code_).status; }
std::string_view Error::Type() const { return Info(code_).type; }
std::string_view Error::CodeName() const { return Info(code_).name; }
bool Error::Retryable() const { return Info(code_).retryable; }

std::string Error::ToJson() const {
  boost::json::object error;
  error["message"] = message_;
  error["type"] = Type();
  error["param"] = param_.empty() ? boost::json::value(nullptr) : boost::json::value(param_);
  error["code"] = CodeName();
  boost::json::object envelope;
  envelope["error"] = std::move(error);
  return boost::json::serialize(envelope);
}

void throw_exception_from_error(const Error& error, const boost::source_location&) {
  throw ErrorException(error);
}

}  // namespace strata::core
