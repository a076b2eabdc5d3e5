// chat.completion.chunk stream → Anthropic Messages stream.
//
// Event JSON is written as text, as in stream_to_chat.cc: once per token, on
// the hot path.

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/text.h"
#include "providers/anthropic/translate.h"
#include "providers/anthropic/translate_common.h"

namespace strata::providers::anthropic {

namespace json = boost::json;
using detail::ArrayMember;
using detail::Member;
using detail::ObjectMember;
using detail::StringMember;

namespace {

core::Error Malformed(std::string_view what) {
  return core::Error::UpstreamRejected("upstream chat stream: " + std::string(what));
}

// OpenAI reports a failure mid-stream as a chunk holding only {"error": {...}}.
core::Error StreamError(const json::object& error) {
  const std::string_view type = StringMember(error, "type");
  std::string text = "upstream chat stream error";
  if (!type.empty()) text += " (" + std::string(type) + ")";
  text += ": ";
  text += StringMember(error, "message");
  if (type == "server_error" || type == "rate_limit_error" || type == "rate_limit_exceeded") {
    return core::Error::UpstreamUnavailable(std::move(text));
  }
  return core::Error::UpstreamRejected(std::move(text));
}

void Push(std::vector<http::SseEvent>& out, std::string_view name, std::string data) {
  out.push_back(http::SseEvent{std::string(name), std::move(data), {}});
}

std::string BlockDelta(std::size_t index, std::string_view delta_type, std::string_view field, std::string_view text) {
  std::string data = R"({"type":"content_block_delta","index":)";
  data += std::to_string(index);
  data += R"(,"delta":{"type":")";
  data += delta_type;
  data += R"(",")";
  data += field;
  data += R"(":)";
  core::AppendJsonString(data, text);
  data += "}}";
  return data;
}

}  // namespace

ChatChunksToMessagesStream::ChatChunksToMessagesStream(MessagesStreamOptions options) : options_(std::move(options)) {}

core::Result<std::vector<http::SseEvent>> ChatChunksToMessagesStream::Feed(std::string_view data) {
  std::vector<http::SseEvent> out;
  if (finished_) return out;
  if (data == "[DONE]") {
    if (!started_) return Malformed("it ended before its first chunk");
    Finish(out);
    return out;
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(data, ec);
  if (ec || !parsed.is_object()) return Malformed("malformed JSON in a chunk");
  const json::object& chunk = parsed.get_object();
  if (const json::object* error = ObjectMember(chunk, "error")) return StreamError(*error);

  if (!started_) Start(StringMember(chunk, "id"), out);
  // Usually the last chunk alone (stream_options.include_usage); some servers
  // repeat a running total on every chunk, so the latest wins.
  if (const json::object* usage = ObjectMember(chunk, "usage")) {
    usage_ = UsageFromChat(*usage);
    usage_known_ = true;
  }

  const json::array* choices = ArrayMember(chunk, "choices");
  if (choices == nullptr) return out;
  for (const json::value& choice_value : *choices) {
    const json::object* choice = choice_value.if_object();
    if (choice == nullptr) continue;
    // Only choice 0 is translated: Anthropic has no n > 1, and we never ask for it.
    if (const json::value* index = Member(*choice, "index"); index && detail::Unsigned(*index) != std::uint64_t{0}) {
      continue;
    }
    if (const json::object* delta = ObjectMember(*choice, "delta")) {
      // Reasoning text as DeepSeek, vLLM and LiteLLM name it, or as OpenRouter does.
      std::string_view reasoning = StringMember(*delta, "reasoning_content");
      if (reasoning.empty()) reasoning = StringMember(*delta, "reasoning");
      if (!reasoning.empty()) {
        if (open_kind_ != BlockKind::kThinking) {
          OpenBlock(BlockKind::kThinking, R"({"type":"thinking","thinking":"","signature":""})", out);
        }
        Push(out, "content_block_delta", BlockDelta(open_block_, "thinking_delta", "thinking", reasoning));
      }
      std::string_view text = StringMember(*delta, "content");
      if (const std::string_view refusal = StringMember(*delta, "refusal"); !refusal.empty()) {
        refused_ = true;
        if (text.empty()) text = refusal;
      }
      if (!text.empty()) {
        if (open_kind_ != BlockKind::kText) OpenBlock(BlockKind::kText, R"({"type":"text","text":""})", out);
        Push(out, "content_block_delta", BlockDelta(open_block_, "text_delta", "text", text));
      }
      if (const json::array* calls = ArrayMember(*delta, "tool_calls")) {
        for (const json::value& call : *calls) {
          if (const json::object* object = call.if_object()) OnToolCallDelta(*object, out);
        }
      }
    }
    if (const std::string_view reason = StringMember(*choice, "finish_reason"); !reason.empty()) {
      finish_reason_ = reason;
    }
    break;
  }
  return out;
}

void ChatChunksToMessagesStream::Start(std::string_view id, std::vector<http::SseEvent>& out) {
  started_ = true;
  core::Usage estimate;
  estimate.input_tokens = options_.input_tokens;
  std::string data = R"({"type":"message_start","message":{"id":)";
  core::AppendJsonString(data, id);
  data += R"(,"type":"message","role":"assistant","model":)";
  core::AppendJsonString(data, options_.client_model);
  data += R"(,"content":[],"stop_reason":null,"stop_sequence":null,"usage":)";
  data += json::serialize(detail::MessagesUsageJson(estimate));
  data += "}}";
  Push(out, "message_start", std::move(data));
  Push(out, "ping", R"({"type":"ping"})");
}

void ChatChunksToMessagesStream::OpenBlock(BlockKind kind, std::string_view content_block_json,
                                           std::vector<http::SseEvent>& out) {
  CloseBlock(out);
  open_kind_ = kind;
  open_block_ = next_block_++;
  std::string data = R"({"type":"content_block_start","index":)";
  data += std::to_string(open_block_);
  data += R"(,"content_block":)";
  data += content_block_json;
  data += '}';
  Push(out, "content_block_start", std::move(data));
}

void ChatChunksToMessagesStream::CloseBlock(std::vector<http::SseEvent>& out) {
  if (open_kind_ == BlockKind::kNone) return;
  open_kind_ = BlockKind::kNone;
  Push(out, "content_block_stop", R"({"type":"content_block_stop","index":)" + std::to_string(open_block_) + "}");
}

void ChatChunksToMessagesStream::OnToolCallDelta(const json::object& call, std::vector<http::SseEvent>& out) {
  const std::string_view id = StringMember(call, "id");
  const json::object* function = ObjectMember(call, "function");
  const std::string_view arguments = function != nullptr ? StringMember(*function, "arguments") : "";

  // OpenAI numbers calls with `index`. Some compatible servers leave it out
  // or reuse 0 for every parallel call, so a new id also starts a new call.
  std::uint64_t index = 0;
  if (const json::value* value = Member(call, "index"); value && detail::Unsigned(*value)) {
    index = *detail::Unsigned(*value);
  } else if (!tool_calls_.empty()) {
    index = tool_calls_.back().index;
  }
  auto current = std::find_if(tool_calls_.rbegin(), tool_calls_.rend(),
                              [index](const ToolCall& known) { return known.index == index; });
  const bool is_new = current == tool_calls_.rend() || (!id.empty() && id != current->id);

  std::size_t block = 0;
  if (is_new) {
    ToolCall started;
    started.index = index;
    // Anthropic clients need an id to answer the call with; OpenAI always sends one.
    started.id = id.empty() ? "toolu_" + std::to_string(tool_calls_.size()) : std::string(id);
    std::string content_block = R"({"type":"tool_use","id":)";
    core::AppendJsonString(content_block, started.id);
    content_block += R"(,"name":)";
    core::AppendJsonString(content_block, function != nullptr ? StringMember(*function, "name") : "");
    content_block += R"(,"input":{}})";
    OpenBlock(BlockKind::kTool, content_block, out);
    started.block = open_block_;
    block = open_block_;
    tool_calls_.push_back(std::move(started));
  } else {
    // A fragment for an earlier call whose block was closed (OpenAI never
    // interleaves calls, but nothing forbids it) still goes to that call's
    // block: Anthropic's SDKs accumulate deltas by index.
    block = current->block;
  }
  if (!arguments.empty()) Push(out, "content_block_delta", BlockDelta(block, "input_json_delta", "partial_json", arguments));
}

void ChatChunksToMessagesStream::Finish(std::vector<http::SseEvent>& out) {
  CloseBlock(out);
  finished_ = true;
  std::string_view stop_reason = detail::StopReasonFor(finish_reason_, refused_);
  // Some OpenAI-compatible servers end a tool-calling turn with "stop";
  // Anthropic clients only run tools on tool_use.
  if (!tool_calls_.empty() && stop_reason == "end_turn") stop_reason = "tool_use";
  std::string data = R"({"type":"message_delta","delta":{"stop_reason":)";
  core::AppendJsonString(data, stop_reason);
  data += R"(,"stop_sequence":null},"usage":)";
  if (usage_known_) {
    data += json::serialize(detail::MessagesUsageJson(usage_));
  } else {
    // No usage chunk came: report no output rather than overwrite the
    // caller's input estimate from message_start with a zero.
    data += R"({"output_tokens":0})";
  }
  data += '}';
  Push(out, "message_delta", std::move(data));
  Push(out, "message_stop", R"({"type":"message_stop"})");
}

}  // namespace strata::providers::anthropic
