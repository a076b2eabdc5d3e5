#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "audit/digest.h"

namespace strata::store::sqlite {

// What a record's audit chain entry commits to (docs/AUDIT.md, "In the
// store"): the record's fields as stored, framed so that no two different
// field tuples give the same bytes. Big-endian, like the entry hash:
//   u32 len || "strata.record.v1"
//   || u32 len || id
//   || i64 created_at_ms (two's complement)
//   || u32 len || kind
//   || u32 len || tenant
//   || u32 len || payload
//   || u32 len || content_key_id   ('' when the record names no key)
//   || content_digest (32 bytes: SHA-256 of the sealed content; zeros if none)
// The chain entry's stored digest is SHA-256 of these bytes. The writer
// (SqliteRecordStore::AppendBatch) and every reader that rebuilds the form
// from a row (ListChain, `strata audit verify --data-dir`) use this one
// function, so they cannot drift apart.
struct RecordFields {
  std::string_view id{};
  std::int64_t created_at_ms = 0;
  std::string_view kind{};
  std::string_view tenant{};
  std::string_view payload{};
  std::string_view content_key_id{};
  audit::Digest content_digest{};  // all zeros: no content
};

inline constexpr std::string_view kRecordFormTag = "strata.record.v1";

// The framed bytes of `fields` (see above). Pure.
std::string RecordStoredForm(const RecordFields& fields);
// The same, appended to `out`: the writer reuses one buffer for a batch.
void AppendRecordStoredForm(std::string& out, const RecordFields& fields);

}  // namespace strata::store::sqlite
