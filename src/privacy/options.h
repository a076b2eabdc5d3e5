#pragma once

#include <chrono>
#include <string_view>

namespace strata::privacy {

// How long to keep each kind of data when neither the tenant nor the platform
// defaults in the store (GET/PUT /admin/v1/retention) say: days, 0 = keep
// forever. Read from `retention.defaults` (docs/CONFIG.md).
struct RetentionDays {
  int content = 0;
  int metadata = 0;
  int audit = 0;
  int reviews = 0;
  int feedback = 0;

  // The field for `kind` (store::kRetentionKinds); 0 for an unknown kind.
  int For(std::string_view kind) const {
    if (kind == "content") return content;
    if (kind == "metadata") return metadata;
    if (kind == "audit") return audit;
    if (kind == "reviews") return reviews;
    if (kind == "feedback") return feedback;
    return 0;
  }
};

// The retention job (`retention:` in the config, docs/PRIVACY.md).
struct RetentionOptions {
  // Whether `strata serve` runs the job in the background. Off: only
  // `strata retention run` and POST /admin/v1/retention/runs purge.
  bool enabled = true;
  // Time between runs; the first run starts min(interval, 1 minute) after
  // the server starts. At least 1 s.
  std::chrono::milliseconds interval{3'600'000};
  RetentionDays defaults{};  // nothing purged unless configured
};

}  // namespace strata::privacy
