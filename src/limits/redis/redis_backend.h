#pragma once

// The limits backend shared by every Strata node of a cluster: the counters
// live in one Redis, and each Admit and each Settle is one Lua script run
// atomically there (docs/REDIS.md has the scripts' key layout and the
// reasoning). It decides exactly as the in-process backend does
// (docs/LIMITS.md): same GCRA arithmetic (limits/gcra.h), same refusal order,
// reasons, Retry-After and headers.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "limits/limits.h"

namespace strata::limits {

struct RedisBackendOptions {
  // redis://[[user]:password@]host[:port][/db] (see redis/client.h).
  std::string url = "redis://127.0.0.1:6379";
  // Put before every key, so that several deployments can share one Redis.
  std::string key_prefix = "strata:";

  // Per call to Redis; see redis::ClientOptions. An Admit that runs out of
  // time fails with kUnavailable, and the caller fails open or closed.
  std::chrono::milliseconds connect_timeout{500};
  std::chrono::milliseconds command_timeout{250};
  // Connections per io thread.
  std::size_t max_connections_per_thread = 8;
  // After Redis failed to answer, calls fail at once for this long.
  std::chrono::milliseconds reconnect_backoff{100};

  // A concurrency counter expires this long after the last admission that
  // touched it. Its only job: slots held by a node that died before settling
  // are freed once the scope has been quiet this long. Longer than any
  // request may run.
  std::chrono::milliseconds concurrency_ttl = std::chrono::hours(1);
  // A budget period's counter expires this long after the period ends (as the
  // in-process backend's kBudgetGrace): requests admitted just before the end
  // still settle into it.
  std::chrono::milliseconds budget_grace = std::chrono::hours(1);

  // Settle's clock (admission takes its time from AdmissionRequest::now);
  // Settle uses max(clock(), ticket.period_of). Default: SystemClock::now.
  std::function<SystemClock::time_point()> clock;
};

// Thread-safe: one instance serves every io thread, each through its own
// Redis connections (a redis::ClientPool: one client per io_context, owned by
// the io_context). Admit, Settle and ReadBudget must be awaited on a thread
// running an io_context (they use the caller's executor), and that io_context
// must be run by one thread.
//
// Errors: kUnavailable when Redis cannot be reached, times out or is in the
// backoff pause; kInternal when Redis answers with an error (a bad URL or
// password included). Settle cannot return an error: a failed Settle is logged
// and counted (strata_limits_redis_settle_failures_total); its concurrency
// slots then stay taken until concurrency_ttl, its reservation until the
// period's counter expires.
std::unique_ptr<Backend> MakeRedisBackend(RedisBackendOptions options);

}  // namespace strata::limits
