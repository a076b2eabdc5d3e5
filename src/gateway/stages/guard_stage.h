#pragma once

#include <functional>
#include <memory>

#include "gateway/options.h"
#include "gateway/stage.h"
#include "guardrails/scanner.h"
#include "policy/policy.h"
#include "pricing/price_table.h"

namespace strata::gateway {

class RequestGuard;

// The policy in force now (it changes when an admin loads a new version).
using PolicyProvider = std::function<std::shared_ptr<const policy::Policy>()>;

// Guardrails on the request (docs/GUARDRAILS.md, docs/POLICY.md): finds the
// data subject, scans the prompt, evaluates the policy and applies its input
// actions; a `block` refuses the request with content_policy_violation. The
// per-request RequestGuard it leaves in the exchange then checks the answer
// (dispatch) and writes the decision record (record stage).
class GuardStage final : public Stage {
 public:
  GuardStage(const GuardOptions& options, const AdmitOptions& limits, const pricing::PriceTable& prices,
             PolicyProvider policy);
  std::string_view Name() const override { return "guard"; }
  boost::asio::awaitable<StageOutcome> OnAdmit(core::Exchange& exchange, const http::Request& request,
                                               const std::vector<AliasRoute>& routes) override;

  // The scanner every gateway shares: its databases are compiled once per process.
  static const guardrails::Scanner& SharedScanner();

 private:
  const GuardOptions& options_;
  const AdmitOptions& limits_;
  const pricing::PriceTable& prices_;
  PolicyProvider policy_;
};

// The exchange's guard, or null when the guard stage did not run.
RequestGuard* GuardOf(core::Exchange& exchange);

}  // namespace strata::gateway
