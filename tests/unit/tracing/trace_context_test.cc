#include "tracing/trace_context.h"

#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace strata::tracing {
namespace {

constexpr std::string_view kTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr std::string_view kSpanId = "00f067aa0ba902b7";
constexpr std::string_view kExample = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TraceparentTest, ParsesTheW3cExample) {
  const std::optional<SpanContext> context = ParseTraceparent(kExample);
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(context->trace_id.Hex(), kTraceId);
  EXPECT_EQ(context->span_id.Hex(), kSpanId);
  EXPECT_TRUE(context->sampled());
  EXPECT_TRUE(context->remote);
  EXPECT_TRUE(context->IsValid());
}

TEST(TraceparentTest, ReadsTheSampledFlagAndIgnoresTheOtherBits) {
  EXPECT_FALSE(ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")->sampled());
  EXPECT_FALSE(ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-02")->sampled());
  EXPECT_TRUE(ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff")->sampled());
  EXPECT_TRUE(ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03")->sampled());
}

TEST(TraceparentTest, IgnoresSurroundingOptionalWhitespace) {
  EXPECT_TRUE(ParseTraceparent(" \t00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 ").has_value());
}

TEST(TraceparentTest, ReadsALaterVersionForTheFieldsItKnows) {
  // W3C: a parser meeting a higher version reads the version-00 fields, if
  // the header is exactly as long or goes on with '-'.
  EXPECT_TRUE(ParseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").has_value());
  EXPECT_TRUE(ParseTraceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds")
                  .has_value());
  EXPECT_FALSE(ParseTraceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.what").has_value());
}

struct BadHeader {
  std::string_view value;
  std::string_view why;
};

TEST(TraceparentTest, RefusesEveryMalformedHeader) {
  const std::vector<BadHeader> bad = {
      {"", "empty"},
      {"00", "version only"},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "no flags"},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0", "flags too short"},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-", "version 00 with a trailing field"},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-010", "version 00 too long"},
      {"00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", "trace id 31 characters"},
      {"00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01", "trace id 33 characters"},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01", "span id 15 characters"},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b77-01", "span id 17 characters"},
      {"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "upper-case trace id"},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01", "upper-case span id"},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A", "upper-case flags"},
      {"0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "upper-case version"},
      {"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "version ff is forbidden"},
      {"0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "version not hex"},
      {"00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01", "trace id not hex"},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01", "span id not hex"},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x", "flags not hex"},
      {"00-00000000000000000000000000000000-00f067aa0ba902b7-01", "all-zero trace id"},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "all-zero span id"},
      {"00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01", "wrong delimiters"},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7 01", "space for a delimiter"},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736--00f067aa0ba902b7-01", "doubled delimiter"},
      {"00-4bf92f35 7b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "space inside the trace id"},
      {"x00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "garbage before"},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01,00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
       "two values joined"},
      {"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "later version, too short"},
      {"-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "no version"},
  };
  for (const BadHeader& header : bad) {
    EXPECT_FALSE(ParseTraceparent(header.value).has_value()) << header.why << ": '" << header.value << "'";
  }
}

TEST(TraceparentTest, FormatsWhatItParsed) {
  EXPECT_EQ(FormatTraceparent(*ParseTraceparent(kExample)), kExample);
  const std::string unsampled = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";
  EXPECT_EQ(FormatTraceparent(*ParseTraceparent(unsampled)), unsampled);
}

TEST(TraceparentTest, FormatsOnlyTheSampledBit) {
  EXPECT_EQ(FormatTraceparent(*ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff")),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  // A later version goes out as 00, the only one we speak.
  EXPECT_EQ(FormatTraceparent(*ParseTraceparent("7f-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x")),
            kExample);
}

TEST(TraceparentTest, FormatsNothingForAnInvalidContext) {
  EXPECT_EQ(FormatTraceparent(SpanContext{}), "");
  SpanContext no_span;
  no_span.trace_id = NewTraceId();
  EXPECT_EQ(FormatTraceparent(no_span), "");
}

TEST(TraceStateTest, CarriesAPlausibleValueUnchanged) {
  const std::string value = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7";
  EXPECT_EQ(SanitizeTraceState(value), value);
  EXPECT_EQ(SanitizeTraceState("  " + value + "\t"), value);
  EXPECT_EQ(SanitizeTraceState("a=1, ,b=2"), "a=1, ,b=2");  // empty members are allowed, and kept
}

TEST(TraceStateTest, DropsAnImplausibleValue) {
  EXPECT_FALSE(SanitizeTraceState(""));
  EXPECT_FALSE(SanitizeTraceState("  "));
  EXPECT_FALSE(SanitizeTraceState(" , "));
  EXPECT_FALSE(SanitizeTraceState("a=1\nb=2"));      // control character
  EXPECT_FALSE(SanitizeTraceState("a=caf\xc3\xa9"));  // not ASCII
  EXPECT_FALSE(SanitizeTraceState(std::string(kMaxTraceStateLength + 1, 'a')));
  EXPECT_TRUE(SanitizeTraceState(std::string(kMaxTraceStateLength, 'a')));
  std::string members;
  for (std::size_t i = 0; i <= kMaxTraceStateMembers; ++i) members += (i ? ",k" : "k") + std::to_string(i) + "=v";
  EXPECT_FALSE(SanitizeTraceState(members)) << "33 members";
  members = members.substr(0, members.rfind(','));
  EXPECT_TRUE(SanitizeTraceState(members)) << "32 members";
}

TEST(IdsTest, NewIdsAreValidDistinctLowercaseHex) {
  std::set<std::string> traces;
  std::set<std::string> spans;
  for (int i = 0; i < 10'000; ++i) {
    const TraceId trace = NewTraceId();
    const SpanId span = NewSpanId();
    ASSERT_TRUE(trace.IsValid());
    ASSERT_TRUE(span.IsValid());
    traces.insert(trace.Hex());
    spans.insert(span.Hex());
  }
  EXPECT_EQ(traces.size(), 10'000u);
  EXPECT_EQ(spans.size(), 10'000u);
  for (char c : *traces.begin()) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  EXPECT_EQ(traces.begin()->size(), 32u);
  EXPECT_EQ(spans.begin()->size(), 16u);
}

TEST(IdsTest, ThreadsDrawDifferentSequences) {
  std::vector<std::string> first;
  std::vector<std::string> second;
  std::thread a([&] {
    for (int i = 0; i < 1000; ++i) first.push_back(NewTraceId().Hex());
  });
  std::thread b([&] {
    for (int i = 0; i < 1000; ++i) second.push_back(NewTraceId().Hex());
  });
  a.join();
  b.join();
  std::set<std::string> all(first.begin(), first.end());
  all.insert(second.begin(), second.end());
  EXPECT_EQ(all.size(), 2000u);
}

TEST(IdsTest, RandomnessIsTheLast56BitsBigEndian) {
  const TraceId id = ParseTraceparent("00-000000000000000000abcdef01234567-00f067aa0ba902b7-01")->trace_id;
  EXPECT_EQ(id.Randomness(), 0xabcdef01234567ULL);
  const TraceId top = ParseTraceparent("00-ffffffffffffffffff00000000000001-00f067aa0ba902b7-01")->trace_id;
  EXPECT_EQ(top.Randomness(), 1u);
}

}  // namespace
}  // namespace strata::tracing
