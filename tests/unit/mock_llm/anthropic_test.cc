#include "mock_llm/internal/anthropic.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace strata::mock_llm::anthropic {
namespace {

namespace json = boost::json;

const AnswerIds kIds{"req9", 1'700'000'000};

MessagePlan Plan(std::string_view body) {
  core::Result<MessagePlan> plan = PlanMessage(json::parse(body), std::nullopt);
  EXPECT_TRUE(plan) << (plan ? "" : plan.error().message());
  return plan ? *plan : MessagePlan{};
}

constexpr std::string_view kHello = R"({"model":"claude-sonnet-4-5","max_tokens":1024,
  "system":[{"type":"text","text":"Be brief."}],
  "messages":[{"role":"user","content":"Hi there"},{"role":"assistant","content":"Hello"},
              {"role":"user","content":[{"type":"text","text":"How are you?"}]}]})";

constexpr std::string_view kTools = R"({"model":"m","max_tokens":100,
  "messages":[{"role":"user","content":"weather?"}],
  "tools":[{"type":"web_search_20250305","name":"web_search"},
           {"name":"get_weather","description":"d","input_schema":{"type":"object",
             "properties":{"city":{"type":"string"},"days":{"type":"integer"}}}},
           {"name":"get_time","input_schema":{"type":"object","properties":{}}}]})";

std::string WithToolChoice(std::string_view choice) {
  std::string body(kTools);
  body.pop_back();
  return body + R"(,"tool_choice":)" + std::string(choice) + "}";
}

TEST(AnthropicMessageTest, RepliesWithATextBlockAndUsage) {
  const json::value message = json::parse(RenderMessage(Plan(kHello), kIds));
  EXPECT_EQ(message.at("id"), "msg_req9");
  EXPECT_EQ(message.at("type"), "message");
  EXPECT_EQ(message.at("role"), "assistant");
  EXPECT_EQ(message.at("model"), "claude-sonnet-4-5");
  ASSERT_EQ(message.at("content").as_array().size(), 1u);
  EXPECT_EQ(message.at("content").at(0).at("type"), "text");
  EXPECT_EQ(message.at("content").at(0).at("text"), "Mock reply to: How are you?");
  EXPECT_EQ(message.at("stop_reason"), "end_turn");
  EXPECT_TRUE(message.at("stop_sequence").is_null());
  // "Be brief." + "Hi there" + "Hello" + "How are you?" = 34 bytes → 9 tokens.
  EXPECT_EQ(message.at("usage").at("input_tokens"), 9);
  EXPECT_EQ(message.at("usage").at("output_tokens"), 7);  // 27 bytes
}

TEST(AnthropicMessageTest, SystemAsStringCountsTheSame) {
  std::string body(kHello);
  const std::string_view blocks = R"([{"type":"text","text":"Be brief."}])";
  body.replace(body.find(blocks), blocks.size(), R"("Be brief.")");
  EXPECT_EQ(Plan(body).input_tokens, 9u);
}

TEST(AnthropicMessageTest, MaxTokensTruncatesWithStopReasonMaxTokens) {
  const MessagePlan plan = Plan(R"({"model":"m","max_tokens":2,"messages":[{"role":"user","content":"hey"}]})");
  const json::value message = json::parse(RenderMessage(plan, kIds));
  EXPECT_EQ(message.at("content").at(0).at("text"), "Mock rep");
  EXPECT_EQ(message.at("stop_reason"), "max_tokens");
}

TEST(AnthropicMessageTest, ToolsGiveAToolUseBlockForTheFirstClientTool) {
  const json::value message = json::parse(RenderMessage(Plan(kTools), kIds));
  const json::value& block = message.at("content").at(0);
  EXPECT_EQ(block.at("type"), "tool_use");
  EXPECT_EQ(block.at("name"), "get_weather");
  EXPECT_EQ(block.at("id").as_string().subview(0, 6), "toolu_");
  EXPECT_EQ(block.at("input"), json::parse(R"({"city":"mock","days":1})"));
  EXPECT_EQ(message.at("stop_reason"), "tool_use");
}

TEST(AnthropicMessageTest, ToolChoiceSelectsForcesOrDisables) {
  EXPECT_EQ(Plan(WithToolChoice(R"({"type":"tool","name":"get_time"})")).reply.tool_call->name, "get_time");
  EXPECT_FALSE(Plan(WithToolChoice(R"({"type":"none"})")).reply.tool_call);
  EXPECT_TRUE(Plan(WithToolChoice(R"({"type":"any"})")).reply.tool_call);
  EXPECT_FALSE(PlanMessage(json::parse(WithToolChoice(R"({"type":"tool","name":"nope"})")), std::nullopt));
  EXPECT_FALSE(PlanMessage(json::parse(WithToolChoice(R"({"type":"sometimes"})")), std::nullopt));
}

TEST(AnthropicMessageTest, AnswersInTextAfterAToolResult) {
  const MessagePlan plan = Plan(R"({"model":"m","max_tokens":100,
    "messages":[{"role":"user","content":"weather?"},
                {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}]},
                {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"sunny"}]}],
    "tools":[{"name":"get_weather","input_schema":{"type":"object"}}]})");
  EXPECT_FALSE(plan.reply.tool_call);
  EXPECT_EQ(plan.reply.text, "Mock reply to: weather?");
  EXPECT_EQ(plan.input_tokens, CountTokens(8 + 5));
}

std::vector<std::string_view> Names(const std::vector<SseEvent>& events) {
  std::vector<std::string_view> names;
  for (const SseEvent& event : events) names.push_back(event.name);
  return names;
}

TEST(AnthropicStreamTest, SendsEveryEventTypeInOrder) {
  const MessagePlan plan = Plan(kHello);
  const std::vector<SseEvent> events = RenderMessageStream(plan, kIds, 3);
  EXPECT_EQ(Names(events), (std::vector<std::string_view>{"message_start", "content_block_start", "ping",
                                                          "content_block_delta", "content_block_delta",
                                                          "content_block_delta", "content_block_stop",
                                                          "message_delta", "message_stop"}));
  std::string text;
  for (const SseEvent& event : events) {
    const json::value data = json::parse(event.data);
    EXPECT_EQ(data.at("type").as_string(), event.name);  // the SDK reads the type from the data
    EXPECT_EQ(event.content, event.name == "content_block_delta");
    if (event.name == "content_block_delta") {
      EXPECT_EQ(data.at("index"), 0);
      EXPECT_EQ(data.at("delta").at("type"), "text_delta");
      text += data.at("delta").at("text").as_string();
    }
  }
  const json::value start = json::parse(events[0].data);
  EXPECT_EQ(start.at("message").at("id"), "msg_req9");
  EXPECT_EQ(start.at("message").at("usage").at("input_tokens"), 9);
  EXPECT_TRUE(start.at("message").at("content").as_array().empty());
  EXPECT_EQ(json::parse(events[1].data).at("content_block").at("type"), "text");
  const json::value delta = json::parse(events[7].data);
  EXPECT_EQ(delta.at("delta").at("stop_reason"), "end_turn");
  EXPECT_EQ(delta.at("usage").at("output_tokens"), 7);
  // The streamed text is exactly the non-streamed one.
  EXPECT_EQ(text, json::parse(RenderMessage(plan, kIds)).at("content").at(0).at("text").as_string());
}

TEST(AnthropicStreamTest, ToolUseStreamsInputJsonDeltas) {
  const MessagePlan plan = Plan(kTools);
  const std::vector<SseEvent> events = RenderMessageStream(plan, kIds, 4);
  const json::value start = json::parse(events[1].data);
  EXPECT_EQ(start.at("content_block").at("type"), "tool_use");
  EXPECT_EQ(start.at("content_block").at("name"), "get_weather");
  EXPECT_EQ(start.at("content_block").at("id").as_string(), plan.reply.tool_call->id);
  EXPECT_TRUE(start.at("content_block").at("input").as_object().empty());
  std::string partial;
  for (const SseEvent& event : events) {
    if (event.name != "content_block_delta") continue;
    const json::value data = json::parse(event.data);
    EXPECT_EQ(data.at("delta").at("type"), "input_json_delta");
    partial += data.at("delta").at("partial_json").as_string();
  }
  EXPECT_EQ(json::parse(partial), json::parse(R"({"city":"mock","days":1})"));
  EXPECT_EQ(json::parse(events[events.size() - 2].data).at("delta").at("stop_reason"), "tool_use");
}

TEST(AnthropicCountTokensTest, CountsAsTheMessageDoes) {
  core::Result<std::string> count = RenderCountTokens(json::parse(kHello));
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, R"({"input_tokens":9})");
  EXPECT_FALSE(RenderCountTokens(json::parse(R"({"model":"m"})")));
}

TEST(AnthropicErrorTest, RejectsBadRequestsInTheAnthropicEnvelope) {
  for (const std::string_view body :
       {R"({"max_tokens":5,"messages":[{"role":"user","content":"x"}]})",
        R"({"model":"m","messages":[{"role":"user","content":"x"}]})", R"({"model":"m","max_tokens":5})",
        R"({"model":"m","max_tokens":5,"messages":[{"role":"user"}]})",
        R"({"model":"m","max_tokens":5,"system":5,"messages":[{"role":"user","content":"x"}]})"}) {
    core::Result<MessagePlan> plan = PlanMessage(json::parse(body), std::nullopt);
    ASSERT_FALSE(plan) << body;
    const json::value error = json::parse(RenderError(plan.error()));
    EXPECT_EQ(error.at("type"), "error");
    EXPECT_EQ(error.at("error").at("type"), "invalid_request_error");
    EXPECT_EQ(error.at("error").at("message").as_string(), plan.error().message());
  }
  EXPECT_EQ(json::parse(RenderStatusError(529)).at("error").at("type"), "overloaded_error");
  EXPECT_EQ(json::parse(RenderStatusError(429)).at("error").at("type"), "rate_limit_error");
  EXPECT_EQ(json::parse(RenderStatusError(500)).at("error").at("type"), "api_error");
}

TEST(AnthropicModelsTest, ListsModelsInAnthropicShape) {
  const json::value list = json::parse(RenderModelList({"a", "b"}));
  EXPECT_EQ(list.at("data").at(0).at("type"), "model");
  EXPECT_EQ(list.at("first_id"), "a");
  EXPECT_EQ(list.at("last_id"), "b");
  EXPECT_EQ(list.at("has_more"), false);
}

}  // namespace
}  // namespace strata::mock_llm::anthropic
