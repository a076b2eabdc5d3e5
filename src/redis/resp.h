#pragma once

// RESP2, the Redis serialization protocol (https://redis.io/docs/reference/protocol-spec/):
// commands out as arrays of bulk strings, replies in through an incremental
// parser that takes bytes however the network splits them and refuses sizes
// a hostile or broken server could use to make us allocate without bound.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace strata::redis {

// One reply, or one element of an array reply.
struct Reply {
  enum class Type : std::uint8_t {
    kNil,     // $-1 or *-1
    kStatus,  // +OK: a simple string
    kError,   // -ERR message
    kInteger, // :42
    kBulk,    // $3 foo: a binary-safe string
    kArray,   // *2 ...: elements, which may be arrays themselves
  };

  Type type = Type::kNil;
  std::int64_t integer = 0;     // kInteger
  std::string string;           // kStatus, kError (the message, code included), kBulk
  std::vector<Reply> elements;  // kArray

  static Reply Nil() { return Reply{}; }
  static Reply Status(std::string text) { return Reply{Type::kStatus, 0, std::move(text), {}}; }
  static Reply Error(std::string message) { return Reply{Type::kError, 0, std::move(message), {}}; }
  static Reply Integer(std::int64_t value) { return Reply{Type::kInteger, value, {}, {}}; }
  static Reply Bulk(std::string bytes) { return Reply{Type::kBulk, 0, std::move(bytes), {}}; }
  static Reply Array(std::vector<Reply> elements) { return Reply{Type::kArray, 0, {}, std::move(elements)}; }

  bool is_nil() const { return type == Type::kNil; }
  bool is_error() const { return type == Type::kError; }
  bool is_integer() const { return type == Type::kInteger; }
  bool is_array() const { return type == Type::kArray; }
  // kStatus or kBulk: the reply carries text in `string`.
  bool is_string() const { return type == Type::kStatus || type == Type::kBulk; }

  // A short human-readable rendering for test failures and logs, e.g.
  // [1, "OK", nil, (error) ERR x]. Long strings are cut.
  std::string DebugString() const;

  friend bool operator==(const Reply&, const Reply&) = default;
};

// Caps on what one reply may make the parser hold. A reply beyond any of them
// is refused with an error, before the memory is allocated.
struct ReplyLimits {
  std::size_t max_bulk_bytes = 16 * 1024 * 1024;  // one bulk string
  std::size_t max_line_bytes = 64 * 1024;         // a status, error or integer line, or a length line
  std::int64_t max_array_elements = 1 << 20;      // one array
  std::size_t max_depth = 32;                     // arrays inside arrays
  // The whole reply as held in memory: string bytes plus sizeof(Reply) per element.
  std::size_t max_reply_bytes = 64 * 1024 * 1024;
};

// Appends a command, `args` as one array of bulk strings, the form every
// Redis command takes: *2\r\n$3\r\nGET\r\n$1\r\nk\r\n.
void AppendCommand(std::string& out, const std::vector<std::string>& args);
std::string EncodeCommand(const std::vector<std::string>& args);

// The wire form of a reply (what a server would send). For tests, fakes and
// the fuzz target. Status and error text must not contain CR or LF.
std::string EncodeReply(const Reply& reply);

// Turns a byte stream into replies, incrementally: Feed() what arrived, then
// call Next() until it says it needs more. An array is built element by
// element as they arrive, so a large reply split over many reads is never
// rescanned from its start. Not thread-safe.
//
// A protocol violation or a size beyond `limits` is an error (kUpstreamRejected,
// the message says what was wrong); the parser then stays failed: the
// connection it parses cannot be trusted any more.
class ReplyParser {
 public:
  explicit ReplyParser(ReplyLimits limits = {});

  // Takes bytes as they arrived, in any split.
  void Feed(std::string_view bytes);

  // The next complete reply, std::nullopt when the bytes fed so far end in
  // the middle of one (or there are none), or an error.
  core::Result<std::optional<Reply>> Next();

  // True when no reply is in progress and no unparsed bytes are held: the
  // stream stands between replies.
  bool idle() const { return stack_.empty() && pos_ == buffer_.size(); }

 private:
  struct Frame {
    Reply array;
    std::int64_t remaining = 0;  // elements still to come
  };
  enum class Step { kNeedMore, kLeaf, kOpened };

  // Parses one element at pos_: a leaf (into `leaf`), the header of a
  // non-empty array (pushed on stack_), or nothing yet.
  core::Result<Step> ParseOne(Reply& leaf);
  core::Error Fail(std::string message);

  ReplyLimits limits_;
  std::string buffer_;
  std::size_t pos_ = 0;       // bytes of buffer_ already consumed
  std::vector<Frame> stack_;  // arrays being filled, outermost first
  std::size_t held_bytes_ = 0;  // what the reply in progress holds, against max_reply_bytes
  std::optional<core::Error> failed_;
};

}  // namespace strata::redis
