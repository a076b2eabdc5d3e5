#pragma once

#include "gateway/stage.h"

namespace strata::gateway {

// Counts every exchange for /metrics: requests by alias, deployment and
// status; tokens by kind; cost in USD; attempts; time to first byte; clients
// that left. Labels are configured names only (alias patterns, not the model
// names clients send), so cardinality stays bounded.
class MetricsStage final : public Stage {
 public:
  MetricsStage();
  std::string_view Name() const override { return "metrics"; }
  boost::asio::awaitable<void> OnComplete(core::Exchange& exchange) override;
};

}  // namespace strata::gateway
