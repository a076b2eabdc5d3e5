#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "tracing/span.h"

namespace strata::tracing::testing {

// A SpanSink that keeps every ended span, for tests that need no collector.
class CapturingSink final : public SpanSink {
 public:
  void OnEnd(std::unique_ptr<SpanData> span) noexcept override {
    std::lock_guard lock(mutex_);
    spans_.push_back(std::move(span));
  }

  std::vector<std::unique_ptr<SpanData>> Take() {
    std::lock_guard lock(mutex_);
    return std::move(spans_);
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return spans_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<SpanData>> spans_;
};

}  // namespace strata::tracing::testing
