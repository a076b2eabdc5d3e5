// libFuzzer target for the policy parser (src/policy/parse.cc): whatever YAML
// an admin sends (PUT /admin/v1/policy), parsing must never crash, a refusal
// must say why, and a document that parses must evaluate. The first input
// byte chooses the request facts' findings; the rest is the document.
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "policy/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view yaml(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto document = strata::policy::ParseDocument(yaml, "fuzz.yaml", "", "fuzz");
  if (!document) {
    if (document.error().message().empty()) __builtin_trap();
    return 0;
  }
  const strata::policy::Policy policy({*document});
  std::vector<strata::guardrails::Finding> findings;
  for (int type = 0; type < strata::guardrails::kEntityTypeCount; ++type) {
    if (data[0] & (1u << (type % 8))) {
      findings.push_back({static_cast<strata::guardrails::EntityType>(type), 0, 4, 0.5 + type * 0.05});
    }
  }
  strata::policy::RequestFacts facts;
  facts.tenant = "ten_1";
  facts.model = "gpt-4o";
  facts.endpoint = "chat";
  facts.estimated_cost_usd = data[0] / 10.0;
  facts.input_findings = findings;
  facts.output_findings = findings;
  for (bool output_pass : {false, true}) {
    const strata::policy::Effect effect = policy.Evaluate(facts, output_pass);
    if (effect.review != strata::policy::ReviewMode::kNone && effect.review_wait.count() < 0) __builtin_trap();
  }
  return 0;
}
