#include "admin/rows_json.h"

#include <cmath>

#include <boost/json/parse.hpp>

#include "core/json_values.h"

namespace strata::admin {
namespace {

namespace json = boost::json;

using core::SecondsOrNull;

json::value Metadata(const std::string& text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  return ec || !value.is_object() ? json::value(json::object()) : value;
}

json::value OrNull(const std::string& text) { return text.empty() ? json::value(nullptr) : json::value(text); }

}  // namespace

double Usd(std::int64_t nano_usd) { return static_cast<double>(nano_usd) / 1e9; }
std::int64_t NanoUsd(double usd) { return static_cast<std::int64_t>(std::llround(usd * 1e9)); }

json::object TenantJson(const store::TenantRow& row) {
  return {{"id", row.id},
          {"object", "tenant"},
          {"name", row.name},
          {"display_name", row.display_name},
          {"metadata", Metadata(row.metadata_json)},
          {"created_at", SecondsOrNull(row.created_at_ms)},
          {"disabled", row.disabled}};
}

json::object TeamJson(const store::TeamRow& row) {
  return {{"id", row.id},
          {"object", "team"},
          {"tenant_id", row.tenant_id},
          {"name", row.name},
          {"metadata", Metadata(row.metadata_json)},
          {"created_at", SecondsOrNull(row.created_at_ms)}};
}

json::object UserJson(const store::UserRow& row) {
  return {{"id", row.id},
          {"object", "user"},
          {"tenant_id", OrNull(row.tenant_id)},
          {"team_id", OrNull(row.team_id)},
          {"kind", row.kind},
          {"email", OrNull(row.email)},
          {"display_name", row.display_name},
          {"role", row.role},
          {"has_password", !row.password_hash.empty()},
          {"oidc_subject", OrNull(row.oidc_subject)},
          {"created_at", SecondsOrNull(row.created_at_ms)},
          {"disabled", row.disabled}};
}

json::object KeyJson(const store::ApiKeyRow& row) {
  json::array models;
  for (const std::string& model : row.allowed_models) models.emplace_back(model);
  return {{"id", row.id},
          {"object", "api_key"},
          {"tenant_id", OrNull(row.tenant_id)},
          {"team_id", OrNull(row.team_id)},
          {"owner_id", OrNull(row.owner_id)},
          {"name", row.name},
          {"prefix", row.prefix},
          {"role", row.role},
          {"allowed_models", std::move(models)},
          {"metadata", Metadata(row.metadata_json)},
          {"created_at", SecondsOrNull(row.created_at_ms)},
          {"expires_at", SecondsOrNull(row.expires_at_ms)},
          {"revoked_at", SecondsOrNull(row.revoked_at_ms)}};
}

json::object RateLimitJson(const store::RateLimitRow& row) {
  return {{"id", row.id},
          {"object", "rate_limit"},
          {"tenant_id", row.tenant_id},
          {"scope_type", row.scope_type},
          {"scope_id", row.scope_id},
          {"requests_per_minute", row.requests_per_minute},
          {"tokens_per_minute", row.tokens_per_minute},
          {"max_concurrent", row.max_concurrent},
          {"created_at", SecondsOrNull(row.created_at_ms)}};
}

json::object BudgetJson(const store::BudgetRow& row) {
  return {{"id", row.id},
          {"object", "budget"},
          {"tenant_id", row.tenant_id},
          {"scope_type", row.scope_type},
          {"scope_id", row.scope_id},
          {"period", row.period},
          {"limit_usd", Usd(row.limit_nano_usd)},
          {"soft_ratio", row.soft_ratio},
          {"created_at", SecondsOrNull(row.created_at_ms)}};
}

json::object SpendJson(const store::SpendRow& row) {
  return {{"tenant_id", OrNull(row.tenant_id)}, {"team_id", OrNull(row.team_id)},
          {"key_id", OrNull(row.key_id)},       {"model", OrNull(row.model)},
          {"day", OrNull(row.day)},             {"requests", row.requests},
          {"input_tokens", row.input_tokens},   {"output_tokens", row.output_tokens},
          {"cost_usd", Usd(row.cost_nano_usd)}};
}

}  // namespace strata::admin
