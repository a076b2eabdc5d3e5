// The in-process backend through its public, awaitable API: rates,
// concurrency caps, headers, refusals that take nothing, and eviction.
// Budgets are in budget_test.cc. Time is driven through AdmissionRequest::now
// (and the injected clock for Settle); nothing here depends on wall time.

#include "limits/in_process_backend.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <latch>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "support/run_coroutine.h"

namespace strata::limits {
namespace {

namespace asio = boost::asio;
using namespace std::chrono;
using namespace std::chrono_literals;
using testing::RunCoroutine;

const SystemClock::time_point kStart = sys_days{2026y / March / 14} + 9h;

// A backend whose Settle clock is whatever the test sets.
struct Fixture {
  SystemClock::time_point clock = kStart;
  InProcessBackend backend{InProcessOptions{.clock = [this] { return clock; }}};

  Admission Admit(AdmissionRequest request) {
    core::Result<Admission> result = RunCoroutine(backend.Admit(std::move(request)));
    EXPECT_TRUE(result.has_value());
    return result.has_value() ? *result : Admission{};
  }
  void Settle(Ticket ticket, std::int64_t nano_usd, std::int64_t tokens) {
    RunCoroutine(backend.Settle(std::move(ticket), nano_usd, tokens));
  }
};

RateRule Rpm(std::string counter, std::int64_t per_minute) {
  return {.counter = std::move(counter), .per_minute = per_minute, .cost = 1, .header_kind = "requests"};
}

RateRule Tpm(std::string counter, std::int64_t per_minute, std::int64_t estimate) {
  return {.counter = std::move(counter), .per_minute = per_minute, .cost = estimate, .header_kind = "tokens"};
}

AdmissionRequest Request(SystemClock::time_point now, std::vector<RateRule> rates,
                         std::vector<ConcurrencyRule> concurrency = {}) {
  AdmissionRequest request;
  request.rates = std::move(rates);
  request.concurrency = std::move(concurrency);
  request.now = now;
  return request;
}

const RateHeader* HeaderOf(const Admission& admission, std::string_view kind) {
  for (const RateHeader& header : admission.headers) {
    if (header.kind == kind) {
      return &header;
    }
  }
  return nullptr;
}

TEST(InProcessBackendTest, AdmitsAMinutesWorthAtOnceThenRefusesWithRetryAfter) {
  Fixture f;
  for (int i = 0; i < 60; ++i) {
    ASSERT_TRUE(f.Admit(Request(kStart, {Rpm("rpm:key:a", 60)})).admitted) << i;
  }
  const Admission refused = f.Admit(Request(kStart, {Rpm("rpm:key:a", 60)}));
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.refused_by, "rpm:key:a");
  EXPECT_EQ(refused.reason, "rate limit of 60 requests per minute reached");
  EXPECT_EQ(refused.retry_after, 1s);
  EXPECT_FALSE(refused.budget_exhausted);
  EXPECT_FALSE(refused.request_too_large);
  EXPECT_TRUE(refused.ticket.concurrency_counters.empty());

  // One unit back per second.
  EXPECT_FALSE(f.Admit(Request(kStart + 999ms, {Rpm("rpm:key:a", 60)})).admitted);
  EXPECT_TRUE(f.Admit(Request(kStart + 1s, {Rpm("rpm:key:a", 60)})).admitted);
  EXPECT_FALSE(f.Admit(Request(kStart + 1s, {Rpm("rpm:key:a", 60)})).admitted);
  // Other counters are independent.
  EXPECT_TRUE(f.Admit(Request(kStart, {Rpm("rpm:key:b", 60)})).admitted);
}

TEST(InProcessBackendTest, RetryAfterIsRoundedUpToWholeSeconds) {
  Fixture f;
  // 1 per minute: the second request waits 60 s; 0.4 s later, 59.6 s -> 60 s.
  ASSERT_TRUE(f.Admit(Request(kStart, {Rpm("rpm:slow", 1)})).admitted);
  EXPECT_EQ(f.Admit(Request(kStart, {Rpm("rpm:slow", 1)})).retry_after, 60s);
  EXPECT_EQ(f.Admit(Request(kStart + 400ms, {Rpm("rpm:slow", 1)})).retry_after, 60s);
  EXPECT_EQ(f.Admit(Request(kStart + 59s + 1ms, {Rpm("rpm:slow", 1)})).retry_after, 1s);
}

TEST(InProcessBackendTest, ACostAboveTheWholeLimitIsNeverAdmitted) {
  Fixture f;
  const Admission refused = f.Admit(Request(kStart, {Tpm("tpm:key:a", 1000, 1001)}));
  EXPECT_FALSE(refused.admitted);
  EXPECT_TRUE(refused.request_too_large);
  EXPECT_EQ(refused.reason, "this request needs 1001 tokens, more than the limit of 1000 tokens per minute allows");
  // It took nothing: the whole minute is still there.
  EXPECT_TRUE(f.Admit(Request(kStart, {Tpm("tpm:key:a", 1000, 1000)})).admitted);
}

TEST(InProcessBackendTest, HeadersReportTheTightestRuleOfEachKind) {
  Fixture f;
  AdmissionRequest request =
      Request(kStart, {Rpm("rpm:key:a", 100), Rpm("rpm:team:t", 10), Tpm("tpm:key:a", 6000, 1500),
                       RateRule{.counter = "rpm:ip", .per_minute = 1, .cost = 1, .header_kind = ""}});
  const Admission first = f.Admit(request);
  ASSERT_TRUE(first.admitted);
  ASSERT_EQ(first.headers.size(), 2u) << "a rule with no header_kind feeds no header";
  const RateHeader* requests = HeaderOf(first, "requests");
  ASSERT_NE(requests, nullptr);
  EXPECT_EQ(requests->limit, 10);
  EXPECT_EQ(requests->remaining, 9);
  EXPECT_EQ(requests->reset, 6s);
  const RateHeader* tokens = HeaderOf(first, "tokens");
  ASSERT_NE(tokens, nullptr);
  EXPECT_EQ(tokens->limit, 6000);
  EXPECT_EQ(tokens->remaining, 4500);
  EXPECT_EQ(tokens->reset, 15s);

  // A refused request reports the headers too (as OpenAI does on a 429),
  // as the counters stand after the refusal.
  const Admission refused = f.Admit(request);  // rpm:ip allows 1 per minute
  ASSERT_FALSE(refused.admitted);
  EXPECT_EQ(refused.refused_by, "rpm:ip");
  ASSERT_NE(HeaderOf(refused, "requests"), nullptr);
  EXPECT_EQ(HeaderOf(refused, "requests")->remaining, 9);
  EXPECT_EQ(HeaderOf(refused, "tokens")->remaining, 4500);
}

TEST(InProcessBackendTest, ARefusalByALaterRateTakesNothingFromEarlierRates) {
  Fixture f;
  ASSERT_TRUE(f.Admit(Request(kStart, {Rpm("rpm:drained", 1)})).admitted);
  const Admission refused =
      f.Admit(Request(kStart, {Rpm("rpm:key:a", 2), Tpm("tpm:key:a", 1000, 600), Rpm("rpm:drained", 1)}));
  ASSERT_FALSE(refused.admitted);
  EXPECT_EQ(refused.refused_by, "rpm:drained");

  // Both rpm:key:a units and all 1000 tokens are still there.
  const Admission next = f.Admit(Request(kStart, {Rpm("rpm:key:a", 2), Tpm("tpm:key:a", 1000, 1000)}));
  ASSERT_TRUE(next.admitted);
  EXPECT_EQ(HeaderOf(next, "requests")->remaining, 1);
  EXPECT_EQ(HeaderOf(next, "tokens")->remaining, 0);
}

TEST(InProcessBackendTest, ARefusalByTheLastRuleTakesNothingFromAnyEarlierRule) {
  Fixture f;
  // Rules are taken in order: rates, concurrency, budgets. The last budget is
  // spent, so everything taken before it is handed back.
  const BudgetRule open{.counter = "budget:team:t", .limit_nano_usd = 1'000'000'000};
  const BudgetRule spent{
      .counter = "budget:key:a", .limit_nano_usd = 1'000'000'000, .spent_before_nano_usd = 1'000'000'000};
  AdmissionRequest request = Request(kStart, {Rpm("rpm:key:a", 2), Tpm("tpm:key:a", 1000, 600)}, {{"conc:key:a", 1}});
  request.budgets = {open, spent};
  request.reserve_nano_usd = 400'000'000;
  const Admission refused = f.Admit(request);
  ASSERT_FALSE(refused.admitted);
  EXPECT_EQ(refused.refused_by, "budget:key:a");
  EXPECT_TRUE(refused.budget_exhausted);
  EXPECT_TRUE(refused.soft_crossed.empty());
  EXPECT_TRUE(refused.ticket.budgets.empty());

  const Backend::BudgetState team = *RunCoroutine(f.backend.ReadBudget(open, kStart));
  EXPECT_EQ(team.reserved_nano_usd, 0);
  EXPECT_EQ(team.spent_nano_usd, 0);
  AdmissionRequest next = Request(kStart, {Rpm("rpm:key:a", 2), Tpm("tpm:key:a", 1000, 1000)}, {{"conc:key:a", 1}});
  next.budgets = {open};
  next.reserve_nano_usd = 1'000'000'000;  // the whole team budget is still free
  const Admission admitted = f.Admit(next);
  ASSERT_TRUE(admitted.admitted);
  EXPECT_EQ(HeaderOf(admitted, "requests")->remaining, 1);
  EXPECT_EQ(HeaderOf(admitted, "tokens")->remaining, 0);
}

TEST(InProcessBackendTest, ConcurrencyCapRefusesUntilASlotIsReleased) {
  Fixture f;
  const ConcurrencyRule cap{"conc:team:t", 2};
  const Admission a = f.Admit(Request(kStart, {}, {cap}));
  const Admission b = f.Admit(Request(kStart, {}, {cap}));
  ASSERT_TRUE(a.admitted);
  ASSERT_TRUE(b.admitted);
  const Admission refused = f.Admit(Request(kStart, {}, {cap}));
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.refused_by, "conc:team:t");
  EXPECT_EQ(refused.reason, "concurrency limit of 2 requests in flight reached");
  EXPECT_EQ(refused.retry_after, 1s);

  f.Settle(a.ticket, 0, 0);
  EXPECT_TRUE(f.Admit(Request(kStart, {}, {cap})).admitted);
  EXPECT_FALSE(f.Admit(Request(kStart, {}, {cap})).admitted);
}

TEST(InProcessBackendTest, ReleasedConcurrencyCountersAreDropped) {
  Fixture f;
  const Admission a = f.Admit(Request(kStart, {}, {{"conc:x", 3}, {"conc:y", 3}}));
  ASSERT_TRUE(a.admitted);
  EXPECT_EQ(f.backend.CounterCount(), 2u);
  f.Settle(a.ticket, 0, 0);
  EXPECT_EQ(f.backend.CounterCount(), 0u);
}

TEST(InProcessBackendTest, SettlementChargesTokensBeyondTheEstimateIntoDebt) {
  Fixture f;
  // 1000 tokens per minute (T = 60 ms); admission estimated 100, the answer used 2500.
  const Admission admitted = f.Admit(Request(kStart, {Tpm("tpm:key:a", 1000, 100)}));
  ASSERT_TRUE(admitted.admitted);
  ASSERT_EQ(admitted.ticket.token_rates.size(), 1u);
  f.Settle(admitted.ticket, 0, 2500);

  // 2500 tokens drawn from a 1000-token minute: in debt until 1500 more have
  // drained (90 s), whatever the next request's estimate.
  const Admission in_debt = f.Admit(Request(kStart, {Tpm("tpm:key:a", 1000, 1)}));
  EXPECT_FALSE(in_debt.admitted);
  EXPECT_EQ(in_debt.retry_after, 91s);  // 1501 * 60 ms = 90.06 s, rounded up
  EXPECT_EQ(HeaderOf(in_debt, "tokens")->remaining, 0);
  EXPECT_EQ(HeaderOf(in_debt, "tokens")->reset, 150s);
  EXPECT_TRUE(f.Admit(Request(kStart + 90060ms, {Tpm("tpm:key:a", 1000, 1)})).admitted);
}

TEST(InProcessBackendTest, SettlementRefundsAnOverEstimate) {
  Fixture f;
  const Admission admitted = f.Admit(Request(kStart, {Tpm("tpm:key:a", 1000, 800)}));
  ASSERT_TRUE(admitted.admitted);
  EXPECT_EQ(HeaderOf(admitted, "tokens")->remaining, 200);
  f.Settle(admitted.ticket, 0, 100);
  const Admission next = f.Admit(Request(kStart, {Tpm("tpm:key:a", 1000, 0)}));
  EXPECT_EQ(HeaderOf(next, "tokens")->remaining, 900);
}

TEST(InProcessBackendTest, SettlementAtALaterTimeChargesFromThen) {
  Fixture f;
  const Admission admitted = f.Admit(Request(kStart, {Tpm("tpm:key:a", 1000, 100)}));
  ASSERT_TRUE(admitted.admitted);
  // The answer streams for two minutes: the bucket is full again when it
  // settles, and the 400 extra tokens are drawn from that full bucket.
  f.clock = kStart + 2min;
  f.Settle(admitted.ticket, 0, 500);
  const Admission next = f.Admit(Request(kStart + 2min, {Tpm("tpm:key:a", 1000, 0)}));
  EXPECT_EQ(HeaderOf(next, "tokens")->remaining, 600);
}

TEST(InProcessBackendTest, UnknownActualTokensKeepTheEstimate) {
  Fixture f;
  const Admission admitted = f.Admit(Request(kStart, {Tpm("tpm:key:a", 1000, 300)}));
  f.Settle(admitted.ticket, 0, -1);
  const Admission next = f.Admit(Request(kStart, {Tpm("tpm:key:a", 1000, 0)}));
  EXPECT_EQ(HeaderOf(next, "tokens")->remaining, 700);
}

TEST(InProcessBackendTest, ARequestRuleIsNotTruedUpWithTokens) {
  Fixture f;
  const Admission admitted = f.Admit(Request(kStart, {Rpm("rpm:key:a", 10)}));
  EXPECT_TRUE(admitted.ticket.token_rates.empty());
  f.Settle(admitted.ticket, 0, 5000);
  EXPECT_EQ(HeaderOf(f.Admit(Request(kStart, {Rpm("rpm:key:a", 10)})), "requests")->remaining, 8);
}

TEST(InProcessBackendTest, AZeroLimitRefusesEverything) {
  Fixture f;
  EXPECT_FALSE(f.Admit(Request(kStart, {Rpm("rpm:off", 0)})).admitted);
  EXPECT_FALSE(f.Admit(Request(kStart, {}, {{"conc:off", 0}})).admitted);
}

// ---- threads ---------------------------------------------------------------

asio::awaitable<void> AdmitMany(InProcessBackend& backend, AdmissionRequest request, int count,
                                std::atomic<int>& admitted) {
  for (int i = 0; i < count; ++i) {
    core::Result<Admission> result = co_await backend.Admit(request);
    if (result.has_value() && result->admitted) {
      admitted.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

TEST(InProcessBackendTest, RacingThreadsAdmitExactlyTheLimit) {
  InProcessBackend backend;
  constexpr int kThreads = 8;
  constexpr int kEach = 500;
  std::atomic<int> admitted{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      asio::io_context io;
      asio::co_spawn(io, AdmitMany(backend, Request(kStart, {Rpm("rpm:hot", 1000)}), kEach, admitted), asio::detached);
      start.arrive_and_wait();
      io.run();
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(admitted.load(), 1000);
}

asio::awaitable<void> HoldAndRelease(InProcessBackend& backend, int count, std::int64_t cap,
                                     std::atomic<int>& in_flight, std::atomic<int>& peak, std::atomic<int>& admitted) {
  // Built in its own statement: g++ 12 miscompiles a braced list next to a co_await.
  const AdmissionRequest request = Request(kStart, {Rpm("rpm:wide", 1'000'000)}, {{"conc:shared", cap}});
  for (int i = 0; i < count; ++i) {
    core::Result<Admission> result = co_await backend.Admit(request);
    if (!result.has_value() || !result->admitted) {
      continue;
    }
    admitted.fetch_add(1, std::memory_order_relaxed);
    const int now_in_flight = in_flight.fetch_add(1) + 1;
    int seen = peak.load();
    while (now_in_flight > seen && !peak.compare_exchange_weak(seen, now_in_flight)) {
    }
    std::this_thread::yield();
    in_flight.fetch_sub(1);
    co_await backend.Settle(result->ticket, 0, 0);
  }
}

TEST(InProcessBackendTest, RacingThreadsNeverExceedTheConcurrencyCap) {
  InProcessBackend backend;
  constexpr int kThreads = 8;
  constexpr std::int64_t kCap = 3;
  std::atomic<int> in_flight{0};
  std::atomic<int> peak{0};
  std::atomic<int> admitted{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      asio::io_context io;
      asio::co_spawn(io, HoldAndRelease(backend, 2000, kCap, in_flight, peak, admitted), asio::detached);
      start.arrive_and_wait();
      io.run();
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_LE(peak.load(), kCap);
  EXPECT_GT(admitted.load(), 0);
  // Every slot came back: the next kCap requests are admitted, no more.
  std::vector<Admission> held;
  for (int i = 0; i < kCap; ++i) {
    held.push_back(backend.AdmitSync(Request(kStart, {}, {{"conc:shared", kCap}})));
    EXPECT_TRUE(held.back().admitted);
  }
  EXPECT_FALSE(backend.AdmitSync(Request(kStart, {}, {{"conc:shared", kCap}})).admitted);
}

// ---- eviction --------------------------------------------------------------

TEST(InProcessBackendTest, StaleRateCountersAreEvictedSoMemoryStaysBounded) {
  InProcessOptions options;
  options.sweep_every = 4;
  InProcessBackend backend(options);
  constexpr int kKeys = 5000;
  for (int i = 0; i < kKeys; ++i) {
    ASSERT_TRUE(backend.AdmitSync(Request(kStart, {Rpm("rpm:key:" + std::to_string(i), 60)})).admitted);
  }
  EXPECT_EQ(backend.CounterCount(), static_cast<std::size_t>(kKeys));

  // Two minutes on, every other counter is full again (same as absent). A
  // full pass of sweeps (sweep_every * kShards admissions on one live key)
  // drops them.
  const auto later = kStart + 2min;
  for (std::size_t i = 0; i < 4 * InProcessBackend::kShards; ++i) {
    backend.AdmitSync(Request(later, {Rpm("rpm:live", 1'000'000)}));
  }
  EXPECT_EQ(backend.CounterCount(), 1u);
  EXPECT_TRUE(backend.AdmitSync(Request(later, {Rpm("rpm:key:7", 60)})).admitted);
}

TEST(InProcessBackendTest, ACounterStillDrainingOrInDebtIsNotEvicted) {
  Fixture f;
  const Admission admitted = f.Admit(Request(kStart, {Tpm("tpm:debt", 60, 1)}));
  f.Settle(admitted.ticket, 0, 600);  // ten minutes' worth of debt
  f.backend.SweepAll(kStart + 5min);
  EXPECT_EQ(f.backend.CounterCount(), 1u);
  EXPECT_FALSE(f.Admit(Request(kStart + 5min, {Tpm("tpm:debt", 60, 1)})).admitted);
  f.backend.SweepAll(kStart + 12min);
  EXPECT_EQ(f.backend.CounterCount(), 0u);
}

}  // namespace
}  // namespace strata::limits
