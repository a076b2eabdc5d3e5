// Rate limits and budgets on a tenant, one of its teams, or one of its keys.
#include "admin/route_helpers.h"
#include "admin/rows_json.h"
#include "governance/limit_rules.h"

namespace strata::admin {
namespace {

struct Scope {
  std::string type;
  std::string id;
};

// Reads scope_type and scope_id and checks the scope is the tenant's own.
asio::awaitable<core::Result<Scope>> ReadScope(AdminApi& api, const Call& call, Body& body) {
  STRATA_TRY(type, body.RequiredString("scope_type"));
  STRATA_TRY(id, body.OptionalString("scope_id"));
  Scope scope{*type, id->value_or("")};
  store::GovernanceStore& db = api.deps().store;
  if (scope.type == "tenant") {
    if (scope.id.empty()) scope.id = call.tenant_id;
    if (scope.id != call.tenant_id) co_return core::Error::InvalidRequest("'scope_id' must be this tenant's id", "scope_id");
  } else if (scope.type == "team") {
    STRATA_TRY(team, co_await api.Blocking([&] { return db.GetTeam(call.tenant_id, scope.id); }));
  } else if (scope.type == "key") {
    STRATA_TRY(key, co_await api.Blocking([&] { return db.GetKey(call.tenant_id, scope.id); }));
  } else {
    co_return core::Error::InvalidRequest("'scope_type' must be 'tenant', 'team' or 'key'", "scope_type");
  }
  co_return scope;
}

http::RouteDoc ScopedListDoc(std::string id, std::string summary, std::string_view component) {
  http::RouteDoc doc = ListDoc(std::move(id), std::move(summary), "limits", component);
  doc.query.push_back({"scope_type", R"({"enum":["tenant","team","key"]})", "only this kind of scope"});
  doc.query.push_back({"scope_id", R"({"type":"string"})", "only this scope"});
  return doc;
}

store::ListQuery ScopedQuery(const Call& call, const PageParams& page) {
  store::ListQuery query = Query(call, page);
  query.scope_type = QueryParam(call.request, "scope_type").value_or("");
  query.scope_id = QueryParam(call.request, "scope_id").value_or("");
  return query;
}

// A budget with what its scope spent and holds reserved in the current
// period, as this node's limits backend counts it.
asio::awaitable<json::object> BudgetWithState(AdminApi& api, const store::BudgetRow& row) {
  json::object budget = BudgetJson(row);
  if (api.deps().limits == nullptr) co_return budget;
  const std::int64_t spent_before = api.deps().snapshots.Current()->SpentAtLoad(row.id);
  core::Result<limits::Backend::BudgetState> state = co_await api.deps().limits->ReadBudget(
      governance::BudgetRuleFor(row, spent_before), limits::SystemClock::now());
  if (state) {
    budget["spent_usd"] = Usd(state->spent_nano_usd);
    budget["reserved_usd"] = Usd(state->reserved_nano_usd);
    budget["remaining_usd"] = Usd(std::max<std::int64_t>(0, row.limit_nano_usd - state->spent_nano_usd -
                                                               state->reserved_nano_usd));
  }
  co_return budget;
}

}  // namespace

void AddLimitRoutes(AdminApi& api, http::Router& router) {
  store::GovernanceStore& db = api.deps().store;
  const std::string schema_rate_limit =
      R"({"type":"object","required":["scope_type"],"additionalProperties":false,"properties":{)"
      R"("scope_type":{"enum":["tenant","team","key"]},"scope_id":{"type":"string"},)"
      R"("requests_per_minute":{"type":"integer","minimum":0},"tokens_per_minute":{"type":"integer","minimum":0},)"
      R"("max_concurrent":{"type":"integer","minimum":0}}})";
  const std::string schema_budget =
      R"({"type":"object","required":["scope_type","limit_usd"],"additionalProperties":false,"properties":{)"
      R"("scope_type":{"enum":["tenant","team","key"]},"scope_id":{"type":"string"},)"
      R"("period":{"enum":["day","month"]},"limit_usd":{"type":"number","minimum":0},)"
      R"("soft_ratio":{"type":"number","minimum":0,"maximum":1}}})";
  constexpr std::int64_t kMaxRate = 1'000'000'000;

  api.Add(router, verb::get, "/admin/v1/tenants/{tenant_id}/rate-limits", Permission::kLimitsRead,
          ScopedListDoc("listRateLimits", "List a tenant's rate limits", "RateLimit"),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(page, ReadPageParams(call.request));
            STRATA_TRY(rows, co_await api.Blocking([&] { return db.ListRateLimits(ScopedQuery(call, *page)); }));
            co_return ListReplyOf(*rows, RateLimitJson);
          });
  api.Add(router, verb::put, "/admin/v1/tenants/{tenant_id}/rate-limits", Permission::kLimitsWrite,
          Doc("putRateLimit", "Set the rate limit of a scope (replaces the one it had); 0 means no limit", "limits",
              schema_rate_limit, Ref("RateLimit")),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(body, Body::Parse(call.request));
            STRATA_TRY(rpm, body->OptionalInteger("requests_per_minute", 0, kMaxRate));
            STRATA_TRY(tpm, body->OptionalInteger("tokens_per_minute", 0, kMaxRate));
            STRATA_TRY(concurrent, body->OptionalInteger("max_concurrent", 0, kMaxRate));
            STRATA_TRY(scope, co_await ReadScope(api, call, *body));
            if (auto done = body->Finish(); !done) co_return done.error();
            store::RateLimitRow row;
            row.tenant_id = call.tenant_id;
            row.scope_type = scope->type;
            row.scope_id = scope->id;
            row.requests_per_minute = rpm->value_or(0);
            row.tokens_per_minute = tpm->value_or(0);
            row.max_concurrent = concurrent->value_or(0);
            STRATA_TRY(stored, co_await api.Blocking([&] { return db.PutRateLimit(row); }));
            co_await api.Refresh();
            co_return Reply{200, RateLimitJson(*stored)};
          });
  api.Add(router, verb::delete_, "/admin/v1/tenants/{tenant_id}/rate-limits/{limit_id}", Permission::kLimitsWrite,
          Doc("deleteRateLimit", "Remove a rate limit", "limits", "", Ref("Deleted")),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            const std::string id(call.Param("limit_id"));
            STRATA_TRY(done, co_await api.Blocking([&] { return db.DeleteRateLimit(call.tenant_id, id); }));
            co_await api.Refresh();
            co_return Reply{200, Deleted(id)};
          });

  api.Add(router, verb::get, "/admin/v1/tenants/{tenant_id}/budgets", Permission::kLimitsRead,
          ScopedListDoc("listBudgets", "List a tenant's budgets with their spend in the current period", "Budget"),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(page, ReadPageParams(call.request));
            STRATA_TRY(rows, co_await api.Blocking([&] { return db.ListBudgets(ScopedQuery(call, *page)); }));
            json::array data;
            for (const store::BudgetRow& row : rows->rows) {
              json::object budget = co_await BudgetWithState(api, row);  // not inside push_back(): g++ 12
              data.push_back(std::move(budget));
            }
            co_return Reply{200, ListReply(std::move(data), rows->next_after_id)};
          });
  api.Add(router, verb::put, "/admin/v1/tenants/{tenant_id}/budgets", Permission::kLimitsWrite,
          Doc("putBudget", "Set the budget of a scope for a period (replaces the one it had)", "limits",
              schema_budget, Ref("Budget")),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(body, Body::Parse(call.request));
            STRATA_TRY(period, body->OptionalString("period"));
            STRATA_TRY(limit_usd, body->OptionalNumber("limit_usd", 0, 1e9));
            STRATA_TRY(soft_ratio, body->OptionalNumber("soft_ratio", 0, 1));
            STRATA_TRY(scope, co_await ReadScope(api, call, *body));
            if (auto done = body->Finish(); !done) co_return done.error();
            if (!*limit_usd) co_return core::Error::InvalidRequest("'limit_usd' is required", "limit_usd");
            store::BudgetRow row;
            row.tenant_id = call.tenant_id;
            row.scope_type = scope->type;
            row.scope_id = scope->id;
            row.period = period->value_or("month");
            if (row.period != "day" && row.period != "month") {
              co_return core::Error::InvalidRequest("'period' must be 'day' or 'month'", "period");
            }
            row.limit_nano_usd = NanoUsd(**limit_usd);
            row.soft_ratio = soft_ratio->value_or(0.8);
            STRATA_TRY(stored, co_await api.Blocking([&] { return db.PutBudget(row); }));
            co_await api.Refresh();
            json::object budget = co_await BudgetWithState(api, *stored);
            co_return Reply{200, std::move(budget)};
          });
  api.Add(router, verb::delete_, "/admin/v1/tenants/{tenant_id}/budgets/{budget_id}", Permission::kLimitsWrite,
          Doc("deleteBudget", "Remove a budget", "limits", "", Ref("Deleted")),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            const std::string id(call.Param("budget_id"));
            STRATA_TRY(done, co_await api.Blocking([&] { return db.DeleteBudget(call.tenant_id, id); }));
            co_await api.Refresh();
            co_return Reply{200, Deleted(id)};
          });
}

}  // namespace strata::admin
