#include "redis/resp.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace strata::redis {
namespace {

// Feeds `wire` in the given pieces and collects every reply, stopping at the
// first error (returned as a kError reply holding the message, last).
std::vector<Reply> ParseAll(ReplyParser& parser, const std::vector<std::string_view>& pieces) {
  std::vector<Reply> replies;
  for (std::string_view piece : pieces) {
    parser.Feed(piece);
    for (;;) {
      core::Result<std::optional<Reply>> next = parser.Next();
      if (!next) {
        replies.push_back(Reply::Error("PARSE " + next.error().message()));
        return replies;
      }
      if (!*next) {
        break;
      }
      replies.push_back(std::move(**next));
    }
  }
  return replies;
}

std::vector<Reply> ParseWhole(std::string_view wire, ReplyLimits limits = {}) {
  ReplyParser parser(limits);
  return ParseAll(parser, {wire});
}

// The error a wire form is refused with, or "" when it is not.
std::string RefusalOf(std::string_view wire, ReplyLimits limits = {}) {
  std::vector<Reply> replies = ParseWhole(wire, limits);
  if (!replies.empty() && replies.back().is_error() && replies.back().string.starts_with("PARSE ")) {
    return replies.back().string;
  }
  return "";
}

// Every kind of reply, nested: what the split tests cut up.
Reply ComplexReply() {
  return Reply::Array({
      Reply::Integer(-42),
      Reply::Status("OK"),
      Reply::Error("ERR something\tbad"),
      Reply::Nil(),
      Reply::Bulk(""),
      Reply::Bulk(std::string("bin\r\nary\0$*:+-", 15)),
      Reply::Array({}),
      Reply::Array({Reply::Array({Reply::Integer(1), Reply::Bulk("deep")}), Reply::Nil()}),
      Reply::Integer(9223372036854775807),
      Reply::Bulk(std::string(300, 'x')),
  });
}

TEST(RespEncodeTest, CommandsAreArraysOfBulkStrings) {
  EXPECT_EQ(EncodeCommand({"SET", "key", ""}), "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$0\r\n\r\n");
  EXPECT_EQ(EncodeCommand({std::string("a\r\nb", 4)}), std::string("*1\r\n$4\r\na\r\nb\r\n"));
  std::string out = "prefix";
  AppendCommand(out, {"PING"});
  EXPECT_EQ(out, "prefix*1\r\n$4\r\nPING\r\n");
}

TEST(RespParserTest, ParsesEveryReplyType) {
  const std::vector<Reply> replies =
      ParseWhole("+OK\r\n-ERR no\r\n:-7\r\n$5\r\nhello\r\n$-1\r\n*-1\r\n*0\r\n*2\r\n:1\r\n$0\r\n\r\n");
  const std::vector<Reply> expected = {
      Reply::Status("OK"), Reply::Error("ERR no"), Reply::Integer(-7), Reply::Bulk("hello"), Reply::Nil(),
      Reply::Nil(),        Reply::Array({}),       Reply::Array({Reply::Integer(1), Reply::Bulk("")}),
  };
  EXPECT_EQ(replies, expected);
}

TEST(RespParserTest, WaitsForMoreBytesWithoutConsumingAPartialReply) {
  ReplyParser parser;
  parser.Feed("$5\r\nhel");
  core::Result<std::optional<Reply>> next = parser.Next();
  ASSERT_TRUE(next);
  EXPECT_FALSE(next->has_value());
  EXPECT_FALSE(parser.idle());
  parser.Feed("lo\r\n");
  next = parser.Next();
  ASSERT_TRUE(next);
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ(**next, Reply::Bulk("hello"));
  EXPECT_TRUE(parser.idle());
}

TEST(RespParserTest, YieldsTheSameRepliesWhereverTheStreamIsSplit) {
  const Reply complex = ComplexReply();
  // The complex reply, then a small one behind it on the same stream.
  const std::string wire = EncodeReply(complex) + EncodeReply(Reply::Status("PONG"));
  const std::vector<Reply> expected = {complex, Reply::Status("PONG")};
  ASSERT_EQ(ParseWhole(wire), expected);

  for (std::size_t split = 0; split <= wire.size(); ++split) {
    ReplyParser parser;
    const std::string_view view(wire);
    EXPECT_EQ(ParseAll(parser, {view.substr(0, split), view.substr(split)}), expected) << "split at " << split;
  }
  // Every boundary at once: one byte at a time.
  ReplyParser parser;
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < wire.size(); ++i) {
    bytes.push_back(std::string_view(wire).substr(i, 1));
  }
  EXPECT_EQ(ParseAll(parser, bytes), expected);
  EXPECT_TRUE(parser.idle());
}

TEST(RespParserTest, RefusesHostileSizesBeforeTheBytesArrive) {
  ReplyLimits limits;
  limits.max_bulk_bytes = 1024;
  limits.max_array_elements = 100;
  limits.max_depth = 4;
  limits.max_line_bytes = 64;
  limits.max_reply_bytes = 4096;

  EXPECT_NE(RefusalOf("$1025\r\n", limits), "");
  EXPECT_NE(RefusalOf("$9223372036854775807\r\n", limits), "");
  EXPECT_NE(RefusalOf("$99999999999999999999999\r\n", limits), "");  // overflows int64
  EXPECT_NE(RefusalOf("*101\r\n", limits), "");
  EXPECT_NE(RefusalOf("*9223372036854775807\r\n", limits), "");
  EXPECT_NE(RefusalOf("*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n", limits), "");  // five deep
  EXPECT_NE(RefusalOf("+" + std::string(100, 'a'), limits), "");      // an endless line
  // Many bulks, each under its own limit, but too much together.
  std::string many = "*10\r\n";
  for (int i = 0; i < 10; ++i) {
    many += "$1000\r\n" + std::string(1000, 'b') + "\r\n";
  }
  EXPECT_NE(RefusalOf(many, limits), "");
  // Within the limits: parsed.
  EXPECT_EQ(RefusalOf("$1024\r\n" + std::string(1024, 'c') + "\r\n", limits), "");
  EXPECT_EQ(RefusalOf("*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n", limits), "");
}

TEST(RespParserTest, RefusesMalformedInput) {
  EXPECT_NE(RefusalOf("?\r\n"), "");
  EXPECT_NE(RefusalOf(":\r\n"), "");
  EXPECT_NE(RefusalOf(":12a\r\n"), "");
  EXPECT_NE(RefusalOf(":+5\r\n"), "");
  EXPECT_NE(RefusalOf("$-2\r\n"), "");
  EXPECT_NE(RefusalOf("*-2\r\n"), "");
  EXPECT_NE(RefusalOf("$3\r\nabcd\r\n"), "");  // the bulk is not followed by CRLF
  EXPECT_NE(RefusalOf("$ 3\r\nabc\r\n"), "");
}

TEST(RespParserTest, StaysFailedAfterAnError) {
  ReplyParser parser;
  parser.Feed("!oops\r\n");
  EXPECT_FALSE(parser.Next());
  parser.Feed("+OK\r\n");
  EXPECT_FALSE(parser.Next());
}

TEST(RespParserTest, EncodeReplyRoundTrips) {
  const Reply complex = ComplexReply();
  EXPECT_EQ(ParseWhole(EncodeReply(complex)), std::vector<Reply>{complex});
  EXPECT_EQ(complex.elements[0].DebugString(), "-42");
  EXPECT_EQ(Reply::Array({Reply::Status("OK"), Reply::Nil(), Reply::Bulk("x")}).DebugString(), "[OK, nil, \"x\"]");
}

}  // namespace
}  // namespace strata::redis
