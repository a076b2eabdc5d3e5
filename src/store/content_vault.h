#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace strata::store {

// Per-subject content encryption (docs/AUDIT.md, "Content encryption").
//
// Each (tenant, subject) has its own random 256-bit data key, created on first
// use and kept in the store wrapped (sealed) under the node's master key, so
// the database alone never reveals content. Sealed content names its key by an
// opaque id, never by the subject. Erasing a subject deletes its key: what was
// sealed under it can never be opened again (crypto-shredding), without
// rewriting the records or the audit chain that commits to them.
//
// Every method blocks on I/O on a cache miss: call it on the BlockingPool or
// the store's writer thread, never on an io thread. Thread-safe.
class ContentVault {
 public:
  virtual ~ContentVault() = default;

  // `plaintext` sealed under (tenant, subject)'s key, creating the key on
  // first use; an empty subject is the tenant's own key. The result is
  // self-describing (format version, key id, nonce, ciphertext and tag) and
  // bound to `tenant`: it opens only under the same tenant.
  virtual core::Result<std::string> Seal(std::string_view tenant, std::string_view subject,
                                         std::string_view plaintext) = 0;

  // The plaintext of `sealed`. kNotFound when its key was erased; kInternal
  // when the bytes were tampered with or belong to another tenant.
  virtual core::Result<std::string> Open(std::string_view tenant, std::string_view sealed) = 0;

  // The id of (tenant, subject)'s key, created if needed: what records name
  // so that a subject's records can be found without storing the subject.
  virtual core::Result<std::string> KeyId(std::string_view tenant, std::string_view subject) = 0;

  // Destroys (tenant, subject)'s key, here and in this node's cache. Returns
  // the id of the key destroyed, or an empty string when there was none.
  virtual core::Result<std::string> EraseSubject(std::string_view tenant, std::string_view subject) = 0;
};

}  // namespace strata::store
