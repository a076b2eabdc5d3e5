#pragma once

#include <cstddef>
#include <cstdint>
#include <map>

#include "loadgen/histogram.h"
#include "loadgen/schedule.h"

namespace strata::loadgen {

// How one stream ended.
enum class StreamEnd {
  kHeld,            // still streaming when its --stream-duration was up: success
  kCompletedEarly,  // the server ended the stream first, cleanly: success
  kConnectError,    // could not connect (or timed out connecting)
  kNon2xx,          // answered with a status outside 2xx
  kNoFirstEvent,    // no event within --timeout (or before the hold ended)
  kCut,             // transport error or timeout before the answer's end
};

// Event timings of one stream: fed the events as they are found, it turns
// them into time to first event (from the request's send) and gaps between
// consecutive events. Several events completed by one read all get that
// read's time, so the gaps between them are 0: what a client reading the
// socket sees.
struct StreamProgress {
  Nanos sent = 0;
  Nanos last_event = 0;
  std::size_t events = 0;
};

// The aggregate of a stream run. Histograms at 4 significant digits, so that
// a 100 ms gap is resolved to ~4 µs. Not thread-safe: one per thread, Add()ed.
class StreamStats {
 public:
  StreamStats();

  void RecordConnect(Nanos took) { connect_.Record(took); }
  // `n` events were completed by bytes read at `now`.
  void RecordEvents(StreamProgress& progress, std::size_t n, Nanos now);
  void RecordEnd(StreamEnd end, int status);
  void Add(const StreamStats& other);

  const Histogram& connect() const { return connect_; }
  const Histogram& first_event() const { return first_event_; }
  const Histogram& gap() const { return gap_; }
  std::uint64_t events() const { return events_; }
  std::uint64_t count(StreamEnd end) const { return ends_[static_cast<int>(end)]; }
  std::uint64_t succeeded() const { return count(StreamEnd::kHeld) + count(StreamEnd::kCompletedEarly); }
  std::uint64_t failed() const;
  const std::map<int, std::uint64_t>& statuses() const { return statuses_; }  // non-2xx only

 private:
  static constexpr int kEnds = 6;
  Histogram connect_;
  Histogram first_event_;
  Histogram gap_;
  std::uint64_t events_ = 0;
  std::uint64_t ends_[kEnds] = {};
  std::map<int, std::uint64_t> statuses_;
};

}  // namespace strata::loadgen
