// Spend reports from the daily rollup: by tenant, team, key, model and day.
#include <algorithm>

#include "admin/route_helpers.h"
#include "admin/rows_json.h"

namespace strata::admin {
namespace {

constexpr std::string_view kGroupings[] = {"tenant", "team", "key", "model", "day"};

bool IsDay(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

core::Result<store::SpendQuery> ReadSpendQuery(const http::Request& request) {
  store::SpendQuery query;
  query.team_id = QueryParam(request, "team_id").value_or("");
  query.key_id = QueryParam(request, "key_id").value_or("");
  query.model = QueryParam(request, "model").value_or("");
  query.from_day = QueryParam(request, "from").value_or("");
  query.to_day = QueryParam(request, "to").value_or("");
  for (const auto* day : {&query.from_day, &query.to_day}) {
    if (!day->empty() && !IsDay(*day)) {
      return core::Error::InvalidRequest("'from' and 'to' must be days written YYYY-MM-DD", day == &query.from_day ? "from" : "to");
    }
  }
  const std::string group_by = QueryParam(request, "group_by").value_or("model");
  for (std::size_t start = 0; start <= group_by.size();) {
    const std::size_t comma = std::min(group_by.find(',', start), group_by.size());
    const std::string_view column = std::string_view(group_by).substr(start, comma - start);
    if (std::find(std::begin(kGroupings), std::end(kGroupings), column) == std::end(kGroupings)) {
      return core::Error::InvalidRequest("'group_by' takes a comma-separated list of tenant, team, key, model, day",
                                         "group_by");
    }
    query.group_by.emplace_back(column);
    start = comma + 1;
  }
  return query;
}

Reply Report(const store::SpendQuery& query, const std::vector<store::SpendRow>& rows) {
  json::array data;
  for (const store::SpendRow& row : rows) data.push_back(SpendJson(row));
  json::array group_by;
  for (const std::string& column : query.group_by) group_by.emplace_back(column);
  return {200, json::object{{"object", "spend_report"}, {"group_by", std::move(group_by)}, {"data", std::move(data)}}};
}

http::RouteDoc SpendDoc(std::string id, std::string summary) {
  http::RouteDoc doc = Doc(std::move(id), std::move(summary), "spend", "", Ref("SpendReport"));
  doc.query = {{"group_by", R"({"type":"string"})", "comma-separated: tenant, team, key, model, day (default model)"},
               {"from", R"({"type":"string","format":"date"})", "first day, inclusive (UTC)"},
               {"to", R"({"type":"string","format":"date"})", "last day, inclusive (UTC)"},
               {"team_id", R"({"type":"string"})", "only this team"},
               {"key_id", R"({"type":"string"})", "only this key"},
               {"model", R"({"type":"string"})", "only this model"}};
  return doc;
}

}  // namespace

void AddSpendRoutes(AdminApi& api, http::Router& router) {
  store::GovernanceStore& db = api.deps().store;
  api.Add(router, verb::get, "/admin/v1/spend", Permission::kSpendRead,
          SpendDoc("spendReport", "Spend over every tenant the caller reaches"),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(query, ReadSpendQuery(call.request));
            query->tenant_id = call.caller.tenant_id;  // a tenant's principal sees its own spend only
            STRATA_TRY(rows, co_await api.Blocking([&] { return db.QuerySpend(*query); }));
            co_return Report(*query, *rows);
          });
  api.Add(router, verb::get, "/admin/v1/tenants/{tenant_id}/spend", Permission::kSpendRead,
          SpendDoc("tenantSpendReport", "A tenant's spend"),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(query, ReadSpendQuery(call.request));
            query->tenant_id = call.tenant_id;
            STRATA_TRY(rows, co_await api.Blocking([&] { return db.QuerySpend(*query); }));
            co_return Report(*query, *rows);
          });
}

}  // namespace strata::admin
