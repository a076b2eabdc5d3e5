#include "admin/login_throttle.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace strata::admin {

std::string LoginThrottle::AccountKey(std::string_view address, std::string_view email) {
  // Emails compare case-insensitively, as the store does: "A@x" and "a@x" are one account.
  std::string key = "a:";
  key.append(address).push_back('\n');
  for (const char c : email.substr(0, 320)) {
    key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return key;
}

std::optional<std::chrono::seconds> LoginThrottle::Check(const std::string& key, int limit, Clock::time_point now) {
  if (limit <= 0) return std::nullopt;
  const auto found = counters_.find(key);
  if (found == counters_.end() || found->second.failures < limit) return std::nullopt;
  const Clock::time_point end = found->second.window_start + limits_.window;
  if (end <= now) return std::nullopt;
  return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(end - now));
}

std::optional<std::chrono::seconds> LoginThrottle::Blocked(std::string_view address, std::string_view email,
                                                           Clock::time_point now) {
  std::lock_guard lock(mutex_);
  std::optional<std::chrono::seconds> account = Check(AccountKey(address, email), limits_.per_account, now);
  std::optional<std::chrono::seconds> whole = Check("i:" + std::string(address), limits_.per_address, now);
  if (account && whole) return std::max(*account, *whole);
  return account ? account : whole;
}

void LoginThrottle::Count(const std::string& key, Clock::time_point now) {
  Counter& counter = counters_[key];
  if (counter.failures == 0 || counter.window_start + limits_.window <= now) {
    counter = Counter{0, now};
  }
  ++counter.failures;
}

void LoginThrottle::RecordFailure(std::string_view address, std::string_view email, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (counters_.size() + 2 > limits_.max_entries) Prune(now);
  if (limits_.per_account > 0) Count(AccountKey(address, email), now);
  if (limits_.per_address > 0) Count("i:" + std::string(address), now);
}

void LoginThrottle::RecordSuccess(std::string_view address, std::string_view email) {
  std::lock_guard lock(mutex_);
  counters_.erase(AccountKey(address, email));
}

void LoginThrottle::Prune(Clock::time_point now) {
  std::erase_if(counters_, [&](const auto& entry) { return entry.second.window_start + limits_.window <= now; });
  if (counters_.size() + 2 <= limits_.max_entries) return;
  // Still full of live windows: drop the oldest half. Under such a flood the
  // per-address counters of the flooding addresses are the youngest, and stay.
  std::vector<Clock::time_point> starts;
  starts.reserve(counters_.size());
  for (const auto& [key, counter] : counters_) starts.push_back(counter.window_start);
  auto middle = starts.begin() + static_cast<std::ptrdiff_t>(starts.size() / 2);
  std::nth_element(starts.begin(), middle, starts.end());
  const Clock::time_point cut = *middle;
  std::erase_if(counters_, [&](const auto& entry) { return entry.second.window_start <= cut; });
}

}  // namespace strata::admin
