// The mock's router in a real http::Server on a loopback port, spoken to in
// plain HTTP/1.1: what the official SDKs will see on the wire.
#include "mock_llm/mock_llm.h"

#include <gtest/gtest.h>

#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "http/sse_decoder.h"
#include "support/raw_client.h"

namespace strata::mock_llm {
namespace {

namespace json = boost::json;
namespace beast_http = boost::beast::http;
using namespace std::chrono_literals;
using strata::testing::RawClient;

std::string Post(std::string_view target, std::string_view body, std::string_view headers = {}) {
  std::string request = "POST ";
  request.append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n");
  request.append(headers);
  request.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n\r\n").append(body);
  return request;
}

std::string Get(std::string_view target, std::string_view headers = {}) {
  std::string request = "GET ";
  request.append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n").append(headers).append("\r\n");
  return request;
}

std::vector<http::SseEvent> Decode(std::string_view body) {
  http::SseDecoder decoder;
  return decoder.Feed(body);
}

constexpr std::string_view kChat =
    R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"What is 2+2?"}]})";
constexpr std::string_view kChatStream =
    R"({"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},
        "messages":[{"role":"user","content":"What is 2+2?"}]})";
constexpr std::string_view kMessageStream =
    R"({"model":"claude-haiku-4-5","max_tokens":64,"stream":true,
        "messages":[{"role":"user","content":"What is 2+2?"}]})";

class MockLlmServerTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(MockLlmOptions()); }
  void TearDown() override { StopServer(); }

  void StartServer(MockLlmOptions options) {
    http::ServerOptions server_options;
    server_options.host = "127.0.0.1";
    server_options.port = 0;
    server_options.workers = 1;
    server_options.shutdown_grace = 200ms;
    server_ = std::make_unique<http::Server>(
        server_options, BuildMockLlmRouter(std::make_shared<const MockLlmOptions>(std::move(options))));
    const core::Result<std::uint16_t> port = server_->Start();
    ASSERT_TRUE(port) << port.error().message();
    port_ = *port;
  }

  void StopServer() {
    if (!server_) return;
    server_->Stop();
    server_->Wait();
    server_.reset();
  }

  std::optional<http::Response> Exchange(const std::string& request) {
    RawClient client(port_);
    client.Send(request);
    return client.ReadResponse();
  }

  // Whether the server closes all its connections within a few seconds.
  bool WaitForNoConnections() {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (server_->open_connections() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
    }
    return server_->open_connections() == 0;
  }

  std::unique_ptr<http::Server> server_;
  std::uint16_t port_ = 0;
};

TEST_F(MockLlmServerTest, ChatCompletionOverHttp) {
  const auto response = Exchange(Post("/v1/chat/completions", kChat, "x-request-id: abc123\r\n"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200u);
  EXPECT_EQ((*response)[beast_http::field::content_type], "application/json");
  EXPECT_EQ((*response)["x-request-id"], "abc123");
  const json::value answer = json::parse(response->body());
  EXPECT_EQ(answer.at("id"), "chatcmpl-abc123");
  EXPECT_EQ(answer.at("choices").at(0).at("message").at("content"), "Mock reply to: What is 2+2?");
}

TEST_F(MockLlmServerTest, ChatStreamOverHttpMatchesTheNonStreamedAnswer) {
  const auto response = Exchange(Post("/v1/chat/completions", kChatStream, "x-mock-chunks: 3\r\n"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200u);
  EXPECT_EQ((*response)[beast_http::field::content_type], "text/event-stream");
  EXPECT_TRUE(response->chunked());

  const std::vector<http::SseEvent> events = Decode(response->body());
  ASSERT_EQ(events.size(), 1u + 3u + 1u + 1u + 1u);  // role, pieces, finish, usage, [DONE]
  EXPECT_EQ(events.back().data, "[DONE]");
  std::string text;
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    const json::value chunk = json::parse(events[i].data);
    EXPECT_EQ(chunk.at("object"), "chat.completion.chunk");
    for (const json::value& choice : chunk.at("choices").as_array()) {
      if (const json::value* content = choice.at("delta").as_object().if_contains("content")) {
        text += content->as_string();
      }
    }
  }
  EXPECT_EQ(text, "Mock reply to: What is 2+2?");
  EXPECT_EQ(json::parse(events[events.size() - 2].data).at("usage").at("total_tokens"), 3 + 7);
}

TEST_F(MockLlmServerTest, AnthropicStreamOverHttpNamesEveryEvent) {
  const auto response = Exchange(Post("/v1/messages", kMessageStream, "anthropic-version: 2023-06-01\r\n"));
  ASSERT_TRUE(response);
  const std::vector<http::SseEvent> events = Decode(response->body());
  std::vector<std::string> names;
  std::string text;
  for (const http::SseEvent& event : events) {
    names.push_back(event.event);
    const json::value data = json::parse(event.data);
    EXPECT_EQ(data.at("type").as_string(), event.event);
    if (event.event == "content_block_delta") text += data.at("delta").at("text").as_string();
  }
  ASSERT_GE(names.size(), 7u);
  EXPECT_EQ(names.front(), "message_start");
  EXPECT_EQ(names[1], "content_block_start");
  EXPECT_EQ(names[2], "ping");
  EXPECT_EQ(names[names.size() - 3], "content_block_stop");
  EXPECT_EQ(names[names.size() - 2], "message_delta");
  EXPECT_EQ(names.back(), "message_stop");
  EXPECT_EQ(text, "Mock reply to: What is 2+2?");
}

TEST_F(MockLlmServerTest, KeepAliveServesStreamsAndAnswersOnOneConnection) {
  RawClient client(port_);
  for (int i = 0; i < 3; ++i) {
    client.Send(Post("/v1/chat/completions", kChatStream));
    const auto streamed = client.ReadResponse();
    ASSERT_TRUE(streamed);
    EXPECT_EQ(Decode(streamed->body()).back().data, "[DONE]");
    client.Send(Post("/v1/embeddings", R"({"model":"m","input":"x"})"));
    const auto embedded = client.ReadResponse();
    ASSERT_TRUE(embedded);
    EXPECT_EQ(json::parse(embedded->body()).at("data").at(0).at("embedding").as_array().size(), 256u);
  }
}

TEST_F(MockLlmServerTest, ErrorsComeInTheVendorsEnvelope) {
  const auto openai = Exchange(Post("/v1/chat/completions", "{not json"));
  ASSERT_TRUE(openai);
  EXPECT_EQ(openai->result_int(), 400u);
  EXPECT_EQ(json::parse(openai->body()).at("error").at("type"), "invalid_request_error");

  const auto anthropic = Exchange(Post("/v1/messages", R"({"model":"m","messages":[]})"));
  ASSERT_TRUE(anthropic);
  EXPECT_EQ(anthropic->result_int(), 400u);
  EXPECT_EQ(json::parse(anthropic->body()).at("type"), "error");
}

TEST_F(MockLlmServerTest, ModelsAndCountTokens) {
  const auto models = Exchange(Get("/v1/models"));
  ASSERT_TRUE(models);
  EXPECT_EQ(json::parse(models->body()).at("data").at(0).at("id"), "gpt-4o-mini");
  const auto model = Exchange(Get("/v1/models/my-model", "anthropic-version: 2023-06-01\r\n"));
  ASSERT_TRUE(model);
  EXPECT_EQ(json::parse(model->body()).at("display_name"), "my-model");
  const auto count = Exchange(Post("/v1/messages/count_tokens", kMessageStream));
  ASSERT_TRUE(count);
  EXPECT_EQ(count->body(), R"({"input_tokens":3})");
}

TEST_F(MockLlmServerTest, RateLimitFaultSendsRetryAfter) {
  const auto response =
      Exchange(Post("/v1/chat/completions", kChat, "x-mock-fault: status:429\r\nx-mock-retry-after: 3\r\n"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 429u);
  EXPECT_EQ((*response)[beast_http::field::retry_after], "3");
}

TEST_F(MockLlmServerTest, ResetClosesTheConnectionWithoutAResponse) {
  RawClient client(port_);
  client.Send(Post("/v1/chat/completions", kChat, "x-mock-fault: reset\r\n"));
  EXPECT_FALSE(client.ReadResponse(2s));
}

TEST_F(MockLlmServerTest, DisconnectCutsTheStreamShort) {
  RawClient client(port_);
  client.Send(Post("/v1/chat/completions", kChatStream, "x-mock-fault: disconnect:2\r\n"));
  EXPECT_FALSE(client.ReadResponse(2s));  // the chunked body never ends
  EXPECT_TRUE(WaitForNoConnections());
}

TEST_F(MockLlmServerTest, DisconnectCutsANonStreamedBodyShort) {
  RawClient client(port_);
  client.Send(Post("/v1/chat/completions", kChat, "x-mock-fault: disconnect:1\r\n"));
  EXPECT_FALSE(client.ReadResponse(2s));
}

TEST_F(MockLlmServerTest, MalformedStreamHasOneBrokenDataLine) {
  const auto response = Exchange(Post("/v1/chat/completions", kChatStream, "x-mock-fault: malformed\r\n"));
  ASSERT_TRUE(response);
  int broken = 0;
  for (const http::SseEvent& event : Decode(response->body())) {
    boost::system::error_code ec;
    if (event.data != "[DONE]") json::parse(event.data, ec);
    broken += ec ? 1 : 0;
  }
  EXPECT_EQ(broken, 1);
}

TEST_F(MockLlmServerTest, StalledStreamEndsWhenTheClientLeaves) {
  {
    RawClient client(port_);
    client.Send(Post("/v1/chat/completions", kChatStream, "x-mock-fault: stall-after:1\r\n"));
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(server_->open_connections(), 1u);
  }  // the client goes away
  EXPECT_TRUE(WaitForNoConnections());
}

TEST_F(MockLlmServerTest, AStallDoesNotHoldUpShutdownPastTheGrace) {
  RawClient client(port_);
  client.Send(Post("/v1/chat/completions", kChat, "x-mock-fault: stall\r\n"));
  std::this_thread::sleep_for(100ms);
  const auto start = std::chrono::steady_clock::now();
  StopServer();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_FALSE(client.ReadResponse(1s));
}

TEST_F(MockLlmServerTest, RunFaultRatioAppliesAcrossRequests) {
  StopServer();
  MockLlmOptions options;
  options.fault = *ParseFaultSpec("status:500");
  options.fault_ratio = 1.0 / 3;
  StartServer(options);
  std::vector<unsigned> statuses;
  RawClient client(port_);
  for (int i = 0; i < 6; ++i) {
    client.Send(Post("/v1/chat/completions", kChat));
    const auto response = client.ReadResponse();
    ASSERT_TRUE(response);
    statuses.push_back(response->result_int());
  }
  EXPECT_EQ(statuses, (std::vector<unsigned>{200, 200, 500, 200, 200, 500}));
}

}  // namespace
}  // namespace strata::mock_llm
