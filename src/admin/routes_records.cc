// The inference log and audit entries of a tenant, read back: metadata and
// decision records, never content (a data subject's content is exported
// through the subject routes, docs/PRIVACY.md).
#include "admin/route_helpers.h"
#include "core/json_values.h"

namespace strata::admin {
namespace {

json::object RecordJson(const store::RecordSummary& row) {
  return {{"id", row.id},
          {"object", "record"},
          {"kind", row.kind},
          {"created_at_ms", row.created_at_ms},
          {"has_content", row.has_content},
          {"record", core::ParsedOrText(row.payload)}};
}

}  // namespace

void AddRecordRoutes(AdminApi& api, http::Router& router) {
  store::RecordStore* records = api.deps().records;
  if (records == nullptr) return;
  http::RouteDoc list = ListDoc("listRecords", "A tenant's inference records and audit entries, newest first", "audit",
                                "LogRecord");
  list.query.push_back({"kind", R"({"enum":["inference","audit"]})", "only this kind"});
  api.Add(router, verb::get, "/admin/v1/tenants/{tenant_id}/records", Permission::kAuditRead, std::move(list),
          [&api, records](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(page, ReadPageParams(call.request));
            store::RecordQuery query;
            query.tenant = call.tenant_id;
            query.kind = QueryParam(call.request, "kind").value_or("");
            query.before_id = page->after;
            query.limit = static_cast<std::size_t>(page->limit) + 1;  // one more: is there a next page?
            STRATA_TRY(rows, co_await api.Blocking([&] { return records->List(query); }));
            const bool more = rows->size() > static_cast<std::size_t>(page->limit);
            if (more) rows->pop_back();
            json::array data;
            for (const store::RecordSummary& row : *rows) data.push_back(RecordJson(row));
            co_return Reply{200, ListReply(std::move(data), more ? rows->back().id : "")};
          });
  api.Add(router, verb::get, "/admin/v1/tenants/{tenant_id}/records/{record_id}", Permission::kAuditRead,
          Doc("getRecord", "One inference record or audit entry, with its decision record", "audit", "",
              Ref("LogRecord")),
          [&api, records](Call& call) -> asio::awaitable<core::Result<Reply>> {
            store::RecordQuery query;
            query.tenant = call.tenant_id;  // another tenant's record reads as not found
            query.id = std::string(call.Param("record_id"));
            query.limit = 1;
            STRATA_TRY(rows, co_await api.Blocking([&] { return records->List(query); }));
            if (rows->empty()) co_return core::Error::NotFound("no record '" + query.id + "'");
            co_return Reply{200, RecordJson(rows->front())};
          });
}

}  // namespace strata::admin
