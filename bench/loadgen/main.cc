// strata-loadgen: a fixed-rate (open-loop) HTTP load generator that corrects
// for coordinated omission, with closed-loop and concurrent-SSE-stream modes.
// bench/README.md explains what it measures and why; --help lists the flags.
#include <sys/prctl.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "loadgen/options.h"
#include "loadgen/report.h"
#include "loadgen/request_load.h"
#include "loadgen/stream_load.h"

namespace {

using namespace strata::loadgen;

constexpr const char* kDefaultChatBody =
    R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello in five words."}]})";
constexpr const char* kDefaultStreamBody =
    R"({"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Say hello in five words."}]})";

// 10 000 streams need 10 000 descriptors: take all the hard limit allows.
void RaiseFileLimit(int needed) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return;
  }
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur != RLIM_INFINITY && static_cast<rlim_t>(needed) + 64 > limit.rlim_cur) {
    std::cerr << "warning: " << needed << " connections but the open-file limit is " << limit.rlim_cur
              << " (raise `ulimit -Hn`)\n";
  }
}

int Run(Options& options) {
  // Timers fire up to the thread's timer slack late (50 µs by default), and
  // in open loop every µs of pacer lag is latency: ask for 1 ns.
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  const int connections = options.streams > 0 ? options.streams : std::max(options.connections, 16);
  RaiseFileLimit(connections);

  boost::asio::io_context io;
  boost::asio::ip::tcp::resolver resolver(io);
  boost::system::error_code ec;
  const auto endpoints = resolver.resolve(options.request.url.host, options.request.url.port, ec);
  if (ec) {
    std::cerr << "cannot resolve " << options.request.url.host << ": " << ec.message() << '\n';
    return 2;
  }
  if (options.streams > 0) {
    StreamRunInfo info;
    const StreamStats stats = RunStreamLoad(options, endpoints, info);
    std::cout << (options.json ? StreamReportJson(options, info, stats) + "\n"
                               : StreamReportText(options, info, stats));
    return stats.succeeded() > 0 ? 0 : 1;
  }
  RequestRunInfo info;
  const RequestStats stats = RunRequestLoad(options, endpoints, info);
  std::cout << (options.json ? RequestReportJson(options, info, stats) + "\n"
                             : RequestReportText(options, info, stats));
  return stats.ok() > 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "strata-loadgen: HTTP load at a fixed rate (latency from each request's scheduled time, correcting for\n"
      "coordinated omission), one-in-flight closed loop, or N concurrent SSE streams. See bench/README.md."};
  Options options;
  std::string body_file;
  std::optional<std::string> body;
  int concurrency = 0;
  app.add_option("--url", options.url, "http://host[:port]/path")->required();
  app.add_option("-m,--method", options.request.method, "HTTP method")->capture_default_str();
  app.add_option("--body", body, "Request body (default: a small chat completion; stream:true with --streams)");
  app.add_option("--body-file", body_file, "Read the request body from this file")->check(CLI::ExistingFile);
  app.add_option("-H,--header", options.request.headers, "Extra header 'name: value' (repeatable)");
  app.add_option("-r,--rate", options.rate, "Requests/s, open loop; 0: closed loop")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("-d,--duration", options.duration_s, "Seconds measured (after the warm-up)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("-w,--warmup", options.warmup_s, "Seconds of load before measuring")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("-c,--connections", options.connections,
                 "Keep-alive connections (default 16 open loop, 1 closed loop)")
      ->check(CLI::PositiveNumber);
  app.add_option("--concurrency", concurrency, "Closed loop: requests in flight (same as --connections)")
      ->check(CLI::PositiveNumber);
  app.add_option("--late-ms", options.late_threshold_ms, "Count a request as late when sent this much after its time")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--spin-us", options.spin_us,
                 "Open loop: busy-poll (serving I/O) instead of sleeping this close to each due time")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--timeout", options.timeout_s, "Seconds: per request, per connect, to a stream's first event")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--streams", options.streams, "Stream mode: this many concurrent SSE requests")
      ->check(CLI::PositiveNumber);
  app.add_option("--stream-duration", options.stream_duration_s, "Seconds each stream is held open")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--ramp", options.ramp_s, "Seconds over which stream starts are spread")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--threads", options.threads, "Stream mode: io threads")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--rss-pid", options.rss_pid, "Stream mode: sample this process's RSS (the target's)")
      ->check(CLI::PositiveNumber);
  app.add_flag("--json", options.json, "Print one JSON object instead of text");
  CLI11_PARSE(app, argc, argv);

  std::string error;
  const std::optional<HttpUrl> url = ParseHttpUrl(options.url, &error);
  if (!url) {
    std::cerr << "--url: " << error << '\n';
    return 2;
  }
  options.request.url = *url;
  for (const std::string& header : options.request.headers) {
    if (header.find(':') == std::string::npos || header.front() == ':') {
      std::cerr << "--header '" << header << "': expected 'name: value'\n";
      return 2;
    }
  }
  if (concurrency > 0) {
    if (options.connections > 0 && options.connections != concurrency) {
      std::cerr << "--concurrency and --connections disagree\n";
      return 2;
    }
    options.connections = concurrency;
  }
  if (!body_file.empty()) {
    if (body) {
      std::cerr << "--body and --body-file are exclusive\n";
      return 2;
    }
    std::ifstream file(body_file, std::ios::binary);
    std::ostringstream content;
    content << file.rdbuf();
    body = content.str();
  }
  if (body) {
    options.request.body = *body;
  } else if (options.request.method == "POST") {
    options.request.body = options.streams > 0 ? kDefaultStreamBody : kDefaultChatBody;
  }
  return Run(options);
}
