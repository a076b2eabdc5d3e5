#pragma once

#include <cstddef>
#include <string_view>

#include "core/error.h"
#include "providers/deployment.h"

namespace strata::providers {

// Calls `send(key)` with the deployment's keys in turn: each worker starts at
// its own rotating index (spreading load, no counter shared across threads),
// and a 429 on one key is retried at once on the next, until every key was
// tried. `send` returns an awaitable core::Result; a deployment without keys
// is called once with an empty key.
template <class Send>
auto WithKeyRotation(const Deployment& deployment, Send send) -> decltype(send(std::string_view())) {
  thread_local std::size_t counter = 0;
  const std::size_t keys = deployment.api_keys.size();
  const std::size_t first = keys == 0 ? 0 : counter++ % keys;
  for (std::size_t i = 0;; ++i) {
    const std::string_view key = keys == 0 ? std::string_view() : deployment.api_keys[(first + i) % keys];
    auto result = co_await send(key);
    const bool rate_limited = !result && result.error().code() == core::ErrorCode::kRateLimited;
    if (!rate_limited || i + 1 >= keys) co_return result;
  }
}

}  // namespace strata::providers
