#include "loadgen/sse_scanner.h"

namespace strata::loadgen {

std::size_t SseEventScanner::Feed(std::string_view bytes) {
  completed_ = 0;
  for (const char c : bytes) {
    if (skip_lf_) {
      skip_lf_ = false;
      if (c == '\n') {
        continue;
      }
    }
    if (c == '\n' || c == '\r') {
      EndLine();
      skip_lf_ = c == '\r';
      continue;
    }
    if (line_length_ < sizeof field_) {
      field_[line_length_] = c;
    }
    ++line_length_;
  }
  events_ += completed_;
  return completed_;
}

void SseEventScanner::EndLine() {
  if (line_length_ == 0) {
    if (has_data_) {
      ++completed_;
    }
    has_data_ = false;
    return;
  }
  // The field name runs to the first ':' or the end of the line: "data" or "data:...".
  const std::string_view start(field_, line_length_ < sizeof field_ ? line_length_ : sizeof field_);
  if (start == "data" || start == "data:") {
    has_data_ = true;
  }
  line_length_ = 0;
}

}  // namespace strata::loadgen
