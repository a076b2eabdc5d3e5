// The mock's Gemini API: plans and renderings (pure), the handler driven
// through a fake Responder, and the routes in a real server over HTTP.
#include "mock_llm/internal/gemini.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "fake_responder.h"
#include "http/sse_decoder.h"
#include "mock_llm/internal/handlers.h"
#include "mock_llm/mock_llm.h"
#include "support/raw_client.h"

namespace strata::mock_llm::gemini {
namespace {

namespace json = boost::json;
namespace beast_http = boost::beast::http;
using namespace std::chrono_literals;

const AnswerIds kIds{"req7", 1'700'000'000};

GeneratePlan Plan(std::string_view body, std::optional<std::string_view> reply = std::nullopt) {
  core::Result<GeneratePlan> plan = PlanGenerate(json::parse(body), "gemini-2.5-flash", reply);
  EXPECT_TRUE(plan) << (plan ? "" : plan.error().message());
  return plan ? *plan : GeneratePlan{};
}

core::Error Refusal(std::string_view body) {
  core::Result<GeneratePlan> plan = PlanGenerate(json::parse(body), "m", std::nullopt);
  EXPECT_FALSE(plan) << body;
  return plan ? core::Error() : plan.error();
}

json::value Render(std::string_view body) { return json::parse(RenderGenerate(Plan(body), kIds)); }

// A conversation as the Gemini SDKs send it: system instruction, two turns, a question.
constexpr std::string_view kHello = R"({
  "systemInstruction": {"parts": [{"text": "Be brief."}]},
  "contents": [
    {"role": "user", "parts": [{"text": "Hi there"}]},
    {"role": "model", "parts": [{"text": "Hello"}]},
    {"role": "user", "parts": [{"text": "How are"}, {"text": "you?"}]}]})";

constexpr std::string_view kTools = R"({
  "contents": [{"role": "user", "parts": [{"text": "weather?"}]}],
  "tools": [{"googleSearch": {}},
            {"functionDeclarations": [
              {"name": "get_weather", "description": "d", "parameters": {"type": "object",
                "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 3}}}},
              {"name": "get_time", "parametersJsonSchema": {"type": "object",
                "properties": {"tz": {"enum": ["UTC", "CET"]}}}}]}]})";

std::string WithToolConfig(std::string_view config, std::string_view base = kTools) {
  std::string body(base);
  body.pop_back();
  return body + R"(,"toolConfig":{"functionCallingConfig":)" + std::string(config) + "}}";
}

constexpr std::string_view kAfterFunctionResponse = R"({
  "contents": [
    {"role": "user", "parts": [{"text": "weather?"}]},
    {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}]},
    {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"output": "sunny"}}}]}],
  "tools": [{"functionDeclarations": [{"name": "get_weather", "parameters": {"type": "object",
    "properties": {"city": {"type": "string"}}}}]}]})";

TEST(GeminiModelCallTest, SplitsTheSegmentAtItsLastColon) {
  const auto call = SplitModelCall("gemini-2.5-flash:streamGenerateContent");
  ASSERT_TRUE(call);
  EXPECT_EQ(call->model, "gemini-2.5-flash");
  EXPECT_EQ(call->method, "streamGenerateContent");
  EXPECT_EQ(SplitModelCall("tunedModels:x:generateContent")->model, "tunedModels:x");
  EXPECT_FALSE(SplitModelCall("gemini-2.5-flash"));
  EXPECT_FALSE(SplitModelCall(":generateContent"));
  EXPECT_FALSE(SplitModelCall("gemini:"));
}

TEST(GeminiGenerateTest, RepliesWithOneCandidateAndUsageMetadata) {
  const json::value response = Render(kHello);
  const json::value& candidate = response.at("candidates").at(0);
  EXPECT_EQ(candidate.at("content").at("role"), "model");
  EXPECT_EQ(candidate.at("content").at("parts"), json::parse(R"([{"text":"Mock reply to: How are\nyou?"}])"));
  EXPECT_EQ(candidate.at("finishReason"), "STOP");
  EXPECT_EQ(candidate.at("index"), 0);
  // "Be brief." + "Hi there" + "Hello" + "How are" + "you?" = 33 bytes → 9 tokens;
  // the reply is 27 bytes → 7.
  EXPECT_EQ(response.at("usageMetadata"), json::parse(R"({"promptTokenCount":9,"candidatesTokenCount":7,
    "totalTokenCount":16,"promptTokensDetails":[{"modality":"TEXT","tokenCount":9}]})"));
  EXPECT_EQ(response.at("modelVersion"), "gemini-2.5-flash");
  EXPECT_EQ(response.at("responseId"), "req7");
}

TEST(GeminiGenerateTest, ContentsWithoutARoleAreTheUsers) {
  EXPECT_EQ(Plan(R"({"contents":[{"parts":[{"text":"bare"}]}]})").reply.text, "Mock reply to: bare");
  EXPECT_EQ(Plan(kHello, "fixed").reply.text, "fixed");
}

TEST(GeminiGenerateTest, MaxOutputTokensCutsTheReplyWithMaxTokens) {
  const json::value response =
      Render(R"({"contents":[{"parts":[{"text":"hey"}]}],"generationConfig":{"maxOutputTokens":2}})");
  EXPECT_EQ(response.at("candidates").at(0).at("content").at("parts").at(0).at("text"), "Mock rep");
  EXPECT_EQ(response.at("candidates").at(0).at("finishReason"), "MAX_TOKENS");
}

TEST(GeminiGenerateTest, CandidateCountGivesIdenticalCandidatesCountedEach) {
  const json::value response =
      Render(R"({"contents":[{"parts":[{"text":"hey"}]}],"generationConfig":{"candidateCount":3}})");
  ASSERT_EQ(response.at("candidates").as_array().size(), 3u);
  EXPECT_EQ(response.at("candidates").at(2).at("index"), 2);
  EXPECT_EQ(response.at("usageMetadata").at("candidatesTokenCount"), 3 * 5);  // "Mock reply to: hey" = 18 bytes
}

TEST(GeminiGenerateTest, FunctionDeclarationsGiveAFunctionCallWithArgsFromTheSchema) {
  const json::value response = Render(kTools);
  const json::value& part = response.at("candidates").at(0).at("content").at("parts").at(0);
  EXPECT_EQ(part, json::parse(R"({"functionCall":{"name":"get_weather","args":{"city":"mock","days":3}}})"));
  EXPECT_EQ(response.at("candidates").at(0).at("finishReason"), "STOP");
  // A call is never cut, and counts its name and arguments.
  EXPECT_EQ(response.at("usageMetadata").at("candidatesTokenCount"), CountTokens(11 + 24));
}

TEST(GeminiGenerateTest, FunctionCallingConfigSelectsForcesOrDisables) {
  EXPECT_FALSE(Plan(WithToolConfig(R"({"mode":"NONE"})")).reply.tool_call);
  EXPECT_EQ(Plan(WithToolConfig(R"({"mode":"ANY","allowedFunctionNames":["get_time"]})")).reply.tool_call->arguments,
            R"({"tz":"UTC"})");
  EXPECT_EQ(Plan(WithToolConfig(R"({"mode":"AUTO"})")).reply.tool_call->name, "get_weather");
  EXPECT_EQ(Refusal(WithToolConfig(R"({"mode":"SOMETIMES"})")).param(), "tool_config.function_calling_config.mode");
  EXPECT_EQ(Refusal(WithToolConfig(R"({"mode":"ANY","allowedFunctionNames":["nope"]})")).param(),
            "tool_config.function_calling_config.allowed_function_names");
}

TEST(GeminiGenerateTest, AnswersInTextAfterAFunctionResponseUnlessForced) {
  const GeneratePlan plan = Plan(kAfterFunctionResponse);
  EXPECT_FALSE(plan.reply.tool_call);
  EXPECT_EQ(plan.reply.text, "Mock reply to: weather?");
  EXPECT_EQ(plan.prompt_tokens, CountTokens(8));  // function traffic does not count
  EXPECT_TRUE(Plan(WithToolConfig(R"({"mode":"ANY"})", kAfterFunctionResponse)).reply.tool_call);
}

TEST(GeminiGenerateTest, ThinkingCountsThoughtsAndSignsFunctionCalls) {
  const json::value hidden = Render(R"({"contents":[{"parts":[{"text":"hey"}]}],
    "generationConfig":{"thinkingConfig":{"thinkingBudget":1024}}})");
  // "Mock thoughts about: hey" = 24 bytes → 6 tokens, not shown.
  EXPECT_EQ(hidden.at("usageMetadata").at("thoughtsTokenCount"), 6);
  EXPECT_EQ(hidden.at("usageMetadata").at("totalTokenCount"), 1 + 5 + 6);
  EXPECT_EQ(hidden.at("candidates").at(0).at("content").at("parts").as_array().size(), 1u);

  const json::value shown = Render(R"({"contents":[{"parts":[{"text":"hey"}]}],
    "generationConfig":{"thinkingConfig":{"includeThoughts":true,"thinkingBudget":2}}})");
  EXPECT_EQ(shown.at("candidates").at(0).at("content").at("parts").at(0),
            json::parse(R"({"text":"Mock tho","thought":true})"));
  EXPECT_EQ(shown.at("usageMetadata").at("thoughtsTokenCount"), 2);

  const json::value off = Render(R"({"contents":[{"parts":[{"text":"hey"}]}],
    "generationConfig":{"thinkingConfig":{"thinkingBudget":0,"includeThoughts":true}}})");
  EXPECT_FALSE(off.at("usageMetadata").as_object().contains("thoughtsTokenCount"));

  std::string tools(kTools);
  tools.pop_back();
  tools += R"(,"generationConfig":{"thinkingConfig":{"thinkingBudget":-1}}})";
  const json::value call = Render(tools);
  const json::value& part = call.at("candidates").at(0).at("content").at("parts").at(0);
  ASSERT_TRUE(part.as_object().contains("thoughtSignature"));
  EXPECT_EQ(part.at("thoughtSignature").as_string().size(), 24u);
  EXPECT_EQ(json::serialize(part.at("thoughtSignature")), json::serialize(Render(tools).at("candidates").at(0)
                                                                            .at("content").at("parts").at(0)
                                                                            .at("thoughtSignature")));
}

TEST(GeminiGenerateTest, AThinkingTurnMustReplayItsFunctionCallSignatures) {
  std::string tools(kTools);
  tools.pop_back();
  tools += R"(,"generationConfig":{"thinkingConfig":{"thinkingBudget":-1}}})";
  const std::string signature(Render(tools).at("candidates").at(0).at("content").at("parts").at(0)
                                  .at("thoughtSignature").as_string());
  const auto replay = [](std::string_view signature_member, std::string_view config) {
    return std::string(R"({"contents":[{"role":"user","parts":[{"text":"weather?"}]},
      {"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{}})") + std::string(signature_member) +
           R"(},{"functionCall":{"name":"get_time","args":{}}}]},
      {"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{}}},
                              {"functionResponse":{"name":"get_time","response":{}}}]}])" + std::string(config) + "}";
  };
  constexpr std::string_view kThinking = R"(,"generationConfig":{"thinkingConfig":{"thinkingBudget":-1}})";
  EXPECT_TRUE(PlanGenerate(json::parse(replay(R"(,"thoughtSignature":")" + signature + "\"", kThinking)), "m",
                           std::nullopt));
  EXPECT_TRUE(PlanGenerate(json::parse(replay(R"(,"thoughtSignature":"skip_thought_signature_validator")", kThinking)),
                           "m", std::nullopt));
  EXPECT_EQ(Refusal(replay("", kThinking)).message().substr(0, 34), "Function call is missing a thought");
  EXPECT_EQ(Refusal(replay(R"(,"thoughtSignature":"tampered")", kThinking)).message(), "Corrupted thought signature.");
  // Without thinking, as with Gemini 2.x models that do not think, nothing is checked.
  EXPECT_TRUE(PlanGenerate(json::parse(replay("", "")), "m", std::nullopt));
}

TEST(GeminiGenerateTest, CachedContentCountsThePromptAsCached) {
  const json::value response = Render(R"({"contents":[{"parts":[{"text":"12345678"}]}],
    "cachedContent":"cachedContents/abc"})");
  EXPECT_EQ(response.at("usageMetadata").at("cachedContentTokenCount"), 2);
  EXPECT_EQ(response.at("usageMetadata").at("promptTokenCount"), 2);
}

TEST(GeminiGenerateTest, JsonModeAnswersWithAnExampleOfTheSchema) {
  const json::value with_schema = Render(R"({"contents":[{"parts":[{"text":"who?"}]}],
    "generationConfig":{"responseMimeType":"application/json","responseSchema":{"type":"object",
      "properties":{"name":{"type":"string"},"born":{"type":"integer","minimum":1815}}}}})");
  EXPECT_EQ(json::parse(with_schema.at("candidates").at(0).at("content").at("parts").at(0).at("text").as_string()),
            json::parse(R"({"name":"mock","born":1815})"));
  const json::value without = Render(R"({"contents":[{"parts":[{"text":"who?"}]}],
    "generationConfig":{"responseMimeType":"application/json"}})");
  EXPECT_EQ(json::parse(without.at("candidates").at(0).at("content").at("parts").at(0).at("text").as_string()),
            json::parse(R"({"reply":"Mock reply to: who?"})"));
}

TEST(GeminiGenerateTest, RefusesWhatTheRealApiRefuses) {
  EXPECT_EQ(Refusal(R"({})").param(), "contents");
  EXPECT_EQ(Refusal(R"({"contents":[]})").param(), "contents");
  EXPECT_EQ(Refusal(R"({"contents":[{"role":"assistant","parts":[{"text":"x"}]}]})").param(), "contents[0].role");
  EXPECT_EQ(Refusal(R"({"contents":[{"role":"user"}]})").param(), "contents[0].parts");
  EXPECT_EQ(Refusal(R"({"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"candidateCount":9}})").param(),
            "candidateCount");
  EXPECT_EQ(Refusal(R"({"contents":[{"parts":[{"text":"x"}]}],"systemInstruction":"be brief"})").param(),
            "system_instruction");
}

TEST(GeminiStreamTest, PiecesConcatenateToTheAnswerAndTheLastCarriesFinishAndUsage) {
  const GeneratePlan plan = Plan(kHello);
  const std::vector<SseEvent> events = RenderGenerateStream(plan, kIds, 3);
  ASSERT_EQ(events.size(), 3u);
  std::string text;
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_TRUE(events[i].name.empty());  // Gemini names no events
    EXPECT_TRUE(events[i].content);
    const json::value data = json::parse(events[i].data);
    const json::value& candidate = data.at("candidates").at(0);
    text += candidate.at("content").at("parts").at(0).at("text").as_string();
    EXPECT_EQ(candidate.as_object().contains("finishReason"), i + 1 == events.size());
    EXPECT_EQ(data.at("usageMetadata").as_object().contains("candidatesTokenCount"), i + 1 == events.size());
    EXPECT_EQ(data.at("usageMetadata").at("promptTokenCount"), 9);
    EXPECT_EQ(data.at("responseId"), "req7");
  }
  EXPECT_EQ(text, plan.reply.text);
  EXPECT_EQ(json::parse(events.back().data).at("usageMetadata"),
            json::parse(RenderGenerate(plan, kIds)).at("usageMetadata"));
}

TEST(GeminiStreamTest, AFunctionCallArrivesWholeInOneEvent) {
  const std::vector<SseEvent> events = RenderGenerateStream(Plan(kTools), kIds, 8);
  ASSERT_EQ(events.size(), 1u);
  const json::value data = json::parse(events[0].data);
  EXPECT_EQ(data.at("candidates").at(0).at("content").at("parts").at(0).at("functionCall").at("args"),
            json::parse(R"({"city":"mock","days":3})"));
  EXPECT_EQ(data.at("candidates").at(0).at("finishReason"), "STOP");
}

TEST(GeminiStreamTest, ThoughtsComeFirstAndAnEmptyReplyStillFinishes) {
  const GeneratePlan plan = Plan(R"({"contents":[{"parts":[{"text":"hey"}]}],
    "generationConfig":{"candidateCount":2,"thinkingConfig":{"includeThoughts":true}}})", "");
  const std::vector<SseEvent> events = RenderGenerateStream(plan, kIds, 4);
  ASSERT_EQ(events.size(), 2u);
  const json::value first = json::parse(events[0].data);
  EXPECT_EQ(first.at("candidates").at(1).at("content").at("parts").at(0).at("thought"), true);
  const json::value last = json::parse(events[1].data);
  EXPECT_EQ(last.at("candidates").at(1).at("content").at("parts").at(0).at("text"), "");
  EXPECT_EQ(last.at("candidates").at(1).at("finishReason"), "STOP");
  EXPECT_EQ(last.at("usageMetadata").at("thoughtsTokenCount"), 2 * 6);
}

TEST(GeminiCountTokensTest, CountsAsGenerateDoesAlsoWhenWrapped) {
  EXPECT_EQ(json::parse(*RenderCountTokens(json::parse(kHello))).at("totalTokens"), 9);
  const std::string wrapped = R"({"generateContentRequest":)" + std::string(kHello) + "}";
  EXPECT_EQ(json::parse(*RenderCountTokens(json::parse(wrapped))).at("totalTokens"), 9);
}

TEST(GeminiErrorTest, UsesGooglesEnvelope) {
  EXPECT_EQ(json::parse(RenderError(core::Error::InvalidRequest("bad", "contents"))),
            json::parse(R"({"error":{"code":400,"message":"bad","status":"INVALID_ARGUMENT"}})"));
  EXPECT_EQ(json::parse(RenderError(core::Error::NotFound("no"))).at("error").at("status"), "NOT_FOUND");
  for (const auto& [status, name] : std::vector<std::pair<int, std::string_view>>{
           {429, "RESOURCE_EXHAUSTED"}, {500, "INTERNAL"}, {503, "UNAVAILABLE"}, {504, "DEADLINE_EXCEEDED"},
           {401, "UNAUTHENTICATED"}, {403, "PERMISSION_DENIED"}, {418, "FAILED_PRECONDITION"}}) {
    const json::value error = json::parse(RenderStatusError(status)).at("error");
    EXPECT_EQ(error.at("code"), status);
    EXPECT_EQ(error.at("status").as_string(), name) << status;
    EXPECT_FALSE(error.at("message").as_string().empty());
  }
}

TEST(GeminiModelsTest, ListsModelsByResourceName) {
  const json::value list = json::parse(RenderModelList({"gemini-2.5-flash", "gemini-2.5-pro"}));
  EXPECT_EQ(list.at("models").at(1).at("name"), "models/gemini-2.5-pro");
  EXPECT_EQ(json::parse(RenderModel("x")).at("displayName"), "x");
}

// --- The handler, through a fake Responder ------------------------------------

class GeminiHandlerTest : public ::testing::Test {
 protected:
  http::Request Post(std::string_view target, std::string_view body,
                     std::initializer_list<std::pair<std::string_view, std::string_view>> headers = {}) {
    http::Request request(beast_http::verb::post, target, 11);
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    return request;
  }

  void Run(std::string_view call, const http::Request& request) {
    responder_.params["call"] = std::string(call);
    testing::RunToCompletion(io_, HandleGeminiModelCall(context_, request, responder_));
  }

  json::value SentJson() {
    EXPECT_TRUE(responder_.sent);
    return responder_.sent ? json::parse(responder_.sent->body()) : json::value();
  }

  asio::io_context io_;
  Context context_{std::make_shared<const MockLlmOptions>()};
  testing::FakeResponder responder_;
};

TEST_F(GeminiHandlerTest, GenerateContentAnswersJsonWithTheModelFromThePath) {
  Run("gemini-2.5-pro:generateContent",
      Post("/v1beta/models/gemini-2.5-pro:generateContent", kHello, {{"x-goog-api-key", "k"}}));
  ASSERT_TRUE(responder_.sent);
  EXPECT_EQ(responder_.sent->result_int(), 200u);
  const json::value answer = SentJson();
  EXPECT_EQ(answer.at("modelVersion"), "gemini-2.5-pro");
  EXPECT_EQ(answer.at("responseId"), "test-request");
}

TEST_F(GeminiHandlerTest, StreamGenerateContentWithAltSseSendsUnnamedEventsWithoutDone) {
  Run("m:streamGenerateContent",
      Post("/v1beta/models/m:streamGenerateContent?key=k&alt=sse", kHello, {{"x-mock-chunks", "2"}}));
  ASSERT_TRUE(responder_.head);
  EXPECT_EQ(responder_.head->at(beast_http::field::content_type), "text/event-stream");
  ASSERT_EQ(responder_.events.size(), 2u);
  for (const auto& event : responder_.events) {
    EXPECT_TRUE(event.name.empty());
    EXPECT_NE(event.data, "[DONE]");
  }
  EXPECT_TRUE(responder_.finished);
}

TEST_F(GeminiHandlerTest, StreamGenerateContentWithoutAltSendsTheJsonArray) {
  Run("m:streamGenerateContent", Post("/v1beta/models/m:streamGenerateContent", kHello, {{"x-mock-chunks", "2"}}));
  const json::value answer = SentJson();
  ASSERT_EQ(answer.as_array().size(), 2u);
  EXPECT_EQ(answer.at(1).at("candidates").at(0).at("finishReason"), "STOP");
}

TEST_F(GeminiHandlerTest, CountTokensAnswersTheTotal) {
  Run("m:countTokens", Post("/v1beta/models/m:countTokens", kHello));
  EXPECT_EQ(SentJson().at("totalTokens"), 9);
}

TEST_F(GeminiHandlerTest, UnknownMethodsAndBadBodiesGetGooglesErrors) {
  Run("m:embedContent", Post("/v1beta/models/m:embedContent", kHello));
  EXPECT_EQ(responder_.sent->result_int(), 404u);
  EXPECT_EQ(SentJson().at("error").at("status"), "NOT_FOUND");

  responder_.sent.reset();
  Run("m:generateContent", Post("/v1beta/models/m:generateContent", "{\"contents\":"));
  EXPECT_EQ(responder_.sent->result_int(), 400u);
  EXPECT_EQ(SentJson().at("error").at("status"), "INVALID_ARGUMENT");
  EXPECT_EQ(SentJson().at("error").at("message").as_string().subview(0, 29), "Invalid JSON payload received");
}

TEST_F(GeminiHandlerTest, FaultsAnswerInGooglesEnvelope) {
  Run("m:generateContent", Post("/v1beta/models/m:generateContent", kHello, {{"x-mock-fault", "status:429"}}));
  ASSERT_TRUE(responder_.sent);
  EXPECT_EQ(responder_.sent->result_int(), 429u);
  EXPECT_EQ(responder_.sent->at(beast_http::field::retry_after), "1");
  EXPECT_EQ(SentJson().at("error").at("status"), "RESOURCE_EXHAUSTED");
}

TEST_F(GeminiHandlerTest, DisconnectCutsTheStreamAfterKEvents) {
  Run("m:streamGenerateContent", Post("/v1beta/models/m:streamGenerateContent?alt=sse", kHello,
                                      {{"x-mock-chunks", "4"}, {"x-mock-fault", "disconnect:2"}}));
  EXPECT_EQ(responder_.events.size(), 2u);
  EXPECT_TRUE(responder_.aborted);
  EXPECT_FALSE(responder_.finished);
}

// --- Over HTTP ------------------------------------------------------------------

TEST(GeminiServerTest, RoutesEveryCallUnderBothVersionsAndTakesTheKeyAsHeaderOrQuery) {
  http::ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.workers = 1;
  options.shutdown_grace = 200ms;
  http::Server server(options, BuildMockLlmRouter(std::make_shared<const MockLlmOptions>()));
  const core::Result<std::uint16_t> port = server.Start();
  ASSERT_TRUE(port) << port.error().message();

  const auto exchange = [&](std::string_view method, std::string_view target, std::string_view body,
                            std::string_view headers = {}) {
    std::string request(method);
    request.append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n").append(headers);
    if (method == "POST") {
      request.append("Content-Type: application/json\r\nContent-Length: ")
          .append(std::to_string(body.size()))
          .append("\r\n");
    }
    request.append("\r\n").append(body);
    strata::testing::RawClient client(*port);
    client.Send(request);
    return client.ReadResponse();
  };

  const auto whole = exchange("POST", "/v1beta/models/gemini-2.5-flash:generateContent", kHello,
                              "x-goog-api-key: secret\r\n");
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->result_int(), 200u);
  const std::string text(
      json::parse(whole->body()).at("candidates").at(0).at("content").at("parts").at(0).at("text").as_string());

  const auto streamed =
      exchange("POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=secret", kHello);
  ASSERT_TRUE(streamed);
  EXPECT_EQ((*streamed)[beast_http::field::content_type], "text/event-stream");
  std::string joined;
  for (const http::SseEvent& event : http::SseDecoder().Feed(streamed->body())) {
    joined += json::parse(event.data).at("candidates").at(0).at("content").at("parts").at(0).at("text").as_string();
  }
  EXPECT_EQ(joined, text);

  // @google/genai calls the stable /v1 by default.
  const auto stable = exchange("POST", "/v1/models/gemini-2.5-flash:generateContent", kHello,
                               "x-goog-api-key: secret\r\n");
  ASSERT_TRUE(stable);
  EXPECT_EQ(stable->result_int(), 200u);
  EXPECT_EQ(json::parse(stable->body()).at("modelVersion"), "gemini-2.5-flash");
  const auto listed = exchange("GET", "/v1/models", {}, "x-goog-api-key: secret\r\n");
  ASSERT_TRUE(listed);
  EXPECT_EQ(json::parse(listed->body()).at("models").at(0).at("name"), "models/gpt-4o-mini");

  const auto models = exchange("GET", "/v1beta/models", {});
  ASSERT_TRUE(models);
  EXPECT_EQ(json::parse(models->body()).at("models").at(0).at("name"), "models/gpt-4o-mini");
  const auto model = exchange("GET", "/v1beta/models/gemini-2.5-flash", {});
  ASSERT_TRUE(model);
  EXPECT_EQ(json::parse(model->body()).at("name"), "models/gemini-2.5-flash");
  server.Stop();
  server.Wait();
}

}  // namespace
}  // namespace strata::mock_llm::gemini
