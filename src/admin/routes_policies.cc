// Versioned policy documents (docs/POLICY.md, "Loading policies through the
// admin API"): the platform's, edited by platform admins, and each tenant's,
// edited by its own admins. Every PUT stores a new version; history is kept.
#include <charconv>

#include "admin/route_helpers.h"
#include "observability/log.h"
#include "policy/document.h"
#include "policy/policy.h"
#include "policy/source.h"
#include "store/policy_store.h"

namespace strata::admin {
namespace {

constexpr std::size_t kMaxSourceBytes = 256 * 1024;
// The `source` ParseDocument's messages start with; replaced by "line N".
constexpr std::string_view kSourceName = "policy";

std::string LabelOf(const store::PolicyVersion& row) {
  const std::string version = "@v" + std::to_string(row.version);
  return row.scope.empty() ? "platform" + version : "tenant:" + row.scope + version;
}

json::object PolicyJson(const store::PolicyVersion& row) {
  return {{"object", "policy"},
          {"scope", row.scope.empty() ? "platform" : "tenant"},
          {"tenant_id", row.scope.empty() ? json::value(nullptr) : json::value(row.scope)},
          {"version", row.version},
          {"label", LabelOf(row)},
          {"source", row.source},
          {"created_at", row.created_at_ms / 1000},
          {"created_by", row.created_by}};
}

// "line 3: message" (a problem with no line, such as an empty document,
// keeps just its message).
std::string Shown(const policy::ParseProblem& problem) {
  return problem.line > 0 ? "line " + std::to_string(problem.line) + ": " + problem.message : problem.message;
}

// The request's `source` (strict: nothing else in the body).
core::Result<std::string> ReadSource(const http::Request& request) {
  core::Result<Body> body = Body::Parse(request);
  if (!body) return body.error();
  core::Result<std::string> source = body->RequiredString("source");
  if (!source) return source.error();
  if (core::Status done = body->Finish(); !done) return done.error();
  if (source->size() > kMaxSourceBytes) {
    return core::Error::InvalidRequest("'source' must be at most 256 KiB", "source");
  }
  return std::move(*source);
}

// Parses `source` as `scope`'s document; the error lists every problem.
core::Result<std::shared_ptr<const policy::Document>> Check(const std::string& source, const std::string& scope) {
  std::vector<policy::ParseProblem> problems;
  core::Result<std::shared_ptr<const policy::Document>> document =
      policy::ParseDocument(source, kSourceName, scope, scope.empty() ? "platform" : "tenant:" + scope, &problems);
  if (document) return document;
  std::string message = "the policy document is invalid:";
  for (const policy::ParseProblem& problem : problems) message += "\n" + Shown(problem);
  return core::Error::InvalidRequest(std::move(message), "source");
}

core::Result<std::int64_t> ReadVersion(std::string_view text, std::string_view field) {
  std::int64_t version = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (ec != std::errc() || end != text.data() + text.size() || version < 1) {
    return core::Error::InvalidRequest("'" + std::string(field) + "' must be a version number (1, 2, ...)",
                                       std::string(field));
  }
  return version;
}

std::string ScopeName(const std::string& scope) {
  return scope.empty() ? "the platform policy" : "the policy of tenant '" + scope + "'";
}

// Platform routes: only platform principals, whatever their role. A tenant's
// principal may not read the platform document either: it may name other
// tenants (`when: tenants:`), and tenants are never disclosed to each other.
core::Status PlatformOnly(const Call& call) {
  if (call.caller.platform()) return {};
  return core::Error(core::ErrorCode::kPermissionDenied,
                     "the platform policy is for platform principals; a tenant's admins use "
                     "/admin/v1/tenants/{tenant_id}/policy");
}

// The scope a route works on: the platform ("") or the path's tenant.
core::Result<std::string> ScopeOf(const Call& call, bool platform) {
  if (!platform) return call.tenant_id;
  if (core::Status allowed = PlatformOnly(call); !allowed) return allowed.error();
  return std::string();
}

void AddScopeRoutes(AdminApi& api, http::Router& router, bool platform) {
  store::PolicyStore& policies = *api.deps().policies;
  policy::PolicySource* source = api.deps().policy_source;
  const std::string base = platform ? "/admin/v1/policy" : "/admin/v1/tenants/{tenant_id}/policy";
  const std::string id = platform ? "PlatformPolicy" : "TenantPolicy";
  const std::string whose = platform ? "the platform" : "a tenant";
  const std::string schema_put =
      R"({"type":"object","required":["source"],"additionalProperties":false,"properties":{)"
      R"("source":{"type":"string","minLength":1,"description":"the YAML document, docs/POLICY.md"}}})";

  api.Add(router, verb::get, base, Permission::kPoliciesRead,
          Doc("get" + id, "The version of " + whose + "'s policy document in force; 404 when none is stored",
              "policies", "", Ref("Policy")),
          [&api, &policies, platform](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(scope, ScopeOf(call, platform));
            STRATA_TRY(latest, co_await api.Blocking([&] { return policies.Latest(*scope); }));
            if (!latest->has_value()) co_return core::Error::NotFound("no version of " + ScopeName(*scope) + " is stored");
            co_return Reply{200, PolicyJson(**latest)};
          });

  api.Add(router, verb::put, base, Permission::kPoliciesWrite,
          Doc("put" + id,
              "Store a new version of " + whose + "'s policy document, in force at once; 400 listing every "
              "problem (line N: ...) when it is invalid",
              "policies", schema_put, Ref("Policy"), 201),
          [&api, &policies, source, platform](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(scope, ScopeOf(call, platform));
            STRATA_TRY(text, ReadSource(call.request));
            STRATA_TRY(document, Check(*text, *scope));
            const std::string author = call.caller.actor_id();
            const std::int64_t now = NowMs();
            STRATA_TRY(stored, co_await api.Blocking([&] { return policies.Put(*scope, *text, author, now); }));
            observability::Log(observability::Level::kInfo, "policy version stored",
                               {{"policy", LabelOf(*stored)}, {"created_by", author}});
            if (source != nullptr) {
              // So that this node applies it at once (others within their refresh interval).
              core::Status reloaded = co_await api.Blocking([source] { return source->Reload(); });
              if (!reloaded) {
                observability::Log(observability::Level::kWarn, "policy reload after a PUT failed",
                                   {{"error", reloaded.error().message()}});
              }
            }
            co_return Reply{201, PolicyJson(*stored)};
          });

  api.Add(router, verb::get, base + "/versions", Permission::kPoliciesRead,
          ListDoc("list" + id + "Versions", "Every stored version of " + whose + "'s policy document, newest first",
                  "policies", "Policy"),
          [&api, &policies, platform](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(scope, ScopeOf(call, platform));
            STRATA_TRY(page, ReadPageParams(call.request));
            std::int64_t before = 0;
            if (!page->after.empty()) {
              STRATA_TRY(after, ReadVersion(page->after, "after"));
              before = *after;
            }
            const int limit = page->limit;
            STRATA_TRY(rows, co_await api.Blocking([&] { return policies.List(*scope, before, limit); }));
            co_return ListReplyOf(*rows, PolicyJson);
          });

  http::RouteDoc get_version = Doc("get" + id + "Version", "One stored version of " + whose + "'s policy document",
                                   "policies", "", Ref("Policy"));
  api.Add(router, verb::get, base + "/versions/{version}", Permission::kPoliciesRead, std::move(get_version),
          [&api, &policies, platform](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(scope, ScopeOf(call, platform));
            STRATA_TRY(version, ReadVersion(call.Param("version"), "version"));
            const std::int64_t wanted = *version;
            STRATA_TRY(row, co_await api.Blocking([&] { return policies.Get(*scope, wanted); }));
            if (!row->has_value()) {
              co_return core::Error::NotFound("no version " + std::to_string(wanted) + " of " + ScopeName(*scope));
            }
            co_return Reply{200, PolicyJson(**row)};
          });
}

}  // namespace

void AddPolicyRoutes(AdminApi& api, http::Router& router) {
  if (api.deps().policies == nullptr) return;
  AddScopeRoutes(api, router, /*platform=*/true);
  AddScopeRoutes(api, router, /*platform=*/false);

  const std::string schema_validate =
      R"({"type":"object","required":["source"],"additionalProperties":false,"properties":{)"
      R"("source":{"type":"string","minLength":1}}})";
  api.Add(router, verb::post, "/admin/v1/policy/validate", Permission::kPoliciesRead,
          Doc("validatePolicy",
              "Check a policy document without storing it: its rule names, or every problem (line N: ...)",
              "policies", schema_validate, Ref("PolicyValidation")),
          [](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(text, ReadSource(call.request));
            std::vector<policy::ParseProblem> problems;
            core::Result<std::shared_ptr<const policy::Document>> document =
                policy::ParseDocument(*text, kSourceName, call.caller.tenant_id, "validate", &problems);
            json::object reply;
            if (document) {
              json::array rules;
              for (const policy::Rule& rule : (*document)->rules) rules.push_back(json::value(rule.name));
              reply = {{"valid", true}, {"rules", std::move(rules)}};
            } else {
              json::array errors;
              for (const policy::ParseProblem& problem : problems) errors.push_back(json::value(Shown(problem)));
              reply = {{"valid", false}, {"errors", std::move(errors)}};
            }
            co_return Reply{200, std::move(reply)};
          });
}

}  // namespace strata::admin
