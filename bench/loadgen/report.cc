#include "loadgen/report.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "core/text.h"

namespace strata::loadgen {
namespace {

std::string Number(double value, int decimals = 1) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  core::AppendJsonEscaped(out, text);
  return out + "\"";
}

// Builds one JSON object, members in the order added.
class JsonObject {
 public:
  JsonObject& Raw(std::string_view key, const std::string& json) {
    text_ += text_.empty() ? "{" : ",";
    text_.append(JsonString(key)).append(":").append(json);
    return *this;
  }
  JsonObject& Str(std::string_view key, std::string_view value) { return Raw(key, JsonString(value)); }
  JsonObject& Int(std::string_view key, std::int64_t value) { return Raw(key, std::to_string(value)); }
  JsonObject& Uint(std::string_view key, std::uint64_t value) { return Raw(key, std::to_string(value)); }
  JsonObject& Real(std::string_view key, double value, int decimals = 1) { return Raw(key, Number(value, decimals)); }
  JsonObject& Bool(std::string_view key, bool value) { return Raw(key, value ? "true" : "false"); }
  std::string Done() const { return text_.empty() ? "{}" : text_ + "}"; }

 private:
  std::string text_;
};

std::string PercentilesJson(const Histogram& histogram) {
  const Percentiles p = SummarizeMicros(histogram);
  return JsonObject()
      .Uint("count", p.count)
      .Real("min", p.min)
      .Real("mean", p.mean)
      .Real("p50", p.p50)
      .Real("p90", p.p90)
      .Real("p99", p.p99)
      .Real("p99_9", p.p999)
      .Real("max", p.max)
      .Done();
}

std::string StatusesJson(const std::map<int, std::uint64_t>& statuses) {
  JsonObject object;
  for (const auto& [status, n] : statuses) {
    object.Uint(std::to_string(status), n);
  }
  return object.Done();
}

std::string PercentilesLine(std::string_view label, const Histogram& histogram) {
  const Percentiles p = SummarizeMicros(histogram);
  char line[256];
  std::snprintf(line, sizeof line, "  %-28s p50 %9.1f  p90 %9.1f  p99 %9.1f  p99.9 %9.1f  max %9.1f  mean %9.1f\n",
                std::string(label).c_str(), p.p50, p.p90, p.p99, p.p999, p.max, p.mean);
  return line;
}

std::string StatusesText(const std::map<int, std::uint64_t>& statuses) {
  std::string out;
  for (const auto& [status, n] : statuses) {
    out.append(out.empty() ? " (" : ", ").append(std::to_string(status)).append(": ").append(std::to_string(n));
  }
  if (!out.empty()) {
    out.append(")");
  }
  return out;
}

}  // namespace

Percentiles SummarizeMicros(const Histogram& histogram) {
  const auto us = [](std::int64_t ns) { return static_cast<double>(ns) / 1000.0; };
  Percentiles p;
  p.count = histogram.count();
  p.min = us(histogram.min());
  p.mean = histogram.mean() / 1000.0;
  p.p50 = us(histogram.ValueAtPercentile(50));
  p.p90 = us(histogram.ValueAtPercentile(90));
  p.p99 = us(histogram.ValueAtPercentile(99));
  p.p999 = us(histogram.ValueAtPercentile(99.9));
  p.max = us(histogram.max());
  return p;
}

double AchievedRate(const Options& options, const RequestStats& stats) {
  const double last = static_cast<double>(stats.last_done() - stats.record_from()) / kNanosPerSecond;
  const double window = std::max(options.duration_s, last);
  return window > 0 ? static_cast<double>(stats.ok()) / window : 0.0;
}

std::string RequestReportJson(const Options& options, const RequestRunInfo& info, const RequestStats& stats) {
  return JsonObject()
      .Str("mode", info.open_loop ? "open_loop" : "closed_loop")
      .Str("url", options.url)
      .Str("method", options.request.method)
      .Real("rate", options.rate)
      .Int("connections", info.connections)
      .Real("duration_s", options.duration_s, 3)
      .Real("warmup_s", options.warmup_s, 3)
      .Uint("requests", stats.finished() + stats.unfinished())
      .Uint("ok", stats.ok())
      .Uint("non_2xx", stats.non_2xx())
      .Raw("statuses", StatusesJson(stats.statuses()))
      .Uint("transport_errors", stats.transport_errors())
      .Uint("timeouts", stats.timeouts())
      .Uint("unfinished", stats.unfinished())
      .Uint("late", stats.late())
      .Real("late_threshold_us", static_cast<double>(stats.late_threshold()) / 1000.0)
      .Real("achieved_rps", AchievedRate(options, stats))
      .Raw("latency_us", PercentilesJson(stats.latency()))
      .Raw("service_us", PercentilesJson(stats.service()))
      .Raw("send_delay_us", PercentilesJson(stats.send_delay()))
      .Done();
}

std::string RequestReportText(const Options& options, const RequestRunInfo& info, const RequestStats& stats) {
  std::string out;
  char line[512];
  if (info.open_loop) {
    std::snprintf(line, sizeof line, "open loop: %.0f req/s over %d connection%s, %.1f s measured after %.1f s warm-up\n",
                  options.rate, info.connections, info.connections == 1 ? "" : "s", options.duration_s,
                  options.warmup_s);
  } else {
    std::snprintf(line, sizeof line, "closed loop: %d in flight, %.1f s measured after %.1f s warm-up\n",
                  info.connections, options.duration_s, options.warmup_s);
  }
  out += line;
  std::snprintf(line, sizeof line,
                "  %llu requests: %llu ok, %llu non-2xx%s, %llu transport errors (%llu timeouts), %llu unfinished; "
                "%.1f ok/s\n",
                static_cast<unsigned long long>(stats.finished() + stats.unfinished()),
                static_cast<unsigned long long>(stats.ok()), static_cast<unsigned long long>(stats.non_2xx()),
                StatusesText(stats.statuses()).c_str(), static_cast<unsigned long long>(stats.transport_errors()),
                static_cast<unsigned long long>(stats.timeouts()), static_cast<unsigned long long>(stats.unfinished()),
                AchievedRate(options, stats));
  out += line;
  if (info.open_loop) {
    std::snprintf(line, sizeof line, "  %llu sent more than %.0f µs late%s\n",
                  static_cast<unsigned long long>(stats.late()), static_cast<double>(stats.late_threshold()) / 1000.0,
                  stats.late() > 0 ? " (the generator or the target could not keep the rate)" : "");
    out += line;
    out += PercentilesLine("latency µs (from schedule)", stats.latency());
    out += PercentilesLine("service µs (from send)", stats.service());
    out += PercentilesLine("send delay µs", stats.send_delay());
  } else {
    out += PercentilesLine("latency µs", stats.latency());
  }
  return out;
}

std::string StreamReportJson(const Options& options, const StreamRunInfo& info, const StreamStats& stats) {
  JsonObject rss;
  if (info.rss_before_kib >= 0) {
    rss.Int("pid", options.rss_pid).Int("before", info.rss_before_kib).Int("peak", info.rss_peak_kib);
    const double per_stream = info.peak_concurrent == 0
                                  ? 0.0
                                  : static_cast<double>(info.rss_peak_kib - info.rss_before_kib) /
                                        static_cast<double>(info.peak_concurrent);
    rss.Real("per_stream", per_stream, 2);
  }
  return JsonObject()
      .Str("mode", "streams")
      .Str("url", options.url)
      .Int("streams", options.streams)
      .Real("stream_duration_s", options.stream_duration_s, 3)
      .Real("ramp_s", options.ramp_s, 3)
      .Int("threads", options.threads)
      .Uint("succeeded", stats.succeeded())
      .Uint("held", stats.count(StreamEnd::kHeld))
      .Uint("completed_early", stats.count(StreamEnd::kCompletedEarly))
      .Uint("failed", stats.failed())
      .Uint("connect_errors", stats.count(StreamEnd::kConnectError))
      .Uint("non_2xx", stats.count(StreamEnd::kNon2xx))
      .Raw("statuses", StatusesJson(stats.statuses()))
      .Uint("no_first_event", stats.count(StreamEnd::kNoFirstEvent))
      .Uint("cut", stats.count(StreamEnd::kCut))
      .Uint("peak_concurrent", info.peak_concurrent)
      .Uint("events", stats.events())
      .Raw("connect_us", PercentilesJson(stats.connect()))
      .Raw("first_event_us", PercentilesJson(stats.first_event()))
      .Raw("gap_us", PercentilesJson(stats.gap()))
      .Raw("target_rss_kib", info.rss_before_kib >= 0 ? rss.Done() : "null")
      .Done();
}

std::string StreamReportText(const Options& options, const StreamRunInfo& info, const StreamStats& stats) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "streams: %d, each held %.1f s, started over %.1f s on %d thread%s\n",
                options.streams, options.stream_duration_s, options.ramp_s, options.threads,
                options.threads == 1 ? "" : "s");
  out += line;
  std::snprintf(line, sizeof line,
                "  %llu succeeded (%llu held, %llu ended early), %llu failed (%llu connect, %llu non-2xx%s, %llu no "
                "first event, %llu cut); peak %llu open at once; %llu events\n",
                static_cast<unsigned long long>(stats.succeeded()),
                static_cast<unsigned long long>(stats.count(StreamEnd::kHeld)),
                static_cast<unsigned long long>(stats.count(StreamEnd::kCompletedEarly)),
                static_cast<unsigned long long>(stats.failed()),
                static_cast<unsigned long long>(stats.count(StreamEnd::kConnectError)),
                static_cast<unsigned long long>(stats.count(StreamEnd::kNon2xx)), StatusesText(stats.statuses()).c_str(),
                static_cast<unsigned long long>(stats.count(StreamEnd::kNoFirstEvent)),
                static_cast<unsigned long long>(stats.count(StreamEnd::kCut)),
                static_cast<unsigned long long>(info.peak_concurrent),
                static_cast<unsigned long long>(stats.events()));
  out += line;
  out += PercentilesLine("connect µs", stats.connect());
  out += PercentilesLine("first event µs (from send)", stats.first_event());
  out += PercentilesLine("gap between events µs", stats.gap());
  if (info.rss_before_kib >= 0) {
    const double per_stream = info.peak_concurrent == 0
                                  ? 0.0
                                  : static_cast<double>(info.rss_peak_kib - info.rss_before_kib) /
                                        static_cast<double>(info.peak_concurrent);
    std::snprintf(line, sizeof line, "  target pid %d RSS: %ld KiB before, %ld KiB peak, %.1f KiB per open stream\n",
                  options.rss_pid, info.rss_before_kib, info.rss_peak_kib, per_stream);
    out += line;
  }
  return out;
}

}  // namespace strata::loadgen
