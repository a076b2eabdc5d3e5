#pragma once

#include <cstdint>
#include <string_view>

#include "core/result.h"
#include "governance/snapshot.h"

namespace strata::governance {

// The grant behind a presented key secret, if the key may be used now: known,
// not revoked, not expired, and its tenant (if any) exists and is enabled.
// Every refusal is the same kUnauthenticated "the API key is not valid", so a
// probe learns nothing about which keys exist. The pointer lives as long as
// `snapshot`.
core::Result<const KeyGrant*> CheckKey(const Snapshot& snapshot, std::string_view secret, std::int64_t now_ms);

}  // namespace strata::governance
