#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/result.h"

namespace strata::limits {

using SystemClock = std::chrono::system_clock;

// A rate over a minute, enforced with GCRA (docs/LIMITS.md): `per_minute`
// units spread evenly, with a burst of up to a whole minute's worth at once.
struct RateRule {
  std::string counter;          // unique name of what is counted, e.g. "rpm:key:key_123"
  std::int64_t per_minute = 0;  // > 0
  std::int64_t cost = 1;        // units this request takes now (1 request, or estimated tokens)
  // Which x-ratelimit-* headers this rule feeds: "requests", "tokens", or ""
  // for none. When several rules feed the same kind, the tightest one (least
  // remaining) is reported. A "tokens" rule is also a token rule: `cost` is
  // an estimate that Settle trues up with the actual tokens.
  std::string header_kind;
};

// At most `max` requests of a scope in flight at once.
struct ConcurrencyRule {
  std::string counter;  // e.g. "conc:team:team_9"
  std::int64_t max = 0;  // > 0
};

enum class Period { kDay, kMonth };  // calendar-aligned, UTC

// A hard budget over the current period: admitted only when spent + reserved
// + this request's reservation stays within `limit_nano_usd` (a reservation of
// 0 counts as 1 here, so an exhausted budget admits nothing). Reservations are
// worst cases, so concurrency cannot push spend past the limit; only requests
// whose real cost exceeds their reservation can, each by its own excess
// (docs/LIMITS.md).
struct BudgetRule {
  std::string counter;  // e.g. "budget:key:key_123" (the period is added by the ledger)
  Period period = Period::kMonth;
  std::int64_t limit_nano_usd = 0;
  std::int64_t soft_nano_usd = 0;  // crossing it is reported (alert), not refused; 0: none
  // What the scope had spent in this period before this process counted
  // (from the store's spend rollup). Used the first time the counter is seen
  // in a period; ignored afterwards.
  std::int64_t spent_before_nano_usd = 0;
};

// Everything one request asks for, granted all together or not at all.
struct AdmissionRequest {
  std::vector<RateRule> rates;
  std::vector<ConcurrencyRule> concurrency;
  std::vector<BudgetRule> budgets;
  std::int64_t reserve_nano_usd = 0;  // the request's worst-case cost, reserved on every budget
  SystemClock::time_point now = SystemClock::now();
};

// What the x-ratelimit-* headers say for one kind ("requests" or "tokens"),
// OpenAI's naming: x-ratelimit-limit-requests, -remaining-requests, -reset-requests.
struct RateHeader {
  std::string kind;
  std::int64_t limit = 0;
  std::int64_t remaining = 0;
  std::chrono::milliseconds reset{0};  // until the bucket is full again
};

// Proof of an admission; hand it back to Settle exactly once.
struct Ticket {
  std::vector<std::string> concurrency_counters;  // to release
  std::vector<BudgetRule> budgets;                 // reserved on
  std::int64_t reserved_nano_usd = 0;
  std::vector<RateRule> token_rates;  // token rules charged at admission, to true up
  SystemClock::time_point period_of{};  // the time the budgets' periods were taken at
};

struct Admission {
  bool admitted = false;
  // When refused: which counter refused, why (for the error message), and
  // when to retry (rates and concurrency: when a unit frees up, at least 1 s;
  // budgets: the start of the next period).
  std::string refused_by;
  std::string reason;
  std::chrono::seconds retry_after{0};
  bool budget_exhausted = false;  // a budget refused: retrying soon will not help
  // A rate rule refused a cost larger than its whole per-minute limit: this
  // request can never be admitted, however long it waits.
  bool request_too_large = false;
  std::vector<RateHeader> headers;
  // Budgets whose soft threshold this request's reservation crossed: the first
  // request to reach it in a period, once (a refused request reports nothing).
  std::vector<std::string> soft_crossed;
  Ticket ticket;  // when admitted
};

// Counts for every Strata node that shares a backend: in-process (one node)
// or Redis (many). Implementations are thread-safe; calls never block an io
// thread (the Redis backend awaits the network).
class Backend {
 public:
  virtual ~Backend() = default;

  // Checks every rule and, only if all pass, takes them all: rate units,
  // concurrency slots, and the reservation on every budget. A refusal takes
  // nothing. Errors only when the backend cannot answer (Redis down):
  // kUnavailable; the caller chooses to fail open or closed.
  virtual boost::asio::awaitable<core::Result<Admission>> Admit(AdmissionRequest request) = 0;

  // Ends an admitted request: releases its concurrency slots, replaces its
  // budget reservation with the real cost (which may exceed the reservation:
  // then the spend goes over, and later requests are refused), and charges
  // token rules the difference between `actual_tokens` and what admission
  // charged (never refused, may push the rule into debt). `actual_tokens` < 0
  // means unknown: the admission's estimate stands. The spend lands in the
  // budget period of ticket.period_of, even if a new period began since.
  virtual boost::asio::awaitable<void> Settle(Ticket ticket, std::int64_t actual_nano_usd,
                                              std::int64_t actual_tokens) = 0;

  // Spend counted so far in the current period of `counter` (spent + reserved
  // are reported separately), for the admin API and metrics.
  struct BudgetState {
    std::int64_t spent_nano_usd = 0;
    std::int64_t reserved_nano_usd = 0;
  };
  virtual boost::asio::awaitable<core::Result<BudgetState>> ReadBudget(const BudgetRule& rule,
                                                                       SystemClock::time_point now) = 0;
};

// One process: lock-striped counters in memory, lost on restart (budgets are
// re-seeded from the spend rollup through spent_before_nano_usd).
std::unique_ptr<Backend> MakeInProcessBackend();

// The start of the period containing `now`, and of the next one (UTC).
SystemClock::time_point PeriodStart(Period period, SystemClock::time_point now);
SystemClock::time_point NextPeriodStart(Period period, SystemClock::time_point now);

}  // namespace strata::limits
