#include "admin/sessions.h"

#include <array>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "governance/secrets.h"
#include "observability/log.h"
#include "oidc/base64url.h"

namespace strata::admin {
namespace {

namespace beast_http = boost::beast::http;

constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kTokenChars = 43;  // base64url of 32 bytes, unpadded
// Recording every use would be a write per admin call; once a minute is
// enough for an idle timeout counted in minutes or hours.
constexpr std::int64_t kTouchEveryMs = 60'000;
constexpr std::string_view kCsrfLabel = "strata console csrf v1";

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

core::Error Ended() {
  return core::Error(core::ErrorCode::kUnauthenticated, "the console session has ended or expired: sign in again");
}

}  // namespace

std::string_view CookieValue(const http::Request& request, std::string_view name) {
  for (auto [it, end] = request.equal_range(beast_http::field::cookie); it != end; ++it) {
    std::string_view header = it->value();
    while (!header.empty()) {
      const std::size_t semicolon = header.find(';');
      const std::string_view pair = Trim(header.substr(0, semicolon));
      header.remove_prefix(semicolon == std::string_view::npos ? header.size() : semicolon + 1);
      const std::size_t eq = pair.find('=');
      if (eq == std::string_view::npos || Trim(pair.substr(0, eq)) != name) continue;
      std::string_view value = Trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      return value;
    }
  }
  return {};
}

core::Result<std::string> RandomToken() {
  std::array<unsigned char, kTokenBytes> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return core::Error::Internal("the system random generator failed");
  }
  return oidc::Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

bool LooksLikeToken(std::string_view text) {
  if (text.size() != kTokenChars) return false;
  for (const char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
      return false;
    }
  }
  return true;
}

std::string CsrfToken(std::string_view session_id) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), session_id.data(), static_cast<int>(session_id.size()),
       reinterpret_cast<const unsigned char*>(kCsrfLabel.data()), kCsrfLabel.size(), mac, &length);
  return oidc::Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac), length));
}

bool CsrfMatches(const http::Request& request, std::string_view session_id) {
  const auto header = request.find(kCsrfHeader);
  if (header == request.end() || header->value().empty()) return false;
  return governance::ConstantTimeEquals(header->value(), CsrfToken(session_id));
}

bool ChangesState(beast_http::verb method) {
  return method != beast_http::verb::get && method != beast_http::verb::head && method != beast_http::verb::options;
}

core::Result<StartedSession> Sessions::Start(const store::UserRow& user, std::string_view method,
                                             std::int64_t now_ms) {
  core::Result<std::string> id = RandomToken();
  if (!id) return id.error();
  store::SessionRow row{
      .id_digest = governance::KeyDigest(*id),
      .user_id = user.id,
      .method = std::string(method),
      .credential_digest = method == "password" ? governance::KeyDigest(user.password_hash) : std::string(),
      .created_at_ms = now_ms,
      .last_seen_at_ms = now_ms,
      .expires_at_ms = now_ms + std::chrono::milliseconds(options_.session_ttl).count(),
  };
  if (core::Result<std::int64_t> swept = store_.DeleteExpired(now_ms); !swept) {
    // Not fatal: expired rows are refused anyway, and the next sign-in sweeps again.
    observability::Log(observability::Level::kWarn, "cannot delete expired console sessions",
                       {{"error", swept.error().message()}});
  }
  if (core::Status created = store_.CreateSession(row); !created) return created.error();
  StartedSession started;
  started.csrf_token = CsrfToken(*id);
  started.id = std::move(*id);
  started.expires_at_ms = row.expires_at_ms;
  return started;
}

core::Result<ResumedSession> Sessions::Resume(std::string_view id, std::int64_t now_ms) {
  if (!LooksLikeToken(id)) return Ended();
  const std::string digest = governance::KeyDigest(id);
  core::Result<std::optional<store::SessionWithUser>> found = store_.FindSession(digest);
  if (!found) return found.error();
  if (!*found) return Ended();
  store::SessionWithUser& stored = **found;
  const store::SessionRow& session = stored.session;
  const std::int64_t idle_ms = std::chrono::milliseconds(options_.idle_timeout).count();
  // Disabling a user or tenant ends its sessions for good: re-enabling an
  // account (perhaps after a compromise) must not bring old sessions back.
  const bool over = session.expires_at_ms <= now_ms || (idle_ms > 0 && session.last_seen_at_ms + idle_ms <= now_ms) ||
                    (session.method == "password" &&
                     !governance::ConstantTimeEquals(session.credential_digest,
                                                     governance::KeyDigest(stored.user.password_hash))) ||
                    stored.user.disabled || stored.tenant_disabled || stored.user.kind != "user";
  if (over) {
    if (core::Status deleted = store_.DeleteSession(digest); !deleted) return deleted.error();
    return Ended();
  }
  if (now_ms - session.last_seen_at_ms >= kTouchEveryMs) {
    if (core::Status touched = store_.TouchSession(digest, now_ms); !touched) return touched.error();
  }
  return ResumedSession{std::move(stored.user), std::move(stored.session)};
}

core::Status Sessions::End(std::string_view id) {
  if (!LooksLikeToken(id)) return {};
  return store_.DeleteSession(governance::KeyDigest(id));
}

std::string Sessions::Cookie(std::string_view name, std::string_view value, std::string_view path,
                             std::int64_t max_age) const {
  std::string cookie(name);
  cookie.append("=").append(value).append("; Path=").append(path);
  cookie.append("; Max-Age=").append(std::to_string(max_age)).append("; HttpOnly; SameSite=Lax");
  if (options_.secure_cookies) cookie.append("; Secure");
  return cookie;
}

std::string Sessions::SessionCookie(const StartedSession& session) const {
  return Cookie(kSessionCookie, session.id, "/", options_.session_ttl.count());
}
std::string Sessions::ClearSessionCookie() const { return Cookie(kSessionCookie, "", "/", 0); }
std::string Sessions::LoginCookie(std::string_view handle) const {
  return Cookie(kLoginCookie, handle, "/auth/oidc", login_timeout_.count());
}
std::string Sessions::ClearLoginCookie() const { return Cookie(kLoginCookie, "", "/auth/oidc", 0); }

core::Result<Caller> SessionCaller(const store::UserRow& user) {
  const std::optional<governance::Role> role = governance::ParseRole(user.role);
  // A platform user is an admin (the store enforces it); refuse anything else
  // rather than hand a lesser role platform-wide reach.
  if (!role || (user.tenant_id.empty() && *role != governance::Role::kAdmin)) return Ended();
  Caller caller;
  caller.tenant_id = user.tenant_id;
  caller.team_id = user.team_id;
  caller.role = *role;
  caller.user_id = user.id;
  caller.via_session = true;
  return caller;
}

}  // namespace strata::admin
