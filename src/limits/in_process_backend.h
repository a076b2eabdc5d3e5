#pragma once

// The one-process limits backend (docs/LIMITS.md): counters in memory,
// lock-striped over kShards shards, each a mutex and small hash maps; every
// counter is touched in one short critical section, and no call ever holds
// two shard locks. MakeInProcessBackend() returns one with default options;
// this header is for tests, benchmarks and metrics that need more.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include <boost/container/small_vector.hpp>

#include "limits/limits.h"

namespace strata::limits {

struct InProcessOptions {
  // Settle's clock (admission takes its time from AdmissionRequest::now).
  // Settle uses max(clock(), ticket.period_of). Default: SystemClock::now.
  std::function<SystemClock::time_point()> clock;
  // One shard is swept for stale counters every `sweep_every` admissions, so a
  // full pass over every shard takes sweep_every * kShards admissions. >= 1.
  std::uint32_t sweep_every = 64;
};

// Thread-safe: one instance serves every io thread. Admit and Settle never
// block on anything but a shard's mutex, held for a few map operations.
class InProcessBackend final : public Backend {
 public:
  static constexpr std::size_t kShards = 64;
  // A past period's budget counter is kept this long after the period ends, so
  // that requests admitted just before the boundary still settle into it.
  static constexpr std::chrono::hours kBudgetGrace{1};

  explicit InProcessBackend(InProcessOptions options = {});
  ~InProcessBackend() override;
  InProcessBackend(const InProcessBackend&) = delete;
  InProcessBackend& operator=(const InProcessBackend&) = delete;

  boost::asio::awaitable<core::Result<Admission>> Admit(AdmissionRequest request) override;
  boost::asio::awaitable<void> Settle(Ticket ticket, std::int64_t actual_nano_usd, std::int64_t actual_tokens) override;
  boost::asio::awaitable<core::Result<BudgetState>> ReadBudget(const BudgetRule& rule,
                                                               SystemClock::time_point now) override;

  // The same work as the awaitables, for callers that are not coroutines.
  Admission AdmitSync(const AdmissionRequest& request);
  void SettleSync(const Ticket& ticket, std::int64_t actual_nano_usd, std::int64_t actual_tokens);
  BudgetState ReadBudgetSync(const BudgetRule& rule, SystemClock::time_point now) const;

  // Counters held now, of every kind (rate, concurrency, budget).
  std::size_t CounterCount() const;
  // Drops stale counters from every shard now (admissions do it a shard at a time).
  void SweepAll(SystemClock::time_point now);

 private:
  struct Shard;
  struct Taken {
    enum class Kind { kRate, kConcurrency, kBudget } kind;
    std::size_t rule = 0;   // index into the request's vector of that kind
    bool set_soft = false;  // this request set the budget's soft_reported flag
  };
  using TakenList = boost::container::small_vector<Taken, 8>;  // what Admit took so far

  Shard& ShardFor(std::string_view counter) const;
  void Sweep(Shard& shard, std::int64_t now_ns);
  void MaybeSweep(std::int64_t now_ns);
  void RollBack(const AdmissionRequest& request, const TakenList& taken, std::int64_t now_ns);
  void PeekHeaders(const AdmissionRequest& request, std::int64_t now_ns, std::vector<RateHeader>& out) const;

  InProcessOptions options_;
  std::unique_ptr<Shard[]> shards_;
  std::atomic<std::uint64_t> admissions_{0};
};

}  // namespace strata::limits
