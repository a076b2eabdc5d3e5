// GeminiProvider against a scripted upstream: the URL it builds, where the key
// goes, and how answers, streams and errors come back. The provider runs in a
// real http::Server handler, since it calls through the worker's client.

#include "providers/gemini/gemini_provider.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "http/server.h"
#include "support/raw_client.h"
#include "support/test_upstream.h"

namespace strata::providers {
namespace {

namespace json = boost::json;
namespace beast_http = boost::beast::http;
using namespace std::chrono_literals;
using strata::testing::TestUpstream;
using strata::testing::UpstreamReply;

// Collects what a stream delivers.
class RecordingSink final : public EventSink {
 public:
  asio::awaitable<core::Status> OnEvent(std::string_view name, std::string_view data) override {
    events.push_back(json::string(data));
    co_return core::Status();
  }
  json::array events;
};

struct CallSpec {
  Deployment deployment;
  json::object body;
  bool stream = false;
};

// The outcome, as JSON the test can read: {"ok", "body"|"events", "code", "message", "retry_after", "usage"}.
json::object Outcome(const core::Status& status, const core::Usage& usage) {
  json::object out;
  out["ok"] = static_cast<bool>(status);
  if (!status) {
    out["code"] = static_cast<int>(status.error().code());
    out["message"] = status.error().message();
    if (status.error().retry_after()) out["retry_after"] = status.error().retry_after()->count();
  }
  out["input"] = usage.input_tokens;
  out["output"] = usage.output_tokens;
  return out;
}

asio::awaitable<void> RunCall(const CallSpec* spec, http::Responder& responder) {
  GeminiProvider provider;
  const CallContext no_trace;  // a named local: g++ 12 frees a temporary argument of a co_await'ed call early
  json::object out;
  if (spec->stream) {
    RecordingSink sink;
    StreamEnd end = co_await provider.Stream(spec->deployment, core::ApiFormat::kOpenAiChat, spec->body, sink, no_trace);
    out = Outcome(end.status, end.usage);
    out["events"] = std::move(sink.events);
    out["delivered"] = end.delivered;
  } else {
    core::Result<Answer> answer = co_await provider.Call(spec->deployment, core::ApiFormat::kOpenAiChat, spec->body, no_trace);
    out = Outcome(answer ? core::Status() : core::Status(answer.error()), answer ? answer->usage : core::Usage{});
    if (answer) out["body"] = json::parse(answer->body);
  }
  http::Response response(beast_http::status::ok, 11);
  response.body() = json::serialize(out);
  co_await responder.Send(std::move(response));
}

class GeminiProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http::Router router;
    router.Add(beast_http::verb::post, "/call", [this](const http::Request&, http::Responder& responder) {
      return RunCall(&spec_, responder);
    });
    http::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.workers = 1;
    options.shutdown_grace = 200ms;
    server_ = std::make_unique<http::Server>(options, std::move(router));
    const core::Result<std::uint16_t> port = server_->Start();
    ASSERT_TRUE(port) << port.error().message();
    port_ = *port;
    spec_.deployment.name = "gemini/flash";
    spec_.deployment.provider = "gemini";
    spec_.deployment.model = "gemini-2.5-flash";
    spec_.deployment.base_url = upstream_.Url("");
    spec_.deployment.api_keys = {"vendor-key"};
    spec_.body = json::parse(R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":"Hi"}]})").as_object();
  }
  void TearDown() override {
    server_->Stop();
    server_->Wait();
  }

  json::object Run() {
    const auto response = strata::testing::Fetch(port_, "POST", "/call", "{}");
    EXPECT_TRUE(response);
    return response ? json::parse(response->body()).as_object() : json::object();
  }

  // The last request the upstream read: request line, headers as sent, body.
  std::string LastRequest() const {
    const std::vector<std::string> requests = upstream_.requests();
    return requests.empty() ? std::string() : requests.back();
  }

  TestUpstream upstream_;
  CallSpec spec_;
  std::unique_ptr<http::Server> server_;
  std::uint16_t port_ = 0;
};

constexpr std::string_view kAnswer = R"({"candidates":[{"content":{"parts":[{"text":"Hello!"}],"role":"model"},
  "finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2,
  "totalTokenCount":5},"modelVersion":"gemini-2.5-flash","responseId":"resp-1"})";

std::string SseChunk(std::string_view data) {
  std::string event = "data: ";
  event.append(data).append("\r\n\r\n");
  return event;
}

TEST_F(GeminiProviderTest, CallsGenerateContentWithTheKeyInAHeaderNeverInTheUrl) {
  upstream_.Expect({UpstreamReply::Ok(std::string(kAnswer))});
  const json::object out = Run();
  ASSERT_EQ(out.at("ok"), true) << json::serialize(out);
  EXPECT_EQ(out.at("body").at("object"), "chat.completion");
  EXPECT_EQ(out.at("body").at("choices").at(0).at("message").at("content"), "Hello!");
  EXPECT_EQ(out.at("input"), 3);
  EXPECT_EQ(out.at("output"), 2);
  const std::string request = LastRequest();
  EXPECT_EQ(request.rfind("POST /v1beta/models/gemini-2.5-flash:generateContent HTTP/1.1\r\n", 0), 0u) << request;
  EXPECT_NE(request.find("x-goog-api-key: vendor-key\r\n"), std::string::npos) << request;
  EXPECT_EQ(request.find("key="), std::string::npos) << request;
  const std::string body = request.substr(request.find("\r\n\r\n") + 4);
  EXPECT_EQ(json::parse(body), json::parse(R"({"contents":[{"role":"user","parts":[{"text":"Hi"}]}]})"));
}

TEST_F(GeminiProviderTest, BuildsTheUrlFromBaseUrlVersionAndModel) {
  // One pooled connection serves every call.
  upstream_.Expect(strata::testing::ConnectionScript{{UpstreamReply::Ok(std::string(kAnswer))}, true});
  const auto path_for = [&](std::string base_url, std::string version, std::string model) {
    spec_.deployment.base_url = std::move(base_url);
    spec_.deployment.api_version = std::move(version);
    spec_.body["model"] = model;
    EXPECT_EQ(Run().at("ok"), true);
    const std::string request = LastRequest();
    return request.substr(0, request.find(" HTTP/1.1"));
  };
  EXPECT_EQ(path_for(upstream_.Url("/v1beta/"), "", "gemini-2.5-pro"), "POST /v1beta/models/gemini-2.5-pro:generateContent");
  EXPECT_EQ(path_for(upstream_.Url(""), "v1", "gemini-2.5-pro"), "POST /v1/models/gemini-2.5-pro:generateContent");
  EXPECT_EQ(path_for(upstream_.Url(""), "", "tunedModels/my-tune"), "POST /v1beta/tunedModels/my-tune:generateContent");
  EXPECT_EQ(path_for(upstream_.Url(""), "", "models/gemini x?"), "POST /v1beta/models/gemini%20x%3F:generateContent");
}

TEST_F(GeminiProviderTest, StreamsChunksThenDoneWhenTheBodyEnds) {
  spec_.stream = true;
  spec_.body["stream"] = true;
  spec_.body["stream_options"] = json::object{{"include_usage", true}};
  upstream_.Expect({UpstreamReply::Chunked(
      {SseChunk(R"({"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"},"index":0}],"responseId":"s"})"),
       SseChunk(R"({"candidates":[{"content":{"parts":[{"text":"lo"}],"role":"model"},"finishReason":"STOP",)"
                R"("index":0}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2},"responseId":"s"})")},
      5ms)});
  const json::object out = Run();
  ASSERT_EQ(out.at("ok"), true) << json::serialize(out);
  const json::array& events = out.at("events").as_array();
  ASSERT_EQ(events.size(), 6u);  // role, "Hel", "lo", finish, usage, [DONE]
  EXPECT_EQ(json::parse(events[1].as_string()).at("choices").at(0).at("delta").at("content"), "Hel");
  EXPECT_EQ(json::parse(events[4].as_string()).at("usage").at("total_tokens"), 5);
  EXPECT_EQ(events[5], "[DONE]");
  EXPECT_EQ(out.at("input"), 3);
  const std::string request = LastRequest();
  EXPECT_EQ(request.rfind("POST /v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse HTTP/1.1\r\n", 0), 0u)
      << request;
  EXPECT_NE(request.find("x-goog-api-key: vendor-key\r\n"), std::string::npos);
}

TEST_F(GeminiProviderTest, AStreamCutBeforeItsFinishFailsAfterDeliveringWhatCame) {
  spec_.stream = true;
  const std::string data =
      SseChunk(R"({"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"},"index":0}],"responseId":"s"})");
  UpstreamReply cut;
  char size[16];
  std::snprintf(size, sizeof size, "%zx", data.size());
  cut.writes.push_back({0ms, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" +
                                 std::string(size) + "\r\n" + data + "\r\n0\r\n\r\n"});
  upstream_.Expect({cut});
  const json::object out = Run();
  EXPECT_EQ(out.at("ok"), false);
  EXPECT_EQ(out.at("code"), static_cast<int>(core::ErrorCode::kUpstreamUnavailable));
  EXPECT_EQ(out.at("delivered"), true);
  EXPECT_EQ(out.at("events").as_array().size(), 2u);  // role and "Hel"; no [DONE]
}

TEST_F(GeminiProviderTest, ClassifiesVendorErrorsForRouting) {
  // Both answers on the one connection the client keeps alive between the calls.
  upstream_.Expect({UpstreamReply::Respond(429, R"({"error":{"code":429,"message":"Quota exceeded",
    "status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"12s"}]}})"),
                    UpstreamReply::Respond(400, R"({"error":{"code":400,"message":"API key not valid.",
    "status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}})")});
  json::object out = Run();
  EXPECT_EQ(out.at("code"), static_cast<int>(core::ErrorCode::kRateLimited));
  EXPECT_EQ(out.at("retry_after"), 12);
  EXPECT_EQ(out.at("message"), "gemini/flash answered 429: Quota exceeded");

  spec_.stream = true;
  out = Run();
  EXPECT_EQ(out.at("code"), static_cast<int>(core::ErrorCode::kUpstreamRejected));
  EXPECT_EQ(out.at("delivered"), false);
}

TEST_F(GeminiProviderTest, RetriesARateLimitAtOnceOnTheNextKey) {
  spec_.deployment.api_keys = {"key-a", "key-b"};
  upstream_.Expect({UpstreamReply::Respond(429, R"({"error":{"code":429,"message":"Quota exceeded",
    "status":"RESOURCE_EXHAUSTED"}})"), UpstreamReply::Ok(std::string(kAnswer))});
  const json::object out = Run();
  ASSERT_EQ(out.at("ok"), true) << json::serialize(out);
  const std::vector<std::string> requests = upstream_.requests();
  ASSERT_EQ(requests.size(), 2u);
  const auto key_of = [](const std::string& request) {
    const std::size_t at = request.find("x-goog-api-key: ");
    return at == std::string::npos ? std::string() : request.substr(at + 16, 5);
  };
  EXPECT_NE(key_of(requests[0]), key_of(requests[1]));
  EXPECT_TRUE(key_of(requests[1]) == "key-a" || key_of(requests[1]) == "key-b");
}

TEST_F(GeminiProviderTest, RefusesAnUntranslatableRequestWithoutCallingUpstream) {
  spec_.body["logit_bias"] = json::object{{"1", 5}};
  const json::object out = Run();
  EXPECT_EQ(out.at("code"), static_cast<int>(core::ErrorCode::kInvalidRequest));
  EXPECT_EQ(upstream_.accepted(), 0);
}

}  // namespace
}  // namespace strata::providers
