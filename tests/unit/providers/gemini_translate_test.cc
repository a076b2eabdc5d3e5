// OpenAI chat ⇄ Gemini: requests and schemas one way, responses, usage,
// errors and streams the other. Streams are transcripts written as Gemini
// sends them (CRLF-delimited SSE, a whole GenerateContentResponse per event),
// decoded with http::SseDecoder and cut at every byte (STYLE.md example 10):
// what the client sees must not depend on the cuts.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "http/sse_decoder.h"
#include "providers/gemini/translate.h"

namespace strata::providers::gemini {
namespace {

namespace json = boost::json;

json::object Obj(std::string_view text) { return json::parse(text).as_object(); }
json::value Val(std::string_view text) { return json::parse(text); }

json::object ToGemini(std::string_view chat) {
  auto out = ChatRequestToGemini(Obj(chat));
  EXPECT_TRUE(out) << chat << " → " << (out ? "" : out.error().message());
  return out ? *out : json::object();
}

// The param of the InvalidRequest error `chat` is refused with.
std::string Refusal(std::string_view chat) {
  auto out = ChatRequestToGemini(Obj(chat));
  if (out) return "accepted: " + json::serialize(*out);
  EXPECT_EQ(out.error().code(), core::ErrorCode::kInvalidRequest);
  EXPECT_EQ(out.error().message().rfind(out.error().param() + ": ", 0), 0u) << out.error().message();
  return out.error().param();
}

// --- Requests -------------------------------------------------------------------

TEST(ChatRequestToGeminiTest, MapsAConversationAndItsGenerationSettings) {
  const json::object out = ToGemini(R"({
    "model": "gemini-2.5-flash", "messages": [
      {"role": "system", "content": "Be brief."},
      {"role": "user", "content": "Hi"},
      {"role": "assistant", "content": "Hello!"},
      {"role": "user", "content": [{"type": "text", "text": "Name a colour."}]}],
    "temperature": 0.5, "top_p": 0.9, "top_k": 40, "max_tokens": 100, "stop": "END", "n": 2, "seed": 7,
    "presence_penalty": 0.1, "frequency_penalty": 0.2, "stream": true, "stream_options": {"include_usage": true},
    "user": "u-42", "metadata": {"k": "v"}, "store": false, "service_tier": "auto", "parallel_tool_calls": true})");
  EXPECT_EQ(json::value(out), Val(R"({
    "contents": [
      {"role": "user", "parts": [{"text": "Hi"}]},
      {"role": "model", "parts": [{"text": "Hello!"}]},
      {"role": "user", "parts": [{"text": "Name a colour."}]}],
    "systemInstruction": {"parts": [{"text": "Be brief."}]},
    "generationConfig": {"temperature": 0.5, "topP": 0.9, "presencePenalty": 0.1, "frequencyPenalty": 0.2,
      "topK": 40, "maxOutputTokens": 100, "stopSequences": ["END"], "candidateCount": 2, "seed": 7}})"));
}

TEST(ChatRequestToGeminiTest, MaxCompletionTokensWinsAndNOfOneIsLeftOut) {
  const json::object out = ToGemini(R"({"messages":[{"role":"user","content":"x"}],"max_tokens":100,
                                        "max_completion_tokens":200,"n":1,"stop":["a","b"]})");
  EXPECT_EQ(out.at("generationConfig"), Val(R"({"maxOutputTokens":200,"stopSequences":["a","b"]})"));
  EXPECT_FALSE(ToGemini(R"({"messages":[{"role":"user","content":"x"}]})").contains("generationConfig"));
}

TEST(ChatRequestToGeminiTest, HoistsEverySystemMessageAndMergesSameRoleTurns) {
  const json::object out = ToGemini(R"({"messages": [
    {"role": "system", "content": "A."},
    {"role": "user", "content": "one"},
    {"role": "developer", "content": [{"type": "text", "text": "B."}]},
    {"role": "user", "content": "two"},
    {"role": "assistant", "content": ""},
    {"role": "user", "content": [{"type": "text", "text": ""}]},
    {"role": "assistant", "content": [{"type": "text", "text": "x"}, {"type": "refusal", "refusal": "y"}]}]})");
  EXPECT_EQ(out.at("systemInstruction"), Val(R"({"parts":[{"text":"A."},{"text":"B."}]})"));
  EXPECT_EQ(out.at("contents"), Val(R"([
    {"role":"user","parts":[{"text":"one"},{"text":"two"}]},
    {"role":"model","parts":[{"text":"x"},{"text":"y"}]}])"));
}

TEST(ChatRequestToGeminiTest, SendsImagesFilesAndAudioAsInlineDataOrFileData) {
  const json::object out = ToGemini(R"({"messages": [{"role": "user", "content": [
    {"type": "text", "text": "What is this?"},
    {"type": "image_url", "image_url": {"url": "data:image/jpg;base64,/9j/4AAQ", "detail": "high"}},
    {"type": "image_url", "image_url": {"url": "https://example.com/cat.PNG?size=large"}},
    {"type": "image_url", "image_url": "https://example.com/render"},
    {"type": "file", "file": {"filename": "a.pdf", "file_data": "data:application/pdf;base64,JVBERi0x"}},
    {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}}]}]})");
  EXPECT_EQ(out.at("contents").at(0).at("parts"), Val(R"([
    {"text": "What is this?"},
    {"inlineData": {"mimeType": "image/jpeg", "data": "/9j/4AAQ"}},
    {"fileData": {"mimeType": "image/png", "fileUri": "https://example.com/cat.PNG?size=large"}},
    {"fileData": {"fileUri": "https://example.com/render"}},
    {"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0x"}},
    {"inlineData": {"mimeType": "audio/wav", "data": "UklGRg=="}}])"));
}

TEST(ChatRequestToGeminiTest, ToolCallsBecomeFunctionCallsAndToolMessagesFunctionResponses) {
  const json::object out = ToGemini(R"({"messages": [
    {"role": "user", "content": "Weather in Paris and the time?"},
    {"role": "assistant", "content": null, "tool_calls": [
      {"id": "call_0", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"},
       "extra_content": {"google": {"thought_signature": "c2lnbmF0dXJl"}}},
      {"id": "call_1", "type": "function", "function": {"name": "get_time", "arguments": ""}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": "12:00"},
    {"role": "tool", "tool_call_id": "call_0", "content": "{\"temp\": 21}"},
    {"role": "user", "content": "Thanks. And in Rome?"},
    {"role": "assistant", "tool_calls": [
      {"id": "call_0", "type": "function", "function": {"name": "get_forecast", "arguments": "{}"}}]},
    {"role": "tool", "tool_call_id": "call_0", "content": [{"type": "text", "text": "rain"}]}]})");
  EXPECT_EQ(out.at("contents"), Val(R"([
    {"role": "user", "parts": [{"text": "Weather in Paris and the time?"}]},
    {"role": "model", "parts": [
      {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": "c2lnbmF0dXJl"},
      {"functionCall": {"name": "get_time", "args": {}}}]},
    {"role": "user", "parts": [
      {"functionResponse": {"name": "get_time", "response": {"output": "12:00"}}},
      {"functionResponse": {"name": "get_weather", "response": {"temp": 21}}},
      {"text": "Thanks. And in Rome?"}]},
    {"role": "model", "parts": [
      {"functionCall": {"name": "get_forecast", "args": {}}, "thoughtSignature": "skip_thought_signature_validator"}]},
    {"role": "user", "parts": [{"functionResponse": {"name": "get_forecast", "response": {"output": "rain"}}}]}])"));
}

TEST(ChatRequestToGeminiTest, PutsFunctionResponsesBeforeAUserMessageMergedIntoTheirTurn) {
  const json::object out = ToGemini(R"({"messages": [
    {"role": "assistant", "tool_calls": [{"id": "t", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
    {"role": "user", "content": "also this"},
    {"role": "tool", "tool_call_id": "t", "content": "done"}]})");
  EXPECT_EQ(out.at("contents").at(1), Val(R"({"role": "user", "parts": [
    {"functionResponse": {"name": "f", "response": {"output": "done"}}}, {"text": "also this"}]})"));
}

TEST(ChatRequestToGeminiTest, DeclaresFunctionsWithSchemasGeminiAccepts) {
  const json::object out = ToGemini(R"({"messages": [{"role": "user", "content": "x"}],
    "tools": [
      {"type": "function", "function": {"name": "lookup", "description": "Find things", "strict": true,
        "parameters": {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
          "properties": {"q": {"type": "string"}, "limit": {"type": ["integer", "null"], "exclusiveMinimum": 0}},
          "required": ["q"], "additionalProperties": false}}},
      {"type": "function", "function": {"name": "now", "parameters": {"type": "object", "properties": {}}}},
      {"type": "function", "function": {"name": "ping"}}]})");
  EXPECT_EQ(out.at("tools"), Val(R"([{"functionDeclarations": [
    {"name": "lookup", "description": "Find things", "parameters": {"type": "object",
      "properties": {"q": {"type": "string"}, "limit": {"type": "integer", "nullable": true, "minimum": 0}},
      "required": ["q"]}},
    {"name": "now"},
    {"name": "ping"}]}])"));
  EXPECT_FALSE(out.contains("toolConfig"));
}

TEST(ChatRequestToGeminiTest, MapsToolChoiceToFunctionCallingConfig) {
  const std::string tools = R"("messages": [{"role": "user", "content": "x"}], "tools": [
    {"type": "function", "function": {"name": "a"}}, {"type": "function", "function": {"name": "b"}}])";
  const auto config = [&](std::string_view choice) {
    return ToGemini("{" + tools + R"(, "tool_choice": )" + std::string(choice) + "}");
  };
  EXPECT_EQ(config(R"("auto")").at("toolConfig"), Val(R"({"functionCallingConfig":{"mode":"AUTO"}})"));
  EXPECT_EQ(config(R"("none")").at("toolConfig"), Val(R"({"functionCallingConfig":{"mode":"NONE"}})"));
  EXPECT_EQ(config(R"("required")").at("toolConfig"), Val(R"({"functionCallingConfig":{"mode":"ANY"}})"));
  EXPECT_EQ(config(R"({"type":"function","function":{"name":"b"}})").at("toolConfig"),
            Val(R"({"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["b"]}})"));
  EXPECT_EQ(config(R"({"type":"allowed_tools","allowed_tools":{"mode":"required",
                       "tools":[{"type":"function","function":{"name":"a"}}]}})").at("toolConfig"),
            Val(R"({"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["a"]}})"));
  // Gemini takes allowedFunctionNames only with ANY: in auto mode the others are not declared.
  const json::object narrowed = config(R"({"type":"allowed_tools","allowed_tools":{"mode":"auto",
                                          "tools":[{"type":"function","function":{"name":"b"}}]}})");
  EXPECT_EQ(narrowed.at("tools"), Val(R"([{"functionDeclarations":[{"name":"b"}]}])"));
  EXPECT_EQ(narrowed.at("toolConfig"), Val(R"({"functionCallingConfig":{"mode":"AUTO"}})"));
  // Without tools there is nothing to choose.
  EXPECT_FALSE(ToGemini(R"({"messages":[{"role":"user","content":"x"}],"tool_choice":"required"})")
                   .contains("toolConfig"));
}

TEST(ChatRequestToGeminiTest, AsksForJsonWithTheSchemaGeminiAccepts) {
  EXPECT_EQ(ToGemini(R"({"messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_object"}})")
                .at("generationConfig"),
            Val(R"({"responseMimeType":"application/json"})"));
  EXPECT_EQ(ToGemini(R"({"messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema",
              "json_schema":{"name":"person","strict":true,"schema":{"type":"object","additionalProperties":false,
                "properties":{"name":{"type":"string"},"born":{"type":"integer"}},"required":["name","born"]}}}})")
                .at("generationConfig"),
            Val(R"({"responseMimeType":"application/json","responseSchema":{"type":"object",
              "properties":{"name":{"type":"string"},"born":{"type":"integer"}},"required":["name","born"]}})"));
  EXPECT_FALSE(ToGemini(R"({"messages":[{"role":"user","content":"x"}],"response_format":{"type":"text"}})")
                   .contains("generationConfig"));
}

TEST(ChatRequestToGeminiTest, MapsReasoningEffortToAThinkingBudget) {
  const auto budget = [](std::string_view effort) {
    return ToGemini(R"({"messages":[{"role":"user","content":"x"}],"reasoning_effort":")" + std::string(effort) +
                    "\"}")
        .at("generationConfig")
        .at("thinkingConfig")
        .at("thinkingBudget");
  };
  EXPECT_EQ(budget("none"), 0);
  EXPECT_EQ(budget("minimal"), kMinimalThinkingBudget);
  EXPECT_EQ(budget("low"), 1024);
  EXPECT_EQ(budget("medium"), 8192);
  EXPECT_EQ(budget("high"), 24576);
  EXPECT_EQ(Refusal(R"({"messages":[{"role":"user","content":"x"}],"reasoning_effort":"max"})"), "reasoning_effort");
}

TEST(ChatRequestToGeminiTest, RefusesWhatCannotBeTranslatedNamingTheParameter) {
  const std::string user = R"("messages":[{"role":"user","content":"x"}])";
  EXPECT_EQ(Refusal("{" + user + R"(,"logprobs":true})"), "logprobs");
  EXPECT_EQ(Refusal("{" + user + R"(,"top_logprobs":2})"), "top_logprobs");
  EXPECT_EQ(Refusal("{" + user + R"(,"logit_bias":{"50256":-100}})"), "logit_bias");
  EXPECT_EQ(Refusal("{" + user + R"(,"modalities":["text","audio"]})"), "modalities");
  EXPECT_EQ(Refusal("{" + user + R"(,"web_search_options":{}})"), "web_search_options");
  EXPECT_EQ(Refusal("{" + user + R"(,"functions":[{"name":"f"}]})"), "functions");
  EXPECT_EQ(Refusal("{" + user + R"(,"tools":[{"type":"custom","custom":{"name":"g"}}]})"), "tools[0].type");
  EXPECT_EQ(Refusal("{" + user + R"(,"temperature":"hot"})"), "temperature");
  EXPECT_EQ(Refusal("{" + user + R"(,"max_tokens":0})"), "max_tokens");
  EXPECT_EQ(Refusal("{" + user + R"(,"seed":1.5})"), "seed");
  EXPECT_EQ(Refusal("{" + user + R"(,"response_format":{"type":"yaml"}})"), "response_format.type");
  EXPECT_EQ(Refusal(R"({"messages":[]})"), "messages");
  EXPECT_EQ(Refusal(R"({"messages":[{"role":"system","content":"only rules"}]})"), "messages");
  EXPECT_EQ(Refusal(R"({"messages":[{"role":"function","name":"f","content":"x"}]})"), "messages[0].role");
  EXPECT_EQ(Refusal(R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x"}}]}]})"),
            "messages[0].content[0].image_url.url");
  EXPECT_EQ(Refusal(R"({"messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"file-1"}}]}]})"),
            "messages[0].content[0].file.file_id");
  EXPECT_EQ(Refusal(R"({"messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function",
              "function":{"name":"f","arguments":"[1,2]"}}]}]})"),
            "messages[0].tool_calls[0].function.arguments");
  EXPECT_EQ(Refusal(R"({"messages":[{"role":"user","content":"x"},{"role":"tool","tool_call_id":"nope","content":"y"}]})"),
            "messages[1].tool_call_id");
}

// --- Schemas ----------------------------------------------------------------------

TEST(SchemaForGeminiTest, InlinesRefsAndTurnsNullableUnionsIntoNullable) {
  // What pydantic writes for a model with a nested model, an Optional, a Literal and an Enum.
  const json::value schema = Val(R"({
    "$defs": {
      "Address": {"type": "object", "title": "Address", "additionalProperties": false,
        "properties": {"city": {"type": "string"}, "zip": {"type": "string", "pattern": "^[0-9]{5}$"}},
        "required": ["city"]},
      "Unit": {"enum": ["c", "f"], "type": "string", "title": "Unit"}},
    "type": "object", "title": "Query",
    "properties": {
      "address": {"$ref": "#/$defs/Address", "description": "where"},
      "unit": {"$ref": "#/definitions/Missing"},
      "kind": {"const": "weather"},
      "days": {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 14}, {"type": "null"}], "default": null},
      "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": true, "minItems": 1},
      "mode": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
      "level": {"enum": [1, 2, 3]},
      "both": {"allOf": [{"properties": {"x": {"type": "number"}}, "required": ["x"]},
                         {"properties": {"y": {"type": "number"}}, "required": ["y"]}]}},
    "required": ["address", "kind", "ghost"]})");
  EXPECT_EQ(SchemaForGemini(schema), Val(R"({
    "type": "object", "title": "Query",
    "properties": {
      "address": {"type": "object", "title": "Address", "description": "where",
        "properties": {"city": {"type": "string"}, "zip": {"type": "string", "pattern": "^[0-9]{5}$"}},
        "required": ["city"]},
      "unit": {},
      "kind": {"enum": ["weather"]},
      "days": {"type": "integer", "minimum": 1, "maximum": 14, "nullable": true},
      "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
      "mode": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
      "level": {},
      "both": {"properties": {"x": {"type": "number"}, "y": {"type": "number"}}, "required": ["x", "y"]}},
    "required": ["address", "kind"]})"));
}

TEST(SchemaForGeminiTest, StopsAtRecursiveRefs) {
  const json::value schema = Val(R"({"$defs": {"Node": {"type": "object",
    "properties": {"child": {"$ref": "#/$defs/Node"}, "name": {"type": "string"}}}},
    "$ref": "#/$defs/Node"})");
  const json::value converted = SchemaForGemini(schema);
  // Bounded: 32 levels, then {}.
  int depth = 0;
  const json::value* node = &converted;
  while (node->is_object() && node->as_object().contains("properties")) {
    node = &node->at("properties").at("child");
    ++depth;
  }
  EXPECT_GT(depth, 10);
  EXPECT_LE(depth, 33);
  EXPECT_EQ(converted.at("properties").at("name"), Val(R"({"type":"string"})"));
}

TEST(SchemaForGeminiTest, LeavesNonObjectsEmpty) {
  EXPECT_EQ(SchemaForGemini(Val("true")), Val("{}"));
  EXPECT_EQ(SchemaForGemini(Val(R"({"type":"object","properties":{}})")), Val(R"({"type":"object"})"));
}

// --- Responses --------------------------------------------------------------------

// gemini-2.5-flash with thinking, as the API answers.
constexpr std::string_view kTextResponse = R"({
  "candidates": [{"content": {"parts": [{"text": "Blue"}, {"text": " is calm."}], "role": "model"},
    "finishReason": "STOP", "index": 0, "safetyRatings": []}],
  "usageMetadata": {"promptTokenCount": 12, "candidatesTokenCount": 4, "totalTokenCount": 46,
    "cachedContentTokenCount": 8, "thoughtsTokenCount": 30,
    "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 12}]},
  "modelVersion": "gemini-2.5-flash", "responseId": "mKr3aN7kJ9XAqtsPxvW3uQk"})";

TEST(GeminiResponseToChatTest, TranslatesTextAndUsage) {
  EXPECT_EQ(json::value(GeminiResponseToChat(Obj(kTextResponse), "client-model", 1700000000)), Val(R"({
    "id": "mKr3aN7kJ9XAqtsPxvW3uQk", "object": "chat.completion", "created": 1700000000, "model": "client-model",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Blue is calm.", "refusal": null},
      "logprobs": null, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 12, "completion_tokens": 34, "total_tokens": 46,
      "prompt_tokens_details": {"cached_tokens": 8}, "completion_tokens_details": {"reasoning_tokens": 30}}})"));
}

TEST(GeminiResponseToChatTest, TurnsFunctionCallsIntoNumberedToolCallsKeepingSignatures) {
  const json::object chat = GeminiResponseToChat(Obj(R"({
    "candidates": [{"content": {"role": "model", "parts": [
      {"text": "Thinking it over", "thought": true},
      {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": "CiQBVKhc7g=="},
      {"functionCall": {"name": "get_time"}}]},
      "finishReason": "STOP", "index": 0}],
    "usageMetadata": {"promptTokenCount": 50, "candidatesTokenCount": 20, "totalTokenCount": 70},
    "responseId": "r1"})"), "m", 1);
  EXPECT_EQ(chat.at("choices").at(0), Val(R"({"index": 0, "message": {"role": "assistant", "content": null,
    "refusal": null, "tool_calls": [
      {"id": "call_0", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"},
       "extra_content": {"google": {"thought_signature": "CiQBVKhc7g=="}}},
      {"id": "call_1", "type": "function", "function": {"name": "get_time", "arguments": "{}"}}],
    "reasoning_content": "Thinking it over"}, "logprobs": null, "finish_reason": "tool_calls"})"));
}

TEST(GeminiResponseToChatTest, GivesOneChoicePerCandidateByIndex) {
  const json::object chat = GeminiResponseToChat(Obj(R"({"candidates": [
    {"content": {"parts": [{"text": "b"}], "role": "model"}, "finishReason": "MAX_TOKENS", "index": 1},
    {"content": {"parts": [{"text": "a"}], "role": "model"}, "finishReason": "STOP", "index": 0}],
    "responseId": "r"})"), "m", 1);
  const json::array& choices = chat.at("choices").as_array();
  ASSERT_EQ(choices.size(), 2u);
  EXPECT_EQ(choices[0].at("message").at("content"), "a");
  EXPECT_EQ(choices[1].at("index"), 1);
  EXPECT_EQ(choices[1].at("finish_reason"), "length");
}

TEST(GeminiResponseToChatTest, ReportsBlockedAnswersAndPromptsAsContentFilter) {
  const json::object safety = GeminiResponseToChat(Obj(R"({"candidates": [{"finishReason": "SAFETY", "index": 0,
    "safetyRatings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": true}]}],
    "responseId": "r"})"), "m", 1);
  EXPECT_EQ(safety.at("choices").at(0).at("finish_reason"), "content_filter");
  EXPECT_EQ(safety.at("choices").at(0).at("message").at("content"), "");
  const json::object blocked = GeminiResponseToChat(Obj(R"({"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"},
    "usageMetadata": {"promptTokenCount": 9, "totalTokenCount": 9}})"), "m", 1);
  EXPECT_EQ(blocked.at("choices").at(0).at("finish_reason"), "content_filter");
  EXPECT_EQ(blocked.at("usage").at("prompt_tokens"), 9);
  EXPECT_EQ(blocked.at("id"), "chatcmpl-gemini-1");
}

TEST(GeminiResponseToChatTest, MapsEveryFinishReason) {
  EXPECT_EQ(FinishReasonFor("STOP", false), "stop");
  EXPECT_EQ(FinishReasonFor("STOP", true), "tool_calls");
  EXPECT_EQ(FinishReasonFor("MAX_TOKENS", true), "length");
  for (std::string_view filtered : {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY"}) {
    EXPECT_EQ(FinishReasonFor(filtered, false), "content_filter") << filtered;
  }
  EXPECT_EQ(FinishReasonFor("MALFORMED_FUNCTION_CALL", false), "stop");
  EXPECT_EQ(FinishReasonFor("OTHER", false), "stop");
}

TEST(UsageFromGeminiTest, CountsThoughtsAsOutputAndToolPromptsAsInput) {
  core::Usage expected;
  expected.input_tokens = 100 + 7;
  expected.output_tokens = 20 + 30;
  expected.cached_input_tokens = 64;
  expected.reasoning_tokens = 30;
  EXPECT_EQ(UsageFromGemini(Val(R"({"promptTokenCount": 100, "toolUsePromptTokenCount": 7,
    "candidatesTokenCount": 20, "thoughtsTokenCount": 30, "cachedContentTokenCount": 64, "totalTokenCount": 157})")),
            expected);
  EXPECT_EQ(UsageFromGemini(Val("null")), core::Usage{});
}

// --- Errors -------------------------------------------------------------------------

TEST(ErrorFromGeminiTest, KeepsTheMessageAndClassifiesForRouting) {
  const boost::beast::http::fields none;
  const core::Error bad_key = ErrorFromGemini("gemini/flash", 400, R"({"error": {"code": 400,
    "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT",
    "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
      "domain": "googleapis.com"}]}})", none);
  EXPECT_EQ(bad_key.code(), core::ErrorCode::kUpstreamRejected);
  EXPECT_EQ(bad_key.message(), "gemini/flash answered 400: API key not valid. Please pass a valid API key.");

  const core::Error bad_request = ErrorFromGemini("g", 400, R"({"error": {"code": 400,
    "message": "* GenerateContentRequest.contents: contents is not specified", "status": "INVALID_ARGUMENT"}})", none);
  EXPECT_EQ(bad_request.code(), core::ErrorCode::kInvalidRequest);

  const core::Error quota = ErrorFromGemini("g", 429, R"({"error": {"code": 429, "message": "You exceeded your quota",
    "status": "RESOURCE_EXHAUSTED", "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo",
      "retryDelay": "7.2s"}]}})", none);
  EXPECT_EQ(quota.code(), core::ErrorCode::kRateLimited);
  EXPECT_EQ(quota.retry_after(), std::chrono::seconds(8));

  boost::beast::http::fields retry_after;
  retry_after.set(boost::beast::http::field::retry_after, "3");
  EXPECT_EQ(ErrorFromGemini("g", 429, R"({"error": {"code": 429, "details": [
    {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "40s"}]}})", retry_after).retry_after(),
            std::chrono::seconds(3));
  EXPECT_EQ(ErrorFromGemini("g", 503, R"({"error": {"code": 503, "message": "The model is overloaded.",
    "status": "UNAVAILABLE"}})", none).code(), core::ErrorCode::kUpstreamUnavailable);
  EXPECT_EQ(ErrorFromGemini("g", 502, "<html>bad gateway</html>", none).code(), core::ErrorCode::kUpstreamUnavailable);
}

// --- Streams --------------------------------------------------------------------------

// gemini-2.5-flash, streamGenerateContent?alt=sse: every event a whole
// response, usageMetadata on each (partial until the last), the last piece
// carrying finishReason. Google ends events with CRLF.
constexpr std::string_view kTextStream =
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hello\"}],\"role\": \"model\"},\"index\": 0}],"
    "\"usageMetadata\": {\"promptTokenCount\": 9,\"totalTokenCount\": 9,\"promptTokensDetails\": "
    "[{\"modality\": \"TEXT\",\"tokenCount\": 9}]},\"modelVersion\": \"gemini-2.5-flash\","
    "\"responseId\": \"7Pr3aLvVNvOsz7IPqaW-4Ak\"}\r\n"
    "\r\n"
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \", w\xC3\xB6rld \xE2\x80\x94 \\\"quoted\\\"\\n\"}],"
    "\"role\": \"model\"},\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 9,\"totalTokenCount\": 9},"
    "\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": \"7Pr3aLvVNvOsz7IPqaW-4Ak\"}\r\n"
    "\r\n"
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"\"}],\"role\": \"model\"},"
    "\"finishReason\": \"STOP\",\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 9,"
    "\"candidatesTokenCount\": 6,\"totalTokenCount\": 40,\"thoughtsTokenCount\": 25,"
    "\"promptTokensDetails\": [{\"modality\": \"TEXT\",\"tokenCount\": 9}]},"
    "\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": \"7Pr3aLvVNvOsz7IPqaW-4Ak\"}\r\n"
    "\r\n";

// Gemini 3: two parallel calls in one event, the first signed; text before them.
constexpr std::string_view kFunctionCallStream =
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Let me check both.\"}],\"role\": \"model\"},"
    "\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 120,\"totalTokenCount\": 120},"
    "\"modelVersion\": \"gemini-3-flash-preview\",\"responseId\": \"fc-1\"}\r\n"
    "\r\n"
    "data: {\"candidates\": [{\"content\": {\"parts\": ["
    "{\"functionCall\": {\"name\": \"get_weather\",\"args\": {\"city\": \"Paris\",\"unit\": \"celsius\"}},"
    "\"thoughtSignature\": \"CiQBVKhc7mXz3Qw8sR5Ng==\"},"
    "{\"functionCall\": {\"name\": \"get_time\",\"args\": {\"tz\": \"Europe/Paris\"}}}],\"role\": \"model\"},"
    "\"finishReason\": \"STOP\",\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 120,"
    "\"candidatesTokenCount\": 31,\"totalTokenCount\": 151,\"cachedContentTokenCount\": 100},"
    "\"modelVersion\": \"gemini-3-flash-preview\",\"responseId\": \"fc-1\"}\r\n"
    "\r\n";

// includeThoughts: thought summaries first, then the answer, cut by maxOutputTokens. LF endings.
constexpr std::string_view kThoughtStream =
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"**Multiplying**\\n27 * 453\","
    "\"thought\": true}],\"role\": \"model\"},\"index\": 0}],\"responseId\": \"th-1\"}\n"
    "\n"
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \" = 12,231\",\"thought\": true},"
    "{\"text\": \"27 * 453 =\"}],\"role\": \"model\"},\"index\": 0}],\"responseId\": \"th-1\"}\n"
    "\n"
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \" 12,2\"}],\"role\": \"model\"},"
    "\"finishReason\": \"MAX_TOKENS\",\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 14,"
    "\"candidatesTokenCount\": 8,\"totalTokenCount\": 60,\"thoughtsTokenCount\": 38},\"responseId\": \"th-1\"}\n"
    "\n";

// candidateCount 2, the candidates finishing in different events.
constexpr std::string_view kTwoCandidatesStream =
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Red\"}],\"role\": \"model\"},\"index\": 0},"
    "{\"content\": {\"parts\": [{\"text\": \"Gre\"}],\"role\": \"model\"},\"index\": 1}],\"responseId\": \"two\"}\r\n"
    "\r\n"
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \".\"}],\"role\": \"model\"},"
    "\"finishReason\": \"STOP\",\"index\": 0},{\"content\": {\"parts\": [{\"text\": \"en\"}],\"role\": \"model\"},"
    "\"index\": 1}],\"responseId\": \"two\"}\r\n"
    "\r\n"
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \".\"}],\"role\": \"model\"},"
    "\"finishReason\": \"STOP\",\"index\": 1}],\"usageMetadata\": {\"promptTokenCount\": 5,"
    "\"candidatesTokenCount\": 6,\"totalTokenCount\": 11},\"responseId\": \"two\"}\r\n"
    "\r\n";

// An overload in mid-answer: Google sends an error object as an event.
constexpr std::string_view kErrorStream =
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Partial\"}],\"role\": \"model\"},"
    "\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 3,\"totalTokenCount\": 3},\"responseId\": \"e\"}\r\n"
    "\r\n"
    "data: {\"error\": {\"code\": 503,\"message\": \"The model is overloaded. Please try again later.\","
    "\"status\": \"UNAVAILABLE\"}}\r\n"
    "\r\n";

// A prompt blocked before any candidate.
constexpr std::string_view kBlockedStream =
    "data: {\"promptFeedback\": {\"blockReason\": \"SAFETY\",\"safetyRatings\": []},"
    "\"usageMetadata\": {\"promptTokenCount\": 7,\"totalTokenCount\": 7},\"responseId\": \"b\"}\r\n"
    "\r\n";

// A body that ended without a finishReason (a proxy cut it).
constexpr std::string_view kCutStream =
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Half\"}],\"role\": \"model\"},"
    "\"index\": 0}],\"responseId\": \"c\"}\r\n"
    "\r\n";

// --- The client's view: what the OpenAI SDK would assemble ----------------------------

struct ToolCallView {
  std::string id;
  std::string name;
  std::string arguments;
  std::string signature;
  bool operator==(const ToolCallView&) const = default;
};

struct ChoiceView {
  std::string role;
  std::string content;
  std::string reasoning;
  std::map<std::uint64_t, ToolCallView> tool_calls;
  std::string finish_reason;
  bool operator==(const ChoiceView&) const = default;
};

struct ChatView {
  std::string id;
  std::map<std::uint64_t, ChoiceView> choices;
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
  for (const json::value& choice_value : chunk.at("choices").as_array()) {
    ChoiceView& choice = view.choices[choice_value.at("index").to_number<std::uint64_t>()];
    EXPECT_TRUE(choice.finish_reason.empty()) << "a chunk after the finish chunk: " << chunk_text;
    const json::object& delta = choice_value.at("delta").as_object();
    if (const json::value* role = delta.if_contains("role")) choice.role += role->as_string();
    if (const json::value* content = delta.if_contains("content")) choice.content += content->as_string();
    if (const json::value* reasoning = delta.if_contains("reasoning_content")) {
      choice.reasoning += reasoning->as_string();
    }
    if (const json::value* calls = delta.if_contains("tool_calls")) {
      for (const json::value& call : calls->as_array()) {
        const std::uint64_t index = call.at("index").to_number<std::uint64_t>();
        const bool first = !choice.tool_calls.contains(index);
        ToolCallView& tool = choice.tool_calls[index];
        const json::object& function = call.at("function").as_object();
        EXPECT_EQ(call.as_object().contains("id"), first) << chunk_text;
        EXPECT_EQ(function.contains("name"), first) << chunk_text;
        if (first) {
          EXPECT_EQ(call.at("type"), "function");
          tool.id = call.at("id").as_string();
          tool.name = function.at("name").as_string();
        }
        tool.arguments += function.at("arguments").as_string();
        if (const json::value* extra = call.as_object().if_contains("extra_content")) {
          tool.signature = extra->at("google").at("thought_signature").as_string();
        }
      }
    }
    if (const json::value& finish = choice_value.at("finish_reason"); !finish.is_null()) {
      choice.finish_reason = finish.as_string();
    }
  }
}

struct ChatRun {
  std::vector<std::string> chunks;
  std::optional<core::Error> error;
  bool finished = false;
  core::Usage usage;
};

// Feeds `wire` to an SseDecoder in the pieces `cuts` makes, each event to the
// translator, and Close() at the end of the body, as the provider does.
ChatRun Translate(std::string_view wire, const std::vector<std::size_t>& cuts, bool include_usage = true) {
  ChatRun run;
  http::SseDecoder decoder;
  GeminiStreamToChatChunks translator({.client_model = "client-model", .include_usage = include_usage,
                                       .created = 1700000000});
  const auto take = [&run](core::Result<std::vector<std::string>> chunks) {
    if (!chunks) {
      run.error = chunks.error();
      return;
    }
    for (std::string& chunk : *chunks) run.chunks.push_back(std::move(chunk));
  };
  std::size_t start = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(wire.size());
  for (std::size_t end : ends) {
    for (const http::SseEvent& event : decoder.Feed(wire.substr(start, end - start))) {
      if (!run.error) take(translator.Feed(event));
    }
    start = end;
  }
  if (!run.error) take(translator.Close());
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
    EXPECT_EQ(cut.usage, whole.usage) << "split at " << split;
    if (::testing::Test::HasFailure()) break;
  }
  std::vector<std::size_t> every_byte;
  for (std::size_t i = 1; i < wire.size(); ++i) every_byte.push_back(i);
  EXPECT_EQ(Translate(wire, every_byte).chunks, whole.chunks) << "one byte at a time";
  return whole;
}

core::Usage UsageOf(std::uint64_t input, std::uint64_t output, std::uint64_t cached = 0, std::uint64_t reasoning = 0) {
  core::Usage usage;
  usage.input_tokens = input;
  usage.output_tokens = output;
  usage.cached_input_tokens = cached;
  usage.reasoning_tokens = reasoning;
  return usage;
}

TEST(GeminiStreamToChatChunksTest, TranslatesATextStream) {
  const ChatRun run = RunAtEverySplit(kTextStream);
  ASSERT_FALSE(run.error);
  EXPECT_TRUE(run.finished);
  const ChatView view = ViewOf(run);
  EXPECT_EQ(view.id, "7Pr3aLvVNvOsz7IPqaW-4Ak");
  ASSERT_EQ(view.choices.size(), 1u);
  const ChoiceView& choice = view.choices.at(0);
  EXPECT_EQ(choice.role, "assistant");
  EXPECT_EQ(choice.content, "Hello, w\xC3\xB6rld \xE2\x80\x94 \"quoted\"\n");
  EXPECT_TRUE(choice.tool_calls.empty());
  EXPECT_EQ(choice.finish_reason, "stop");
  EXPECT_EQ(*view.usage, Val(R"({"prompt_tokens":9,"completion_tokens":31,"total_tokens":40,
    "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":25}})"));
  EXPECT_EQ(run.usage, UsageOf(9, 31, 0, 25));
  // Role chunk, one chunk per non-empty text part (nothing held back), finish, usage.
  EXPECT_EQ(run.chunks.size(), 5u);
}

TEST(GeminiStreamToChatChunksTest, WritesTheChunksOpenAIWrites) {
  const ChatRun run = Translate(kTextStream, {});
  ASSERT_EQ(run.chunks.size(), 5u);
  EXPECT_EQ(Val(run.chunks[0]), Val(R"({"id":"7Pr3aLvVNvOsz7IPqaW-4Ak","object":"chat.completion.chunk",
    "created":1700000000,"model":"client-model",
    "choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],
    "usage":null})"));
  EXPECT_EQ(Val(run.chunks[1]), Val(R"({"id":"7Pr3aLvVNvOsz7IPqaW-4Ak","object":"chat.completion.chunk",
    "created":1700000000,"model":"client-model",
    "choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}],"usage":null})"));
  EXPECT_EQ(Val(run.chunks[3]).at("choices"),
            Val(R"([{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}])"));
  EXPECT_TRUE(Val(run.chunks[4]).at("choices").as_array().empty());
}

TEST(GeminiStreamToChatChunksTest, LeavesUsageOutWhenTheClientDidNotAskForIt) {
  const ChatRun run = Translate(kTextStream, {}, /*include_usage=*/false);
  ASSERT_EQ(run.chunks.size(), 4u);
  const ChatView view = ViewOf(run, false);
  EXPECT_FALSE(view.usage);
  EXPECT_EQ(view.choices.at(0).finish_reason, "stop");
  EXPECT_EQ(run.usage, UsageOf(9, 31, 0, 25));  // the gateway still accounts for it
}

TEST(GeminiStreamToChatChunksTest, StreamsParallelFunctionCallsWithTheirSignature) {
  const ChatRun run = RunAtEverySplit(kFunctionCallStream);
  ASSERT_FALSE(run.error);
  const ChoiceView choice = ViewOf(run).choices.at(0);
  EXPECT_EQ(choice.content, "Let me check both.");
  ASSERT_EQ(choice.tool_calls.size(), 2u);
  EXPECT_EQ(choice.tool_calls.at(0), (ToolCallView{"call_0", "get_weather", R"({"city":"Paris","unit":"celsius"})",
                                                   "CiQBVKhc7mXz3Qw8sR5Ng=="}));
  EXPECT_EQ(choice.tool_calls.at(1), (ToolCallView{"call_1", "get_time", R"({"tz":"Europe/Paris"})", ""}));
  EXPECT_EQ(choice.finish_reason, "tool_calls");
  EXPECT_EQ(run.usage, UsageOf(120, 31, 100));
}

TEST(GeminiStreamToChatChunksTest, StreamsThoughtsAsReasoningContent) {
  const ChatRun run = RunAtEverySplit(kThoughtStream);
  ASSERT_FALSE(run.error);
  const ChoiceView choice = ViewOf(run).choices.at(0);
  EXPECT_EQ(choice.reasoning, "**Multiplying**\n27 * 453 = 12,231");
  EXPECT_EQ(choice.content, "27 * 453 = 12,2");
  EXPECT_EQ(choice.finish_reason, "length");
  EXPECT_EQ(run.usage, UsageOf(14, 46, 0, 38));
}

TEST(GeminiStreamToChatChunksTest, KeepsCandidatesApartAsChoices) {
  const ChatRun run = RunAtEverySplit(kTwoCandidatesStream);
  ASSERT_FALSE(run.error);
  const ChatView view = ViewOf(run);
  ASSERT_EQ(view.choices.size(), 2u);
  EXPECT_EQ(view.choices.at(0).content, "Red.");
  EXPECT_EQ(view.choices.at(1).content, "Green.");
  EXPECT_EQ(view.choices.at(1).role, "assistant");
  EXPECT_EQ(view.choices.at(1).finish_reason, "stop");
  EXPECT_EQ(run.usage, UsageOf(5, 6));
}

TEST(GeminiStreamToChatChunksTest, ReportsAnUpstreamErrorEventAfterWhatCameBefore) {
  const ChatRun run = RunAtEverySplit(kErrorStream);
  ASSERT_TRUE(run.error);
  EXPECT_EQ(run.error->code(), core::ErrorCode::kUpstreamUnavailable);
  EXPECT_NE(run.error->message().find("overloaded"), std::string::npos);
  EXPECT_FALSE(run.finished);
  const ChatView view = ViewOf(run);
  EXPECT_EQ(view.choices.at(0).content, "Partial");
  EXPECT_EQ(view.choices.at(0).finish_reason, "");
}

TEST(GeminiStreamToChatChunksTest, EndsABlockedPromptWithContentFilter) {
  const ChatRun run = RunAtEverySplit(kBlockedStream);
  ASSERT_FALSE(run.error);
  EXPECT_TRUE(run.finished);
  const ChatView view = ViewOf(run);
  EXPECT_EQ(view.choices.at(0).role, "assistant");
  EXPECT_EQ(view.choices.at(0).content, "");
  EXPECT_EQ(view.choices.at(0).finish_reason, "content_filter");
  EXPECT_EQ(view.usage->at("prompt_tokens"), 7);
}

TEST(GeminiStreamToChatChunksTest, FailsABodyThatEndsBeforeAFinishReason) {
  const ChatRun run = RunAtEverySplit(kCutStream);
  ASSERT_TRUE(run.error);
  EXPECT_EQ(run.error->code(), core::ErrorCode::kUpstreamUnavailable);
  EXPECT_FALSE(run.finished);
  EXPECT_EQ(ViewOf(run).choices.at(0).content, "Half");
  EXPECT_EQ(Translate("", {}).error->code(), core::ErrorCode::kUpstreamUnavailable);
}

TEST(GeminiStreamToChatChunksTest, MapsErrorStatusesToWhetherRetryingCanHelp) {
  struct Case {
    std::string_view status;
    int code;
    core::ErrorCode expected;
  };
  for (const Case& c : {Case{"UNAVAILABLE", 503, core::ErrorCode::kUpstreamUnavailable},
                        Case{"INTERNAL", 500, core::ErrorCode::kUpstreamUnavailable},
                        Case{"RESOURCE_EXHAUSTED", 429, core::ErrorCode::kUpstreamUnavailable},
                        Case{"DEADLINE_EXCEEDED", 504, core::ErrorCode::kUpstreamTimeout},
                        Case{"INVALID_ARGUMENT", 400, core::ErrorCode::kUpstreamRejected}}) {
    GeminiStreamToChatChunks translator({.client_model = "m"});
    auto out = translator.Feed({"", R"({"error":{"code":)" + std::to_string(c.code) + R"(,"message":"x","status":")" +
                                        std::string(c.status) + R"("}})", ""});
    ASSERT_FALSE(out) << c.status;
    EXPECT_EQ(out.error().code(), c.expected) << c.status;
  }
}

TEST(GeminiStreamToChatChunksTest, RefusesMalformedEvents) {
  for (std::string_view data : {std::string_view("{\"candidates\": ["), std::string_view("[1,2]"),
                                std::string_view(R"({"candidates":[42]})"),
                                std::string_view(R"({"candidates":[{"index":500,"content":{"parts":[]}}]})")}) {
    GeminiStreamToChatChunks translator({.client_model = "m"});
    auto out = translator.Feed({"", std::string(data), ""});
    ASSERT_FALSE(out) << data;
    EXPECT_EQ(out.error().code(), core::ErrorCode::kUpstreamRejected) << data;
  }
}

TEST(GeminiStreamToChatChunksTest, SkipsPartsAChatClientCannotShowAndSaysNothingAfterClose) {
  GeminiStreamToChatChunks translator({.client_model = "m", .created = 1});
  auto first = translator.Feed({"", R"({"candidates":[{"content":{"role":"model","parts":[
    {"inlineData":{"mimeType":"image/png","data":"iVBOR"}},{"executableCode":{"language":"PYTHON","code":"1"}}]},
    "index":0}],"responseId":"x"})", ""});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->size(), 1u);  // the role chunk only
  ASSERT_TRUE(translator.Feed({"", R"({"candidates":[{"finishReason":"STOP","index":0}]})", ""}));
  ASSERT_TRUE(translator.Close());
  EXPECT_TRUE(translator.finished());
  auto late = translator.Feed({"", R"({"candidates":[{"content":{"parts":[{"text":"more"}]},"index":0}]})", ""});
  ASSERT_TRUE(late);
  EXPECT_TRUE(late->empty());
  auto again = translator.Close();
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());
}

// A non-streamed response and the stream of the same answer give the client the same message.
TEST(GeminiStreamToChatChunksTest, AgreesWithTheWholeResponseTranslation) {
  const ChatRun run = Translate(kFunctionCallStream, {});
  const ChoiceView streamed = ViewOf(run).choices.at(0);
  const json::object whole = GeminiResponseToChat(Obj(R"({"candidates": [{"content": {"role": "model", "parts": [
    {"text": "Let me check both."},
    {"functionCall": {"name": "get_weather", "args": {"city": "Paris", "unit": "celsius"}},
     "thoughtSignature": "CiQBVKhc7mXz3Qw8sR5Ng=="},
    {"functionCall": {"name": "get_time", "args": {"tz": "Europe/Paris"}}}]}, "finishReason": "STOP", "index": 0}],
    "usageMetadata": {"promptTokenCount": 120, "candidatesTokenCount": 31, "totalTokenCount": 151,
      "cachedContentTokenCount": 100}, "responseId": "fc-1"})"), "client-model", 1700000000);
  const json::value& message = whole.at("choices").at(0).at("message");
  EXPECT_EQ(message.at("content").as_string(), streamed.content);
  for (std::size_t i = 0; i < 2; ++i) {
    const json::value& call = message.at("tool_calls").at(i);
    EXPECT_EQ(call.at("id").as_string(), streamed.tool_calls.at(i).id);
    EXPECT_EQ(call.at("function").at("arguments").as_string(), streamed.tool_calls.at(i).arguments);
  }
  EXPECT_EQ(whole.at("choices").at(0).at("finish_reason").as_string(), streamed.finish_reason);
  EXPECT_EQ(whole.at("usage"), *ViewOf(run).usage);
}

}  // namespace
}  // namespace strata::providers::gemini
