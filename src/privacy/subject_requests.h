#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/result.h"
#include "store/record_store.h"
#include "store/write_behind.h"

namespace strata::privacy {

// What SubjectRequests calls for data the record store does not hold. Unset:
// that part is left out of exports and counted 0 in erasures.
struct SubjectHooks {
  // The subject's review items in `tenant`, as JSON objects.
  std::function<core::Result<boost::json::array>(std::string_view tenant, std::string_view subject)> export_reviews;
  // Deletes the subject's review items in `tenant`; returns how many.
  std::function<core::Result<std::int64_t>(std::string_view tenant, std::string_view subject)> erase_reviews;
};

// The opaque name of a data subject in audit entries and logs: the hex
// SHA-256 of tenant "|" subject. Never the subject itself.
std::string SubjectRef(std::string_view tenant, std::string_view subject);

// Data-subject requests (docs/PRIVACY.md): export everything held about a
// subject, or erase it.
//
// Blocking: call on the BlockingPool or a CLI thread. Thread-safe.
class SubjectRequests {
 public:
  // `records` must outlive this object. `audit`: where the erasure's audit
  // entry goes (the server's write-behind queue); null: written directly
  // with RecordStore::AppendBatch (the CLI).
  SubjectRequests(store::RecordStore& records, store::WriteBehindQueue* audit, SubjectHooks hooks = {});

  // {"object": "subject_export", "tenant", "subject", "exported_at" (Unix s),
  //  "records": [{"id", "created_at" (Unix s), "created_at_ms", "kind",
  //               "record" (the payload, parsed), "content" (parsed JSON, the
  //               text when it is not JSON, or null once purged or erased)}],
  //  "reviews": [...] (only with the export_reviews hook)}
  // An unknown subject gives empty lists. kInvalidRequest for an empty
  // tenant or subject.
  core::Result<boost::json::object> Export(std::string_view tenant, std::string_view subject, std::int64_t now_ms);

  // Crypto-shreds the subject's content (RecordStore::EraseSubject), erases
  // its reviews (hook), then records one audit entry in the tenant's chain:
  // {"action": "dsr.erase", "subject_ref", "key_destroyed", "records", "reviews"}.
  // Returns {"object": "subject_erasure", "tenant", "subject_ref",
  //          "key_destroyed", "records", "reviews", "erased_at" (Unix s)}.
  // Erasing twice is not an error (the second finds nothing).
  core::Result<boost::json::object> Erase(std::string_view tenant, std::string_view subject, std::int64_t now_ms);

 private:
  store::RecordStore& records_;
  store::WriteBehindQueue* audit_;
  const SubjectHooks hooks_;
};

}  // namespace strata::privacy
