#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "guardrails/finding.h"

namespace strata::guardrails {

class Redactor;
class Scanner;

struct StreamScannerOptions {
  // Bytes always held back at the end of what has arrived. A finding is only
  // guaranteed to be caught across chunk boundaries if its pattern match is
  // at most this long; every built-in pattern is at most 256 bytes, except a
  // PEM block, which has its own rule below. Default 256.
  std::size_t hold_back_bytes = 256;
  // An opened "-----BEGIN … PRIVATE KEY-----" is held, with everything after
  // it, until its END line arrives; a finding still growing at the end (a
  // very long token) is held while it grows. Both only up to this many held
  // bytes, so memory and rescans stay bounded: past it, text up to the last
  // hold_back_bytes is released anyway, a finding crossing the cut redacted up
  // to the cut, and what follows the cut is checked as new text (so the tail
  // of a token longer than this can get out). Default 8 KiB.
  std::size_t max_held_bytes = 8192;
  // Text is rescanned and released only once this many bytes beyond the
  // hold-back have arrived: with 16-byte SSE deltas, 64 cuts the rescans
  // fourfold for at most 64 more bytes of delay. 1 releases as soon as it can.
  std::size_t release_step_bytes = 64;
};

// Checks a streamed answer (SSE deltas) chunk by chunk and releases only text
// that can no longer become part of a finding, already redacted.
//
// The rule: the last `hold_back_bytes` that arrived are never released; nor
// is text from the start of a finding that ends in the held part, from an
// unclosed private key header (both up to `max_held_bytes`), or the first
// bytes of a UTF-8 character whose rest is held. Released text is never taken back. The concatenation of all
// Push() results and Finish() equals Redactor::Redact(Scanner::Scan(whole))
// for the whole text, however it was split (tests/unit/guardrails prove it by
// splitting at every byte), so nothing unchecked reaches the client.
//
// Cost: a Push() that releases rescans the held text (hold_back_bytes, plus
// at least release_step_bytes, plus a little released text kept for context
// words), so a stream costs about (hold_back_bytes / release_step_bytes + 1)
// scans of its length.
// One per stream; not thread-safe. `scanner` and `redactor` must outlive it.
class StreamScanner {
 public:
  StreamScanner(const Scanner& scanner, Redactor& redactor, StreamScannerOptions options = {});

  // Takes the next chunk; returns the text now safe to send (possibly empty).
  std::string Push(std::string_view chunk);

  // The stream ended: returns everything still held, redacted.
  std::string Finish();

  // The findings released so far, with offsets into the whole stream.
  const std::vector<Finding>& findings() const { return findings_; }

 private:
  // Releases pending_[context_bytes_, limit) and keeps a little context.
  // A finding crossing `limit` is redacted up to it when `clip_crossing`.
  std::string Release(std::size_t limit, const std::vector<Finding>& window_findings,
                      bool clip_crossing);
  std::size_t HoldForOpenKeyBlock(std::size_t limit) const;

  const Scanner& scanner_;
  Redactor& redactor_;
  StreamScannerOptions options_;
  // pending_ = [context already released][held text]; context_bytes_ splits them.
  std::string pending_;
  std::size_t context_bytes_ = 0;
  std::size_t released_bytes_ = 0;  // stream offset of pending_[context_bytes_]
  std::vector<Finding> findings_;
};

}  // namespace strata::guardrails
