// chat.completion.chunk stream → Anthropic Messages stream, over transcripts
// written as OpenAI and OpenAI-compatible servers send them, decoded with
// http::SseDecoder and cut at every byte (STYLE.md example 10). Ends with a
// round trip: Anthropic → chat chunks → Anthropic.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "http/sse.h"
#include "http/sse_decoder.h"
#include "providers/anthropic/translate.h"

namespace strata::providers::anthropic {
namespace {

namespace json = boost::json;

// --- Transcripts, as OpenAI writes them on the wire -------------------------

#define CHUNK_HEAD                                                                                              \
  "data: {\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion.chunk\","            \
  "\"created\":1741570283,\"model\":\"gpt-4o-2024-08-06\",\"service_tier\":\"default\",\"system_fingerprint\":" \
  "\"fp_eb9dce56a8\","

constexpr std::string_view kTextStream =
    CHUNK_HEAD "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},"
    "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
    CHUNK_HEAD "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"logprobs\":null,\"finish_reason\":null}],"
    "\"usage\":null}\n\n"
    CHUNK_HEAD "\"choices\":[{\"index\":0,\"delta\":{\"content\":\", w\xC3\xB6rld \xE2\x80\x94 \\\"quoted\\\"\\n\"},"
    "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
    CHUNK_HEAD "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
    CHUNK_HEAD "\"choices\":[],\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":10,\"total_tokens\":29,"
    "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},\"completion_tokens_details\":"
    "{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\n\n"
    "data: [DONE]\n\n";

constexpr std::string_view kToolCallStream =
    CHUNK_HEAD "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,"
    "\"id\":\"call_DdmO9pD3xa9XTPNJ32zg2hcA\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
    "\"arguments\":\"\"}}],\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
    CHUNK_HEAD "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"\"}}]},"
    "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
    CHUNK_HEAD "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"location\"}}]},"
    "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
    CHUNK_HEAD "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\":\\\"\"}}]},"
    "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
    CHUNK_HEAD "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"Paris\"}}]},"
    "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
    CHUNK_HEAD "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\", France\"}}]},"
    "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
    CHUNK_HEAD "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"}\"}}]},"
    "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
    CHUNK_HEAD "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}],\"usage\":null}\n\n"
    CHUNK_HEAD "\"choices\":[],\"usage\":{\"prompt_tokens\":82,\"completion_tokens\":17,\"total_tokens\":99}}\n\n"
    "data: [DONE]\n\n";

// Text first, then two calls (index 0, then 1), with cached and reasoning tokens.
constexpr std::string_view kParallelToolCallStream =
    CHUNK_HEAD "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Let me check.\"},"
    "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
    CHUNK_HEAD "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_W\",\"type\":\"function\","
    "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
    CHUNK_HEAD "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
    "\"{\\\"city\\\": \\\"Paris\\\"}\"}}]},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
    CHUNK_HEAD "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_T\",\"type\":\"function\","
    "\"function\":{\"name\":\"get_time\",\"arguments\":\"\"}}]},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
    CHUNK_HEAD "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":"
    "\"{\\\"tz\\\": \\\"CET\\\"}\"}}]},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
    CHUNK_HEAD "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}],\"usage\":null}\n\n"
    CHUNK_HEAD "\"choices\":[],\"usage\":{\"prompt_tokens\":2048,\"completion_tokens\":300,\"total_tokens\":2348,"
    "\"prompt_tokens_details\":{\"cached_tokens\":1024},\"completion_tokens_details\":{\"reasoning_tokens\":256}}}\n\n"
    "data: [DONE]\n\n";

// DeepSeek's reasoner: reasoning_content first, then content; cache hits in its own fields.
constexpr std::string_view kReasoningStream =
    "data: {\"id\":\"ds-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"deepseek-reasoner\","
    "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":\"\"},"
    "\"logprobs\":null,\"finish_reason\":null}]}\n\n"
    "data: {\"id\":\"ds-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"deepseek-reasoner\","
    "\"choices\":[{\"index\":0,\"delta\":{\"content\":null,\"reasoning_content\":\"9.11 vs 9.8:\"},"
    "\"logprobs\":null,\"finish_reason\":null}]}\n\n"
    "data: {\"id\":\"ds-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"deepseek-reasoner\","
    "\"choices\":[{\"index\":0,\"delta\":{\"content\":null,\"reasoning_content\":\" compare decimals.\"},"
    "\"logprobs\":null,\"finish_reason\":null}]}\n\n"
    "data: {\"id\":\"ds-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"deepseek-reasoner\","
    "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"9.8 is larger.\",\"reasoning_content\":null},"
    "\"logprobs\":null,\"finish_reason\":null}]}\n\n"
    "data: {\"id\":\"ds-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"deepseek-reasoner\","
    "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\",\"reasoning_content\":null},\"logprobs\":null,"
    "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":17,\"completion_tokens\":120,\"total_tokens\":137,"
    "\"prompt_cache_hit_tokens\":0,\"prompt_cache_miss_tokens\":17,"
    "\"completion_tokens_details\":{\"reasoning_tokens\":100}}}\n\n"
    "data: [DONE]\n\n";

// A compatible server that leaves out tool call indexes, sends each call
// whole, ends with "stop" instead of "tool_calls", and has CRLF line ends.
constexpr std::string_view kLooseToolCallStream =
    "data: {\"id\":\"gen-1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"tool_calls\":["
    "{\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"x\\\":1}\"}}]}}]}\r\n\r\n"
    "data: {\"id\":\"gen-1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":["
    "{\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"g\",\"arguments\":\"{}\"}}]}}]}\r\n\r\n"
    "data: {\"id\":\"gen-1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\r\n\r\n"
    "data: [DONE]\r\n\r\n";

constexpr std::string_view kErrorStream =
    CHUNK_HEAD "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Part\"},"
    "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
    "data: {\"error\":{\"message\":\"The server had an error while processing your request. Sorry about that!\","
    "\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n";

#undef CHUNK_HEAD

// --- The client's view: what the Anthropic SDK's MessageStream assembles ----

struct MessagesView {
  std::string id;
  std::string model;
  std::vector<json::object> blocks;  // tool_use input kept as the raw JSON text until its block stops
  std::vector<std::string> partial_json;
  std::vector<bool> open;
  std::string stop_reason;
  json::object usage;
  bool stopped = false;
  std::size_t events = 0;

  std::string Text() const {
    std::string text;
    for (const json::object& block : blocks) {
      if (block.at("type") == "text") text += block.at("text").as_string();
    }
    return text;
  }
  std::string Thinking() const {
    std::string text;
    for (const json::object& block : blocks) {
      if (block.at("type") == "thinking") text += block.at("thinking").as_string();
    }
    return text;
  }
  // (id, name, input) of every tool_use block, in order.
  std::vector<json::value> ToolUses() const {
    std::vector<json::value> uses;
    for (const json::object& block : blocks) {
      if (block.at("type") == "tool_use") {
        uses.push_back(json::object{{"id", block.at("id")}, {"name", block.at("name")}, {"input", block.at("input")}});
      }
    }
    return uses;
  }
};

// Applies one event as the SDK would, checking the protocol a strict client
// relies on: message_start first, block indexes counting up from 0, deltas
// only to open blocks, every block stopped before message_delta,
// message_stop last, and each event's name matching its data's type.
void Apply(MessagesView& view, const http::SseEvent& event) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(event.data, ec);
  ASSERT_FALSE(ec) << event.data;
  const json::object& data = parsed.as_object();
  const std::string_view type = data.at("type").as_string();
  EXPECT_EQ(event.event, type);
  EXPECT_FALSE(view.stopped) << "an event after message_stop";
  EXPECT_TRUE(view.events > 0 || type == "message_start") << "first event: " << type;
  ++view.events;
  if (type == "message_start") {
    EXPECT_EQ(view.events, 1u);
    const json::object& message = data.at("message").as_object();
    EXPECT_EQ(message.at("type"), "message");
    EXPECT_EQ(message.at("role"), "assistant");
    EXPECT_EQ(message.at("content"), json::array());
    view.id = message.at("id").as_string();
    view.model = message.at("model").as_string();
    view.usage = message.at("usage").as_object();
  } else if (type == "content_block_start") {
    EXPECT_EQ(data.at("index"), view.blocks.size());
    view.blocks.push_back(data.at("content_block").as_object());
    view.partial_json.emplace_back();
    view.open.push_back(true);
  } else if (type == "content_block_delta") {
    const std::size_t index = data.at("index").to_number<std::size_t>();
    ASSERT_LT(index, view.blocks.size());
    EXPECT_TRUE(view.open[index]) << "a delta to a stopped block";
    json::object& block = view.blocks[index];
    const json::object& delta = data.at("delta").as_object();
    const std::string_view delta_type = delta.at("type").as_string();
    if (delta_type == "text_delta") {
      EXPECT_EQ(block.at("type"), "text");
      block["text"] = std::string(block.at("text").as_string()) + std::string(delta.at("text").as_string());
    } else if (delta_type == "thinking_delta") {
      EXPECT_EQ(block.at("type"), "thinking");
      block["thinking"] = std::string(block.at("thinking").as_string()) + std::string(delta.at("thinking").as_string());
    } else if (delta_type == "input_json_delta") {
      EXPECT_EQ(block.at("type"), "tool_use");
      view.partial_json[index] += delta.at("partial_json").as_string();
    } else if (delta_type == "signature_delta") {
      block["signature"] = delta.at("signature");
    } else {
      ADD_FAILURE() << "unexpected delta " << delta_type;
    }
  } else if (type == "content_block_stop") {
    const std::size_t index = data.at("index").to_number<std::size_t>();
    ASSERT_LT(index, view.blocks.size());
    EXPECT_TRUE(view.open[index]);
    view.open[index] = false;
    if (view.blocks[index].at("type") == "tool_use" && !view.partial_json[index].empty()) {
      view.blocks[index]["input"] = json::parse(view.partial_json[index], ec);
      EXPECT_FALSE(ec) << view.partial_json[index];
    }
  } else if (type == "message_delta") {
    for (bool open : view.open) EXPECT_FALSE(open) << "message_delta with a block still open";
    view.stop_reason = data.at("delta").at("stop_reason").as_string();
    EXPECT_TRUE(data.at("delta").at("stop_sequence").is_null());
    for (const auto& [key, value] : data.at("usage").as_object()) view.usage[key] = value;
  } else if (type == "message_stop") {
    EXPECT_FALSE(view.stop_reason.empty()) << "message_stop without message_delta";
    view.stopped = true;
  } else if (type != "ping") {
    ADD_FAILURE() << "unexpected event " << type;
  }
}

struct MessagesRun {
  std::vector<http::SseEvent> events;
  std::optional<core::Error> error;
  bool finished = false;
  core::Usage usage;
};

MessagesRun Translate(std::string_view wire, const std::vector<std::size_t>& cuts) {
  MessagesRun run;
  http::SseDecoder decoder;
  ChatChunksToMessagesStream translator({.client_model = "client-model", .input_tokens = 15});
  std::size_t start = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(wire.size());
  for (std::size_t end : ends) {
    for (const http::SseEvent& event : decoder.Feed(wire.substr(start, end - start))) {
      if (run.error) break;
      auto events = translator.Feed(event.data);
      if (!events) {
        run.error = events.error();
        break;
      }
      for (http::SseEvent& out : *events) run.events.push_back(std::move(out));
    }
    start = end;
  }
  run.finished = translator.finished();
  run.usage = translator.usage();
  return run;
}

MessagesView ViewOf(const MessagesRun& run) {
  MessagesView view;
  for (const http::SseEvent& event : run.events) Apply(view, event);
  return view;
}

MessagesRun RunAtEverySplit(std::string_view wire) {
  const MessagesRun whole = Translate(wire, {});
  for (std::size_t split = 0; split <= wire.size(); ++split) {
    const MessagesRun cut = Translate(wire, {split});
    EXPECT_EQ(cut.events, whole.events) << "split at " << split;
    EXPECT_EQ(cut.error.has_value(), whole.error.has_value()) << "split at " << split;
    if (testing::Test::HasFailure()) break;
  }
  std::vector<std::size_t> every_byte;
  for (std::size_t i = 1; i < wire.size(); ++i) every_byte.push_back(i);
  EXPECT_EQ(Translate(wire, every_byte).events, whole.events) << "one byte at a time";
  return whole;
}

TEST(ChatChunksToMessagesStreamTest, TranslatesATextStream) {
  const MessagesRun run = RunAtEverySplit(kTextStream);
  ASSERT_FALSE(run.error);
  EXPECT_TRUE(run.finished);
  const MessagesView view = ViewOf(run);
  EXPECT_TRUE(view.stopped);
  EXPECT_EQ(view.id, "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG");
  EXPECT_EQ(view.model, "client-model");
  EXPECT_EQ(view.Text(), "Hello, w\xC3\xB6rld \xE2\x80\x94 \"quoted\"\n");
  EXPECT_EQ(view.blocks.size(), 1u);
  EXPECT_EQ(view.stop_reason, "end_turn");
  EXPECT_EQ(json::value(view.usage), json::parse(R"({"input_tokens":19,"cache_creation_input_tokens":0,
    "cache_read_input_tokens":0,"output_tokens":10})"));
  core::Usage usage;
  usage.input_tokens = 19;
  usage.output_tokens = 10;
  EXPECT_EQ(run.usage, usage);
}

TEST(ChatChunksToMessagesStreamTest, WritesTheEventsAnthropicWrites) {
  const MessagesRun run = Translate(kTextStream, {});
  std::vector<std::string> names;
  for (const http::SseEvent& event : run.events) names.push_back(event.event);
  EXPECT_EQ(names, (std::vector<std::string>{"message_start", "ping", "content_block_start", "content_block_delta",
                                             "content_block_delta", "content_block_stop", "message_delta",
                                             "message_stop"}));
  EXPECT_EQ(json::parse(run.events[0].data), json::parse(R"({"type":"message_start","message":{
    "id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","type":"message","role":"assistant","model":"client-model",
    "content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":15,
    "cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}})"));
  EXPECT_EQ(json::parse(run.events[2].data), json::parse(R"({"type":"content_block_start","index":0,
    "content_block":{"type":"text","text":""}})"));
  EXPECT_EQ(json::parse(run.events[3].data), json::parse(R"({"type":"content_block_delta","index":0,
    "delta":{"type":"text_delta","text":"Hello"}})"));
  EXPECT_EQ(json::parse(run.events[7].data), json::parse(R"({"type":"message_stop"})"));
}

TEST(ChatChunksToMessagesStreamTest, StreamsAToolCallAsInputJsonDeltas) {
  const MessagesRun run = RunAtEverySplit(kToolCallStream);
  ASSERT_FALSE(run.error);
  const MessagesView view = ViewOf(run);
  EXPECT_EQ(view.Text(), "");
  ASSERT_EQ(view.ToolUses().size(), 1u);
  EXPECT_EQ(view.ToolUses()[0], json::parse(R"({"id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","name":"get_weather",
                                                "input":{"location":"Paris, France"}})"));
  EXPECT_EQ(view.stop_reason, "tool_use");
  EXPECT_EQ(view.usage.at("output_tokens"), 17);
  EXPECT_EQ(view.usage.at("input_tokens"), 82);
}

TEST(ChatChunksToMessagesStreamTest, GivesEachParallelCallItsOwnBlockAfterTheText) {
  const MessagesRun run = RunAtEverySplit(kParallelToolCallStream);
  ASSERT_FALSE(run.error);
  const MessagesView view = ViewOf(run);
  ASSERT_EQ(view.blocks.size(), 3u);
  EXPECT_EQ(view.blocks[0].at("type"), "text");
  EXPECT_EQ(view.Text(), "Let me check.");
  EXPECT_EQ(view.ToolUses(), (std::vector<json::value>{
                                 json::parse(R"({"id":"call_W","name":"get_weather","input":{"city":"Paris"}})"),
                                 json::parse(R"({"id":"call_T","name":"get_time","input":{"tz":"CET"}})")}));
  EXPECT_EQ(view.stop_reason, "tool_use");
  EXPECT_EQ(json::value(view.usage), json::parse(R"({"input_tokens":1024,"cache_creation_input_tokens":0,
    "cache_read_input_tokens":1024,"output_tokens":300})"));
  EXPECT_EQ(run.usage.input_tokens, 2048u);
  EXPECT_EQ(run.usage.cached_input_tokens, 1024u);
  EXPECT_EQ(run.usage.reasoning_tokens, 256u);
}

TEST(ChatChunksToMessagesStreamTest, StreamsReasoningContentAsAThinkingBlock) {
  const MessagesRun run = RunAtEverySplit(kReasoningStream);
  ASSERT_FALSE(run.error);
  const MessagesView view = ViewOf(run);
  ASSERT_EQ(view.blocks.size(), 2u);
  EXPECT_EQ(view.blocks[0].at("type"), "thinking");
  EXPECT_EQ(view.Thinking(), "9.11 vs 9.8: compare decimals.");
  EXPECT_EQ(view.Text(), "9.8 is larger.");
  EXPECT_EQ(view.stop_reason, "end_turn");
  EXPECT_EQ(run.usage.reasoning_tokens, 100u);
  EXPECT_EQ(view.usage.at("output_tokens"), 120);
}

TEST(ChatChunksToMessagesStreamTest, CopesWithServersThatOmitIndexesAndEndToolCallsWithStop) {
  const MessagesRun run = RunAtEverySplit(kLooseToolCallStream);
  ASSERT_FALSE(run.error);
  const MessagesView view = ViewOf(run);
  EXPECT_EQ(view.ToolUses(), (std::vector<json::value>{json::parse(R"({"id":"call_a","name":"f","input":{"x":1}})"),
                                                       json::parse(R"({"id":"call_b","name":"g","input":{}})")}));
  EXPECT_EQ(view.stop_reason, "tool_use");
  // No usage chunk: message_start's estimate stands, output is reported as 0.
  EXPECT_EQ(view.usage.at("input_tokens"), 15);
  EXPECT_EQ(view.usage.at("output_tokens"), 0);
  EXPECT_EQ(run.usage, core::Usage{});
}

TEST(ChatChunksToMessagesStreamTest, ReportsAnUpstreamErrorChunkAfterWhatCameBefore) {
  const MessagesRun run = RunAtEverySplit(kErrorStream);
  ASSERT_TRUE(run.error);
  EXPECT_EQ(run.error->code(), core::ErrorCode::kUpstreamUnavailable);
  EXPECT_NE(run.error->message().find("Sorry about that"), std::string::npos);
  EXPECT_FALSE(run.finished);
  EXPECT_EQ(ViewOf(run).Text(), "Part");
}

TEST(ChatChunksToMessagesStreamTest, RefusesMalformedStreams) {
  for (const std::vector<std::string_view>& feeds : std::vector<std::vector<std::string_view>>{
           {"[DONE]"},
           {"{\"id\":\"x\",\"choices\":["},
           {"[1,2,3]"},
           {R"({"error":{"message":"bad key","type":"invalid_request_error"}})"},
       }) {
    ChatChunksToMessagesStream translator({.client_model = "m"});
    bool failed = false;
    for (std::string_view data : feeds) {
      auto out = translator.Feed(data);
      if (!out) {
        EXPECT_EQ(out.error().code(), core::ErrorCode::kUpstreamRejected) << data;
        failed = true;
      }
    }
    EXPECT_TRUE(failed) << feeds.back();
  }
}

TEST(ChatChunksToMessagesStreamTest, MapsEveryFinishReason) {
  struct Case {
    std::string_view finish_reason;
    std::string_view stop_reason;
  };
  for (const Case& c : {Case{"stop", "end_turn"}, Case{"length", "max_tokens"}, Case{"tool_calls", "tool_use"},
                        Case{"content_filter", "refusal"}}) {
    ChatChunksToMessagesStream translator({.client_model = "m"});
    ASSERT_TRUE(translator.Feed(R"({"id":"x","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":")" +
                                std::string(c.finish_reason) + R"("}]})"));
    auto end = translator.Feed("[DONE]");
    ASSERT_TRUE(end);
    ASSERT_EQ(end->size(), 3u);  // content_block_stop, message_delta, message_stop
    EXPECT_EQ(json::parse((*end)[1].data).at("delta").at("stop_reason"), json::value(c.stop_reason)) << c.finish_reason;
  }
  ChatChunksToMessagesStream refusing({.client_model = "m"});
  ASSERT_TRUE(refusing.Feed(R"({"id":"x","choices":[{"index":0,"delta":{"refusal":"No."},"finish_reason":"stop"}]})"));
  auto end = refusing.Feed("[DONE]");
  ASSERT_TRUE(end);
  EXPECT_EQ(json::parse((*end)[1].data).at("delta").at("stop_reason"), "refusal");
}

TEST(ChatChunksToMessagesStreamTest, TranslatesOnlyTheFirstChoiceAndNothingAfterDone) {
  ChatChunksToMessagesStream translator({.client_model = "m"});
  auto first = translator.Feed(R"({"id":"x","choices":[{"index":1,"delta":{"content":"other"}},
                                                       {"index":0,"delta":{"content":"mine"}}]})");
  ASSERT_TRUE(first);
  std::string text;
  for (const http::SseEvent& event : *first) {
    if (event.event == "content_block_delta") text += json::parse(event.data).at("delta").at("text").as_string();
  }
  EXPECT_EQ(text, "mine");
  ASSERT_TRUE(translator.Feed("[DONE]"));
  EXPECT_TRUE(translator.finished());
  auto late = translator.Feed(R"({"id":"x","choices":[{"index":0,"delta":{"content":"late"}}]})");
  ASSERT_TRUE(late);
  EXPECT_TRUE(late->empty());
}

TEST(ChatChunksToMessagesStreamTest, SendsAnInterleavedFragmentToItsOwnCallsBlock) {
  ChatChunksToMessagesStream translator({.client_model = "m"});
  std::vector<http::SseEvent> events;
  for (std::string_view data : {
           R"({"id":"x","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{\"p\":"}}]}}]})",
           R"({"id":"x","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"b","function":{"name":"g","arguments":"{}"}}]}}]})",
           R"({"id":"x","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]}}]})",
           "[DONE]"}) {
    auto out = translator.Feed(data);
    ASSERT_TRUE(out) << data;
    for (http::SseEvent& event : *out) events.push_back(std::move(event));
  }
  std::map<std::uint64_t, std::string> arguments;
  for (const http::SseEvent& event : events) {
    if (event.event != "content_block_delta") continue;
    const json::value data = json::parse(event.data);
    arguments[data.at("index").to_number<std::uint64_t>()] += data.at("delta").at("partial_json").as_string();
  }
  EXPECT_EQ(arguments, (std::map<std::uint64_t, std::string>{{0, R"({"p":1})"}, {1, "{}"}}));
}

// --- Round trip: Anthropic → chat chunks → Anthropic ------------------------

constexpr std::string_view kAnthropicThinkingThenToolUse =
    "event: message_start\n"
    "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01RT\",\"type\":\"message\",\"role\":\"assistant\","
    "\"content\":[],\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":"
    "{\"input_tokens\":300,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":200,\"output_tokens\":1}}}\n\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\","
    "\"signature\":\"\"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\","
    "\"thinking\":\"Need the weather.\"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"c2ln\"}}\n\n"
    "event: content_block_stop\n"
    "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"Checking \\u00e9t\\u00e9.\"}}\n\n"
    "event: content_block_stop\n"
    "data: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\","
    "\"name\":\"get_weather\",\"input\":{}}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\","
    "\"partial_json\":\"{\\\"city\\\":\"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\","
    "\"partial_json\":\" \\\"Nice\\\"}\"}}\n\n"
    "event: content_block_stop\n"
    "data: {\"type\":\"content_block_stop\",\"index\":2}\n\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":3,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_2\","
    "\"name\":\"get_time\",\"input\":{}}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":\"input_json_delta\","
    "\"partial_json\":\"{}\"}}\n\n"
    "event: content_block_stop\n"
    "data: {\"type\":\"content_block_stop\",\"index\":3}\n\n"
    "event: message_delta\n"
    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},"
    "\"usage\":{\"output_tokens\":77}}\n\n"
    "event: message_stop\n"
    "data: {\"type\":\"message_stop\"}\n\n";

TEST(StreamRoundTripTest, AnthropicThroughChatChunksAndBackKeepsWhatTheClientSees) {
  // Anthropic → chat chunks, written out as an OpenAI stream...
  MessagesStreamToChatChunks to_chat({.client_model = "client-model", .include_usage = true, .created = 1});
  std::string chat_wire;
  for (const http::SseEvent& event : http::SseDecoder().Feed(kAnthropicThinkingThenToolUse)) {
    auto chunks = to_chat.Feed(event);
    ASSERT_TRUE(chunks);
    for (const std::string& chunk : *chunks) chat_wire += http::FormatSseEvent(chunk);
  }
  ASSERT_TRUE(to_chat.finished());
  chat_wire += http::FormatSseEvent("[DONE]");

  // ...and back, cut at every byte.
  const MessagesRun run = RunAtEverySplit(chat_wire);
  ASSERT_FALSE(run.error);
  const MessagesView back = ViewOf(run);

  MessagesView original;
  for (const http::SseEvent& event : http::SseDecoder().Feed(kAnthropicThinkingThenToolUse)) Apply(original, event);
  EXPECT_EQ(back.Thinking(), original.Thinking());
  EXPECT_EQ(back.Text(), original.Text());
  EXPECT_EQ(back.ToolUses(), original.ToolUses());
  EXPECT_EQ(back.stop_reason, original.stop_reason);
  EXPECT_EQ(back.usage.at("output_tokens"), original.usage.at("output_tokens"));
  EXPECT_EQ(back.usage.at("input_tokens"), original.usage.at("input_tokens"));
  EXPECT_EQ(back.usage.at("cache_read_input_tokens"), original.usage.at("cache_read_input_tokens"));
  EXPECT_EQ(run.usage.input_tokens, to_chat.usage().input_tokens);
}

}  // namespace
}  // namespace strata::providers::anthropic
