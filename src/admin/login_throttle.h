#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace strata::admin {

// Counts failed sign-ins and says when to refuse further tries, so a password
// cannot be guessed at the speed of the blocking pool. Two limits: failures
// per (client address, email), which stops guessing one account's password,
// and failures per client address over every email, which stops spraying one
// common password over many accounts. A window starts at its first failure
// and lasts `window`; a success clears the (address, email) count only.
//
// Per process: with several nodes behind a balancer an attacker gets each
// node's allowance. Memory is bounded: at most `max_entries` counters, the
// oldest windows dropped first when full.
//
// Thread-safe (one mutex; sign-in is not a hot path).
class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  struct Limits {
    int per_account = 5;    // 0: no limit
    int per_address = 50;   // 0: no limit
    std::chrono::seconds window{15 * 60};
    std::size_t max_entries = 100'000;
  };

  explicit LoginThrottle(Limits limits) : limits_(limits) {}

  // How long until `address` may try `email` again; nullopt: it may now.
  std::optional<std::chrono::seconds> Blocked(std::string_view address, std::string_view email, Clock::time_point now);
  void RecordFailure(std::string_view address, std::string_view email, Clock::time_point now);
  void RecordSuccess(std::string_view address, std::string_view email);

 private:
  struct Counter {
    int failures = 0;
    Clock::time_point window_start;
  };
  static std::string AccountKey(std::string_view address, std::string_view email);
  std::optional<std::chrono::seconds> Check(const std::string& key, int limit, Clock::time_point now);
  void Count(const std::string& key, Clock::time_point now);
  void Prune(Clock::time_point now);

  Limits limits_;
  std::mutex mutex_;
  std::unordered_map<std::string, Counter> counters_;  // guarded by mutex_
};

}  // namespace strata::admin
