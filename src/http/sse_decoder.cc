#include "http/sse_decoder.h"

#include <charconv>
#include <cstdint>
#include <utility>

namespace strata::http {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

}  // namespace

std::vector<SseEvent> SseDecoder::Feed(std::string_view bytes) {
  std::vector<SseEvent> events;
  if (!bom_checked_) {
    // Until three bytes are in we cannot tell a BOM from data, so the first
    // bytes wait in line_ (which holds nothing else yet).
    line_.append(bytes);
    if (line_.size() < kBom.size() && kBom.starts_with(line_)) {
      return events;
    }
    bom_checked_ = true;
    std::string start = std::exchange(line_, {});
    std::string_view rest = start;
    if (rest.starts_with(kBom)) {
      rest.remove_prefix(kBom.size());
    }
    FeedLines(rest, events);
    return events;
  }
  FeedLines(bytes, events);
  return events;
}

void SseDecoder::FeedLines(std::string_view bytes, std::vector<SseEvent>& events) {
  std::size_t pos = 0;
  if (skip_lf_ && !bytes.empty()) {
    // The last chunk ended on '\r'; this '\n' completes that "\r\n".
    if (bytes.front() == '\n') {
      pos = 1;
    }
    skip_lf_ = false;
  }
  while (pos < bytes.size()) {
    const std::size_t end = bytes.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) {
      line_.append(bytes.substr(pos));
      return;
    }
    if (line_.empty()) {
      ProcessLine(bytes.substr(pos, end - pos), events);
    } else {
      line_.append(bytes.substr(pos, end - pos));
      ProcessLine(line_, events);
      line_.clear();
    }
    pos = end + 1;
    if (bytes[end] == '\r') {
      if (pos == bytes.size()) {
        skip_lf_ = true;
      } else if (bytes[pos] == '\n') {
        ++pos;
      }
    }
  }
}

void SseDecoder::ProcessLine(std::string_view line, std::vector<SseEvent>& events) {
  if (line.empty()) {
    Dispatch(events);
    return;
  }
  if (line.front() == ':') {
    return;  // a comment, often a keep-alive ping
  }
  std::string_view field = line;
  std::string_view value;
  if (const std::size_t colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (value.starts_with(' ')) {
      value.remove_prefix(1);
    }
  }

  if (field == "data") {
    data_.append(value);
    data_.push_back('\n');
  } else if (field == "event") {
    event_.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) {
      last_event_id_.assign(value);
    }
  } else if (field == "retry") {
    std::uint64_t ms = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
    // The spec takes the value only when it is all ASCII digits: no sign, no suffix.
    if (!value.empty() && ec == std::errc() && end == value.data() + value.size()) {
      retry_ = std::chrono::milliseconds(ms);
    }
  }
}

void SseDecoder::Dispatch(std::vector<SseEvent>& events) {
  if (data_.empty()) {
    event_.clear();
    return;
  }
  data_.pop_back();  // the '\n' after the last data line
  SseEvent event;
  event.event = std::move(event_);
  event.data = std::move(data_);
  event.id = last_event_id_;
  events.push_back(std::move(event));
  event_.clear();
  data_.clear();
}

}  // namespace strata::http
