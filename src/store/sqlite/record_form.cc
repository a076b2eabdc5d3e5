#include "store/sqlite/record_form.h"

#include "audit/framing.h"

namespace strata::store::sqlite {

void AppendRecordStoredForm(std::string& out, const RecordFields& fields) {
  out.reserve(out.size() + 4 * 6 + 8 + 32 + kRecordFormTag.size() + fields.id.size() + fields.kind.size() +
              fields.tenant.size() + fields.payload.size() + fields.content_key_id.size());
  audit::AppendLengthPrefixed(out, kRecordFormTag);
  audit::AppendLengthPrefixed(out, fields.id);
  audit::AppendU64(out, static_cast<std::uint64_t>(fields.created_at_ms));
  audit::AppendLengthPrefixed(out, fields.kind);
  audit::AppendLengthPrefixed(out, fields.tenant);
  audit::AppendLengthPrefixed(out, fields.payload);
  audit::AppendLengthPrefixed(out, fields.content_key_id);
  audit::AppendDigest(out, fields.content_digest);
}

std::string RecordStoredForm(const RecordFields& fields) {
  std::string out;
  AppendRecordStoredForm(out, fields);
  return out;
}

}  // namespace strata::store::sqlite
