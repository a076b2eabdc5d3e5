// Response, usage and error translation, both directions.

#include <string>
#include <string_view>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "providers/anthropic/translate.h"

namespace strata::providers::anthropic {
namespace {

namespace json = boost::json;

json::object Obj(std::string_view text) { return json::parse(text).as_object(); }
json::value Val(std::string_view text) { return json::parse(text); }

// A real Messages response (from Anthropic's docs), with prompt caching.
constexpr std::string_view kToolUseMessage = R"({
  "id": "msg_01Aq9w938a90dw8q", "type": "message", "role": "assistant",
  "model": "claude-sonnet-4-5-20250929",
  "content": [
    {"type": "text", "text": "I'll check the current weather in San Francisco for you."},
    {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "get_weather",
     "input": {"location": "San Francisco, CA", "unit": "celsius"}}],
  "stop_reason": "tool_use", "stop_sequence": null,
  "usage": {"input_tokens": 100, "cache_creation_input_tokens": 10, "cache_read_input_tokens": 50,
            "output_tokens": 30, "service_tier": "standard"}})";

TEST(MessagesResponseToChatTest, MapsTextToolUseAndCacheUsage) {
  const json::object out = MessagesResponseToChat(Obj(kToolUseMessage), "my-claude", 1700000000);
  EXPECT_EQ(json::value(out), Val(R"({
    "id": "msg_01Aq9w938a90dw8q", "object": "chat.completion", "created": 1700000000, "model": "my-claude",
    "choices": [{"index": 0, "logprobs": null, "finish_reason": "tool_calls", "message": {
      "role": "assistant", "refusal": null,
      "content": "I'll check the current weather in San Francisco for you.",
      "tool_calls": [{"id": "toolu_01A09q90qw90lq917835lq9", "type": "function", "function": {
        "name": "get_weather", "arguments": "{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}"}}]}}],
    "usage": {"prompt_tokens": 160, "completion_tokens": 30, "total_tokens": 190,
              "prompt_tokens_details": {"cached_tokens": 50}}})"));
}

TEST(MessagesResponseToChatTest, WritesNullContentForToolCallsAlone) {
  const json::object out = MessagesResponseToChat(Obj(R"({"id":"msg_1","content":[
    {"type":"tool_use","id":"toolu_1","name":"f","input":{}}],"stop_reason":"tool_use",
    "usage":{"input_tokens":1,"output_tokens":1}})"), "m", 1);
  EXPECT_TRUE(out.at("choices").at(0).at("message").at("content").is_null());
  EXPECT_EQ(out.at("choices").at(0).at("message").at("tool_calls").at(0).at("function").at("arguments"), "{}");
}

TEST(MessagesResponseToChatTest, CarriesThinkingAsReasoningContentAndSignedBlocks) {
  const json::object out = MessagesResponseToChat(Obj(R"({"id":"msg_1","content":[
    {"type":"thinking","thinking":"Let me add. ","signature":"EqQBCg=="},
    {"type":"redacted_thinking","data":"opaque"},
    {"type":"thinking","thinking":"Done.","signature":"Zz=="},
    {"type":"text","text":"27 * 453 = "},{"type":"text","text":"12,231"}],
    "stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":300}})"), "m", 1);
  const json::value& message = out.at("choices").at(0).at("message");
  EXPECT_EQ(message.at("content"), "27 * 453 = 12,231");
  EXPECT_EQ(message.at("reasoning_content"), "Let me add. Done.");
  EXPECT_EQ(message.at("thinking_blocks"), Val(R"([
    {"type":"thinking","thinking":"Let me add. ","signature":"EqQBCg=="},
    {"type":"redacted_thinking","data":"opaque"},
    {"type":"thinking","thinking":"Done.","signature":"Zz=="}])"));
  EXPECT_EQ(out.at("choices").at(0).at("finish_reason"), "stop");
}

TEST(MessagesResponseToChatTest, TurnsTheJsonOutputToolBackIntoContent) {
  const json::object out = MessagesResponseToChat(Obj(R"({"id":"msg_1","content":[
    {"type":"tool_use","id":"toolu_1","name":"strata_json_output","input":{"name":"Ada","born":1815}}],
    "stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":1}})"), "m", 1);
  const json::value& choice = out.at("choices").at(0);
  EXPECT_EQ(Val(choice.at("message").at("content").as_string()), Val(R"({"name":"Ada","born":1815})"));
  EXPECT_FALSE(choice.at("message").as_object().contains("tool_calls"));
  EXPECT_EQ(choice.at("finish_reason"), "stop");
}

TEST(MessagesResponseToChatTest, MapsEveryStopReason) {
  struct Case {
    std::string_view stop_reason;
    std::string_view finish_reason;
  };
  for (const Case& c : {Case{"end_turn", "stop"}, Case{"stop_sequence", "stop"}, Case{"max_tokens", "length"},
                        Case{"tool_use", "tool_calls"}, Case{"refusal", "content_filter"}, Case{"pause_turn", "stop"},
                        Case{"model_context_window_exceeded", "length"}, Case{"something_new", "stop"}}) {
    json::object message = Obj(R"({"id":"m","content":[{"type":"tool_use","id":"t","name":"f","input":{}}]})");
    message["stop_reason"] = c.stop_reason;
    EXPECT_EQ(MessagesResponseToChat(message, "m", 1).at("choices").at(0).at("finish_reason"), json::value(c.finish_reason))
        << c.stop_reason;
  }
}

TEST(MessagesResponseToChatTest, ReportsNowWhenNoTimeIsGiven) {
  const json::object out = MessagesResponseToChat(Obj(R"({"id":"m","content":[]})"), "m");
  EXPECT_GT(out.at("created").to_number<std::int64_t>(), 1700000000);
}

// A real chat.completion with a tool call, cached prompt tokens and reasoning tokens.
constexpr std::string_view kToolCallCompletion = R"({
  "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT", "object": "chat.completion", "created": 1741569952,
  "model": "o4-mini-2025-04-16",
  "choices": [{"index": 0, "message": {"role": "assistant", "content": "Checking.", "refusal": null,
    "annotations": [],
    "tool_calls": [{"id": "call_abc", "type": "function",
                    "function": {"name": "get_weather", "arguments": "{\"location\":\"Paris\"}"}},
                   {"id": "call_def", "type": "function", "function": {"name": "broken", "arguments": "{\"oops"}}]},
    "logprobs": null, "finish_reason": "tool_calls"}],
  "usage": {"prompt_tokens": 160, "completion_tokens": 90, "total_tokens": 250,
    "prompt_tokens_details": {"cached_tokens": 50, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 64, "audio_tokens": 0,
      "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}},
  "service_tier": "default", "system_fingerprint": "fp_1"})";

TEST(ChatResponseToMessagesTest, MapsTextToolCallsAndUsage) {
  EXPECT_EQ(json::value(ChatResponseToMessages(Obj(kToolCallCompletion), "my-gpt")), Val(R"({
    "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT", "type": "message", "role": "assistant", "model": "my-gpt",
    "content": [
      {"type": "text", "text": "Checking."},
      {"type": "tool_use", "id": "call_abc", "name": "get_weather", "input": {"location": "Paris"}},
      {"type": "tool_use", "id": "call_def", "name": "broken", "input": {}}],
    "stop_reason": "tool_use", "stop_sequence": null,
    "usage": {"input_tokens": 110, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 50,
              "output_tokens": 90}})"));
}

TEST(ChatResponseToMessagesTest, MapsReasoningRefusalAndEveryFinishReason) {
  const json::object reasoned = ChatResponseToMessages(Obj(R"({"id":"x","choices":[{"index":0,
    "message":{"role":"assistant","content":"42","reasoning_content":"6*7"},"finish_reason":"stop"}]})"), "m");
  EXPECT_EQ(reasoned.at("content"), Val(R"([{"type":"thinking","thinking":"6*7","signature":""},
                                             {"type":"text","text":"42"}])"));
  EXPECT_EQ(reasoned.at("stop_reason"), "end_turn");

  const json::object refused = ChatResponseToMessages(Obj(R"({"id":"x","choices":[{"index":0,
    "message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}]})"), "m");
  EXPECT_EQ(refused.at("content"), Val(R"([{"type":"text","text":"I can't help with that."}])"));
  EXPECT_EQ(refused.at("stop_reason"), "refusal");

  struct Case {
    std::string_view finish_reason;
    std::string_view stop_reason;
  };
  for (const Case& c : {Case{"stop", "end_turn"}, Case{"length", "max_tokens"}, Case{"tool_calls", "tool_use"},
                        Case{"function_call", "tool_use"}, Case{"content_filter", "refusal"}}) {
    json::object chat = Obj(R"({"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"a"}}]})");
    chat["choices"].as_array()[0].as_object()["finish_reason"] = c.finish_reason;
    EXPECT_EQ(ChatResponseToMessages(chat, "m").at("stop_reason"), json::value(c.stop_reason)) << c.finish_reason;
  }
}

TEST(ChatResponseToMessagesTest, SaysToolUseWhenAServerEndsToolCallsWithStop) {
  const json::object out = ChatResponseToMessages(Obj(R"({"id":"x","choices":[{"index":0,"message":{
    "role":"assistant","content":"","tool_calls":[{"id":"c","type":"function",
    "function":{"name":"f","arguments":"{}"}}]},"finish_reason":"stop"}]})"), "m");
  EXPECT_EQ(out.at("stop_reason"), "tool_use");
  EXPECT_EQ(out.at("content").as_array().size(), 1u);  // no empty text block
}

TEST(ChatResponseToMessagesTest, ToleratesAResponseWithoutChoicesOrUsage) {
  const json::object out = ChatResponseToMessages(Obj(R"({"id":"x"})"), "m");
  EXPECT_EQ(out.at("content"), Val("[]"));
  EXPECT_EQ(out.at("stop_reason"), "end_turn");
  EXPECT_EQ(out.at("usage").at("output_tokens"), 0);
}

TEST(UsageTest, NormalisesAnthropicCacheTokensIntoInput) {
  core::Usage expected;
  expected.input_tokens = 160;
  expected.output_tokens = 30;
  expected.cached_input_tokens = 50;
  expected.cache_write_tokens = 10;
  EXPECT_EQ(UsageFromMessages(Obj(kToolUseMessage).at("usage")), expected);
  EXPECT_EQ(UsageFromMessages(Val(R"({"input_tokens":5,"cache_read_input_tokens":null,"output_tokens":2})")).input_tokens,
            5u);
  EXPECT_EQ(UsageFromMessages(Val("null")), core::Usage{});
}

TEST(UsageTest, ReadsOpenAIDetailsAndDeepSeekCacheHits) {
  core::Usage expected;
  expected.input_tokens = 160;
  expected.output_tokens = 90;
  expected.cached_input_tokens = 50;
  expected.reasoning_tokens = 64;
  EXPECT_EQ(UsageFromChat(Obj(kToolCallCompletion).at("usage")), expected);
  const core::Usage deepseek = UsageFromChat(Val(R"({"prompt_tokens":100,"completion_tokens":5,
    "total_tokens":105,"prompt_cache_hit_tokens":64,"prompt_cache_miss_tokens":36})"));
  EXPECT_EQ(deepseek.cached_input_tokens, 64u);
  EXPECT_EQ(UsageFromChat(Val("[]")), core::Usage{});
}

TEST(UsageTest, UsageSurvivesBothResponseDirections) {
  // Anthropic → chat → Anthropic: the counts a bill is made of come back.
  const json::object chat = MessagesResponseToChat(Obj(kToolUseMessage), "m", 1);
  const core::Usage via_chat = UsageFromChat(chat.at("usage"));
  EXPECT_EQ(via_chat.input_tokens, 160u);
  EXPECT_EQ(via_chat.cached_input_tokens, 50u);
  const json::object back = ChatResponseToMessages(chat, "m");
  const core::Usage round_trip = UsageFromMessages(back.at("usage"));
  EXPECT_EQ(round_trip.input_tokens, 160u);
  EXPECT_EQ(round_trip.output_tokens, 30u);
  EXPECT_EQ(round_trip.cached_input_tokens, 50u);
}

TEST(MessagesErrorBodyTest, UsesAnthropicsEnvelopeAndTypes) {
  EXPECT_EQ(Val(MessagesErrorBody(core::Error::InvalidRequest("bad", "max_tokens"))),
            Val(R"({"type":"error","error":{"type":"invalid_request_error","message":"bad"}})"));
  EXPECT_EQ(Val(MessagesErrorBody(core::Error::UpstreamUnavailable("busy"))).at("error").at("type"), "overloaded_error");
  EXPECT_EQ(Val(MessagesErrorBody(core::Error(core::ErrorCode::kRateLimited, "slow"))).at("error").at("type"),
            "rate_limit_error");
  EXPECT_EQ(Val(MessagesErrorBody(core::Error(core::ErrorCode::kUnauthenticated, "who"))).at("error").at("type"),
            "authentication_error");
  EXPECT_EQ(Val(MessagesErrorBody(core::Error::Internal("bug"))).at("error").at("type"), "api_error");
}

}  // namespace
}  // namespace strata::providers::anthropic
