// Retention rules and runs, and data-subject requests (docs/PRIVACY.md).
#include <boost/json/parse.hpp>

#include "admin/route_helpers.h"
#include "privacy/retention_job.h"
#include "privacy/subject_requests.h"
#include "store/retention_store.h"

namespace strata::admin {
namespace {

// {"content": days|null, ...} for every kind, in store::kRetentionKinds order.
std::string DaysByKindSchema() {
  std::string properties;
  for (std::string_view kind : store::kRetentionKinds) {
    if (!properties.empty()) properties += ",";
    properties += "\"" + std::string(kind) + R"(":{"type":["integer","null"],"minimum":1,"maximum":36500})";
  }
  return R"({"type":"object","additionalProperties":false,"properties":{)" + properties + "}}";
}

std::string RetentionSchema() {
  std::string kinds;
  std::string effective;
  for (std::string_view kind : store::kRetentionKinds) {
    if (!kinds.empty()) kinds += ",";
    kinds += "\"" + std::string(kind) + "\"";
  }
  const std::string one =
      R"({"type":"object","additionalProperties":false,"required":["days","source"],"properties":{)"
      R"("days":{"type":["integer","null"]},"source":{"enum":["tenant","default","config","none"]}}})";
  std::string effective_properties;
  for (std::string_view kind : store::kRetentionKinds) {
    if (!effective_properties.empty()) effective_properties += ",";
    effective_properties += "\"" + std::string(kind) + "\":" + one;
  }
  return R"({"type":"object","additionalProperties":false,"required":["object","tenant_id","rules","effective"],)"
         R"("properties":{"object":{"const":"retention"},"tenant_id":{"type":["string","null"]},"rules":)" +
         DaysByKindSchema() + R"(,"effective":{"type":"object","additionalProperties":false,"required":[)" + kinds +
         R"(],"properties":{)" + effective_properties + "}}}}";
}

std::string RunSchema() {
  return R"({"type":"object","additionalProperties":false,)"
         R"("required":["object","id","started_at","started_at_ms","finished_at_ms","status","purged","error"],)"
         R"("properties":{"object":{"const":"retention_run"},"id":{"type":"string"},)"
         R"("started_at":{"type":"integer","description":"Unix seconds"},"started_at_ms":{"type":"integer"},)"
         R"("finished_at_ms":{"type":"integer"},"status":{"enum":["ok","failed"]},)"
         R"("purged":{"type":"object","description":"tenant id -> kind -> how many","additionalProperties":)"
         R"({"type":"object","additionalProperties":{"type":"integer"}}},"error":{"type":["string","null"]}}})";
}

std::string RunListSchema() {
  return R"({"type":"object","required":["object","data","has_more","next_after"],"properties":{)"
         R"("object":{"const":"list"},"data":{"type":"array","items":)" +
         RunSchema() + R"(},"has_more":{"type":"boolean"},"next_after":{"type":["string","null"]}}})";
}

constexpr std::string_view kSubjectBodySchema =
    R"({"type":"object","required":["subject"],"additionalProperties":false,"properties":{)"
    R"("subject":{"type":"string","minLength":1,"maxLength":1024}}})";

constexpr std::string_view kExportSchema =
    R"({"type":"object","additionalProperties":false,"required":["object","tenant","subject","exported_at","records"],)"
    R"("properties":{"object":{"const":"subject_export"},"tenant":{"type":"string"},"subject":{"type":"string"},)"
    R"("exported_at":{"type":"integer","description":"Unix seconds"},)"
    R"("records":{"type":"array","items":{"type":"object","additionalProperties":false,)"
    R"("required":["id","created_at","created_at_ms","kind","record","content"],"properties":{)"
    R"("id":{"type":"string"},"created_at":{"type":"integer","description":"Unix seconds"},)"
    R"("created_at_ms":{"type":"integer"},"kind":{"type":"string"},)"
    R"("record":{"description":"the record as logged: its metadata"},)"
    R"("content":{"description":"the logged prompt and answer; null once purged or erased"}}}},)"
    R"("reviews":{"type":"array","items":{"type":"object"}}}})";

constexpr std::string_view kErasureSchema =
    R"({"type":"object","additionalProperties":false,)"
    R"("required":["object","tenant","subject_ref","key_destroyed","records","reviews","erased_at"],)"
    R"("properties":{"object":{"const":"subject_erasure"},"tenant":{"type":"string"},)"
    R"("subject_ref":{"type":"string","description":"hex SHA-256 of tenant|subject"},)"
    R"("key_destroyed":{"type":"boolean"},"records":{"type":"integer","minimum":0},)"
    R"("reviews":{"type":"integer","minimum":0},"erased_at":{"type":"integer","description":"Unix seconds"}}})";

// A PUT body: {"<kind>": days | null, ...}; every key a kind, every value
// null (remove the rule) or 1..kMaxRetentionDays. Nothing is changed on error.
core::Result<std::vector<store::RetentionChange>> ReadChanges(const http::Request& request) {
  boost::system::error_code ec;
  json::value parsed = json::parse(request.body(), ec);
  if (ec) return core::Error::InvalidRequest("the request body is not valid JSON: " + ec.message());
  if (!parsed.is_object()) return core::Error::InvalidRequest("the request body must be a JSON object");
  std::vector<store::RetentionChange> changes;
  for (const auto& [key, value] : parsed.get_object()) {
    const std::string kind(key);
    if (!store::IsRetentionKind(kind)) {
      return core::Error::InvalidRequest(
          "unknown field '" + kind + "': the kinds are content, metadata, audit, reviews, feedback", kind);
    }
    if (value.is_null()) {
      changes.push_back({kind, std::nullopt});
      continue;
    }
    if (!value.is_int64() && !value.is_uint64()) {
      return core::Error::InvalidRequest("'" + kind + "' must be a whole number of days or null", kind);
    }
    const std::int64_t days = value.is_int64() ? value.get_int64() : static_cast<std::int64_t>(value.get_uint64());
    if (days < 1 || days > store::kMaxRetentionDays) {
      return core::Error::InvalidRequest(
          "'" + kind + "' must be 1 to " + std::to_string(store::kMaxRetentionDays) + " days, or null", kind);
    }
    changes.push_back({kind, static_cast<int>(days)});
  }
  return changes;
}

// The GET/PUT answer: the scope's own rules and what applies per kind.
json::object RetentionJson(std::string_view tenant, const std::vector<store::RetentionRule>& rules,
                           const std::vector<privacy::EffectiveRetention>& effective) {
  json::object own;
  for (std::string_view kind : store::kRetentionKinds) own[kind] = nullptr;
  for (const store::RetentionRule& rule : rules) own[rule.kind] = rule.days;
  json::object applied;
  for (const privacy::EffectiveRetention& entry : effective) {
    applied[entry.kind] = json::object{{"days", entry.days ? json::value(*entry.days) : json::value(nullptr)},
                                       {"source", entry.source}};
  }
  json::object out;
  out["object"] = "retention";
  out["tenant_id"] = tenant.empty() ? json::value(nullptr) : json::value(tenant);
  out["rules"] = std::move(own);
  out["effective"] = std::move(applied);
  return out;
}

// A run as the API shows it; a tenant's caller sees only its own counts.
json::object RunJson(const store::RetentionRun& run, const Caller& caller) {
  json::object purged;
  boost::system::error_code ec;
  json::value parsed = json::parse(run.purged_json, ec);
  if (!ec && parsed.is_object()) {
    for (auto& [tenant, counts] : parsed.get_object()) {
      if (caller.Reaches(tenant)) purged[tenant] = counts;
    }
  }
  json::object out;
  out["object"] = "retention_run";
  out["id"] = run.id;
  out["started_at"] = run.started_at_ms / 1000;
  out["started_at_ms"] = run.started_at_ms;
  out["finished_at_ms"] = run.finished_at_ms;
  out["status"] = run.status;
  out["purged"] = std::move(purged);
  // The error names tenants too: a tenant's caller sees only that there was one.
  if (run.error.empty()) {
    out["error"] = nullptr;
  } else {
    out["error"] = caller.platform() ? run.error : std::string("the run failed (details for platform admins)");
  }
  return out;
}

core::Error PlatformOnly(std::string_view what) {
  return core::Error(core::ErrorCode::kPermissionDenied, std::string(what) + " is for platform admins");
}

}  // namespace

void AddPrivacyRoutes(AdminApi& api, http::Router& router) {
  store::RetentionStore* rules = api.deps().retention_rules;
  privacy::RetentionJob* job = api.deps().retention;
  privacy::SubjectRequests* subjects = api.deps().subjects;

  if (rules != nullptr && job != nullptr) {
    const std::string retention_schema = RetentionSchema();
    // One scope's rules and effective retention; "" is the platform defaults.
    const auto read = [&api, rules, job](const std::string& scope) -> asio::awaitable<core::Result<Reply>> {
      // One trip to the pool for both reads.
      STRATA_TRY(answer, co_await api.Blocking([&]() -> core::Result<json::object> {
        core::Result<std::vector<store::RetentionRule>> own = rules->List(scope);
        if (!own) return own.error();
        core::Result<std::vector<privacy::EffectiveRetention>> effective = job->Effective(scope);
        if (!effective) return effective.error();
        return RetentionJson(scope, *own, *effective);
      }));
      co_return Reply{200, std::move(*answer)};
    };
    api.Add(router, verb::get, "/admin/v1/tenants/{tenant_id}/retention", Permission::kPoliciesRead,
            Doc("getTenantRetention", "A tenant's retention rules and the retention in effect per kind", "privacy", "",
                retention_schema),
            [read](Call& call) -> asio::awaitable<core::Result<Reply>> { return read(call.tenant_id); });
    api.Add(router, verb::put, "/admin/v1/tenants/{tenant_id}/retention", Permission::kPoliciesWrite,
            Doc("putTenantRetention",
                "Set a tenant's retention per kind, in days; null removes the rule (the default applies)", "privacy",
                DaysByKindSchema(), retention_schema),
            [&api, rules, read](Call& call) -> asio::awaitable<core::Result<Reply>> {
              STRATA_TRY(changes, ReadChanges(call.request));
              const std::int64_t now_ms = NowMs();
              STRATA_TRY(done, co_await api.Blocking([&] { return rules->Update(call.tenant_id, *changes, now_ms); }));
              co_return co_await read(call.tenant_id);
            });
    api.Add(router, verb::get, "/admin/v1/retention", Permission::kPoliciesRead,
            Doc("getRetentionDefaults", "The platform's default retention per kind (for tenants without a rule)",
                "privacy", "", retention_schema),
            [read](Call&) -> asio::awaitable<core::Result<Reply>> {
              const std::string scope;
              co_return co_await read(scope);
            });
    api.Add(router, verb::put, "/admin/v1/retention", Permission::kPoliciesWrite,
            Doc("putRetentionDefaults",
                "Set the platform's default retention per kind, in days; null removes it (platform admins)", "privacy",
                DaysByKindSchema(), retention_schema),
            [&api, rules, read](Call& call) -> asio::awaitable<core::Result<Reply>> {
              if (!call.caller.platform()) co_return PlatformOnly("changing the platform's retention defaults");
              STRATA_TRY(changes, ReadChanges(call.request));
              const std::int64_t now_ms = NowMs();
              const std::string scope;
              STRATA_TRY(done, co_await api.Blocking([&] { return rules->Update(scope, *changes, now_ms); }));
              co_return co_await read(scope);
            });
    http::RouteDoc runs_doc =
        Doc("listRetentionRuns", "The retention job's runs, newest first", "privacy", "", RunListSchema());
    runs_doc.query = {{"limit", std::string(kLimitSchema), "page size, 1 to 500 (default 50)"},
                      {"after", R"({"type":"string"})", "the next_after of the previous page"}};
    api.Add(router, verb::get, "/admin/v1/retention/runs", Permission::kPoliciesRead, std::move(runs_doc),
            [&api, rules](Call& call) -> asio::awaitable<core::Result<Reply>> {
              STRATA_TRY(page, ReadPageParams(call.request));
              STRATA_TRY(runs, co_await api.Blocking([&] { return rules->ListRuns(page->after, page->limit); }));
              json::array data;
              for (const store::RetentionRun& run : runs->rows) data.push_back(RunJson(run, call.caller));
              co_return Reply{200, ListReply(std::move(data), runs->next_after_id)};
            });
    api.Add(router, verb::post, "/admin/v1/retention/runs", Permission::kPoliciesWrite,
            Doc("runRetention", "Run the retention job now, for every tenant (platform admins)", "privacy", "",
                RunSchema(), 201),
            [&api, job](Call& call) -> asio::awaitable<core::Result<Reply>> {
              if (!call.caller.platform()) co_return PlatformOnly("running the retention job");
              if (!call.request.body().empty()) {
                boost::system::error_code ec;
                json::value parsed = json::parse(call.request.body(), ec);
                if (ec || !parsed.is_object() || !parsed.get_object().empty()) {
                  co_return core::Error::InvalidRequest("the request body must be empty or {}");
                }
              }
              const std::int64_t now_ms = NowMs();
              STRATA_TRY(run, co_await api.Blocking([&] { return job->RunOnce(now_ms); }));
              co_return Reply{201, RunJson(*run, call.caller)};
            });
  }

  if (subjects != nullptr) {
    api.Add(router, verb::post, "/admin/v1/tenants/{tenant_id}/subjects/export", Permission::kAuditRead,
            Doc("exportSubject",
                "Everything held about a data subject (an end user), content opened; POST keeps the subject out of "
                "URLs and logs",
                "privacy", std::string(kSubjectBodySchema), std::string(kExportSchema)),
            [&api, subjects](Call& call) -> asio::awaitable<core::Result<Reply>> {
              STRATA_TRY(body, Body::Parse(call.request));
              STRATA_TRY(subject, body->RequiredString("subject"));
              if (auto done = body->Finish(); !done) co_return done.error();
              const std::int64_t now_ms = NowMs();
              STRATA_TRY(exported,
                         co_await api.Blocking([&] { return subjects->Export(call.tenant_id, *subject, now_ms); }));
              co_return Reply{200, std::move(*exported)};
            });
    api.Add(router, verb::post, "/admin/v1/tenants/{tenant_id}/subjects/erase", Permission::kPoliciesWrite,
            Doc("eraseSubject",
                "Erase a data subject: destroy its content key (crypto-shredding), delete its reviews, record the "
                "erasure in the audit chain under an opaque subject_ref",
                "privacy", std::string(kSubjectBodySchema), std::string(kErasureSchema)),
            [&api, subjects](Call& call) -> asio::awaitable<core::Result<Reply>> {
              STRATA_TRY(body, Body::Parse(call.request));
              STRATA_TRY(subject, body->RequiredString("subject"));
              if (auto done = body->Finish(); !done) co_return done.error();
              const std::int64_t now_ms = NowMs();
              STRATA_TRY(erased,
                         co_await api.Blocking([&] { return subjects->Erase(call.tenant_id, *subject, now_ms); }));
              co_return Reply{200, std::move(*erased)};
            });
  }
}

}  // namespace strata::admin
