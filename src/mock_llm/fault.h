#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace strata::mock_llm {

// A failure the mock injects instead of (or into) a normal answer. Written as
// a comma-separated list, e.g. "slow-first-byte:800,disconnect:3":
//
//   status:<code>        answer <code> (400..599) with the vendor's error envelope
//   reset                close the connection before sending any byte
//   disconnect:<k>       send the head and k SSE events, then close the connection
//                        (non-streamed answers: k pieces of a chunked body)
//   stall                send nothing until the client leaves or the stall cap passes
//   stall-after:<k>      streams: send the head and k events, then go quiet likewise
//   malformed            200 with a body that is not valid JSON; in a stream, the
//                        first content event carries a truncated JSON data line
//   slow-first-byte:<ms> hold the whole response back ms more
//   none                 no fault (overrides the run's default fault)
//
// reset, stall and status replace the answer (in that order of precedence);
// malformed, disconnect and stall-after alter it and combine; slow-first-byte
// adds to any.
struct FaultSpec {
  int status = 0;  // 0: none
  bool reset = false;
  bool stall = false;
  bool malformed = false;
  std::optional<std::uint32_t> disconnect_after;  // SSE events sent before the close
  std::optional<std::uint32_t> stall_after;       // SSE events sent before the stall
  std::chrono::milliseconds slow_first_byte{0};

  // True when the spec changes nothing.
  bool empty() const {
    return status == 0 && !reset && !stall && !malformed && !disconnect_after && !stall_after &&
           slow_first_byte.count() == 0;
  }
  bool operator==(const FaultSpec&) const = default;
};

// Parses the grammar above. "" and "none" give an empty spec. Fails with
// kInvalidRequest naming the offending item; never throws.
core::Result<FaultSpec> ParseFaultSpec(std::string_view text);

}  // namespace strata::mock_llm
