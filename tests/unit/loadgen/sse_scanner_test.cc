#include "loadgen/sse_scanner.h"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace strata::loadgen {
namespace {

// Every line ending, a comment, an event without data (not an event), a bare
// "data" line (an event with empty data), a field that only starts with
// "data", multi-line data, and OpenAI's and Anthropic's shapes.
constexpr std::string_view kWire =
    ": keep-alive\r\n"
    "\r\n"
    "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\r\n"
    "\r\n"
    "event: message_start\n"
    "data: line one\n"
    "data: line two\n"
    "\n"
    "event: ping-without-data\r"
    "\r"
    "database: not a data field\n"
    "\n"
    "data\r"
    "\r"
    "data:no-space\r\n"
    "id: 7\r\n"
    "\r\n"
    "data: [DONE]\n"
    "\n";
constexpr std::size_t kEvents = 5;

TEST(SseEventScannerTest, CountsEventsOfAWholeStream) {
  SseEventScanner scanner;
  EXPECT_EQ(scanner.Feed(kWire), kEvents);
  EXPECT_EQ(scanner.events(), kEvents);
}

TEST(SseEventScannerTest, FindsTheSameEventsWhereverTheStreamIsSplitOnce) {
  for (std::size_t split = 0; split <= kWire.size(); ++split) {
    SseEventScanner scanner;
    const std::size_t first = scanner.Feed(kWire.substr(0, split));
    const std::size_t second = scanner.Feed(kWire.substr(split));
    EXPECT_EQ(first + second, kEvents) << "split at " << split;
    EXPECT_EQ(scanner.events(), kEvents) << "split at " << split;
  }
}

TEST(SseEventScannerTest, FindsTheSameEventsWhereverTheStreamIsSplitTwice) {
  for (std::size_t a = 0; a <= kWire.size(); ++a) {
    for (std::size_t b = a; b <= kWire.size(); ++b) {
      SseEventScanner scanner;
      scanner.Feed(kWire.substr(0, a));
      scanner.Feed(kWire.substr(a, b - a));
      scanner.Feed(kWire.substr(b));
      ASSERT_EQ(scanner.events(), kEvents) << "split at " << a << " and " << b;
    }
  }
}

TEST(SseEventScannerTest, CountsAnEventWhenItsBlankLineArrivesNotBefore) {
  SseEventScanner scanner;
  EXPECT_EQ(scanner.Feed("data: {\"n\":1}\n"), 0u);
  EXPECT_EQ(scanner.Feed("\n"), 1u);
  EXPECT_EQ(scanner.Feed("data: {\"n\":2}\r"), 0u);
  EXPECT_EQ(scanner.Feed("\n"), 0u);  // the '\n' of the "\r\n" that ended the data line
  EXPECT_EQ(scanner.Feed("\r\n"), 1u);
  EXPECT_EQ(scanner.Feed("data: a\n\ndata: b\n\ndata: c"), 2u);
  EXPECT_EQ(scanner.events(), 4u);
}

TEST(SseEventScannerTest, ByteByByteIsTheSameAsWhole) {
  SseEventScanner scanner;
  std::size_t completed = 0;
  for (const char c : kWire) {
    completed += scanner.Feed(std::string_view(&c, 1));
  }
  EXPECT_EQ(completed, kEvents);
}

}  // namespace
}  // namespace strata::loadgen
