#include "tracing/otlp_json.h"

#include <cmath>
#include <limits>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "unit/tracing/otlp_schema.h"

namespace strata::tracing {
namespace {

namespace json = boost::json;
using testing::OtlpSchema;

std::unique_ptr<SpanData> SampleSpan() {
  auto span = std::make_unique<SpanData>();
  span->trace_id = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")->trace_id;
  span->span_id = NewSpanId();
  span->parent_span_id = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")->span_id;
  span->parent_remote = true;
  span->trace_flags = kSampledFlag;
  span->trace_state = std::make_shared<const std::string>("congo=t61rcWkgMzE");
  span->name = "POST /v1/chat/completions";
  span->kind = SpanKind::kServer;
  span->start_unix_nano = 1'700'000'000'123'456'789ULL;
  span->end_unix_nano = 1'700'000'000'223'456'789ULL;
  span->status = StatusCode::kError;
  span->status_message = "upstream said \"no\"\n";
  span->attributes = {
      {"gen_ai.request.model", std::string("gpt-4o")},
      {"gen_ai.usage.input_tokens", std::int64_t{-42}},
      {"gen_ai.request.temperature", 0.25},
      {"strata.stream", false},
      {"gen_ai.response.finish_reasons", std::vector<std::string>{"stop", "length"}},
      {"strata.bad_utf8", std::string("a\xff\xfe" "b")},
      {"strata.nan", std::numeric_limits<double>::quiet_NaN()},
      {"strata.inf", -std::numeric_limits<double>::infinity()},
  };
  span->dropped_attributes = 3;
  SpanEvent event;
  event.name = "strata.first_token";
  event.time_unix_nano = 1'700'000'000'200'000'000ULL;
  event.attributes = {{"strata.delta", std::int64_t{1}}};
  span->events.push_back(std::move(event));
  return span;
}

json::value EncodeOne(std::unique_ptr<SpanData> span, const TracingOptions& options = {}) {
  std::vector<std::unique_ptr<SpanData>> spans;
  spans.push_back(std::move(span));
  const std::string text = OtlpJsonEncoder(options).Encode(spans);
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  EXPECT_FALSE(ec) << text;
  return parsed;
}

const json::object& FirstSpan(const json::value& request) {
  return request.at("resourceSpans").at(0).at("scopeSpans").at(0).at("spans").at(0).as_object();
}

const json::value* Attribute(const json::object& owner, std::string_view key) {
  for (const json::value& attribute : owner.at("attributes").as_array()) {
    if (attribute.at("key").as_string() == key) return &attribute.at("value");
  }
  return nullptr;
}

TEST(OtlpJsonTest, EncodesARequestTheSchemaAccepts) {
  const json::value request = EncodeOne(SampleSpan());
  EXPECT_EQ(OtlpSchema::Check(request), std::vector<std::string>{}) << json::serialize(request);
}

TEST(OtlpJsonTest, WritesIdsAsLowercaseHexAndTimesAsStrings) {
  const json::value request = EncodeOne(SampleSpan());
  const json::object& span = FirstSpan(request);
  EXPECT_EQ(span.at("traceId").as_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(span.at("parentSpanId").as_string(), "00f067aa0ba902b7");
  EXPECT_EQ(span.at("spanId").as_string().size(), 16u);
  EXPECT_EQ(span.at("startTimeUnixNano").as_string(), "1700000000123456789");
  EXPECT_EQ(span.at("endTimeUnixNano").as_string(), "1700000000223456789");
  EXPECT_EQ(span.at("traceState").as_string(), "congo=t61rcWkgMzE");
}

TEST(OtlpJsonTest, WritesEnumsAndFlagsAsIntegers) {
  const json::value request = EncodeOne(SampleSpan());
  const json::object& span = FirstSpan(request);
  EXPECT_EQ(span.at("kind").as_int64(), 2);  // SPAN_KIND_SERVER
  EXPECT_EQ(span.at("status").at("code").as_int64(), 2);  // STATUS_CODE_ERROR
  EXPECT_EQ(span.at("status").at("message").as_string(), "upstream said \"no\"\n");
  EXPECT_EQ(span.at("flags").as_int64(), 0x301);  // sampled, parent is-remote known and true
  EXPECT_EQ(span.at("droppedAttributesCount").as_int64(), 3);
}

TEST(OtlpJsonTest, WritesEachAttributeTypeAsItsAnyValue) {
  const json::value request = EncodeOne(SampleSpan());
  const json::object& span = FirstSpan(request);
  EXPECT_EQ(Attribute(span, "gen_ai.request.model")->at("stringValue").as_string(), "gpt-4o");
  EXPECT_EQ(Attribute(span, "gen_ai.usage.input_tokens")->at("intValue").as_string(), "-42");
  EXPECT_EQ(Attribute(span, "gen_ai.request.temperature")->at("doubleValue").as_double(), 0.25);
  EXPECT_EQ(Attribute(span, "strata.stream")->at("boolValue").as_bool(), false);
  const json::array& reasons = Attribute(span, "gen_ai.response.finish_reasons")->at("arrayValue").at("values").as_array();
  ASSERT_EQ(reasons.size(), 2u);
  EXPECT_EQ(reasons[1].at("stringValue").as_string(), "length");
  EXPECT_EQ(Attribute(span, "strata.bad_utf8")->at("stringValue").as_string(), "a\xef\xbf\xbd\xef\xbf\xbd" "b");
  EXPECT_EQ(Attribute(span, "strata.nan")->at("doubleValue").as_string(), "NaN");
  EXPECT_EQ(Attribute(span, "strata.inf")->at("doubleValue").as_string(), "-Infinity");
  const json::object& event = span.at("events").at(0).as_object();
  EXPECT_EQ(event.at("timeUnixNano").as_string(), "1700000000200000000");
  EXPECT_EQ(Attribute(event, "strata.delta")->at("intValue").as_string(), "1");
}

TEST(OtlpJsonTest, ARootSpanHasNoParentAndAnUnsetStatusSaysSo) {
  auto span = SampleSpan();
  span->parent_span_id = SpanId{};
  span->parent_remote = false;
  span->trace_state.reset();
  span->status = StatusCode::kUnset;
  span->status_message.clear();
  span->kind = SpanKind::kClient;
  const json::value request = EncodeOne(std::move(span));
  const json::object& encoded = FirstSpan(request);
  EXPECT_FALSE(encoded.contains("parentSpanId"));
  EXPECT_FALSE(encoded.contains("traceState"));
  EXPECT_EQ(encoded.at("kind").as_int64(), 3);
  EXPECT_EQ(encoded.at("status").at("code").as_int64(), 0);
  EXPECT_EQ(encoded.at("flags").as_int64(), 0x101);
  EXPECT_EQ(OtlpSchema::Check(request), std::vector<std::string>{});
}

TEST(OtlpJsonTest, DescribesTheResourceAndScope) {
  TracingOptions options;
  options.service_version = "9.9.9";
  options.host_name = "gw-1";
  options.resource_attributes = {{"deployment.environment.name", "prod"}, {"service.name", "edge-gateway"}};
  const json::value request = EncodeOne(SampleSpan(), options);
  const json::object& resource = request.at("resourceSpans").at(0).at("resource").as_object();
  EXPECT_EQ(Attribute(resource, "service.name")->at("stringValue").as_string(), "edge-gateway");
  EXPECT_EQ(Attribute(resource, "service.version")->at("stringValue").as_string(), "9.9.9");
  EXPECT_EQ(Attribute(resource, "host.name")->at("stringValue").as_string(), "gw-1");
  EXPECT_EQ(Attribute(resource, "deployment.environment.name")->at("stringValue").as_string(), "prod");
  EXPECT_EQ(Attribute(resource, "telemetry.sdk.language")->at("stringValue").as_string(), "cpp");
  EXPECT_EQ(request.at("resourceSpans").at(0).at("scopeSpans").at(0).at("scope").at("name").as_string(), "strata");
  EXPECT_EQ(OtlpSchema::Check(request), std::vector<std::string>{});
}

TEST(OtlpJsonTest, DefaultsServiceNameToStrataAndHostNameToTheMachines) {
  const auto attributes = ResourceAttributes(TracingOptions{});
  EXPECT_EQ(attributes[0], (std::pair<std::string, std::string>{"service.name", "strata"}));
  EXPECT_EQ(attributes[2].first, "host.name");
  EXPECT_FALSE(attributes[2].second.empty());
}

TEST(OtlpJsonTest, EncodesManySpansInOneRequest) {
  std::vector<std::unique_ptr<SpanData>> spans;
  for (int i = 0; i < 3; ++i) spans.push_back(SampleSpan());
  const json::value request = json::parse(OtlpJsonEncoder(TracingOptions{}).Encode(spans));
  EXPECT_EQ(request.at("resourceSpans").at(0).at("scopeSpans").at(0).at("spans").as_array().size(), 3u);
  EXPECT_EQ(OtlpSchema::Check(request), std::vector<std::string>{});
}

// The schema checks themselves must catch what they claim to.
TEST(OtlpSchemaTest, RejectsWhatTheOtlpJsonEncodingForbids) {
  const json::value good = EncodeOne(SampleSpan());
  const auto mutated = [&](auto change) {
    json::value copy = good;
    change(copy.at("resourceSpans").at(0).at("scopeSpans").at(0).at("spans").at(0).as_object());
    return OtlpSchema::Check(copy);
  };
  EXPECT_FALSE(mutated([](json::object& s) { s["traceId"] = "S/ki2X6VpZ4KOkjXnu4nNg=="; }).empty()) << "base64 id";
  EXPECT_FALSE(mutated([](json::object& s) { s["traceId"] = "4BF92F3577B34DA6A3CE929D0E0E4736"; }).empty());
  EXPECT_FALSE(mutated([](json::object& s) { s["spanId"] = "00000000000000000"; }).empty());
  EXPECT_FALSE(mutated([](json::object& s) { s["kind"] = "SPAN_KIND_SERVER"; }).empty()) << "enum as name";
  EXPECT_FALSE(mutated([](json::object& s) { s["kind"] = 9; }).empty());
  EXPECT_FALSE(mutated([](json::object& s) { s["startTimeUnixNano"] = 1700000000123456789; }).empty());
  EXPECT_FALSE(mutated([](json::object& s) { s["endTimeUnixNano"] = "1"; }).empty()) << "ends before start";
  EXPECT_FALSE(mutated([](json::object& s) { s["status"].as_object()["code"] = 3; }).empty());
  EXPECT_FALSE(mutated([](json::object& s) { s["trace_id"] = "x"; }).empty()) << "snake_case field";
  EXPECT_FALSE(mutated([](json::object& s) { s.erase("name"); }).empty());
  EXPECT_FALSE(mutated([](json::object& s) {
                 s["attributes"].as_array()[0].as_object()["value"] = json::object{{"intValue", 5}};
               }).empty())
      << "int64 as number";
  EXPECT_FALSE(mutated([](json::object& s) {
                 s["attributes"].as_array()[0].as_object()["value"] =
                     json::object{{"stringValue", "a"}, {"boolValue", true}};
               }).empty())
      << "two values in one AnyValue";
  EXPECT_FALSE(mutated([](json::object& s) { s["attributes"].as_array().push_back(s["attributes"].as_array()[0]); })
                   .empty())
      << "duplicate key";
}

}  // namespace
}  // namespace strata::tracing
