// Anthropic Messages stream → chat.completion.chunk stream.
//
// Chunks are written as text rather than built as JSON values: this runs once
// per token on the hot path, and every chunk shares a prefix fixed at
// message_start.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/text.h"
#include "providers/openai_chat.h"
#include "providers/anthropic/translate.h"
#include "providers/anthropic/translate_common.h"

namespace strata::providers::anthropic {

namespace json = boost::json;
using detail::Member;
using detail::ObjectMember;
using detail::StringMember;

namespace {

core::Error Malformed(std::string_view what) {
  return core::Error::UpstreamRejected("Anthropic stream: " + std::string(what));
}

// An `error` event: the vendor's type decides whether another attempt may help.
core::Error StreamError(const json::object& event) {
  const json::object* error = ObjectMember(event, "error");
  const std::string_view type = error != nullptr ? StringMember(*error, "type", "api_error") : "api_error";
  const std::string_view message = error != nullptr ? StringMember(*error, "message") : "";
  std::string text = "Anthropic stream error (" + std::string(type) + "): " + std::string(message);
  if (type == "overloaded_error" || type == "api_error" || type == "rate_limit_error") {
    return core::Error::UpstreamUnavailable(std::move(text));
  }
  if (type == "timeout_error") return core::Error::UpstreamTimeout(std::move(text));
  return core::Error::UpstreamRejected(std::move(text));
}

std::string ContentDelta(std::string_view text) {
  std::string delta = R"({"content":)";
  core::AppendJsonString(delta, text);
  delta += '}';
  return delta;
}

}  // namespace

MessagesStreamToChatChunks::MessagesStreamToChatChunks(ChatChunkOptions options) : options_(std::move(options)) {
  if (options_.created == 0) options_.created = detail::NowUnixSeconds();
}

core::Usage MessagesStreamToChatChunks::usage() const {
  return detail::NormalisedUsage(input_tokens_, output_tokens_, cache_read_tokens_, cache_write_tokens_);
}

core::Result<std::vector<std::string>> MessagesStreamToChatChunks::Feed(const http::SseEvent& event) {
  if (finished_) return std::vector<std::string>();
  boost::system::error_code ec;
  json::value parsed = json::parse(event.data, ec);
  if (ec || !parsed.is_object()) {
    return Malformed("malformed JSON in a '" + (event.event.empty() ? std::string("message") : event.event) +
                     "' event");
  }
  const json::object& object = parsed.get_object();
  // The data's own type is authoritative; the SSE event name repeats it.
  std::string_view type = StringMember(object, "type");
  if (type.empty()) type = event.event;

  if (type == "error") return StreamError(object);
  if (type == "message_start") return OnMessageStart(object);
  if (type == "ping") return std::vector<std::string>();
  const bool content_event = type == "content_block_start" || type == "content_block_delta" ||
                             type == "content_block_stop" || type == "message_delta" || type == "message_stop";
  if (content_event && !started_) return Malformed("'" + std::string(type) + "' before message_start");
  if (type == "content_block_start") return OnBlockStart(object);
  if (type == "content_block_delta") return OnBlockDelta(object);
  if (type == "message_delta") return OnMessageDelta(object);
  if (type == "message_stop") return OnMessageStop();
  // content_block_stop needs nothing (OpenAI has no block ends), and Anthropic
  // may add event types at any time: its versioning policy says to ignore them.
  return std::vector<std::string>();
}

core::Result<std::vector<std::string>> MessagesStreamToChatChunks::OnMessageStart(const json::object& event) {
  if (started_) return Malformed("a second message_start");
  started_ = true;
  const json::object* message = ObjectMember(event, "message");
  if (message != nullptr) {
    if (const json::object* usage = ObjectMember(*message, "usage")) MergeUsage(*usage);
  }
  chunk_prefix_ = R"({"id":)";
  core::AppendJsonString(chunk_prefix_, message != nullptr ? StringMember(*message, "id") : "");
  chunk_prefix_ += R"(,"object":"chat.completion.chunk","created":)";
  chunk_prefix_ += std::to_string(options_.created);
  chunk_prefix_ += R"(,"model":)";
  core::AppendJsonString(chunk_prefix_, options_.client_model);
  // OpenAI's first chunk names the role and carries empty content.
  return std::vector<std::string>{Chunk(R"({"role":"assistant","content":""})")};
}

core::Result<std::vector<std::string>> MessagesStreamToChatChunks::OnBlockStart(const json::object& event) {
  const json::value* index_value = Member(event, "index");
  const std::optional<std::uint64_t> index = index_value != nullptr ? detail::Unsigned(*index_value) : std::nullopt;
  const json::object* block = ObjectMember(event, "content_block");
  // Indexes count up from 0; a bound keeps a hostile upstream from making us allocate.
  if (!index || block == nullptr || *index != blocks_.size()) {
    return Malformed("content_block_start without the next index and a content_block");
  }
  Block& state = blocks_.emplace_back();
  std::vector<std::string> out;
  const std::string_view type = StringMember(*block, "type");
  if (type == "text") {
    state.kind = Block::Kind::kText;
    if (const std::string_view text = StringMember(*block, "text"); !text.empty()) out.push_back(Chunk(ContentDelta(text)));
  } else if (type == "thinking") {
    state.kind = Block::Kind::kThinking;
  } else if (type == "tool_use") {
    const std::string_view name = StringMember(*block, "name");
    if (name == kJsonOutputTool) {
      state.kind = Block::Kind::kJsonOutput;
      return out;
    }
    state.kind = Block::Kind::kTool;
    state.tool_index = tool_calls_++;
    // OpenAI's first delta of a call carries its index, id, type and name,
    // with empty arguments; the argument text follows in later deltas.
    std::string delta = R"({"tool_calls":[{"index":)";
    delta += std::to_string(state.tool_index);
    delta += R"(,"id":)";
    core::AppendJsonString(delta, StringMember(*block, "id"));
    delta += R"(,"type":"function","function":{"name":)";
    core::AppendJsonString(delta, name);
    delta += R"(,"arguments":""}}]})";
    out.push_back(Chunk(delta));
  }
  // redacted_thinking, server_tool_use, web_search_tool_result, …: nothing an
  // OpenAI client could show; the text blocks around them carry the answer.
  return out;
}

core::Result<std::vector<std::string>> MessagesStreamToChatChunks::OnBlockDelta(const json::object& event) {
  const json::value* index_value = Member(event, "index");
  const std::optional<std::uint64_t> index = index_value != nullptr ? detail::Unsigned(*index_value) : std::nullopt;
  const json::object* delta = ObjectMember(event, "delta");
  if (!index || *index >= blocks_.size() || delta == nullptr) {
    return Malformed("content_block_delta for a block that was never started");
  }
  const Block& block = blocks_[*index];
  const std::string_view type = StringMember(*delta, "type");
  std::vector<std::string> out;
  if (type == "text_delta") {
    if (const std::string_view text = StringMember(*delta, "text"); !text.empty()) out.push_back(Chunk(ContentDelta(text)));
  } else if (type == "thinking_delta") {
    if (const std::string_view thinking = StringMember(*delta, "thinking"); !thinking.empty()) {
      std::string chunk_delta = R"({"reasoning_content":)";
      core::AppendJsonString(chunk_delta, thinking);
      chunk_delta += '}';
      out.push_back(Chunk(chunk_delta));
    }
  } else if (type == "input_json_delta") {
    const std::string_view partial = StringMember(*delta, "partial_json");
    if (partial.empty()) return out;  // Anthropic opens each tool input with an empty fragment
    if (block.kind == Block::Kind::kJsonOutput) {
      out.push_back(Chunk(ContentDelta(partial)));
    } else if (block.kind == Block::Kind::kTool) {
      std::string chunk_delta = R"({"tool_calls":[{"index":)";
      chunk_delta += std::to_string(block.tool_index);
      chunk_delta += R"(,"function":{"arguments":)";
      core::AppendJsonString(chunk_delta, partial);
      chunk_delta += "}}]}";
      out.push_back(Chunk(chunk_delta));
    }
    // Else a server tool's input: not the client's to run.
  }
  // signature_delta and citations_delta have no OpenAI counterpart.
  return out;
}

core::Result<std::vector<std::string>> MessagesStreamToChatChunks::OnMessageDelta(const json::object& event) {
  if (const json::object* usage = ObjectMember(event, "usage")) MergeUsage(*usage);
  if (const json::object* delta = ObjectMember(event, "delta")) {
    if (const std::string_view reason = StringMember(*delta, "stop_reason"); !reason.empty()) stop_reason_ = reason;
  }
  if (finish_sent_) return std::vector<std::string>();
  finish_sent_ = true;
  // A tool_use stop without client tool calls means the JSON answer tool (or
  // a server tool) ended the turn: to the client that is a plain stop.
  return std::vector<std::string>{Chunk("{}", detail::FinishReasonFor(stop_reason_, tool_calls_ == 0))};
}

std::vector<std::string> MessagesStreamToChatChunks::OnMessageStop() {
  finished_ = true;
  std::vector<std::string> out;
  if (!finish_sent_) {
    finish_sent_ = true;
    out.push_back(Chunk("{}", detail::FinishReasonFor(stop_reason_, tool_calls_ == 0)));
  }
  if (options_.include_usage) {
    // OpenAI's last chunk: no choices, the whole usage.
    std::string chunk = chunk_prefix_;
    chunk += R"(,"choices":[],"usage":)";
    chunk += json::serialize(detail::ChatUsageJson(usage()));
    chunk += '}';
    out.push_back(std::move(chunk));
  }
  return out;
}

std::string MessagesStreamToChatChunks::Chunk(std::string_view delta_json, std::string_view finish_reason) const {
  return openai_chat::Chunk(chunk_prefix_, 0, delta_json, finish_reason, options_.include_usage);
}

void MessagesStreamToChatChunks::MergeUsage(const json::object& usage) {
  // message_start carries input and cache counts, message_delta the final
  // output (and, on newer API versions, final input counts too): a field
  // present later wins.
  auto merge = [&usage](std::string_view key, std::uint64_t& into) {
    if (const json::value* value = Member(usage, key)) {
      if (const std::optional<std::uint64_t> count = detail::Unsigned(*value)) into = *count;
    }
  };
  merge("input_tokens", input_tokens_);
  merge("output_tokens", output_tokens_);
  merge("cache_read_input_tokens", cache_read_tokens_);
  merge("cache_creation_input_tokens", cache_write_tokens_);
}

}  // namespace strata::providers::anthropic
