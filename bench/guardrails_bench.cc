// strata-guardrails-bench: what the guardrail pass costs on a typical chat
// request (docs/GUARDRAILS.md, "Costs"). Prints ns per scan and MB/s; asserts
// nothing (DESIGN.md: timings live in bench/, not in tests).
//
//   cmake --build build/release --target strata-guardrails-bench
//   build/release/bench/strata-guardrails-bench [iterations]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <boost/json/serialize.hpp>

#include "gateway/guard/request_guard.h"
#include "guardrails/internal/pattern.h"
#include "guardrails/internal/pattern_database.h"
#include "guardrails/redactor.h"
#include "guardrails/scanner.h"
#include "guardrails/stream_scanner.h"
#include "policy/policy.h"

namespace {

using strata::guardrails::Finding;
using strata::guardrails::Redactor;
using strata::guardrails::Scanner;
using strata::guardrails::StreamScanner;
using Clock = std::chrono::steady_clock;

// About 2 KB of what a chat request carries: a system prompt, a question with
// some prose, a bit of code and a table; `with_pii` adds an email, a phone
// number and a card, as a user pasting a support ticket would.
std::string ChatRequest(bool with_pii) {
  std::string text =
      "You are a helpful assistant for Acme Corp. Answer concisely, cite the internal wiki "
      "when you can, and never promise refunds above the policy limit.\n"
      "Hi! I'm preparing the quarterly report and need help with three things. First, "
      "summarise the attached notes: revenue grew 12% to $4.2 million, costs fell 3%, and the "
      "EMEA region overtook APAC for the first time since 2021. Second, the table below has "
      "the unit counts per region; compute the growth per region and flag anything odd.\n"
      "| region | 2023  | 2024  |\n| EMEA   | 11020 | 12450 |\n| APAC   | 10101 | 9823  |\n"
      "| AMER   | 20331 | 21877 |\n"
      "Third, this Python function is slow on large inputs, can you make it faster?\n"
      "def dedupe(items):\n    out = []\n    for item in items:\n        if item not in out:\n"
      "            out.append(item)\n    return out\n"
      "We call it from the nightly job (version 2.4.1, build 1832) on lists of about "
      "200000 order ids like ORD-2024-000123, and it takes 40 minutes. ";
  if (with_pii) {
    text += "The customer, reachable at jane.doe@example.com or +44 20 7946 0958, paid with "
            "4111 1111 1111 1111 and wants a confirmation. ";
  }
  while (text.size() < 2048) {
    text += "Please keep the tone friendly and the answer under 300 words, with headings. ";
  }
  text.resize(2048);
  return text;
}

template <class Work>
double MedianNanosPerRun(int iterations, Work&& work) {
  std::vector<double> samples;
  for (int round = 0; round < 7; ++round) {
    const auto start = Clock::now();
    for (int i = 0; i < iterations; ++i) work();
    const std::chrono::duration<double, std::nano> elapsed = Clock::now() - start;
    samples.push_back(elapsed.count() / iterations);
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

// A chat request's body carrying `text` as its user message.
boost::json::object ChatBody(const std::string& text) {
  return {{"model", "gpt-4o"},
          {"messages", boost::json::array{boost::json::object{{"role", "user"}, {"content", text}}}}};
}

std::string ChatAnswer(const std::string& text) {
  return boost::json::serialize(boost::json::object{
      {"id", "chatcmpl-1"},
      {"object", "chat.completion"},
      {"choices", boost::json::array{boost::json::object{
                      {"index", 0},
                      {"message", boost::json::object{{"role", "assistant"}, {"content", text}}},
                      {"finish_reason", "stop"}}}}});
}

void Report(const char* name, double nanos, std::size_t bytes) {
  std::printf("%-44s %9.0f ns  %8.1f MB/s\n", name, nanos, bytes / nanos * 1e3);
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 20000;

  auto compile_start = Clock::now();
  const Scanner scanner;
  const std::chrono::duration<double, std::milli> compile_ms = Clock::now() - compile_start;
  const auto patterns = strata::guardrails::internal::AllPatterns();
  using strata::guardrails::internal::PatternDatabase;
  const PatternDatabase without_som(patterns, PatternDatabase::Mode::kEndsOnly);
  const PatternDatabase with_som(patterns, PatternDatabase::Mode::kLeftmostStart);
  std::printf(
      "patterns: %zu; main database %zu bytes (%zu with no SOM at all); all databases %zu bytes; "
      "Scanner compile %.0f ms\n",
      patterns.size(), with_som.size_bytes(), without_som.size_bytes(), scanner.database_bytes(),
      compile_ms.count());

  const std::string clean = ChatRequest(false);
  const std::string pii = ChatRequest(true);
  std::printf("request: %zu bytes; findings: clean %zu, with PII %zu\n\n", clean.size(),
              scanner.Scan(clean).size(), scanner.Scan(pii).size());

  std::size_t sink = 0;  // keeps the optimiser from dropping the work
  std::vector<strata::guardrails::internal::RawMatch> raw;
  Report("hyperscan pass, no SOM (2 KB, clean)", MedianNanosPerRun(iterations, [&] {
           raw.clear();
           without_som.Scan(clean, raw);
           sink += raw.size();
         }), clean.size());
  Report("hyperscan pass, as Scanner runs it (2 KB)", MedianNanosPerRun(iterations, [&] {
           raw.clear();
           with_som.Scan(clean, raw);
           sink += raw.size();
         }), clean.size());
  Report("Scanner::Scan (2 KB, clean)",
         MedianNanosPerRun(iterations, [&] { sink += scanner.Scan(clean).size(); }), clean.size());
  Report("Scanner::Scan (2 KB, 3 findings)",
         MedianNanosPerRun(iterations, [&] { sink += scanner.Scan(pii).size(); }), pii.size());
  Report("Scan + Redact (2 KB, 3 findings)", MedianNanosPerRun(iterations, [&] {
           Redactor redactor;
           const std::vector<Finding> findings = scanner.Scan(pii);
           sink += redactor.Redact(pii, findings).size();
         }), pii.size());
  // An answer streamed in 16-byte deltas, as a model's SSE stream arrives.
  Report("StreamScanner, 16-byte deltas (2 KB, 3 f.)",
         MedianNanosPerRun(std::max(1, iterations / 20), [&] {
           Redactor redactor;
           StreamScanner stream(scanner, redactor);
           for (std::size_t at = 0; at < pii.size(); at += 16) {
             sink += stream.Push(std::string_view(pii).substr(at, 16)).size();
           }
           sink += stream.Finish().size();
         }), pii.size());

  // The gateway's whole guard on one exchange (gateway/guard/request_guard.h):
  // the prompt scanned and the policy applied, a 1 KB answer checked and
  // restored, the decision record and the redacted transcript the log keeps.
  std::printf("\nper exchange (gateway::RequestGuard):\n");
  using strata::gateway::RequestGuard;
  const auto redacting = strata::policy::ParseDocument(
      "rules:\n  - name: pii\n    then: {input: {EMAIL: redact, PHONE: redact, CREDIT_CARD: mask}, log_content: redacted}\n",
      "bench", "", "bench");
  const auto redacting_policy =
      std::make_shared<strata::policy::Policy>(std::vector<std::shared_ptr<const strata::policy::Document>>{*redacting});
  const std::string answer = ChatAnswer(clean.substr(0, 1024));
  const auto exchange_of = [](const std::string& text) {
    strata::core::Exchange exchange;
    exchange.model = "gpt-4o";
    exchange.body = ChatBody(text);
    return exchange;
  };
  Report("copy of the request body (baseline)", MedianNanosPerRun(iterations, [&] {
           strata::core::Exchange exchange = exchange_of(clean);
           sink += exchange.body.size();
         }), clean.size());
  Report("Inspect, default policy (2 KB, clean)", MedianNanosPerRun(iterations, [&] {
           strata::core::Exchange exchange = exchange_of(clean);
           RequestGuard guard(scanner, strata::policy::Policy::Default());
           sink += guard.Inspect(exchange, 0) ? 1 : 0;
         }), clean.size());
  Report("Inspect, redacting policy (2 KB, 3 findings)", MedianNanosPerRun(iterations, [&] {
           strata::core::Exchange exchange = exchange_of(pii);
           RequestGuard guard(scanner, redacting_policy);
           sink += guard.Inspect(exchange, 0) ? 1 : 0;
         }), pii.size());
  Report("+ FilterAnswer (1 KB answer, unchanged)", MedianNanosPerRun(iterations, [&] {
           strata::core::Exchange exchange = exchange_of(clean);
           RequestGuard guard(scanner, strata::policy::Policy::Default());
           guard.Inspect(exchange, 0);
           sink += guard.FilterAnswer(answer)->size();
         }), clean.size() + answer.size());
  Report("+ decision record + redacted transcript", MedianNanosPerRun(iterations, [&] {
           strata::core::Exchange exchange = exchange_of(clean);
           RequestGuard guard(scanner, strata::policy::Policy::Default());
           guard.Inspect(exchange, 0);
           sink += guard.FilterAnswer(answer)->size();
           sink += guard.DecisionRecord().size() + guard.LoggedContent()->size();
         }), clean.size() + answer.size());
  return sink == 0 ? 1 : 0;
}
