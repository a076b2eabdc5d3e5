#pragma once

// What every admin route file uses: result unwrapping, list replies, docs.

#include <string>
#include <string_view>

#include "admin/admin_api.h"
#include "admin/request_io.h"
#include "admin/schemas.h"

namespace strata::admin {

namespace asio = boost::asio;
namespace json = boost::json;
using governance::Permission;
using verb = boost::beast::http::verb;

// Unwraps a Result inside a route body, answering its error when it failed.
#define STRATA_TRY(var, expr) \
  auto var = (expr);          \
  if (!var) co_return var.error()

template <class Row, class ToJson>
inline Reply ListReplyOf(const store::Page<Row>& page, ToJson to_json) {
  json::array data;
  for (const Row& row : page.rows) data.push_back(to_json(row));
  return {200, ListReply(std::move(data), page.next_after_id)};
}

inline store::ListQuery Query(const Call& call, const PageParams& page) {
  store::ListQuery query;
  query.tenant_id = call.tenant_id;
  query.after_id = page.after;
  query.limit = page.limit;
  return query;
}

inline http::RouteDoc Doc(std::string id, std::string summary, std::string tag, std::string request, std::string response,
                   int status = 200) {
  http::RouteDoc doc;
  doc.operation_id = std::move(id);
  doc.summary = std::move(summary);
  doc.tag = std::move(tag);
  doc.request_schema = std::move(request);
  doc.response_schema = std::move(response);
  doc.success_status = status;
  return doc;
}

inline http::RouteDoc ListDoc(std::string id, std::string summary, std::string tag, std::string_view component) {
  http::RouteDoc doc = Doc(std::move(id), std::move(summary), std::move(tag), "", ListOf(component));
  doc.query = {{"limit", std::string(kLimitSchema), "page size, 1 to 500 (default 50)"},
               {"after", R"({"type":"string"})", "the next_after of the previous page"}};
  return doc;
}

inline json::object Deleted(std::string_view id) { return {{"id", id}, {"deleted", true}}; }

// A role the caller may hand out inside a tenant: one whose permissions it
// holds itself, and never `admin`, which is platform-wide.
inline core::Result<std::string> GrantableRole(const Caller& caller, std::string_view name) {
  const std::optional<governance::Role> role = governance::ParseRole(name);
  if (!role) return core::Error::InvalidRequest("'role' must be one of admin, tenant-admin, developer, reviewer, auditor, viewer", "role");
  if (*role == governance::Role::kAdmin) {
    return core::Error::InvalidRequest("'role' admin is platform-wide: create platform admins with `strata keys create --platform`", "role");
  }
  if (!governance::MayGrant(caller.role, *role)) {
    return core::Error(core::ErrorCode::kPermissionDenied, "a " + std::string(governance::RoleName(caller.role)) +
                                                               " cannot grant the role '" + std::string(name) + "'");
  }
  return std::string(name);
}

}  // namespace strata::admin
