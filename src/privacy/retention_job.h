#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/result.h"
#include "privacy/options.h"
#include "store/record_store.h"
#include "store/retention_store.h"

namespace strata::privacy {

// What the job calls for the kinds the record store does not hold. Each
// deletes `tenant`'s rows created before `cutoff_ms` and returns how many it
// deleted. Unset: that kind is skipped (its rules still show, and the run
// log says nothing for it).
struct RetentionHooks {
  std::function<core::Result<std::int64_t>(std::string_view tenant, std::int64_t cutoff_ms)> purge_reviews;
  std::function<core::Result<std::int64_t>(std::string_view tenant, std::int64_t cutoff_ms)> purge_feedback;
};

// The retention that applies to one kind of one tenant's data, and where it
// comes from.
struct EffectiveRetention {
  std::string kind;
  std::optional<int> days;  // nullopt: kept forever
  std::string source;       // "tenant", "default" (the store's '' rule), "config" or "none"
};

// Purges data older than its retention (docs/PRIVACY.md).
//
// For each tenant (every tenant with an audit chain, and every tenant with a
// rule of its own) and each kind, the days are the tenant's own rule, else
// the default rule (tenant ''), else options.defaults, else none (keep
// forever). With days d, data created before now - d days goes:
//   content   RecordStore::PurgeContentBefore (records keep digest and metadata)
//   metadata  RecordStore::PurgeRecordsBefore(tenant, "inference", cutoff)
//   audit     RecordStore::PurgeRecordsBefore(tenant, "audit", cutoff)
//   reviews, feedback  the hooks
// The audit chain keeps every purged record's digest, so it still verifies.
//
// Each run is logged in the store (RetentionStore::AddRun). A failure for one
// tenant and kind marks the run failed, with the error, and the run goes on
// with the rest.
//
// Thread-safe; runs never overlap (a second caller waits for the first).
// Blocking: call RunOnce on the BlockingPool or a dedicated thread.
class RetentionJob {
 public:
  // `records` and `rules` must outlive the job.
  RetentionJob(store::RecordStore& records, store::RetentionStore& rules, RetentionOptions options,
               RetentionHooks hooks = {});
  ~RetentionJob();  // Close()

  RetentionJob(const RetentionJob&) = delete;
  RetentionJob& operator=(const RetentionJob&) = delete;

  // One run as of `now_ms` (Unix ms): purges, logs the run and returns it.
  // Fails only when the run cannot be logged (the purges done stay done).
  core::Result<store::RetentionRun> RunOnce(std::int64_t now_ms);

  // The retention of every kind for `tenant`, in store::kRetentionKinds
  // order; `tenant` "" gives the platform defaults (store, then config).
  core::Result<std::vector<EffectiveRetention>> Effective(std::string_view tenant);

  // Starts the background thread: a run min(interval, 1 min) from now, then
  // every options.interval. Failures are logged, never fatal. Idempotent.
  void Start();
  // Stops the thread, waiting for a run in progress to finish. Idempotent.
  void Close();

  const RetentionOptions& options() const { return options_; }

 private:
  // What `own` rules, then `defaults`, then the config give each kind. Pure.
  std::vector<EffectiveRetention> Resolve(const std::vector<store::RetentionRule>& own,
                                          const std::vector<store::RetentionRule>& defaults) const;
  void Loop();

  store::RecordStore& records_;
  store::RetentionStore& rules_;
  const RetentionOptions options_;
  const RetentionHooks hooks_;

  std::mutex run_mutex_;  // one run at a time

  std::mutex mutex_;  // guards closing_, thread_
  std::condition_variable wake_;
  bool closing_ = false;
  std::thread thread_;
};

}  // namespace strata::privacy
