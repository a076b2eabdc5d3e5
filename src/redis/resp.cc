#include "redis/resp.h"

#include <charconv>
#include <utility>

namespace strata::redis {
namespace {

constexpr std::string_view kCrlf = "\r\n";
// Buffer capacity kept between replies; more is given back once a reply is done.
constexpr std::size_t kKeepCapacity = 64 * 1024;

void AppendLength(std::string& out, char type, std::int64_t length) {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), length);
  out += type;
  out.append(digits, end);
  out += kCrlf;
}

void AppendReply(std::string& out, const Reply& reply) {
  switch (reply.type) {
    case Reply::Type::kNil:
      out += "$-1\r\n";
      return;
    case Reply::Type::kStatus:
      out += '+';
      out += reply.string;
      out += kCrlf;
      return;
    case Reply::Type::kError:
      out += '-';
      out += reply.string;
      out += kCrlf;
      return;
    case Reply::Type::kInteger:
      AppendLength(out, ':', reply.integer);
      return;
    case Reply::Type::kBulk:
      AppendLength(out, '$', static_cast<std::int64_t>(reply.string.size()));
      out += reply.string;
      out += kCrlf;
      return;
    case Reply::Type::kArray:
      AppendLength(out, '*', static_cast<std::int64_t>(reply.elements.size()));
      for (const Reply& element : reply.elements) {
        AppendReply(out, element);
      }
      return;
  }
}

void AppendDebug(std::string& out, const Reply& reply) {
  constexpr std::size_t kMaxShown = 64;
  auto shown = [](const std::string& text) {
    return text.size() <= kMaxShown ? text : text.substr(0, kMaxShown) + "...";
  };
  switch (reply.type) {
    case Reply::Type::kNil:
      out += "nil";
      return;
    case Reply::Type::kStatus:
      out += shown(reply.string);
      return;
    case Reply::Type::kError:
      out += "(error) " + shown(reply.string);
      return;
    case Reply::Type::kInteger:
      out += std::to_string(reply.integer);
      return;
    case Reply::Type::kBulk:
      out += '"' + shown(reply.string) + '"';
      return;
    case Reply::Type::kArray:
      out += '[';
      for (std::size_t i = 0; i < reply.elements.size(); ++i) {
        if (i > 0) {
          out += ", ";
        }
        AppendDebug(out, reply.elements[i]);
      }
      out += ']';
      return;
  }
}

// A RESP integer: an optional '-' and decimal digits, nothing else, in range.
std::optional<std::int64_t> ParseInteger(std::string_view text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::string Reply::DebugString() const {
  std::string out;
  AppendDebug(out, *this);
  return out;
}

void AppendCommand(std::string& out, const std::vector<std::string>& args) {
  AppendLength(out, '*', static_cast<std::int64_t>(args.size()));
  for (const std::string& arg : args) {
    AppendLength(out, '$', static_cast<std::int64_t>(arg.size()));
    out += arg;
    out += kCrlf;
  }
}

std::string EncodeCommand(const std::vector<std::string>& args) {
  std::size_t size = 16;
  for (const std::string& arg : args) {
    size += arg.size() + 16;
  }
  std::string out;
  out.reserve(size);
  AppendCommand(out, args);
  return out;
}

std::string EncodeReply(const Reply& reply) {
  std::string out;
  AppendReply(out, reply);
  return out;
}

ReplyParser::ReplyParser(ReplyLimits limits) : limits_(limits) {}

void ReplyParser::Feed(std::string_view bytes) {
  if (failed_) {
    return;  // nothing more will be parsed
  }
  // Drop what was consumed; what stays is at most one element in progress.
  if (pos_ == buffer_.size()) {
    buffer_.clear();
    if (buffer_.capacity() > kKeepCapacity) {
      buffer_.shrink_to_fit();  // a large reply is over: do not hold its memory
    }
  } else if (pos_ > 0) {
    buffer_.erase(0, pos_);
  }
  pos_ = 0;
  buffer_.append(bytes);
}

core::Error ReplyParser::Fail(std::string message) {
  return core::Error::UpstreamRejected("malformed redis reply: " + std::move(message));
}

core::Result<ReplyParser::Step> ReplyParser::ParseOne(Reply& leaf) {
  if (pos_ == buffer_.size()) {
    return Step::kNeedMore;
  }
  const char type = buffer_[pos_];
  const std::string_view rest = std::string_view(buffer_).substr(pos_ + 1);
  // Look for the line's end only as far as a legal line may reach, so a
  // hostile endless line costs a bounded scan.
  const std::size_t crlf = rest.substr(0, limits_.max_line_bytes + kCrlf.size()).find(kCrlf);
  if (crlf == std::string_view::npos) {
    if (rest.size() >= limits_.max_line_bytes + kCrlf.size()) {
      return Fail("a line longer than " + std::to_string(limits_.max_line_bytes) + " bytes");
    }
    return Step::kNeedMore;
  }
  const std::string_view line = rest.substr(0, crlf);
  const std::size_t head = 1 + crlf + kCrlf.size();  // the type byte, the line, CRLF

  auto hold = [this](std::size_t bytes) -> bool {
    held_bytes_ += sizeof(Reply) + bytes;
    return held_bytes_ <= limits_.max_reply_bytes;
  };
  auto too_large = [this] {
    return Fail("the reply exceeds " + std::to_string(limits_.max_reply_bytes) + " bytes");
  };

  switch (type) {
    case '+':
    case '-': {
      if (!hold(line.size())) {
        return too_large();
      }
      leaf = type == '+' ? Reply::Status(std::string(line)) : Reply::Error(std::string(line));
      pos_ += head;
      return Step::kLeaf;
    }
    case ':': {
      const std::optional<std::int64_t> value = ParseInteger(line);
      if (!value) {
        return Fail("an integer that is not one");
      }
      if (!hold(0)) {
        return too_large();
      }
      leaf = Reply::Integer(*value);
      pos_ += head;
      return Step::kLeaf;
    }
    case '$': {
      const std::optional<std::int64_t> length = ParseInteger(line);
      if (!length || *length < -1) {
        return Fail("a bulk length that is not one");
      }
      if (*length == -1) {
        leaf = Reply::Nil();
        pos_ += head;
        return hold(0) ? core::Result<Step>(Step::kLeaf) : core::Result<Step>(too_large());
      }
      const auto size = static_cast<std::uint64_t>(*length);
      if (size > limits_.max_bulk_bytes) {
        return Fail("a bulk string of " + std::to_string(size) + " bytes, over the limit of " +
                    std::to_string(limits_.max_bulk_bytes));
      }
      // Checked before the bytes arrive, so a hostile length is refused at once.
      if (held_bytes_ + sizeof(Reply) + size > limits_.max_reply_bytes) {
        return too_large();
      }
      if (rest.size() - (head - 1) < size + kCrlf.size()) {
        return Step::kNeedMore;
      }
      const std::string_view bytes = std::string_view(buffer_).substr(pos_ + head, size);
      if (std::string_view(buffer_).substr(pos_ + head + size, kCrlf.size()) != kCrlf) {
        return Fail("a bulk string not followed by CRLF");
      }
      hold(size);
      leaf = Reply::Bulk(std::string(bytes));
      pos_ += head + size + kCrlf.size();
      return Step::kLeaf;
    }
    case '*': {
      const std::optional<std::int64_t> count = ParseInteger(line);
      if (!count || *count < -1) {
        return Fail("an array length that is not one");
      }
      if (*count > limits_.max_array_elements) {
        return Fail("an array of " + std::to_string(*count) + " elements, over the limit of " +
                    std::to_string(limits_.max_array_elements));
      }
      if (!hold(0)) {
        return too_large();
      }
      pos_ += head;
      if (*count == -1) {
        leaf = Reply::Nil();
        return Step::kLeaf;
      }
      if (*count == 0) {
        leaf = Reply::Array({});
        return Step::kLeaf;
      }
      if (stack_.size() >= limits_.max_depth) {
        return Fail("arrays nested deeper than " + std::to_string(limits_.max_depth));
      }
      stack_.push_back(Frame{Reply::Array({}), *count});
      return Step::kOpened;
    }
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      const auto byte = static_cast<unsigned char>(type);
      return Fail(std::string("unexpected byte 0x") + kHex[byte >> 4] + kHex[byte & 0xf] +
                  " where a reply starts");
    }
  }
}

core::Result<std::optional<Reply>> ReplyParser::Next() {
  if (failed_) {
    return *failed_;
  }
  for (;;) {
    Reply leaf;
    const core::Result<Step> step = ParseOne(leaf);
    if (!step) {
      failed_ = step.error();
      stack_.clear();
      return *failed_;
    }
    if (*step == Step::kNeedMore) {
      return std::optional<Reply>();
    }
    if (*step == Step::kOpened) {
      continue;
    }
    // A leaf: it completes the reply, or fills its array, which may complete
    // the array's parent in turn.
    for (;;) {
      if (stack_.empty()) {
        held_bytes_ = 0;
        return std::optional<Reply>(std::move(leaf));
      }
      Frame& top = stack_.back();
      top.array.elements.push_back(std::move(leaf));
      if (--top.remaining > 0) {
        break;
      }
      leaf = std::move(top.array);
      stack_.pop_back();
    }
  }
}

}  // namespace strata::redis
