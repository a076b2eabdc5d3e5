#include "oidc/claims.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace strata::oidc {
namespace {

namespace json = boost::json;

core::Error Refused(std::string_view why) {
  return {core::ErrorCode::kUnauthenticated, "ID token refused: " + std::string(why)};
}

std::string_view StringClaim(const json::object& payload, std::string_view name) {
  const json::value* value = payload.if_contains(name);
  if (value == nullptr || !value->is_string()) return {};
  return value->get_string();
}

// A NumericDate (RFC 7519 §2): seconds since the epoch, possibly fractional.
// nullopt when absent, not a number, negative or absurdly far away.
std::optional<SystemClock::time_point> DateClaim(const json::object& payload, std::string_view name) {
  const json::value* value = payload.if_contains(name);
  if (value == nullptr) return std::nullopt;
  double seconds = 0;
  if (value->is_int64()) {
    seconds = double(value->get_int64());
  } else if (value->is_uint64()) {
    seconds = double(value->get_uint64());
  } else if (value->is_double()) {
    seconds = value->get_double();
  } else {
    return std::nullopt;
  }
  constexpr double kLimit = 1e11;  // year 5138: keeps the chrono arithmetic below from overflowing
  if (!std::isfinite(seconds) || seconds < 0 || seconds > kLimit) return std::nullopt;
  return SystemClock::time_point(std::chrono::duration_cast<SystemClock::duration>(
      std::chrono::duration<double>(std::floor(seconds))));
}

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::vector<std::string> ExtractGroups(const json::object& payload, std::string_view claim) {
  const json::value* value = payload.if_contains(claim);
  if (value == nullptr && claim.find('.') != std::string_view::npos) {
    // A path into nested objects, e.g. Keycloak's "realm_access.roles".
    const json::object* object = &payload;
    std::string_view rest = claim;
    while (object != nullptr) {
      const std::size_t dot = rest.find('.');
      value = object->if_contains(rest.substr(0, dot));
      if (dot == std::string_view::npos || value == nullptr) break;
      object = value->if_object();
      value = nullptr;
      rest.remove_prefix(dot + 1);
    }
  }
  std::vector<std::string> groups;
  if (value == nullptr) return groups;
  if (value->is_string()) {
    groups.emplace_back(value->get_string());
  } else if (value->is_array()) {
    for (const json::value& item : value->get_array()) {
      if (item.is_string()) groups.emplace_back(item.get_string());
    }
  }
  return groups;
}

core::Result<IdentityClaims> CheckClaims(const json::object& payload, const ClaimChecks& checks,
                                         SystemClock::time_point now) {
  if (StringClaim(payload, "iss") != checks.issuer) return Refused("\"iss\" is not the configured issuer " + checks.issuer);

  const json::value* aud = payload.if_contains("aud");
  std::size_t audiences = 0;
  bool ours = false;
  if (aud != nullptr && aud->is_string()) {
    audiences = 1;
    ours = aud->get_string() == checks.client_id;
  } else if (aud != nullptr && aud->is_array()) {
    for (const json::value& item : aud->get_array()) {
      ++audiences;
      ours = ours || (item.is_string() && item.get_string() == checks.client_id);
    }
  }
  if (!ours) return Refused("\"aud\" does not contain this client's id");
  const json::value* azp = payload.if_contains("azp");
  if (azp != nullptr && !(azp->is_string() && azp->get_string() == checks.client_id)) {
    return Refused("\"azp\" names another client");
  }
  if (audiences > 1 && azp == nullptr) return Refused("several audiences and no \"azp\" naming this client");

  const std::optional<SystemClock::time_point> exp = DateClaim(payload, "exp");
  if (!exp) return Refused("\"exp\" is missing or not a date");
  if (now >= *exp + checks.leeway) return Refused("expired (\"exp\" has passed)");
  if (payload.contains("nbf")) {
    const std::optional<SystemClock::time_point> nbf = DateClaim(payload, "nbf");
    if (!nbf) return Refused("\"nbf\" is not a date");
    if (now + checks.leeway < *nbf) return Refused("not yet valid (\"nbf\" is in the future)");
  }
  const std::optional<SystemClock::time_point> iat = DateClaim(payload, "iat");
  if (!iat) return Refused("\"iat\" is missing or not a date");
  if (*iat > now + checks.leeway) return Refused("issued in the future (\"iat\")");

  if (checks.nonce) {
    const json::value* nonce = payload.if_contains("nonce");
    if (nonce == nullptr || !nonce->is_string()) return Refused("\"nonce\" is missing");
    if (!ConstantTimeEquals(nonce->get_string(), *checks.nonce)) return Refused("\"nonce\" does not match this login");
  }

  IdentityClaims claims;
  claims.sub = std::string(StringClaim(payload, "sub"));
  if (claims.sub.empty()) return Refused("\"sub\" is missing");
  claims.iss = checks.issuer;
  claims.email = std::string(StringClaim(payload, "email"));
  if (const json::value* verified = payload.if_contains("email_verified")) {
    // Some issuers send the string "true".
    claims.email_verified = (verified->is_bool() && verified->get_bool()) ||
                            (verified->is_string() && verified->get_string() == "true");
  }
  claims.name = std::string(StringClaim(payload, "name"));
  if (claims.name.empty()) claims.name = std::string(StringClaim(payload, "preferred_username"));
  claims.groups = ExtractGroups(payload, checks.groups_claim);
  claims.expires_at = *exp;
  claims.issued_at = *iat;
  return claims;
}

core::Result<IdentityClaims> VerifyIdToken(std::string_view token, std::span<const PublicKey> keys,
                                           const ClaimChecks& checks, SystemClock::time_point now) {
  core::Result<Jwt> jwt = ParseJwt(token);
  if (!jwt) return jwt.error();
  bool candidate = false;
  bool verified = false;
  for (const PublicKey& key : keys) {
    if (!key.Fits(jwt->alg) || (!jwt->kid.empty() && key.kid() != jwt->kid)) continue;
    candidate = true;
    if (VerifySignature(jwt->alg, jwt->signing_input, jwt->signature, key)) {
      verified = true;
      break;
    }
  }
  if (!candidate) {
    return core::Error(core::ErrorCode::kUnauthenticated,
                       "ID token refused: no key of the issuer matches its \"kid\" and algorithm " +
                           std::string(AlgorithmName(jwt->alg)));
  }
  if (!verified) return Refused("the signature does not verify");
  return CheckClaims(jwt->payload, checks, now);
}

}  // namespace strata::oidc
