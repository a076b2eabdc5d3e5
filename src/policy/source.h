#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "core/result.h"
#include "policy/policy.h"

namespace strata::store {
class PolicyStore;
}

namespace strata::policy {

struct PolicySourceOptions {
  // How often the store's Fingerprint() is polled; a change rebuilds the
  // policy. Bounds how long a PUT on another node takes to apply here.
  std::chrono::milliseconds refresh{1'000};
};

// Keeps the policy in force (docs/POLICY.md, "Loading policies through the
// admin API"): the config file's document, then the platform's latest stored
// version (label "platform@v<N>"), then every tenant's latest (scope = the
// tenant id, label "tenant:<id>@v<N>"), in that order. When there is no
// platform-wide document (neither in the config nor stored), the built-in
// default (Policy::Default's rule, label "default") takes the platform's
// place, so a tenant storing its own document never switches the default off
// for the others; with nothing at all, Current() is Policy::Default().
//
// A stored version that no longer parses (it was checked when it was PUT, so
// only a change of the policy language could cause that) is skipped with an
// error log and the scope keeps nothing: the rest still applies. A store that
// fails keeps the last policy serving; healthy() turns false until a poll
// succeeds.
//
// Thread-safety: every method may be called from any thread. Current() is
// cheap (a mutex-guarded shared_ptr copy, no store access).
class PolicySource {
 public:
  // `store` must outlive this object. `config` is the config file's document
  // (label "config"); null when the config has no `policy:`.
  PolicySource(store::PolicyStore& store, std::shared_ptr<const Document> config, PolicySourceOptions options = {});
  ~PolicySource();  // stops the poller

  PolicySource(const PolicySource&) = delete;
  PolicySource& operator=(const PolicySource&) = delete;

  // Loads the policy (blocking) and starts polling. Fails when the first load
  // fails (the store cannot be read): the server should not start without
  // knowing its policy. Call once.
  core::Status Start();
  // Stops the poller. Idempotent; Current() keeps answering.
  void Stop();

  // The policy in force. Never null: before Start(), the config document
  // alone (or Policy::Default()).
  std::shared_ptr<const Policy> Current() const;

  // Rebuilds from the store now (blocking), e.g. after an admin PUT on this
  // node, so the writer's change applies at once. Errors leave the current
  // policy in force.
  core::Status Reload();

  // False while the last load or poll failed.
  bool healthy() const { return healthy_.load(std::memory_order_relaxed); }

 private:
  void Run();  // the poller thread
  core::Status Load();

  store::PolicyStore& store_;
  const std::shared_ptr<const Document> config_;
  const PolicySourceOptions options_;

  // Guards current_, fingerprint_, published_load_ and stopping_.
  mutable std::mutex mutex_;
  std::shared_ptr<const Policy> current_;
  std::int64_t fingerprint_ = -1;  // of the store when current_ was built; -1: never loaded
  std::uint64_t published_load_ = 0;
  std::atomic<std::uint64_t> loads_started_{0};
  std::atomic<bool> healthy_{true};
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread poller_;
};

}  // namespace strata::policy
