#include "admin/admin_api.h"

#include <chrono>

#include "admin/request_io.h"
#include "admin/sessions.h"
#include "core/ids.h"
#include "core/json_writer.h"
#include "observability/log.h"

namespace strata::admin {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

AdminApi::AdminApi(AdminDeps deps) : deps_(deps) {
  if (deps_.sessions != nullptr) sessions_ = std::make_unique<Sessions>(*deps_.sessions, deps_.console);
}

AdminApi::~AdminApi() = default;

void AdminApi::AddRoutes(http::Router& router) {
  AddAuthRoutes(*this, router);
  AddTenantRoutes(*this, router);
  AddKeyRoutes(*this, router);
  AddLimitRoutes(*this, router);
  AddSpendRoutes(*this, router);
  AddRecordRoutes(*this, router);
  AddReviewRoutes(*this, router);
  AddPolicyRoutes(*this, router);
  AddPrivacyRoutes(*this, router);
}

void AdminApi::Add(http::Router& router, beast_http::verb method, std::string pattern,
                   governance::Permission permission, http::RouteDoc doc, RouteBody body) {
  doc.permission = std::string(governance::PermissionName(permission));
  const bool tenant_path = pattern.find("{tenant_id}") != std::string::npos;
  router.Add(
      method, std::move(pattern),
      [this, permission, body = std::move(body), tenant_path](const http::Request& request,
                                                              http::Responder& responder) {
        return Serve(request, responder, permission, body, tenant_path);
      },
      std::move(doc));
}

asio::awaitable<void> AdminApi::Refresh() {
  core::Status refreshed = co_await deps_.pool.Run([this] { return deps_.snapshots.Refresh(); });
  if (!refreshed) {
    observability::Log(observability::Level::kWarn, "snapshot refresh after an admin write failed",
                       {{"error", refreshed.error().message()}});
  }
}

asio::awaitable<core::Result<Caller>> AdminApi::Authenticate(const http::Request& request) {
  const std::string_view cookie = sessions_ ? CookieValue(request, kSessionCookie) : std::string_view();
  // An explicit key wins over a cookie the browser may send along anyway.
  if (cookie.empty() || !PresentedSecret(request).empty()) {
    const std::shared_ptr<const governance::Snapshot> snapshot = deps_.snapshots.Current();
    co_return AuthenticateKey(request, *snapshot, NowMs());
  }
  std::string id(cookie);
  Sessions* sessions = sessions_.get();
  const std::int64_t now_ms = NowMs();
  // By reference: g++ 12 destroys a by-value capture of a prvalue lambda
  // handed to a coroutine twice. `id` lives in this frame across the wait.
  core::Result<ResumedSession> resumed =
      co_await deps_.pool.Run([sessions, &id, now_ms] { return sessions->Resume(id, now_ms); });
  if (!resumed) co_return resumed.error();
  if (ChangesState(request.method()) && !CsrfMatches(request, id)) {
    co_return core::Error(core::ErrorCode::kPermissionDenied,
                          "a state-changing call made with a console session must carry the x-strata-csrf header "
                          "given at sign-in (also in GET /auth/me)");
  }
  co_return SessionCaller(resumed->user);
}

asio::awaitable<void> AdminApi::RecordAction(const Call& call, int status) {
  const Caller& caller = call.caller;
  const auto method = call.request.method_string();
  core::JsonWriter payload(256);
  payload.Field("action").String(std::string(method.data(), method.size()) + " " + std::string(call.responder.route()));
  payload.Field("path").String(std::string_view(call.request.target().data(), call.request.target().size()));
  payload.Field("status").Number(status);
  payload.Field("request_id").String(call.responder.request_id());
  payload.Field("actor_key_id").String(caller.key_id);
  payload.Field("actor_user_id").String(caller.user_id);
  payload.Field("actor_role").String(governance::RoleName(caller.role));
  payload.Field("actor_tenant").String(caller.tenant_id);
  store::Record record;
  record.id = core::NewTimeOrderedId();
  record.created_at_ms = NowMs();
  record.kind = "audit";
  // The chain of the tenant acted on; a platform-wide change goes to the platform's.
  record.tenant = !call.tenant_id.empty() ? call.tenant_id
                 : !call.acted_on_tenant.empty() ? call.acted_on_tenant
                                                 : caller.tenant_id;
  record.payload = std::move(payload).Finish();
  core::Status queued = co_await deps_.audit->Push(std::move(record));
  if (!queued) {
    observability::Log(observability::Level::kError, "admin action not recorded",
                       {{"request_id", call.responder.request_id()}, {"error", queued.error().message()}});
  }
}

asio::awaitable<void> AdminApi::Serve(const http::Request& request, http::Responder& responder,
                                      governance::Permission permission, const RouteBody& body, bool tenant_path) {
  const auto fail = [&](const core::Error& error) -> asio::awaitable<void> {
    http::Response response = http::ErrorResponse(error, request.version());
    co_await responder.Send(std::move(response));
  };
  core::Result<Caller> caller = co_await Authenticate(request);
  if (!caller) {
    co_await fail(caller.error());
    co_return;
  }
  if (!caller->Can(permission)) {
    co_await fail(core::Error(core::ErrorCode::kPermissionDenied,
                              "the role '" + std::string(governance::RoleName(caller->role)) + "' lacks the '" +
                                  std::string(governance::PermissionName(permission)) + "' permission"));
    co_return;
  }
  Call call{request, responder, std::move(*caller), {}};
  if (tenant_path) {
    const std::string_view tenant_id = responder.PathParam("tenant_id");
    // Another tenant's id reads as not found, never as forbidden: existence is not disclosed.
    const std::shared_ptr<const governance::Snapshot> snapshot = deps_.snapshots.Current();
    if (!call.caller.Reaches(tenant_id) || snapshot->FindTenant(tenant_id) == nullptr) {
      co_await fail(core::Error::NotFound("no tenant '" + std::string(tenant_id) + "'"));
      co_return;
    }
    call.tenant_id = std::string(tenant_id);
  }
  core::Result<Reply> reply = co_await body(call);
  if (!reply) {
    co_await fail(reply.error());
    co_return;
  }
  // Recorded before the answer: a caller told "done" can count on the entry.
  if (deps_.audit != nullptr && ChangesState(request.method())) co_await RecordAction(call, reply->status);
  co_await responder.Send(JsonReply(reply->body, request.version(), reply->status));
}

}  // namespace strata::admin
