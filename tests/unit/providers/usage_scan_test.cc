// The one-pass usage scan must agree with the DOM reading it replaced
// (UsageFromOpenAi over a parsed answer) on every answer, odd ones included.
#include "providers/openai/usage_scan.h"

#include <functional>
#include <random>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "providers/openai/openai_compatible.h"

namespace strata::providers {
namespace {

namespace json = boost::json;

// The reference: what the DOM says.
UsageScan ByDom(std::string_view answer) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(answer, ec);
  UsageScan scan;
  if (ec || !parsed.is_object()) return scan;
  scan.valid_object = true;
  if (const json::value* usage = parsed.get_object().if_contains("usage"); usage && usage->is_object()) {
    scan.usage = UsageFromOpenAi(*usage);
  }
  return scan;
}

void ExpectSame(std::string_view answer) {
  const UsageScan expected = ByDom(answer);
  const UsageScan scanned = ScanOpenAiUsage(answer);
  ASSERT_EQ(scanned.valid_object, expected.valid_object) << answer;
  ASSERT_EQ(scanned.usage.has_value(), expected.usage.has_value()) << answer;
  if (!expected.usage) return;
  EXPECT_EQ(scanned.usage->input_tokens, expected.usage->input_tokens) << answer;
  EXPECT_EQ(scanned.usage->output_tokens, expected.usage->output_tokens) << answer;
  EXPECT_EQ(scanned.usage->cached_input_tokens, expected.usage->cached_input_tokens) << answer;
  EXPECT_EQ(scanned.usage->reasoning_tokens, expected.usage->reasoning_tokens) << answer;
}

TEST(UsageScan, ReadsATypicalAnswer) {
  const std::string answer = R"({"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o",
    "choices":[{"index":0,"message":{"role":"assistant","content":"usage: {\"prompt_tokens\": 99}"},
    "finish_reason":"stop"}],
    "usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19,
      "prompt_tokens_details":{"cached_tokens":4,"audio_tokens":0},
      "completion_tokens_details":{"reasoning_tokens":3,"accepted_prediction_tokens":0}}})";
  const UsageScan scan = ScanOpenAiUsage(answer);
  ASSERT_TRUE(scan.valid_object);
  ASSERT_TRUE(scan.usage);
  EXPECT_EQ(scan.usage->input_tokens, 12u);
  EXPECT_EQ(scan.usage->output_tokens, 7u);
  EXPECT_EQ(scan.usage->cached_input_tokens, 4u);
  EXPECT_EQ(scan.usage->reasoning_tokens, 3u);
  ExpectSame(answer);
}

TEST(UsageScan, AgreesWithTheDomOnOddAnswers) {
  for (const char* answer : {
           R"({})",
           R"({"usage":null})",
           R"({"usage":[1,2]})",
           R"({"usage":"12"})",
           R"({"usage":{}})",
           R"({"usage":{"prompt_tokens":-3,"completion_tokens":2.0,"prompt_tokens_details":null}})",
           R"({"usage":{"prompt_tokens":1.5,"completion_tokens":"7"}})",
           R"({"usage":{"prompt_tokens":18446744073709551615}})",
           R"({"usage":{"prompt_tokens":1},"usage":{"prompt_tokens":2}})",
           R"({"usage":{"prompt_tokens":1},"usage":null})",
           R"({"usage":{"completion_tokens_details":{"cached_tokens":5,"reasoning_tokens":6}}})",
           R"({"usage":{"prompt_tokens_details":{"reasoning_tokens":5,"cached_tokens":6}}})",
           R"({"usage":{"prompt_tokens_details":{"x":{"cached_tokens":9}},"prompt_tokens":2}})",
           R"({"choices":[{"usage":{"prompt_tokens":5}}]})",
           R"({"meta":{"usage":{"prompt_tokens":5}},"usage":{"completion_tokens":1}})",
           R"({"us\u0061ge":{"prompt_tokens":3}})",
           R"({"usage":{"prompt\u005ftokens":3}})",
           R"([{"usage":{"prompt_tokens":1}}])",
           R"("usage")",
           R"(12)",
           R"({"usage":{"prompt_tokens":1})",
           R"({"usage":{"prompt_tokens":1}} trailing)",
           R"(not json)",
           "",
       }) {
    ExpectSame(answer);
  }
}

// Random answers built from the pieces above, nested at random.
TEST(UsageScan, AgreesWithTheDomOnRandomAnswers) {
  std::mt19937 random(20261124);
  const std::vector<std::string> keys = {"usage", "prompt_tokens", "completion_tokens", "prompt_tokens_details",
                                         "completion_tokens_details", "cached_tokens", "reasoning_tokens", "x"};
  const std::vector<std::string> scalars = {"0", "1", "42", "-1", "2.0", "2.5", "null", "true", "\"s\"", "1e3"};
  std::function<std::string(int)> value = [&](int depth) -> std::string {
    const int kind = static_cast<int>(random() % (depth > 3 ? 1 : 3));
    if (kind == 0) return scalars[random() % scalars.size()];
    std::string out;
    const int count = static_cast<int>(random() % 4);
    if (kind == 1) {
      out = "[";
      for (int i = 0; i < count; ++i) out += (i ? "," : "") + value(depth + 1);
      return out + "]";
    }
    out = "{";
    for (int i = 0; i < count; ++i) out += (i ? ",\"" : "\"") + keys[random() % keys.size()] + "\":" + value(depth + 1);
    return out + "}";
  };
  for (int i = 0; i < 10000; ++i) {
    std::string answer = "{";
    const int count = 1 + static_cast<int>(random() % 3);
    for (int k = 0; k < count; ++k) answer += (k ? ",\"" : "\"") + keys[random() % 2 == 0 ? 0 : random() % keys.size()] + "\":" + value(1);
    answer += "}";
    ExpectSame(answer);
  }
}

}  // namespace
}  // namespace strata::providers
