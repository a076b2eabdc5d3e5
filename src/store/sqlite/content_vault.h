#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/content_vault.h"

namespace strata::store::sqlite {

class Connection;
class Database;

// The node's master key: it wraps every subject key (docs/AUDIT.md,
// "Content encryption"). Never logged, never in the database.
using MasterKey = std::array<std::uint8_t, 32>;

// Reads the master key from `path`: exactly 32 raw bytes, or the base64 of 32
// bytes (surrounding whitespace ignored). When the file does not exist it is
// created, mode 0600, holding the base64 of 32 fresh random bytes and a
// newline. Refuses a file that group or others may read or write, and any
// other content; the error never quotes the file. kInvalidRequest.
core::Result<MasterKey> LoadOrCreateMasterKey(const std::string& path);

// ContentVault over the subject_keys table (migration 4).
//
// Subject keys: 32 random bytes each, stored wrapped with
// XChaCha20-Poly1305 under the master key as nonce (24) || ciphertext+tag
// (48), with associated data "strata.subject-key.v1|" tenant "|" key_id, so a
// wrapped key moved to another row or tenant does not unwrap.
//
// Sealed content: 0x01 || u8 len || key_id || nonce (24) || ciphertext+tag,
// XChaCha20-Poly1305 under the subject key, associated data
// "strata.content.v1|" tenant "|" key_id.
//
// Unwrapped keys are cached in memory (LRU, `cache_size` entries, each for
// at most `cache_ttl`); an erased subject's key leaves this vault's cache with
// its row. Another process (`strata dsr erase`, another node) erasing the key
// cannot reach this cache: the entry expires within `cache_ttl`, after which
// the key is looked up again, found gone, and the content no longer opens
// (docs/PRIVACY.md, "Caches").
//
// Threading: the public (ContentVault) methods take the Database's lock
// themselves, so they must not be called by a thread that holds it (the lock
// is not reentrant). A caller that already holds the connection (the record
// store's writer inside AppendBatch) uses the *Locked variants with its
// Connection instead. Any thread; the cache has its own mutex, never held
// while waiting for the Database.
class SqliteContentVault final : public ContentVault {
 public:
  static constexpr std::size_t kDefaultCacheSize = 4096;
  static constexpr std::chrono::milliseconds kDefaultCacheTtl{60'000};

  // `database` must outlive the vault and be migrated to version >= 4.
  // `cache_ttl`: how long an unwrapped key is used from memory before its
  // row is read again (at least 1 ms).
  SqliteContentVault(Database& database, const MasterKey& master_key, std::size_t cache_size = kDefaultCacheSize,
                     std::chrono::milliseconds cache_ttl = kDefaultCacheTtl);
  ~SqliteContentVault() override;  // wipes the master key and every cached key

  SqliteContentVault(const SqliteContentVault&) = delete;
  SqliteContentVault& operator=(const SqliteContentVault&) = delete;

  core::Result<std::string> Seal(std::string_view tenant, std::string_view subject,
                                 std::string_view plaintext) override;
  core::Result<std::string> Open(std::string_view tenant, std::string_view sealed) override;
  core::Result<std::string> KeyId(std::string_view tenant, std::string_view subject) override;
  core::Result<std::string> EraseSubject(std::string_view tenant, std::string_view subject) override;

  // --- For a caller holding the connection (same contracts as above). ---

  // KeyId; a key created here is written through `connection`, so inside the
  // caller's transaction. If that transaction rolls back, call ForgetAll().
  core::Result<std::string> KeyIdLocked(Connection& connection, std::string_view tenant, std::string_view subject);
  // The id of (tenant, subject)'s key, or nullopt when it has none: creates nothing.
  core::Result<std::optional<std::string>> FindKeyIdLocked(Connection& connection, std::string_view tenant,
                                                           std::string_view subject);
  // Seal under the key `key_id` (as returned by KeyIdLocked for `tenant`).
  core::Result<std::string> SealLocked(Connection& connection, std::string_view tenant, std::string_view key_id,
                                       std::string_view plaintext);
  core::Result<std::string> OpenLocked(Connection& connection, std::string_view tenant, std::string_view sealed);
  // Deletes (tenant, subject)'s key row and drops it from the cache; returns
  // its id, or "" when there was none. Inside a transaction that may still
  // roll back, nothing is lost: the row comes back and the cache refills.
  core::Result<std::string> EraseSubjectLocked(Connection& connection, std::string_view tenant,
                                               std::string_view subject);

  // Empties the cache: after a rolled-back transaction that may have created keys.
  void ForgetAll();

 private:
  using DataKey = std::array<std::uint8_t, 32>;
  struct CachedKey {
    std::string tenant;
    std::string subject;
    std::string id;
    DataKey key{};
    std::chrono::steady_clock::time_point expires_at{};  // set by Remember
  };
  using Lru = std::list<CachedKey>;

  // Cache access, under cache_mutex_. Lookups move the entry to the front;
  // an expired entry is dropped and reads as a miss.
  std::optional<std::string> CachedIdBySubject(std::string_view tenant, std::string_view subject);
  std::optional<CachedKey> CachedById(std::string_view id);
  void Remember(CachedKey entry);
  void Forget(std::string_view id);
  void ForgetLocked(Lru::iterator entry);  // REQUIRES: cache_mutex_ held

  // The key `id` of `tenant`, from the cache or unwrapped from its row.
  // kNotFound when no such key exists (erased); kInternal when it belongs to
  // another tenant or does not unwrap.
  core::Result<CachedKey> KeyById(Connection& connection, std::string_view tenant, std::string_view id);
  std::string Wrap(std::string_view tenant, std::string_view id, const DataKey& key) const;
  std::optional<DataKey> Unwrap(std::string_view tenant, std::string_view id, std::string_view wrapped) const;

  Database& database_;
  MasterKey master_key_;
  const std::size_t cache_size_;
  const std::chrono::milliseconds cache_ttl_;

  std::mutex cache_mutex_;
  Lru lru_;  // most recently used first
  std::map<std::string, Lru::iterator, std::less<>> by_subject_;  // tenant '\0' subject
  std::map<std::string, Lru::iterator, std::less<>> by_id_;
};

}  // namespace strata::store::sqlite
