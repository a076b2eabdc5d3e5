#include "tracing/tracer.h"

#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tracing/genai.h"
#include "unit/tracing/capturing_sink.h"

namespace strata::tracing {
namespace {

using testing::CapturingSink;

constexpr std::string_view kSampledParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr std::string_view kUnsampledParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";

TracingOptions On(double ratio = 1.0) {
  TracingOptions options;
  options.enabled = true;
  options.sample_ratio = ratio;
  return options;
}

// Trace ids from a fixed seed: the statistics below are the same on every run.
std::vector<TraceId> FixedTraceIds(std::size_t count) {
  std::mt19937_64 random(20240611);
  std::vector<TraceId> ids(count);
  for (TraceId& id : ids) {
    for (int half = 0; half < 2; ++half) {
      std::uint64_t bits = random();
      for (int i = 0; i < 8; ++i, bits >>= 8) id.bytes[half * 8 + i] = static_cast<std::uint8_t>(bits);
    }
  }
  return ids;
}

const Attribute* Find(const SpanData& span, std::string_view key) {
  for (const Attribute& attribute : span.attributes) {
    if (attribute.key == key) return &attribute;
  }
  return nullptr;
}

TEST(RatioSamplerTest, KeepsAboutTheRatioOfAFixedSetOfIds) {
  const std::vector<TraceId> ids = FixedTraceIds(100'000);
  for (double ratio : {0.01, 0.1, 0.25, 0.5, 0.9}) {
    const RatioSampler sampler(ratio);
    std::size_t kept = 0;
    for (const TraceId& id : ids) kept += sampler.ShouldSample(id) ? 1 : 0;
    const double observed = static_cast<double>(kept) / static_cast<double>(ids.size());
    // Binomial: sd = sqrt(r(1-r)/n) <= 0.0016; 0.01 is over six of them.
    EXPECT_NEAR(observed, ratio, 0.01) << "ratio " << ratio;
  }
}

TEST(RatioSamplerTest, DecidesTheSameForTheSameIdEveryTime) {
  const std::vector<TraceId> ids = FixedTraceIds(1000);
  const RatioSampler first(0.3);
  const RatioSampler second(0.3);
  for (const TraceId& id : ids) {
    EXPECT_EQ(first.ShouldSample(id), second.ShouldSample(id));
    EXPECT_EQ(first.ShouldSample(id), first.ShouldSample(id));
  }
}

TEST(RatioSamplerTest, ATraceKeptAtOneRatioIsKeptAtEveryHigherOne) {
  const std::vector<TraceId> ids = FixedTraceIds(5000);
  const RatioSampler low(0.2);
  const RatioSampler high(0.6);
  for (const TraceId& id : ids) {
    if (low.ShouldSample(id)) {
      EXPECT_TRUE(high.ShouldSample(id));
    }
  }
}

TEST(RatioSamplerTest, UsesOtelThresholdOnTheLast56Bits) {
  EXPECT_EQ(RatioSampler(1.0).threshold(), 0u);
  EXPECT_EQ(RatioSampler(0.0).threshold(), std::uint64_t{1} << 56);
  EXPECT_EQ(RatioSampler(0.5).threshold(), std::uint64_t{1} << 55);
  EXPECT_EQ(RatioSampler(0.25).threshold(), std::uint64_t{3} << 54);
  TraceId id;
  id.bytes[0] = 0xff;  // the first 72 bits do not count
  id.bytes[9] = 0x80;  // randomness exactly 2^55
  EXPECT_TRUE(RatioSampler(0.5).ShouldSample(id));
  id.bytes[9] = 0x7f;
  for (int i = 10; i < 16; ++i) id.bytes[i] = 0xff;  // 2^55 - 1
  EXPECT_FALSE(RatioSampler(0.5).ShouldSample(id));
}

TEST(RatioSamplerTest, ZeroKeepsNothingAndOneKeepsEverything) {
  const std::vector<TraceId> ids = FixedTraceIds(2000);
  for (const TraceId& id : ids) {
    EXPECT_FALSE(RatioSampler(0.0).ShouldSample(id));
    EXPECT_TRUE(RatioSampler(1.0).ShouldSample(id));
  }
  TraceId max;
  max.bytes.fill(0xff);
  EXPECT_FALSE(RatioSampler(0.0).ShouldSample(max));
}

TEST(TracerTest, ARootIsSampledByRatio) {
  CapturingSink sink;
  const Tracer all(On(1.0), &sink);
  const Tracer none(On(0.0), &sink);
  EXPECT_TRUE(all.StartSpan("root", SpanKind::kServer).recording());
  Span unsampled = none.StartSpan("root", SpanKind::kServer);
  EXPECT_FALSE(unsampled.recording());
  EXPECT_TRUE(unsampled.context().IsValid()) << "an unsampled span still has ids to propagate";
  EXPECT_FALSE(unsampled.context().sampled());
}

TEST(TracerTest, FollowsTheCallersSampledFlag) {
  CapturingSink sink;
  const Tracer never(On(0.0), &sink);
  Span kept = never.StartServerSpan("POST /v1/chat/completions", kSampledParent, "");
  EXPECT_TRUE(kept.recording());
  EXPECT_EQ(kept.context().trace_id.Hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_NE(kept.context().span_id.Hex(), "00f067aa0ba902b7");

  const Tracer always(On(1.0), &sink);
  Span dropped = always.StartServerSpan("POST /v1/chat/completions", kUnsampledParent, "");
  EXPECT_FALSE(dropped.recording());
  EXPECT_EQ(dropped.Traceparent().substr(0, 36), "00-4bf92f3577b34da6a3ce929d0e0e4736-");
  EXPECT_EQ(dropped.Traceparent().substr(53), "00");
}

TEST(TracerTest, WithoutParentBasedTheRatioDecidesForCallersToo) {
  CapturingSink sink;
  TracingOptions options = On(0.0);
  options.parent_based = false;
  const Tracer tracer(options, &sink);
  Span span = tracer.StartServerSpan("request", kSampledParent, "");
  EXPECT_FALSE(span.recording());
  EXPECT_EQ(span.context().trace_id.Hex(), "4bf92f3577b34da6a3ce929d0e0e4736") << "the trace still continues";
}

TEST(TracerTest, AChildFollowsItsLocalParent) {
  CapturingSink sink;
  const Tracer tracer(On(0.0), &sink);
  Span root = tracer.StartServerSpan("request", kSampledParent, "");
  Span child = tracer.StartChild(root, "attempt", SpanKind::kClient);
  ASSERT_TRUE(child.recording());
  EXPECT_EQ(child.context().trace_id, root.context().trace_id);
  child.End();
  root.End();
  const auto spans = sink.Take();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0]->parent_span_id, root.context().span_id);
  EXPECT_FALSE(spans[0]->parent_remote);
  EXPECT_EQ(spans[1]->parent_span_id.Hex(), "00f067aa0ba902b7");
  EXPECT_TRUE(spans[1]->parent_remote);
}

TEST(TracerTest, AnInvalidTraceparentStartsANewTraceAndIgnoresTracestate) {
  CapturingSink sink;
  const Tracer tracer(On(1.0), &sink);
  Span span = tracer.StartServerSpan("request", "00-zz", "vendor=1");
  ASSERT_TRUE(span.recording());
  EXPECT_NE(span.context().trace_id.Hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(span.context().trace_state, nullptr);
  span.End();
  EXPECT_FALSE(sink.Take()[0]->parent_span_id.IsValid());
}

TEST(TracerTest, CarriesTracestateToChildrenUnchanged) {
  CapturingSink sink;
  const Tracer tracer(On(0.0), &sink);
  Span root = tracer.StartServerSpan("request", kUnsampledParent, "congo=t61rcWkgMzE");
  Span child = tracer.StartChild(root, "attempt", SpanKind::kClient);
  EXPECT_EQ(child.context().trace_state_view(), "congo=t61rcWkgMzE") << "also when not sampled";
}

TEST(TracerTest, AnUnsampledSpanRecordsNothing) {
  CapturingSink sink;
  const Tracer tracer(On(0.0), &sink);
  {
    Span span = tracer.StartSpan("root", SpanKind::kServer);
    span.SetAttribute(genai::kRequestModel, "gpt-4o");
    span.SetAttribute(genai::kUsageInputTokens, 12);
    span.SetContent(genai::kInputMessages, "secret");
    span.AddEvent(genai::kEventFirstToken);
    span.SetError("timeout", "slow");
    EXPECT_FALSE(span.capturing_content());
    span.End();
  }
  EXPECT_EQ(sink.size(), 0u);
}

TEST(TracerTest, ADisabledTracerMakesInertSpans) {
  CapturingSink sink;
  TracingOptions options = On(1.0);
  options.enabled = false;
  const Tracer tracer(options, &sink);
  Span span = tracer.StartServerSpan("request", kSampledParent, "");
  EXPECT_FALSE(span.recording());
  EXPECT_FALSE(span.context().IsValid());
  EXPECT_EQ(span.Traceparent(), "");
  span.End();
  EXPECT_EQ(sink.size(), 0u);
}

TEST(SpanTest, RecordsNameKindTimesAndAttributesOfEveryType) {
  CapturingSink sink;
  const Tracer tracer(On(), &sink);
  Span span = tracer.StartSpan("chat gpt-4o", SpanKind::kClient);
  span.SetAttribute(genai::kRequestModel, "gpt-4o");
  span.SetAttribute(genai::kRequestMaxTokens, 256);
  span.SetAttribute(genai::kRequestTemperature, 0.5);
  span.SetAttribute(genai::kStrataStream, true);
  span.SetAttribute(genai::kResponseFinishReasons, std::vector<std::string>{"stop"});
  span.SetAttribute(genai::kUsageOutputTokens, std::uint64_t{1} << 63);  // clamped to int64
  span.End();
  const auto spans = sink.Take();
  ASSERT_EQ(spans.size(), 1u);
  const SpanData& data = *spans[0];
  EXPECT_EQ(data.name, "chat gpt-4o");
  EXPECT_EQ(data.kind, SpanKind::kClient);
  EXPECT_GT(data.start_unix_nano, 1'600'000'000'000'000'000u);
  EXPECT_GE(data.end_unix_nano, data.start_unix_nano);
  EXPECT_EQ(std::get<std::string>(Find(data, "gen_ai.request.model")->value), "gpt-4o");
  EXPECT_EQ(std::get<std::int64_t>(Find(data, "gen_ai.request.max_tokens")->value), 256);
  EXPECT_EQ(std::get<double>(Find(data, "gen_ai.request.temperature")->value), 0.5);
  EXPECT_EQ(std::get<bool>(Find(data, "strata.stream")->value), true);
  EXPECT_EQ(std::get<std::vector<std::string>>(Find(data, "gen_ai.response.finish_reasons")->value),
            std::vector<std::string>{"stop"});
  EXPECT_EQ(std::get<std::int64_t>(Find(data, "gen_ai.usage.output_tokens")->value), INT64_MAX);
}

TEST(SpanTest, SettingAKeyAgainReplacesItsValue) {
  CapturingSink sink;
  const Tracer tracer(On(), &sink);
  Span span = tracer.StartSpan("s", SpanKind::kInternal);
  span.SetAttribute(genai::kStrataDeployment, "a");
  span.SetAttribute(genai::kStrataDeployment, 2);
  span.End();
  const auto spans = sink.Take();
  ASSERT_EQ(spans[0]->attributes.size(), 1u);
  EXPECT_EQ(std::get<std::int64_t>(spans[0]->attributes[0].value), 2);
}

TEST(SpanTest, DropsAndCountsAttributesBeyondTheLimit) {
  static const std::vector<std::string> kKeys = [] {
    std::vector<std::string> keys;
    for (int i = 0; i < 10; ++i) keys.push_back("key." + std::to_string(i));
    return keys;
  }();
  CapturingSink sink;
  TracingOptions options = On();
  options.max_attributes = 4;
  const Tracer tracer(options, &sink);
  Span span = tracer.StartSpan("s", SpanKind::kInternal);
  for (const std::string& key : kKeys) span.SetAttribute(AttributeKey::Immortal(key), 1);
  span.SetAttribute(AttributeKey::Immortal(kKeys[0]), 2);  // an existing key is still replaced
  span.End();
  const auto spans = sink.Take();
  EXPECT_EQ(spans[0]->attributes.size(), 4u);
  EXPECT_EQ(spans[0]->dropped_attributes, 6u);
  EXPECT_EQ(std::get<std::int64_t>(spans[0]->attributes[0].value), 2);
}

TEST(SpanTest, CutsLongStringsOnAUtf8Boundary) {
  CapturingSink sink;
  TracingOptions options = On();
  options.max_attribute_length = 5;
  const Tracer tracer(options, &sink);
  Span span = tracer.StartSpan("a long span name", SpanKind::kInternal);
  span.SetAttribute(genai::kRequestModel, "ab\xc3\xa9\xc3\xa9");  // "abéé": 6 bytes, cut inside the 2nd é
  span.End();
  const auto spans = sink.Take();
  EXPECT_EQ(std::get<std::string>(spans[0]->attributes[0].value), "ab\xc3\xa9");
  EXPECT_EQ(spans[0]->name, "a lon");
}

TEST(SpanTest, RecordsContentOnlyWhenConfigured) {
  CapturingSink sink;
  const Tracer without(On(), &sink);
  Span quiet = without.StartSpan("s", SpanKind::kInternal);
  EXPECT_FALSE(quiet.capturing_content());
  quiet.SetContent(genai::kInputMessages, R"([{"role":"user","content":"my secret"}])");
  quiet.End();
  EXPECT_TRUE(sink.Take()[0]->attributes.empty());

  TracingOptions options = On();
  options.capture_content = true;
  options.max_content_length = 8;
  const Tracer with(options, &sink);
  Span loud = with.StartSpan("s", SpanKind::kInternal);
  EXPECT_TRUE(loud.capturing_content());
  loud.SetContent(genai::kInputMessages, "0123456789");
  loud.End();
  const auto spans = sink.Take();
  EXPECT_EQ(std::get<std::string>(spans[0]->attributes[0].value), "01234567");
}

TEST(SpanTest, FollowsOtelStatusRules) {
  CapturingSink sink;
  const Tracer tracer(On(), &sink);
  Span error = tracer.StartSpan("s", SpanKind::kInternal);
  error.SetStatus(StatusCode::kUnset);
  error.SetError("upstream_unavailable", "deployment a: 503");
  error.End();
  Span ok = tracer.StartSpan("s", SpanKind::kInternal);
  ok.SetStatus(StatusCode::kOk, "ignored for Ok");
  ok.SetStatus(StatusCode::kError, "too late: Ok is final");
  ok.End();
  const auto spans = sink.Take();
  EXPECT_EQ(spans[0]->status, StatusCode::kError);
  EXPECT_EQ(spans[0]->status_message, "deployment a: 503");
  EXPECT_EQ(std::get<std::string>(Find(*spans[0], "error.type")->value), "upstream_unavailable");
  EXPECT_EQ(spans[1]->status, StatusCode::kOk);
  EXPECT_EQ(spans[1]->status_message, "");
}

TEST(SpanTest, AddsEventsUpToTheLimit) {
  CapturingSink sink;
  TracingOptions options = On();
  options.max_events = 2;
  const Tracer tracer(options, &sink);
  Span span = tracer.StartSpan("s", SpanKind::kInternal);
  span.AddEvent(genai::kEventFirstToken, {{"strata.delta", 3}, {"strata.note", "x"}, {"strata.ok", true}});
  span.AddEvent("retry");
  span.AddEvent("retry");
  span.End();
  const auto spans = sink.Take();
  ASSERT_EQ(spans[0]->events.size(), 2u);
  EXPECT_EQ(spans[0]->dropped_events, 1u);
  EXPECT_EQ(spans[0]->events[0].name, "strata.first_token");
  EXPECT_EQ(spans[0]->events[0].attributes.size(), 3u);
  EXPECT_GE(spans[0]->events[0].time_unix_nano, spans[0]->start_unix_nano);
  EXPECT_LE(spans[0]->events[1].time_unix_nano, spans[0]->end_unix_nano);
}

TEST(SpanTest, EndsOnceWhateverHappensToTheHandle) {
  CapturingSink sink;
  const Tracer tracer(On(), &sink);
  {
    Span span = tracer.StartSpan("ended twice", SpanKind::kInternal);
    span.End();
    span.End();
    Span moved = tracer.StartSpan("moved", SpanKind::kInternal);
    Span target = std::move(moved);
    EXPECT_FALSE(moved.recording());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
    Span replaced = tracer.StartSpan("replaced", SpanKind::kInternal);
    replaced = tracer.StartSpan("replacement", SpanKind::kInternal);  // ends "replaced" first
  }  // "moved" (in target) and "replacement" end here
  const auto spans = sink.Take();
  ASSERT_EQ(spans.size(), 4u);
  EXPECT_EQ(spans[0]->name, "ended twice");
  EXPECT_EQ(spans[1]->name, "replaced");
  std::set<std::string> last = {spans[2]->name, spans[3]->name};
  EXPECT_EQ(last, (std::set<std::string>{"moved", "replacement"}));
}

}  // namespace
}  // namespace strata::tracing
