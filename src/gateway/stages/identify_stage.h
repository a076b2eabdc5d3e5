#pragma once

#include <string>
#include <vector>

#include "gateway/stage.h"
#include "governance/snapshot.h"

namespace strata::gateway {

// Who is calling (`Authorization: Bearer` or Anthropic's `x-api-key`): a
// virtual key from the governance snapshot (its tenant, team and model
// allowlist), or a static key from config (tenant "default"). Comparison is
// constant-time, and only digests are kept. While no key of either kind
// exists, every caller is let in (a fresh install on loopback); the first key
// created closes the door (docs/IDENTITY.md).
class IdentifyStage final : public Stage {
 public:
  // `snapshots` may be null: static keys only.
  IdentifyStage(const std::vector<std::string>& api_keys, const governance::SnapshotSource* snapshots);
  std::string_view Name() const override { return "identify"; }
  boost::asio::awaitable<StageOutcome> OnRequest(core::Exchange& exchange, const http::Request& request) override;

 private:
  std::vector<std::string> key_digests_;  // SHA-256 of each static key
  const governance::SnapshotSource* snapshots_;
};

}  // namespace strata::gateway
