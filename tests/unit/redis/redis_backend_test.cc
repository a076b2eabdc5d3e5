#include "limits/redis/redis_backend.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "limits/in_process_backend.h"
#include "redis/client.h"
#include "redis_server.h"
#include "support/run_coroutine.h"

namespace strata::limits {
namespace {

namespace asio = boost::asio;
using redis::testing::RedisServer;
using std::chrono::milliseconds;
using std::chrono::seconds;
using strata::testing::RunCoroutine;

constexpr std::int64_t kDollar = 1'000'000'000;  // in nano-USD

// 2025-03-31 23:59:00 UTC: a minute before a day and a month end.
SystemClock::time_point BaseTime() {
  using namespace std::chrono;
  return sys_days{year{2025} / March / 31} + hours(23) + minutes(59);
}

AdmissionRequest Request(SystemClock::time_point now) {
  AdmissionRequest request;
  request.now = now;
  return request;
}

class RedisBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!redis::testing::RedisServerInstalled()) {
      GTEST_SKIP() << "redis-server is not installed";
    }
    server_.emplace();
    ASSERT_TRUE(server_->started()) << "redis-server did not start";
  }

  RedisBackendOptions Options() const {
    RedisBackendOptions options;
    options.url = server_->url();
    // Generous: the test machine is small and shared; these tests are not timed.
    options.command_timeout = seconds(10);
    options.connect_timeout = seconds(5);
    options.clock = [this] { return settle_now_; };
    return options;
  }

  std::unique_ptr<Backend> Make() { return MakeRedisBackend(Options()); }

  Admission Admit(Backend& backend, AdmissionRequest request) {
    core::Result<Admission> admission = RunCoroutine(io_, backend.Admit(std::move(request)));
    EXPECT_TRUE(admission) << admission.error().message();
    return admission ? *admission : Admission{};
  }

  void Settle(Backend& backend, Ticket ticket, std::int64_t actual_nano_usd, std::int64_t actual_tokens) {
    RunCoroutine(io_, backend.Settle(std::move(ticket), actual_nano_usd, actual_tokens));
  }

  Backend::BudgetState Read(Backend& backend, const BudgetRule& rule, SystemClock::time_point now) {
    core::Result<Backend::BudgetState> state = RunCoroutine(io_, backend.ReadBudget(rule, now));
    EXPECT_TRUE(state) << state.error().message();
    return state ? *state : Backend::BudgetState{};
  }

  // A raw command to the test's Redis.
  redis::Reply Raw(std::vector<std::string> args) {
    redis::ClientOptions options;
    options.url = server_->url();
    options.command_timeout = seconds(5);
    redis::Client client(io_.get_executor(), options);
    core::Result<redis::Reply> reply = RunCoroutine(io_, client.Command(std::move(args)));
    EXPECT_TRUE(reply) << reply.error().message();
    return reply ? *reply : redis::Reply{};
  }

  std::optional<RedisServer> server_;
  asio::io_context io_;
  SystemClock::time_point settle_now_ = BaseTime();
};

TEST_F(RedisBackendTest, GcraAdmitsExactlyNPerMinuteAcrossTwoNodes) {
  std::unique_ptr<Backend> node_a = Make();
  std::unique_ptr<Backend> node_b = Make();
  const RateRule rule{.counter = "rpm:key:k1", .per_minute = 10, .cost = 1, .header_kind = "requests"};
  const SystemClock::time_point t0 = BaseTime();

  auto try_at = [&](SystemClock::time_point now, int i) {
    AdmissionRequest request = Request(now);
    request.rates = {rule};
    return Admit(i % 2 == 0 ? *node_a : *node_b, request);
  };

  int admitted = 0;
  for (int i = 0; i < 25; ++i) {
    admitted += try_at(t0, i).admitted ? 1 : 0;
  }
  EXPECT_EQ(admitted, 10);  // the whole minute's burst, shared by both nodes

  const Admission refused = try_at(t0, 0);
  ASSERT_FALSE(refused.admitted);
  EXPECT_EQ(refused.refused_by, "rpm:key:k1");
  EXPECT_EQ(refused.reason, "rate limit of 10 requests per minute reached");
  EXPECT_EQ(refused.retry_after, seconds(6));  // one emission interval
  ASSERT_EQ(refused.headers.size(), 1u);
  EXPECT_EQ(refused.headers[0].remaining, 0);
  EXPECT_EQ(refused.headers[0].reset, milliseconds(60'000));

  // One unit comes back every 6 s, not a nanosecond earlier, on either node.
  EXPECT_FALSE(try_at(t0 + seconds(6) - std::chrono::nanoseconds(1), 1).admitted);
  EXPECT_TRUE(try_at(t0 + seconds(6), 1).admitted);
  EXPECT_FALSE(try_at(t0 + seconds(6), 0).admitted);
  // A quiet minute refills the whole burst.
  admitted = 0;
  for (int i = 0; i < 25; ++i) {
    admitted += try_at(t0 + seconds(6 + 60), i).admitted ? 1 : 0;
  }
  EXPECT_EQ(admitted, 10);
}

TEST_F(RedisBackendTest, HeadersReportTheTightestRuleOfEachKind) {
  std::unique_ptr<Backend> backend = Make();
  AdmissionRequest request = Request(BaseTime());
  request.rates = {
      {.counter = "rpm:key:k", .per_minute = 100, .cost = 1, .header_kind = "requests"},
      {.counter = "rpm:team:t", .per_minute = 3, .cost = 1, .header_kind = "requests"},
      {.counter = "tpm:key:k", .per_minute = 60'000, .cost = 500, .header_kind = "tokens"},
  };
  const Admission admission = Admit(*backend, request);
  ASSERT_TRUE(admission.admitted);
  ASSERT_EQ(admission.headers.size(), 2u);
  EXPECT_EQ(admission.headers[0].kind, "requests");
  EXPECT_EQ(admission.headers[0].limit, 3);
  EXPECT_EQ(admission.headers[0].remaining, 2);
  EXPECT_EQ(admission.headers[0].reset, milliseconds(20'000));
  EXPECT_EQ(admission.headers[1].kind, "tokens");
  EXPECT_EQ(admission.headers[1].remaining, 59'500);
  EXPECT_EQ(admission.headers[1].reset, milliseconds(500));
  ASSERT_EQ(admission.ticket.token_rates.size(), 1u);
  EXPECT_EQ(admission.ticket.token_rates[0].counter, "tpm:key:k");
}

TEST_F(RedisBackendTest, ARefusalTakesNothing) {
  std::unique_ptr<Backend> backend = Make();
  const SystemClock::time_point now = BaseTime();
  const BudgetRule budget{.counter = "budget:key:k", .period = Period::kMonth, .limit_nano_usd = kDollar};
  AdmissionRequest request = Request(now);
  request.rates = {{.counter = "rpm:key:k", .per_minute = 5, .cost = 1, .header_kind = "requests"}};
  request.concurrency = {{.counter = "conc:key:k", .max = 3}};
  request.budgets = {budget};
  request.reserve_nano_usd = 2 * kDollar;  // more than the whole budget

  const Admission refused = Admit(*backend, request);
  ASSERT_FALSE(refused.admitted);
  EXPECT_TRUE(refused.budget_exhausted);
  EXPECT_EQ(refused.refused_by, "budget:key:k");
  EXPECT_EQ(refused.reason,
            "budget of $1.00 for this month is exhausted: $0.00 spent or reserved, and this request may cost up "
            "to $2.00");
  EXPECT_EQ(refused.retry_after, seconds(60));  // the month ends in a minute
  ASSERT_EQ(refused.headers.size(), 1u);
  EXPECT_EQ(refused.headers[0].remaining, 5);  // as if the request had not come

  // Nothing was taken: no rate, no slot, no reservation.
  EXPECT_EQ(Raw({"EXISTS", "strata:rate:rpm:key:k", "strata:conc:conc:key:k"}), redis::Reply::Integer(0));
  const Backend::BudgetState state = Read(*backend, budget, now);
  EXPECT_EQ(state.spent_nano_usd, 0);
  EXPECT_EQ(state.reserved_nano_usd, 0);
  request.reserve_nano_usd = kDollar / 2;
  EXPECT_TRUE(Admit(*backend, request).admitted);
  EXPECT_EQ(Raw({"GET", "strata:conc:conc:key:k"}), redis::Reply::Bulk("1"));
}

TEST_F(RedisBackendTest, ConcurrencyIsCappedAcrossNodesAndReleasedOnSettle) {
  std::unique_ptr<Backend> node_a = Make();
  std::unique_ptr<Backend> node_b = Make();
  AdmissionRequest request = Request(BaseTime());
  request.concurrency = {{.counter = "conc:team:t", .max = 2}};

  const Admission first = Admit(*node_a, request);
  const Admission second = Admit(*node_b, request);
  ASSERT_TRUE(first.admitted);
  ASSERT_TRUE(second.admitted);
  const Admission third = Admit(*node_a, request);
  ASSERT_FALSE(third.admitted);
  EXPECT_EQ(third.refused_by, "conc:team:t");
  EXPECT_EQ(third.reason, "concurrency limit of 2 requests in flight reached");
  EXPECT_EQ(third.retry_after, seconds(1));

  Settle(*node_b, first.ticket, 0, -1);  // settled by another node than admitted it: all the same
  EXPECT_TRUE(Admit(*node_b, request).admitted);
  EXPECT_FALSE(Admit(*node_a, request).admitted);
  // The counter carries a TTL, so slots of a node that died come back eventually.
  const redis::Reply ttl = Raw({"PTTL", "strata:conc:conc:team:t"});
  EXPECT_GT(ttl.integer, 0);
}

TEST_F(RedisBackendTest, BudgetsReserveThenSettleTheRealCost) {
  std::unique_ptr<Backend> backend = Make();
  const SystemClock::time_point now = BaseTime();
  settle_now_ = now + seconds(1);
  const BudgetRule budget{.counter = "budget:team:t",
                          .period = Period::kMonth,
                          .limit_nano_usd = 10 * kDollar,
                          .soft_nano_usd = 8 * kDollar,
                          .spent_before_nano_usd = 6 * kDollar};
  AdmissionRequest request = Request(now);
  request.budgets = {budget};
  request.reserve_nano_usd = kDollar;

  // Seeded from spent_before on first touch.
  EXPECT_EQ(Read(*backend, budget, now).spent_nano_usd, 6 * kDollar);
  const Admission first = Admit(*backend, request);
  ASSERT_TRUE(first.admitted);
  EXPECT_TRUE(first.soft_crossed.empty());  // 6 + 1 < 8
  const Admission second = Admit(*backend, request);
  ASSERT_TRUE(second.admitted);
  EXPECT_EQ(second.soft_crossed, std::vector<std::string>{"budget:team:t"});  // 7 + 1 reaches 8
  const Admission third = Admit(*backend, request);
  ASSERT_TRUE(third.admitted);
  EXPECT_TRUE(third.soft_crossed.empty());  // reported once a period
  EXPECT_EQ(Read(*backend, budget, now).reserved_nano_usd, 3 * kDollar);

  // A later spent_before does not re-seed a counter already seen this period.
  BudgetRule reseeded = budget;
  reseeded.spent_before_nano_usd = 0;
  EXPECT_EQ(Read(*backend, reseeded, now).spent_nano_usd, 6 * kDollar);

  Settle(*backend, first.ticket, kDollar / 4, -1);
  Backend::BudgetState state = Read(*backend, budget, now);
  EXPECT_EQ(state.spent_nano_usd, 6 * kDollar + kDollar / 4);
  EXPECT_EQ(state.reserved_nano_usd, 2 * kDollar);
  // A real cost above the reservation goes over, and later requests are refused.
  Settle(*backend, second.ticket, 3 * kDollar, -1);
  Settle(*backend, third.ticket, kDollar, -1);
  state = Read(*backend, budget, now);
  EXPECT_EQ(state.spent_nano_usd, 10 * kDollar + kDollar / 4);
  EXPECT_EQ(state.reserved_nano_usd, 0);
  request.reserve_nano_usd = 0;
  const Admission over = Admit(*backend, request);
  ASSERT_FALSE(over.admitted);
  EXPECT_TRUE(over.budget_exhausted);
}

TEST_F(RedisBackendTest, ConcurrentAdmissionsAtANearlySpentBudgetAdmitExactlyWhatFits) {
  // Two nodes, two io threads each, 250 admissions in flight per thread.
  constexpr int kThreads = 4;
  constexpr int kPerThread = 250;
  constexpr std::int64_t kReserve = 3 * kDollar / 100;  // $0.03 each
  constexpr int kFits = 37;
  std::unique_ptr<Backend> nodes[2] = {Make(), Make()};
  const SystemClock::time_point now = BaseTime();
  const BudgetRule budget{.counter = "budget:key:busy",
                          .period = Period::kDay,
                          .limit_nano_usd = 100 * kDollar,
                          // Room for 37 reservations and a half.
                          .spent_before_nano_usd = 100 * kDollar - kFits * kReserve - kReserve / 2};

  std::atomic<int> admitted{0};
  std::atomic<int> refused{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      asio::io_context io;
      Backend& backend = *nodes[t % 2];
      std::vector<std::future<core::Result<Admission>>> calls;
      for (int i = 0; i < kPerThread; ++i) {
        AdmissionRequest request = Request(now);
        request.budgets = {budget};
        request.reserve_nano_usd = kReserve;
        calls.push_back(asio::co_spawn(io, backend.Admit(std::move(request)), asio::use_future));
      }
      io.run();
      for (auto& call : calls) {
        core::Result<Admission> admission = call.get();
        if (!admission) {
          ++failed;
        } else if (admission->admitted) {
          ++admitted;
        } else {
          ++refused;
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(admitted.load(), kFits);
  EXPECT_EQ(refused.load(), kThreads * kPerThread - kFits);
  const Backend::BudgetState state = Read(*nodes[0], budget, now);
  EXPECT_EQ(state.reserved_nano_usd, kFits * kReserve);
  EXPECT_EQ(state.spent_nano_usd, budget.spent_before_nano_usd);
}

TEST_F(RedisBackendTest, CountersExpireWhenTheyNoLongerMatter) {
  RedisBackendOptions options = Options();
  options.budget_grace = milliseconds(200);
  std::unique_ptr<Backend> backend = MakeRedisBackend(options);
  // 300 ms before the day ends: the day's counter lives 300 ms + 200 ms of grace.
  const SystemClock::time_point now = BaseTime() + seconds(60) - milliseconds(300);
  AdmissionRequest request = Request(now);
  request.budgets = {{.counter = "budget:key:daily", .period = Period::kDay, .limit_nano_usd = kDollar}};
  request.rates = {{.counter = "rpm:key:k", .per_minute = 60, .cost = 1, .header_kind = ""}};
  request.reserve_nano_usd = 1000;
  ASSERT_TRUE(Admit(*backend, request).admitted);

  const std::string budget_key = "strata:budget:budget:key:daily:2025-03-31";
  const redis::Reply budget_ttl = Raw({"PTTL", budget_key});
  EXPECT_GT(budget_ttl.integer, 0);
  EXPECT_LE(budget_ttl.integer, 500);
  // A rate counter lives until its TAT passes (1 s here), plus a second for clock skew.
  const redis::Reply rate_ttl = Raw({"PTTL", "strata:rate:rpm:key:k"});
  EXPECT_GT(rate_ttl.integer, 1000);
  EXPECT_LE(rate_ttl.integer, 2000);

  std::this_thread::sleep_for(milliseconds(700));
  EXPECT_EQ(Raw({"EXISTS", budget_key}), redis::Reply::Integer(0));
  // The next day starts from nothing, with its own key.
  request.now = now + seconds(1);
  ASSERT_TRUE(Admit(*backend, request).admitted);
  EXPECT_EQ(Raw({"EXISTS", "strata:budget:budget:key:daily:2025-04-01"}), redis::Reply::Integer(1));
}

TEST_F(RedisBackendTest, UnreachableRedisIsUnavailable) {
  RedisBackendOptions options = Options();
  options.url = "redis://127.0.0.1:" + std::to_string(redis::testing::FreePort());
  options.connect_timeout = milliseconds(500);
  std::unique_ptr<Backend> backend = MakeRedisBackend(options);
  AdmissionRequest request = Request(BaseTime());
  request.rates = {{.counter = "rpm:key:k", .per_minute = 5, .cost = 1, .header_kind = ""}};
  core::Result<Admission> admission = RunCoroutine(io_, backend->Admit(request));
  ASSERT_FALSE(admission);
  EXPECT_EQ(admission.error().code(), core::ErrorCode::kUnavailable);
  // Settle has no error to return; it must simply not throw or hang.
  Ticket ticket;
  ticket.concurrency_counters = {"conc:key:k"};
  Settle(*backend, ticket, 0, -1);
}

TEST_F(RedisBackendTest, KeepsWorkingAcrossARedisRestart) {
  std::unique_ptr<Backend> backend = Make();
  AdmissionRequest request = Request(BaseTime());
  request.rates = {{.counter = "rpm:key:k", .per_minute = 600, .cost = 1, .header_kind = ""}};
  ASSERT_TRUE(Admit(*backend, request).admitted);
  server_->Stop();
  ASSERT_TRUE(server_->Start());
  // The script cache is gone too: EVALSHA answers NOSCRIPT and the source goes again.
  EXPECT_TRUE(Admit(*backend, request).admitted);
}

// Both backends, fed the same requests at the same times, must answer alike.
TEST_F(RedisBackendTest, DecidesExactlyAsTheInProcessBackend) {
  std::unique_ptr<Backend> redis_backend = Make();
  InProcessOptions in_process_options;
  in_process_options.clock = [this] { return settle_now_; };
  InProcessBackend in_process(in_process_options);

  const std::vector<RateRule> rates = {
      {.counter = "rpm:key:a", .per_minute = 7, .cost = 1, .header_kind = "requests"},
      {.counter = "rpm:team:t", .per_minute = 11, .cost = 1, .header_kind = "requests"},
      {.counter = "tpm:key:a", .per_minute = 5000, .cost = 0, .header_kind = "tokens"},
      {.counter = "misc:x", .per_minute = 3, .cost = 2, .header_kind = ""},
      {.counter = "zero:x", .per_minute = 0, .cost = 1, .header_kind = "requests"},
  };
  const std::vector<ConcurrencyRule> concurrency = {{.counter = "conc:a", .max = 2},
                                                    {.counter = "conc:b", .max = 4}};
  const std::vector<BudgetRule> budgets = {
      {.counter = "budget:a",
       .period = Period::kMonth,
       .limit_nano_usd = 50 * kDollar,
       .soft_nano_usd = 40 * kDollar,
       .spent_before_nano_usd = 30 * kDollar},
      {.counter = "budget:b", .period = Period::kDay, .limit_nano_usd = 20 * kDollar},
  };

  std::mt19937 random(20250331);
  auto chance = [&](int percent) { return static_cast<int>(random() % 100) < percent; };
  SystemClock::time_point now = BaseTime();
  std::vector<std::pair<Ticket, Ticket>> open;  // (redis, in-process) tickets not settled yet
  int admitted = 0;
  int refused = 0;
  bool deep_debt = false;
  int in_deep_debt = 0;  // refusals by a counter in debt beyond a day

  for (int step = 0; step < 600; ++step) {
    now += milliseconds(random() % 2500);
    settle_now_ = now;
    if (!open.empty() && chance(45)) {
      const std::size_t pick = random() % open.size();
      const std::int64_t cost = static_cast<std::int64_t>(random() % (4 * kDollar));
      std::int64_t tokens = chance(20) ? -1 : static_cast<std::int64_t>(random() % 3000);
      if (step > 450 && !deep_debt && !open[pick].second.token_rates.empty()) {
        tokens = 1'000'000'000'000;  // once, late: a debt past the 30-day cap
        deep_debt = true;
      }
      Settle(*redis_backend, open[pick].first, cost, tokens);
      in_process.SettleSync(open[pick].second, cost, tokens);
      open.erase(open.begin() + static_cast<std::ptrdiff_t>(pick));
      continue;
    }
    AdmissionRequest request = Request(now);
    for (const RateRule& rule : rates) {
      if (chance(rule.per_minute == 0 ? 3 : 60)) {
        RateRule picked = rule;
        if (picked.header_kind == "tokens") {
          picked.cost = chance(3) ? 6000 : static_cast<std::int64_t>(random() % 1500);  // sometimes too large
        }
        request.rates.push_back(picked);
        if (chance(5)) {
          request.rates.push_back(picked);  // the same counter twice
        }
      }
    }
    for (const ConcurrencyRule& rule : concurrency) {
      if (chance(50)) {
        request.concurrency.push_back(rule);
      }
    }
    for (const BudgetRule& rule : budgets) {
      if (chance(60)) {
        request.budgets.push_back(rule);
      }
    }
    request.reserve_nano_usd = static_cast<std::int64_t>(random() % (3 * kDollar));

    const Admission got = Admit(*redis_backend, request);
    const Admission want = in_process.AdmitSync(request);
    const std::string where = "step " + std::to_string(step);
    ASSERT_EQ(got.admitted, want.admitted) << where << ": " << want.reason << " / " << got.reason;
    EXPECT_EQ(got.refused_by, want.refused_by) << where;
    EXPECT_EQ(got.reason, want.reason) << where;
    EXPECT_EQ(got.retry_after, want.retry_after) << where;
    EXPECT_EQ(got.budget_exhausted, want.budget_exhausted) << where;
    EXPECT_EQ(got.request_too_large, want.request_too_large) << where;
    EXPECT_EQ(got.soft_crossed, want.soft_crossed) << where;
    ASSERT_EQ(got.headers.size(), want.headers.size()) << where;
    for (std::size_t i = 0; i < got.headers.size(); ++i) {
      EXPECT_EQ(got.headers[i].kind, want.headers[i].kind) << where;
      EXPECT_EQ(got.headers[i].limit, want.headers[i].limit) << where;
      EXPECT_EQ(got.headers[i].remaining, want.headers[i].remaining) << where;
      EXPECT_EQ(got.headers[i].reset, want.headers[i].reset) << where;
    }
    EXPECT_EQ(got.ticket.concurrency_counters, want.ticket.concurrency_counters) << where;
    EXPECT_EQ(got.ticket.reserved_nano_usd, want.ticket.reserved_nano_usd) << where;
    EXPECT_EQ(got.ticket.token_rates.size(), want.ticket.token_rates.size()) << where;
    EXPECT_EQ(got.ticket.period_of, want.ticket.period_of) << where;
    if (got.admitted) {
      ++admitted;
      open.emplace_back(got.ticket, want.ticket);
    } else {
      ++refused;
      in_deep_debt += want.retry_after > std::chrono::hours(24) && !want.budget_exhausted ? 1 : 0;
    }
    if (::testing::Test::HasFailure()) {
      break;
    }
  }
  // The sequence exercised both outcomes, and crossed into April.
  EXPECT_GT(admitted, 50);
  EXPECT_GT(refused, 50);
  EXPECT_GT(in_deep_debt, 0);
  EXPECT_GT(now, BaseTime() + seconds(120));
  for (const BudgetRule& rule : budgets) {
    for (SystemClock::time_point at : {BaseTime(), now}) {
      const Backend::BudgetState got = Read(*redis_backend, rule, at);
      const Backend::BudgetState want = in_process.ReadBudgetSync(rule, at);
      EXPECT_EQ(got.spent_nano_usd, want.spent_nano_usd) << rule.counter;
      EXPECT_EQ(got.reserved_nano_usd, want.reserved_nano_usd) << rule.counter;
    }
  }
}

// Not a check: prints what one typical Admit costs through Redis on loopback
// (two rate rules, a concurrency cap, a budget), one Settle, and a bare PING
// for the round trip's own share.
TEST_F(RedisBackendTest, ReportsTheRoundTripCostOfAnAdmit) {
  std::unique_ptr<Backend> backend = Make();
  constexpr int kCalls = 3000;
  std::vector<double> admit_us;
  std::vector<double> settle_us;
  admit_us.reserve(kCalls);
  settle_us.reserve(kCalls);
  SystemClock::time_point now = BaseTime();
  for (int i = 0; i < kCalls; ++i) {
    now += milliseconds(1);
    AdmissionRequest request = Request(now);
    request.rates = {{.counter = "rpm:key:bench", .per_minute = 1'000'000, .cost = 1, .header_kind = "requests"},
                     {.counter = "tpm:key:bench", .per_minute = 100'000'000, .cost = 800, .header_kind = "tokens"}};
    request.concurrency = {{.counter = "conc:key:bench", .max = 100}};
    request.budgets = {{.counter = "budget:key:bench", .period = Period::kMonth, .limit_nano_usd = 1'000'000 * kDollar}};
    request.reserve_nano_usd = 1000;
    const auto start = std::chrono::steady_clock::now();
    const Admission admission = Admit(*backend, std::move(request));
    const auto admitted = std::chrono::steady_clock::now();
    ASSERT_TRUE(admission.admitted);
    settle_now_ = now;
    Settle(*backend, admission.ticket, 900, 750);
    const auto settled = std::chrono::steady_clock::now();
    admit_us.push_back(std::chrono::duration<double, std::micro>(admitted - start).count());
    settle_us.push_back(std::chrono::duration<double, std::micro>(settled - admitted).count());
  }
  // The floor: a bare PING on the same loopback, through the same client code.
  std::vector<double> ping_us;
  ping_us.reserve(kCalls);
  redis::ClientOptions ping_options;
  ping_options.url = server_->url();
  redis::Client client(io_.get_executor(), ping_options);
  for (int i = 0; i < kCalls; ++i) {
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(RunCoroutine(io_, client.Command({"PING"})));
    ping_us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
  }
  auto percentile = [](std::vector<double> values, double p) {
    std::sort(values.begin(), values.end());
    return values[static_cast<std::size_t>(p * static_cast<double>(values.size() - 1))];
  };
  std::printf(
      "redis backend, %d sequential calls: Admit p50 %.1f us p99 %.1f us; Settle p50 %.1f us p99 %.1f us; "
      "PING p50 %.1f us p99 %.1f us\n",
      kCalls, percentile(admit_us, 0.5), percentile(admit_us, 0.99), percentile(settle_us, 0.5),
      percentile(settle_us, 0.99), percentile(ping_us, 0.5), percentile(ping_us, 0.99));
}

}  // namespace
}  // namespace strata::limits
