#include "oidc/options.h"

#include "http/url.h"
#include "oidc/role_mapping.h"

namespace strata::oidc {
namespace {

bool IsLoopback(const http::Url& url) {
  return url.host == "localhost" || url.host == "::1" || url.host.starts_with("127.");
}

core::Status CheckUrl(const std::string& text, std::string_view field) {
  const std::string name = "oidc." + std::string(field);
  if (text.empty()) return core::Error::InvalidRequest(name + " must be set");
  core::Result<http::Url> url = http::Url::Parse(text);
  if (!url) return core::Error::InvalidRequest(name + ": " + url.error().message());
  if (!url->tls() && !IsLoopback(*url)) {
    return core::Error::InvalidRequest(name + " must be https (plain http only for a loopback host)");
  }
  return {};
}

bool HasScope(std::string_view scopes, std::string_view scope) {
  while (!scopes.empty()) {
    const std::size_t space = scopes.find(' ');
    if (scopes.substr(0, space) == scope) return true;
    if (space == std::string_view::npos) break;
    scopes.remove_prefix(space + 1);
  }
  return false;
}

}  // namespace

core::Status Validate(const OidcOptions& options) {
  if (core::Status issuer = CheckUrl(options.issuer, "issuer"); !issuer) return issuer;
  if (options.issuer.find_first_of("?#") != std::string::npos) {
    return core::Error::InvalidRequest("oidc.issuer must not have a query or fragment");
  }
  if (options.client_id.empty()) return core::Error::InvalidRequest("oidc.client_id must be set");
  if (core::Status redirect = CheckUrl(options.redirect_uri, "redirect_uri"); !redirect) return redirect;
  if (!HasScope(options.scopes, "openid")) return core::Error::InvalidRequest("oidc.scopes must include \"openid\"");
  if (options.leeway.count() < 0 || options.leeway > std::chrono::minutes(10)) {
    return core::Error::InvalidRequest("oidc.leeway must be between 0 and 600 seconds");
  }
  if (options.login_timeout.count() <= 0) return core::Error::InvalidRequest("oidc.login_timeout must be positive");
  const JwksOptions& jwks = options.jwks;
  if (jwks.min_ttl.count() < 0 || jwks.max_ttl < jwks.min_ttl) {
    return core::Error::InvalidRequest("oidc.jwks: min_ttl must be between 0 and max_ttl");
  }
  if (jwks.refetch_interval.count() < 0 || jwks.fetch_timeout.count() <= 0 || jwks.max_document_bytes == 0 ||
      jwks.max_keys == 0) {
    return core::Error::InvalidRequest("oidc.jwks: refetch_interval, fetch_timeout, max_document_bytes and max_keys must be positive");
  }
  return ValidateRoleMapping(options.roles);
}

}  // namespace strata::oidc
