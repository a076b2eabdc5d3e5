// libFuzzer target for the Redis reply parser (src/redis/resp.cc): whatever a
// server sends, the parser must never crash, allocate past its limits, or
// depend on how the bytes were split. The first input byte picks a split
// point; the rest is the byte stream. Checked properties:
//   - the same replies (and the same final error) whole, split in two, and,
//     for short inputs, fed one byte at a time;
//   - every reply parsed re-encodes to bytes that parse back to it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redis/resp.h"

namespace {

using strata::redis::Reply;
using strata::redis::ReplyLimits;
using strata::redis::ReplyParser;

struct Outcome {
  std::vector<Reply> replies;
  std::optional<std::string> error;
  bool operator==(const Outcome&) const = default;
};

ReplyLimits SmallLimits() {
  ReplyLimits limits;
  limits.max_bulk_bytes = 4096;
  limits.max_line_bytes = 512;
  limits.max_array_elements = 256;
  limits.max_depth = 8;
  limits.max_reply_bytes = 256 * 1024;
  return limits;
}

Outcome Parse(const std::vector<std::string_view>& pieces) {
  ReplyParser parser(SmallLimits());
  Outcome outcome;
  for (std::string_view piece : pieces) {
    parser.Feed(piece);
    for (;;) {
      auto next = parser.Next();
      if (!next) {
        outcome.error = next.error().message();
        return outcome;
      }
      if (!*next) {
        break;
      }
      outcome.replies.push_back(std::move(**next));
    }
  }
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t split = std::min<std::size_t>(data[0] % size, input.size());

  const Outcome whole = Parse({input});
  if (Parse({input.substr(0, split), input.substr(split)}) != whole) __builtin_trap();
  if (input.size() <= 1024) {
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < input.size(); ++i) bytes.push_back(input.substr(i, 1));
    if (Parse(bytes) != whole) __builtin_trap();
  }
  for (const Reply& reply : whole.replies) {
    const Outcome again = Parse({strata::redis::EncodeReply(reply)});
    if (again.error || again.replies.size() != 1 || again.replies[0] != reply) __builtin_trap();
  }
  return 0;
}
