#include "http/sse.h"

#include <gtest/gtest.h>

namespace strata::http {
namespace {

TEST(FormatSseEventTest, PlainDataIsOneDataLineAndABlankLine) {
  EXPECT_EQ(FormatSseEvent("{\"a\":1}"), "data: {\"a\":1}\n\n");
}

TEST(FormatSseEventTest, NamedEventsCarryTheirName) {
  EXPECT_EQ(FormatSseEvent("{}", "message_start"), "event: message_start\ndata: {}\n\n");
}

TEST(FormatSseEventTest, NewlinesInDataBecomeSeparateDataLines) {
  // Otherwise a newline in the payload would end the event early on the client.
  EXPECT_EQ(FormatSseEvent("a\nb\n"), "data: a\ndata: b\ndata: \n\n");
}

}  // namespace
}  // namespace strata::http
