// Budgets in the in-process backend: reserve before admission, settle after,
// under real threads; soft thresholds; periods; seeding; eviction.

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

#include "limits/in_process_backend.h"
#include "support/run_coroutine.h"

namespace strata::limits {
namespace {

namespace asio = boost::asio;
using namespace std::chrono;
using namespace std::chrono_literals;
using testing::RunCoroutine;

constexpr std::int64_t kDollar = 1'000'000'000;  // nano-USD
constexpr std::int64_t kCent = kDollar / 100;
constexpr std::int64_t kMilli = kDollar / 1000;  // $0.001

const SystemClock::time_point kMidMarch = sys_days{2026y / March / 14} + 9h;
const SystemClock::time_point kLastSecondOfJanuary = sys_days{2026y / January / 31} + 23h + 59min + 59s;
const SystemClock::time_point kFebruaryFirst = sys_days{2026y / February / 1};

BudgetRule Monthly(std::int64_t limit, std::int64_t spent_before = 0, std::int64_t soft = 0) {
  return {.counter = "budget:key:a",
          .period = Period::kMonth,
          .limit_nano_usd = limit,
          .soft_nano_usd = soft,
          .spent_before_nano_usd = spent_before};
}

AdmissionRequest Request(SystemClock::time_point now, BudgetRule rule, std::int64_t reserve) {
  AdmissionRequest request;
  request.budgets = {std::move(rule)};
  request.reserve_nano_usd = reserve;
  request.now = now;
  return request;
}

Backend::BudgetState Read(Backend& backend, const BudgetRule& rule, SystemClock::time_point now) {
  core::Result<Backend::BudgetState> state = RunCoroutine(backend.ReadBudget(rule, now));
  EXPECT_TRUE(state.has_value());
  return state.has_value() ? *state : Backend::BudgetState{};
}

Admission Admit(Backend& backend, AdmissionRequest request) {
  core::Result<Admission> result = RunCoroutine(backend.Admit(std::move(request)));
  EXPECT_TRUE(result.has_value());
  return result.has_value() ? *result : Admission{};
}

void Settle(Backend& backend, Ticket ticket, std::int64_t nano_usd) {
  RunCoroutine(backend.Settle(std::move(ticket), nano_usd, 0));
}

// ---- the race: many requests against a nearly spent budget -----------------

struct RaceTally {
  std::atomic<int> admitted{0};
  std::atomic<int> soft_reports{0};
};

// Admits `count` requests one after another; keeps each admitted ticket.
asio::awaitable<void> AdmitAll(Backend& backend, AdmissionRequest request, int count, RaceTally& tally,
                               std::vector<Ticket>& tickets) {
  for (int i = 0; i < count; ++i) {
    core::Result<Admission> result = co_await backend.Admit(request);
    if (result.has_value() && result->admitted) {
      tally.admitted.fetch_add(1);
      tally.soft_reports.fetch_add(static_cast<int>(result->soft_crossed.size()));
      tickets.push_back(std::move(result->ticket));
    }
  }
}

asio::awaitable<void> SettleAll(Backend& backend, std::vector<Ticket> tickets, std::int64_t actual) {
  for (Ticket& ticket : tickets) {
    co_await backend.Settle(std::move(ticket), actual, 0);
  }
}

// Admits and settles `count` requests one after another.
asio::awaitable<void> AdmitAndSettle(Backend& backend, AdmissionRequest request, int count, std::int64_t actual,
                                     RaceTally& tally) {
  for (int i = 0; i < count; ++i) {
    core::Result<Admission> result = co_await backend.Admit(request);
    if (result.has_value() && result->admitted) {
      tally.admitted.fetch_add(1);
      co_await backend.Settle(std::move(result->ticket), actual, 0);
    }
  }
}

constexpr int kThreads = 8;
constexpr int kRequests = 1000;

// Runs `make(t)` on kThreads threads, each with its own io_context, started together.
template <class MakeTask>
void OnThreads(MakeTask make) {
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      asio::io_context io;
      asio::co_spawn(io, make(t), asio::detached);
      start.arrive_and_wait();
      io.run();
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
}

// Admits kRequests requests (each reserving `reserve`) from kThreads threads at
// once, holding every ticket, then settles them all at `actual`, also at once.
int AdmitThenSettleConcurrently(Backend& backend, const BudgetRule& rule, std::int64_t reserve, std::int64_t actual,
                                RaceTally& tally) {
  std::vector<std::vector<Ticket>> tickets(kThreads);
  const AdmissionRequest request = Request(kMidMarch, rule, reserve);
  OnThreads([&](int t) { return AdmitAll(backend, request, kRequests / kThreads, tally, tickets[t]); });
  OnThreads([&](int t) { return SettleAll(backend, std::move(tickets[t]), actual); });
  return tally.admitted.load();
}

TEST(BudgetTest, ConcurrentRequestsAtANearlySpentBudgetAdmitExactlyWhatFits) {
  // $1.00 budget with $0.99 spent; each request reserves $0.002 (worst case)
  // and really costs $0.001. Exactly 5 reservations fit in the last cent.
  InProcessBackend backend;
  const BudgetRule rule = Monthly(kDollar, 99 * kCent, /*soft=*/995 * kMilli);
  RaceTally tally;
  EXPECT_EQ(AdmitThenSettleConcurrently(backend, rule, 2 * kMilli, 1 * kMilli, tally), 5);
  EXPECT_EQ(tally.soft_reports.load(), 1) << "the soft threshold is reported to exactly one request";

  const Backend::BudgetState state = Read(backend, rule, kMidMarch);
  EXPECT_EQ(state.reserved_nano_usd, 0);
  EXPECT_EQ(state.spent_nano_usd, 99 * kCent + 5 * kMilli);
  EXPECT_LE(state.spent_nano_usd, kDollar);
}

TEST(BudgetTest, ConcurrentAdmitAndSettleNeverSpendsPastTheLimit) {
  InProcessBackend backend;
  const BudgetRule rule = Monthly(kDollar, 99 * kCent);
  const AdmissionRequest request = Request(kMidMarch, rule, 2 * kMilli);
  RaceTally tally;
  OnThreads([&](int) { return AdmitAndSettle(backend, request, kRequests / kThreads, 1 * kMilli, tally); });

  const Backend::BudgetState state = Read(backend, rule, kMidMarch);
  EXPECT_EQ(state.reserved_nano_usd, 0);
  EXPECT_EQ(state.spent_nano_usd, 99 * kCent + tally.admitted.load() * kMilli);
  EXPECT_LE(state.spent_nano_usd, kDollar);
  EXPECT_GE(tally.admitted.load(), 5);
  EXPECT_LE(tally.admitted.load(), 10);
}

TEST(BudgetTest, OneAtATimeAnUnderReservedRequestOvershootsByAtMostItsOwnExcess) {
  // Each request reserves $0.002 but really costs $0.003: $0.001 excess.
  InProcessBackend backend;
  const BudgetRule rule = Monthly(kDollar, 9975 * kDollar / 10000);  // $0.9975
  int admitted = 0;
  for (int i = 0; i < 100; ++i) {
    Admission admission = Admit(backend, Request(kMidMarch, rule, 2 * kMilli));
    if (admission.admitted) {
      ++admitted;
      Settle(backend, std::move(admission.ticket), 3 * kMilli);
    }
  }
  EXPECT_EQ(admitted, 1);
  const std::int64_t spent = Read(backend, rule, kMidMarch).spent_nano_usd;
  EXPECT_GT(spent, kDollar);
  EXPECT_LE(spent - kDollar, 1 * kMilli);
}

TEST(BudgetTest, ConcurrentUnderReservedRequestsOvershootByTheHeadroomNotByConcurrency) {
  // 1000 requests race for $0.01 of headroom with $0.002 reservations and
  // $0.003 real costs: only the 5 that fit are admitted, so the overshoot is
  // their 5 excesses ($0.005), not 1000 of them.
  InProcessBackend backend;
  const BudgetRule rule = Monthly(kDollar, 99 * kCent);
  RaceTally tally;
  EXPECT_EQ(AdmitThenSettleConcurrently(backend, rule, 2 * kMilli, 3 * kMilli, tally), 5);
  const Backend::BudgetState state = Read(backend, rule, kMidMarch);
  EXPECT_EQ(state.spent_nano_usd - kDollar, 5 * kMilli);
  // Spent past the limit: everything is refused until the period ends.
  EXPECT_FALSE(Admit(backend, Request(kMidMarch, rule, 0)).admitted);
}

TEST(BudgetTest, ConcurrentInterleavedUnderReservedRequestsStayWithinTheHeadroomBound) {
  InProcessBackend backend;
  const BudgetRule rule = Monthly(kDollar, 99 * kCent);
  const AdmissionRequest request = Request(kMidMarch, rule, 2 * kMilli);
  RaceTally tally;
  OnThreads([&](int) { return AdmitAndSettle(backend, request, kRequests / kThreads, 3 * kMilli, tally); });
  // At the last admission, the requests in flight held reservations within the
  // headroom left ($0.01 at most, so at most 5 of them), each $0.001 short.
  const Backend::BudgetState state = Read(backend, rule, kMidMarch);
  EXPECT_EQ(state.reserved_nano_usd, 0);
  EXPECT_LE(state.spent_nano_usd - kDollar, 5 * kMilli);
}

// ---- admission arithmetic ---------------------------------------------------

TEST(BudgetTest, AdmitsWhenSpentPlusReservedPlusReservationFitsExactly) {
  InProcessBackend backend;
  const BudgetRule rule = Monthly(kDollar, 90 * kCent);
  const Admission a = Admit(backend, Request(kMidMarch, rule, 6 * kCent));
  ASSERT_TRUE(a.admitted);
  EXPECT_EQ(a.ticket.reserved_nano_usd, 6 * kCent);
  ASSERT_EQ(a.ticket.budgets.size(), 1u);
  EXPECT_TRUE(Admit(backend, Request(kMidMarch, rule, 4 * kCent)).admitted) << "exactly $1.00 committed";
  EXPECT_EQ(Read(backend, rule, kMidMarch).reserved_nano_usd, 10 * kCent);

  const Admission refused = Admit(backend, Request(kMidMarch, rule, 1));
  EXPECT_FALSE(refused.admitted);
  EXPECT_TRUE(refused.budget_exhausted);
  EXPECT_EQ(refused.refused_by, "budget:key:a");
  EXPECT_EQ(refused.reason,
            "budget of $1.00 for this month is exhausted: $1.00 spent or reserved, and this request may cost up to "
            "$0.000000001");

  // Settling below the reservation frees the difference.
  Settle(backend, a.ticket, 1 * kCent);
  EXPECT_EQ(Read(backend, rule, kMidMarch).spent_nano_usd, 91 * kCent);
  EXPECT_EQ(Read(backend, rule, kMidMarch).reserved_nano_usd, 4 * kCent);
  EXPECT_TRUE(Admit(backend, Request(kMidMarch, rule, 5 * kCent)).admitted);
}

TEST(BudgetTest, AnExhaustedBudgetRefusesEvenAZeroReservation) {
  InProcessBackend backend;
  EXPECT_FALSE(Admit(backend, Request(kMidMarch, Monthly(kDollar, kDollar), 0)).admitted);
  BudgetRule almost = Monthly(kDollar, kDollar - 1);
  almost.counter = "budget:key:almost";
  EXPECT_TRUE(Admit(backend, Request(kMidMarch, almost, 0)).admitted)
      << "with anything left, a request that reserves nothing goes through";
  BudgetRule zero = Monthly(0);
  zero.counter = "budget:key:zero";
  EXPECT_FALSE(Admit(backend, Request(kMidMarch, zero, 0)).admitted) << "a zero budget admits nothing";
}

TEST(BudgetTest, RetryAfterIsTheStartOfTheNextPeriod) {
  InProcessBackend backend;
  const Admission monthly =
      Admit(backend, Request(sys_days{2026y / February / 15} + 12h, Monthly(kDollar, kDollar), kCent));
  EXPECT_EQ(monthly.retry_after, 13 * 24h + 12h);

  BudgetRule daily = Monthly(kDollar, kDollar);
  daily.period = Period::kDay;
  daily.counter = "budget:key:daily";
  const Admission day = Admit(backend, Request(kMidMarch + 500ms, daily, kCent));
  EXPECT_EQ(day.retry_after, 15h) << "14 h 59 min 59.5 s, rounded up";
  EXPECT_EQ(day.reason.find("budget of $1.00 for today"), 0u) << day.reason;
}

// ---- soft threshold --------------------------------------------------------

TEST(BudgetTest, SoftThresholdIsReportedOncePerPeriodToTheRequestThatCrossesIt) {
  InProcessBackend backend;
  const BudgetRule rule = Monthly(kDollar, 70 * kCent, /*soft=*/80 * kCent);
  const Admission first = Admit(backend, Request(kMidMarch, rule, 5 * kCent));  // 0.75
  EXPECT_TRUE(first.soft_crossed.empty());
  const Admission second = Admit(backend, Request(kMidMarch, rule, 5 * kCent));  // 0.80
  EXPECT_EQ(second.soft_crossed, std::vector<std::string>{"budget:key:a"});
  const Admission third = Admit(backend, Request(kMidMarch, rule, 5 * kCent));  // 0.85
  EXPECT_TRUE(third.soft_crossed.empty());

  // Settling cheaply drops the commitment below the threshold; crossing it
  // again in the same period is not reported again.
  Settle(backend, first.ticket, kCent);
  Settle(backend, second.ticket, kCent);
  Settle(backend, third.ticket, kCent);
  EXPECT_EQ(Read(backend, rule, kMidMarch).spent_nano_usd, 73 * kCent);
  EXPECT_TRUE(Admit(backend, Request(kMidMarch, rule, 10 * kCent)).soft_crossed.empty());

  // A new period: reported again.
  const auto april = sys_days{2026y / April / 2};
  EXPECT_TRUE(Admit(backend, Request(april, Monthly(kDollar, 0, 80 * kCent), 50 * kCent)).soft_crossed.empty());
  EXPECT_EQ(Admit(backend, Request(april, Monthly(kDollar, 0, 80 * kCent), 30 * kCent)).soft_crossed.size(), 1u);
}

TEST(BudgetTest, ASoftCrossingBySettlementIsReportedToTheNextAdmission) {
  InProcessBackend backend;
  const BudgetRule rule = Monthly(kDollar, 70 * kCent, 80 * kCent);
  const Admission first = Admit(backend, Request(kMidMarch, rule, 5 * kCent));
  EXPECT_TRUE(first.soft_crossed.empty());
  Settle(backend, first.ticket, 20 * kCent);  // cost far more than reserved: $0.90 spent
  EXPECT_EQ(Admit(backend, Request(kMidMarch, rule, kCent)).soft_crossed.size(), 1u);
  EXPECT_TRUE(Admit(backend, Request(kMidMarch, rule, kCent)).soft_crossed.empty());
}

TEST(BudgetTest, ASpendAlreadyPastTheSoftThresholdWhenSeededIsNotReportedAgain) {
  InProcessBackend backend;
  EXPECT_TRUE(Admit(backend, Request(kMidMarch, Monthly(kDollar, 85 * kCent, 80 * kCent), kCent)).soft_crossed.empty());
}

TEST(BudgetTest, ARefusedRequestReportsNoSoftCrossingAndLeavesItForTheNext) {
  InProcessBackend backend;
  BudgetRule soft = Monthly(kDollar, 70 * kCent, 80 * kCent);
  BudgetRule spent = Monthly(kDollar, kDollar);
  spent.counter = "budget:team:t";
  AdmissionRequest both = Request(kMidMarch, soft, 20 * kCent);
  both.budgets.push_back(spent);
  const Admission refused = Admit(backend, both);
  EXPECT_FALSE(refused.admitted);
  EXPECT_TRUE(refused.soft_crossed.empty());
  EXPECT_EQ(Admit(backend, Request(kMidMarch, soft, 20 * kCent)).soft_crossed.size(), 1u);
}

// ---- periods and seeding ---------------------------------------------------

TEST(BudgetTest, ANewMonthStartsFromItsOwnSeed) {
  InProcessBackend backend;
  const Admission refused = Admit(backend, Request(kLastSecondOfJanuary, Monthly(kDollar, 99 * kCent), 2 * kCent));
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.retry_after, 1s);
  EXPECT_EQ(refused.reason,
            "budget of $1.00 for this month is exhausted: $0.99 spent or reserved, and this request may cost up to "
            "$0.02");

  // One second later it is February: the store's rollup for February is 0.
  const Admission admitted = Admit(backend, Request(kFebruaryFirst, Monthly(kDollar, 0), 2 * kCent));
  EXPECT_TRUE(admitted.admitted);
  EXPECT_EQ(Read(backend, Monthly(kDollar), kFebruaryFirst).reserved_nano_usd, 2 * kCent);
  EXPECT_EQ(Read(backend, Monthly(kDollar), kLastSecondOfJanuary).spent_nano_usd, 99 * kCent);
}

TEST(BudgetTest, ANewDayStartsFromItsOwnSeed) {
  InProcessBackend backend;
  BudgetRule daily = Monthly(kDollar, kDollar);
  daily.period = Period::kDay;
  EXPECT_FALSE(Admit(backend, Request(kLastSecondOfJanuary, daily, kCent)).admitted);
  daily.spent_before_nano_usd = 0;
  EXPECT_TRUE(Admit(backend, Request(kFebruaryFirst, daily, kCent)).admitted);
  EXPECT_TRUE(Admit(backend, Request(kFebruaryFirst + 23h, daily, kCent)).admitted);
  EXPECT_EQ(Read(backend, daily, kFebruaryFirst + 12h).reserved_nano_usd, 2 * kCent);
}

TEST(BudgetTest, SpentBeforeSeedsOnlyTheFirstTouchInAPeriod) {
  InProcessBackend backend;
  ASSERT_TRUE(Admit(backend, Request(kMidMarch, Monthly(kDollar, 50 * kCent), 10 * kCent)).admitted);
  // A later request carries a newer rollup (which already includes spend this
  // process counted): ignored, or it would be counted twice.
  ASSERT_TRUE(Admit(backend, Request(kMidMarch, Monthly(kDollar, 90 * kCent), 10 * kCent)).admitted);
  const Backend::BudgetState state = Read(backend, Monthly(kDollar, 90 * kCent), kMidMarch);
  EXPECT_EQ(state.spent_nano_usd, 50 * kCent);
  EXPECT_EQ(state.reserved_nano_usd, 20 * kCent);
}

TEST(BudgetTest, ReadingAnUntouchedBudgetReportsTheSeedAndCreatesNothing) {
  InProcessBackend backend;
  const Backend::BudgetState state = Read(backend, Monthly(kDollar, 42 * kCent), kMidMarch);
  EXPECT_EQ(state.spent_nano_usd, 42 * kCent);
  EXPECT_EQ(state.reserved_nano_usd, 0);
  EXPECT_EQ(backend.CounterCount(), 0u);
}

TEST(BudgetTest, ARequestAdmittedBeforeMidnightSettlesIntoItsOwnPeriod) {
  SystemClock::time_point clock = kFebruaryFirst + 30s;
  InProcessBackend backend(InProcessOptions{.clock = [&] { return clock; }});
  const Admission admitted = Admit(backend, Request(kLastSecondOfJanuary, Monthly(kDollar, 10 * kCent), 5 * kCent));
  ASSERT_TRUE(admitted.admitted);
  Settle(backend, admitted.ticket, 3 * kCent);
  const Backend::BudgetState january = Read(backend, Monthly(kDollar), kLastSecondOfJanuary);
  EXPECT_EQ(january.spent_nano_usd, 13 * kCent);
  EXPECT_EQ(january.reserved_nano_usd, 0);
  EXPECT_EQ(Read(backend, Monthly(kDollar), kFebruaryFirst).spent_nano_usd, 0);
}

TEST(BudgetTest, PastPeriodsAreEvictedAfterTheGrace) {
  InProcessBackend backend;
  for (int i = 0; i < 1000; ++i) {
    BudgetRule rule = Monthly(kDollar);
    rule.counter = "budget:key:" + std::to_string(i);
    ASSERT_TRUE(Admit(backend, Request(kLastSecondOfJanuary, rule, kCent)).admitted);
  }
  EXPECT_EQ(backend.CounterCount(), 1000u);
  backend.SweepAll(kFebruaryFirst + 30min);
  EXPECT_EQ(backend.CounterCount(), 1000u) << "still within the grace: late settlements land";
  backend.SweepAll(kFebruaryFirst + InProcessBackend::kBudgetGrace);
  EXPECT_EQ(backend.CounterCount(), 0u);
}

}  // namespace
}  // namespace strata::limits
