#include "mock_llm/internal/handlers.h"

#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "fake_responder.h"

namespace strata::mock_llm {
namespace {

namespace json = boost::json;
namespace beast_http = boost::beast::http;
using std::chrono::milliseconds;
using testing::FakeResponder;
using testing::RunToCompletion;

constexpr std::string_view kChat = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello"}]})";
constexpr std::string_view kChatStream =
    R"({"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hello"}]})";
constexpr std::string_view kMessage =
    R"({"model":"claude","max_tokens":100,"messages":[{"role":"user","content":"hello"}]})";
constexpr std::string_view kMessageStream =
    R"({"model":"claude","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hello"}]})";

using HandlerFunction = asio::awaitable<void> (*)(Context&, const http::Request&, http::Responder&);

class MockLlmHandlersTest : public ::testing::Test {
 protected:
  http::Request Post(std::string_view target, std::string_view body,
                     std::initializer_list<std::pair<std::string_view, std::string_view>> headers = {}) {
    http::Request request(beast_http::verb::post, target, 11);
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    return request;
  }

  milliseconds Run(HandlerFunction handler, const http::Request& request) {
    return RunToCompletion(io_, handler(*context_, request, responder_));
  }

  json::value SentJson() {
    EXPECT_TRUE(responder_.sent);
    return responder_.sent ? json::parse(responder_.sent->body()) : json::value();
  }

  void UseOptions(MockLlmOptions options) {
    context_ = std::make_unique<Context>(std::make_shared<const MockLlmOptions>(std::move(options)));
  }

  asio::io_context io_;
  std::unique_ptr<Context> context_ = std::make_unique<Context>(std::make_shared<const MockLlmOptions>());
  FakeResponder responder_;
};

TEST_F(MockLlmHandlersTest, ChatAnswersWithAJsonCompletion) {
  Run(&HandleChatCompletions, Post("/v1/chat/completions", kChat));
  ASSERT_TRUE(responder_.sent);
  EXPECT_EQ(responder_.sent->result_int(), 200u);
  EXPECT_EQ(responder_.sent->at(beast_http::field::content_type), "application/json");
  const json::value answer = SentJson();
  EXPECT_EQ(answer.at("id"), "chatcmpl-test-request");
  EXPECT_EQ(answer.at("choices").at(0).at("message").at("content"), "Mock reply to: hello");
  EXPECT_FALSE(responder_.head);
}

TEST_F(MockLlmHandlersTest, ChatStreamsEventsThenFinishes) {
  Run(&HandleChatCompletions, Post("/v1/chat/completions", kChatStream, {{"x-mock-chunks", "2"}}));
  ASSERT_TRUE(responder_.head);
  EXPECT_EQ(responder_.head->at(beast_http::field::content_type), "text/event-stream");
  ASSERT_EQ(responder_.events.size(), 5u);  // role, 2 pieces, finish, [DONE]
  EXPECT_EQ(responder_.events.back().data, "[DONE]");
  EXPECT_TRUE(responder_.finished);
  EXPECT_FALSE(responder_.aborted);
}

TEST_F(MockLlmHandlersTest, MalformedJsonGets400InEachVendorsEnvelope) {
  Run(&HandleChatCompletions, Post("/v1/chat/completions", "{\"model\":"));
  EXPECT_EQ(responder_.sent->result_int(), 400u);
  EXPECT_EQ(SentJson().at("error").at("type"), "invalid_request_error");

  responder_.sent.reset();
  Run(&HandleMessages, Post("/v1/messages", "not json"));
  EXPECT_EQ(responder_.sent->result_int(), 400u);
  const json::value error = SentJson();
  EXPECT_EQ(error.at("type"), "error");
  EXPECT_EQ(error.at("error").at("type"), "invalid_request_error");
}

TEST_F(MockLlmHandlersTest, MissingModelGets400NamingIt) {
  Run(&HandleChatCompletions, Post("/v1/chat/completions", R"({"messages":[{"role":"user","content":"x"}]})"));
  EXPECT_EQ(responder_.sent->result_int(), 400u);
  EXPECT_EQ(SentJson().at("error").at("param"), "model");
}

TEST_F(MockLlmHandlersTest, BadKnobHeaderGets400NamingIt) {
  Run(&HandleChatCompletions, Post("/v1/chat/completions", kChat, {{"x-mock-chunks", "zero"}}));
  EXPECT_EQ(responder_.sent->result_int(), 400u);
  EXPECT_EQ(SentJson().at("error").at("param"), "x-mock-chunks");

  responder_.sent.reset();
  Run(&HandleChatCompletions, Post("/v1/chat/completions", kChat, {{"x-mock-fault", "explode"}}));
  EXPECT_EQ(responder_.sent->result_int(), 400u);
  EXPECT_EQ(SentJson().at("error").at("param"), "x-mock-fault");
}

TEST_F(MockLlmHandlersTest, ReplyHeaderSetsTheText) {
  Run(&HandleChatCompletions, Post("/v1/chat/completions", kChat, {{"x-mock-reply", "my card is 4111"}}));
  EXPECT_EQ(SentJson().at("choices").at(0).at("message").at("content"), "my card is 4111");
}

TEST_F(MockLlmHandlersTest, StatusFaultAnswersWithRetryAfterFor429) {
  Run(&HandleChatCompletions, Post("/v1/chat/completions", kChat, {{"x-mock-fault", "status:429"}}));
  EXPECT_EQ(responder_.sent->result_int(), 429u);
  EXPECT_EQ(responder_.sent->at(beast_http::field::retry_after), "1");
  EXPECT_EQ(SentJson().at("error").at("code"), "rate_limit_exceeded");

  responder_.sent.reset();
  Run(&HandleMessages, Post("/v1/messages", kMessage, {{"x-mock-fault", "status:429"}, {"x-mock-retry-after", "7"}}));
  EXPECT_EQ(responder_.sent->result_int(), 429u);
  EXPECT_EQ(responder_.sent->at(beast_http::field::retry_after), "7");
  EXPECT_EQ(SentJson().at("error").at("type"), "rate_limit_error");

  responder_.sent.reset();
  Run(&HandleMessages, Post("/v1/messages", kMessage, {{"x-mock-fault", "status:529"}}));
  EXPECT_EQ(responder_.sent->result_int(), 529u);
  EXPECT_EQ(responder_.sent->count(beast_http::field::retry_after), 0u);
  EXPECT_EQ(SentJson().at("error").at("type"), "overloaded_error");
}

TEST_F(MockLlmHandlersTest, StatusFaultWinsOverABadBody) {
  Run(&HandleChatCompletions, Post("/v1/chat/completions", "garbage", {{"x-mock-fault", "status:503"}}));
  EXPECT_EQ(responder_.sent->result_int(), 503u);
}

TEST_F(MockLlmHandlersTest, ResetClosesWithoutAnswering) {
  Run(&HandleChatCompletions, Post("/v1/chat/completions", kChatStream, {{"x-mock-fault", "reset"}}));
  EXPECT_TRUE(responder_.aborted);
  EXPECT_FALSE(responder_.sent);
  EXPECT_FALSE(responder_.head);
}

TEST_F(MockLlmHandlersTest, DisconnectSendsKEventsThenCloses) {
  Run(&HandleMessages, Post("/v1/messages", kMessageStream, {{"x-mock-fault", "disconnect:3"}}));
  ASSERT_TRUE(responder_.head);
  ASSERT_EQ(responder_.events.size(), 3u);
  EXPECT_EQ(responder_.events[2].name, "ping");
  EXPECT_TRUE(responder_.aborted);
  EXPECT_FALSE(responder_.finished);
}

TEST_F(MockLlmHandlersTest, DisconnectBeyondTheEndStillClosesBeforeTheLastChunk) {
  Run(&HandleChatCompletions, Post("/v1/chat/completions", kChatStream, {{"x-mock-fault", "disconnect:1000"}}));
  EXPECT_EQ(responder_.events.back().data, "[DONE]");
  EXPECT_TRUE(responder_.aborted);
  EXPECT_FALSE(responder_.finished);
}

TEST_F(MockLlmHandlersTest, DisconnectCutsANonStreamedBody) {
  Run(&HandleChatCompletions,
      Post("/v1/chat/completions", kChat, {{"x-mock-fault", "disconnect:2"}, {"x-mock-chunks", "4"}}));
  ASSERT_TRUE(responder_.head);
  EXPECT_EQ(responder_.head->at(beast_http::field::content_type), "application/json");
  ASSERT_EQ(responder_.chunks.size(), 2u);
  EXPECT_TRUE(responder_.aborted);
  EXPECT_FALSE(responder_.sent);
}

TEST_F(MockLlmHandlersTest, MalformedSendsInvalidJson) {
  Run(&HandleChatCompletions, Post("/v1/chat/completions", kChat, {{"x-mock-fault", "malformed"}}));
  EXPECT_EQ(responder_.sent->result_int(), 200u);
  boost::system::error_code ec;
  json::parse(responder_.sent->body(), ec);
  EXPECT_TRUE(ec);
}

TEST_F(MockLlmHandlersTest, MalformedBreaksTheFirstContentEventOnly) {
  Run(&HandleMessages, Post("/v1/messages", kMessageStream, {{"x-mock-fault", "malformed"}}));
  ASSERT_EQ(responder_.events.size(), 7u + 8u - 1u);  // 8 pieces of text
  int broken = 0;
  for (std::size_t i = 0; i < responder_.events.size(); ++i) {
    boost::system::error_code ec;
    json::parse(responder_.events[i].data, ec);
    if (ec) {
      ++broken;
      EXPECT_EQ(i, 3u);  // the first content_block_delta
    }
  }
  EXPECT_EQ(broken, 1);
  EXPECT_TRUE(responder_.finished);
}

TEST_F(MockLlmHandlersTest, StallWaitsUntilTheClientLeaves) {
  asio::steady_timer leave(io_, milliseconds(30));
  leave.async_wait([this](boost::system::error_code) { responder_.Leave(); });
  const milliseconds took =
      Run(&HandleChatCompletions, Post("/v1/chat/completions", kChat, {{"x-mock-fault", "stall"}}));
  EXPECT_TRUE(responder_.aborted);
  EXPECT_FALSE(responder_.sent);
  EXPECT_TRUE(responder_.gone);           // it ended because the client left...
  EXPECT_LT(took, milliseconds(30'000));  // ...not at the 300 s cap
}

TEST_F(MockLlmHandlersTest, StallGivesUpAtTheCap) {
  MockLlmOptions options;
  options.stall_cap = milliseconds(20);
  UseOptions(options);
  const milliseconds took =
      Run(&HandleChatCompletions, Post("/v1/chat/completions", kChat, {{"x-mock-fault", "stall"}}));
  EXPECT_TRUE(responder_.aborted);
  EXPECT_GE(took, milliseconds(20));
}

TEST_F(MockLlmHandlersTest, StallAfterSendsKEventsThenGoesQuiet) {
  responder_.leave_after_events = 2;  // the client leaves once it has two events
  Run(&HandleChatCompletions, Post("/v1/chat/completions", kChatStream, {{"x-mock-fault", "stall-after:2"}}));
  EXPECT_EQ(responder_.events.size(), 2u);
  EXPECT_TRUE(responder_.aborted);
  EXPECT_FALSE(responder_.finished);
}

TEST_F(MockLlmHandlersTest, AClientThatLeavesEndsTheStream) {
  responder_.leave_after_events = 1;
  Run(&HandleChatCompletions, Post("/v1/chat/completions", kChatStream));
  EXPECT_EQ(responder_.events.size(), 1u);
  EXPECT_FALSE(responder_.finished);
}

TEST_F(MockLlmHandlersTest, LatencyAndSlowFirstByteDelayTheAnswer) {
  const milliseconds took = Run(
      &HandleChatCompletions,
      Post("/v1/chat/completions", kChat, {{"x-mock-latency-ms", "30"}, {"x-mock-fault", "slow-first-byte:30"}}));
  EXPECT_GE(took, milliseconds(60));
  EXPECT_EQ(responder_.sent->result_int(), 200u);
}

TEST_F(MockLlmHandlersTest, StreamedAndNonStreamedAnswersTakeTheChunkDelays) {
  const std::initializer_list<std::pair<std::string_view, std::string_view>> pacing = {
      {"x-mock-chunks", "4"}, {"x-mock-chunk-delay-ms", "15"}, {"x-mock-first-byte-delay-ms", "10"}};
  EXPECT_GE(Run(&HandleChatCompletions, Post("/v1/chat/completions", kChatStream, pacing)), milliseconds(10 + 3 * 15));
  EXPECT_GE(Run(&HandleChatCompletions, Post("/v1/chat/completions", kChat, pacing)), milliseconds(10 + 3 * 15));
}

TEST_F(MockLlmHandlersTest, RunFaultHitsItsRatioOfPostsAndTheHeaderOverridesIt) {
  MockLlmOptions options;
  options.fault = *ParseFaultSpec("status:503");
  options.fault_ratio = 0.5;
  UseOptions(options);
  std::vector<unsigned> statuses;
  for (int i = 0; i < 4; ++i) {
    Run(&HandleChatCompletions, Post("/v1/chat/completions", kChat));
    statuses.push_back(responder_.sent->result_int());
    Run(&HandleListModels, http::Request(beast_http::verb::get, "/v1/models", 11));  // never counted
    EXPECT_EQ(responder_.sent->result_int(), 200u);
  }
  EXPECT_EQ(statuses, (std::vector<unsigned>{200, 503, 200, 503}));

  // "none" opts out without taking a turn of the counter.
  Run(&HandleChatCompletions, Post("/v1/chat/completions", kChat, {{"x-mock-fault", "none"}}));
  EXPECT_EQ(responder_.sent->result_int(), 200u);
  Run(&HandleChatCompletions, Post("/v1/chat/completions", kChat));
  EXPECT_EQ(responder_.sent->result_int(), 200u);
  Run(&HandleChatCompletions, Post("/v1/chat/completions", kChat));
  EXPECT_EQ(responder_.sent->result_int(), 503u);
}

TEST_F(MockLlmHandlersTest, ModelsAnswerInTheShapeOfTheCallersVendor) {
  Run(&HandleListModels, http::Request(beast_http::verb::get, "/v1/models", 11));
  EXPECT_EQ(SentJson().at("object"), "list");

  http::Request anthropic(beast_http::verb::get, "/v1/models", 11);
  anthropic.set("anthropic-version", "2023-06-01");
  Run(&HandleListModels, anthropic);
  EXPECT_EQ(SentJson().at("data").at(0).at("type"), "model");

  responder_.params["id"] = "gpt-4o";
  Run(&HandleGetModel, http::Request(beast_http::verb::get, "/v1/models/gpt-4o", 11));
  EXPECT_EQ(SentJson().at("id"), "gpt-4o");
  EXPECT_EQ(SentJson().at("object"), "model");
}

TEST_F(MockLlmHandlersTest, CountTokensAndEmbeddingsAnswer) {
  Run(&HandleCountTokens, Post("/v1/messages/count_tokens", kMessage));
  EXPECT_EQ(SentJson().at("input_tokens"), 2);

  Run(&HandleEmbeddings, Post("/v1/embeddings", R"({"model":"m","input":"x","dimensions":4})"));
  EXPECT_EQ(SentJson().at("data").at(0).at("embedding").as_array().size(), 4u);
}

}  // namespace
}  // namespace strata::mock_llm
