#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/governance_store.h"

namespace strata::store {

// Versioned policy documents (docs/POLICY.md, "Loading policies through the
// admin API"): the YAML text of each version, kept for ever. Plain rows; the
// parsing and the policy in force live in src/policy. Times are Unix
// milliseconds.

// One stored version of one scope's document.
struct PolicyVersion {
  std::string scope{};          // the tenant id it applies to; empty: platform-wide
  std::int64_t version = 0;     // 1, 2, 3... within the scope; the highest is in force
  std::string source{};         // the YAML text, exactly as it was PUT
  std::int64_t created_at_ms = 0;
  std::string created_by{};     // who stored it: a user or key id

  bool operator==(const PolicyVersion&) const = default;
};

// Blocking and thread-safe, like GovernanceStore: run it on the BlockingPool.
//
// History is append-only: there is no update and no delete. To take a scope's
// policy out of force, store a new version that does nothing (`rules: []`).
// The store does not parse the text: callers validate it (policy::ParseDocument)
// before Put.
//
// Errors: kInvalidRequest for bad arguments (limit), kUnavailable for
// transient database conditions, kInternal otherwise. A missing version is
// nullopt, not an error.
class PolicyStore {
 public:
  virtual ~PolicyStore() = default;

  // Stores `source` as the next version of `scope` (the highest so far + 1,
  // or 1), in one transaction, and returns it.
  virtual core::Result<PolicyVersion> Put(std::string_view scope, std::string_view source,
                                          std::string_view created_by, std::int64_t now_ms) = 0;
  // The version in force for `scope` (the highest), or nullopt when none.
  virtual core::Result<std::optional<PolicyVersion>> Latest(std::string_view scope) = 0;
  // The latest version of every scope that has one: the platform's first (when
  // stored), then the tenants' in tenant id order.
  virtual core::Result<std::vector<PolicyVersion>> LatestOfEveryScope() = 0;
  // Versions of `scope`, newest first: those below `before_version` (0: from
  // the newest), at most `limit` (1..500). next_after_id is the last row's
  // version as decimal text when there are more, else empty.
  virtual core::Result<Page<PolicyVersion>> List(std::string_view scope, std::int64_t before_version,
                                                 int limit) = 0;
  // One version of `scope`, or nullopt.
  virtual core::Result<std::optional<PolicyVersion>> Get(std::string_view scope, std::int64_t version) = 0;
  // A number that changes whenever a version is stored, cheap to read: what a
  // poller compares to know whether to reload (policy::PolicySource).
  virtual core::Result<std::int64_t> Fingerprint() = 0;
};

}  // namespace strata::store
