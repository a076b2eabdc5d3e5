#include "core/ids.h"

#include <set>

#include <gtest/gtest.h>

#include "core/text.h"

namespace strata::core {
namespace {

TEST(RequestIdTest, NewIdsAre32HexCharactersAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewRequestId();
    ASSERT_EQ(id.size(), 32u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RequestIdTest, ClientIdsAreAcceptedOnlyWhenSafeToLog) {
  EXPECT_TRUE(IsAcceptableRequestId("req_01J8-abc.def:1"));
  EXPECT_FALSE(IsAcceptableRequestId(""));
  EXPECT_FALSE(IsAcceptableRequestId("has space"));
  EXPECT_FALSE(IsAcceptableRequestId("quote\""));
  EXPECT_FALSE(IsAcceptableRequestId("newline\ninjected"));
  EXPECT_FALSE(IsAcceptableRequestId(std::string(129, 'a')));
}

TEST(TextTest, Utf8ValidationRejectsOverlongsSurrogatesAndTruncation) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(TextTest, JsonEscapingReplacesInvalidBytesAndEscapesControls) {
  std::string out;
  AppendJsonEscaped(out, "a\"b\\c\n\x01\xFF\xC3\xA9");
  EXPECT_EQ(out, "a\\\"b\\\\c\\n\\u0001\\ufffd\xC3\xA9");
}

}  // namespace
}  // namespace strata::core
