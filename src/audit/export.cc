#include "audit/export.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "audit/internal/duplicate_keys.h"
#include "audit/internal/json_fields.h"

namespace strata::audit {
namespace {

core::Result<Entry> EntryFromJson(const boost::json::object& object) {
  if (auto only = internal::OnlyFields(object, {"tenant", "seq", "stored_b64", "stored_digest", "prev_hash", "hash"});
      !only) {
    return only.error();
  }
  Entry entry;
  auto tenant = internal::StringField(object, "tenant");
  if (!tenant) return tenant.error();
  if (auto valid = CheckTenant(*tenant); !valid) return valid.error();
  entry.tenant = std::string(*tenant);

  auto seq = internal::UnsignedField(object, "seq", 1);
  if (!seq) return seq.error();
  entry.seq = *seq;

  const bool has_bytes = object.contains("stored_b64");
  if (has_bytes == object.contains("stored_digest")) {
    return core::Error::InvalidRequest("an entry carries exactly one of \"stored_b64\" and \"stored_digest\"",
                                       "stored_b64");
  }
  if (has_bytes) {
    auto stored = internal::Base64Field(object, "stored_b64", 0);
    if (!stored) return stored.error();
    entry.stored = std::move(*stored);
  } else {
    auto digest = internal::HexDigestField(object, "stored_digest");
    if (!digest) return digest.error();
    entry.stored_digest = *digest;
  }

  auto prev_hash = internal::HexDigestField(object, "prev_hash");
  if (!prev_hash) return prev_hash.error();
  entry.prev_hash = *prev_hash;

  auto hash = internal::HexDigestField(object, "hash");
  if (!hash) return hash.error();
  entry.hash = *hash;
  return entry;
}

}  // namespace

std::string FormatExportLine(const Entry& entry) {
  boost::json::object object;
  object["tenant"] = entry.tenant;
  object["seq"] = entry.seq;
  if (entry.stored) {
    object["stored_b64"] = Base64Encode(*entry.stored);
  } else {
    object["stored_digest"] = ToHex(entry.stored_digest);
  }
  object["prev_hash"] = ToHex(entry.prev_hash);
  object["hash"] = ToHex(entry.hash);
  return boost::json::serialize(object);
}

std::string FormatExportLine(const Checkpoint& checkpoint) {
  boost::json::object object;
  object["checkpoint"] = CheckpointToJson(checkpoint);
  return boost::json::serialize(object);
}

core::Result<ExportLine> ParseExportLine(std::string_view line) {
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = 4;  // the deepest valid line is a checkpoint: two objects
  const boost::json::value value = boost::json::parse(line, ec, {}, options);
  if (ec) return core::Error::InvalidRequest("not one JSON value: " + ec.message());
  if (!value.is_object()) return core::Error::InvalidRequest("not a JSON object");
  if (internal::HasDuplicateKeys(line)) return core::Error::InvalidRequest("a key appears twice in one object");
  const boost::json::object& object = value.get_object();

  if (const boost::json::value* checkpoint = object.if_contains("checkpoint")) {
    if (object.size() != 1) {
      return core::Error::InvalidRequest("a checkpoint line holds only \"checkpoint\"", "checkpoint");
    }
    if (!checkpoint->is_object()) {
      return core::Error::InvalidRequest("\"checkpoint\" must be an object", "checkpoint");
    }
    auto parsed = CheckpointFromJson(checkpoint->get_object());
    if (!parsed) {
      return core::Error::InvalidRequest("checkpoint: " + parsed.error().message(), parsed.error().param());
    }
    return ExportLine(std::move(*parsed));
  }
  auto entry = EntryFromJson(object);
  if (!entry) return entry.error();
  return ExportLine(std::move(*entry));
}

ExportVerification VerifyExport(std::istream& in, std::span<const PublicKey> trusted_keys,
                                const ExportReaderOptions& options) {
  Verifier verifier(trusted_keys);
  ExportVerification result;
  std::string line;
  std::uint64_t number = 0;
  auto malformed = [&](std::string message) {
    result.malformed = MalformedLine{number, "line " + std::to_string(number) + ": " + std::move(message)};
  };

  // Reads byte-wise through the stream buffer, so an endless line costs at
  // most max_line_bytes of memory, never the whole input.
  std::streambuf* buffer = in.rdbuf();
  bool at_end = buffer == nullptr;
  while (!at_end && !result.malformed) {
    line.clear();
    ++number;
    bool too_long = false;
    for (;;) {
      const int c = buffer->sbumpc();
      if (c == std::char_traits<char>::eof()) {
        at_end = true;
        break;
      }
      if (c == '\n') break;
      if (line.size() == options.max_line_bytes) {
        too_long = true;
        break;
      }
      line.push_back(static_cast<char>(c));
    }
    if (too_long) {
      malformed("longer than " + std::to_string(options.max_line_bytes) + " bytes");
      break;
    }
    if (line.empty()) continue;
    auto parsed = ParseExportLine(line);
    if (!parsed) {
      malformed(parsed.error().message());
      break;
    }
    if (Entry* entry = std::get_if<Entry>(&*parsed)) {
      verifier.AddEntry(*entry, number);
    } else {
      verifier.AddCheckpoint(std::get<Checkpoint>(std::move(*parsed)), number);
    }
  }
  result.report = verifier.Finish();
  return result;
}

}  // namespace strata::audit
