#include "gateway/stages/identify_stage.h"

#include <chrono>

#include "governance/key_check.h"
#include "governance/secrets.h"

namespace strata::gateway {
namespace {

std::string_view PresentedKey(const http::Request& request) {
  const std::string_view authorization = request[boost::beast::http::field::authorization];
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() > kBearer.size() && authorization.substr(0, kBearer.size()) == kBearer) {
    return authorization.substr(kBearer.size());
  }
  return request["x-api-key"];
}

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

IdentifyStage::IdentifyStage(const std::vector<std::string>& api_keys, const governance::SnapshotSource* snapshots)
    : snapshots_(snapshots) {
  for (const std::string& key : api_keys) key_digests_.push_back(governance::KeyDigest(key));
}

boost::asio::awaitable<StageOutcome> IdentifyStage::OnRequest(core::Exchange& exchange,
                                                              const http::Request& request) {
  const std::shared_ptr<const governance::Snapshot> snapshot =
      snapshots_ != nullptr ? snapshots_->Current() : std::shared_ptr<const governance::Snapshot>();
  const bool virtual_keys = snapshot != nullptr && snapshot->key_count() > 0;
  if (key_digests_.empty() && !virtual_keys) co_return Continue{};
  const std::string_view key = PresentedKey(request);
  if (key.empty()) {
    co_return core::Error(core::ErrorCode::kUnauthenticated,
                          "missing API key: send it as 'Authorization: Bearer <key>' or 'x-api-key'");
  }
  if (virtual_keys) {
    if (core::Result<const governance::KeyGrant*> grant = governance::CheckKey(*snapshot, key, NowMs())) {
      const governance::KeyGrant& granted = **grant;
      if (granted.tenant_id.empty()) {
        co_return core::Error(core::ErrorCode::kPermissionDenied,
                              "a platform key manages Strata; call models with a tenant's key");
      }
      if (!governance::Allows(granted.role, governance::Permission::kModelsUse)) {
        co_return core::Error(core::ErrorCode::kPermissionDenied, "the role '" +
                                                                      std::string(governance::RoleName(granted.role)) +
                                                                      "' may not call models");
      }
      core::Principal& principal = exchange.principal;
      principal.key_id = granted.key_id;
      principal.tenant = granted.tenant_id;
      principal.team = granted.team_id;
      principal.allowed_models = granted.allowed_models;
      principal.authenticated = true;
      co_return Continue{};
    }
  }
  // Comparing digests in constant time: how far a guess matched never shows in the timing.
  const std::string digest = governance::KeyDigest(key);
  for (std::size_t i = 0; i < key_digests_.size(); ++i) {
    if (governance::ConstantTimeEquals(digest, key_digests_[i])) {
      exchange.principal.key_id = "static-key-" + std::to_string(i + 1);
      exchange.principal.authenticated = true;
      co_return Continue{};
    }
  }
  co_return core::Error(core::ErrorCode::kUnauthenticated, "invalid API key");
}

}  // namespace strata::gateway
