#include "loadgen/report.h"

#include <gtest/gtest.h>

namespace strata::loadgen {
namespace {

TEST(ReportTest, RequestJsonCarriesCountsAndPercentilesInMicroseconds) {
  Options options;
  options.url = "http://127.0.0.1:1/\"x\"";
  options.rate = 1000;
  options.duration_s = 1;
  RequestStats stats(0, kNanosPerMilli);
  for (int i = 0; i < 1000; ++i) {
    stats.Record({.scheduled = i * kNanosPerMilli, .sent = i * kNanosPerMilli, .done = i * kNanosPerMilli + 42'000},
                 RequestOutcome::kResponse, 200);
  }
  stats.Record({.scheduled = 0, .sent = 0, .done = 1}, RequestOutcome::kResponse, 502);
  const std::string json = RequestReportJson(options, {.open_loop = true, .connections = 4}, stats);
  EXPECT_NE(json.find(R"("mode":"open_loop")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("url":"http://127.0.0.1:1/\"x\"")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("ok":1000,"non_2xx":1,"statuses":{"502":1})"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("latency_us":{"count":1000,"min":42.0,"mean":42.0,"p50":42.0,"p90":42.0,"p99":42.0,"p99_9":42.0,"max":42.0})"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("achieved_rps":1000.0)"), std::string::npos) << json;
  EXPECT_EQ(json.back(), '}');
  EXPECT_EQ(json.find('\n'), std::string::npos);
}

TEST(ReportTest, StreamJsonSaysWhenRssWasNotSampled) {
  Options options;
  options.streams = 2;
  StreamStats stats;
  StreamProgress progress{.sent = 0};
  stats.RecordEvents(progress, 1, 300'000);
  stats.RecordEvents(progress, 2, 100'300'000);
  stats.RecordEnd(StreamEnd::kHeld, 200);
  stats.RecordEnd(StreamEnd::kNon2xx, 503);
  EXPECT_EQ(stats.first_event().max(), 300'000);
  EXPECT_EQ(stats.gap().count(), 2u);
  EXPECT_EQ(stats.gap().max(), 100'000'000);
  EXPECT_EQ(stats.gap().min(), 0);  // the two events of one read
  const std::string json = StreamReportJson(options, {.peak_concurrent = 1}, stats);
  EXPECT_NE(json.find(R"("succeeded":1,"held":1,"completed_early":0,"failed":1)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("target_rss_kib":null)"), std::string::npos) << json;
  const std::string with_rss =
      StreamReportJson(options, {.peak_concurrent = 2, .rss_before_kib = 1000, .rss_peak_kib = 1100}, stats);
  EXPECT_NE(with_rss.find(R"("per_stream":50.00)"), std::string::npos) << with_rss;
}

}  // namespace
}  // namespace strata::loadgen
