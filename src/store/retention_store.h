#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/governance_store.h"

namespace strata::store {

// The kinds of data a retention rule covers (docs/PRIVACY.md):
//   content   the sealed prompt and answer of inference records
//   metadata  inference records themselves (their rows; chain links stay)
//   audit     audit records (admin actions, erasures; chain links stay)
//   reviews   human review items
//   feedback  caller feedback
inline constexpr std::array<std::string_view, 5> kRetentionKinds = {"content", "metadata", "audit", "reviews",
                                                                     "feedback"};
inline bool IsRetentionKind(std::string_view kind) {
  for (std::string_view known : kRetentionKinds) {
    if (kind == known) return true;
  }
  return false;
}

// The most days a rule may keep data: about 100 years.
inline constexpr int kMaxRetentionDays = 36'500;

// Keep `kind` of `tenant_id`'s data `days` days. tenant_id "" is the default
// for every tenant that has no rule of its own for that kind.
struct RetentionRule {
  std::string tenant_id;
  std::string kind;
  int days = 0;
  std::int64_t updated_at_ms = 0;

  bool operator==(const RetentionRule&) const = default;
};

// One change to a tenant's rules: `days` set, or nullopt to remove the rule.
struct RetentionChange {
  std::string kind;
  std::optional<int> days;
};

// One run of the retention job: what it purged, per tenant and kind, as JSON
// ({"<tenant>": {"content": n, ...}}), and how it ended.
struct RetentionRun {
  std::string id;
  std::int64_t started_at_ms = 0;
  std::int64_t finished_at_ms = 0;
  std::string status;       // "ok" or "failed"
  std::string purged_json;  // a JSON object, "{}" when nothing was purged
  std::string error;        // empty when status is "ok"

  bool operator==(const RetentionRun&) const = default;
};

// Retention rules and the retention job's run log (migration 4).
//
// Every method blocks on I/O: call it on the BlockingPool or a dedicated
// thread. Thread-safe.
class RetentionStore {
 public:
  virtual ~RetentionStore() = default;

  // Applies `changes` to `tenant`'s rules ("" for the defaults) in one
  // transaction: all or, on error, none. kInvalidRequest (nothing changed)
  // for an unknown kind, a kind named twice, or days outside
  // 1..kMaxRetentionDays. Removing a rule that does not exist is not an error.
  virtual core::Status Update(std::string_view tenant, std::span<const RetentionChange> changes,
                              std::int64_t now_ms) = 0;
  // Update with one change.
  core::Status Set(std::string_view tenant, std::string_view kind, int days, std::int64_t now_ms) {
    const RetentionChange change{std::string(kind), days};
    return Update(tenant, std::span<const RetentionChange>(&change, 1), now_ms);
  }
  core::Status Delete(std::string_view tenant, std::string_view kind) {
    const RetentionChange change{std::string(kind), std::nullopt};
    return Update(tenant, std::span<const RetentionChange>(&change, 1), 0);
  }

  // `tenant`'s rules ("" for the defaults), by kind.
  virtual core::Result<std::vector<RetentionRule>> List(std::string_view tenant) = 0;
  // Every rule, the defaults first, then by tenant and kind.
  virtual core::Result<std::vector<RetentionRule>> ListAll() = 0;

  // Stores one run. kInvalidRequest for a status other than ok/failed.
  virtual core::Status AddRun(const RetentionRun& run) = 0;
  // Runs newest first (by start, then id), those after the run `after_id`
  // when it is not empty, at most `limit` (1..500).
  virtual core::Result<Page<RetentionRun>> ListRuns(std::string_view after_id, int limit) = 0;
};

}  // namespace strata::store
