#include "store/sqlite/record_form.h"

namespace strata::store::sqlite {
namespace {

void AppendU32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift & 0xff));
}

void AppendU64(std::string& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift & 0xff));
}

void AppendFramed(std::string& out, std::string_view bytes) {
  AppendU32(out, static_cast<std::uint32_t>(bytes.size()));
  out.append(bytes);
}

}  // namespace

std::string RecordStoredForm(const RecordFields& fields) {
  std::string out;
  out.reserve(4 * 6 + 8 + 32 + kRecordFormTag.size() + fields.id.size() + fields.kind.size() + fields.tenant.size() +
              fields.payload.size() + fields.content_key_id.size());
  AppendFramed(out, kRecordFormTag);
  AppendFramed(out, fields.id);
  AppendU64(out, static_cast<std::uint64_t>(fields.created_at_ms));
  AppendFramed(out, fields.kind);
  AppendFramed(out, fields.tenant);
  AppendFramed(out, fields.payload);
  AppendFramed(out, fields.content_key_id);
  out.append(reinterpret_cast<const char*>(fields.content_digest.data()), fields.content_digest.size());
  return out;
}

}  // namespace strata::store::sqlite
