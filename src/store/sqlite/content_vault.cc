#include "store/sqlite/content_vault.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "audit/digest.h"
#include "core/clock.h"
#include "store/sqlite/database.h"

namespace strata::store::sqlite {
namespace {

constexpr std::uint8_t kSealedVersion = 0x01;
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;  // 24
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;       // 16
constexpr std::size_t kKeyBytes = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;     // 32
static_assert(kKeyBytes == MasterKey{}.size());

void RequireSodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) std::abort();  // no cryptography at all: the impossible (STYLE.md)
}

const unsigned char* Bytes(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }

std::string Associated(std::string_view domain, std::string_view tenant, std::string_view key_id) {
  std::string ad;
  ad.reserve(domain.size() + tenant.size() + key_id.size() + 2);
  ad.append(domain).append("|").append(tenant).append("|").append(key_id);
  return ad;
}

std::string RandomKeyId() {
  std::array<std::uint8_t, 16> random;
  randombytes_buf(random.data(), random.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "sk_";
  for (std::uint8_t byte : random) {
    id.push_back(kHex[byte >> 4]);
    id.push_back(kHex[byte & 0xf]);
  }
  return id;
}

// nonce || ciphertext+tag of `plaintext` under `key`.
std::string Encrypt(const std::uint8_t* key, std::string_view ad, std::string_view plaintext, std::string prefix) {
  const std::size_t start = prefix.size();
  prefix.resize(start + kNonceBytes + plaintext.size() + kTagBytes);
  auto* out = reinterpret_cast<unsigned char*>(prefix.data() + start);
  randombytes_buf(out, kNonceBytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out + kNonceBytes, &written, Bytes(plaintext), plaintext.size(),
                                             Bytes(ad), ad.size(), nullptr, out, key);
  return prefix;
}

// The plaintext of nonce || ciphertext+tag, or nullopt when it does not authenticate.
std::optional<std::string> Decrypt(const std::uint8_t* key, std::string_view ad, std::string_view boxed) {
  if (boxed.size() < kNonceBytes + kTagBytes) return std::nullopt;
  std::string plaintext(boxed.size() - kNonceBytes - kTagBytes, '\0');
  unsigned long long written = 0;
  const unsigned char* nonce = Bytes(boxed);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(plaintext.data()), &written,
                                                 nullptr, nonce + kNonceBytes, boxed.size() - kNonceBytes,
                                                 Bytes(ad), ad.size(), nonce, key) != 0) {
    return std::nullopt;
  }
  plaintext.resize(written);
  return plaintext;
}

std::string SubjectKey(std::string_view tenant, std::string_view subject) {
  std::string key(tenant);
  key.push_back('\0');
  key.append(subject);
  return key;
}

core::Error KeyFileError(const std::string& path, const std::string& what) {
  return core::Error::InvalidRequest("content key file " + path + ": " + what, "store.content_key_file");
}

}  // namespace

core::Result<MasterKey> LoadOrCreateMasterKey(const std::string& path) {
  RequireSodium();
  MasterKey key{};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    randombytes_buf(key.data(), key.size());
    std::string text = audit::Base64Encode(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
    text.push_back('\n');
    const int out = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0) return KeyFileError(path, std::string("cannot create: ") + std::strerror(errno));
    const bool written = ::write(out, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    const bool synced = ::fsync(out) == 0;
    ::close(out);
    sodium_memzero(text.data(), text.size());
    if (!written || !synced) {
      ::unlink(path.c_str());
      return KeyFileError(path, "cannot write");
    }
    return key;
  }
  if (fd < 0) return KeyFileError(path, std::string("cannot open: ") + std::strerror(errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return KeyFileError(path, "not a regular file");
  }
  if ((info.st_mode & 077) != 0) {
    ::close(fd);
    return KeyFileError(path, "group or others may access it (chmod 600)");
  }
  std::string content;
  char buffer[256];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0 && content.size() <= 1024;) content.append(buffer, n);
  ::close(fd);
  sodium_memzero(buffer, sizeof buffer);
  std::optional<std::string> decoded;
  if (content.size() == key.size()) {
    decoded = content;
  } else {
    std::string_view text = content;
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    decoded = audit::Base64Decode(text);
  }
  sodium_memzero(content.data(), content.size());
  if (!decoded || decoded->size() != key.size()) {
    if (decoded) sodium_memzero(decoded->data(), decoded->size());
    return KeyFileError(path, "must hold exactly 32 bytes, raw or base64");
  }
  std::memcpy(key.data(), decoded->data(), key.size());
  sodium_memzero(decoded->data(), decoded->size());
  return key;
}

SqliteContentVault::SqliteContentVault(Database& database, const MasterKey& master_key, std::size_t cache_size,
                                       std::chrono::milliseconds cache_ttl)
    : database_(database),
      master_key_(master_key),
      cache_size_(cache_size == 0 ? 1 : cache_size),
      cache_ttl_(std::max(cache_ttl, std::chrono::milliseconds(1))) {
  RequireSodium();
}

SqliteContentVault::~SqliteContentVault() {
  ForgetAll();
  sodium_memzero(master_key_.data(), master_key_.size());
}

// --- Public: each takes the connection. ---

core::Result<std::string> SqliteContentVault::Seal(std::string_view tenant, std::string_view subject,
                                                   std::string_view plaintext) {
  Connection connection = database_.Lock();
  core::Result<std::string> id = KeyIdLocked(connection, tenant, subject);
  if (!id) return id.error();
  return SealLocked(connection, tenant, *id, plaintext);
}

core::Result<std::string> SqliteContentVault::Open(std::string_view tenant, std::string_view sealed) {
  Connection connection = database_.Lock();
  return OpenLocked(connection, tenant, sealed);
}

core::Result<std::string> SqliteContentVault::KeyId(std::string_view tenant, std::string_view subject) {
  Connection connection = database_.Lock();
  return KeyIdLocked(connection, tenant, subject);
}

core::Result<std::string> SqliteContentVault::EraseSubject(std::string_view tenant, std::string_view subject) {
  Connection connection = database_.Lock();
  return EraseSubjectLocked(connection, tenant, subject);
}

// --- Locked variants. ---

core::Result<std::optional<std::string>> SqliteContentVault::FindKeyIdLocked(Connection& connection,
                                                                             std::string_view tenant,
                                                                             std::string_view subject) {
  if (std::optional<std::string> cached = CachedIdBySubject(tenant, subject)) return cached;
  core::Result<Statement> select =
      connection.Prepare("SELECT id FROM subject_keys WHERE tenant_id = ? AND subject = ?");
  if (!select) return select.error();
  core::Result<bool> row = select->Bind(1, tenant).Bind(2, subject).Step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(select->ColumnText(0));
}

core::Result<std::string> SqliteContentVault::KeyIdLocked(Connection& connection, std::string_view tenant,
                                                          std::string_view subject) {
  core::Result<std::optional<std::string>> found = FindKeyIdLocked(connection, tenant, subject);
  if (!found) return found.error();
  if (*found) return std::move(**found);
  CachedKey created{.tenant = std::string(tenant), .subject = std::string(subject), .id = RandomKeyId()};
  randombytes_buf(created.key.data(), created.key.size());
  core::Result<Statement> insert = connection.Prepare(
      "INSERT INTO subject_keys(id, tenant_id, subject, wrapped_key, created_at_ms) VALUES (?, ?, ?, ?, ?)");
  if (!insert) return insert.error();
  core::Status inserted = insert->Bind(1, created.id)
                              .Bind(2, tenant)
                              .Bind(3, subject)
                              .BindBlob(4, Wrap(tenant, created.id, created.key))
                              .Bind(5, core::NowMs())
                              .Run();
  if (!inserted) return inserted.error();
  std::string id = created.id;
  Remember(std::move(created));
  return id;
}

core::Result<std::string> SqliteContentVault::SealLocked(Connection& connection, std::string_view tenant,
                                                         std::string_view key_id, std::string_view plaintext) {
  if (key_id.size() > 255) return core::Error::Internal("content vault: key id too long");
  core::Result<CachedKey> key = KeyById(connection, tenant, key_id);
  if (!key) return key.error();
  std::string prefix;
  prefix.reserve(2 + key_id.size() + kNonceBytes + plaintext.size() + kTagBytes);
  prefix.push_back(static_cast<char>(kSealedVersion));
  prefix.push_back(static_cast<char>(key_id.size()));
  prefix.append(key_id);
  std::string sealed =
      Encrypt(key->key.data(), Associated("strata.content.v1", tenant, key_id), plaintext, std::move(prefix));
  sodium_memzero(key->key.data(), key->key.size());
  return sealed;
}

core::Result<std::string> SqliteContentVault::OpenLocked(Connection& connection, std::string_view tenant,
                                                         std::string_view sealed) {
  if (sealed.size() < 2 || static_cast<std::uint8_t>(sealed[0]) != kSealedVersion) {
    return core::Error::Internal("content vault: sealed content has an unknown format");
  }
  const std::size_t id_size = static_cast<std::uint8_t>(sealed[1]);
  if (sealed.size() < 2 + id_size + kNonceBytes + kTagBytes) {
    return core::Error::Internal("content vault: sealed content is truncated");
  }
  const std::string_view key_id = sealed.substr(2, id_size);
  core::Result<CachedKey> key = KeyById(connection, tenant, key_id);
  if (!key) return key.error();
  std::optional<std::string> plaintext =
      Decrypt(key->key.data(), Associated("strata.content.v1", tenant, key_id), sealed.substr(2 + id_size));
  sodium_memzero(key->key.data(), key->key.size());
  if (!plaintext) {
    return core::Error::Internal("content vault: sealed content does not authenticate (tampered, or another tenant's)");
  }
  return std::move(*plaintext);
}

core::Result<std::string> SqliteContentVault::EraseSubjectLocked(Connection& connection, std::string_view tenant,
                                                                 std::string_view subject) {
  core::Result<std::optional<std::string>> found = FindKeyIdLocked(connection, tenant, subject);
  if (!found) return found.error();
  if (!*found) return std::string();
  const std::string id = std::move(**found);
  // Out of the cache first: from here on nothing can seal or open under it.
  Forget(id);
  core::Result<Statement> remove = connection.Prepare("DELETE FROM subject_keys WHERE id = ?");
  if (!remove) return remove.error();
  if (core::Status removed = remove->Bind(1, id).Run(); !removed) return removed.error();
  return id;
}

core::Result<SqliteContentVault::CachedKey> SqliteContentVault::KeyById(Connection& connection,
                                                                        std::string_view tenant,
                                                                        std::string_view id) {
  if (std::optional<CachedKey> cached = CachedById(id)) {
    if (cached->tenant != tenant) {
      sodium_memzero(cached->key.data(), cached->key.size());
      return core::Error::Internal("content vault: the content belongs to another tenant");
    }
    return std::move(*cached);
  }
  core::Result<Statement> select =
      connection.Prepare("SELECT tenant_id, subject, wrapped_key FROM subject_keys WHERE id = ?");
  if (!select) return select.error();
  core::Result<bool> row = select->Bind(1, id).Step();
  if (!row) return row.error();
  if (!*row) return core::Error::NotFound("content vault: the content's key was erased");
  CachedKey entry{.tenant = select->ColumnText(0), .subject = select->ColumnText(1), .id = std::string(id)};
  if (entry.tenant != tenant) return core::Error::Internal("content vault: the content belongs to another tenant");
  std::optional<DataKey> key = Unwrap(tenant, id, select->ColumnBlob(2));
  if (!key) return core::Error::Internal("content vault: a subject key does not unwrap (wrong master key?)");
  entry.key = *key;
  sodium_memzero(key->data(), key->size());
  Remember(entry);
  return entry;
}

std::string SqliteContentVault::Wrap(std::string_view tenant, std::string_view id, const DataKey& key) const {
  return Encrypt(master_key_.data(), Associated("strata.subject-key.v1", tenant, id),
                 std::string_view(reinterpret_cast<const char*>(key.data()), key.size()), std::string());
}

std::optional<SqliteContentVault::DataKey> SqliteContentVault::Unwrap(std::string_view tenant, std::string_view id,
                                                                      std::string_view wrapped) const {
  std::optional<std::string> plain = Decrypt(master_key_.data(), Associated("strata.subject-key.v1", tenant, id), wrapped);
  if (!plain) return std::nullopt;
  std::optional<DataKey> key;
  if (plain->size() == DataKey{}.size()) {
    key.emplace();
    std::memcpy(key->data(), plain->data(), key->size());
  }
  sodium_memzero(plain->data(), plain->size());
  return key;
}

// --- The cache. ---

// Only the id: the key itself is not copied out (nor left unwiped) for it.
std::optional<std::string> SqliteContentVault::CachedIdBySubject(std::string_view tenant, std::string_view subject) {
  std::lock_guard lock(cache_mutex_);
  auto found = by_subject_.find(SubjectKey(tenant, subject));
  if (found == by_subject_.end()) return std::nullopt;
  if (found->second->expires_at <= std::chrono::steady_clock::now()) {
    ForgetLocked(found->second);
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, found->second);
  return found->second->id;
}

std::optional<SqliteContentVault::CachedKey> SqliteContentVault::CachedById(std::string_view id) {
  std::lock_guard lock(cache_mutex_);
  auto found = by_id_.find(id);
  if (found == by_id_.end()) return std::nullopt;
  if (found->second->expires_at <= std::chrono::steady_clock::now()) {
    ForgetLocked(found->second);
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, found->second);
  return *found->second;
}

void SqliteContentVault::Remember(CachedKey entry) {
  std::lock_guard lock(cache_mutex_);
  if (by_id_.contains(entry.id)) return;
  entry.expires_at = std::chrono::steady_clock::now() + cache_ttl_;
  lru_.push_front(std::move(entry));
  by_subject_[SubjectKey(lru_.front().tenant, lru_.front().subject)] = lru_.begin();
  by_id_[lru_.front().id] = lru_.begin();
  while (lru_.size() > cache_size_) {
    CachedKey& oldest = lru_.back();
    by_subject_.erase(SubjectKey(oldest.tenant, oldest.subject));
    by_id_.erase(oldest.id);
    sodium_memzero(oldest.key.data(), oldest.key.size());
    lru_.pop_back();
  }
}

void SqliteContentVault::Forget(std::string_view id) {
  std::lock_guard lock(cache_mutex_);
  auto found = by_id_.find(id);
  if (found == by_id_.end()) return;
  ForgetLocked(found->second);
}

void SqliteContentVault::ForgetLocked(Lru::iterator entry) {
  by_subject_.erase(SubjectKey(entry->tenant, entry->subject));
  by_id_.erase(entry->id);
  sodium_memzero(entry->key.data(), entry->key.size());
  lru_.erase(entry);
}

void SqliteContentVault::ForgetAll() {
  std::lock_guard lock(cache_mutex_);
  for (CachedKey& entry : lru_) sodium_memzero(entry.key.data(), entry.key.size());
  lru_.clear();
  by_subject_.clear();
  by_id_.clear();
}

}  // namespace strata::store::sqlite
