#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

// The vendor-neutral part of an answer: what the mock "generates" and how it
// counts tokens. Everything here is a pure function of its arguments.
namespace strata::mock_llm {

inline constexpr std::string_view kReplyPrefix = "Mock reply to: ";
// The token rule, for usage and max_tokens: one token per 4 bytes, rounded up.
inline constexpr std::size_t kBytesPerToken = 4;

inline std::uint32_t CountTokens(std::size_t bytes) {
  return static_cast<std::uint32_t>((bytes + kBytesPerToken - 1) / kBytesPerToken);
}

// FNV-1a, 64 bits: the seed of every derived id and embedding.
std::uint64_t Fnv1a(std::string_view bytes, std::uint64_t hash = 0xcbf29ce484222325ULL);
// The splitmix64 step: a fast, well-mixed stream from any seed.
std::uint64_t SplitMix64(std::uint64_t& state);

// The longest prefix of `text` of at most `max_bytes` that does not cut a
// UTF-8 sequence.
std::string_view TruncateUtf8(std::string_view text, std::size_t max_bytes);
// Cuts `text` into at most `pieces` non-empty parts of nearly equal byte size,
// never inside a UTF-8 sequence; they concatenate back to `text`. Empty text
// gives no parts.
std::vector<std::string_view> SplitPieces(std::string_view text, std::uint32_t pieces);

enum class FinishReason { kStop, kLength, kToolCall };

// One Server-Sent Event of a streamed answer, rendered ahead of sending.
struct SseEvent {
  std::string_view name;  // "event:" field; empty for OpenAI, which sends data only
  std::string data;
  bool content = false;   // carries a piece of generated text or tool arguments
};

// Where the rendered answers get their ids and timestamp.
struct AnswerIds {
  std::string_view request_id;  // becomes "chatcmpl-<id>", "msg_<id>", ...
  std::int64_t created = 0;     // unix seconds
};

// A tool call the mock decided to make.
struct ToolCall {
  std::string id;         // "call_…" / "toolu_…", derived from the name
  std::string name;
  std::string arguments;  // compact JSON object text
};

// One generated answer (all `n` choices are identical).
struct Reply {
  std::string text;                  // empty when tool_call is set
  std::optional<ToolCall> tool_call;
  FinishReason finish = FinishReason::kStop;
  std::uint32_t completion_tokens = 0;  // per choice
};

// The answer to a prompt whose last user text is `user_text`: "Mock reply to:
// <user_text>", or `override_text` when given, cut to max_tokens * 4 bytes
// (finish kLength) when longer.
Reply TextReply(std::string_view user_text, std::optional<std::string_view> override_text,
                std::optional<std::uint64_t> max_tokens);
// A tool call to `name` with arguments built from `schema` (see ExampleFromSchema).
// Never truncated by max_tokens. `id_prefix` is "call_" or "toolu_".
Reply ToolReply(std::string_view name, const boost::json::value* schema, std::string_view id_prefix);

// A value that satisfies a JSON Schema, deterministically: `const`, else the
// first `enum` value, else `default`, else by type: object → every property
// in order, string → "mock", integer/number → `minimum` or 1, boolean → true,
// array → `minItems` (at least one) copies of the item, null → null.
// anyOf/oneOf/allOf take their first branch; a type list its first non-null
// type; $ref and unknown schemas give {}. Nesting deeper than 16 gives null.
boost::json::value ExampleFromSchema(const boost::json::value& schema);

// Appends the text of an OpenAI/Anthropic `content` (a string, or an array of
// parts/blocks of type "text"), joining parts with '\n'. Returns whether any
// text was found. Other blocks (images, tool results) are skipped.
bool AppendContentText(const boost::json::value& content, std::string& out);
// The bytes of text in a `content` for token counting: strings, text parts,
// and the text inside Anthropic tool_result blocks.
std::size_t ContentTextBytes(const boost::json::value& content);

}  // namespace strata::mock_llm
