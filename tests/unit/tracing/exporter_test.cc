#include "tracing/exporter.h"

#include <chrono>
#include <set>
#include <string>
#include <thread>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "observability/metrics.h"
#include "tracing/genai.h"
#include "tracing/tracer.h"
#include "unit/tracing/otlp_receiver.h"
#include "unit/tracing/otlp_schema.h"

namespace strata::tracing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using testing::OtlpReceiver;
using testing::OtlpSchema;
using Clock = std::chrono::steady_clock;

TracingOptions ExportTo(const OtlpReceiver& receiver) {
  TracingOptions options;
  options.enabled = true;
  options.endpoint = receiver.Url();
  options.headers = {{"authorization", "Bearer test-token"}};
  options.max_batch_delay = 10s;  // tests that want a delay set one
  options.export_timeout = 2s;
  options.retry_initial_backoff = 10ms;
  options.retry_max_backoff = 20ms;
  return options;
}

void EndSpans(const Tracer& tracer, int count) {
  for (int i = 0; i < count; ++i) {
    Span span = tracer.StartSpan("work", SpanKind::kInternal);
    span.SetAttribute(genai::kStrataAttempt, i);
  }
}

std::size_t SpansIn(const std::string& body) {
  const json::value request = json::parse(body);
  std::size_t count = 0;
  for (const json::value& resource : request.at("resourceSpans").as_array()) {
    for (const json::value& scope : resource.at("scopeSpans").as_array()) count += scope.at("spans").as_array().size();
  }
  return count;
}

double MetricValue(std::string_view series) {
  const std::string text = observability::DefaultRegistry().Render();
  const std::string prefix = std::string(series) + " ";
  const std::size_t at = text.find("\n" + prefix);
  if (at == std::string::npos) return 0;
  return std::stod(text.substr(at + 1 + prefix.size()));
}

TEST(ExporterTest, PostsOtlpJsonThatTheSchemaAcceptsToV1Traces) {
  OtlpReceiver receiver;
  OtlpHttpExporter exporter(ExportTo(receiver));
  const Tracer tracer(ExportTo(receiver), &exporter);
  {
    // The shape the gateway will produce: a request, a stage, an attempt.
    Span request = tracer.StartServerSpan("POST /v1/chat/completions",
                                          "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "congo=t61rcWkgMzE");
    request.SetAttribute(genai::kHttpRequestMethod, "POST");
    request.SetAttribute(genai::kHttpRoute, "/v1/chat/completions");
    {
      Span stage = tracer.StartChild(request, "admit");
      stage.SetAttribute(genai::kStrataStage, "admit");
    }
    Span attempt = tracer.StartChild(request, "chat gpt-4o", SpanKind::kClient);
    attempt.SetAttribute(genai::kOperationName, "chat");
    attempt.SetAttribute(genai::kProviderName, "openai");
    attempt.SetAttribute(genai::kRequestModel, "gpt-4o");
    attempt.SetAttribute(genai::kServerAddress, "api.openai.com");
    attempt.SetAttribute(genai::kServerPort, 443);
    attempt.SetAttribute(genai::kResponseFinishReasons, std::vector<std::string>{"stop"});
    attempt.SetAttribute(genai::kUsageInputTokens, 12);
    attempt.SetAttribute(genai::kUsageOutputTokens, 34);
    attempt.AddEvent(genai::kEventFirstToken);
    attempt.SetError("503", "upstream unavailable");
    attempt.End();
    request.SetAttribute(genai::kHttpResponseStatusCode, 200);
    request.SetStatus(StatusCode::kOk);
  }
  ASSERT_TRUE(exporter.Flush(5s));
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  const OtlpReceiver::Received& received = requests[0];
  EXPECT_EQ(received.method, "POST");
  EXPECT_EQ(received.target, "/v1/traces");
  EXPECT_EQ(received.headers.at("content-type"), "application/json");
  EXPECT_EQ(received.headers.at("authorization"), "Bearer test-token");

  const json::value payload = json::parse(received.body);
  EXPECT_EQ(OtlpSchema::Check(payload), std::vector<std::string>{}) << received.body;
  const json::array& spans = payload.at("resourceSpans").at(0).at("scopeSpans").at(0).at("spans").as_array();
  ASSERT_EQ(spans.size(), 3u);  // in the order they ended: stage, attempt, request
  for (const json::value& span : spans) {
    EXPECT_EQ(span.at("traceId").as_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
    EXPECT_EQ(span.at("traceState").as_string(), "congo=t61rcWkgMzE");
  }
  const json::object& request = spans[2].as_object();
  EXPECT_EQ(request.at("parentSpanId").as_string(), "00f067aa0ba902b7");
  EXPECT_EQ(request.at("kind").as_int64(), 2);
  EXPECT_EQ(request.at("status").at("code").as_int64(), 1);
  EXPECT_EQ(spans[0].at("parentSpanId"), request.at("spanId"));
  EXPECT_EQ(spans[0].at("kind").as_int64(), 1);
  EXPECT_EQ(spans[1].at("parentSpanId"), request.at("spanId"));
  EXPECT_EQ(spans[1].at("kind").as_int64(), 3);
  EXPECT_EQ(spans[1].at("status").at("code").as_int64(), 2);
  EXPECT_EQ(exporter.stats().spans_exported, 3u);
}

TEST(ExporterTest, SendsFullBatchesAtOnceAndHoldsAPartialOne) {
  OtlpReceiver receiver;
  TracingOptions options = ExportTo(receiver);
  options.max_batch_size = 5;
  OtlpHttpExporter exporter(options);
  const Tracer tracer(options, &exporter);
  EndSpans(tracer, 12);
  ASSERT_TRUE(receiver.WaitForRequests(2, 5s));
  std::this_thread::sleep_for(200ms);
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u) << "the 2 left over wait for the delay (10 s)";
  EXPECT_EQ(SpansIn(requests[0].body), 5u);
  EXPECT_EQ(SpansIn(requests[1].body), 5u);
  ASSERT_TRUE(exporter.Flush(5s));
  requests = receiver.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(SpansIn(requests[2].body), 2u);
  EXPECT_EQ(exporter.stats().spans_exported, 12u);
}

TEST(ExporterTest, APartialBatchGoesOutAfterTheDelay) {
  OtlpReceiver receiver;
  TracingOptions options = ExportTo(receiver);
  options.max_batch_size = 100;
  options.max_batch_delay = 400ms;
  OtlpHttpExporter exporter(options);
  const Tracer tracer(options, &exporter);
  const Clock::time_point ended = Clock::now();
  EndSpans(tracer, 3);
  EXPECT_FALSE(receiver.WaitForRequests(1, 150ms)) << "held for the delay";
  ASSERT_TRUE(receiver.WaitForRequests(1, 5s));
  const auto requests = receiver.requests();
  EXPECT_EQ(SpansIn(requests[0].body), 3u);
  EXPECT_GE(requests[0].at - ended, 300ms);
}

TEST(ExporterTest, RetriesA503AfterItsRetryAfter) {
  OtlpReceiver receiver;
  receiver.Script({OtlpReceiver::Reply::Status(503, {{"Retry-After", "1"}})});
  OtlpHttpExporter exporter(ExportTo(receiver));  // its own backoff would be 10 ms
  const Tracer tracer(ExportTo(receiver), &exporter);
  EndSpans(tracer, 4);
  ASSERT_TRUE(exporter.Flush(10s));
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_GE(requests[1].at - requests[0].at, 950ms);
  EXPECT_EQ(requests[0].body, requests[1].body) << "the same batch, resent";
  const ExporterStats stats = exporter.stats();
  EXPECT_EQ(stats.spans_exported, 4u);
  EXPECT_EQ(stats.export_retries, 1u);
  EXPECT_EQ(stats.export_failures, 0u);
}

TEST(ExporterTest, RetriesThrottlingAndGatewayErrorsUpToTheAttemptLimit) {
  OtlpReceiver receiver;
  receiver.Script({OtlpReceiver::Reply::Status(429), OtlpReceiver::Reply::Status(502),
                   OtlpReceiver::Reply::Status(504), OtlpReceiver::Reply::Status(503)});
  TracingOptions options = ExportTo(receiver);
  options.max_export_attempts = 3;
  OtlpHttpExporter exporter(options);
  const Tracer tracer(options, &exporter);
  EndSpans(tracer, 2);
  ASSERT_TRUE(exporter.Flush(10s));
  EXPECT_EQ(receiver.requests().size(), 3u);
  const ExporterStats stats = exporter.stats();
  EXPECT_EQ(stats.export_requests, 3u);
  EXPECT_EQ(stats.export_retries, 2u);
  EXPECT_EQ(stats.export_failures, 1u);
  EXPECT_EQ(stats.spans_dropped_failed, 2u);
  EXPECT_EQ(stats.spans_exported, 0u);
}

TEST(ExporterTest, GivesUpAtOnceOnABadRequest) {
  OtlpReceiver receiver;
  receiver.Script({OtlpReceiver::Reply::Status(400)});
  OtlpHttpExporter exporter(ExportTo(receiver));
  const Tracer tracer(ExportTo(receiver), &exporter);
  EndSpans(tracer, 2);
  ASSERT_TRUE(exporter.Flush(5s));
  EXPECT_EQ(receiver.requests().size(), 1u);
  EXPECT_EQ(exporter.stats().export_failures, 1u);
  EXPECT_EQ(exporter.stats().spans_dropped_failed, 2u);
}

TEST(ExporterTest, RetriesWhenTheCollectorCannotBeReached) {
  TracingOptions options;
  options.enabled = true;
  {
    OtlpReceiver gone;  // a port that was just free: connections to it are refused
    options.endpoint = gone.Url();
  }
  options.max_export_attempts = 2;
  options.retry_initial_backoff = 10ms;
  OtlpHttpExporter exporter(options);
  const Tracer tracer(options, &exporter);
  EndSpans(tracer, 1);
  ASSERT_TRUE(exporter.Flush(10s));
  EXPECT_EQ(exporter.stats().export_requests, 2u);
  EXPECT_EQ(exporter.stats().export_failures, 1u);
}

TEST(ExporterTest, DropsAndCountsSpansWhenTheQueueIsFull) {
  OtlpReceiver receiver;
  receiver.Script({OtlpReceiver::Reply::Delayed(1500ms)});
  TracingOptions options = ExportTo(receiver);
  options.max_queue_size = 4;
  options.max_batch_size = 4;
  OtlpHttpExporter exporter(options);
  const Tracer tracer(options, &exporter);
  const double dropped_before = MetricValue(R"(strata_tracing_spans_dropped_total{reason="queue_full"})");
  EndSpans(tracer, 4);  // a full batch: sent at once, and answered slowly
  ASSERT_TRUE(receiver.WaitForRequests(1, 5s));
  EndSpans(tracer, 10);  // the thread is busy: 4 fit, 6 do not
  EXPECT_EQ(exporter.stats().spans_dropped_queue_full, 6u);
  EXPECT_EQ(MetricValue(R"(strata_tracing_spans_dropped_total{reason="queue_full"})") - dropped_before, 6.0);
  ASSERT_TRUE(exporter.Flush(10s));
  EXPECT_EQ(exporter.stats().spans_exported, 8u);
}

TEST(ExporterTest, ShutdownFlushesPendingSpansWithinTheDeadline) {
  OtlpReceiver receiver;
  TracingOptions options = ExportTo(receiver);
  options.max_batch_delay = 60s;
  options.max_batch_size = 100;
  OtlpHttpExporter exporter(options);
  const Tracer tracer(options, &exporter);
  EndSpans(tracer, 7);
  const Clock::time_point start = Clock::now();
  EXPECT_TRUE(exporter.Shutdown(3s));
  EXPECT_LT(Clock::now() - start, 3s);
  ASSERT_EQ(receiver.requests().size(), 1u);
  EXPECT_EQ(SpansIn(receiver.requests()[0].body), 7u);
  EXPECT_EQ(exporter.stats().spans_exported, 7u);

  EndSpans(tracer, 1);  // after shutdown: counted, not queued
  EXPECT_EQ(exporter.stats().spans_dropped_shutdown, 1u);
  EXPECT_TRUE(exporter.Shutdown(1s)) << "idempotent";
}

TEST(ExporterTest, ShutdownGivesUpOnAHungCollectorAtTheDeadline) {
  OtlpReceiver receiver;
  receiver.Script({OtlpReceiver::Reply::Delayed(30s)});
  TracingOptions options = ExportTo(receiver);
  options.export_timeout = 20s;
  options.max_batch_size = 2;
  OtlpHttpExporter exporter(options);
  const Tracer tracer(options, &exporter);
  EndSpans(tracer, 2);
  ASSERT_TRUE(receiver.WaitForRequests(1, 5s));
  EndSpans(tracer, 1);  // still queued behind the hung request
  const Clock::time_point start = Clock::now();
  EXPECT_FALSE(exporter.Shutdown(300ms));
  EXPECT_LT(Clock::now() - start, 2s);
  EXPECT_EQ(exporter.stats().spans_dropped_shutdown, 3u);
  EXPECT_EQ(exporter.stats().spans_exported, 0u);
}

TEST(ExporterTest, AnUnsampledSpanSendsNothing) {
  OtlpReceiver receiver;
  TracingOptions options = ExportTo(receiver);
  options.sample_ratio = 0.0;
  OtlpHttpExporter exporter(options);
  const Tracer tracer(options, &exporter);
  EndSpans(tracer, 5);
  Span from_caller = tracer.StartServerSpan("request", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", "");
  from_caller.End();
  ASSERT_TRUE(exporter.Flush(2s));
  EXPECT_TRUE(receiver.requests().empty());
  const ExporterStats stats = exporter.stats();
  EXPECT_EQ(stats.export_requests + stats.spans_exported + stats.spans_dropped_queue_full, 0u);
}

TEST(ExporterTest, KeepsOneConnectionAcrossBatches) {
  OtlpReceiver receiver;
  TracingOptions options = ExportTo(receiver);
  options.max_batch_size = 1;
  OtlpHttpExporter exporter(options);
  const Tracer tracer(options, &exporter);
  EndSpans(tracer, 3);
  ASSERT_TRUE(exporter.Flush(5s));
  EXPECT_EQ(receiver.requests().size(), 3u);
  EXPECT_EQ(receiver.accepted(), 1) << "keep-alive: one pooled connection";
  EXPECT_EQ(exporter.stats().spans_exported, 3u);
}

TEST(ExporterTest, AccountsForEverySpanEndedFromManyThreads) {
  OtlpReceiver receiver;
  TracingOptions options = ExportTo(receiver);
  options.max_queue_size = 64;
  options.max_batch_size = 16;
  options.max_batch_delay = 5ms;
  OtlpHttpExporter exporter(options);
  const Tracer tracer(options, &exporter);
  constexpr int kThreads = 4;
  constexpr int kSpansEach = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back([&] { EndSpans(tracer, kSpansEach); });
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(exporter.Flush(10s));
  const ExporterStats stats = exporter.stats();
  EXPECT_EQ(stats.spans_exported + stats.spans_dropped_queue_full, std::uint64_t{kThreads * kSpansEach});
  std::size_t received = 0;
  std::set<std::string> span_ids;
  for (const auto& request : receiver.requests()) {
    const json::value payload = json::parse(request.body);
    for (const json::value& span : payload.at("resourceSpans").at(0).at("scopeSpans").at(0).at("spans").as_array()) {
      span_ids.insert(std::string(span.at("spanId").as_string()));
      ++received;
    }
  }
  EXPECT_EQ(received, stats.spans_exported);
  EXPECT_EQ(span_ids.size(), received) << "no span sent twice";
}

TEST(ExporterTest, ReusesExportedSpanStorageWithNothingCarriedOver) {
  OtlpReceiver receiver;
  TracingOptions options = ExportTo(receiver);
  options.max_queue_size = 4;
  OtlpHttpExporter exporter(options);
  const Tracer tracer(options, &exporter);
  for (int i = 0; i < 4; ++i) {
    Span span = tracer.StartServerSpan("first", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "a=1");
    span.SetAttribute(genai::kRequestModel, std::string(100, 'm'));
    span.AddEvent(genai::kEventFirstToken);
    span.SetError("timeout", "slow");
  }
  ASSERT_TRUE(exporter.Flush(5s));
  for (int i = 0; i < 4; ++i) {
    Span span = tracer.StartSpan("second", SpanKind::kInternal);
  }
  ASSERT_TRUE(exporter.Flush(5s));
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  const json::value payload = json::parse(requests[1].body);
  EXPECT_EQ(OtlpSchema::Check(payload), std::vector<std::string>{});
  for (const json::value& span : payload.at("resourceSpans").at(0).at("scopeSpans").at(0).at("spans").as_array()) {
    const json::object& fields = span.as_object();
    EXPECT_EQ(fields.at("name").as_string(), "second");
    EXPECT_FALSE(fields.contains("parentSpanId"));
    EXPECT_FALSE(fields.contains("traceState"));
    EXPECT_FALSE(fields.contains("events"));
    EXPECT_TRUE(fields.at("attributes").as_array().empty());
    EXPECT_EQ(fields.at("status").at("code").as_int64(), 0);
    EXPECT_EQ(fields.at("kind").as_int64(), 1);
  }
}

TEST(TracesUrlTest, AppendsTheSignalPathOnlyToABareEndpoint) {
  EXPECT_EQ(*TracesUrl("http://collector:4318"), "http://collector:4318/v1/traces");
  EXPECT_EQ(*TracesUrl("http://collector:4318/"), "http://collector:4318/v1/traces");
  EXPECT_EQ(*TracesUrl("https://otlp.example.com/otlp/v1/traces"), "https://otlp.example.com/otlp/v1/traces");
  EXPECT_FALSE(TracesUrl("collector:4318"));
  EXPECT_FALSE(TracesUrl("grpc://collector:4317"));
}

TEST(ValidateOptionsTest, RefusesWhatCannotWork) {
  TracingOptions options;
  options.enabled = true;
  EXPECT_TRUE(ValidateOptions(options));
  const auto refused = [](auto change) {
    TracingOptions bad;
    bad.enabled = true;
    change(bad);
    return !ValidateOptions(bad);
  };
  EXPECT_TRUE(refused([](TracingOptions& o) { o.endpoint = "not a url"; }));
  EXPECT_TRUE(refused([](TracingOptions& o) { o.sample_ratio = 1.5; }));
  EXPECT_TRUE(refused([](TracingOptions& o) { o.sample_ratio = -0.1; }));
  EXPECT_TRUE(refused([](TracingOptions& o) { o.max_batch_size = 0; }));
  EXPECT_TRUE(refused([](TracingOptions& o) { o.max_batch_size = o.max_queue_size + 1; }));
  EXPECT_TRUE(refused([](TracingOptions& o) { o.max_export_attempts = 0; }));
  EXPECT_TRUE(refused([](TracingOptions& o) { o.max_batch_delay = std::chrono::milliseconds(0); }));
  TracingOptions off;
  off.endpoint = "not a url";
  EXPECT_TRUE(ValidateOptions(off)) << "the endpoint matters only when tracing is on";
}

}  // namespace
}  // namespace strata::tracing
