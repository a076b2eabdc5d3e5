#pragma once

#include <chrono>
#include <cstdint>

namespace strata::core {

// The wall clock as Unix time in milliseconds: what records, keys and reviews
// are stamped with.
inline std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace strata::core
