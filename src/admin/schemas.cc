#include "admin/schemas.h"

#include "admin/admin_api.h"

namespace strata::admin {
namespace {

constexpr std::string_view kNullableString = R"({"type":["string","null"]})";
constexpr std::string_view kNullableTime = R"({"type":["integer","null"],"description":"Unix seconds"})";

}  // namespace

std::string Ref(std::string_view component) {
  return R"({"$ref":"#/components/schemas/)" + std::string(component) + R"("})";
}

std::string ListOf(std::string_view component) {
  return R"({"type":"object","required":["object","data","has_more","next_after"],"properties":{)"
         R"("object":{"const":"list"},"data":{"type":"array","items":)" +
         Ref(component) + R"(},"has_more":{"type":"boolean"},"next_after":)" + std::string(kNullableString) + "}}";
}

std::map<std::string, std::string> AdminApi::Schemas() {
  const std::string string = R"({"type":"string"})";
  const std::string nullable = std::string(kNullableString);
  const std::string time = std::string(kNullableTime);
  const std::string metadata = R"({"type":"object"})";
  const std::string role =
      R"({"enum":["admin","tenant-admin","developer","reviewer","auditor","viewer"]})";
  std::map<std::string, std::string> schemas;
  schemas["Tenant"] = R"({"type":"object","required":["id","object","name","display_name","metadata","created_at","disabled"],)"
                      R"("properties":{"id":)" + string + R"(,"object":{"const":"tenant"},"name":)" + string +
                      R"(,"display_name":)" + string + R"(,"metadata":)" + metadata + R"(,"created_at":)" + time +
                      R"(,"disabled":{"type":"boolean"}}})";
  schemas["Team"] = R"({"type":"object","required":["id","object","tenant_id","name","metadata","created_at"],)"
                    R"("properties":{"id":)" + string + R"(,"object":{"const":"team"},"tenant_id":)" + string +
                    R"(,"name":)" + string + R"(,"metadata":)" + metadata + R"(,"created_at":)" + time + "}}";
  schemas["User"] = R"({"type":"object","required":["id","object","tenant_id","kind","role","has_password","disabled"],)"
                    R"("properties":{"id":)" + string + R"(,"object":{"const":"user"},"tenant_id":)" + nullable +
                    R"(,"team_id":)" + nullable + R"(,"kind":{"enum":["user","service"]},"email":)" + nullable +
                    R"(,"display_name":)" + string + R"(,"role":)" + role + R"(,"has_password":{"type":"boolean"})" +
                    R"(,"oidc_subject":)" + nullable + R"(,"created_at":)" + time + R"(,"disabled":{"type":"boolean"}}})";
  schemas["ApiKey"] = R"({"type":"object","required":["id","object","tenant_id","name","prefix","role","allowed_models","created_at"],)"
                      R"("properties":{"id":)" + string + R"(,"object":{"const":"api_key"},"tenant_id":)" + nullable +
                      R"(,"team_id":)" + nullable + R"(,"owner_id":)" + nullable + R"(,"name":)" + string +
                      R"(,"prefix":)" + string + R"(,"role":)" + role +
                      R"(,"allowed_models":{"type":"array","items":{"type":"string"}},"metadata":)" + metadata +
                      R"(,"created_at":)" + time + R"(,"expires_at":)" + time + R"(,"revoked_at":)" + time +
                      R"(,"secret":{"type":"string","description":"only in the answer that created the key"}}})";
  schemas["RateLimit"] = R"({"type":"object","required":["id","object","tenant_id","scope_type","scope_id","requests_per_minute","tokens_per_minute","max_concurrent"],)"
                         R"("properties":{"id":)" + string + R"(,"object":{"const":"rate_limit"},"tenant_id":)" +
                         string + R"(,"scope_type":{"enum":["tenant","team","key"]},"scope_id":)" + string +
                         R"(,"requests_per_minute":{"type":"integer","minimum":0},)"
                         R"("tokens_per_minute":{"type":"integer","minimum":0},"max_concurrent":{"type":"integer","minimum":0},)"
                         R"("created_at":)" + time + "}}";
  schemas["Budget"] = R"({"type":"object","required":["id","object","tenant_id","scope_type","scope_id","period","limit_usd","soft_ratio"],)"
                      R"("properties":{"id":)" + string + R"(,"object":{"const":"budget"},"tenant_id":)" + string +
                      R"(,"scope_type":{"enum":["tenant","team","key"]},"scope_id":)" + string +
                      R"(,"period":{"enum":["day","month"]},"limit_usd":{"type":"number","minimum":0},)"
                      R"("soft_ratio":{"type":"number","minimum":0,"maximum":1},"created_at":)" + time +
                      R"(,"spent_usd":{"type":"number"},"reserved_usd":{"type":"number"},"remaining_usd":{"type":"number"}}})";
  schemas["SpendRow"] = R"({"type":"object","required":["requests","input_tokens","output_tokens","cost_usd"],)"
                        R"("properties":{"tenant_id":)" + nullable + R"(,"team_id":)" + nullable + R"(,"key_id":)" +
                        nullable + R"(,"model":)" + nullable + R"(,"day":)" + nullable +
                        R"(,"requests":{"type":"integer"},"input_tokens":{"type":"integer"},)"
                        R"("output_tokens":{"type":"integer"},"cost_usd":{"type":"number"}}})";
  schemas["SpendReport"] = R"({"type":"object","required":["object","data"],"properties":{"object":{"const":"spend_report"},)"
                           R"("group_by":{"type":"array","items":{"type":"string"}},"data":{"type":"array","items":)" +
                           Ref("SpendRow") + "}}}";
  schemas["Review"] = R"({"type":"object","required":["id","object","tenant_id","request_id","key_id","mode","status",)"
                      R"("decision_record","redacted_exchange","created_at","expires_at","decided_at","reviewer_id","justification"],)"
                      R"("properties":{"id":)" + string + R"(,"object":{"const":"review"},"tenant_id":)" + string +
                      R"(,"request_id":)" + string + R"(,"key_id":)" + string +
                      R"(,"mode":{"enum":["blocking","queued"]},"status":{"enum":["pending","approved","rejected","expired"]},)"
                      R"("decision_record":{"type":"object"},"redacted_exchange":{"type":"object"},)"
                      R"("created_at":{"type":"integer","description":"Unix seconds"},)"
                      R"("expires_at":{"type":"integer","description":"Unix seconds"},"decided_at":)" + time +
                      R"(,"reviewer_id":)" + nullable + R"(,"justification":)" + nullable + "}}";
  schemas["Feedback"] = R"({"type":"object","required":["id","object","tenant_id","request_id","key_id","score","comment","created_at"],)"
                        R"("properties":{"id":)" + string + R"(,"object":{"const":"feedback"},"tenant_id":)" + string +
                        R"(,"request_id":)" + string + R"(,"key_id":)" + string +
                        R"(,"score":{"type":"number","minimum":0,"maximum":1},"comment":)" + string +
                        R"(,"created_at":{"type":"integer","description":"Unix seconds"}}})";
  schemas["LogRecord"] = R"({"type":"object","additionalProperties":false,)"
                         R"("required":["id","object","kind","created_at_ms","has_content","record"],"properties":{)"
                         R"("id":{"type":"string"},"object":{"const":"record"},"kind":{"type":"string"},)"
                         R"("created_at_ms":{"type":"integer"},"has_content":{"type":"boolean"},"record":{}}})";
  schemas["Deleted"] = R"({"type":"object","required":["id","deleted"],"properties":{"id":)" + string +
                       R"(,"deleted":{"const":true}}})";
  schemas["Policy"] = R"({"type":"object","additionalProperties":false,)"
                      R"("required":["object","scope","tenant_id","version","label","source","created_at","created_by"],)"
                      R"("properties":{"object":{"const":"policy"},"scope":{"enum":["platform","tenant"]},)"
                      R"("tenant_id":)" + nullable + R"(,"version":{"type":"integer","minimum":1},"label":)" + string +
                      R"(,"source":)" + string + R"(,"created_at":{"type":"integer","description":"Unix seconds"},)"
                      R"("created_by":)" + string + "}}";
  schemas["PolicyValidation"] = R"({"type":"object","additionalProperties":false,"required":["valid"],)"
                                R"("properties":{"valid":{"type":"boolean"},)"
                                R"("rules":{"type":"array","items":{"type":"string"}},)"
                                R"("errors":{"type":"array","items":{"type":"string"}}}})";
  return schemas;
}

}  // namespace strata::admin
