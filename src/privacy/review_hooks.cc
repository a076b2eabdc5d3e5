#include "privacy/review_hooks.h"

#include "core/json_values.h"

namespace strata::privacy {
namespace {

namespace json = boost::json;

json::object ReviewJson(const store::ReviewRow& row) {
  json::object review;
  review["id"] = row.id;
  review["request_id"] = row.request_id;
  review["mode"] = row.mode;
  review["status"] = row.status;
  review["created_at"] = row.created_at_ms / 1000;
  review["decided_at"] = core::SecondsOrNull(row.decided_at_ms);
  review["decision_record"] = core::ParsedOrText(row.decision_record);
  review["redacted_exchange"] = core::ParsedOrText(row.redacted_exchange);
  return review;
}

}  // namespace

RetentionHooks ReviewRetentionHooks(store::ReviewStore& reviews) {
  RetentionHooks hooks;
  hooks.purge_reviews = [&reviews](std::string_view tenant, std::int64_t cutoff_ms) {
    return reviews.PurgeBefore(tenant, cutoff_ms);
  };
  hooks.purge_feedback = [&reviews](std::string_view tenant, std::int64_t cutoff_ms) {
    return reviews.PurgeFeedbackBefore(tenant, cutoff_ms);
  };
  return hooks;
}

SubjectHooks ReviewSubjectHooks(store::ReviewStore& reviews) {
  SubjectHooks hooks;
  // The queue has no index by subject: a data-subject request is rare, so
  // it pages through the tenant's reviews.
  hooks.export_reviews = [&reviews](std::string_view tenant,
                                    std::string_view subject) -> core::Result<json::array> {
    json::array out;
    store::ReviewQuery query;
    query.tenant_id = std::string(tenant);
    query.limit = 500;
    for (;;) {
      core::Result<store::Page<store::ReviewRow>> page = reviews.List(query);
      if (!page) return page.error();
      for (const store::ReviewRow& row : page->rows) {
        if (row.subject == subject) out.push_back(ReviewJson(row));
      }
      if (page->next_after_id.empty()) break;
      query.after_id = page->next_after_id;
    }
    return out;
  };
  hooks.erase_reviews = [&reviews](std::string_view tenant, std::string_view subject) {
    return reviews.DeleteSubject(tenant, subject);
  };
  return hooks;
}

}  // namespace strata::privacy
