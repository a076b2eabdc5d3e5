#pragma once

#include "gateway/stage.h"
#include "store/write_behind.h"

namespace strata::gateway {

// Writes one inference record per exchange (who, which model and deployment,
// every attempt, status, usage, cost, timings) through the store's
// write-behind queue. A full queue makes this exchange wait: records are
// never dropped. The decision record goes in the payload; the prompt and
// answer, as the policy says to log them, go to the store to be sealed under
// the data subject's key (docs/AUDIT.md).
class RecordStage final : public Stage {
 public:
  explicit RecordStage(store::WriteBehindQueue& queue) : queue_(queue) {}
  std::string_view Name() const override { return "record"; }
  boost::asio::awaitable<void> OnComplete(core::Exchange& exchange) override;

 private:
  store::WriteBehindQueue& queue_;
};

}  // namespace strata::gateway
