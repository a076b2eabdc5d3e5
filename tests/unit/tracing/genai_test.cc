#include "tracing/genai.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "tracing/tracer.h"
#include "unit/tracing/capturing_sink.h"

namespace strata::tracing {
namespace {

namespace json = boost::json;
using testing::CapturingSink;

TracingOptions On(bool capture_content = false) {
  TracingOptions options;
  options.enabled = true;
  options.capture_content = capture_content;
  return options;
}

const AttributeValue* Find(const SpanData& span, std::string_view key) {
  for (const Attribute& attribute : span.attributes) {
    if (attribute.key == key) return &attribute.value;
  }
  return nullptr;
}

TEST(GenAiTest, NamesOperationsAsTheSemanticConventionsDo) {
  EXPECT_EQ(genai::OperationName(core::ApiFormat::kOpenAiChat), "chat");
  EXPECT_EQ(genai::OperationName(core::ApiFormat::kAnthropicMessages), "chat");
  EXPECT_EQ(genai::OperationName(core::ApiFormat::kOpenAiCompletions), "text_completion");
  EXPECT_EQ(genai::OperationName(core::ApiFormat::kOpenAiEmbeddings), "embeddings");
  EXPECT_EQ(genai::SpanName("chat", "gpt-4o"), "chat gpt-4o");
  EXPECT_EQ(genai::SpanName("chat", ""), "chat");
}

TEST(GenAiTest, MapsProviderPresetsToWellKnownProviderNames) {
  EXPECT_EQ(genai::ProviderName("openai"), "openai");
  EXPECT_EQ(genai::ProviderName("anthropic"), "anthropic");
  EXPECT_EQ(genai::ProviderName("azure"), "azure.ai.openai");
  EXPECT_EQ(genai::ProviderName("gemini"), "gcp.gemini");
  EXPECT_EQ(genai::ProviderName("mistral"), "mistral_ai");
  EXPECT_EQ(genai::ProviderName("groq"), "groq");
  EXPECT_EQ(genai::ProviderName("deepseek"), "deepseek");
  EXPECT_EQ(genai::ProviderName("vllm"), "vllm");
}

TEST(GenAiTest, RecordsRequestParametersButNoContent) {
  CapturingSink sink;
  const Tracer tracer(On(), &sink);
  Span span = tracer.StartSpan("chat", SpanKind::kClient);
  const json::object body = json::parse(R"({"model":"gpt-4o","max_completion_tokens":300,"temperature":0.7,
      "top_p":1,"seed":7,"n":2,"stop":["END"],"messages":[{"role":"user","content":"hi"}]})").as_object();
  genai::RecordRequestParameters(span, body);
  genai::RecordInputContent(span, body);
  span.End();
  const auto spans = sink.Take();
  const SpanData& data = *spans[0];
  EXPECT_EQ(std::get<std::int64_t>(*Find(data, "gen_ai.request.max_tokens")), 300);
  EXPECT_EQ(std::get<double>(*Find(data, "gen_ai.request.temperature")), 0.7);
  EXPECT_EQ(std::get<double>(*Find(data, "gen_ai.request.top_p")), 1.0);
  EXPECT_EQ(std::get<std::int64_t>(*Find(data, "gen_ai.request.seed")), 7);
  EXPECT_EQ(std::get<std::int64_t>(*Find(data, "gen_ai.request.choice.count")), 2);
  EXPECT_EQ(std::get<std::vector<std::string>>(*Find(data, "gen_ai.request.stop_sequences")),
            std::vector<std::string>{"END"});
  EXPECT_EQ(Find(data, "gen_ai.input.messages"), nullptr) << "content is off by default";
}

TEST(GenAiTest, RecordsInputContentWhenConfigured) {
  CapturingSink sink;
  const Tracer tracer(On(true), &sink);
  Span span = tracer.StartSpan("chat", SpanKind::kClient);
  const json::object body =
      json::parse(R"({"model":"claude","system":"be brief","messages":[{"role":"user","content":"hi"}]})").as_object();
  genai::RecordInputContent(span, body);
  span.End();
  const auto spans = sink.Take();
  EXPECT_EQ(std::get<std::string>(*Find(*spans[0], "gen_ai.input.messages")), R"([{"role":"user","content":"hi"}])");
  EXPECT_EQ(std::get<std::string>(*Find(*spans[0], "gen_ai.system_instructions")), R"("be brief")");
}

TEST(GenAiTest, RecordsResponseAndUsage) {
  CapturingSink sink;
  const Tracer tracer(On(), &sink);
  Span openai = tracer.StartSpan("chat", SpanKind::kClient);
  genai::RecordResponse(openai, json::parse(R"({"id":"chatcmpl-1","model":"gpt-4o-2024-08-06",
      "choices":[{"finish_reason":"stop"},{"finish_reason":"length"}]})").as_object());
  core::Usage usage;
  usage.input_tokens = 10;
  usage.output_tokens = 20;
  usage.cached_input_tokens = 4;
  usage.estimated = true;
  genai::RecordUsage(openai, usage);
  openai.End();
  Span anthropic = tracer.StartSpan("chat", SpanKind::kClient);
  genai::RecordResponse(anthropic,
                        json::parse(R"({"id":"msg_1","model":"claude-x","stop_reason":"end_turn"})").as_object());
  anthropic.End();
  const auto spans = sink.Take();
  EXPECT_EQ(std::get<std::string>(*Find(*spans[0], "gen_ai.response.id")), "chatcmpl-1");
  EXPECT_EQ(std::get<std::string>(*Find(*spans[0], "gen_ai.response.model")), "gpt-4o-2024-08-06");
  EXPECT_EQ(std::get<std::vector<std::string>>(*Find(*spans[0], "gen_ai.response.finish_reasons")),
            (std::vector<std::string>{"stop", "length"}));
  EXPECT_EQ(std::get<std::int64_t>(*Find(*spans[0], "gen_ai.usage.input_tokens")), 10);
  EXPECT_EQ(std::get<std::int64_t>(*Find(*spans[0], "gen_ai.usage.output_tokens")), 20);
  EXPECT_EQ(std::get<std::int64_t>(*Find(*spans[0], "gen_ai.usage.cache_read.input_tokens")), 4);
  EXPECT_EQ(Find(*spans[0], "gen_ai.usage.cache_creation.input_tokens"), nullptr);
  EXPECT_EQ(std::get<bool>(*Find(*spans[0], "strata.usage.estimated")), true);
  EXPECT_EQ(std::get<std::vector<std::string>>(*Find(*spans[1], "gen_ai.response.finish_reasons")),
            std::vector<std::string>{"end_turn"});
}

TEST(GenAiTest, RecordsOutputMessagesOnlyWhenCapturingContent) {
  const json::object chat = json::parse(R"({"id":"c1","model":"m","choices":[{"index":0,
      "message":{"role":"assistant","content":"hello there"},"finish_reason":"stop"}]})").as_object();
  const json::object messages = json::parse(R"({"id":"msg_1","model":"claude","role":"assistant",
      "content":[{"type":"text","text":"bonjour"}],"stop_reason":"end_turn"})").as_object();
  for (const bool capture : {false, true}) {
    CapturingSink sink;
    const Tracer tracer(On(capture), &sink);
    Span openai = tracer.StartSpan("chat", SpanKind::kClient);
    genai::RecordOutputContent(openai, chat);
    openai.End();
    Span anthropic = tracer.StartSpan("chat", SpanKind::kClient);
    genai::RecordOutputContent(anthropic, messages);
    anthropic.End();
    const auto spans = sink.Take();
    ASSERT_EQ(spans.size(), 2u);
    const AttributeValue* from_openai = Find(*spans[0], "gen_ai.output.messages");
    const AttributeValue* from_anthropic = Find(*spans[1], "gen_ai.output.messages");
    if (!capture) {
      EXPECT_EQ(from_openai, nullptr);
      EXPECT_EQ(from_anthropic, nullptr);
      continue;
    }
    ASSERT_NE(from_openai, nullptr);
    EXPECT_EQ(json::parse(std::get<std::string>(*from_openai)),
              json::parse(R"([{"role":"assistant","content":"hello there"}])"));
    ASSERT_NE(from_anthropic, nullptr);
    EXPECT_EQ(json::parse(std::get<std::string>(*from_anthropic)),
              json::parse(R"([{"role":"assistant","content":[{"type":"text","text":"bonjour"}]}])"));
  }
}

TEST(GenAiTest, RecordsTheServerAddressAndPortOfABaseUrl) {
  CapturingSink sink;
  const Tracer tracer(On(), &sink);
  Span explicit_port = tracer.StartSpan("chat", SpanKind::kClient);
  genai::RecordServerAddress(explicit_port, "http://127.0.0.1:4300/v1");
  explicit_port.End();
  Span default_port = tracer.StartSpan("chat", SpanKind::kClient);
  genai::RecordServerAddress(default_port, "https://api.openai.com/v1");
  default_port.End();
  Span unparsable = tracer.StartSpan("chat", SpanKind::kClient);
  genai::RecordServerAddress(unparsable, "not a url");
  unparsable.End();
  const auto spans = sink.Take();
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(std::get<std::string>(*Find(*spans[0], "server.address")), "127.0.0.1");
  EXPECT_EQ(std::get<std::int64_t>(*Find(*spans[0], "server.port")), 4300);
  EXPECT_EQ(std::get<std::string>(*Find(*spans[1], "server.address")), "api.openai.com");
  EXPECT_EQ(std::get<std::int64_t>(*Find(*spans[1], "server.port")), 443);
  EXPECT_EQ(Find(*spans[2], "server.address"), nullptr);
}

}  // namespace
}  // namespace strata::tracing
