#include "loadgen/stream_stats.h"

namespace strata::loadgen {

StreamStats::StreamStats() : connect_(4), first_event_(4), gap_(4) {}

void StreamStats::RecordEvents(StreamProgress& progress, std::size_t n, Nanos now) {
  for (std::size_t i = 0; i < n; ++i) {
    if (progress.events == 0) {
      first_event_.Record(now - progress.sent);
    } else {
      gap_.Record(now - progress.last_event);
    }
    progress.last_event = now;
    ++progress.events;
  }
  events_ += n;
}

void StreamStats::RecordEnd(StreamEnd end, int status) {
  ++ends_[static_cast<int>(end)];
  if (end == StreamEnd::kNon2xx) {
    ++statuses_[status];
  }
}

void StreamStats::Add(const StreamStats& other) {
  connect_.Add(other.connect_);
  first_event_.Add(other.first_event_);
  gap_.Add(other.gap_);
  events_ += other.events_;
  for (int i = 0; i < kEnds; ++i) {
    ends_[i] += other.ends_[i];
  }
  for (const auto& [status, n] : other.statuses_) {
    statuses_[status] += n;
  }
}

std::uint64_t StreamStats::failed() const {
  return count(StreamEnd::kConnectError) + count(StreamEnd::kNon2xx) + count(StreamEnd::kNoFirstEvent) +
         count(StreamEnd::kCut);
}

}  // namespace strata::loadgen
