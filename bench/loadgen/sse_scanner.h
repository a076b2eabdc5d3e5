#pragma once

#include <cstddef>
#include <string_view>

namespace strata::loadgen {

// Finds where server-sent events end in a `text/event-stream` body, without
// keeping their bytes: a load generator only needs to know *when* each event
// is complete. An event is complete at the blank line that ends it, and only
// counts if it had a `data` field (as in the WHATWG event stream rules a
// browser or an SDK follows: comments and events without data dispatch
// nothing). Lines end in "\r\n", "\n" or "\r".
//
// Bytes may be fed split anywhere, including between '\r' and '\n': the
// events found are the same. Constant memory; not thread-safe.
class SseEventScanner {
 public:
  // Scans `bytes` and returns how many events they complete.
  std::size_t Feed(std::string_view bytes);

  std::size_t events() const { return events_; }

 private:
  void EndLine();

  char field_[5] = {};          // the first bytes of the current line
  std::size_t line_length_ = 0;  // bytes of the current line so far
  bool skip_lf_ = false;         // the last byte was '\r': a '\n' next belongs to it
  bool has_data_ = false;        // the current event has a data line
  std::size_t completed_ = 0;    // events completed during this Feed()
  std::size_t events_ = 0;       // events completed in all
};

}  // namespace strata::loadgen
