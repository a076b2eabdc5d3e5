#include "gateway/guard/request_guard.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "gateway/guard/text_fields.h"
#include "gateway/stages/guard_stage.h"

namespace strata::gateway {
namespace {

namespace json = boost::json;

std::shared_ptr<const policy::Policy> PolicyOf(std::string_view yaml) {
  auto document = policy::ParseDocument(yaml, "test.yaml", "", "test");
  EXPECT_TRUE(document) << document.error().message();
  return std::make_shared<policy::Policy>(std::vector<std::shared_ptr<const policy::Document>>{*document});
}

constexpr std::string_view kRedactAndRestore = R"(
rules:
  - name: pii
    then:
      input: {EMAIL: redact, CREDIT_CARD: mask, SECRET: block, default: flag}
      output: {EMAIL: redact, default: flag}
      log_content: full
)";

core::Exchange ChatExchange(std::string_view user_text) {
  core::Exchange exchange;
  exchange.format = core::ApiFormat::kOpenAiChat;
  exchange.principal.tenant = "ten_1";
  exchange.principal.key_id = "key_1";
  exchange.model = "gpt-4o";
  json::value body = json::parse(R"({"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},
      {"role":"user","content":[{"type":"text","text":"x"}]}]})");
  body.at("messages").at(1).at("content").at(0).at("text") = user_text;
  exchange.body = std::move(body.get_object());
  return exchange;
}

std::string UserText(core::Exchange& exchange) {
  return std::string(exchange.body.at("messages").at(1).at("content").at(0).at("text").as_string());
}

std::string ChatAnswer(std::string_view content) {
  json::object answer{{"id", "c1"},
                      {"object", "chat.completion"},
                      {"choices", json::array{json::object{{"index", 0},
                                                           {"message", json::object{{"role", "assistant"}, {"content", content}}},
                                                           {"finish_reason", "stop"}}}}};
  return json::serialize(answer);
}

std::string ContentOf(const std::string& answer) {
  return std::string(json::parse(answer).at("choices").at(0).at("message").at("content").as_string());
}

TEST(RequestGuardTest, RedactsThePromptAndRestoresTheCallersValuesInTheAnswer) {
  RequestGuard guard(GuardStage::SharedScanner(), PolicyOf(kRedactAndRestore));
  core::Exchange exchange = ChatExchange("Email ann@example.com, card 4111-1111-1111-1111.");
  ASSERT_TRUE(guard.Inspect(exchange, 0));
  EXPECT_EQ(UserText(exchange), "Email <EMAIL_1>, card ************1111.");

  core::Result<std::string> answer = guard.FilterAnswer(ChatAnswer("Sent to <EMAIL_1>; cc eve@example.net."));
  ASSERT_TRUE(answer);
  // The caller's own address comes back; the one the model made up is redacted.
  EXPECT_EQ(ContentOf(*answer), "Sent to ann@example.com; cc <EMAIL_2>.");
}

TEST(RequestGuardTest, AnAnswerWithNothingToChangeIsPassedOnByteForByte) {
  RequestGuard guard(GuardStage::SharedScanner(), PolicyOf(kRedactAndRestore));
  core::Exchange exchange = ChatExchange("What is 2 + 2?");
  ASSERT_TRUE(guard.Inspect(exchange, 0));
  const std::string vendor = R"({"choices":[{"index":0,"message":{"content":"4"}}],"temperature":0.7})";
  EXPECT_EQ(*guard.FilterAnswer(vendor), vendor);
}

TEST(RequestGuardTest, BlocksARequestCarryingASecretAndSaysWhereWithoutTheValue) {
  RequestGuard guard(GuardStage::SharedScanner(), PolicyOf(kRedactAndRestore));
  core::Exchange exchange = ChatExchange("my key is sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD");
  core::Status inspected = guard.Inspect(exchange, 0);
  ASSERT_FALSE(inspected);
  EXPECT_EQ(inspected.error().code(), core::ErrorCode::kPolicyBlocked);
  EXPECT_NE(inspected.error().message().find("SECRET (messages[1].content[0].text)"), std::string::npos);
  const std::string record = guard.DecisionRecord();
  EXPECT_NE(record.find(R"("blocked":true)"), std::string::npos) << record;
  EXPECT_EQ(record.find("sk-proj-abcdef"), std::string::npos) << "a decision record never holds a value";
}

TEST(RequestGuardTest, DecisionRecordListsFindingsWithPlacesAndActionsButNoValues) {
  RequestGuard guard(GuardStage::SharedScanner(), PolicyOf(kRedactAndRestore));
  core::Exchange exchange = ChatExchange("Email ann@example.com please");
  ASSERT_TRUE(guard.Inspect(exchange, 0));
  ASSERT_TRUE(guard.FilterAnswer(ChatAnswer("Done, <EMAIL_1>.")));
  const json::value record = json::parse(guard.DecisionRecord());
  EXPECT_EQ(record.at("policy").at(0), "test");
  EXPECT_EQ(record.at("matched_rules").at(0), "test/pii");
  const json::object& finding = record.at("findings").at(0).as_object();
  EXPECT_EQ(finding.at("direction"), "input");
  EXPECT_EQ(finding.at("path"), "messages[1].content[0].text");
  EXPECT_EQ(finding.at("type"), "EMAIL");
  EXPECT_EQ(finding.at("begin"), 6);
  EXPECT_EQ(finding.at("end"), 21);
  EXPECT_EQ(finding.at("action"), "redact");
  EXPECT_EQ(record.at("redacted"), 1);
  EXPECT_EQ(json::serialize(record).find("ann@"), std::string::npos);
}

TEST(RequestGuardTest, LogsContentAsThePolicySays) {
  const auto logged = [](std::string_view log_content) {
    const std::string yaml = "rules:\n  - name: log\n    then:\n      log_content: " + std::string(log_content) + "\n";
    RequestGuard guard(GuardStage::SharedScanner(), PolicyOf(yaml));
    core::Exchange exchange = ChatExchange("I am ann@example.com");
    EXPECT_TRUE(guard.Inspect(exchange, 0));
    EXPECT_TRUE(guard.FilterAnswer(ChatAnswer("Hello ann@example.com")));
    return guard.LoggedContent();
  };
  const std::optional<std::string> full = logged("full");
  ASSERT_TRUE(full);
  EXPECT_NE(full->find("I am ann@example.com"), std::string::npos);
  EXPECT_NE(full->find("Hello ann@example.com"), std::string::npos);
  const std::optional<std::string> redacted = logged("redacted");
  ASSERT_TRUE(redacted);
  EXPECT_EQ(redacted->find("ann@example.com"), std::string::npos) << *redacted;
  EXPECT_NE(redacted->find("Hello <EMAIL_1>"), std::string::npos) << *redacted;
  EXPECT_FALSE(logged("none"));
}

// An OpenAI chat stream of `text` cut at `cuts`, then finished.
std::vector<http::SseEvent> ChatStream(std::string_view text, const std::vector<std::size_t>& cuts) {
  std::vector<http::SseEvent> events;
  std::size_t from = 0;
  const auto chunk = [&](std::string_view piece) {
    json::object event{{"id", "c1"},
                       {"object", "chat.completion.chunk"},
                       {"choices", json::array{json::object{{"index", 0},
                                                            {"delta", json::object{{"content", piece}}},
                                                            {"finish_reason", nullptr}}}}};
    events.push_back({"", json::serialize(event), {}});
  };
  for (std::size_t cut : cuts) {
    chunk(text.substr(from, cut - from));
    from = cut;
  }
  chunk(text.substr(from));
  events.push_back({"", R"({"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})", {}});
  events.push_back({"", "[DONE]", {}});
  return events;
}

// What the client reads from the filtered events, and whether the stream
// ended properly (the finish chunk and [DONE] after all text).
std::string ClientText(const std::vector<http::SseEvent>& events) {
  std::string text;
  bool finished = false;
  for (const http::SseEvent& event : events) {
    if (event.data == "[DONE]") continue;
    json::value parsed = json::parse(event.data);
    const json::value& choice = parsed.at("choices").at(0);
    EXPECT_FALSE(finished) << "text after the finish chunk";
    if (const json::value* content = choice.at("delta").as_object().if_contains("content")) {
      text += content->as_string();
    }
    finished = !choice.at("finish_reason").is_null();
  }
  EXPECT_TRUE(finished);
  EXPECT_EQ(events.back().data, "[DONE]");
  return text;
}

TEST(RequestGuardTest, AStreamSplitAtEveryByteGetsTheSameTextAsTheWholeAnswer) {
  const std::string answer =
      "Sure. I wrote to <EMAIL_1> and to eve@example.net, then filed it. The key was AKIAIOSFODNN7EXAMPLE ok.";
  const std::string expected = "Sure. I wrote to ann@example.com and to <EMAIL_2>, then filed it. The key was <SECRET_1> ok.";
  constexpr std::string_view kPolicy = R"(
rules:
  - name: out
    then:
      input: {EMAIL: redact}
      output: {EMAIL: redact, SECRET: redact}
)";
  for (std::size_t a = 1; a < answer.size(); ++a) {
    for (std::size_t b : {a, std::min(a + 7, answer.size() - 1)}) {
      RequestGuard guard(GuardStage::SharedScanner(), PolicyOf(kPolicy));
      core::Exchange exchange = ChatExchange("I am ann@example.com");
      ASSERT_TRUE(guard.Inspect(exchange, 0));
      std::vector<http::SseEvent> out;
      for (const http::SseEvent& event : ChatStream(answer, {a, b})) {
        ASSERT_TRUE(guard.FilterEvent(event.event, event.data, out));
        for (const http::SseEvent& sent : out) {
          ASSERT_EQ(sent.data.find("eve@"), std::string::npos) << "cut at " << a;
          ASSERT_EQ(sent.data.find("AKIAIOSFODNN7"), std::string::npos) << "cut at " << a;
        }
      }
      guard.FinishStream();
      ASSERT_EQ(ClientText(out), expected) << "cut at " << a << ", " << b;
      // The decision record counts what the stream had redacted: the new email and the key.
      ASSERT_EQ(json::parse(guard.DecisionRecord()).at("redacted"), 3) << "cut at " << a;
    }
  }
}

TEST(RequestGuardTest, AStreamIsStoppedAtABlockedFindingBeforeAnyOfItIsSent) {
  constexpr std::string_view kPolicy = "rules:\n  - name: b\n    then:\n      output: {SECRET: block}\n";
  const std::string answer = "Here you go: AKIAIOSFODNN7EXAMPLE and more text after it.";
  for (std::size_t cut = 1; cut < answer.size(); ++cut) {
    RequestGuard guard(GuardStage::SharedScanner(), PolicyOf(kPolicy));
    core::Exchange exchange = ChatExchange("hello");
    ASSERT_TRUE(guard.Inspect(exchange, 0));
    std::vector<http::SseEvent> out;
    core::Status status;
    for (const http::SseEvent& event : ChatStream(answer, {cut})) {
      status = guard.FilterEvent(event.event, event.data, out);
      if (!status) break;
    }
    ASSERT_FALSE(status) << "cut at " << cut;
    EXPECT_EQ(status.error().code(), core::ErrorCode::kPolicyBlocked);
    for (const http::SseEvent& sent : out) EXPECT_EQ(sent.data.find("AKIA"), std::string::npos) << "cut at " << cut;
  }
}

TEST(RequestGuardTest, AnthropicTextBlocksAreRestoredAndFlushedBeforeTheirStop) {
  constexpr std::string_view kPolicy = "rules:\n  - name: r\n    then:\n      input: {EMAIL: redact}\n      output: {EMAIL: redact}\n";
  RequestGuard guard(GuardStage::SharedScanner(), PolicyOf(kPolicy));
  core::Exchange exchange;
  exchange.format = core::ApiFormat::kAnthropicMessages;
  exchange.body = json::parse(R"({"model":"claude","max_tokens":10,"system":"mail ann@example.com",
      "messages":[{"role":"user","content":"hi"}]})").get_object();
  ASSERT_TRUE(guard.Inspect(exchange, 0));
  EXPECT_EQ(exchange.body.at("system"), "mail <EMAIL_1>");
  std::vector<http::SseEvent> out;
  const auto delta = [](std::string_view text) {
    return json::serialize(json::object{{"type", "content_block_delta"}, {"index", 0},
                                        {"delta", json::object{{"type", "text_delta"}, {"text", text}}}});
  };
  for (const std::string& piece : {std::string("Wrote <EMA"), std::string("IL_1> ok")}) {
    ASSERT_TRUE(guard.FilterEvent("content_block_delta", delta(piece), out));
  }
  ASSERT_TRUE(guard.FilterEvent("content_block_stop", R"({"type":"content_block_stop","index":0})", out));
  std::string text;
  for (const http::SseEvent& event : out) {
    json::value parsed = json::parse(event.data);
    if (parsed.at("type") == "content_block_delta") text += parsed.at("delta").at("text").as_string();
  }
  EXPECT_EQ(text, "Wrote ann@example.com ok");
  EXPECT_EQ(out.back().event, "content_block_stop");
}

TEST(TextFieldsTest, FindsTheTextsOfEachApi) {
  json::object chat = json::parse(R"({"messages":[{"role":"user","content":"a"},
      {"role":"user","content":[{"type":"image_url","image_url":{"url":"u"}},{"type":"text","text":"b"}]}]})").get_object();
  std::vector<TextField> fields = RequestTexts(core::ApiFormat::kOpenAiChat, chat);
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].path, "messages[0].content");
  EXPECT_EQ(fields[1].path, "messages[1].content[1].text");
  json::object embeddings = json::parse(R"({"input":["a",[1,2],"c"]})").get_object();
  fields = RequestTexts(core::ApiFormat::kOpenAiEmbeddings, embeddings);
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[1].path, "input[2]");
  json::object completion = json::parse(R"({"choices":[{"text":"x"},{"text":"y"}]})").get_object();
  fields = AnswerTexts(core::ApiFormat::kOpenAiCompletions, completion);
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(*fields[1].text, "y");
}

}  // namespace
}  // namespace strata::gateway
