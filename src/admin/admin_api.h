#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include "admin/caller.h"
#include "admin/options.h"
#include "governance/roles.h"
#include "governance/snapshot.h"
#include "http/server.h"
#include "limits/limits.h"
#include "oidc/options.h"
#include "store/blocking_pool.h"
#include "store/governance_store.h"
#include "store/session_store.h"

namespace strata::admin {

// What the admin API works on. All must outlive the server.
struct AdminDeps {
  store::GovernanceStore& store;
  store::BlockingPool& pool;  // every store call runs here, never on an io thread
  governance::SnapshotSource& snapshots;
  limits::Backend* limits = nullptr;  // for live budget state; may be null
  // Console sign-in: when set, admin calls also accept a session cookie and
  // the /auth routes are served (docs/ADMIN_API.md, "Console sessions").
  store::SessionStore* sessions = nullptr;
  ConsoleOptions console = {};
  // OpenID Connect sign-in (/auth/oidc/*) when set; must have passed
  // oidc::Validate. Needs `sessions`.
  const oidc::OidcOptions* oidc = nullptr;
};

class Sessions;

// One admin request, authenticated and authorized, as a route's body sees it.
struct Call {
  const http::Request& request;
  http::Responder& responder;
  Caller caller;
  // The {tenant_id} of the path, checked to be one the caller reaches; empty
  // for routes without one.
  std::string tenant_id;

  std::string_view Param(std::string_view name) const { return responder.PathParam(name); }
};

struct Reply {
  int status = 200;
  boost::json::value body;
};

using RouteBody = std::function<boost::asio::awaitable<core::Result<Reply>>(Call&)>;

// The REST API under /admin/v1 (docs/ADMIN_API.md): tenants, teams, users,
// keys, rate limits, budgets and spend. Every route checks one permission
// (governance/roles.h) and, when its path names a tenant, that the caller
// reaches it (a tenant's principal sees another tenant as not found). JSON in
// and out, cursor-paginated lists, the shared error envelope.
class AdminApi {
 public:
  explicit AdminApi(AdminDeps deps);
  ~AdminApi();

  void AddRoutes(http::Router& router);

  // The reusable schemas the routes' documentation refers to.
  static std::map<std::string, std::string> Schemas();

  // Registers one route: authenticate, check `permission`, check the tenant,
  // run `body`, answer its Reply (or its error) as JSON.
  void Add(http::Router& router, http::beast_http::verb method, std::string pattern,
           governance::Permission permission, http::RouteDoc doc, RouteBody body);

  // Runs `work` (a store call) on the blocking pool.
  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F>> Blocking(F work) {
    co_return co_await deps_.pool.Run(std::move(work));
  }
  // After a write: reload the snapshot, so this node sees the change at once
  // (others within their refresh interval).
  boost::asio::awaitable<void> Refresh();

  // Who is calling: the key presented (`Authorization: Bearer` or
  // `x-api-key`) when there is one, else the console session cookie. A
  // session must be live (Sessions::Resume, a store read on the blocking
  // pool) and, for a state-changing method, the request must carry the
  // session's x-strata-csrf token (403 otherwise). kUnauthenticated with one
  // message when there is no usable credential.
  boost::asio::awaitable<core::Result<Caller>> Authenticate(const http::Request& request);

  AdminDeps& deps() { return deps_; }
  // Null when console sign-in is off (no session store).
  Sessions* sessions() { return sessions_.get(); }

 private:
  boost::asio::awaitable<void> Serve(const http::Request& request, http::Responder& responder,
                                     governance::Permission permission, const RouteBody& body, bool tenant_path);

  AdminDeps deps_;
  std::unique_ptr<Sessions> sessions_;
};

// The route groups, one file each.
void AddTenantRoutes(AdminApi& api, http::Router& router);
void AddKeyRoutes(AdminApi& api, http::Router& router);
void AddLimitRoutes(AdminApi& api, http::Router& router);
void AddSpendRoutes(AdminApi& api, http::Router& router);
// /auth: local and OIDC sign-in, logout, who am I (routes_auth.cc). Nothing
// without deps().sessions; /auth/oidc/* only with deps().oidc.
void AddAuthRoutes(AdminApi& api, http::Router& router);

std::int64_t NowMs();

}  // namespace strata::admin
