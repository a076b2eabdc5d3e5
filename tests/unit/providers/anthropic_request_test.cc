// Request translation, both directions: OpenAI chat ⇄ Anthropic Messages.

#include <string>
#include <string_view>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "providers/anthropic/translate.h"

namespace strata::providers::anthropic {
namespace {

namespace json = boost::json;

json::object Obj(std::string_view text) { return json::parse(text).as_object(); }
json::value Val(std::string_view text) { return json::parse(text); }

json::object ToMessages(std::string_view chat) {
  auto out = ChatRequestToMessages(Obj(chat), "claude-sonnet-4-5");
  EXPECT_TRUE(out) << chat << " → " << (out ? "" : out.error().message());
  return out ? *out : json::object();
}

json::object ToChat(std::string_view messages) {
  auto out = MessagesRequestToChat(Obj(messages), "gpt-4.1");
  EXPECT_TRUE(out) << messages << " → " << (out ? "" : out.error().message());
  return out ? *out : json::object();
}

// The param of the InvalidRequest error `chat` is refused with.
std::string ChatRefusal(std::string_view chat) {
  auto out = ChatRequestToMessages(Obj(chat), "claude-sonnet-4-5");
  if (out) return "accepted: " + json::serialize(*out);
  EXPECT_EQ(out.error().code(), core::ErrorCode::kInvalidRequest);
  EXPECT_EQ(out.error().message().rfind(out.error().param() + ": ", 0), 0u) << out.error().message();
  return out.error().param();
}

std::string MessagesRefusal(std::string_view messages) {
  auto out = MessagesRequestToChat(Obj(messages), "gpt-4.1");
  if (out) return "accepted: " + json::serialize(*out);
  EXPECT_EQ(out.error().code(), core::ErrorCode::kInvalidRequest);
  return out.error().param();
}

// --- OpenAI chat → Anthropic Messages ---------------------------------------

TEST(ChatRequestToMessagesTest, MapsASimpleConversationWithTheDefaultBudget) {
  const json::object out = ToMessages(R"({
    "model": "claude", "messages": [
      {"role": "system", "content": "Be brief."},
      {"role": "user", "content": "Hi"}],
    "temperature": 0.5, "top_p": 0.9, "stop": "END", "stream": true,
    "stream_options": {"include_usage": true}, "user": "u-42", "seed": 7,
    "presence_penalty": 0, "metadata": {"k": "v"}, "store": false, "n": 1})");
  EXPECT_EQ(json::value(out), Val(R"({
    "model": "claude-sonnet-4-5", "max_tokens": 4096, "system": "Be brief.",
    "messages": [{"role": "user", "content": "Hi"}],
    "temperature": 0.5, "top_p": 0.9, "stop_sequences": ["END"], "stream": true,
    "metadata": {"user_id": "u-42"}})"));
}

TEST(ChatRequestToMessagesTest, MaxCompletionTokensWinsOverTheLegacyMaxTokens) {
  EXPECT_EQ(ToMessages(R"({"messages":[{"role":"user","content":"x"}],"max_tokens":100})").at("max_tokens"), 100);
  EXPECT_EQ(ToMessages(R"({"messages":[{"role":"user","content":"x"}],"max_tokens":100,
                           "max_completion_tokens":200})").at("max_tokens"), 200);
}

TEST(ChatRequestToMessagesTest, ClampsTemperatureToAnthropicsRangeAndKeepsStopLists) {
  const json::object out = ToMessages(R"({"messages":[{"role":"user","content":"x"}],
    "temperature": 1.7, "stop": ["a", "b"], "safety_identifier": "hash-1"})");
  EXPECT_EQ(out.at("temperature"), 1.0);
  EXPECT_EQ(out.at("stop_sequences"), Val(R"(["a","b"])"));
  EXPECT_EQ(out.at("metadata"), Val(R"({"user_id":"hash-1"})"));
}

TEST(ChatRequestToMessagesTest, HoistsEverySystemMessageAndMergesSameRoleTurns) {
  const json::object out = ToMessages(R"({"messages": [
    {"role": "developer", "content": [{"type": "text", "text": "Rule one."}]},
    {"role": "user", "content": "first"},
    {"role": "user", "content": [{"type": "text", "text": "second"}]},
    {"role": "assistant", "content": "answer one"},
    {"role": "system", "content": "Rule two."},
    {"role": "assistant", "content": "answer two"},
    {"role": "user", "content": "third"}]})");
  EXPECT_EQ(out.at("system"), Val(R"([{"type":"text","text":"Rule one."},{"type":"text","text":"Rule two."}])"));
  EXPECT_EQ(out.at("messages"), Val(R"([
    {"role": "user", "content": [{"type":"text","text":"first"},{"type":"text","text":"second"}]},
    {"role": "assistant", "content": [{"type":"text","text":"answer one"},{"type":"text","text":"answer two"}]},
    {"role": "user", "content": "third"}])"));
}

TEST(ChatRequestToMessagesTest, TurnsToolCallsAndParallelResultsIntoAlternatingTurns) {
  const json::object out = ToMessages(R"({"messages": [
    {"role": "user", "content": "Weather and time in Paris?"},
    {"role": "assistant", "content": null, "tool_calls": [
      {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}},
      {"id": "call_2", "type": "function", "function": {"name": "get_time", "arguments": ""}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": "18C"},
    {"role": "tool", "tool_call_id": "call_2", "content": [{"type": "text", "text": "14:00"}]},
    {"role": "user", "content": "Thanks. And tomorrow?"}]})");
  EXPECT_EQ(out.at("messages"), Val(R"([
    {"role": "user", "content": "Weather and time in Paris?"},
    {"role": "assistant", "content": [
      {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Paris"}},
      {"type": "tool_use", "id": "call_2", "name": "get_time", "input": {}}]},
    {"role": "user", "content": [
      {"type": "tool_result", "tool_use_id": "call_1", "content": "18C"},
      {"type": "tool_result", "tool_use_id": "call_2", "content": [{"type": "text", "text": "14:00"}]},
      {"type": "text", "text": "Thanks. And tomorrow?"}]}])"));
}

TEST(ChatRequestToMessagesTest, PutsToolResultsBeforeUserTextMergedAheadOfThem) {
  const json::object out = ToMessages(R"({"messages": [
    {"role": "user", "content": "go"},
    {"role": "assistant", "content": "Calling.", "tool_calls": [
      {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
    {"role": "user", "content": "hurry"},
    {"role": "tool", "tool_call_id": "call_1", "content": ""}]})");
  EXPECT_EQ(out.at("messages").at(1), Val(R"({"role": "assistant", "content": [
    {"type": "text", "text": "Calling."}, {"type": "tool_use", "id": "call_1", "name": "f", "input": {}}]})"));
  EXPECT_EQ(out.at("messages").at(2), Val(R"({"role": "user", "content": [
    {"type": "tool_result", "tool_use_id": "call_1"}, {"type": "text", "text": "hurry"}]})"));
}

TEST(ChatRequestToMessagesTest, MapsImagesFromDataAndHttpUrls) {
  const json::object out = ToMessages(R"({"messages": [{"role": "user", "content": [
    {"type": "text", "text": "Compare"},
    {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "high"}},
    {"type": "image_url", "image_url": {"url": "data:image/jpg;base64,/9j/4AAQ"}},
    {"type": "image_url", "image_url": {"url": "https://example.com/cat.webp"}}]}]})");
  EXPECT_EQ(out.at("messages").at(0).at("content"), Val(R"([
    {"type": "text", "text": "Compare"},
    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
    {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/4AAQ"}},
    {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.webp"}}])"));
}

TEST(ChatRequestToMessagesTest, MapsInlinePdfsToDocumentsAndKeepsCacheControl) {
  const json::object out = ToMessages(R"({"messages": [
    {"role": "system", "content": [{"type": "text", "text": "Long rules", "cache_control": {"type": "ephemeral"}}]},
    {"role": "user", "content": [
      {"type": "file", "file": {"filename": "q3.pdf", "file_data": "data:application/pdf;base64,JVBERi0x"}},
      {"type": "text", "text": "Summarise", "cache_control": {"type": "ephemeral"}}]}]})");
  EXPECT_EQ(out.at("system"), Val(R"([{"type":"text","text":"Long rules","cache_control":{"type":"ephemeral"}}])"));
  EXPECT_EQ(out.at("messages").at(0).at("content"), Val(R"([
    {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0x"},
     "title": "q3.pdf"},
    {"type": "text", "text": "Summarise", "cache_control": {"type": "ephemeral"}}])"));
}

TEST(ChatRequestToMessagesTest, RefusesContentAnthropicCannotRead) {
  EXPECT_EQ(ChatRefusal(R"({"messages":[{"role":"user","content":[{"type":"text","text":"hi"},
    {"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}}]}]})"), "messages[0].content[1]");
  EXPECT_EQ(ChatRefusal(R"({"messages":[{"role":"user","content":[
    {"type":"image_url","image_url":{"url":"data:image/bmp;base64,Qk0="}}]}]})"),
            "messages[0].content[0].image_url.url");
  EXPECT_EQ(ChatRefusal(R"({"messages":[{"role":"user","content":[
    {"type":"image_url","image_url":{"url":"data:image/png,rawbytes"}}]}]})"),
            "messages[0].content[0].image_url.url");
  EXPECT_EQ(ChatRefusal(R"({"messages":[{"role":"user","content":[
    {"type":"image_url","image_url":{"url":"ftp://host/x.png"}}]}]})"), "messages[0].content[0].image_url.url");
  EXPECT_EQ(ChatRefusal(R"({"messages":[{"role":"user","content":[
    {"type":"file","file":{"file_id":"file-abc"}}]}]})"), "messages[0].content[0].file.file_id");
  EXPECT_EQ(ChatRefusal(R"({"messages":[{"role":"user","content":[
    {"type":"video","video":{}}]}]})"), "messages[0].content[0]");
  EXPECT_EQ(ChatRefusal(R"({"messages":[{"role":"system","content":[
    {"type":"image_url","image_url":{"url":"https://x/y.png"}}]},{"role":"user","content":"x"}]})"),
            "messages[0].content[0]");
}

TEST(ChatRequestToMessagesTest, RefusesWhatAnthropicCannotDo) {
  const std::string user = R"("messages":[{"role":"user","content":"x"}])";
  EXPECT_EQ(ChatRefusal("{" + user + R"(,"n":2})"), "n");
  EXPECT_EQ(ChatRefusal("{" + user + R"(,"logprobs":true})"), "logprobs");
  EXPECT_EQ(ChatRefusal("{" + user + R"(,"top_logprobs":3})"), "top_logprobs");
  EXPECT_EQ(ChatRefusal("{" + user + R"(,"logit_bias":{"50256":-100}})"), "logit_bias");
  EXPECT_EQ(ChatRefusal("{" + user + R"(,"modalities":["text","audio"]})"), "modalities");
  EXPECT_EQ(ChatRefusal("{" + user + R"(,"audio":{"voice":"alloy","format":"mp3"}})"), "audio");
  EXPECT_EQ(ChatRefusal("{" + user + R"(,"functions":[{"name":"f"}]})"), "functions");
  EXPECT_EQ(ChatRefusal("{" + user + R"(,"max_tokens":0})"), "max_tokens");
  EXPECT_EQ(ChatRefusal("{" + user + R"(,"max_completion_tokens":"lots"})"), "max_completion_tokens");
  EXPECT_EQ(ChatRefusal("{" + user + R"(,"temperature":"hot"})"), "temperature");
  EXPECT_EQ(ChatRefusal("{" + user + R"(,"stop":[1]})"), "stop");
  EXPECT_EQ(ChatRefusal("{" + user + R"(,"reasoning_effort":"extreme"})"), "reasoning_effort");
  // What stays allowed: the defaults a client library sends.
  EXPECT_TRUE(ChatRequestToMessages(Obj("{" + user + R"(,"n":1,"logprobs":false,"top_logprobs":null,
    "logit_bias":{},"modalities":["text"],"seed":1,"frequency_penalty":0.5})"), "m"));
}

TEST(ChatRequestToMessagesTest, RefusesMalformedConversations) {
  EXPECT_EQ(ChatRefusal(R"({})"), "messages");
  EXPECT_EQ(ChatRefusal(R"({"messages":[]})"), "messages");
  EXPECT_EQ(ChatRefusal(R"({"messages":[{"role":"system","content":"only rules"}]})"), "messages");
  EXPECT_EQ(ChatRefusal(R"({"messages":[{"role":"user","content":"x"},{"role":"robot","content":"y"}]})"),
            "messages[1].role");
  EXPECT_EQ(ChatRefusal(R"({"messages":[{"role":"function","name":"f","content":"y"}]})"), "messages[0].role");
  EXPECT_EQ(ChatRefusal(R"({"messages":[{"role":"user","content":42}]})"), "messages[0].content");
  EXPECT_EQ(ChatRefusal(R"({"messages":[{"role":"user","content":"x"},{"role":"tool","content":"r"}]})"),
            "messages[1].tool_call_id");
  EXPECT_EQ(ChatRefusal(R"({"messages":[{"role":"user","content":"x"},{"role":"assistant","tool_calls":[
    {"id":"c","type":"function","function":{"name":"f","arguments":"{\"a\":"}}]}]})"),
            "messages[1].tool_calls[0].function.arguments");
  EXPECT_EQ(ChatRefusal(R"({"messages":[{"role":"user","content":"x"},{"role":"assistant","tool_calls":[
    {"id":"c","type":"function","function":{"name":"f","arguments":"[1,2]"}}]}]})"),
            "messages[1].tool_calls[0].function.arguments");
  EXPECT_EQ(ChatRefusal(R"({"messages":[{"role":"user","content":"x"},{"role":"assistant","tool_calls":[
    {"type":"function","function":{"name":"f","arguments":"{}"}}]}]})"), "messages[1].tool_calls[0].id");
}

TEST(ChatRequestToMessagesTest, SkipsEmptyMessagesAnthropicWouldRefuse) {
  const json::object out = ToMessages(R"({"messages": [
    {"role": "user", "content": "a"}, {"role": "assistant", "content": ""},
    {"role": "user", "content": [{"type": "text", "text": ""}]}, {"role": "user", "content": "b"}]})");
  EXPECT_EQ(out.at("messages"), Val(R"([{"role":"user","content":[{"type":"text","text":"a"},
                                        {"type":"text","text":"b"}]}])"));
}

TEST(ChatRequestToMessagesTest, MapsToolsAndEveryToolChoice) {
  const std::string tools = R"("messages":[{"role":"user","content":"x"}],"tools":[
    {"type":"function","function":{"name":"get_weather","description":"Weather now",
      "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"strict":true}},
    {"type":"function","function":{"name":"ping"}}])";
  const json::object plain = ToMessages("{" + tools + "}");
  EXPECT_EQ(plain.at("tools"), Val(R"([
    {"name":"get_weather","description":"Weather now",
     "input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},
    {"name":"ping","input_schema":{"type":"object","properties":{}}}])"));
  EXPECT_FALSE(plain.contains("tool_choice"));

  struct Case {
    std::string_view choice;
    std::string_view expected;
  };
  for (const Case& c : {
           Case{R"("auto")", R"({"type":"auto"})"},
           Case{R"("none")", R"({"type":"none"})"},
           Case{R"("required")", R"({"type":"any"})"},
           Case{R"({"type":"function","function":{"name":"ping"}})", R"({"type":"tool","name":"ping"})"},
       }) {
    const json::object out = ToMessages("{" + tools + R"(,"tool_choice":)" + std::string(c.choice) + "}");
    EXPECT_EQ(out.at("tool_choice"), Val(c.expected)) << c.choice;
  }
  EXPECT_EQ(ToMessages("{" + tools + R"(,"parallel_tool_calls":false})").at("tool_choice"),
            Val(R"({"type":"auto","disable_parallel_tool_use":true})"));
  EXPECT_EQ(ToMessages("{" + tools + R"(,"tool_choice":"required","parallel_tool_calls":false})").at("tool_choice"),
            Val(R"({"type":"any","disable_parallel_tool_use":true})"));
  EXPECT_EQ(ToMessages("{" + tools + R"(,"tool_choice":"none","parallel_tool_calls":false})").at("tool_choice"),
            Val(R"({"type":"none"})"));
  // Without tools there is nothing to choose.
  EXPECT_FALSE(ToMessages(R"({"messages":[{"role":"user","content":"x"}],"tool_choice":"required"})")
                   .contains("tool_choice"));
}

TEST(ChatRequestToMessagesTest, RefusesToolsAnthropicCannotCall) {
  EXPECT_EQ(ChatRefusal(R"({"messages":[{"role":"user","content":"x"}],"tools":[{"type":"custom","custom":{}}]})"),
            "tools[0].type");
  EXPECT_EQ(ChatRefusal(R"({"messages":[{"role":"user","content":"x"}],"tools":[
    {"type":"function","function":{"name":"strata_json_output"}}]})"), "tools[0].function.name");
  EXPECT_EQ(ChatRefusal(R"({"messages":[{"role":"user","content":"x"}],"tools":[
    {"type":"function","function":{}}]})"), "tools[0].function.name");
  EXPECT_EQ(ChatRefusal(R"({"messages":[{"role":"user","content":"x"}],"tool_choice":"sometimes"})"), "tool_choice");
  EXPECT_EQ(ChatRefusal(R"({"messages":[{"role":"user","content":"x"}],
    "tool_choice":{"type":"allowed_tools","allowed_tools":{}}})"), "tool_choice");
}

TEST(ChatRequestToMessagesTest, ForcesTheJsonOutputToolForAJsonSchema) {
  const json::object out = ToMessages(R"({"messages":[{"role":"user","content":"Extract"}],
    "response_format":{"type":"json_schema","json_schema":{"name":"person","strict":true,
      "description":"A person.","schema":{"type":"object","properties":{"name":{"type":"string"}}}}}})");
  ASSERT_EQ(out.at("tools").as_array().size(), 1u);
  const json::object& tool = out.at("tools").at(0).as_object();
  EXPECT_EQ(tool.at("name"), "strata_json_output");
  EXPECT_EQ(tool.at("input_schema"), Val(R"({"type":"object","properties":{"name":{"type":"string"}}})"));
  EXPECT_NE(std::string_view(tool.at("description").as_string()).find("A person."), std::string_view::npos);
  EXPECT_EQ(out.at("tool_choice"), Val(R"({"type":"tool","name":"strata_json_output"})"));
}

TEST(ChatRequestToMessagesTest, OffersTheJsonOutputToolBesideClientTools) {
  const std::string base = R"("messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_object"},
    "tools":[{"type":"function","function":{"name":"lookup"}}])";
  const json::object out = ToMessages("{" + base + "}");
  ASSERT_EQ(out.at("tools").as_array().size(), 2u);
  EXPECT_EQ(out.at("tools").at(1).at("name"), "strata_json_output");
  EXPECT_EQ(out.at("tools").at(1).at("input_schema"), Val(R"({"type":"object"})"));
  EXPECT_EQ(out.at("tool_choice"), Val(R"({"type":"any"})"));
  EXPECT_EQ(ToMessages("{" + base + R"(,"tool_choice":"none"})").at("tool_choice"),
            Val(R"({"type":"tool","name":"strata_json_output"})"));
  EXPECT_EQ(ToMessages("{" + base + R"(,"tool_choice":{"type":"function","function":{"name":"lookup"}}})")
                .at("tool_choice"), Val(R"({"type":"tool","name":"lookup"})"));
  EXPECT_FALSE(ToMessages(R"({"messages":[{"role":"user","content":"x"}],"response_format":{"type":"text"}})")
                   .contains("tools"));
  EXPECT_EQ(ChatRefusal(R"({"messages":[{"role":"user","content":"x"}],"response_format":{"type":"yaml"}})"),
            "response_format.type");
}

TEST(ChatRequestToMessagesTest, TurnsReasoningEffortIntoAThinkingBudget) {
  const json::object out = ToMessages(R"({"messages":[{"role":"user","content":"x"}],
    "reasoning_effort":"medium","temperature":0.2,"top_p":0.5})");
  EXPECT_EQ(out.at("thinking"), Val(R"({"type":"enabled","budget_tokens":4096})"));
  EXPECT_EQ(out.at("max_tokens"), 4096 + 4096);
  // Anthropic refuses sampling changes while thinking.
  EXPECT_FALSE(out.contains("temperature"));
  EXPECT_FALSE(out.contains("top_p"));

  // The budget lives inside the client's limit, as OpenAI counts reasoning.
  const json::object capped = ToMessages(R"({"messages":[{"role":"user","content":"x"}],
    "reasoning_effort":"high","max_completion_tokens":8000})");
  EXPECT_EQ(capped.at("thinking"), Val(R"({"type":"enabled","budget_tokens":7999})"));
  EXPECT_EQ(capped.at("max_tokens"), 8000);
  EXPECT_EQ(ChatRefusal(R"({"messages":[{"role":"user","content":"x"}],"reasoning_effort":"low",
    "max_completion_tokens":1000})"), "max_completion_tokens");
  EXPECT_FALSE(ToMessages(R"({"messages":[{"role":"user","content":"x"}],"reasoning_effort":"minimal"})")
                   .contains("thinking"));
}

TEST(ChatRequestToMessagesTest, AsksInWordsForJsonWhenThinkingForbidsForcedTools) {
  const json::object out = ToMessages(R"({"messages":[{"role":"system","content":"Rules."},
    {"role":"user","content":"x"}],"reasoning_effort":"low","response_format":{"type":"json_object"}})");
  EXPECT_EQ(out.at("tool_choice"), Val(R"({"type":"auto"})"));
  ASSERT_TRUE(out.at("system").is_array());
  EXPECT_EQ(out.at("system").as_array().size(), 2u);
  EXPECT_NE(std::string_view(out.at("system").at(1).at("text").as_string()).find("strata_json_output"),
            std::string_view::npos);
}

TEST(ChatRequestToMessagesTest, PassesAnthropicThinkingAndSignedBlocksThrough) {
  const json::object out = ToMessages(R"({"messages":[{"role":"user","content":"x"},
    {"role":"assistant","content":"Calling.","reasoning_content":"I should call f.",
     "thinking_blocks":[{"type":"thinking","thinking":"I should call f.","signature":"sig=="},
                        {"type":"redacted_thinking","data":"opaque"}, {"type":"bogus"}],
     "tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"f","arguments":"{}"}}]},
    {"role":"tool","tool_call_id":"toolu_1","content":"ok"}],
    "thinking":{"type":"enabled","budget_tokens":2048},"max_tokens":5000,"top_k":5})");
  EXPECT_EQ(out.at("thinking"), Val(R"({"type":"enabled","budget_tokens":2048})"));
  EXPECT_FALSE(out.contains("top_k"));
  EXPECT_EQ(out.at("messages").at(1).at("content"), Val(R"([
    {"type":"thinking","thinking":"I should call f.","signature":"sig=="},
    {"type":"redacted_thinking","data":"opaque"},
    {"type":"text","text":"Calling."},
    {"type":"tool_use","id":"toolu_1","name":"f","input":{}}])"));
  EXPECT_EQ(ToMessages(R"({"messages":[{"role":"user","content":"x"}],"top_k":5})").at("top_k"), 5);
}

// --- Anthropic Messages → OpenAI chat ---------------------------------------

TEST(MessagesRequestToChatTest, MapsASimpleRequest) {
  const json::object out = ToChat(R"({"model":"claude","max_tokens":1024,"system":"Be brief.",
    "messages":[{"role":"user","content":"Hi"}],"temperature":0.3,"top_p":0.8,"top_k":40,
    "stop_sequences":["END"],"stream":true,"metadata":{"user_id":"u-42"},
    "thinking":{"type":"enabled","budget_tokens":2048},"service_tier":"auto"})");
  EXPECT_EQ(json::value(out), Val(R"({"model":"gpt-4.1",
    "messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}],
    "max_tokens":1024,"stop":["END"],"temperature":0.3,"top_p":0.8,"stream":true,
    "stream_options":{"include_usage":true},"user":"u-42"})"));
}

TEST(MessagesRequestToChatTest, KeepsSystemBlocksApartAsTextParts) {
  const json::object out = ToChat(R"({"max_tokens":10,"messages":[{"role":"user","content":"x"}],
    "system":[{"type":"text","text":"One.","cache_control":{"type":"ephemeral"}},{"type":"text","text":"Two."}]})");
  EXPECT_EQ(out.at("messages").at(0), Val(R"({"role":"system","content":[
    {"type":"text","text":"One."},{"type":"text","text":"Two."}]})"));
}

TEST(MessagesRequestToChatTest, MapsImagesAndDocuments) {
  const json::object out = ToChat(R"({"max_tokens":10,"messages":[{"role":"user","content":[
    {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
    {"type":"image","source":{"type":"url","url":"https://example.com/a.jpg"}},
    {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0x"},"title":"q3.pdf"},
    {"type":"document","source":{"type":"text","media_type":"text/plain","data":"plain words"}},
    {"type":"text","text":"Describe"}]}]})");
  EXPECT_EQ(out.at("messages").at(0).at("content"), Val(R"([
    {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
    {"type":"image_url","image_url":{"url":"https://example.com/a.jpg"}},
    {"type":"file","file":{"filename":"q3.pdf","file_data":"data:application/pdf;base64,JVBERi0x"}},
    {"type":"text","text":"plain words"},
    {"type":"text","text":"Describe"}])"));
}

TEST(MessagesRequestToChatTest, MapsToolUseAndResultsToToolCallsAndToolMessages) {
  const json::object out = ToChat(R"({"max_tokens":10,"messages":[
    {"role":"user","content":"Weather and time?"},
    {"role":"assistant","content":[
      {"type":"thinking","thinking":"Two calls.","signature":"sig"},
      {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}},
      {"type":"tool_use","id":"toolu_2","name":"get_time","input":{}}]},
    {"role":"user","content":[
      {"type":"tool_result","tool_use_id":"toolu_1","content":"18C"},
      {"type":"tool_result","tool_use_id":"toolu_2","content":[{"type":"text","text":"14:00"}],"is_error":false},
      {"type":"text","text":"And tomorrow?"}]},
    {"role":"assistant","content":[{"type":"text","text":"Sunny"},{"type":"text","text":" and warm."}]}]})");
  EXPECT_EQ(out.at("messages"), Val(R"([
    {"role":"user","content":"Weather and time?"},
    {"role":"assistant","content":null,"tool_calls":[
      {"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
      {"id":"toolu_2","type":"function","function":{"name":"get_time","arguments":"{}"}}]},
    {"role":"tool","tool_call_id":"toolu_1","content":"18C"},
    {"role":"tool","tool_call_id":"toolu_2","content":"14:00"},
    {"role":"user","content":"And tomorrow?"},
    {"role":"assistant","content":"Sunny and warm."}])"));
}

TEST(MessagesRequestToChatTest, MovesToolResultImagesIntoAUserMessageAfterTheToolMessages) {
  const json::object out = ToChat(R"({"max_tokens":10,"messages":[
    {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[
      {"type":"text","text":"Screenshot:"},
      {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]}]}]})");
  EXPECT_EQ(out.at("messages"), Val(R"([
    {"role":"tool","tool_call_id":"toolu_1","content":"Screenshot:"},
    {"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}])"));
}

TEST(MessagesRequestToChatTest, MapsToolsAndEveryToolChoice) {
  const std::string tools = R"("max_tokens":10,"messages":[{"role":"user","content":"x"}],"tools":[
    {"name":"get_weather","description":"Weather now","input_schema":{"type":"object","properties":{}},
     "cache_control":{"type":"ephemeral"}}])";
  EXPECT_EQ(ToChat("{" + tools + "}").at("tools"), Val(R"([{"type":"function","function":{
    "name":"get_weather","description":"Weather now","parameters":{"type":"object","properties":{}}}}])"));
  struct Case {
    std::string_view choice;
    std::string_view expected;
  };
  for (const Case& c : {
           Case{R"({"type":"auto"})", R"("auto")"},
           Case{R"({"type":"any"})", R"("required")"},
           Case{R"({"type":"none"})", R"("none")"},
           Case{R"({"type":"tool","name":"get_weather"})", R"({"type":"function","function":{"name":"get_weather"}})"},
       }) {
    const json::object out = ToChat("{" + tools + R"(,"tool_choice":)" + std::string(c.choice) + "}");
    EXPECT_EQ(out.at("tool_choice"), Val(c.expected)) << c.choice;
    EXPECT_FALSE(out.contains("parallel_tool_calls"));
  }
  const json::object serial = ToChat("{" + tools + R"(,"tool_choice":{"type":"any","disable_parallel_tool_use":true}})");
  EXPECT_EQ(serial.at("parallel_tool_calls"), false);
  EXPECT_EQ(MessagesRefusal("{" + tools + R"(,"tool_choice":{"type":"sometimes"}})"), "tool_choice.type");
}

TEST(MessagesRequestToChatTest, RefusesWhatOpenAICompatibleModelsCannotDo) {
  EXPECT_EQ(MessagesRefusal(R"({"messages":[{"role":"user","content":"x"}]})"), "max_tokens");
  EXPECT_EQ(MessagesRefusal(R"({"max_tokens":0,"messages":[{"role":"user","content":"x"}]})"), "max_tokens");
  EXPECT_EQ(MessagesRefusal(R"({"max_tokens":5,"messages":[]})"), "messages");
  EXPECT_EQ(MessagesRefusal(R"({"max_tokens":5,"messages":[{"role":"system","content":"x"}]})"), "messages[0].role");
  EXPECT_EQ(MessagesRefusal(R"({"max_tokens":5,"messages":[{"role":"user"}]})"), "messages[0].content");
  EXPECT_EQ(MessagesRefusal(R"({"max_tokens":5,"messages":[{"role":"user","content":"x"}],
    "tools":[{"type":"web_search_20250305","name":"web_search"}]})"), "tools[0].type");
  EXPECT_EQ(MessagesRefusal(R"({"max_tokens":5,"messages":[{"role":"user","content":[
    {"type":"image","source":{"type":"file","file_id":"file_1"}}]}]})"), "messages[0].content[0].source");
  EXPECT_EQ(MessagesRefusal(R"({"max_tokens":5,"messages":[{"role":"user","content":[
    {"type":"document","source":{"type":"url","url":"https://x/y.pdf"}}]}]})"), "messages[0].content[0].source");
  EXPECT_EQ(MessagesRefusal(R"({"max_tokens":5,"messages":[{"role":"assistant","content":[
    {"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}]}]})"), "messages[0].content[0]");
  EXPECT_EQ(MessagesRefusal(R"({"max_tokens":5,"messages":[{"role":"user","content":"x"}],"system":[
    {"type":"image"}]})"), "system[0]");
  EXPECT_EQ(MessagesRefusal(R"({"max_tokens":5,"messages":[{"role":"user","content":"x"}],"stop_sequences":"END"})"),
            "stop_sequences");
}

// A conversation already in alternating form survives chat → Messages → chat.
TEST(RequestRoundTripTest, ChatToMessagesToChatKeepsAnAlternatingConversation) {
  const json::object chat = Obj(R"({"model":"gpt-4.1","max_tokens":300,"messages":[
    {"role":"system","content":"Be brief."},
    {"role":"user","content":"Weather?"},
    {"role":"assistant","content":null,"tool_calls":[
      {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
    {"role":"tool","tool_call_id":"call_1","content":"18C"},
    {"role":"assistant","content":"It is 18C."}],
    "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{}}}}],
    "tool_choice":"required","parallel_tool_calls":false,"stop":["END"],"temperature":0.5,"user":"u"})");
  auto messages = ChatRequestToMessages(chat, "claude");
  ASSERT_TRUE(messages);
  auto back = MessagesRequestToChat(*messages, "gpt-4.1");
  ASSERT_TRUE(back);
  EXPECT_EQ(json::value(*back), json::value(chat));
}

}  // namespace
}  // namespace strata::providers::anthropic
