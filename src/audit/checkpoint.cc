#include "audit/checkpoint.h"

#include <algorithm>

#include "audit/framing.h"
#include "audit/internal/json_fields.h"

namespace strata::audit {
namespace {

constexpr std::string_view kCheckpointDomain = "strata.audit.checkpoint.v1";

}  // namespace

std::string CheckpointSignedBytes(std::string_view tenant, std::uint64_t seq, const Digest& hash,
                                  std::int64_t time_ms) {
  std::string framed;
  framed.reserve(4 + kCheckpointDomain.size() + 4 + tenant.size() + 8 + 32 + 8);
  AppendLengthPrefixed(framed, kCheckpointDomain);
  AppendLengthPrefixed(framed, tenant);
  AppendU64(framed, seq);
  AppendDigest(framed, hash);
  AppendU64(framed, static_cast<std::uint64_t>(time_ms));
  return framed;
}

Checkpoint MakeCheckpoint(const SigningKey& key, std::string_view tenant, const ChainHead& head,
                          std::int64_t time_ms) {
  Checkpoint checkpoint;
  checkpoint.tenant = std::string(tenant);
  checkpoint.seq = head.seq;
  checkpoint.hash = head.hash;
  checkpoint.time_ms = time_ms;
  checkpoint.key = key.public_key();
  checkpoint.signature = key.Sign(CheckpointSignedBytes(tenant, head.seq, head.hash, time_ms));
  return checkpoint;
}

bool CheckpointSignatureValid(const Checkpoint& checkpoint) {
  return SignatureValid(checkpoint.key,
                        CheckpointSignedBytes(checkpoint.tenant, checkpoint.seq, checkpoint.hash, checkpoint.time_ms),
                        checkpoint.signature);
}

boost::json::object CheckpointToJson(const Checkpoint& checkpoint) {
  boost::json::object object;
  object["tenant"] = checkpoint.tenant;
  object["seq"] = checkpoint.seq;
  object["hash"] = ToHex(checkpoint.hash);
  object["time_ms"] = checkpoint.time_ms;
  object["key"] = Base64Encode(AsBytes(checkpoint.key));
  object["signature"] = Base64Encode(AsBytes(checkpoint.signature));
  return object;
}

core::Result<Checkpoint> CheckpointFromJson(const boost::json::object& object) {
  if (auto only = internal::OnlyFields(object, {"tenant", "seq", "hash", "time_ms", "key", "signature"}); !only) {
    return only.error();
  }
  Checkpoint checkpoint;
  auto tenant = internal::StringField(object, "tenant");
  if (!tenant) return tenant.error();
  if (auto valid = CheckTenant(*tenant); !valid) return valid.error();
  checkpoint.tenant = std::string(*tenant);

  auto seq = internal::UnsignedField(object, "seq", 1);
  if (!seq) return seq.error();
  checkpoint.seq = *seq;

  auto hash = internal::HexDigestField(object, "hash");
  if (!hash) return hash.error();
  checkpoint.hash = *hash;

  auto time_ms = internal::SignedField(object, "time_ms");
  if (!time_ms) return time_ms.error();
  checkpoint.time_ms = *time_ms;

  auto key = internal::Base64Field(object, "key", checkpoint.key.size());
  if (!key) return key.error();
  std::copy(key->begin(), key->end(), checkpoint.key.begin());

  auto signature = internal::Base64Field(object, "signature", checkpoint.signature.size());
  if (!signature) return signature.error();
  std::copy(signature->begin(), signature->end(), checkpoint.signature.begin());
  return checkpoint;
}

}  // namespace strata::audit
