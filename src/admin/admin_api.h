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
#include "store/policy_store.h"
#include "store/retention_store.h"
#include "store/review_store.h"
#include "store/session_store.h"
#include "store/write_behind.h"

namespace strata::review {
class ReviewQueue;
}
namespace strata::policy {
class PolicySource;
}
namespace strata::privacy {
class RetentionJob;
class SubjectRequests;
}

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
  // Every successful state-changing call is recorded here, in the audit
  // chain of the tenant it acted on (docs/AUDIT.md); null: not recorded.
  store::WriteBehindQueue* audit = nullptr;
  // The inference log and audit entries, read back (routes_records.cc); null: no routes.
  store::RecordStore* records = nullptr;
  // The review routes (/admin/v1/reviews, /admin/v1/feedback) when both are
  // set; a decision goes through the queue, which wakes requests waiting on it.
  store::ReviewStore* reviews = nullptr;
  review::ReviewQueue* review_queue = nullptr;
  // The policy routes (/admin/v1/policy, /admin/v1/tenants/{tenant_id}/policy)
  // when set. With policy_source, a PUT also reloads the policy in force here.
  store::PolicyStore* policies = nullptr;
  policy::PolicySource* policy_source = nullptr;
  // Retention (/admin/v1/retention*, /admin/v1/tenants/{tenant_id}/retention)
  // when both are set; data-subject requests
  // (/admin/v1/tenants/{tenant_id}/subjects/*) when `subjects` is set
  // (routes_privacy.cc, docs/PRIVACY.md).
  store::RetentionStore* retention_rules = nullptr;
  privacy::RetentionJob* retention = nullptr;
  privacy::SubjectRequests* subjects = nullptr;
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
  // The tenant a write acted on when its path does not name it (a review's):
  // its audit entry goes to that tenant's chain. Set by the route.
  std::string acted_on_tenant;

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
  // Writes one audit entry for a state-changing call that succeeded.
  boost::asio::awaitable<void> RecordAction(const Call& call, int status);
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
void AddRecordRoutes(AdminApi& api, http::Router& router);
// /admin/v1/reviews and /admin/v1/feedback (routes_reviews.cc); nothing without deps().reviews.
void AddReviewRoutes(AdminApi& api, http::Router& router);
// Versioned policy documents (routes_policies.cc); nothing without deps().policies.
void AddPolicyRoutes(AdminApi& api, http::Router& router);
// /auth: local and OIDC sign-in, logout, who am I (routes_auth.cc). Nothing
// without deps().sessions; /auth/oidc/* only with deps().oidc.
void AddAuthRoutes(AdminApi& api, http::Router& router);
// Retention rules and runs, data-subject export and erase (routes_privacy.cc);
// each group only with its deps (see AdminDeps).
void AddPrivacyRoutes(AdminApi& api, http::Router& router);

std::int64_t NowMs();

}  // namespace strata::admin
