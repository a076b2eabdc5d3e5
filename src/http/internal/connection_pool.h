#pragma once

// Private to strata::http: the idle keep-alive connections of one Client.

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

#include "http/internal/client_connection.h"

namespace strata::http::internal {

// Idle connections keyed by "scheme://host:port". Holds at most
// `max_idle_per_host` per key (the oldest is closed to make room) and closes
// those idle for `idle_ttl` or longer. Expired connections are dropped
// lazily, on the next Acquire or Release, so the pool needs no timer; an
// expired one is never handed out. Not thread-safe: one per Client.
class ConnectionPool {
 public:
  using Clock = std::chrono::steady_clock;

  ConnectionPool(std::size_t max_idle_per_host, std::chrono::milliseconds idle_ttl)
      : max_idle_per_host_(max_idle_per_host), idle_ttl_(idle_ttl) {}

  // The most recently released connection for `key` that has not expired and
  // still looks open (Connection::LooksReusable); others met on the way are
  // closed. Null when none is left: the caller connects.
  std::unique_ptr<Connection> Acquire(const std::string& key, Clock::time_point now);

  // Takes back a connection that has just finished a response cleanly and
  // may carry another request. The caller decides that; the pool trusts it.
  void Release(const std::string& key, std::unique_ptr<Connection> connection, Clock::time_point now);

  // Idle connections held for `key`, or for all keys.
  std::size_t IdleCount(const std::string& key) const;
  std::size_t IdleCount() const;

 private:
  struct Idle {
    std::unique_ptr<Connection> connection;
    Clock::time_point since;
  };
  // Oldest first: expiry pops from the front, reuse from the back.
  using IdleList = std::deque<Idle>;

  void DropExpired(IdleList& list, Clock::time_point now) const;
  void SweepAll(Clock::time_point now);

  std::size_t max_idle_per_host_;
  std::chrono::milliseconds idle_ttl_;
  std::unordered_map<std::string, IdleList> idle_;
  Clock::time_point last_sweep_{};
};

}  // namespace strata::http::internal
