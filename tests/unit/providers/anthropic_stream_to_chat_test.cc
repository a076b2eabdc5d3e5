// Anthropic Messages stream → chat.completion.chunk stream, over transcripts
// written as Anthropic sends them, decoded with http::SseDecoder and cut at
// every byte (STYLE.md example 10): the chunks must not depend on the cuts.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "http/sse_decoder.h"
#include "providers/anthropic/translate.h"

namespace strata::providers::anthropic {
namespace {

namespace json = boost::json;

// --- Transcripts, as Anthropic writes them on the wire ----------------------

constexpr std::string_view kTextStream =
    "event: message_start\n"
    "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\",\"type\":\"message\","
    "\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5-20250929\",\"stop_reason\":null,"
    "\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"cache_creation_input_tokens\":0,"
    "\"cache_read_input_tokens\":0,\"output_tokens\":1,\"service_tier\":\"standard\"}}}\n"
    "\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n"
    "\n"
    "event: ping\n"
    "data: {\"type\": \"ping\"}\n"
    "\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n"
    "\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
    "\"text\":\", w\xC3\xB6rld \xE2\x80\x94 \\\"quoted\\\"\\n\"}}\n"
    "\n"
    "event: content_block_stop\n"
    "data: {\"type\":\"content_block_stop\",\"index\":0}\n"
    "\n"
    "event: message_delta\n"
    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
    "\"usage\":{\"output_tokens\":15}}\n"
    "\n"
    "event: message_stop\n"
    "data: {\"type\":\"message_stop\"}\n"
    "\n";

// From Anthropic's streaming docs: text, then a tool_use whose input arrives
// as input_json_delta fragments cut mid-token.
constexpr std::string_view kToolUseStream =
    "event: message_start\n"
    "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_014p7gG3wDgGV9EUtLvnow3U\",\"type\":\"message\","
    "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\",\"stop_sequence\":null,\"usage\":"
    "{\"input_tokens\":472,\"output_tokens\":2},\"content\":[],\"stop_reason\":null}}\n"
    "\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n"
    "\n"
    "event: ping\n"
    "data: {\"type\": \"ping\"}\n"
    "\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Okay\"}}\n"
    "\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
    "\"text\":\", let's check the weather for San Francisco, CA:\"}}\n"
    "\n"
    "event: content_block_stop\n"
    "data: {\"type\":\"content_block_stop\",\"index\":0}\n"
    "\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\","
    "\"id\":\"toolu_01T1x1fJ34qAmk2tNTrN7Up6\",\"name\":\"get_weather\",\"input\":{}}}\n"
    "\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}\n"
    "\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
    "\"partial_json\":\"{\\\"location\\\":\"}}\n"
    "\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
    "\"partial_json\":\" \\\"San Fra\"}}\n"
    "\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
    "\"partial_json\":\"ncisco, CA\\\"\"}}\n"
    "\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
    "\"partial_json\":\", \\\"unit\\\": \\\"fah\"}}\n"
    "\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
    "\"partial_json\":\"renheit\\\"}\"}}\n"
    "\n"
    "event: content_block_stop\n"
    "data: {\"type\":\"content_block_stop\",\"index\":1}\n"
    "\n"
    "event: message_delta\n"
    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},"
    "\"usage\":{\"output_tokens\":89}}\n"
    "\n"
    "event: message_stop\n"
    "data: {\"type\":\"message_stop\"}\n"
    "\n";

// Extended thinking, then the answer; CRLF line endings, as some proxies rewrite them.
constexpr std::string_view kThinkingStream =
    "event: message_start\r\n"
    "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01ThinK\",\"type\":\"message\",\"role\":\"assistant\","
    "\"content\":[],\"model\":\"claude-sonnet-4-5-20250929\",\"stop_reason\":null,\"stop_sequence\":null,"
    "\"usage\":{\"input_tokens\":40,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,"
    "\"output_tokens\":3}}}\r\n"
    "\r\n"
    "event: content_block_start\r\n"
    "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\","
    "\"signature\":\"\"}}\r\n"
    "\r\n"
    "event: content_block_delta\r\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\","
    "\"thinking\":\"Let me solve this step by step:\\n\\n1. First break down 27 * 453\"}}\r\n"
    "\r\n"
    "event: content_block_delta\r\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\","
    "\"thinking\":\"\\n2. 453 = 400 + 50 + 3\"}}\r\n"
    "\r\n"
    "event: content_block_delta\r\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\","
    "\"signature\":\"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds...\"}}\r\n"
    "\r\n"
    "event: content_block_stop\r\n"
    "data: {\"type\":\"content_block_stop\",\"index\":0}\r\n"
    "\r\n"
    "event: content_block_start\r\n"
    "data: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\r\n"
    "\r\n"
    "event: content_block_delta\r\n"
    "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"27 * 453 = 12,231\"}}\r\n"
    "\r\n"
    "event: content_block_stop\r\n"
    "data: {\"type\":\"content_block_stop\",\"index\":1}\r\n"
    "\r\n"
    "event: message_delta\r\n"
    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\",\"stop_sequence\":null},"
    "\"usage\":{\"output_tokens\":150}}\r\n"
    "\r\n"
    "event: message_stop\r\n"
    "data: {\"type\":\"message_stop\"}\r\n"
    "\r\n";

// Two tool calls in one turn, prompt caching, and the newer message_delta
// that repeats the final input counts.
constexpr std::string_view kParallelToolsStream =
    "event: message_start\n"
    "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01Par\",\"type\":\"message\",\"role\":\"assistant\","
    "\"content\":[],\"model\":\"claude-opus-4-1\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":"
    "{\"input_tokens\":12,\"cache_creation_input_tokens\":1000,\"cache_read_input_tokens\":3000,\"output_tokens\":1}}}\n"
    "\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\","
    "\"id\":\"toolu_01Weather\",\"name\":\"get_weather\",\"input\":{}}}\n"
    "\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\","
    "\"partial_json\":\"{\\\"city\\\": \\\"Par\"}}\n"
    "\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\","
    "\"partial_json\":\"is\\\"}\"}}\n"
    "\n"
    "event: content_block_stop\n"
    "data: {\"type\":\"content_block_stop\",\"index\":0}\n"
    "\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\","
    "\"id\":\"toolu_01Time\",\"name\":\"get_time\",\"input\":{}}}\n"
    "\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
    "\"partial_json\":\"{\\\"tz\\\": \\\"Europe/Paris\\\"}\"}}\n"
    "\n"
    "event: content_block_stop\n"
    "data: {\"type\":\"content_block_stop\",\"index\":1}\n"
    "\n"
    "event: message_delta\n"
    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},"
    "\"usage\":{\"input_tokens\":12,\"cache_creation_input_tokens\":1000,\"cache_read_input_tokens\":3000,"
    "\"output_tokens\":120}}\n"
    "\n"
    "event: message_stop\n"
    "data: {\"type\":\"message_stop\"}\n"
    "\n";

// The response_format tool (kJsonOutputTool), streamed.
constexpr std::string_view kJsonOutputStream =
    "event: message_start\n"
    "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01Json\",\"type\":\"message\",\"role\":\"assistant\","
    "\"content\":[],\"model\":\"claude-haiku-4-5\",\"stop_reason\":null,\"stop_sequence\":null,"
    "\"usage\":{\"input_tokens\":60,\"output_tokens\":1}}}\n"
    "\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\","
    "\"id\":\"toolu_01J\",\"name\":\"strata_json_output\",\"input\":{}}}\n"
    "\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\","
    "\"partial_json\":\"{\\\"name\\\": \\\"Ada\"}}\n"
    "\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\","
    "\"partial_json\":\"\\\", \\\"born\\\": 1815}\"}}\n"
    "\n"
    "event: content_block_stop\n"
    "data: {\"type\":\"content_block_stop\",\"index\":0}\n"
    "\n"
    "event: message_delta\n"
    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},"
    "\"usage\":{\"output_tokens\":20}}\n"
    "\n"
    "event: message_stop\n"
    "data: {\"type\":\"message_stop\"}\n"
    "\n";

// An overload in mid-answer: Anthropic sends an `error` event and stops.
constexpr std::string_view kOverloadedStream =
    "event: message_start\n"
    "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01Err\",\"type\":\"message\",\"role\":\"assistant\","
    "\"content\":[],\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,\"stop_sequence\":null,"
    "\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n"
    "\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n"
    "\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Partial\"}}\n"
    "\n"
    "event: error\n"
    "data: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n"
    "\n";

// --- The client's view: what the OpenAI SDK would assemble ------------------

struct ToolCallView {
  std::string id;
  std::string name;
  std::string arguments;
  bool operator==(const ToolCallView&) const = default;
};

struct ChatView {
  std::string id;
  std::string role;
  std::string content;
  std::string reasoning;
  std::map<std::uint64_t, ToolCallView> tool_calls;
  std::string finish_reason;
  std::optional<json::value> usage;
  bool operator==(const ChatView&) const = default;
};

// Applies one chunk as the OpenAI SDK's stream helper does, checking the
// shape a strict client relies on.
void Apply(ChatView& view, const std::string& chunk_text, bool include_usage) {
  boost::system::error_code ec;
  const json::value chunk = json::parse(chunk_text, ec);
  ASSERT_FALSE(ec) << chunk_text;
  EXPECT_EQ(chunk.at("object"), "chat.completion.chunk");
  EXPECT_EQ(chunk.at("model"), "client-model");
  EXPECT_EQ(chunk.at("created"), 1700000000);
  EXPECT_EQ(chunk.as_object().contains("usage"), include_usage) << chunk_text;
  view.id = chunk.at("id").as_string();
  if (const json::value* usage = chunk.as_object().if_contains("usage"); usage && !usage->is_null()) {
    EXPECT_FALSE(view.usage) << "a second usage chunk";
    EXPECT_TRUE(chunk.at("choices").as_array().empty());
    view.usage = *usage;
  }
  for (const json::value& choice : chunk.at("choices").as_array()) {
    EXPECT_EQ(choice.at("index"), 0);
    EXPECT_TRUE(view.finish_reason.empty()) << "a chunk after the finish chunk: " << chunk_text;
    const json::object& delta = choice.at("delta").as_object();
    if (const json::value* role = delta.if_contains("role")) view.role += role->as_string();
    if (const json::value* content = delta.if_contains("content")) view.content += content->as_string();
    if (const json::value* reasoning = delta.if_contains("reasoning_content")) {
      view.reasoning += reasoning->as_string();
    }
    if (const json::value* calls = delta.if_contains("tool_calls")) {
      for (const json::value& call : calls->as_array()) {
        const std::uint64_t index = call.at("index").to_number<std::uint64_t>();
        const bool first = !view.tool_calls.contains(index);
        ToolCallView& tool = view.tool_calls[index];
        const json::object& function = call.at("function").as_object();
        // id, type and name come once, on a call's first delta.
        EXPECT_EQ(call.as_object().contains("id"), first) << chunk_text;
        EXPECT_EQ(function.contains("name"), first) << chunk_text;
        if (first) {
          EXPECT_EQ(call.at("type"), "function");
          tool.id = call.at("id").as_string();
          tool.name = function.at("name").as_string();
        }
        tool.arguments += function.at("arguments").as_string();
      }
    }
    if (const json::value& finish = choice.at("finish_reason"); !finish.is_null()) {
      view.finish_reason = finish.as_string();
    }
  }
}

struct ChatRun {
  std::vector<std::string> chunks;
  std::optional<core::Error> error;
  bool finished = false;
  core::Usage usage;
};

// Feeds `wire` to an SseDecoder in the pieces `cuts` makes, and each event to
// the translator, as the gateway does.
ChatRun Translate(std::string_view wire, const std::vector<std::size_t>& cuts, bool include_usage = true) {
  ChatRun run;
  http::SseDecoder decoder;
  MessagesStreamToChatChunks translator({.client_model = "client-model", .include_usage = include_usage,
                                         .created = 1700000000});
  std::size_t start = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(wire.size());
  for (std::size_t end : ends) {
    for (const http::SseEvent& event : decoder.Feed(wire.substr(start, end - start))) {
      if (run.error) break;
      auto chunks = translator.Feed(event);
      if (!chunks) {
        run.error = chunks.error();
        break;
      }
      for (std::string& chunk : *chunks) run.chunks.push_back(std::move(chunk));
    }
    start = end;
  }
  run.finished = translator.finished();
  run.usage = translator.usage();
  return run;
}

ChatView ViewOf(const ChatRun& run, bool include_usage = true) {
  ChatView view;
  for (const std::string& chunk : run.chunks) Apply(view, chunk, include_usage);
  return view;
}

// The chunks, and so what the client sees, are the same wherever the wire is
// cut, and when it arrives one byte at a time.
ChatRun RunAtEverySplit(std::string_view wire) {
  const ChatRun whole = Translate(wire, {});
  for (std::size_t split = 0; split <= wire.size(); ++split) {
    const ChatRun cut = Translate(wire, {split});
    EXPECT_EQ(cut.chunks, whole.chunks) << "split at " << split;
    EXPECT_EQ(cut.error.has_value(), whole.error.has_value()) << "split at " << split;
    if (testing::Test::HasFailure()) break;
  }
  std::vector<std::size_t> every_byte;
  for (std::size_t i = 1; i < wire.size(); ++i) every_byte.push_back(i);
  EXPECT_EQ(Translate(wire, every_byte).chunks, whole.chunks) << "one byte at a time";
  return whole;
}

core::Usage UsageOf(std::uint64_t input, std::uint64_t output, std::uint64_t cached = 0, std::uint64_t written = 0) {
  core::Usage usage;
  usage.input_tokens = input;
  usage.output_tokens = output;
  usage.cached_input_tokens = cached;
  usage.cache_write_tokens = written;
  return usage;
}

TEST(MessagesStreamToChatChunksTest, TranslatesATextStream) {
  const ChatRun run = RunAtEverySplit(kTextStream);
  ASSERT_FALSE(run.error);
  EXPECT_TRUE(run.finished);
  const ChatView view = ViewOf(run);
  EXPECT_EQ(view.id, "msg_01XFDUDYJgAACzvnptvVoYEL");
  EXPECT_EQ(view.role, "assistant");
  EXPECT_EQ(view.content, "Hello, w\xC3\xB6rld \xE2\x80\x94 \"quoted\"\n");
  EXPECT_TRUE(view.tool_calls.empty());
  EXPECT_EQ(view.finish_reason, "stop");
  EXPECT_EQ(*view.usage, json::parse(R"({"prompt_tokens":25,"completion_tokens":15,"total_tokens":40,
                                         "prompt_tokens_details":{"cached_tokens":0}})"));
  EXPECT_EQ(run.usage, UsageOf(25, 15));
  // Role chunk, one chunk per text delta (nothing held back), finish, usage.
  EXPECT_EQ(run.chunks.size(), 5u);
}

TEST(MessagesStreamToChatChunksTest, WritesTheChunksOpenAIWrites) {
  const ChatRun run = Translate(kTextStream, {});
  ASSERT_EQ(run.chunks.size(), 5u);
  EXPECT_EQ(json::parse(run.chunks[0]), json::parse(R"({"id":"msg_01XFDUDYJgAACzvnptvVoYEL",
    "object":"chat.completion.chunk","created":1700000000,"model":"client-model",
    "choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],
    "usage":null})"));
  EXPECT_EQ(json::parse(run.chunks[3]), json::parse(R"({"id":"msg_01XFDUDYJgAACzvnptvVoYEL",
    "object":"chat.completion.chunk","created":1700000000,"model":"client-model",
    "choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null})"));
  EXPECT_TRUE(json::parse(run.chunks[4]).at("choices").as_array().empty());
}

TEST(MessagesStreamToChatChunksTest, LeavesUsageOutWhenTheClientDidNotAskForIt) {
  const ChatRun run = Translate(kTextStream, {}, /*include_usage=*/false);
  ASSERT_EQ(run.chunks.size(), 4u);
  const ChatView view = ViewOf(run, false);
  EXPECT_FALSE(view.usage);
  EXPECT_EQ(view.finish_reason, "stop");
  EXPECT_EQ(run.usage, UsageOf(25, 15));  // the gateway still accounts for it
}

TEST(MessagesStreamToChatChunksTest, StreamsToolUseAsToolCallDeltas) {
  const ChatRun run = RunAtEverySplit(kToolUseStream);
  ASSERT_FALSE(run.error);
  const ChatView view = ViewOf(run);
  EXPECT_EQ(view.content, "Okay, let's check the weather for San Francisco, CA:");
  ASSERT_EQ(view.tool_calls.size(), 1u);
  EXPECT_EQ(view.tool_calls.at(0), (ToolCallView{"toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather",
                                                 R"({"location": "San Francisco, CA", "unit": "fahrenheit"})"}));
  EXPECT_EQ(view.finish_reason, "tool_calls");
  EXPECT_EQ(run.usage, UsageOf(472, 89));
}

TEST(MessagesStreamToChatChunksTest, StreamsThinkingAsReasoningContent) {
  const ChatRun run = RunAtEverySplit(kThinkingStream);
  ASSERT_FALSE(run.error);
  const ChatView view = ViewOf(run);
  EXPECT_EQ(view.reasoning, "Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3");
  EXPECT_EQ(view.content, "27 * 453 = 12,231");
  EXPECT_EQ(view.finish_reason, "length");
  EXPECT_EQ(run.usage, UsageOf(40, 150));
}

TEST(MessagesStreamToChatChunksTest, NumbersParallelToolCallsAndCountsCacheTokens) {
  const ChatRun run = RunAtEverySplit(kParallelToolsStream);
  ASSERT_FALSE(run.error);
  const ChatView view = ViewOf(run);
  EXPECT_EQ(view.content, "");
  ASSERT_EQ(view.tool_calls.size(), 2u);
  EXPECT_EQ(view.tool_calls.at(0), (ToolCallView{"toolu_01Weather", "get_weather", R"({"city": "Paris"})"}));
  EXPECT_EQ(view.tool_calls.at(1), (ToolCallView{"toolu_01Time", "get_time", R"({"tz": "Europe/Paris"})"}));
  EXPECT_EQ(view.finish_reason, "tool_calls");
  EXPECT_EQ(*view.usage, json::parse(R"({"prompt_tokens":4012,"completion_tokens":120,"total_tokens":4132,
                                         "prompt_tokens_details":{"cached_tokens":3000}})"));
  EXPECT_EQ(run.usage, UsageOf(4012, 120, 3000, 1000));
}

TEST(MessagesStreamToChatChunksTest, StreamsTheJsonOutputToolAsContent) {
  const ChatRun run = RunAtEverySplit(kJsonOutputStream);
  ASSERT_FALSE(run.error);
  const ChatView view = ViewOf(run);
  EXPECT_TRUE(view.tool_calls.empty());
  EXPECT_EQ(json::parse(view.content), json::parse(R"({"name":"Ada","born":1815})"));
  EXPECT_EQ(view.finish_reason, "stop");
}

TEST(MessagesStreamToChatChunksTest, ReportsAnUpstreamErrorEventAfterWhatCameBefore) {
  const ChatRun run = RunAtEverySplit(kOverloadedStream);
  ASSERT_TRUE(run.error);
  EXPECT_EQ(run.error->code(), core::ErrorCode::kUpstreamUnavailable);
  EXPECT_NE(run.error->message().find("Overloaded"), std::string::npos);
  EXPECT_FALSE(run.finished);
  const ChatView view = ViewOf(run);
  EXPECT_EQ(view.content, "Partial");
  EXPECT_EQ(view.finish_reason, "");
}

TEST(MessagesStreamToChatChunksTest, MapsErrorTypesToWhetherRetryingCanHelp) {
  struct Case {
    std::string_view type;
    core::ErrorCode code;
  };
  for (const Case& c : {Case{"overloaded_error", core::ErrorCode::kUpstreamUnavailable},
                        Case{"api_error", core::ErrorCode::kUpstreamUnavailable},
                        Case{"rate_limit_error", core::ErrorCode::kUpstreamUnavailable},
                        Case{"timeout_error", core::ErrorCode::kUpstreamTimeout},
                        Case{"invalid_request_error", core::ErrorCode::kUpstreamRejected}}) {
    MessagesStreamToChatChunks translator({.client_model = "m"});
    auto out = translator.Feed(
        {"error", R"({"type":"error","error":{"type":")" + std::string(c.type) + R"(","message":"x"}})", ""});
    ASSERT_FALSE(out) << c.type;
    EXPECT_EQ(out.error().code(), c.code) << c.type;
  }
}

TEST(MessagesStreamToChatChunksTest, RefusesMalformedUpstreamEvents) {
  const std::string start = R"({"type":"message_start","message":{"id":"m","usage":{"input_tokens":1}}})";
  for (const std::vector<http::SseEvent>& events : std::vector<std::vector<http::SseEvent>>{
           {{"message_start", "{\"type\":\"message_start\",", ""}},
           {{"content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}})", ""}},
           {{"message_start", start, ""}, {"message_start", start, ""}},
           {{"message_start", start, ""},
            {"content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}})", ""}},
           {{"message_start", start, ""},
            {"content_block_start", R"({"type":"content_block_start","index":5,"content_block":{"type":"text","text":""}})", ""}},
           {{"message_start", start, ""}, {"content_block_start", "[1,2]", ""}},
       }) {
    MessagesStreamToChatChunks translator({.client_model = "m"});
    bool failed = false;
    for (const http::SseEvent& event : events) {
      auto out = translator.Feed(event);
      if (!out) {
        EXPECT_EQ(out.error().code(), core::ErrorCode::kUpstreamRejected);
        failed = true;
        break;
      }
    }
    EXPECT_TRUE(failed) << events.back().data;
  }
}

TEST(MessagesStreamToChatChunksTest, IgnoresEventsAndBlocksItDoesNotKnow) {
  MessagesStreamToChatChunks translator({.client_model = "m", .created = 1});
  ASSERT_TRUE(translator.Feed({"message_start", R"({"type":"message_start","message":{"id":"m"}})", ""}));
  for (const http::SseEvent& event : std::vector<http::SseEvent>{
           {"future_event", R"({"type":"future_event","x":1})", ""},
           {"content_block_start", R"({"type":"content_block_start","index":0,"content_block":
              {"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}})", ""},
           {"content_block_delta", R"({"type":"content_block_delta","index":0,"delta":
              {"type":"input_json_delta","partial_json":"{\"query\":\"x\"}"}})", ""},
           {"content_block_start", R"({"type":"content_block_start","index":1,"content_block":
              {"type":"redacted_thinking","data":"opaque"}})", ""},
           {"content_block_delta", R"({"type":"content_block_delta","index":1,"delta":
              {"type":"citations_delta","citation":{}}})", ""},
       }) {
    auto out = translator.Feed(event);
    ASSERT_TRUE(out) << event.data;
    EXPECT_TRUE(out->empty()) << event.data;
  }
}

TEST(MessagesStreamToChatChunksTest, StillSendsAFinishChunkWhenMessageDeltaNeverCame) {
  MessagesStreamToChatChunks translator({.client_model = "client-model", .include_usage = true, .created = 1700000000});
  ASSERT_TRUE(translator.Feed({"message_start", R"({"type":"message_start","message":{"id":"m",
    "usage":{"input_tokens":3,"output_tokens":1}}})", ""}));
  auto end = translator.Feed({"message_stop", R"({"type":"message_stop"})", ""});
  ASSERT_TRUE(end);
  ASSERT_EQ(end->size(), 2u);
  ChatView view;
  for (const std::string& chunk : *end) Apply(view, chunk, true);
  EXPECT_EQ(view.finish_reason, "stop");
  EXPECT_EQ(view.usage->at("prompt_tokens"), 3);
  EXPECT_TRUE(translator.finished());
}

TEST(MessagesStreamToChatChunksTest, SaysNothingMoreAfterMessageStop) {
  MessagesStreamToChatChunks translator({.client_model = "m"});
  ChatRun run = Translate(kTextStream, {});
  ASSERT_TRUE(run.finished);
  for (const http::SseEvent& event : http::SseDecoder().Feed(kTextStream)) ASSERT_TRUE(translator.Feed(event));
  auto late = translator.Feed({"message_stop", R"({"type":"message_stop"})", ""});
  ASSERT_TRUE(late);
  EXPECT_TRUE(late->empty());
}

}  // namespace
}  // namespace strata::providers::anthropic
