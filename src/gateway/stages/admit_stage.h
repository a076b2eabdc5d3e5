#pragma once

#include "gateway/options.h"
#include "gateway/stage.h"
#include "governance/snapshot.h"
#include "limits/limits.h"
#include "pricing/price_table.h"

namespace strata::gateway {

// May this request go ahead (docs/LIMITS.md): the key's model allowlist, then
// every rate limit, concurrency cap and budget that applies to it (its key,
// team and tenant from the governance snapshot; its model and client address
// from config), taken together through the limits backend. A budget is
// reserved at the request's worst-case cost and settled at its real cost when
// the exchange ends. Answers carry OpenAI's x-ratelimit-* headers.
class AdmitStage final : public Stage {
 public:
  // `snapshots` may be null (no virtual keys); `backend` must outlive the stage.
  AdmitStage(const AdmitOptions& options, const pricing::PriceTable& prices,
             const governance::SnapshotSource* snapshots, limits::Backend& backend);
  std::string_view Name() const override { return "admit"; }
  bool AdmitMayWaitOnIo() const override { return true; }  // the limits backend may be Redis
  boost::asio::awaitable<StageOutcome> OnAdmit(core::Exchange& exchange, const http::Request& request,
                                               const std::vector<AliasRoute>& routes) override;
  boost::asio::awaitable<void> OnComplete(core::Exchange& exchange) override;

 private:
  std::int64_t WorstCase(const core::Exchange& exchange, const std::vector<AliasRoute>& routes,
                         std::uint64_t input_tokens) const;

  const AdmitOptions& options_;
  const pricing::PriceTable& prices_;
  const governance::SnapshotSource* snapshots_;
  limits::Backend& backend_;
};

// The most `exchange` can cost on any of `routes`' candidates, in nano-USD:
// its input (`input_tokens`, estimated) plus its max_tokens (or the default)
// of output, at the dearest known price; 0 when none is priced.
std::int64_t WorstCaseNanoUsd(const core::Exchange& exchange, const std::vector<AliasRoute>& routes,
                              const pricing::PriceTable& prices, std::int64_t default_max_output_tokens,
                              std::uint64_t input_tokens);

}  // namespace strata::gateway
