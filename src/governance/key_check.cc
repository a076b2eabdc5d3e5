#include "governance/key_check.h"

#include "governance/secrets.h"

namespace strata::governance {

core::Result<const KeyGrant*> CheckKey(const Snapshot& snapshot, std::string_view secret, std::int64_t now_ms) {
  const core::Error refused(core::ErrorCode::kUnauthenticated, "the API key is not valid");
  if (secret.empty()) return refused;
  const KeyGrant* grant = snapshot.FindKey(KeyDigest(secret));
  if (grant == nullptr || grant->revoked_at_ms != 0) return refused;
  if (grant->expires_at_ms != 0 && grant->expires_at_ms <= now_ms) return refused;
  if (!grant->tenant_id.empty()) {
    const store::TenantRow* tenant = snapshot.FindTenant(grant->tenant_id);
    if (tenant == nullptr || tenant->disabled) return refused;
  }
  return grant;
}

}  // namespace strata::governance
