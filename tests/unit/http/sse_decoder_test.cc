#include "http/sse_decoder.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace strata::http {
namespace {

SseEvent Event(std::string event, std::string data, std::string id = {}) {
  return SseEvent{std::move(event), std::move(data), std::move(id)};
}

std::vector<SseEvent> FeedAll(SseDecoder& decoder, const std::vector<std::string_view>& pieces) {
  std::vector<SseEvent> events;
  for (std::string_view piece : pieces) {
    for (SseEvent& event : decoder.Feed(piece)) {
      events.push_back(std::move(event));
    }
  }
  return events;
}

std::vector<SseEvent> Decode(std::string_view wire) {
  SseDecoder decoder;
  return decoder.Feed(wire);
}

// What an OpenAI and an Anthropic stream look like on the wire, with every
// line ending, a comment, an id that carries over, multi-line data, and an
// event with no data (not dispatched).
constexpr std::string_view kWire =
    "\xEF\xBB\xBF"
    ": keep-alive\r\n"
    "data: {\"n\":1}\r\n"
    "\r\n"
    "event: message_start\n"
    "id: 7\n"
    "data: line one\n"
    "data: line two\n"
    "\n"
    "event: ignored-without-data\r"
    "\r"
    "data:no-space\r"
    "retry: 1500\r"
    "\r"
    "data: [DONE]\r\n"
    "\r\n";

const std::vector<SseEvent> kExpected = {
    Event("", "{\"n\":1}"),
    Event("message_start", "line one\nline two", "7"),
    Event("", "no-space", "7"),
    Event("", "[DONE]", "7"),
};

TEST(SseDecoderTest, DecodesAWholeStream) {
  SseDecoder decoder;
  EXPECT_EQ(decoder.Feed(kWire), kExpected);
  EXPECT_EQ(decoder.retry(), std::chrono::milliseconds(1500));
  EXPECT_EQ(decoder.buffered_bytes(), 0u);
}

TEST(SseDecoderTest, YieldsTheSameEventsWhereverTheStreamIsSplit) {
  for (std::size_t split = 0; split <= kWire.size(); ++split) {
    SseDecoder decoder;
    const std::vector<SseEvent> events = FeedAll(decoder, {kWire.substr(0, split), kWire.substr(split)});
    EXPECT_EQ(events, kExpected) << "split at " << split;
  }
}

TEST(SseDecoderTest, YieldsTheSameEventsWhereverTwoSplitsFall) {
  for (std::size_t first = 0; first <= kWire.size(); ++first) {
    for (std::size_t second = first; second <= kWire.size(); ++second) {
      SseDecoder decoder;
      const std::vector<SseEvent> events = FeedAll(
          decoder, {kWire.substr(0, first), kWire.substr(first, second - first), kWire.substr(second)});
      ASSERT_EQ(events, kExpected) << "split at " << first << " and " << second;
    }
  }
}

TEST(SseDecoderTest, YieldsTheSameEventsFedOneByteAtATime) {
  SseDecoder decoder;
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < kWire.size(); ++i) {
    bytes.push_back(kWire.substr(i, 1));
  }
  EXPECT_EQ(FeedAll(decoder, bytes), kExpected);
}

TEST(SseDecoderTest, TreatsCrLfSplitAcrossFeedsAsOneLineEnding) {
  SseDecoder decoder;
  EXPECT_TRUE(decoder.Feed("data: a\r").empty());
  // Were the '\n' a second line ending, it would be the blank line and dispatch.
  EXPECT_TRUE(decoder.Feed("\n").empty());
  EXPECT_EQ(decoder.Feed("\r\n"), std::vector<SseEvent>{Event("", "a")});
}

TEST(SseDecoderTest, LoneCrThenLfInTheNextFeedDispatchesOnlyOnce) {
  SseDecoder decoder;
  EXPECT_EQ(decoder.Feed("data: a\r\r"), std::vector<SseEvent>{Event("", "a")});
  EXPECT_EQ(decoder.Feed("\ndata: b\n\n"), std::vector<SseEvent>{Event("", "b")});
}

TEST(SseDecoderTest, DispatchesAnEmptyDataLineAsEmptyData) {
  EXPECT_EQ(Decode("data\n\n"), std::vector<SseEvent>{Event("", "")});
  EXPECT_EQ(Decode("data:\n\n"), std::vector<SseEvent>{Event("", "")});
  EXPECT_EQ(Decode("data:\ndata:\n\n"), std::vector<SseEvent>{Event("", "\n")});
}

TEST(SseDecoderTest, DoesNotDispatchAnEventWithoutData) {
  EXPECT_TRUE(Decode("event: ping\n\n").empty());
  EXPECT_TRUE(Decode("id: 3\n\n").empty());
  // ...but the event type is reset, and the id kept.
  EXPECT_EQ(Decode("event: ping\nid: 3\n\ndata: x\n\n"), std::vector<SseEvent>{Event("", "x", "3")});
}

TEST(SseDecoderTest, StripsOnlyOneLeadingSpaceFromValues) {
  EXPECT_EQ(Decode("data:  two spaces\n\n"), std::vector<SseEvent>{Event("", " two spaces")});
  EXPECT_EQ(Decode("data:a:b\n\n"), std::vector<SseEvent>{Event("", "a:b")});
}

TEST(SseDecoderTest, IgnoresCommentsAndUnknownFields) {
  EXPECT_EQ(Decode(": hello\nfoo: bar\ndata: x\nData: y\n\n"), std::vector<SseEvent>{Event("", "x")});
}

TEST(SseDecoderTest, IgnoresAnIdContainingNul) {
  using namespace std::string_literals;
  const std::string wire = "id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n"s;
  EXPECT_EQ(Decode(wire), (std::vector<SseEvent>{Event("", "a", "1"), Event("", "b", "1")}));
}

TEST(SseDecoderTest, AnEmptyIdClearsTheLastEventId) {
  EXPECT_EQ(Decode("id: 1\ndata: a\n\nid\ndata: b\n\n"),
            (std::vector<SseEvent>{Event("", "a", "1"), Event("", "b", "")}));
}

TEST(SseDecoderTest, TakesOnlyAllDigitRetryValues) {
  SseDecoder decoder;
  decoder.Feed("retry: 10\nretry: -5\nretry: 7s\nretry:\n");
  EXPECT_EQ(decoder.retry(), std::chrono::milliseconds(10));
}

TEST(SseDecoderTest, KeepsAnUnfinishedEventUntilItsBlankLine) {
  SseDecoder decoder;
  EXPECT_TRUE(decoder.Feed("data: partial").empty());
  EXPECT_GT(decoder.buffered_bytes(), 0u);
  EXPECT_TRUE(decoder.Feed("\n").empty());
  EXPECT_EQ(decoder.Feed("\n"), std::vector<SseEvent>{Event("", "partial")});
  EXPECT_EQ(decoder.buffered_bytes(), 0u);
}

TEST(SseDecoderTest, SkipsTheBomOnlyAtTheStart) {
  EXPECT_EQ(Decode("\xEF\xBB\xBF" "data: a\n\n"), std::vector<SseEvent>{Event("", "a")});
  // Elsewhere it is part of the line: here a field name that means nothing.
  EXPECT_EQ(Decode("data: a\n\n\xEF\xBB\xBF" "data: b\n\n"), std::vector<SseEvent>{Event("", "a")});
  // A stream shorter than a BOM that merely starts like one is still data.
  SseDecoder decoder;
  EXPECT_TRUE(decoder.Feed("\xEF").empty());
  EXPECT_TRUE(decoder.Feed("x\n\n").empty());  // "\xEFx" is an unknown field
  EXPECT_EQ(decoder.Feed("data: y\n\n"), std::vector<SseEvent>{Event("", "y")});
}

}  // namespace
}  // namespace strata::http
