#pragma once

// Translation between the OpenAI Chat Completions wire format ("chat") and the
// Anthropic Messages wire format ("messages"), both directions, for requests,
// responses and streams. The gateway uses it (a) to call Anthropic for a client
// that speaks OpenAI, and (b) to serve `POST /v1/messages` clients from an
// OpenAI-compatible provider. docs/TRANSLATION.md has the field-by-field
// tables and says what cannot survive the trip, and why.
//
// Everything here is pure and synchronous: no I/O, no shared state, safe to
// call from any thread (a stream translator serves one stream and is not
// thread-safe); the only clock read is `created` = 0 meaning "now". Request translation validates what it
// reads and reports bad client input as core::ErrorCode::kInvalidRequest with
// the offending `param` ("messages[2].content[0].image_url"); response and
// stream translation is lenient with fields it does not know, because vendors
// add fields without notice.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/result.h"
#include "core/usage.h"
#include "http/sse_decoder.h"

namespace strata::providers::anthropic {

// `max_tokens` is required by Anthropic and optional in OpenAI: a chat request
// that sets neither max_completion_tokens nor max_tokens gets this budget
// (plus the thinking budget, when reasoning_effort turns thinking on).
inline constexpr std::uint64_t kDefaultMaxTokens = 4096;

// The tool that carries `response_format` (json_object / json_schema) to
// Anthropic, which has no JSON mode: the request offers this tool with the
// schema as its input_schema and forces it, and the response translators turn
// its tool_use back into plain message content. A client tool of this name is
// refused, so a tool_use of this name always means "the JSON answer".
inline constexpr std::string_view kJsonOutputTool = "strata_json_output";

// --- Requests ---------------------------------------------------------------

// OpenAI chat request → Anthropic Messages request for `upstream_model`.
// System and developer messages (wherever they appear) become the top-level
// `system`; consecutive same-role turns, tool results and the user text after
// them are merged so the turns alternate as Anthropic requires. Refused with
// kInvalidRequest: n > 1, logprobs/top_logprobs, logit_bias, audio input or
// output, OpenAI file ids, non-function tools, malformed tool-call arguments.
// Dropped (documented): seed, penalties, service_tier, store, metadata, the
// image `detail`, strict. Does not set "stream" unless the client did.
core::Result<boost::json::object> ChatRequestToMessages(const boost::json::object& chat,
                                                        std::string_view upstream_model);

// Anthropic Messages request → OpenAI chat request for `upstream_model`.
// `system` becomes a leading system message; each tool_result becomes a `tool`
// message placed before the rest of its user turn. A streaming request also
// gets stream_options.include_usage so the final message_delta can carry
// usage. The budget is sent as `max_tokens`, the field every OpenAI-compatible
// server reads; OpenAI's reasoning models want `max_completion_tokens`, which
// the caller renames for them. Refused with kInvalidRequest: a missing
// max_tokens, server tools, URL or file-id documents and images from the Files
// API. Dropped (documented): top_k, thinking, cache_control, service_tier.
core::Result<boost::json::object> MessagesRequestToChat(const boost::json::object& messages,
                                                        std::string_view upstream_model);

// --- Responses --------------------------------------------------------------

// Anthropic message → OpenAI `chat.completion`, reporting `client_model`.
// Text blocks are joined without a separator (that is how a stream would show
// them); tool_use blocks become tool_calls; thinking becomes the
// `reasoning_content` and `thinking_blocks` extensions (as LiteLLM names
// them), so a client can send the signed blocks back. `created` is the Unix
// time to report; 0 means now.
boost::json::object MessagesResponseToChat(const boost::json::object& message, std::string_view client_model,
                                           std::int64_t created = 0);

// OpenAI `chat.completion` (choice 0) → Anthropic message, reporting
// `client_model`. Tool-call arguments that are not a JSON object become `{}`.
boost::json::object ChatResponseToMessages(const boost::json::object& chat, std::string_view client_model);

// --- Usage ------------------------------------------------------------------

// Anthropic `usage` → core::Usage. Anthropic reports cache reads and writes
// beside input_tokens; they are added in, as core::Usage counts them. A value
// that is not an object gives all zeros.
core::Usage UsageFromMessages(const boost::json::value& usage);

// OpenAI `usage` → core::Usage (prompt_tokens_details.cached_tokens,
// completion_tokens_details.reasoning_tokens included).
core::Usage UsageFromChat(const boost::json::value& usage);

// --- Errors -----------------------------------------------------------------

// The Anthropic error envelope for `error`, {"type":"error","error":{"type",
// "message"}}, for answering a Messages client (as a body, or as the data of
// an SSE event named "error").
std::string MessagesErrorBody(const core::Error& error);

// --- Streams ----------------------------------------------------------------

struct ChatChunkOptions {
  std::string client_model;    // the `model` every chunk reports
  bool include_usage = false;  // the client's stream_options.include_usage
  std::int64_t created = 0;    // Unix time every chunk reports; 0 means now
};

// Translates one Anthropic Messages stream into `chat.completion.chunk`s.
// Feed it every event the upstream sends, in order; each call returns, at
// once, the chunk JSON strings to send as SSE `data` (no event name). Nothing
// is held back: every text, thinking or argument fragment is forwarded by the
// call that received it. A tool_use block becomes a tool_calls delta with its
// index, id and name, then one delta per input_json_delta fragment; a tool_use
// of kJsonOutputTool streams its input as content instead. On message_delta
// the finish chunk is returned; on message_stop the usage chunk (only with
// include_usage) and finished() turns true: the caller then sends "[DONE]".
//
// An upstream `error` event, malformed JSON or an event that breaks the
// protocol returns an error (UpstreamUnavailable for overload, rate-limit and
// server errors, UpstreamTimeout for timeouts, UpstreamRejected otherwise);
// the caller should then end the client's stream.
// Unknown event types and block types are ignored. Events after message_stop
// return nothing.
class MessagesStreamToChatChunks {
 public:
  explicit MessagesStreamToChatChunks(ChatChunkOptions options);

  core::Result<std::vector<std::string>> Feed(const http::SseEvent& event);

  // Usage so far (message_start's input, message_delta's output), normalised.
  core::Usage usage() const;
  // message_stop was seen.
  bool finished() const { return finished_; }

 private:
  struct Block {
    enum class Kind { kOther, kText, kThinking, kTool, kJsonOutput };
    Kind kind = Kind::kOther;
    std::size_t tool_index = 0;  // the OpenAI tool_calls index, for kTool
  };
  core::Result<std::vector<std::string>> OnMessageStart(const boost::json::object& event);
  core::Result<std::vector<std::string>> OnBlockStart(const boost::json::object& event);
  core::Result<std::vector<std::string>> OnBlockDelta(const boost::json::object& event);
  core::Result<std::vector<std::string>> OnMessageDelta(const boost::json::object& event);
  std::vector<std::string> OnMessageStop();
  std::string Chunk(std::string_view delta_json, std::string_view finish_reason = {}) const;
  void MergeUsage(const boost::json::object& usage);

  ChatChunkOptions options_;
  std::string chunk_prefix_;  // {"id":…,"model":… — fixed at message_start
  bool started_ = false;
  bool finish_sent_ = false;
  bool finished_ = false;
  std::vector<Block> blocks_;  // by Anthropic block index
  std::size_t tool_calls_ = 0;
  std::string stop_reason_;
  // Anthropic's usage counters, as last reported (message_delta overrides message_start).
  std::uint64_t input_tokens_ = 0;
  std::uint64_t output_tokens_ = 0;
  std::uint64_t cache_read_tokens_ = 0;
  std::uint64_t cache_write_tokens_ = 0;
};

struct MessagesStreamOptions {
  std::string client_model;       // the `model` message_start reports
  std::uint64_t input_tokens = 0; // message_start's input_tokens: the caller's estimate, 0 if none
};

// Translates one OpenAI chat completion stream into the Anthropic Messages
// event sequence. Feed it the `data` of every upstream event, "[DONE]"
// included; each call returns, at once, the events to send (SseEvent::event
// is the event name, ::data its JSON; ::id is unused). The first chunk yields
// message_start (id from the chunk, `client_model`, the caller's input
// estimate) and a ping; content, reasoning_content and each tool call open
// their own block (indexes 0, 1, 2… as they appear) that closes when another
// kind of delta arrives; "[DONE]" closes the last block and yields
// message_delta (stop_reason, stop_sequence null, usage from the upstream's
// usage chunk: output, input and cache reads) and message_stop, after which
// finished() is true. An upstream that ends without "[DONE]" after its finish
// chunk can be closed by feeding "[DONE]".
//
// Choice 0 is the only one translated. A turn with tool calls ends with
// tool_use even when the upstream said "stop" (some compatible servers do).
// An upstream `{"error":…}` chunk (UpstreamUnavailable for server errors and
// rate limits, UpstreamRejected otherwise), malformed JSON, or "[DONE]" before
// any chunk (UpstreamRejected) returns an error; the caller should then end
// the client's stream, e.g. with an "error" event holding MessagesErrorBody.
class ChatChunksToMessagesStream {
 public:
  explicit ChatChunksToMessagesStream(MessagesStreamOptions options);

  core::Result<std::vector<http::SseEvent>> Feed(std::string_view data);

  // Usage from the upstream's usage chunk, normalised (zeros until it comes).
  core::Usage usage() const { return usage_; }
  // "[DONE]" was seen and message_stop returned.
  bool finished() const { return finished_; }

 private:
  enum class BlockKind { kNone, kText, kThinking, kTool };
  struct ToolCall {
    std::uint64_t index = 0;  // OpenAI's tool_calls index
    std::string id;
    std::size_t block = 0;  // the Anthropic block it streams into
  };

  void Start(std::string_view id, std::vector<http::SseEvent>& out);
  void OpenBlock(BlockKind kind, std::string_view content_block_json, std::vector<http::SseEvent>& out);
  void CloseBlock(std::vector<http::SseEvent>& out);
  void OnToolCallDelta(const boost::json::object& call, std::vector<http::SseEvent>& out);
  void Finish(std::vector<http::SseEvent>& out);

  MessagesStreamOptions options_;
  bool started_ = false;
  bool finished_ = false;
  std::size_t next_block_ = 0;
  BlockKind open_kind_ = BlockKind::kNone;
  std::size_t open_block_ = 0;
  std::vector<ToolCall> tool_calls_;  // in the order they started
  std::string finish_reason_;
  bool refused_ = false;  // the upstream sent a refusal delta
  bool usage_known_ = false;
  core::Usage usage_;
};

}  // namespace strata::providers::anthropic
