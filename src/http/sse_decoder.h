#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::http {

// One dispatched server-sent event.
struct SseEvent {
  // The `event:` field; empty when the stream named none (a browser calls
  // that type "message"). Anthropic names every event, OpenAI none.
  std::string event;
  // The `data:` lines joined with "\n", without the final newline.
  std::string data;
  // The last `id:` seen on the stream so far (it carries over to later
  // events, as the spec's "last event ID" does); empty if none.
  std::string id;

  bool operator==(const SseEvent&) const = default;
};

// Incremental decoder of a `text/event-stream` body, following the WHATWG
// HTML "event stream interpretation": lines end in "\r\n", "\n" or "\r";
// "field: value" lines (one optional space after the colon is dropped);
// lines starting with ':' are comments; a blank line dispatches the event
// built so far, and an event without data lines is not dispatched. A leading
// UTF-8 BOM is skipped. Unknown fields are ignored.
//
// Bytes may be fed split anywhere, including between the '\r' and '\n' of a
// line ending or inside a UTF-8 sequence: the events are the same however the
// stream was cut. Bytes after the last blank line stay buffered; an event
// still incomplete when the stream ends is discarded, as the spec says.
//
// Memory: an unterminated line or event grows without bound. A caller reading
// an untrusted upstream should check buffered_bytes() and give up past its
// limit. Not thread-safe; one decoder per stream.
class SseDecoder {
 public:
  // Decodes `bytes` and returns the events they complete, in order.
  std::vector<SseEvent> Feed(std::string_view bytes);

  // The last valid `retry:` value (reconnection time), if the stream sent one.
  std::optional<std::chrono::milliseconds> retry() const { return retry_; }
  // Bytes held for an unfinished line or event.
  std::size_t buffered_bytes() const { return line_.size() + data_.size() + event_.size(); }

 private:
  void FeedLines(std::string_view bytes, std::vector<SseEvent>& events);
  void ProcessLine(std::string_view line, std::vector<SseEvent>& events);
  void Dispatch(std::vector<SseEvent>& events);

  std::string line_;            // the current line, not yet terminated
  bool skip_lf_ = false;        // the previous chunk ended on '\r': a '\n' next is part of it
  bool bom_checked_ = false;    // the first bytes of the stream were checked for a BOM
  std::string event_;           // event type buffer
  std::string data_;            // data buffer, each line followed by '\n'
  std::string last_event_id_;
  std::optional<std::chrono::milliseconds> retry_;
};

}  // namespace strata::http
