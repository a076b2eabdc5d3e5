#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "audit/chain.h"
#include "audit/digest.h"
#include "audit/signing_key.h"
#include "core/result.h"

namespace strata::audit {

// A node's signed statement that `tenant`'s chain had reached (seq, hash) at
// `time_ms`. Exported out of the operator's reach, it pins the chain: nobody
// can later rewrite or cut entries up to seq without the checkpoint showing it.
struct Checkpoint {
  std::string tenant;
  std::uint64_t seq = 0;
  Digest hash{};
  std::int64_t time_ms = 0;  // Unix time in milliseconds, when it was signed
  PublicKey key{};           // the signer's public key: which trusted key to check against
  Signature signature{};

  bool operator==(const Checkpoint&) const = default;
};

// The bytes a checkpoint's signature covers (docs/AUDIT.md, "Checkpoint"):
//   u32 len || "strata.audit.checkpoint.v1" || u32 len || tenant || u64 seq
//   || hash (32 bytes) || u64 time_ms (two's complement)
std::string CheckpointSignedBytes(std::string_view tenant, std::uint64_t seq, const Digest& hash,
                                  std::int64_t time_ms);

// Signs `head` of `tenant`'s chain with `key`.
Checkpoint MakeCheckpoint(const SigningKey& key, std::string_view tenant, const ChainHead& head,
                          std::int64_t time_ms);

// Whether the checkpoint's signature is valid for its own `key` (trust in that
// key is the verifier's question, not this one's).
bool CheckpointSignatureValid(const Checkpoint& checkpoint);

// {"tenant", "seq", "hash" (hex), "time_ms", "key" (base64), "signature" (base64)}
boost::json::object CheckpointToJson(const Checkpoint& checkpoint);

// The reverse, strict: every field present with its type, no other field,
// seq >= 1, the tenant valid, hash 64 lowercase hex, key and signature base64
// of 32 and 64 bytes. The error names the offending field.
core::Result<Checkpoint> CheckpointFromJson(const boost::json::object& object);

}  // namespace strata::audit
