#pragma once

// Token counts for when a vendor reports none: a stream cut off before its
// usage chunk, a local model, a vendor without a usage field. And the input
// estimate that budget reservation needs before a request is sent.
//
// These are estimates, not a tokenizer: no vocabulary ships with Strata, and
// each vendor tokenizes differently anyway. Measured against OpenAI's o200k
// and cl100k tokenizers (docs/PRICING.md has the table): English prose and
// European languages within -6%..+8%, leaning high; code and JSON +3%..+21%
// (high); Chinese and Japanese +15..+21% against o200k, -6..-7% against
// cl100k. The worst cases are scripts cl100k splits finely: Russian and Korean
// read -20% and -40% against cl100k (+4% and +12% against o200k). Usage built
// from these functions must be marked estimated (EstimatedUsage does that).

#include <cstdint>
#include <string_view>

#include <boost/json/fwd.hpp>

#include "core/usage.h"

namespace strata::pricing {

// Tokens a chat message costs on top of its content (role and delimiters;
// OpenAI documents 3 plus the role).
inline constexpr std::uint64_t kTokensPerMessage = 4;
// Tokens that prime the reply after the last message.
inline constexpr std::uint64_t kReplyPrimingTokens = 3;
// An image part, whatever its size: a high-detail 1024x1024 image on OpenAI.
// Vendors charge from ~85 (low detail) to ~1600 (a large image on Anthropic).
inline constexpr std::uint64_t kImageTokens = 765;

// Estimated tokens in `text`, read as UTF-8 (invalid bytes count one token
// each). 0 for empty text, at least 1 otherwise. The heuristic, per run of
// characters of one class:
//   - a word (letters, any alphabetic script below U+2000): one token per 5
//     letters, at least one; a non-ASCII letter counts as 1.2 letters;
//   - digits: one token per 3 (tokenizers split numbers into groups of 3);
//   - a single space before more text joins the next word: free; any other
//     whitespace run (newlines, indentation): half a token;
//   - ASCII punctuation: one token per 2.5 characters, at least one;
//   - CJK ideographs and kana: 0.9 each; Hangul syllables: 0.75 each;
//   - emoji and other characters above U+FFFF: 2 each; zero-width joiners and
//     variation selectors: 1 each; any other character: 1.
// The sum is rounded up. Linear in the size of `text`; allocates nothing.
std::uint64_t EstimateTokens(std::string_view text);

// Estimated prompt tokens of a chat `messages` array (OpenAI chat or Anthropic
// messages shape): kTokensPerMessage per message plus its content, plus
// kReplyPrimingTokens. Content may be a string or a list of parts: text parts
// count their text, image parts kImageTokens, tool calls and tool results
// their JSON. Other part types (audio, files) count their JSON text, which
// over-estimates binary payloads. Not an array: a string counts as text (the
// Responses API's `input`), anything else as 0.
std::uint64_t EstimateChatInputTokens(const boost::json::value& messages);
// As above, plus tool definitions (`tools`), counted as their JSON text: an
// over-estimate of the compact form vendors render them in.
std::uint64_t EstimateChatInputTokens(const boost::json::value& messages, const boost::json::value& tools);

// Estimated input tokens of a whole request body, whichever API it is for:
// chat (`messages`, `tools`, Anthropic's `system`), the Responses API
// (`input`, `instructions`), completions (`prompt`: text or a list of texts),
// embeddings (`input`: text, a list of texts, or lists of token ids, counted
// exactly). Unknown shapes count 0.
std::uint64_t EstimateRequestInputTokens(const boost::json::object& body);

// Usage with only input and output counts, marked estimated.
core::Usage EstimatedUsage(std::uint64_t input_tokens, std::uint64_t output_tokens);

}  // namespace strata::pricing
