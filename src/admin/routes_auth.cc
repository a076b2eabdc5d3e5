// Console sign-in (docs/ADMIN_API.md, "Console sessions"): local accounts
// (email + argon2id password), OpenID Connect (authorization code + PKCE),
// logout, and "who am I". Every answer is `Cache-Control: no-store`; nothing
// here logs a password, session id, CSRF token, code or token.
#include <mutex>

#include "admin/login_throttle.h"
#include "admin/pending_login.h"
#include "admin/route_helpers.h"
#include "admin/rows_json.h"
#include "admin/sessions.h"
#include "governance/secrets.h"
#include "http/client.h"
#include "http/server.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "oidc/jwks_cache.h"
#include "oidc/relying_party.h"
#include "oidc/role_mapping.h"

namespace strata::admin {
namespace {

namespace beast_http = boost::beast::http;
using observability::Level;
using observability::Log;

constexpr std::size_t kMaxEmailBytes = 320;
constexpr std::size_t kMaxPasswordBytes = 1024;

// The lambdas handed to AdminApi::Blocking capture by reference only: g++ 12
// destroys a prvalue lambda's by-value captures twice when it is passed by
// value to a coroutine (seen as a double free of a captured std::string).
// The referenced locals live in the calling coroutine's frame across the wait.

// What the auth routes share; lives as long as the router's handlers.
struct AuthState {
  AuthState(AdminApi& api, const ConsoleOptions& options)
      : api(api),
        sessions(*api.sessions()),
        throttle(LoginThrottle::Limits{.per_account = options.max_failures_per_account,
                                       .per_address = options.max_failures_per_address,
                                       .window = options.throttle_window}) {}

  AdminApi& api;
  Sessions& sessions;
  LoginThrottle throttle;
  std::shared_ptr<oidc::JwksCache> keys;       // null without OIDC
  std::shared_ptr<oidc::RelyingParty> oidc;    // null without OIDC
};

// A hash to verify against when the email matches no usable account, so that
// "no such user" costs the same argon2id work as "wrong password" and timing
// does not tell which emails exist. Made once, on a pool thread.
core::Result<std::string> DummyHash() {
  static std::once_flag once;
  static core::Result<std::string> hash = core::Error::Internal("unset");
  std::call_once(once, [] {
    core::Result<std::string> token = RandomToken();
    hash = token ? governance::HashPassword(*token) : core::Result<std::string>(token.error());
  });
  return hash;
}

std::optional<std::string> NullableId(const std::string& id) {
  return id.empty() ? std::nullopt : std::optional<std::string>(id);
}

json::value OrNull(const std::optional<std::string>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

// The Principal of /auth/me and of a sign-in.
json::object PrincipalJson(const Caller& caller, const store::UserRow* user, std::string_view csrf_token,
                           std::int64_t expires_at_ms) {
  json::array permissions;
  for (const governance::Permission permission : governance::AllPermissions()) {
    if (caller.Can(permission)) permissions.emplace_back(governance::PermissionName(permission));
  }
  json::object out;
  out["object"] = "principal";
  out["via"] = caller.via_session ? "session" : "key";
  out["user"] = user != nullptr ? json::value(UserJson(*user)) : json::value(nullptr);
  out["role"] = governance::RoleName(caller.role);
  out["tenant_id"] = OrNull(NullableId(caller.tenant_id));
  out["team_id"] = OrNull(NullableId(caller.team_id));
  out["key_id"] = OrNull(NullableId(caller.key_id));
  out["permissions"] = std::move(permissions);
  out["csrf_token"] = csrf_token.empty() ? json::value(nullptr) : json::value(csrf_token);
  out["expires_at"] = expires_at_ms > 0 ? json::value(expires_at_ms / 1000) : json::value(nullptr);
  return out;
}

std::string PrincipalSchema() {
  const std::string nullable = R"({"type":["string","null"]})";
  return R"({"type":"object","required":["object","via","user","role","tenant_id","permissions","csrf_token"],)"
         R"("properties":{"object":{"const":"principal"},"via":{"enum":["session","key"]},)"
         R"("user":{"oneOf":[)" + Ref("User") + R"(,{"type":"null"}]},)"
         R"("role":{"enum":["admin","tenant-admin","developer","reviewer","auditor","viewer"]},)"
         R"("tenant_id":)" + nullable + R"(,"team_id":)" + nullable + R"(,"key_id":)" + nullable +
         R"(,"permissions":{"type":"array","items":{"type":"string"}},)"
         R"("csrf_token":{"type":["string","null"],)"
         R"("description":"send it as x-strata-csrf on state-changing calls made with the session cookie"},)"
         R"("expires_at":{"type":["integer","null"],"description":"Unix seconds: the session's absolute end"}}})";
}

http::Response NoStore(http::Response response) {
  response.set(beast_http::field::cache_control, "no-store");
  return response;
}

http::Response Json(const json::value& body, const http::Request& request, int status = 200) {
  return NoStore(JsonReply(body, request.version(), status));
}

http::Response Failure(const core::Error& error, const http::Request& request) {
  return NoStore(http::ErrorResponse(error, request.version()));
}

http::Response Redirect(std::string_view location, const http::Request& request) {
  http::Response response(beast_http::status::found, request.version());
  response.set(beast_http::field::location, location);
  response.set(beast_http::field::content_type, "text/plain; charset=utf-8");
  response.body() = "Redirecting\n";
  return NoStore(std::move(response));
}

bool IsJson(const http::Request& request) {
  std::string_view type = request[beast_http::field::content_type];
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return type.size() == 16 && std::equal(type.begin(), type.end(), "application/json", [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

// strata_console_signins_total{method, outcome}: outcome is success, refused
// (bad credentials, a refused identity), throttled, or error (Strata or the
// issuer failed).
void CountSignIn(std::string_view method, std::string_view outcome) {
  static observability::Family<observability::Counter>& family = observability::DefaultRegistry().AddCounter(
      "strata_console_signins_total", "Console sign-in attempts by method (password, oidc) and outcome.",
      {"method", "outcome"});
  family.With({method, outcome}).Increment();
}

bool IsFailureOfOurs(const core::Error& error) {
  switch (error.code()) {
    case core::ErrorCode::kInternal:
    case core::ErrorCode::kUnavailable:
    case core::ErrorCode::kUpstreamRejected:
    case core::ErrorCode::kUpstreamUnavailable:
    case core::ErrorCode::kUpstreamTimeout:
      return true;
    default:
      return false;
  }
}

// Error messages a browser may see: internal failures become one generic line
// (the detail goes to the log, which never holds secrets). Counts sign-in
// failures.
core::Error Visible(const core::Error& error, std::string_view method, std::string_view address) {
  if (method != "logout") CountSignIn(method, IsFailureOfOurs(error) ? "error" : "refused");
  Log(error.code() == core::ErrorCode::kInternal ? Level::kError : Level::kInfo, "console sign-in refused",
      {{"method", method}, {"reason", error.message()}, {"client", address}});
  if (error.code() == core::ErrorCode::kInternal) return core::Error::Internal("sign-in failed; see the server log");
  return error;
}

// Ends the session the browser held before signing in again, if any: a
// sign-in always issues a fresh id (no session fixation).
asio::awaitable<void> EndPrevious(AuthState& state, const http::Request& request) {
  const std::string_view old = CookieValue(request, kSessionCookie);
  if (old.empty()) co_return;
  Sessions& sessions = state.sessions;
  std::string old_id(old);
  core::Status ended = co_await state.api.Blocking([&sessions, &old_id] { return sessions.End(old_id); });
  if (!ended) Log(Level::kWarn, "cannot end the previous console session", {{"error", ended.error().message()}});
}

// --- local accounts ---

struct PasswordOutcome {
  std::optional<store::UserRow> user;  // set: signed in
  StartedSession session;
};

asio::awaitable<void> Login(std::shared_ptr<AuthState> state, const http::Request& request,
                            http::Responder& responder) {
  const std::string address(responder.client_address());
  const auto fail = [&](const core::Error& error) {
    http::Response response = Failure(error, request);
    return responder.Send(std::move(response));
  };
  // Only a JSON body: a cross-site HTML form cannot send one without a CORS
  // preflight, so another site cannot sign a browser in to its own account.
  if (!IsJson(request)) {
    co_await fail(core::Error::InvalidRequest("sign-in takes a JSON body: content-type must be application/json"));
    co_return;
  }
  core::Result<Body> body = Body::Parse(request);
  if (!body) {
    co_await fail(body.error());
    co_return;
  }
  core::Result<std::string> email = body->RequiredString("email");
  core::Result<std::string> password = body->RequiredString("password");
  const core::Status finished = body->Finish();
  if (!email || !password || !finished) {
    core::Error error = finished.error();
    if (!password) error = password.error();
    if (!email) error = email.error();
    co_await fail(error);
    co_return;
  }
  if (email->size() > kMaxEmailBytes || password->size() > kMaxPasswordBytes) {
    co_await fail(core::Error::InvalidRequest("'email' or 'password' is too long"));
    co_return;
  }
  const auto steady_now = LoginThrottle::Clock::now();
  if (const std::optional<std::chrono::seconds> wait = state->throttle.Blocked(address, *email, steady_now)) {
    Log(Level::kWarn, "console sign-in throttled", {{"method", "password"}, {"client", address}});
    CountSignIn("password", "throttled");
    core::Error refused(core::ErrorCode::kRateLimited,
                        "too many failed sign-ins from this address: try again in " + std::to_string(wait->count()) +
                            " s");
    refused.WithRetryAfter(*wait);
    co_await fail(refused);
    co_return;
  }

  store::GovernanceStore& db = state->api.deps().store;
  Sessions& sessions = state->sessions;
  const std::shared_ptr<const governance::Snapshot> snapshot = state->api.deps().snapshots.Current();
  const std::int64_t now_ms = NowMs();
  // One pool job: look up, verify (argon2id, ~50-100 ms), start the session.
  core::Result<PasswordOutcome> outcome = co_await state->api.Blocking([&]() -> core::Result<PasswordOutcome> {
    core::Result<std::optional<store::UserRow>> found = db.FindUserByEmail(*email);
    if (!found) return found.error();
    const store::UserRow* user = found->has_value() ? &**found : nullptr;
    const bool has_password = user != nullptr && user->kind == "user" && !user->password_hash.empty();
    std::string_view hash;
    core::Result<std::string> dummy = std::string();
    if (has_password) {
      hash = user->password_hash;
    } else {
      dummy = DummyHash();
      if (!dummy) return dummy.error();
      hash = *dummy;
    }
    const bool verified = governance::VerifyPassword(hash, *password);
    if (!verified || !has_password || user->disabled) return PasswordOutcome{};
    // A tenant this node has not loaded yet (created elsewhere this second)
    // passes here; every later use re-checks it in the database.
    const store::TenantRow* tenant = user->tenant_id.empty() ? nullptr : snapshot->FindTenant(user->tenant_id);
    if (tenant != nullptr && tenant->disabled) return PasswordOutcome{};
    core::Result<StartedSession> started = sessions.Start(*user, "password", now_ms);
    if (!started) return started.error();
    return PasswordOutcome{*user, std::move(*started)};
  });
  if (!outcome) {
    co_await fail(Visible(outcome.error(), "password", address));
    co_return;
  }
  if (!outcome->user) {
    state->throttle.RecordFailure(address, *email, steady_now);
    CountSignIn("password", "refused");
    Log(Level::kInfo, "console sign-in refused",
        {{"method", "password"}, {"reason", "bad credentials"}, {"client", address}});
    // One answer for an unknown email, a wrong password, a disabled user or tenant.
    co_await fail(core::Error(core::ErrorCode::kUnauthenticated, "the email or password is wrong"));
    co_return;
  }
  state->throttle.RecordSuccess(address, *email);
  // A session the browser held before is ended: sign-in always rotates the id.
  co_await EndPrevious(*state, request);
  core::Result<Caller> caller = SessionCaller(*outcome->user);
  if (!caller) {
    co_await fail(caller.error());
    co_return;
  }
  CountSignIn("password", "success");
  Log(Level::kInfo, "console sign-in",
      {{"method", "password"}, {"user_id", outcome->user->id}, {"role", outcome->user->role}, {"client", address}});
  http::Response response =
      Json(PrincipalJson(*caller, &*outcome->user, outcome->session.csrf_token, outcome->session.expires_at_ms),
           request);
  response.insert(beast_http::field::set_cookie, sessions.SessionCookie(outcome->session));
  co_await responder.Send(std::move(response));
}

asio::awaitable<void> Logout(std::shared_ptr<AuthState> state, const http::Request& request,
                             http::Responder& responder) {
  Sessions& sessions = state->sessions;
  const std::string id(CookieValue(request, kSessionCookie));
  std::string end_session_endpoint;
  if (!id.empty()) {
    const std::int64_t now_ms = NowMs();
    core::Result<ResumedSession> resumed =
        co_await state->api.Blocking([&sessions, &id, now_ms] { return sessions.Resume(id, now_ms); });
    if (resumed) {
      // A live session ends only on a request its own page made.
      if (!CsrfMatches(request, id)) {
        const core::Error refused(core::ErrorCode::kPermissionDenied,
                                  "logout with a console session must carry its x-strata-csrf header");
        http::Response failure = Failure(refused, request);
        co_await responder.Send(std::move(failure));
        co_return;
      }
      core::Status ended = co_await state->api.Blocking([&sessions, &id] { return sessions.End(id); });
      if (!ended) {
        http::Response failure = Failure(Visible(ended.error(), "logout", responder.client_address()), request);
        co_await responder.Send(std::move(failure));
        co_return;
      }
      Log(Level::kInfo, "console sign-out", {{"user_id", resumed->user.id}});
      if (resumed->session.method == "oidc" && state->keys) {
        core::Result<oidc::ProviderMetadata> metadata = co_await state->keys->Metadata(http::WorkerClient());
        if (metadata) end_session_endpoint = metadata->end_session_endpoint;
      }
    }
  }
  json::object body{{"object", "logout"}, {"signed_out", true}};
  body["end_session_endpoint"] = nullptr;
  if (!end_session_endpoint.empty()) body["end_session_endpoint"] = end_session_endpoint;
  http::Response response = Json(body, request);
  response.insert(beast_http::field::set_cookie, sessions.ClearSessionCookie());
  co_await responder.Send(std::move(response));
}

asio::awaitable<void> Me(std::shared_ptr<AuthState> state, const http::Request& request, http::Responder& responder) {
  Sessions& sessions = state->sessions;
  const std::string id(CookieValue(request, kSessionCookie));
  if (id.empty() || !PresentedSecret(request).empty()) {
    core::Result<Caller> caller = co_await state->api.Authenticate(request);
    if (!caller) {
      http::Response failure = Failure(caller.error(), request);
      co_await responder.Send(std::move(failure));
      co_return;
    }
    http::Response response = Json(PrincipalJson(*caller, nullptr, "", 0), request);
    co_await responder.Send(std::move(response));
    co_return;
  }
  const std::int64_t now_ms = NowMs();
  core::Result<ResumedSession> resumed =
      co_await state->api.Blocking([&sessions, &id, now_ms] { return sessions.Resume(id, now_ms); });
  core::Result<Caller> caller = core::Error::Internal("unset");
  if (resumed) {
    caller = SessionCaller(resumed->user);
  } else {
    caller = resumed.error();
  }
  if (!caller) {
    http::Response response = Failure(caller.error(), request);
    if (caller.error().code() == core::ErrorCode::kUnauthenticated) {
      response.insert(beast_http::field::set_cookie, sessions.ClearSessionCookie());
    }
    co_await responder.Send(std::move(response));
    co_return;
  }
  const std::string csrf_token = CsrfToken(id);
  http::Response response =
      Json(PrincipalJson(*caller, &resumed->user, csrf_token, resumed->session.expires_at_ms), request);
  co_await responder.Send(std::move(response));
}

// --- OpenID Connect ---

asio::awaitable<void> OidcLogin(std::shared_ptr<AuthState> state, const http::Request& request,
                                http::Responder& responder) {
  const std::string address(responder.client_address());
  std::string return_to = QueryParam(request, "return_to").value_or("");
  if (!return_to.empty() && !IsLocalPath(return_to)) {
    const core::Error invalid = core::Error::InvalidRequest("'return_to' must be a path on this server", "return_to");
    http::Response failure = Failure(invalid, request);
    co_await responder.Send(std::move(failure));
    co_return;
  }
  const oidc::SystemClock::time_point now = oidc::SystemClock::now();
  core::Result<oidc::LoginStart> start = co_await state->oidc->BeginLogin(http::WorkerClient(), now);
  if (!start) {
    http::Response failure = Failure(Visible(start.error(), "oidc", address), request);
    co_await responder.Send(std::move(failure));
    co_return;
  }
  core::Result<std::string> handle = RandomToken();
  if (!handle) {
    http::Response failure = Failure(Visible(handle.error(), "oidc", address), request);
    co_await responder.Send(std::move(failure));
    co_return;
  }
  core::Result<std::string> sealed = SealLogin(*handle, LoginInProgress{start->pending, std::move(return_to)});
  if (!sealed) {
    http::Response failure = Failure(Visible(sealed.error(), "oidc", address), request);
    co_await responder.Send(std::move(failure));
    co_return;
  }
  const std::int64_t now_ms = NowMs();
  const std::int64_t timeout_ms = std::chrono::milliseconds(state->sessions.login_timeout()).count();
  store::PendingLoginRow row{.handle_digest = governance::KeyDigest(*handle),
                             .sealed = std::move(*sealed),
                             .created_at_ms = now_ms,
                             .expires_at_ms = now_ms + timeout_ms};
  store::SessionStore& store = state->sessions.store();
  core::Status stored = co_await state->api.Blocking([&store, &row] { return store.PutPendingLogin(row); });
  if (!stored) {
    http::Response failure = Failure(Visible(stored.error(), "oidc", address), request);
    co_await responder.Send(std::move(failure));
    co_return;
  }
  http::Response response = Redirect(start->authorization_url, request);
  response.insert(beast_http::field::set_cookie, state->sessions.LoginCookie(*handle));
  co_await responder.Send(std::move(response));
}

// The callback's work up to a signed-in user; the handler answers.
asio::awaitable<core::Result<std::pair<store::UserRow, std::string>>> FinishOidc(std::shared_ptr<AuthState> state,
                                                                                 const http::Request& request) {
  const std::string handle(CookieValue(request, kLoginCookie));
  const core::Error no_login = core::Error::InvalidRequest(
      "no sign-in is in progress in this browser, or it expired: start again at /auth/oidc/login");
  if (!LooksLikeToken(handle)) co_return no_login;
  store::SessionStore& store = state->sessions.store();
  const std::string digest = governance::KeyDigest(handle);
  const std::int64_t now_ms = NowMs();
  core::Result<std::optional<store::PendingLoginRow>> taken =
      co_await state->api.Blocking([&store, &digest, now_ms] { return store.TakePendingLogin(digest, now_ms); });
  if (!taken) co_return taken.error();
  if (!*taken) co_return no_login;
  core::Result<LoginInProgress> login = OpenLogin(handle, (*taken)->sealed);
  if (!login) co_return login.error();

  oidc::Callback callback = oidc::ParseCallback(request.target());
  core::Result<oidc::IdentityClaims> identity = co_await state->oidc->FinishLogin(
      std::move(login->pending), std::move(callback), http::WorkerClient(), oidc::SystemClock::now());
  if (!identity) co_return identity.error();
  const oidc::OidcOptions& options = state->oidc->options();
  core::Result<oidc::RoleGrant> grant = oidc::MapRole(identity->groups, options.roles);
  if (!grant) co_return grant.error();

  store::OidcSignIn sign_in{.issuer = identity->iss,
                            .subject = identity->sub,
                            .email = identity->email,
                            .display_name = identity->name,
                            .role = grant->role,
                            .tenant_name = grant->tenant,
                            .now_ms = NowMs()};
  core::Result<store::UserRow> user =
      co_await state->api.Blocking([&store, &sign_in] { return store.SignInOidcUser(sign_in); });
  if (!user) co_return user.error();
  co_await state->api.Refresh();  // a tenant move revoked keys: this node sees it at once
  co_return std::make_pair(std::move(*user), std::move(login->return_to));
}

asio::awaitable<void> OidcCallback(std::shared_ptr<AuthState> state, const http::Request& request,
                                   http::Responder& responder) {
  const std::string address(responder.client_address());
  Sessions& sessions = state->sessions;
  core::Result<std::pair<store::UserRow, std::string>> signed_in = co_await FinishOidc(state, request);
  if (!signed_in) {
    http::Response response = Failure(Visible(signed_in.error(), "oidc", address), request);
    response.insert(beast_http::field::set_cookie, sessions.ClearLoginCookie());
    co_await responder.Send(std::move(response));
    co_return;
  }
  const store::UserRow& user = signed_in->first;
  const std::int64_t now_ms = NowMs();
  core::Result<StartedSession> started =
      co_await state->api.Blocking([&sessions, &user, now_ms] { return sessions.Start(user, "oidc", now_ms); });
  if (!started) {
    http::Response response = Failure(Visible(started.error(), "oidc", address), request);
    response.insert(beast_http::field::set_cookie, sessions.ClearLoginCookie());
    co_await responder.Send(std::move(response));
    co_return;
  }
  co_await EndPrevious(*state, request);
  CountSignIn("oidc", "success");
  Log(Level::kInfo, "console sign-in",
      {{"method", "oidc"}, {"user_id", user.id}, {"role", user.role}, {"client", address}});
  std::string_view landing = signed_in->second;
  if (landing.empty()) landing = sessions.options().post_login_url;
  http::Response response = Redirect(landing, request);
  response.insert(beast_http::field::set_cookie, sessions.SessionCookie(*started));
  response.insert(beast_http::field::set_cookie, sessions.ClearLoginCookie());
  co_await responder.Send(std::move(response));
}

http::RouteDoc AuthDoc(std::string id, std::string summary, std::string request, std::string response,
                       bool public_route, int status = 200) {
  http::RouteDoc doc = Doc(std::move(id), std::move(summary), "auth", std::move(request), std::move(response), status);
  doc.public_route = public_route;
  return doc;
}

// Binds a handler coroutine to the shared state (a named function, not a capturing lambda coroutine).
template <class Fn>
http::Handler Bind(std::shared_ptr<AuthState> state, Fn fn) {
  return [state = std::move(state), fn](const http::Request& request, http::Responder& responder) {
    return fn(state, request, responder);
  };
}

}  // namespace

void AddAuthRoutes(AdminApi& api, http::Router& router) {
  if (api.sessions() == nullptr) return;
  const ConsoleOptions& options = api.deps().console;
  auto state = std::make_shared<AuthState>(api, options);

  if (options.local_login) {
    const std::string login_schema =
        R"({"type":"object","required":["email","password"],"additionalProperties":false,"properties":{)"
        R"("email":{"type":"string","maxLength":320},"password":{"type":"string","maxLength":1024}}})";
    router.Add(verb::post, "/auth/login", Bind(state, Login),
               AuthDoc("login", "Sign in with an email and password; sets the session cookie", login_schema,
                       PrincipalSchema(), true));
  }
  router.Add(verb::post, "/auth/logout", Bind(state, Logout),
             AuthDoc("logout", "End the console session and clear its cookie", "",
                     R"({"type":"object","required":["object","signed_out"],"properties":{"object":{"const":"logout"},)"
                     R"("signed_out":{"const":true},"end_session_endpoint":{"type":["string","null"]}}})",
                     true));
  router.Add(verb::get, "/auth/me", Bind(state, Me),
             AuthDoc("getPrincipal", "Who is calling: user, role, tenant, permissions (session or key)", "",
                     PrincipalSchema(), false));

  if (api.deps().oidc == nullptr) return;
  const oidc::OidcOptions& oidc_options = *api.deps().oidc;
  state->keys = std::make_shared<oidc::JwksCache>(oidc_options.issuer, oidc_options.jwks);
  state->oidc = std::make_shared<oidc::RelyingParty>(oidc_options, state->keys);
  state->sessions.set_login_timeout(oidc_options.login_timeout);
  http::RouteDoc login = AuthDoc("oidcLogin", "Start an OpenID Connect sign-in: redirects to the identity provider", "",
                                 "", true, 302);
  login.query = {{"return_to", R"({"type":"string"})", "a path on this server to land on after signing in"}};
  router.Add(verb::get, "/auth/oidc/login", Bind(state, OidcLogin), std::move(login));
  http::RouteDoc callback = AuthDoc("oidcCallback",
                                    "The identity provider's redirect back: signs in, sets the session cookie, "
                                    "redirects to the console",
                                    "", "", true, 302);
  callback.query = {{"code", R"({"type":"string"})", "the authorization code"},
                    {"state", R"({"type":"string"})", "echoes the login's state"},
                    {"error", R"({"type":"string"})", "set when the sign-in failed at the provider"}};
  router.Add(verb::get, "/auth/oidc/callback", Bind(state, OidcCallback), std::move(callback));
}

}  // namespace strata::admin
