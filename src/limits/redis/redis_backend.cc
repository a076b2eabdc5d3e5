#include "limits/redis/redis_backend.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/this_coro.hpp>

#include "limits/gcra.h"
#include "limits/internal/decision_text.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "redis/client.h"

namespace strata::limits {
namespace {

namespace asio = boost::asio;
using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using namespace internal;

// The deepest debt, as in-process: offsets from `now` stay within it, which is
// below 2^53 ns, so Lua's doubles hold every offset exactly.
static_assert(kGcraMaxAheadNs < (std::int64_t{1} << 53));
constexpr std::string_view kMaxAheadPlaceholder = "@MAX_AHEAD_NS@";

// ---- the scripts (docs/REDIS.md explains them) ----

// Shared by both scripts. A TAT is stored as decimal nanoseconds since the
// epoch; Lua 5.1 numbers are doubles, exact only below 2^53, so it is read in
// two parts (seconds, nanoseconds) and handled as an offset from now.
constexpr std::string_view kPrelude = R"lua(
local now_s = tonumber(ARGV[1])
local now_n = tonumber(ARGV[2])
local CAP = @MAX_AHEAD_NS@

local function ahead(v)
  if not v then return 0 end
  local len = string.len(v)
  local s, n = 0, tonumber(v)
  if len > 9 then
    s = tonumber(string.sub(v, 1, len - 9))
    n = tonumber(string.sub(v, len - 8))
  end
  local d = (s - now_s) * 1e9 + (n - now_n)
  if d <= 0 then return 0 end
  if d > CAP then return CAP end
  return d
end

local function store_tat(key, off)
  local total = now_n + off
  local carry = math.floor(total / 1e9)
  local n = total - carry * 1e9
  if n < 0 then
    carry = carry - 1
    n = n + 1e9
  elseif n >= 1e9 then
    carry = carry + 1
    n = n - 1e9
  end
  redis.call('SET', key, string.format('%d%09d', now_s + carry, n),
             'PX', string.format('%d', math.ceil(off / 1e6) + 1000))
end
)lua";

// KEYS: rate keys, concurrency keys, budget keys.
// ARGV: now_s, now_ns, #rates, #concurrency, #budgets, reservation,
//   concurrency ttl ms, then per rate: cost*T (-1: refuse), W;
//   per concurrency rule: max; per budget: limit, seed, soft, ttl ms.
// Returns {admitted, refused kind (1 rate, 2 concurrency, 3 budget), refused
//   index (1-based), per rate: offset seen, offset stored; per budget:
//   spent+reserved seen, soft threshold crossed}.
constexpr std::string_view kAdmitBody = R"lua(
local nr = tonumber(ARGV[3])
local nc = tonumber(ARGV[4])
local nb = tonumber(ARGV[5])
local reserve = tonumber(ARGV[6])
local conc_ttl = ARGV[7]
local a = 8
local out = {1, 0, 0}
local refused = false

-- Each rule is decided against this script's view, which includes what the
-- rules before it took: nothing is written until every rule has passed.
local rate_view = {}
for i = 1, nr do
  local key = KEYS[i]
  local ct = tonumber(ARGV[a])
  local w = tonumber(ARGV[a + 1])
  a = a + 2
  local stored = ahead(redis.call('GET', key))
  local seen = rate_view[key] or stored
  out[#out + 1] = seen
  out[#out + 1] = stored
  if not refused then
    if ct < 0 or seen + ct > w then
      refused = true
      out[1] = 0; out[2] = 1; out[3] = i
    elseif ct > 0 then
      rate_view[key] = math.min(seen + ct, CAP)
    end
  end
end

local conc_view = {}
for j = 1, nc do
  local key = KEYS[nr + j]
  local max = tonumber(ARGV[a])
  a = a + 1
  if not refused then
    local count = conc_view[key] or tonumber(redis.call('GET', key) or '0')
    if count < max then
      conc_view[key] = count + 1
    else
      refused = true
      out[1] = 0; out[2] = 2; out[3] = j
    end
  end
end

local budget_view = {}
local touched = {}
for k = 1, nb do
  local key = KEYS[nr + nc + k]
  local limit = tonumber(ARGV[a])
  local seed = tonumber(ARGV[a + 1])
  local soft = tonumber(ARGV[a + 2])
  local ttl = ARGV[a + 3]
  a = a + 4
  local committed, crossed = 0, 0
  if not refused then
    local b = budget_view[key]
    if not b then
      local v = redis.call('HMGET', key, 'spent', 'reserved', 'soft')
      if v[1] then
        b = {spent = tonumber(v[1]), reserved = tonumber(v[2] or '0'), soft = (v[3] == '1'), fresh = false}
      else
        b = {spent = seed, reserved = 0, soft = (soft > 0 and seed >= soft), fresh = true}
      end
      b.seed = seed
      b.seed_soft = b.soft
      b.add = 0
      b.ttl = ttl
      budget_view[key] = b
      touched[#touched + 1] = key
    end
    committed = b.spent + b.reserved
    if math.max(reserve, 1) <= limit - committed then
      b.reserved = b.reserved + reserve
      b.add = b.add + reserve
      if soft > 0 and not b.soft and committed + reserve >= soft then
        b.soft = true
        crossed = 1
      end
    else
      refused = true
      out[1] = 0; out[2] = 3; out[3] = k
    end
  end
  out[#out + 1] = committed
  out[#out + 1] = crossed
end

local function seed_budget(key, b, soft_flag)
  if b.fresh then
    redis.call('HSET', key, 'spent', string.format('%d', b.seed), 'reserved', '0')
  end
  if soft_flag then
    redis.call('HSET', key, 'soft', '1')
  end
  redis.call('PEXPIRE', key, b.ttl)
end

if refused then
  -- Budgets reached before the refusal are seeded all the same (first touch).
  for _, key in ipairs(touched) do
    local b = budget_view[key]
    if b.fresh then
      seed_budget(key, b, b.seed_soft)
    end
  end
  return out
end

for key, off in pairs(rate_view) do
  store_tat(key, off)
end
for key, count in pairs(conc_view) do
  redis.call('SET', key, string.format('%d', count), 'PX', conc_ttl)
end
for _, key in ipairs(touched) do
  local b = budget_view[key]
  seed_budget(key, b, b.soft)
  if b.add > 0 then
    redis.call('HINCRBY', key, 'reserved', string.format('%d', b.add))
  end
end
return out
)lua";

// KEYS: concurrency keys, budget keys, token rate keys.
// ARGV: now_s, now_ns, #concurrency, #budgets, #token rates, reserved,
//   actual cost, then per token rate: (actual - charged) * T, in ns.
constexpr std::string_view kSettleBody = R"lua(
local nc = tonumber(ARGV[3])
local nb = tonumber(ARGV[4])
local nt = tonumber(ARGV[5])
local reserved = tonumber(ARGV[6])
local actual = ARGV[7]

for i = 1, nc do
  local key = KEYS[i]
  local count = tonumber(redis.call('GET', key) or '0')
  if count <= 1 then
    redis.call('DEL', key)
  else
    redis.call('DECR', key)
  end
end

for k = 1, nb do
  local key = KEYS[nc + k]
  -- Gone: the period ended more than the grace ago; nothing to settle into.
  if redis.call('EXISTS', key) == 1 then
    local held = tonumber(redis.call('HGET', key, 'reserved') or '0')
    local give = math.min(held, reserved)
    if give > 0 then
      redis.call('HINCRBY', key, 'reserved', string.format('%d', -give))
    end
    if actual ~= '0' then
      local r = redis.pcall('HINCRBY', key, 'spent', actual)
      if type(r) == 'table' and r.err then
        redis.call('HSET', key, 'spent', '9223372036854775807')
      end
    end
  end
end

for t = 1, nt do
  local key = KEYS[nc + nb + t]
  local v = redis.call('GET', key)
  local off = ahead(v) + tonumber(ARGV[7 + t])
  if off > CAP then off = CAP end
  if off > 0 then
    store_tat(key, off)
  elseif v then
    redis.call('DEL', key)
  end
end
return 1
)lua";

// ---- keys ----

// "2025-06" for a month, "2025-06-14" for a day: the period's start, UTC.
std::string PeriodLabel(Period period, SystemClock::time_point at) {
  const std::chrono::year_month_day date{std::chrono::floor<std::chrono::days>(PeriodStart(period, at))};
  char label[32];
  if (period == Period::kMonth) {
    std::snprintf(label, sizeof(label), "%04d-%02u", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()));
  } else {
    std::snprintf(label, sizeof(label), "%04d-%02u-%02u", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  }
  return label;
}

// Seconds and nanoseconds of a time since the epoch (floored: the nanoseconds
// are always in [0, 1e9)).
std::pair<std::string, std::string> SplitNanos(std::int64_t ns) {
  std::int64_t seconds = ns / 1'000'000'000;
  std::int64_t rest = ns % 1'000'000'000;
  if (rest < 0) {
    --seconds;
    rest += 1'000'000'000;
  }
  return {std::to_string(seconds), std::to_string(rest)};
}

struct SettleMetrics {
  observability::Counter* failures;

  static SettleMetrics& Get() {
    static SettleMetrics* metrics = new SettleMetrics{
        &observability::DefaultRegistry()
             .AddCounter("strata_limits_redis_settle_failures_total",
                         "Settlements the Redis limits backend could not write (Redis unavailable or erring).")
             .With({})};
    return *metrics;
  }
};

// The prelude, with the debt cap of limits/gcra.h, then `body`.
std::string ScriptSource(std::string_view body) {
  std::string source(kPrelude);
  source.replace(source.find(kMaxAheadPlaceholder), kMaxAheadPlaceholder.size(), std::to_string(kGcraMaxAheadNs));
  source += body;
  return source;
}

class RedisBackend final : public Backend {
 public:
  explicit RedisBackend(RedisBackendOptions options)
      : options_(std::move(options)),
        pool_(ClientOptionsFrom(options_)),
        admit_script_(ScriptSource(kAdmitBody)),
        settle_script_(ScriptSource(kSettleBody)) {
    if (!options_.clock) {
      options_.clock = [] { return SystemClock::now(); };
    }
  }

  asio::awaitable<core::Result<Admission>> Admit(AdmissionRequest request) override;
  asio::awaitable<void> Settle(Ticket ticket, std::int64_t actual_nano_usd, std::int64_t actual_tokens) override;
  asio::awaitable<core::Result<BudgetState>> ReadBudget(const BudgetRule& rule, SystemClock::time_point now) override;

 private:
  static redis::ClientOptions ClientOptionsFrom(const RedisBackendOptions& options) {
    redis::ClientOptions client;
    client.url = options.url;
    client.connect_timeout = options.connect_timeout;
    client.command_timeout = options.command_timeout;
    client.max_connections = options.max_connections_per_thread;
    client.reconnect_backoff = options.reconnect_backoff;
    return client;
  }

  std::string RateKey(const std::string& counter) const { return options_.key_prefix + "rate:" + counter; }
  std::string ConcurrencyKey(const std::string& counter) const { return options_.key_prefix + "conc:" + counter; }
  std::string BudgetKey(const BudgetRule& rule, SystemClock::time_point at) const {
    return options_.key_prefix + "budget:" + rule.counter + ":" + PeriodLabel(rule.period, at);
  }

  Admission Decode(const AdmissionRequest& request, const redis::Reply& reply) const;

  RedisBackendOptions options_;
  redis::ClientPool pool_;
  redis::Script admit_script_;
  redis::Script settle_script_;
};

asio::awaitable<core::Result<Admission>> RedisBackend::Admit(AdmissionRequest request) {
  if (request.rates.empty() && request.concurrency.empty() && request.budgets.empty()) {
    Admission admitted;
    admitted.admitted = true;
    admitted.ticket.period_of = request.now;
    co_return admitted;
  }
  const std::int64_t now_ns = ToNanos(request.now);
  const std::int64_t reservation = std::max<std::int64_t>(0, request.reserve_nano_usd);
  auto [now_s, now_frac] = SplitNanos(now_ns);

  std::vector<std::string> keys;
  keys.reserve(request.rates.size() + request.concurrency.size() + request.budgets.size());
  std::vector<std::string> args = {
      std::move(now_s),
      std::move(now_frac),
      std::to_string(request.rates.size()),
      std::to_string(request.concurrency.size()),
      std::to_string(request.budgets.size()),
      std::to_string(reservation),
      std::to_string(std::max<std::int64_t>(1, options_.concurrency_ttl.count())),
  };
  for (const RateRule& rule : request.rates) {
    keys.push_back(RateKey(rule.counter));
    if (rule.per_minute <= 0) {
      args.push_back("-1");
      args.push_back("0");
      continue;
    }
    const std::int64_t per_minute = ClampPerMinute(rule.per_minute);
    const std::int64_t cost = std::max<std::int64_t>(0, rule.cost);
    const std::int64_t interval = GcraEmissionInterval(per_minute);
    // cost <= per_minute keeps cost * T within W (about a minute): exact in Lua.
    args.push_back(cost > per_minute ? "-1" : std::to_string(cost * interval));
    args.push_back(std::to_string(per_minute * interval));
  }
  for (const ConcurrencyRule& rule : request.concurrency) {
    keys.push_back(ConcurrencyKey(rule.counter));
    args.push_back(std::to_string(rule.max));
  }
  for (const BudgetRule& rule : request.budgets) {
    keys.push_back(BudgetKey(rule, request.now));
    args.push_back(std::to_string(rule.limit_nano_usd));
    args.push_back(std::to_string(std::max<std::int64_t>(0, rule.spent_before_nano_usd)));
    args.push_back(std::to_string(rule.soft_nano_usd));
    // Until the period ends, plus the grace, by the caller's clock.
    const std::int64_t ttl_ms =
        duration_cast<milliseconds>(NextPeriodStart(rule.period, request.now) - request.now + options_.budget_grace)
            .count();
    args.push_back(std::to_string(std::max<std::int64_t>(1, ttl_ms)));
  }

  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  redis::Client& client = pool_.For(executor);
  core::Result<redis::Reply> reply = co_await client.EvalSha(admit_script_, std::move(keys), std::move(args));
  if (!reply) {
    co_return reply.error();
  }
  const std::size_t expected = 3 + 2 * request.rates.size() + 2 * request.budgets.size();
  bool well_formed = reply->is_array() && reply->elements.size() == expected;
  for (std::size_t i = 0; well_formed && i < expected; ++i) {
    well_formed = reply->elements[i].is_integer();
  }
  if (!well_formed) {
    co_return core::Error::Internal("unexpected reply from the redis admission script: " + reply->DebugString());
  }
  co_return Decode(request, *reply);
}

// Turns what the script saw into the Admission the in-process backend would
// have returned: the same GcraAdmit on the same offsets, the same words.
Admission RedisBackend::Decode(const AdmissionRequest& request, const redis::Reply& reply) const {
  const std::vector<redis::Reply>& e = reply.elements;
  const std::int64_t now_ns = ToNanos(request.now);
  const std::size_t nr = request.rates.size();
  auto seen_offset = [&](std::size_t i) { return e[3 + 2 * i].integer; };
  auto stored_offset = [&](std::size_t i) { return e[4 + 2 * i].integer; };
  auto committed = [&](std::size_t k) { return e[3 + 2 * nr + 2 * k].integer; };
  auto crossed = [&](std::size_t k) { return e[4 + 2 * nr + 2 * k].integer != 0; };

  Admission out;
  if (e[0].integer == 1) {
    out.admitted = true;
    for (std::size_t i = 0; i < nr; ++i) {
      const RateRule& rule = request.rates[i];
      if (rule.header_kind.empty()) {
        continue;
      }
      const std::int64_t per_minute = ClampPerMinute(rule.per_minute);
      const GcraDecision decision =
          GcraAdmit(now_ns + seen_offset(i), now_ns, per_minute, std::max<std::int64_t>(0, rule.cost));
      KeepTightest(out.headers, {rule.header_kind, per_minute, decision.remaining, MillisRoundedUp(decision.reset_ns)});
    }
    for (std::size_t k = 0; k < request.budgets.size(); ++k) {
      if (crossed(k)) {
        out.soft_crossed.push_back(request.budgets[k].counter);
      }
    }
    Ticket& ticket = out.ticket;
    ticket.concurrency_counters.reserve(request.concurrency.size());
    for (const ConcurrencyRule& rule : request.concurrency) {
      ticket.concurrency_counters.push_back(rule.counter);
    }
    ticket.budgets = request.budgets;
    ticket.reserved_nano_usd = request.budgets.empty() ? 0 : std::max<std::int64_t>(0, request.reserve_nano_usd);
    for (const RateRule& rule : request.rates) {
      if (rule.header_kind == "tokens") {
        ticket.token_rates.push_back(rule);
      }
    }
    ticket.period_of = request.now;
    return out;
  }

  const auto index = static_cast<std::size_t>(std::max<std::int64_t>(1, e[2].integer) - 1);
  switch (e[1].integer) {
    case 1: {
      const RateRule& rule = request.rates.at(index);
      out.refused_by = rule.counter;
      if (rule.per_minute <= 0) {
        out.reason = "rate limit of 0 " + UnitsOf(rule) + " per minute";
        out.retry_after = std::chrono::seconds(60);
        break;
      }
      const std::int64_t per_minute = ClampPerMinute(rule.per_minute);
      const std::int64_t cost = std::max<std::int64_t>(0, rule.cost);
      if (cost > per_minute) {
        out.request_too_large = true;
        out.reason = "this request needs " + std::to_string(cost) + " " + UnitsOf(rule) + ", more than the limit of " +
                     std::to_string(per_minute) + " " + UnitsOf(rule) + " per minute allows";
        out.retry_after = std::chrono::seconds(60);
        break;
      }
      const GcraDecision decision = GcraAdmit(now_ns + seen_offset(index), now_ns, per_minute, cost);
      out.reason = "rate limit of " + std::to_string(per_minute) + " " + UnitsOf(rule) + " per minute reached";
      out.retry_after = RetryAfterFromNanos(decision.retry_after_ns);
      break;
    }
    case 2: {
      const ConcurrencyRule& rule = request.concurrency.at(index);
      out.refused_by = rule.counter;
      out.reason = "concurrency limit of " + std::to_string(std::max<std::int64_t>(0, rule.max)) +
                   " requests in flight reached";
      out.retry_after = std::chrono::seconds(1);
      break;
    }
    default: {
      const BudgetRule& rule = request.budgets.at(index);
      const std::int64_t reservation = std::max<std::int64_t>(0, request.reserve_nano_usd);
      out.refused_by = rule.counter;
      out.budget_exhausted = true;
      out.reason = "budget of " + FormatUsd(rule.limit_nano_usd) + " for " + std::string(PeriodName(rule.period)) +
                   " is exhausted: " + FormatUsd(committed(index)) +
                   " spent or reserved, and this request may cost up to " + FormatUsd(reservation);
      out.retry_after = RetryAfterFromNanos(ToNanos(NextPeriodStart(rule.period, request.now)) - now_ns);
      break;
    }
  }
  // A refusal reports where each rate stands, as if this request had not come.
  for (std::size_t i = 0; i < nr; ++i) {
    const RateRule& rule = request.rates[i];
    if (rule.header_kind.empty() || rule.per_minute <= 0) {
      continue;
    }
    const std::int64_t per_minute = ClampPerMinute(rule.per_minute);
    const GcraDecision peek = GcraAdmit(now_ns + stored_offset(i), now_ns, per_minute, 0);
    KeepTightest(out.headers, {rule.header_kind, per_minute, peek.remaining, MillisRoundedUp(peek.reset_ns)});
  }
  return out;
}

asio::awaitable<void> RedisBackend::Settle(Ticket ticket, std::int64_t actual_nano_usd, std::int64_t actual_tokens) {
  const std::int64_t now_ns = std::max(ToNanos(options_.clock()), ToNanos(ticket.period_of));
  auto [now_s, now_frac] = SplitNanos(now_ns);

  std::vector<std::string> keys;
  std::vector<std::string> token_args;
  for (const std::string& counter : ticket.concurrency_counters) {
    keys.push_back(ConcurrencyKey(counter));
  }
  for (const BudgetRule& rule : ticket.budgets) {
    keys.push_back(BudgetKey(rule, ticket.period_of));  // the period reserved in
  }
  if (actual_tokens >= 0) {
    for (const RateRule& rule : ticket.token_rates) {
      const std::int64_t delta = actual_tokens - std::max<std::int64_t>(0, rule.cost);
      if (rule.per_minute <= 0 || delta == 0) {
        continue;
      }
      const std::int64_t interval = GcraEmissionInterval(ClampPerMinute(rule.per_minute));
      const std::int64_t shift = std::clamp(GcraSaturatingMul(delta, interval), -kGcraMaxAheadNs, kGcraMaxAheadNs);
      keys.push_back(RateKey(rule.counter));
      token_args.push_back(std::to_string(shift));
    }
  }
  if (keys.empty()) {
    co_return;
  }
  std::vector<std::string> args = {
      std::move(now_s),
      std::move(now_frac),
      std::to_string(ticket.concurrency_counters.size()),
      std::to_string(ticket.budgets.size()),
      std::to_string(token_args.size()),
      std::to_string(std::max<std::int64_t>(0, ticket.reserved_nano_usd)),
      std::to_string(std::max<std::int64_t>(0, actual_nano_usd)),
  };
  args.insert(args.end(), token_args.begin(), token_args.end());

  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  redis::Client& client = pool_.For(executor);
  core::Result<redis::Reply> reply = co_await client.EvalSha(settle_script_, std::move(keys), std::move(args));
  if (!reply) {
    SettleMetrics::Get().failures->Increment();
    observability::Log(observability::Level::kWarn, "limits: settling in redis failed",
                       {{"error", reply.error().message()}});
  }
}

asio::awaitable<core::Result<Backend::BudgetState>> RedisBackend::ReadBudget(const BudgetRule& rule,
                                                                            SystemClock::time_point now) {
  std::vector<std::string> command = {"HMGET", BudgetKey(rule, now), "spent", "reserved"};
  const std::int64_t spent_before = std::max<std::int64_t>(0, rule.spent_before_nano_usd);
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  redis::Client& client = pool_.For(executor);
  core::Result<redis::Reply> reply = co_await client.Command(std::move(command));
  if (!reply) {
    co_return reply.error();
  }
  if (!reply->is_array() || reply->elements.size() != 2) {
    co_return core::Error::Internal("unexpected reply to HMGET from redis: " + reply->DebugString());
  }
  auto number = [](const redis::Reply& field) -> std::optional<std::int64_t> {
    if (field.is_nil()) {
      return std::int64_t{0};
    }
    std::int64_t value = 0;
    const std::string& text = field.string;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (!field.is_string() || ec != std::errc() || ptr != text.data() + text.size()) {
      return std::nullopt;
    }
    return value;
  };
  if (reply->elements[0].is_nil()) {
    co_return BudgetState{.spent_nano_usd = spent_before, .reserved_nano_usd = 0};
  }
  const std::optional<std::int64_t> spent = number(reply->elements[0]);
  const std::optional<std::int64_t> reserved = number(reply->elements[1]);
  if (!spent || !reserved) {
    co_return core::Error::Internal("a budget counter in redis is not a number: " + reply->DebugString());
  }
  co_return BudgetState{.spent_nano_usd = *spent, .reserved_nano_usd = *reserved};
}

}  // namespace

std::unique_ptr<Backend> MakeRedisBackend(RedisBackendOptions options) {
  return std::make_unique<RedisBackend>(std::move(options));
}

}  // namespace strata::limits
