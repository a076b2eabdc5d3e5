#include "mock_llm/internal/text.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace strata::mock_llm {
namespace {

namespace json = boost::json;

std::string Join(const std::vector<std::string_view>& parts) {
  std::string joined;
  for (const std::string_view part : parts) joined += part;
  return joined;
}

TEST(CountTokensTest, CountsOneTokenPerFourBytesRoundedUp) {
  EXPECT_EQ(CountTokens(0), 0u);
  EXPECT_EQ(CountTokens(1), 1u);
  EXPECT_EQ(CountTokens(4), 1u);
  EXPECT_EQ(CountTokens(5), 2u);
  EXPECT_EQ(CountTokens(400), 100u);
}

TEST(TruncateUtf8Test, NeverCutsACharacter) {
  const std::string text = "ab\xC3\xA9" "cd";  // "abécd": é is two bytes
  EXPECT_EQ(TruncateUtf8(text, 2), "ab");
  EXPECT_EQ(TruncateUtf8(text, 3), "ab");  // would cut é
  EXPECT_EQ(TruncateUtf8(text, 4), "ab\xC3\xA9");
  EXPECT_EQ(TruncateUtf8(text, 100), text);
}

TEST(SplitPiecesTest, CutsIntoNearlyEqualPiecesThatJoinBack) {
  const std::string text = "Mock reply to: hello world";
  const std::vector<std::string_view> parts = SplitPieces(text, 4);
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(Join(parts), text);
  for (const std::string_view part : parts) {
    EXPECT_GE(part.size(), text.size() / 4);
    EXPECT_LE(part.size(), text.size() / 4 + 1);
  }
}

TEST(SplitPiecesTest, GivesFewerPiecesThanAskedForShortText) {
  EXPECT_EQ(SplitPieces("abc", 8).size(), 3u);
  EXPECT_TRUE(SplitPieces("", 8).empty());
  EXPECT_EQ(SplitPieces("abc", 0).size(), 1u);
}

TEST(SplitPiecesTest, KeepsMultiByteCharactersWhole) {
  const std::string text = "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E";  // three 3-byte characters
  for (std::uint32_t pieces = 1; pieces <= 9; ++pieces) {
    const std::vector<std::string_view> parts = SplitPieces(text, pieces);
    EXPECT_EQ(Join(parts), text);
    for (const std::string_view part : parts) {
      EXPECT_EQ(part.size() % 3, 0u) << "pieces=" << pieces;
      EXPECT_FALSE(part.empty());
    }
  }
}

TEST(TextReplyTest, EchoesTheUserTextAfterAFixedPrefix) {
  const Reply reply = TextReply("hello", std::nullopt, std::nullopt);
  EXPECT_EQ(reply.text, "Mock reply to: hello");
  EXPECT_EQ(reply.finish, FinishReason::kStop);
  EXPECT_EQ(reply.completion_tokens, CountTokens(reply.text.size()));
  EXPECT_FALSE(reply.tool_call);
}

TEST(TextReplyTest, OverrideReplacesTheText) {
  EXPECT_EQ(TextReply("hello", "exactly this", std::nullopt).text, "exactly this");
}

TEST(TextReplyTest, MaxTokensTruncatesWithFinishLength) {
  const Reply reply = TextReply("hello world", std::nullopt, 3);
  EXPECT_EQ(reply.text, "Mock reply t");  // 3 tokens = 12 bytes
  EXPECT_EQ(reply.finish, FinishReason::kLength);
  EXPECT_EQ(reply.completion_tokens, 3u);
}

TEST(TextReplyTest, MaxTokensThatFitsChangesNothing) {
  const Reply reply = TextReply("hi", std::nullopt, 100);
  EXPECT_EQ(reply.text, "Mock reply to: hi");
  EXPECT_EQ(reply.finish, FinishReason::kStop);
}

TEST(ToolReplyTest, BuildsArgumentsFromTheSchemaAndAStableId) {
  const json::value schema = json::parse(R"({
    "type": "object",
    "properties": {
      "city": {"type": "string"},
      "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
      "days": {"type": "integer", "minimum": 3}
    },
    "required": ["city"]
  })");
  const Reply reply = ToolReply("get_weather", &schema, "call_");
  ASSERT_TRUE(reply.tool_call);
  EXPECT_EQ(reply.finish, FinishReason::kToolCall);
  EXPECT_EQ(reply.tool_call->name, "get_weather");
  EXPECT_EQ(reply.tool_call->arguments, R"({"city":"mock","unit":"celsius","days":3})");
  EXPECT_EQ(reply.tool_call->id.rfind("call_", 0), 0u);
  EXPECT_EQ(reply.tool_call->id.size(), 5u + 24u);
  EXPECT_EQ(reply.tool_call->id, ToolReply("get_weather", &schema, "call_").tool_call->id);
  EXPECT_NE(reply.tool_call->id, ToolReply("other", &schema, "call_").tool_call->id);
  EXPECT_EQ(reply.completion_tokens, CountTokens(reply.tool_call->name.size() + reply.tool_call->arguments.size()));
}

TEST(ToolReplyTest, NoSchemaGivesEmptyObject) {
  EXPECT_EQ(ToolReply("ping", nullptr, "toolu_").tool_call->arguments, "{}");
}

TEST(ExampleFromSchemaTest, FollowsEachKeyword) {
  const auto example = [](std::string_view schema) {
    return json::serialize(ExampleFromSchema(json::parse(schema)));
  };
  EXPECT_EQ(example(R"({"type":"string"})"), R"("mock")");
  EXPECT_EQ(example(R"({"type":"number"})"), "1");
  EXPECT_EQ(example(R"({"type":"integer","minimum":5})"), "5");
  EXPECT_EQ(example(R"({"type":"boolean"})"), "true");
  EXPECT_EQ(example(R"({"type":"null"})"), "null");
  EXPECT_EQ(example(R"({"const":"fixed","type":"string"})"), R"("fixed")");
  EXPECT_EQ(example(R"({"type":"string","default":"dflt"})"), R"("dflt")");
  EXPECT_EQ(example(R"({"type":["null","integer"]})"), "1");
  EXPECT_EQ(example(R"({"anyOf":[{"type":"boolean"},{"type":"string"}]})"), "true");
  EXPECT_EQ(example(R"({"type":"array","items":{"type":"integer"},"minItems":2})"), "[1,1]");
  EXPECT_EQ(example(R"({"type":"array","items":{"type":"integer"},"minItems":100000})").size(), 33u);
  EXPECT_EQ(example(R"({"properties":{"a":{"type":"object","properties":{"b":{"type":"string"}}}}})"),
            R"({"a":{"b":"mock"}})");
  EXPECT_EQ(example(R"({"$ref":"#/defs/x"})"), "{}");
}

TEST(ExampleFromSchemaTest, StopsAtDeepNesting) {
  std::string schema = R"({"type":"string"})";
  for (int i = 0; i < 30; ++i) schema = R"({"type":"array","items":)" + schema + "}";
  json::parse_options options;
  options.max_depth = 100;
  const json::value example = ExampleFromSchema(json::parse(schema, {}, options));
  EXPECT_TRUE(example.is_array());  // terminated, no stack overflow
}

TEST(ContentTextTest, ReadsStringsAndTextPartsButNotOtherBlocks) {
  std::string text;
  EXPECT_TRUE(AppendContentText(json::parse(R"("plain")"), text));
  EXPECT_EQ(text, "plain");

  text.clear();
  EXPECT_TRUE(AppendContentText(json::parse(R"([{"type":"text","text":"a"},{"type":"image_url","image_url":{}},
                                                {"type":"text","text":"b"}])"),
                                text));
  EXPECT_EQ(text, "a\nb");

  text.clear();
  EXPECT_FALSE(AppendContentText(json::parse(R"([{"type":"tool_result","content":"x"}])"), text));
  EXPECT_EQ(ContentTextBytes(json::parse(R"([{"type":"tool_result","content":"xyz"},{"type":"text","text":"ab"}])")),
            5u);
}

}  // namespace
}  // namespace strata::mock_llm
