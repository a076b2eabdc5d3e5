#pragma once

#include <cstdint>

namespace strata::core {

// Tokens one exchange used, as the vendor reported them (or as Strata
// estimated them, when the vendor gave nothing). Counts are disjoint: cached
// and cache-write tokens are *part of* input_tokens, reasoning tokens *part
// of* output_tokens, as OpenAI reports them; translators normalise other
// vendors' conventions (Anthropic reports cache tokens beside input) to this.
struct Usage {
  std::uint64_t input_tokens = 0;        // everything the model read, cached included
  std::uint64_t output_tokens = 0;       // everything it wrote, reasoning included
  std::uint64_t cached_input_tokens = 0; // input served from the vendor's prompt cache
  std::uint64_t cache_write_tokens = 0;  // input written to the prompt cache (Anthropic)
  std::uint64_t reasoning_tokens = 0;    // hidden reasoning output (o-series, thinking)
  bool estimated = false;                // true when Strata counted, not the vendor

  std::uint64_t total_tokens() const { return input_tokens + output_tokens; }
  bool operator==(const Usage&) const = default;
};

}  // namespace strata::core
