#include "privacy/subject_requests.h"

#include <boost/json/serialize.hpp>

#include "audit/digest.h"
#include "core/ids.h"
#include "core/json_values.h"

namespace strata::privacy {
namespace {

namespace json = boost::json;

core::Status CheckNames(std::string_view tenant, std::string_view subject) {
  if (tenant.empty()) return core::Error::InvalidRequest("the tenant must not be empty", "tenant");
  if (subject.empty()) return core::Error::InvalidRequest("'subject' must be a non-empty string", "subject");
  if (subject.size() > 1024) return core::Error::InvalidRequest("'subject' is longer than 1024 bytes", "subject");
  return core::Status();
}

}  // namespace

std::string SubjectRef(std::string_view tenant, std::string_view subject) {
  std::string input;
  input.reserve(tenant.size() + subject.size() + 1);
  input.append(tenant).append("|").append(subject);
  return audit::ToHex(audit::Sha256(input));
}

SubjectRequests::SubjectRequests(store::RecordStore& records, store::WriteBehindQueue* audit, SubjectHooks hooks)
    : records_(records), audit_(audit), hooks_(std::move(hooks)) {}

core::Result<json::object> SubjectRequests::Export(std::string_view tenant, std::string_view subject,
                                                   std::int64_t now_ms) {
  if (core::Status valid = CheckNames(tenant, subject); !valid) return valid.error();
  core::Result<std::vector<store::Record>> records = records_.ExportSubject(tenant, subject);
  if (!records) return records.error();
  json::array rows;
  for (const store::Record& record : *records) {
    json::object row;
    row["id"] = record.id;
    row["created_at"] = record.created_at_ms / 1000;
    row["created_at_ms"] = record.created_at_ms;
    row["kind"] = record.kind;
    row["record"] = core::ParsedOrText(record.payload);
    row["content"] = record.content ? core::ParsedOrText(*record.content) : json::value(nullptr);
    rows.push_back(std::move(row));
  }
  json::object out;
  out["object"] = "subject_export";
  out["tenant"] = tenant;
  out["subject"] = subject;
  out["exported_at"] = now_ms / 1000;
  out["records"] = std::move(rows);
  if (hooks_.export_reviews) {
    core::Result<json::array> reviews = hooks_.export_reviews(tenant, subject);
    if (!reviews) return reviews.error();
    out["reviews"] = std::move(*reviews);
  }
  return out;
}

core::Result<json::object> SubjectRequests::Erase(std::string_view tenant, std::string_view subject,
                                                  std::int64_t now_ms) {
  if (core::Status valid = CheckNames(tenant, subject); !valid) return valid.error();
  core::Result<store::SubjectErasure> erased = records_.EraseSubject(tenant, subject);
  if (!erased) return erased.error();
  std::int64_t reviews = 0;
  if (hooks_.erase_reviews) {
    core::Result<std::int64_t> deleted = hooks_.erase_reviews(tenant, subject);
    if (!deleted) return deleted.error();
    reviews = *deleted;
  }
  const std::string subject_ref = SubjectRef(tenant, subject);
  json::object entry;
  entry["action"] = "dsr.erase";
  entry["subject_ref"] = subject_ref;
  entry["key_destroyed"] = !erased->key_id.empty();
  entry["records"] = erased->records;
  entry["reviews"] = reviews;
  store::Record record;
  record.id = core::NewTimeOrderedId();
  record.created_at_ms = now_ms;
  record.kind = "audit";
  record.tenant = std::string(tenant);
  record.payload = json::serialize(entry);
  if (audit_ != nullptr) {
    if (core::Status queued = audit_->PushBlocking(std::move(record)); !queued) return queued.error();
  } else {
    if (core::Status written = records_.AppendBatch(std::span<const store::Record>(&record, 1)); !written) {
      return written.error();
    }
  }
  json::object out;
  out["object"] = "subject_erasure";
  out["tenant"] = tenant;
  out["subject_ref"] = subject_ref;
  out["key_destroyed"] = !erased->key_id.empty();
  out["records"] = erased->records;
  out["reviews"] = reviews;
  out["erased_at"] = now_ms / 1000;
  return out;
}

}  // namespace strata::privacy
