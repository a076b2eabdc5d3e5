#include "mock_llm/internal/openai.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace strata::mock_llm::openai {
namespace {

namespace json = boost::json;

const AnswerIds kIds{"req1", 1'700'000'123};

ChatPlan Plan(std::string_view body, std::optional<std::string_view> reply = std::nullopt) {
  core::Result<ChatPlan> plan = PlanChat(json::parse(body), reply);
  EXPECT_TRUE(plan) << (plan ? "" : plan.error().message());
  return plan ? *plan : ChatPlan{};
}

core::Error PlanError(std::string_view body) {
  core::Result<ChatPlan> plan = PlanChat(json::parse(body), std::nullopt);
  EXPECT_FALSE(plan);
  return plan ? core::Error() : plan.error();
}

std::vector<json::value> Chunks(const std::vector<SseEvent>& events) {
  std::vector<json::value> chunks;
  for (const SseEvent& event : events) {
    EXPECT_TRUE(event.name.empty());
    if (event.data != "[DONE]") chunks.push_back(json::parse(event.data));
  }
  return chunks;
}

constexpr std::string_view kHello = R"({"model":"gpt-4o-mini","messages":[
  {"role":"system","content":"Be brief."},
  {"role":"user","content":"first question"},
  {"role":"assistant","content":"an answer"},
  {"role":"user","content":[{"type":"text","text":"Hello"},{"type":"text","text":"there"}]}]})";

TEST(OpenAiChatTest, RepliesToTheLastUserTextWithCountedUsage) {
  const ChatPlan plan = Plan(kHello);
  const json::value answer = json::parse(RenderChat(plan, kIds));

  EXPECT_EQ(answer.at("id"), "chatcmpl-req1");
  EXPECT_EQ(answer.at("object"), "chat.completion");
  EXPECT_EQ(answer.at("created"), 1'700'000'123);
  EXPECT_EQ(answer.at("model"), "gpt-4o-mini");
  const json::array& choices = answer.at("choices").as_array();
  ASSERT_EQ(choices.size(), 1u);
  EXPECT_EQ(choices[0].at("message").at("role"), "assistant");
  EXPECT_EQ(choices[0].at("message").at("content"), "Mock reply to: Hello\nthere");
  EXPECT_EQ(choices[0].at("finish_reason"), "stop");

  // "Be brief." + "first question" + "an answer" + "Hello" + "there" = 42 bytes → 11 tokens.
  const json::value& usage = answer.at("usage");
  EXPECT_EQ(usage.at("prompt_tokens"), 11);
  EXPECT_EQ(usage.at("completion_tokens"), 7);  // 26 bytes
  EXPECT_EQ(usage.at("total_tokens"), 18);
}

TEST(OpenAiChatTest, SameRequestSameAnswer) {
  EXPECT_EQ(RenderChat(Plan(kHello), kIds), RenderChat(Plan(kHello), kIds));
}

TEST(OpenAiChatTest, EscapesUserTextIntoValidJson) {
  const ChatPlan plan =
      Plan(R"({"model":"m","messages":[{"role":"user","content":"quote \" backslash \\ nl \n tab \t \u0001 é"}]})");
  const json::value answer = json::parse(RenderChat(plan, kIds));
  EXPECT_EQ(answer.at("choices").at(0).at("message").at("content"),
            "Mock reply to: quote \" backslash \\ nl \n tab \t \x01 \xC3\xA9");
}

TEST(OpenAiChatTest, NChoicesAreIdenticalAndCountedEach) {
  const ChatPlan plan = Plan(R"({"model":"m","n":3,"messages":[{"role":"user","content":"hey"}]})");
  const json::value answer = json::parse(RenderChat(plan, kIds));
  const json::array& choices = answer.at("choices").as_array();
  ASSERT_EQ(choices.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(choices[i].at("index"), i);
    EXPECT_EQ(choices[i].at("message").at("content"), "Mock reply to: hey");
  }
  EXPECT_EQ(answer.at("usage").at("completion_tokens"), 3 * 5);
}

TEST(OpenAiChatTest, MaxCompletionTokensTruncatesWithFinishLength) {
  const ChatPlan plan =
      Plan(R"({"model":"m","max_completion_tokens":2,"max_tokens":50,"messages":[{"role":"user","content":"hey"}]})");
  const json::value answer = json::parse(RenderChat(plan, kIds));
  EXPECT_EQ(answer.at("choices").at(0).at("message").at("content"), "Mock rep");
  EXPECT_EQ(answer.at("choices").at(0).at("finish_reason"), "length");
  EXPECT_EQ(answer.at("usage").at("completion_tokens"), 2);

  const ChatPlan legacy = Plan(R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":"hey"}]})");
  EXPECT_EQ(legacy.reply.text, "Mock");
}

TEST(OpenAiChatTest, ReplyOverrideIsUsedVerbatim) {
  EXPECT_EQ(Plan(kHello, "canned answer").reply.text, "canned answer");
}

constexpr std::string_view kTools = R"({"model":"m","messages":[{"role":"user","content":"weather?"}],
  "tools":[
    {"type":"function","function":{"name":"get_weather","parameters":{"type":"object",
      "properties":{"city":{"type":"string"},"unit":{"enum":["c","f"]}}}}},
    {"type":"function","function":{"name":"get_time","parameters":{"type":"object",
      "properties":{"zone":{"type":"string","default":"UTC"}}}}}]})";

std::string WithToolChoice(std::string_view choice) {
  std::string body(kTools);
  body.pop_back();
  return body + R"(,"tool_choice":)" + std::string(choice) + "}";
}

TEST(OpenAiChatTest, ToolsGiveACallToTheFirstTool) {
  const json::value answer = json::parse(RenderChat(Plan(kTools), kIds));
  const json::value& choice = answer.at("choices").at(0);
  EXPECT_EQ(choice.at("finish_reason"), "tool_calls");
  EXPECT_TRUE(choice.at("message").at("content").is_null());
  const json::value& call = choice.at("message").at("tool_calls").at(0);
  EXPECT_EQ(call.at("type"), "function");
  EXPECT_EQ(call.at("function").at("name"), "get_weather");
  EXPECT_EQ(call.at("function").at("arguments"), R"({"city":"mock","unit":"c"})");
  EXPECT_EQ(call.at("id").as_string().subview(0, 5), "call_");
}

TEST(OpenAiChatTest, ToolChoiceSelectsForcesOrDisablesTheCall) {
  const ChatPlan named = Plan(WithToolChoice(R"({"type":"function","function":{"name":"get_time"}})"));
  ASSERT_TRUE(named.reply.tool_call);
  EXPECT_EQ(named.reply.tool_call->name, "get_time");
  EXPECT_EQ(named.reply.tool_call->arguments, R"({"zone":"UTC"})");

  EXPECT_FALSE(Plan(WithToolChoice(R"("none")")).reply.tool_call);
  EXPECT_TRUE(Plan(WithToolChoice(R"("required")")).reply.tool_call);

  const core::Error unknown = PlanError(WithToolChoice(R"({"type":"function","function":{"name":"nope"}})"));
  EXPECT_EQ(unknown.param(), "tool_choice");
}

TEST(OpenAiChatTest, AnswersInTextOnceTheToolResultIsIn) {
  const std::string body = R"({"model":"m","messages":[{"role":"user","content":"weather?"},
    {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
      "function":{"name":"get_weather","arguments":"{}"}}]},
    {"role":"tool","tool_call_id":"call_1","content":"sunny"}],
    "tools":[{"type":"function","function":{"name":"get_weather","parameters":{}}}]})";
  const ChatPlan plan = Plan(body);
  EXPECT_FALSE(plan.reply.tool_call);
  EXPECT_EQ(plan.reply.text, "Mock reply to: weather?");
}

TEST(OpenAiChatTest, StreamSendsRolePiecesFinishAndDone) {
  ChatPlan plan = Plan(kHello);
  const std::vector<SseEvent> events = RenderChatStream(plan, kIds, 4);
  ASSERT_EQ(events.size(), 1u + 4u + 1u + 1u);
  EXPECT_EQ(events.back().data, "[DONE]");

  const std::vector<json::value> chunks = Chunks(events);
  EXPECT_EQ(chunks.front().at("choices").at(0).at("delta").at("role"), "assistant");
  std::string text;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i].at("id"), "chatcmpl-req1");
    EXPECT_EQ(chunks[i].at("object"), "chat.completion.chunk");
    EXPECT_EQ(chunks[i].at("model"), "gpt-4o-mini");
    EXPECT_FALSE(chunks[i].as_object().contains("usage"));
    const json::value& choice = chunks[i].at("choices").at(0);
    if (const json::value* content = choice.at("delta").as_object().if_contains("content")) {
      text += content->as_string();
    }
    EXPECT_EQ(choice.at("finish_reason").is_null(), i + 1 < chunks.size());
    EXPECT_EQ(events[i].content, i >= 1 && i <= 4);
  }
  EXPECT_EQ(chunks.back().at("choices").at(0).at("finish_reason"), "stop");
  // The streamed text is exactly the non-streamed one.
  EXPECT_EQ(text, json::parse(RenderChat(plan, kIds)).at("choices").at(0).at("message").at("content").as_string());
}

TEST(OpenAiChatTest, StreamWithIncludeUsageEndsWithAUsageChunk) {
  const ChatPlan plan = Plan(
      R"({"model":"m","n":2,"stream":true,"stream_options":{"include_usage":true},
          "messages":[{"role":"user","content":"hey"}]})");
  const std::vector<json::value> chunks = Chunks(RenderChatStream(plan, kIds, 2));
  // 2 role chunks, 2 pieces x 2 choices, 2 finish chunks, 1 usage chunk.
  ASSERT_EQ(chunks.size(), 2u + 4u + 2u + 1u);
  for (std::size_t i = 0; i + 1 < chunks.size(); ++i) EXPECT_TRUE(chunks[i].at("usage").is_null());
  const json::value& last = chunks.back();
  EXPECT_TRUE(last.at("choices").as_array().empty());
  EXPECT_EQ(last.at("usage").at("prompt_tokens"), 1);
  EXPECT_EQ(last.at("usage").at("completion_tokens"), 2 * 5);
  EXPECT_EQ(last.at("usage").at("total_tokens"), 11);

  std::string texts[2];
  for (const json::value& chunk : chunks) {
    for (const json::value& choice : chunk.at("choices").as_array()) {
      if (const json::value* content = choice.at("delta").as_object().if_contains("content")) {
        texts[choice.at("index").to_number<int>()] += content->as_string();
      }
    }
  }
  EXPECT_EQ(texts[0], "Mock reply to: hey");
  EXPECT_EQ(texts[1], "Mock reply to: hey");
}

TEST(OpenAiChatTest, StreamedToolCallArgumentsConcatenateToTheArguments) {
  ChatPlan plan = Plan(kTools);
  const std::vector<json::value> chunks = Chunks(RenderChatStream(plan, kIds, 5));
  const json::value& first_call = chunks.front().at("choices").at(0).at("delta").at("tool_calls").at(0);
  EXPECT_EQ(first_call.at("id").as_string(), plan.reply.tool_call->id);
  EXPECT_EQ(first_call.at("function").at("name"), "get_weather");
  std::string arguments;
  for (std::size_t i = 1; i + 1 < chunks.size(); ++i) {
    const json::value& call = chunks[i].at("choices").at(0).at("delta").at("tool_calls").at(0);
    EXPECT_EQ(call.at("index"), 0);
    arguments += call.at("function").at("arguments").as_string();
  }
  EXPECT_EQ(arguments, R"({"city":"mock","unit":"c"})");
  EXPECT_EQ(chunks.back().at("choices").at(0).at("finish_reason"), "tool_calls");
}

TEST(OpenAiChatTest, RejectsBadRequestsWithParam) {
  EXPECT_EQ(PlanError(R"([1,2])").param(), "");
  EXPECT_EQ(PlanError(R"({"messages":[{"role":"user","content":"x"}]})").param(), "model");
  EXPECT_EQ(PlanError(R"({"model":"m"})").param(), "messages");
  EXPECT_EQ(PlanError(R"({"model":"m","messages":[]})").param(), "messages");
  EXPECT_EQ(PlanError(R"({"model":"m","messages":[{"content":"x"}]})").param(), "messages[0]");
  EXPECT_EQ(PlanError(R"({"model":"m","n":0,"messages":[{"role":"user","content":"x"}]})").param(), "n");
  EXPECT_EQ(PlanError(R"({"model":"m","stream":"yes","messages":[{"role":"user","content":"x"}]})").param(),
            "stream");
  EXPECT_EQ(PlanError(R"({"model":"m","max_tokens":0,"messages":[{"role":"user","content":"x"}]})").param(),
            "max_tokens");
}

TEST(OpenAiErrorTest, UsesTheOpenAiEnvelope) {
  const json::value error =
      json::parse(RenderError(core::Error::InvalidRequest("model: field required", "model")));
  EXPECT_EQ(error.at("error").at("message"), "model: field required");
  EXPECT_EQ(error.at("error").at("type"), "invalid_request_error");
  EXPECT_EQ(error.at("error").at("param"), "model");
  EXPECT_TRUE(error.at("error").at("code").is_null());
  EXPECT_TRUE(json::parse(RenderError(core::Error::InvalidRequest("x"))).at("error").at("param").is_null());

  const json::value limited = json::parse(RenderStatusError(429));
  EXPECT_EQ(limited.at("error").at("code"), "rate_limit_exceeded");
  for (const int status : {400, 401, 403, 404, 418, 500, 502, 503, 504, 599}) {
    const json::value body = json::parse(RenderStatusError(status));
    EXPECT_TRUE(body.at("error").at("message").is_string()) << status;
    EXPECT_TRUE(body.at("error").at("type").is_string()) << status;
  }
}

TEST(OpenAiCompletionTest, AnswersEachPromptNTimes) {
  core::Result<CompletionPlan> plan =
      PlanCompletion(json::parse(R"({"model":"m","prompt":["one","two"],"n":2,"max_tokens":4})"), std::nullopt);
  ASSERT_TRUE(plan);
  const json::value answer = json::parse(RenderCompletion(*plan, kIds));
  EXPECT_EQ(answer.at("id"), "cmpl-req1");
  EXPECT_EQ(answer.at("object"), "text_completion");
  const json::array& choices = answer.at("choices").as_array();
  ASSERT_EQ(choices.size(), 4u);
  EXPECT_EQ(choices[0].at("text"), "Mock reply to: o");
  EXPECT_EQ(choices[0].at("finish_reason"), "length");
  EXPECT_EQ(choices[3].at("index"), 3);
  EXPECT_EQ(answer.at("usage").at("prompt_tokens"), 2);
  EXPECT_EQ(answer.at("usage").at("completion_tokens"), 16);
}

TEST(OpenAiCompletionTest, StreamConcatenatesToTheSameText) {
  core::Result<CompletionPlan> plan = PlanCompletion(
      json::parse(R"({"model":"m","prompt":"say hi","stream":true,"stream_options":{"include_usage":true}})"),
      std::nullopt);
  ASSERT_TRUE(plan);
  const std::vector<SseEvent> events = RenderCompletionStream(*plan, kIds, 3);
  EXPECT_EQ(events.back().data, "[DONE]");
  std::string text;
  const std::vector<json::value> chunks = Chunks(events);
  for (const json::value& chunk : chunks) {
    EXPECT_EQ(chunk.at("object"), "text_completion");
    for (const json::value& choice : chunk.at("choices").as_array()) text += choice.at("text").as_string();
  }
  EXPECT_EQ(text, "Mock reply to: say hi");
  EXPECT_EQ(chunks[chunks.size() - 2].at("choices").at(0).at("finish_reason"), "stop");
  EXPECT_EQ(chunks.back().at("usage").at("completion_tokens"), 6);
}

TEST(OpenAiCompletionTest, TokenPromptsAreEchoedAsACount) {
  core::Result<CompletionPlan> plan = PlanCompletion(json::parse(R"({"model":"m","prompt":[1,2,3]})"), std::nullopt);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->replies.at(0).text, "Mock reply to: [3 tokens]");
  EXPECT_EQ(plan->prompt_tokens, 3u);
  EXPECT_FALSE(PlanCompletion(json::parse(R"({"model":"m"})"), std::nullopt));
}

TEST(OpenAiModelsTest, ListsTheConfiguredModels) {
  const json::value list = json::parse(RenderModelList({"a", "b"}));
  EXPECT_EQ(list.at("object"), "list");
  ASSERT_EQ(list.at("data").as_array().size(), 2u);
  EXPECT_EQ(list.at("data").at(1).at("id"), "b");
  EXPECT_EQ(list.at("data").at(1).at("object"), "model");
  EXPECT_EQ(json::parse(RenderModel("x/y")).at("id"), "x/y");
}

}  // namespace
}  // namespace strata::mock_llm::openai
