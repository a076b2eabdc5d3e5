#include "core/ids.h"

#include <chrono>
#include <set>
#include <thread>

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

TEST(RequestIdTest, TimeOrderedIdsSortByCreationAndStartWithTheMillisecond) {
  const auto millis = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  const long long before = millis();
  std::string previous = NewTimeOrderedId();
  std::set<std::string> seen{previous};
  for (int i = 0; i < 1000; ++i) {
    if (i % 100 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const std::string id = NewTimeOrderedId();
    ASSERT_EQ(id.size(), 32u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
    // Within a millisecond the order is random; across milliseconds, by time.
    EXPECT_GE(id.substr(0, 12), previous.substr(0, 12));
    previous = id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1001u);
  const long long stamped = std::stoll(previous.substr(0, 12), nullptr, 16);
  EXPECT_GE(stamped, before);
  EXPECT_LE(stamped, millis());
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
