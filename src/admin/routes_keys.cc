// Virtual API keys: minted here, shown once, stored as digests, revoked for good.
#include "admin/route_helpers.h"
#include "admin/rows_json.h"
#include "governance/secrets.h"

namespace strata::admin {
namespace {

// A developer in a team acts on its team's keys only.
std::string TeamBound(const Caller& caller) {
  return caller.role == governance::Role::kDeveloper ? caller.team_id : std::string();
}

}  // namespace

void AddKeyRoutes(AdminApi& api, http::Router& router) {
  store::GovernanceStore& db = api.deps().store;
  const std::string schema_create_key =
      R"({"type":"object","required":["name"],"additionalProperties":false,"properties":{)"
      R"("name":{"type":"string","minLength":1},"team_id":{"type":"string"},"owner_id":{"type":"string"},)"
      R"("role":{"enum":["tenant-admin","developer","reviewer","auditor","viewer"]},)"
      R"("allowed_models":{"type":"array","items":{"type":"string"}},)"
      R"("expires_at":{"type":"integer","description":"Unix seconds"},)"
      R"("expires_in_days":{"type":"integer","minimum":1,"maximum":3650},"metadata":{"type":"object"}}})";

  http::RouteDoc list = ListDoc("listKeys", "List a tenant's API keys (never their secrets)", "keys", "ApiKey");
  list.query.push_back({"team_id", R"({"type":"string"})", "only this team's keys"});
  list.query.push_back({"include_revoked", R"({"type":"boolean"})", "also revoked keys (default false)"});
  api.Add(router, verb::get, "/admin/v1/tenants/{tenant_id}/keys", Permission::kKeysRead, std::move(list),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(page, ReadPageParams(call.request));
            store::ListQuery query = Query(call, *page);
            query.team_id = QueryParam(call.request, "team_id").value_or("");
            query.include_revoked = QueryParam(call.request, "include_revoked").value_or("false") == "true";
            if (const std::string team = TeamBound(call.caller); !team.empty()) query.team_id = team;
            STRATA_TRY(rows, co_await api.Blocking([&] { return db.ListKeys(query); }));
            co_return ListReplyOf(*rows, KeyJson);
          });

  api.Add(router, verb::post, "/admin/v1/tenants/{tenant_id}/keys", Permission::kKeysWrite,
          Doc("createKey", "Create an API key; the answer holds its secret, shown this once", "keys",
              schema_create_key, Ref("ApiKey"), 201),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(body, Body::Parse(call.request));
            STRATA_TRY(name, body->RequiredString("name"));
            STRATA_TRY(team_id, body->OptionalString("team_id"));
            STRATA_TRY(owner_id, body->OptionalString("owner_id"));
            STRATA_TRY(role_name, body->OptionalString("role"));
            STRATA_TRY(models, body->OptionalStringList("allowed_models"));
            STRATA_TRY(expires_at, body->OptionalInteger("expires_at", 1, 32503680000));  // until year 3000
            STRATA_TRY(expires_in_days, body->OptionalInteger("expires_in_days", 1, 3650));
            STRATA_TRY(metadata, body->OptionalObjectText("metadata"));
            if (auto done = body->Finish(); !done) co_return done.error();
            if (*expires_at && *expires_in_days) {
              co_return core::Error::InvalidRequest("give 'expires_at' or 'expires_in_days', not both", "expires_at");
            }
            store::ApiKeyRow row;
            row.tenant_id = call.tenant_id;
            row.name = *name;
            STRATA_TRY(role, GrantableRole(call.caller, role_name->value_or("developer")));
            row.role = *role;
            const std::string bound = TeamBound(call.caller);
            if (!bound.empty() && team_id->value_or(bound) != bound) {
              co_return core::Error(core::ErrorCode::kPermissionDenied, "a developer creates keys for its own team only");
            }
            if (const std::string team = team_id->value_or(bound); !team.empty()) {
              STRATA_TRY(found, co_await api.Blocking([&] { return db.GetTeam(call.tenant_id, team); }));
              row.team_id = found->id;
            }
            if (*owner_id) {
              STRATA_TRY(owner, co_await api.Blocking([&] { return db.GetUser(call.tenant_id, **owner_id); }));
              row.owner_id = owner->id;
            }
            row.allowed_models = models->value_or(std::vector<std::string>{});
            row.metadata_json = metadata->value_or("{}");
            const std::int64_t now = NowMs();
            if (*expires_at) row.expires_at_ms = **expires_at * 1000;
            if (*expires_in_days) row.expires_at_ms = now + **expires_in_days * 86'400'000;
            if (row.expires_at_ms != 0 && row.expires_at_ms <= now) {
              co_return core::Error::InvalidRequest("'expires_at' is in the past", "expires_at");
            }
            const governance::MintedKey minted = governance::MintKey();
            row.prefix = minted.prefix;
            row.digest_hex = minted.digest_hex;
            STRATA_TRY(created, co_await api.Blocking([&] { return db.CreateKey(row); }));
            co_await api.Refresh();
            json::object answer = KeyJson(*created);
            answer["secret"] = minted.secret;
            co_return Reply{201, std::move(answer)};
          });

  api.Add(router, verb::get, "/admin/v1/tenants/{tenant_id}/keys/{key_id}", Permission::kKeysRead,
          Doc("getKey", "Get an API key (never its secret)", "keys", "", Ref("ApiKey")),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            STRATA_TRY(row, co_await api.Blocking([&] { return db.GetKey(call.tenant_id, call.Param("key_id")); }));
            if (const std::string team = TeamBound(call.caller); !team.empty() && row->team_id != team) {
              co_return core::Error::NotFound("no key '" + std::string(call.Param("key_id")) + "'");
            }
            co_return Reply{200, KeyJson(*row)};
          });

  api.Add(router, verb::delete_, "/admin/v1/tenants/{tenant_id}/keys/{key_id}", Permission::kKeysWrite,
          Doc("revokeKey", "Revoke an API key: refused by every node within the snapshot refresh interval", "keys",
              "", Ref("ApiKey")),
          [&api, &db](Call& call) -> asio::awaitable<core::Result<Reply>> {
            const std::string id(call.Param("key_id"));
            STRATA_TRY(row, co_await api.Blocking([&] { return db.GetKey(call.tenant_id, id); }));
            if (const std::string team = TeamBound(call.caller); !team.empty() && row->team_id != team) {
              co_return core::Error::NotFound("no key '" + id + "'");
            }
            if (row->revoked_at_ms == 0) {
              const std::int64_t now = NowMs();
              STRATA_TRY(revoked, co_await api.Blocking([&] { return db.RevokeKey(call.tenant_id, id, now); }));
              row->revoked_at_ms = now;
              co_await api.Refresh();
            }
            co_return Reply{200, KeyJson(*row)};
          });
}

}  // namespace strata::admin
