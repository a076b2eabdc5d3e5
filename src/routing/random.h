#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace strata::routing {

// Routing never reads the clock: every call takes `now`, so tests drive time.
using Clock = std::chrono::steady_clock;

// The random source for weighted choices and backoff jitter. mt19937_64 is
// specified bit for bit by the standard, so a fixed seed gives the same
// sequence on every platform (tests rely on it).
using Random = std::mt19937_64;

// A uniform double in [0, 1), from the top 53 bits of one draw. Written out
// rather than std::uniform_real_distribution, whose output the standard leaves
// to each library.
inline double UniformUnit(Random& random) {
  return static_cast<double>(random() >> 11) * 0x1.0p-53;
}

}  // namespace strata::routing
