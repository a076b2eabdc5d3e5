#include "gateway/stages/guard_stage.h"

#include <malloc.h>

#include "gateway/guard/request_guard.h"
#include "gateway/stages/admit_stage.h"
#include "pricing/token_estimate.h"

namespace strata::gateway {
namespace {

namespace json = boost::json;

// The header first (the application says who it is about), then the body.
std::string SubjectOf(const core::Exchange& exchange, const http::Request& request, std::string_view header) {
  if (!header.empty()) {
    if (auto field = request.find(header); field != request.end() && !field->value().empty()) {
      return std::string(field->value());
    }
  }
  if (const json::value* user = exchange.body.if_contains("user"); user && user->is_string()) {
    return std::string(user->get_string());
  }
  if (const json::value* metadata = exchange.body.if_contains("metadata"); metadata && metadata->is_object()) {
    if (const json::value* user = metadata->get_object().if_contains("user_id"); user && user->is_string()) {
      return std::string(user->get_string());
    }
  }
  return "";
}

}  // namespace

GuardStage::GuardStage(const GuardOptions& options, const AdmitOptions& limits, const pricing::PriceTable& prices,
                       PolicyProvider policy)
    : options_(options), limits_(limits), prices_(prices), policy_(std::move(policy)) {
  SharedScanner();  // compile at startup, not on the first request
}

const guardrails::Scanner& GuardStage::SharedScanner() {
  static const guardrails::Scanner& scanner = []() -> const guardrails::Scanner& {
    static const guardrails::Scanner compiled;
    // Compiling the databases takes about 10 MB of heap that glibc keeps
    // for later; give it back (the databases themselves are 0.55 MB).
    ::malloc_trim(0);
    return compiled;
  }();
  return scanner;
}

boost::asio::awaitable<StageOutcome> GuardStage::OnAdmit(core::Exchange& exchange, const http::Request& request,
                                                         const std::vector<AliasRoute>& routes) {
  exchange.subject = SubjectOf(exchange, request, options_.subject_header);
  std::shared_ptr<const policy::Policy> policy = policy_ ? policy_() : nullptr;
  if (!policy) policy = policy::Policy::Default();
  double estimated_usd = 0;
  if (policy->reads_estimated_cost()) {
    const std::uint64_t input_tokens = pricing::EstimateRequestInputTokens(exchange.body);
    estimated_usd =
        static_cast<double>(WorstCaseNanoUsd(exchange, routes, prices_, limits_.default_max_output_tokens, input_tokens)) *
        1e-9;
  }
  auto guard = std::make_shared<RequestGuard>(SharedScanner(), std::move(policy));
  core::Status inspected = guard->Inspect(exchange, estimated_usd);
  exchange.guard = guard;  // kept even when blocked: the decision record says why
  if (!inspected) co_return inspected.error();
  co_return Continue{};
}

RequestGuard* GuardOf(core::Exchange& exchange) {
  auto* guard = std::any_cast<std::shared_ptr<RequestGuard>>(&exchange.guard);
  return guard != nullptr ? guard->get() : nullptr;
}

}  // namespace strata::gateway
