#include "limits/in_process_backend.h"

#include <algorithm>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "limits/gcra.h"
#include "limits/internal/decision_text.h"

namespace strata::limits {

namespace {

using namespace internal;
using std::chrono::duration_cast;
using std::chrono::nanoseconds;

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct RateCounter {
  std::int64_t tat_ns = 0;
  std::int64_t window_ns = 0;  // L * T when last touched: the sweep's grace
};

struct BudgetCounter {
  std::int64_t spent = 0;
  std::int64_t reserved = 0;
  std::int64_t period_end_ns = 0;
  bool soft_reported = false;  // the soft threshold was crossed in this period
};

// Budget counters are keyed by (counter, period start). The view form lets a
// lookup go without building a string.
struct BudgetKeyView {
  std::string_view counter;
  std::int64_t period_start_ns = 0;
};
struct BudgetKey {
  std::string counter;
  std::int64_t period_start_ns = 0;
  operator BudgetKeyView() const { return {counter, period_start_ns}; }
};
struct BudgetKeyHash {
  using is_transparent = void;
  std::size_t operator()(BudgetKeyView key) const {
    return std::hash<std::string_view>{}(key.counter) ^
           (std::hash<std::int64_t>{}(key.period_start_ns) * 0x9e3779b97f4a7c15ULL);
  }
  std::size_t operator()(const BudgetKey& key) const { return (*this)(BudgetKeyView(key)); }
};
struct BudgetKeyEqual {
  using is_transparent = void;
  static BudgetKeyView View(BudgetKeyView key) { return key; }
  static BudgetKeyView View(const BudgetKey& key) { return key; }
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    const BudgetKeyView x = View(a);
    const BudgetKeyView y = View(b);
    return x.period_start_ns == y.period_start_ns && x.counter == y.counter;
  }
};

}  // namespace

// Aligned so that two shards never share a cache line (false sharing between threads).
struct alignas(64) InProcessBackend::Shard {
  mutable std::mutex mutex;
  std::unordered_map<std::string, RateCounter, StringHash, std::equal_to<>> rates;
  std::unordered_map<std::string, std::int64_t, StringHash, std::equal_to<>> in_flight;
  std::unordered_map<BudgetKey, BudgetCounter, BudgetKeyHash, BudgetKeyEqual> budgets;
};

InProcessBackend::InProcessBackend(InProcessOptions options)
    : options_(std::move(options)), shards_(std::make_unique<Shard[]>(kShards)) {
  if (!options_.clock) {
    options_.clock = [] { return SystemClock::now(); };
  }
  options_.sweep_every = std::max<std::uint32_t>(1, options_.sweep_every);
}

InProcessBackend::~InProcessBackend() = default;

InProcessBackend::Shard& InProcessBackend::ShardFor(std::string_view counter) const {
  return shards_[std::hash<std::string_view>{}(counter) % kShards];
}

Admission InProcessBackend::AdmitSync(const AdmissionRequest& request) {
  const std::int64_t now_ns = ToNanos(request.now);
  MaybeSweep(now_ns);
  const std::int64_t reservation = std::max<std::int64_t>(0, request.reserve_nano_usd);

  Admission out;
  TakenList taken;
  out.headers.reserve(request.rates.size());
  auto refuse = [&](std::string_view counter, std::string reason, std::chrono::seconds retry_after) {
    RollBack(request, taken, now_ns);
    out.admitted = false;
    out.refused_by = std::string(counter);
    out.reason = std::move(reason);
    out.retry_after = retry_after;
    out.headers.clear();
    PeekHeaders(request, now_ns, out.headers);
    out.soft_crossed.clear();
    return out;
  };

  // Rates, then concurrency, then budgets: a budget reservation is the
  // costliest thing to hold briefly and hand back (it can make a concurrent
  // request near the limit refuse), so it is taken last.
  for (std::size_t i = 0; i < request.rates.size(); ++i) {
    const RateRule& rule = request.rates[i];
    if (rule.per_minute <= 0) {
      return refuse(rule.counter, "rate limit of 0 " + UnitsOf(rule) + " per minute", std::chrono::seconds(60));
    }
    const std::int64_t per_minute = ClampPerMinute(rule.per_minute);
    const std::int64_t cost = std::max<std::int64_t>(0, rule.cost);
    GcraDecision decision;
    {
      Shard& shard = ShardFor(rule.counter);
      std::lock_guard lock(shard.mutex);
      auto it = shard.rates.find(std::string_view(rule.counter));
      decision = GcraAdmit(it == shard.rates.end() ? now_ns : it->second.tat_ns, now_ns, per_minute, cost);
      if (decision.admitted && cost > 0) {
        const RateCounter value{decision.new_tat_ns, per_minute * GcraEmissionInterval(per_minute)};
        if (it == shard.rates.end()) {
          shard.rates.emplace(rule.counter, value);
        } else {
          it->second = value;
        }
      }
    }
    if (decision.too_large) {
      out.request_too_large = true;
      return refuse(rule.counter,
                    "this request needs " + std::to_string(cost) + " " + UnitsOf(rule) + ", more than the limit of " +
                        std::to_string(per_minute) + " " + UnitsOf(rule) + " per minute allows",
                    std::chrono::seconds(60));
    }
    if (!decision.admitted) {
      return refuse(rule.counter,
                    "rate limit of " + std::to_string(per_minute) + " " + UnitsOf(rule) + " per minute reached",
                    RetryAfterFromNanos(decision.retry_after_ns));
    }
    if (cost > 0) {
      taken.push_back({Taken::Kind::kRate, i});
    }
    if (!rule.header_kind.empty()) {
      KeepTightest(out.headers, {rule.header_kind, per_minute, decision.remaining, MillisRoundedUp(decision.reset_ns)});
    }
  }

  for (std::size_t i = 0; i < request.concurrency.size(); ++i) {
    const ConcurrencyRule& rule = request.concurrency[i];
    bool admitted = false;
    {
      Shard& shard = ShardFor(rule.counter);
      std::lock_guard lock(shard.mutex);
      auto it = shard.in_flight.find(std::string_view(rule.counter));
      const std::int64_t count = it == shard.in_flight.end() ? 0 : it->second;
      if (count < rule.max) {
        admitted = true;
        if (it == shard.in_flight.end()) {
          shard.in_flight.emplace(rule.counter, 1);
        } else {
          ++it->second;
        }
      }
    }
    if (!admitted) {
      return refuse(
          rule.counter,
          "concurrency limit of " + std::to_string(std::max<std::int64_t>(0, rule.max)) + " requests in flight reached",
          std::chrono::seconds(1));
    }
    taken.push_back({Taken::Kind::kConcurrency, i});
  }

  for (std::size_t i = 0; i < request.budgets.size(); ++i) {
    const BudgetRule& rule = request.budgets[i];
    const std::int64_t period_start = ToNanos(PeriodStart(rule.period, request.now));
    bool admitted = false;
    bool set_soft = false;
    std::int64_t committed = 0;  // spent + reserved, as this request found it
    {
      Shard& shard = ShardFor(rule.counter);
      std::lock_guard lock(shard.mutex);
      auto it = shard.budgets.find(BudgetKeyView{rule.counter, period_start});
      if (it == shard.budgets.end()) {
        // First touch in this period: seed from what the store had counted.
        const std::int64_t seed = std::max<std::int64_t>(0, rule.spent_before_nano_usd);
        BudgetCounter fresh{.spent = seed,
                            .reserved = 0,
                            .period_end_ns = ToNanos(NextPeriodStart(rule.period, request.now)),
                            .soft_reported = rule.soft_nano_usd > 0 && seed >= rule.soft_nano_usd};
        it = shard.budgets.emplace(BudgetKey{rule.counter, period_start}, fresh).first;
      }
      BudgetCounter& counter = it->second;
      committed = counter.spent + counter.reserved;
      // max(reservation, 1): an exhausted budget admits nothing, not even a
      // request that reserves 0.
      if (std::max<std::int64_t>(reservation, 1) <= rule.limit_nano_usd - committed) {
        admitted = true;
        counter.reserved += reservation;
        if (rule.soft_nano_usd > 0 && !counter.soft_reported && committed + reservation >= rule.soft_nano_usd) {
          counter.soft_reported = true;
          set_soft = true;
        }
      }
    }
    if (!admitted) {
      out.budget_exhausted = true;
      const std::int64_t until_next = ToNanos(NextPeriodStart(rule.period, request.now)) - now_ns;
      return refuse(rule.counter,
                    "budget of " + FormatUsd(rule.limit_nano_usd) + " for " + std::string(PeriodName(rule.period)) +
                        " is exhausted: " + FormatUsd(committed) +
                        " spent or reserved, and this request may cost up to " + FormatUsd(reservation),
                    RetryAfterFromNanos(until_next));
    }
    taken.push_back({Taken::Kind::kBudget, i, set_soft});
    if (set_soft) {
      out.soft_crossed.push_back(rule.counter);
    }
  }

  // Admitted: write the ticket.
  out.admitted = true;
  Ticket& ticket = out.ticket;
  ticket.concurrency_counters.reserve(request.concurrency.size());
  for (const ConcurrencyRule& rule : request.concurrency) {
    ticket.concurrency_counters.push_back(rule.counter);
  }
  ticket.budgets = request.budgets;
  ticket.reserved_nano_usd = request.budgets.empty() ? 0 : reservation;
  for (const RateRule& rule : request.rates) {
    if (rule.header_kind == "tokens") {
      ticket.token_rates.push_back(rule);
    }
  }
  ticket.period_of = request.now;
  return out;
}

void InProcessBackend::RollBack(const AdmissionRequest& request, const TakenList& taken, std::int64_t now_ns) {
  const std::int64_t reservation = std::max<std::int64_t>(0, request.reserve_nano_usd);
  for (auto t = taken.rbegin(); t != taken.rend(); ++t) {
    switch (t->kind) {
      case Taken::Kind::kRate: {
        const RateRule& rule = request.rates[t->rule];
        Shard& shard = ShardFor(rule.counter);
        std::lock_guard lock(shard.mutex);
        auto it = shard.rates.find(std::string_view(rule.counter));
        if (it != shard.rates.end()) {
          // Subtraction commutes with what other requests did meanwhile.
          it->second.tat_ns = GcraCharge(it->second.tat_ns, now_ns, ClampPerMinute(rule.per_minute),
                                         -std::max<std::int64_t>(0, rule.cost));
        }
        break;
      }
      case Taken::Kind::kConcurrency: {
        const ConcurrencyRule& rule = request.concurrency[t->rule];
        Shard& shard = ShardFor(rule.counter);
        std::lock_guard lock(shard.mutex);
        auto it = shard.in_flight.find(std::string_view(rule.counter));
        if (it != shard.in_flight.end() && --it->second <= 0) {
          shard.in_flight.erase(it);
        }
        break;
      }
      case Taken::Kind::kBudget: {
        const BudgetRule& rule = request.budgets[t->rule];
        const std::int64_t period_start = ToNanos(PeriodStart(rule.period, request.now));
        Shard& shard = ShardFor(rule.counter);
        std::lock_guard lock(shard.mutex);
        auto it = shard.budgets.find(BudgetKeyView{rule.counter, period_start});
        if (it != shard.budgets.end()) {
          it->second.reserved = std::max<std::int64_t>(0, it->second.reserved - reservation);
          if (t->set_soft) {
            it->second.soft_reported = false;  // a later request that crosses reports it
          }
        }
        break;
      }
    }
  }
}

void InProcessBackend::PeekHeaders(const AdmissionRequest& request, std::int64_t now_ns,
                                   std::vector<RateHeader>& out) const {
  for (const RateRule& rule : request.rates) {
    if (rule.header_kind.empty() || rule.per_minute <= 0) {
      continue;
    }
    const std::int64_t per_minute = ClampPerMinute(rule.per_minute);
    std::int64_t tat = now_ns;
    {
      Shard& shard = ShardFor(rule.counter);
      std::lock_guard lock(shard.mutex);
      auto it = shard.rates.find(std::string_view(rule.counter));
      if (it != shard.rates.end()) {
        tat = it->second.tat_ns;
      }
    }
    const GcraDecision peek = GcraAdmit(tat, now_ns, per_minute, 0);
    KeepTightest(out, {rule.header_kind, per_minute, peek.remaining, MillisRoundedUp(peek.reset_ns)});
  }
}

void InProcessBackend::SettleSync(const Ticket& ticket, std::int64_t actual_nano_usd, std::int64_t actual_tokens) {
  const std::int64_t now_ns = std::max(ToNanos(options_.clock()), ToNanos(ticket.period_of));

  for (const std::string& counter : ticket.concurrency_counters) {
    Shard& shard = ShardFor(counter);
    std::lock_guard lock(shard.mutex);
    auto it = shard.in_flight.find(std::string_view(counter));
    if (it != shard.in_flight.end() && --it->second <= 0) {
      shard.in_flight.erase(it);
    }
  }

  const std::int64_t actual = std::max<std::int64_t>(0, actual_nano_usd);
  for (const BudgetRule& rule : ticket.budgets) {
    // The period the reservation was made in, even if a new one began since.
    const std::int64_t period_start = ToNanos(PeriodStart(rule.period, ticket.period_of));
    Shard& shard = ShardFor(rule.counter);
    std::lock_guard lock(shard.mutex);
    auto it = shard.budgets.find(BudgetKeyView{rule.counter, period_start});
    if (it == shard.budgets.end()) {
      continue;  // swept: the period ended more than kBudgetGrace ago
    }
    it->second.reserved = std::max<std::int64_t>(0, it->second.reserved - ticket.reserved_nano_usd);
    it->second.spent = GcraSaturatingAdd(it->second.spent, actual);
  }

  if (actual_tokens < 0) {
    return;  // unknown: the admission's estimate stands
  }
  for (const RateRule& rule : ticket.token_rates) {
    if (rule.per_minute <= 0) {
      continue;
    }
    const std::int64_t delta = actual_tokens - std::max<std::int64_t>(0, rule.cost);
    if (delta == 0) {
      continue;
    }
    const std::int64_t per_minute = ClampPerMinute(rule.per_minute);
    Shard& shard = ShardFor(rule.counter);
    std::lock_guard lock(shard.mutex);
    auto it = shard.rates.find(std::string_view(rule.counter));
    const std::int64_t tat =
        GcraCharge(it == shard.rates.end() ? now_ns : it->second.tat_ns, now_ns, per_minute, delta);
    if (it != shard.rates.end()) {
      it->second.tat_ns = tat;
    } else if (tat > now_ns) {
      shard.rates.emplace(rule.counter, RateCounter{tat, per_minute * GcraEmissionInterval(per_minute)});
    }
  }
}

Backend::BudgetState InProcessBackend::ReadBudgetSync(const BudgetRule& rule, SystemClock::time_point now) const {
  const std::int64_t period_start = ToNanos(PeriodStart(rule.period, now));
  Shard& shard = ShardFor(rule.counter);
  std::lock_guard lock(shard.mutex);
  auto it = shard.budgets.find(BudgetKeyView{rule.counter, period_start});
  if (it == shard.budgets.end()) {
    return {.spent_nano_usd = std::max<std::int64_t>(0, rule.spent_before_nano_usd), .reserved_nano_usd = 0};
  }
  return {.spent_nano_usd = it->second.spent, .reserved_nano_usd = it->second.reserved};
}

boost::asio::awaitable<core::Result<Admission>> InProcessBackend::Admit(AdmissionRequest request) {
  co_return AdmitSync(request);
}

boost::asio::awaitable<void> InProcessBackend::Settle(Ticket ticket, std::int64_t actual_nano_usd,
                                                      std::int64_t actual_tokens) {
  SettleSync(ticket, actual_nano_usd, actual_tokens);
  co_return;
}

boost::asio::awaitable<core::Result<Backend::BudgetState>> InProcessBackend::ReadBudget(const BudgetRule& rule,
                                                                                        SystemClock::time_point now) {
  co_return ReadBudgetSync(rule, now);
}

void InProcessBackend::MaybeSweep(std::int64_t now_ns) {
  const std::uint64_t n = admissions_.fetch_add(1, std::memory_order_relaxed) + 1;
  if (n % options_.sweep_every == 0) {
    Sweep(shards_[(n / options_.sweep_every) % kShards], now_ns);
  }
}

void InProcessBackend::Sweep(Shard& shard, std::int64_t now_ns) {
  const std::int64_t budget_grace_ns = duration_cast<nanoseconds>(kBudgetGrace).count();
  std::lock_guard lock(shard.mutex);
  // A rate counter whose TAT is past is full, the same as absent; the extra
  // window of grace spares a busy counter from being dropped and re-made.
  std::erase_if(shard.rates, [&](const auto& entry) {
    return GcraSaturatingAdd(entry.second.tat_ns, entry.second.window_ns) < now_ns;
  });
  std::erase_if(shard.budgets,
                [&](const auto& entry) { return entry.second.period_end_ns + budget_grace_ns <= now_ns; });
  // Concurrency counters are erased when they fall to 0; nothing to sweep.
}

void InProcessBackend::SweepAll(SystemClock::time_point now) {
  for (std::size_t i = 0; i < kShards; ++i) {
    Sweep(shards_[i], ToNanos(now));
  }
}

std::size_t InProcessBackend::CounterCount() const {
  std::size_t count = 0;
  for (std::size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    count += shards_[i].rates.size() + shards_[i].in_flight.size() + shards_[i].budgets.size();
  }
  return count;
}

std::unique_ptr<Backend> MakeInProcessBackend() { return std::make_unique<InProcessBackend>(); }

}  // namespace strata::limits
