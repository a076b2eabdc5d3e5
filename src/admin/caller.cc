#include "admin/caller.h"

#include "governance/key_check.h"

namespace strata::admin {

namespace beast_http = boost::beast::http;

std::string_view PresentedSecret(const http::Request& request) {
  const std::string_view authorization = request[beast_http::field::authorization];
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() > kBearer.size() &&
      std::equal(kBearer.begin(), kBearer.end(), authorization.begin(),
                 [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == std::tolower(b); })) {
    return authorization.substr(kBearer.size());
  }
  return request["x-api-key"];
}

core::Result<Caller> AuthenticateKey(const http::Request& request, const governance::Snapshot& snapshot,
                                     std::int64_t now_ms) {
  const std::string_view secret = PresentedSecret(request);
  if (secret.empty()) {
    return core::Error(core::ErrorCode::kUnauthenticated,
                       "this route needs an admin credential: 'Authorization: Bearer <key>' or a console session");
  }
  core::Result<const governance::KeyGrant*> checked = governance::CheckKey(snapshot, secret, now_ms);
  if (!checked) return checked.error();
  const governance::KeyGrant* grant = *checked;
  Caller caller;
  caller.tenant_id = grant->tenant_id;
  caller.team_id = grant->team_id;
  caller.role = grant->role;
  caller.key_id = grant->key_id;
  caller.user_id = grant->owner_id;
  return caller;
}

}  // namespace strata::admin
