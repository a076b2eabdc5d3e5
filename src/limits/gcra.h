#pragma once

// GCRA, the generic cell rate algorithm, as pure integer arithmetic on one
// timestamp per counter: the TAT ("theoretical arrival time", nanoseconds
// since the Unix epoch). docs/LIMITS.md has the same math as pseudo-code; the
// Redis backend's Lua script implements exactly this, so keep them in step.
//
//   L = per_minute units, T = ceil(60 s / L) (the emission interval), and the
//   window W = L * T (>= 60 s; equal when L divides 60e9). A counter is full
//   when TAT <= now, and holds (now + W - TAT) / T units.
//   A request of cost c at `now`: tat = max(TAT, now); new = tat + c * T;
//   admitted iff new - now <= W. So a full counter admits L units at once
//   (exactly a minute's worth), then one unit every T.
//
// T is rounded up, never down: the long-run rate may fall short of L per
// minute by less than one unit per minute but never exceeds it, and the burst
// is exactly L whatever the rounding.

#include <algorithm>
#include <cstdint>
#include <limits>

namespace strata::limits {

inline constexpr std::int64_t kNanosPerMinute = 60'000'000'000;

// The largest per_minute that GCRA enforces exactly (T = 1 ns).
inline constexpr std::int64_t kMaxPerMinute = kNanosPerMinute;

// The deepest debt a settlement can push a counter into: its TAT is never
// stored more than 30 days ahead of now. Offsets from now then stay below
// 2^53 ns, exact in the doubles of Redis's Lua, so both backends agree.
inline constexpr std::int64_t kGcraMaxAheadNs = 30LL * 24 * 3600 * 1'000'000'000;

// T in nanoseconds, for per_minute in [1, kMaxPerMinute]; callers clamp.
constexpr std::int64_t GcraEmissionInterval(std::int64_t per_minute) {
  return (kNanosPerMinute + per_minute - 1) / per_minute;
}

// a * b, saturated at the int64 range (debt from a huge settlement must not wrap).
constexpr std::int64_t GcraSaturatingMul(std::int64_t a, std::int64_t b) {
  if (a == 0 || b == 0) {
    return 0;
  }
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  std::int64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) {
    return ((a < 0) == (b < 0)) ? kMax : kMin;
  }
  return product;
}

constexpr std::int64_t GcraSaturatingAdd(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) {
    return b > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
  }
  return sum;
}

struct GcraDecision {
  bool admitted = false;
  // cost > per_minute: a request that can never be admitted, however long it
  // waits (admitted is false; retry_after_ns is 0).
  bool too_large = false;
  std::int64_t new_tat_ns = 0;      // the TAT to store (unchanged when refused)
  std::int64_t remaining = 0;       // units a request could take right after this one, in [0, L]
  std::int64_t retry_after_ns = 0;  // refused: until this cost would be admitted; admitted: 0
  std::int64_t reset_ns = 0;        // until the counter is full again (new TAT - now, >= 0)
};

// The decision for `cost` units at `now_ns` on a counter whose stored TAT is
// `tat_ns` (an absent counter: pass now_ns, or anything earlier). per_minute
// must be in [1, kMaxPerMinute] and cost >= 0 (cost 0 peeks: admitted, takes
// nothing).
constexpr GcraDecision GcraAdmit(std::int64_t tat_ns, std::int64_t now_ns, std::int64_t per_minute, std::int64_t cost) {
  const std::int64_t interval = GcraEmissionInterval(per_minute);
  const std::int64_t window = per_minute * interval;
  const std::int64_t tat = std::max(tat_ns, now_ns);
  auto remaining_at = [&](std::int64_t at) {
    // (now + W - at) / T, floored at 0 (a counter in debt has nothing left).
    const std::int64_t room = window - (at - now_ns);
    return room <= 0 ? std::int64_t{0} : std::min(per_minute, room / interval);
  };

  GcraDecision decision;
  if (cost > per_minute) {
    decision.too_large = true;
    decision.new_tat_ns = tat_ns;
    decision.remaining = remaining_at(tat);
    decision.reset_ns = tat - now_ns;
    return decision;
  }
  const std::int64_t new_tat = GcraSaturatingAdd(tat, cost * interval);
  const std::int64_t ahead = new_tat - now_ns;  // how far the counter would be drawn
  if (ahead <= window) {
    decision.admitted = true;
    decision.new_tat_ns = new_tat;
    decision.remaining = remaining_at(new_tat);
    decision.reset_ns = ahead;
  } else {
    decision.new_tat_ns = tat_ns;
    decision.remaining = remaining_at(tat);
    decision.retry_after_ns = ahead - window;
    decision.reset_ns = tat - now_ns;
  }
  return decision;
}

// The TAT after charging `delta` more units (or giving back -delta units) at
// `now_ns`, never refused: settlement's true-up. A charge may push the TAT
// beyond now + W (debt: later requests are refused until it is paid off), up
// to now + kGcraMaxAheadNs; a refund never moves it below now (a full counter
// stays full, no credit).
constexpr std::int64_t GcraCharge(std::int64_t tat_ns, std::int64_t now_ns, std::int64_t per_minute,
                                  std::int64_t delta) {
  const std::int64_t interval = GcraEmissionInterval(per_minute);
  const std::int64_t ahead = std::max<std::int64_t>(0, tat_ns - now_ns);
  const std::int64_t new_ahead = GcraSaturatingAdd(ahead, GcraSaturatingMul(delta, interval));
  return now_ns + std::clamp<std::int64_t>(new_ahead, 0, kGcraMaxAheadNs);
}

}  // namespace strata::limits
