#include "http/internal/connection_pool.h"

namespace strata::http::internal {

std::unique_ptr<Connection> ConnectionPool::Acquire(const std::string& key, Clock::time_point now) {
  SweepAll(now);
  auto it = idle_.find(key);
  if (it == idle_.end()) {
    return nullptr;
  }
  IdleList& list = it->second;
  DropExpired(list, now);
  std::unique_ptr<Connection> found;
  // Newest first: it is the least likely to have been closed by the server.
  while (!list.empty() && !found) {
    std::unique_ptr<Connection> candidate = std::move(list.back().connection);
    list.pop_back();
    if (candidate->LooksReusable()) {
      found = std::move(candidate);
    }
  }
  if (list.empty()) {
    idle_.erase(it);
  }
  return found;
}

void ConnectionPool::Release(const std::string& key, std::unique_ptr<Connection> connection,
                             Clock::time_point now) {
  SweepAll(now);
  if (max_idle_per_host_ == 0 || idle_ttl_ <= std::chrono::milliseconds::zero()) {
    return;  // pooling is off: the connection closes here
  }
  // A Beast stream whose deadline passed fails its next operation at once;
  // whoever takes this connection sets its own deadline first.
  connection->tcp().expires_never();
  IdleList& list = idle_[key];
  DropExpired(list, now);
  list.push_back(Idle{std::move(connection), now});
  while (list.size() > max_idle_per_host_) {
    list.pop_front();
  }
}

std::size_t ConnectionPool::IdleCount(const std::string& key) const {
  auto it = idle_.find(key);
  return it == idle_.end() ? 0 : it->second.size();
}

std::size_t ConnectionPool::IdleCount() const {
  std::size_t count = 0;
  for (const auto& [key, list] : idle_) {
    count += list.size();
  }
  return count;
}

void ConnectionPool::DropExpired(IdleList& list, Clock::time_point now) const {
  while (!list.empty() && now - list.front().since >= idle_ttl_) {
    list.pop_front();
  }
}

void ConnectionPool::SweepAll(Clock::time_point now) {
  // Keys not asked for again would keep their sockets forever; a full pass
  // at most once per TTL bounds that without a timer.
  if (now - last_sweep_ < idle_ttl_) {
    return;
  }
  last_sweep_ = now;
  for (auto it = idle_.begin(); it != idle_.end();) {
    DropExpired(it->second, now);
    it = it->second.empty() ? idle_.erase(it) : std::next(it);
  }
}

}  // namespace strata::http::internal
