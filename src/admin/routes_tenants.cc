// Tenants, their teams and their users.
#include "admin/route_helpers.h"
#include "admin/rows_json.h"
#include "governance/secrets.h"

namespace strata::admin {
namespace {

constexpr std::size_t kMinPasswordLength = 12;

}  // namespace

void AddTenantRoutes(AdminApi& api, http::Router& router) {
  store::GovernanceStore& db = api.deps().store;
  const std::string schema_create_tenant =
      R"({"type":"object","required":["name"],"additionalProperties":false,"properties":{)"
      R"("name":{"type":"string","pattern":"^[a-z0-9][a-z0-9-]{0,63}$"},"display_name":{"type":"string"},)"
      R"("metadata":{"type":"object"}}})";
  const std::string schema_update_tenant =
      R"({"type":"object","additionalProperties":false,"properties":{"display_name":{"type":"string"},)"
      R"("metadata":{"type":"object"},"disabled":{"type":"boolean"}}})";

  api.Add(router, verb::get, "/admin/v1/tenants", Permission::kTenantsRead,
          ListDoc("listTenants", "List the tenants the caller reaches", "tenants", "Tenant"),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(page, ReadPageParams(call.request));
            store::ListQuery query = Query(call, *page);
            query.tenant_id = call.caller.tenant_id;  // a tenant's principal sees its own tenant only
            STRATA_TRY(rows, co_await api.Blocking([&] { return db.ListTenants(query); }));
            co_return ListReplyOf(*rows, TenantJson);
          });

  api.Add(router, verb::post, "/admin/v1/tenants", Permission::kTenantsWrite,
          Doc("createTenant", "Create a tenant", "tenants", schema_create_tenant, Ref("Tenant"), 201),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            if (!call.caller.platform()) {
              co_return core::Error(core::ErrorCode::kPermissionDenied, "only platform admins create tenants");
            }
            STRATA_TRY(body, Body::Parse(call.request));
            store::TenantRow row;
            STRATA_TRY(name, body->RequiredString("name"));
            STRATA_TRY(display_name, body->OptionalString("display_name"));
            STRATA_TRY(metadata, body->OptionalObjectText("metadata"));
            if (auto done = body->Finish(); !done) co_return done.error();
            if (auto valid = CheckName("name", *name); !valid) co_return valid.error();
            row.name = *name;
            row.display_name = display_name->value_or(*name);
            row.metadata_json = metadata->value_or("{}");
            STRATA_TRY(created, co_await api.Blocking([&] { return db.CreateTenant(row); }));
            co_await api.Refresh();
            co_return Reply{201, TenantJson(*created)};
          });

  api.Add(router, verb::get, "/admin/v1/tenants/{tenant_id}", Permission::kTenantsRead,
          Doc("getTenant", "Get a tenant", "tenants", "", Ref("Tenant")),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(row, co_await api.Blocking([&] { return db.GetTenant(call.tenant_id); }));
            co_return Reply{200, TenantJson(*row)};
          });

  api.Add(router, verb::patch, "/admin/v1/tenants/{tenant_id}", Permission::kTenantsWrite,
          Doc("updateTenant", "Update a tenant's display name, metadata or disabled flag", "tenants",
              schema_update_tenant, Ref("Tenant")),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(body, Body::Parse(call.request));
            STRATA_TRY(display_name, body->OptionalString("display_name"));
            STRATA_TRY(metadata, body->OptionalObjectText("metadata"));
            STRATA_TRY(disabled, body->OptionalBool("disabled"));
            if (auto done = body->Finish(); !done) co_return done.error();
            STRATA_TRY(row, co_await api.Blocking([&] { return db.GetTenant(call.tenant_id); }));
            if (*display_name) row->display_name = **display_name;
            if (*metadata) row->metadata_json = **metadata;
            if (*disabled) row->disabled = **disabled;
            STRATA_TRY(updated, co_await api.Blocking([&] { return db.UpdateTenant(*row); }));
            co_await api.Refresh();
            co_return Reply{200, TenantJson(*updated)};
          });

  api.Add(router, verb::delete_, "/admin/v1/tenants/{tenant_id}", Permission::kTenantsWrite,
          Doc("deleteTenant", "Delete a tenant with its teams, users, keys, limits and budgets", "tenants", "",
              Ref("Deleted")),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            if (!call.caller.platform()) {
              co_return core::Error(core::ErrorCode::kPermissionDenied, "only platform admins delete tenants");
            }
            STRATA_TRY(done, co_await api.Blocking([&] { return db.DeleteTenant(call.tenant_id); }));
            co_await api.Refresh();
            co_return Reply{200, Deleted(call.tenant_id)};
          });

  // Teams.
  const std::string schema_create_team =
      R"({"type":"object","required":["name"],"additionalProperties":false,"properties":{)"
      R"("name":{"type":"string","pattern":"^[a-z0-9][a-z0-9-]{0,63}$"},"metadata":{"type":"object"}}})";
  api.Add(router, verb::get, "/admin/v1/tenants/{tenant_id}/teams", Permission::kTeamsRead,
          ListDoc("listTeams", "List a tenant's teams", "teams", "Team"),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(page, ReadPageParams(call.request));
            STRATA_TRY(rows, co_await api.Blocking([&] { return db.ListTeams(Query(call, *page)); }));
            co_return ListReplyOf(*rows, TeamJson);
          });
  api.Add(router, verb::post, "/admin/v1/tenants/{tenant_id}/teams", Permission::kTeamsWrite,
          Doc("createTeam", "Create a team", "teams", schema_create_team, Ref("Team"), 201),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(body, Body::Parse(call.request));
            STRATA_TRY(name, body->RequiredString("name"));
            STRATA_TRY(metadata, body->OptionalObjectText("metadata"));
            if (auto done = body->Finish(); !done) co_return done.error();
            if (auto valid = CheckName("name", *name); !valid) co_return valid.error();
            store::TeamRow row;
            row.tenant_id = call.tenant_id;
            row.name = *name;
            row.metadata_json = metadata->value_or("{}");
            STRATA_TRY(created, co_await api.Blocking([&] { return db.CreateTeam(row); }));
            co_await api.Refresh();
            co_return Reply{201, TeamJson(*created)};
          });
  api.Add(router, verb::get, "/admin/v1/tenants/{tenant_id}/teams/{team_id}", Permission::kTeamsRead,
          Doc("getTeam", "Get a team", "teams", "", Ref("Team")),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(row, co_await api.Blocking([&] { return db.GetTeam(call.tenant_id, call.Param("team_id")); }));
            co_return Reply{200, TeamJson(*row)};
          });
  api.Add(router, verb::delete_, "/admin/v1/tenants/{tenant_id}/teams/{team_id}", Permission::kTeamsWrite,
          Doc("deleteTeam", "Delete a team", "teams", "", Ref("Deleted")),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            const std::string id(call.Param("team_id"));
            STRATA_TRY(done, co_await api.Blocking([&] { return db.DeleteTeam(call.tenant_id, id); }));
            co_await api.Refresh();
            co_return Reply{200, Deleted(id)};
          });

  // Users and service accounts.
  const std::string schema_create_user =
      R"({"type":"object","required":["role"],"additionalProperties":false,"properties":{)"
      R"("kind":{"enum":["user","service"]},"email":{"type":"string"},"display_name":{"type":"string"},)"
      R"("role":{"enum":["tenant-admin","developer","reviewer","auditor","viewer"]},"team_id":{"type":"string"},)"
      R"("password":{"type":"string","minLength":12}}})";
  const std::string schema_update_user =
      R"({"type":"object","additionalProperties":false,"properties":{"display_name":{"type":"string"},)"
      R"("role":{"enum":["tenant-admin","developer","reviewer","auditor","viewer"]},"team_id":{"type":["string","null"]},)"
      R"("password":{"type":"string","minLength":12},"disabled":{"type":"boolean"}}})";
  api.Add(router, verb::get, "/admin/v1/tenants/{tenant_id}/users", Permission::kUsersRead,
          ListDoc("listUsers", "List a tenant's users and service accounts", "users", "User"),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(page, ReadPageParams(call.request));
            STRATA_TRY(rows, co_await api.Blocking([&] { return db.ListUsers(Query(call, *page)); }));
            co_return ListReplyOf(*rows, UserJson);
          });
  api.Add(router, verb::post, "/admin/v1/tenants/{tenant_id}/users", Permission::kUsersWrite,
          Doc("createUser", "Create a user (signs in to the console) or a service account (owns keys)", "users",
              schema_create_user, Ref("User"), 201),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(body, Body::Parse(call.request));
            STRATA_TRY(kind, body->OptionalString("kind"));
            STRATA_TRY(email, body->OptionalString("email"));
            STRATA_TRY(display_name, body->OptionalString("display_name"));
            STRATA_TRY(role_name, body->RequiredString("role"));
            STRATA_TRY(team_id, body->OptionalString("team_id"));
            STRATA_TRY(password, body->OptionalString("password"));
            if (auto done = body->Finish(); !done) co_return done.error();
            store::UserRow row;
            row.tenant_id = call.tenant_id;
            row.kind = kind->value_or("user");
            if (row.kind != "user" && row.kind != "service") {
              co_return core::Error::InvalidRequest("'kind' must be 'user' or 'service'", "kind");
            }
            if (row.kind == "user" && (!*email || (*email)->find('@') == std::string::npos)) {
              co_return core::Error::InvalidRequest("'email' must be an email address for a user", "email");
            }
            if (row.kind == "service" && *password) {
              co_return core::Error::InvalidRequest("a service account has no password: give it keys", "password");
            }
            STRATA_TRY(role, GrantableRole(call.caller, *role_name));
            row.role = *role;
            row.email = email->value_or("");
            row.display_name = display_name->value_or(row.email);
            if (*team_id) {
              STRATA_TRY(team, co_await api.Blocking([&] { return db.GetTeam(call.tenant_id, **team_id); }));
              row.team_id = team->id;
            }
            if (*password) {
              if ((*password)->size() < kMinPasswordLength) {
                co_return core::Error::InvalidRequest("'password' must have at least 12 characters", "password");
              }
              STRATA_TRY(hash, co_await api.Blocking([&] { return governance::HashPassword(**password); }));
              row.password_hash = std::move(*hash);
            }
            STRATA_TRY(created, co_await api.Blocking([&] { return db.CreateUser(row); }));
            co_await api.Refresh();
            co_return Reply{201, UserJson(*created)};
          });
  api.Add(router, verb::get, "/admin/v1/tenants/{tenant_id}/users/{user_id}", Permission::kUsersRead,
          Doc("getUser", "Get a user", "users", "", Ref("User")),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(row, co_await api.Blocking([&] { return db.GetUser(call.tenant_id, call.Param("user_id")); }));
            co_return Reply{200, UserJson(*row)};
          });
  api.Add(router, verb::patch, "/admin/v1/tenants/{tenant_id}/users/{user_id}", Permission::kUsersWrite,
          Doc("updateUser", "Change a user's name, role, team, password or disabled flag", "users",
              schema_update_user, Ref("User")),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(body, Body::Parse(call.request));
            STRATA_TRY(display_name, body->OptionalString("display_name"));
            STRATA_TRY(role_name, body->OptionalString("role"));
            STRATA_TRY(team_id, body->OptionalString("team_id"));
            STRATA_TRY(password, body->OptionalString("password"));
            STRATA_TRY(disabled, body->OptionalBool("disabled"));
            if (auto done = body->Finish(); !done) co_return done.error();
            STRATA_TRY(row, co_await api.Blocking([&] { return db.GetUser(call.tenant_id, call.Param("user_id")); }));
            // Changing someone who holds more than the caller would be a way around MayGrant.
            if (const auto current = governance::ParseRole(row->role);
                current && !governance::MayGrant(call.caller.role, *current)) {
              co_return core::Error(core::ErrorCode::kPermissionDenied, "the user holds permissions the caller lacks");
            }
            if (*role_name) {
              STRATA_TRY(role, GrantableRole(call.caller, **role_name));
              row->role = *role;
            }
            if (*display_name) row->display_name = **display_name;
            if (*disabled) row->disabled = **disabled;
            if (*team_id) {
              STRATA_TRY(team, co_await api.Blocking([&] { return db.GetTeam(call.tenant_id, **team_id); }));
              row->team_id = team->id;
            }
            if (*password) {
              if (row->kind == "service") co_return core::Error::InvalidRequest("a service account has no password", "password");
              if ((*password)->size() < kMinPasswordLength) {
                co_return core::Error::InvalidRequest("'password' must have at least 12 characters", "password");
              }
              STRATA_TRY(hash, co_await api.Blocking([&] { return governance::HashPassword(**password); }));
              row->password_hash = std::move(*hash);
            }
            STRATA_TRY(updated, co_await api.Blocking([&] { return db.UpdateUser(*row); }));
            co_await api.Refresh();
            co_return Reply{200, UserJson(*updated)};
          });
  api.Add(router, verb::delete_, "/admin/v1/tenants/{tenant_id}/users/{user_id}", Permission::kUsersWrite,
          Doc("deleteUser", "Delete a user", "users", "", Ref("Deleted")),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            const std::string id(call.Param("user_id"));
            STRATA_TRY(done, co_await api.Blocking([&] { return db.DeleteUser(call.tenant_id, id); }));
            co_await api.Refresh();
            co_return Reply{200, Deleted(id)};
          });
}

}  // namespace strata::admin
