#pragma once

#include <string>
#include <vector>

#include "gateway/stage.h"

namespace strata::gateway {

// Static API keys (`Authorization: Bearer` or Anthropic's `x-api-key`). Fills
// exchange.principal; with no keys configured, every caller is let in.
// Comparison is constant-time, and only digests of the keys are kept.
class IdentifyStage final : public Stage {
 public:
  explicit IdentifyStage(const std::vector<std::string>& api_keys);
  std::string_view Name() const override { return "identify"; }
  boost::asio::awaitable<StageOutcome> OnRequest(core::Exchange& exchange, const http::Request& request) override;

 private:
  std::vector<std::string> key_digests_;  // SHA-256 of each key
};

}  // namespace strata::gateway
