#include "governance/secrets.h"

#include <array>
#include <cstdlib>
#include <memory>
#include <mutex>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sodium.h>

#include "observability/log.h"

namespace strata::governance {
namespace {

constexpr std::string_view kKeyScheme = "sk-strata-";
constexpr std::size_t kKeyBodyLength = 43;  // 43 * log2(62) = 256.03 bits
constexpr std::size_t kPrefixLength = 16;
constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

[[noreturn]] void NoRandomness() {
  // Without a working CSPRNG no key may be minted; this is "the impossible"
  // of STYLE.md (the OS random source failed), so stop loudly.
  observability::Log(observability::Level::kError, "governance: the system's random source failed (RAND_bytes)");
  std::abort();
}

bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;  // thread-safe once; later calls return 1
  return ready;
}

}  // namespace

MintedKey MintKey() {
  MintedKey key;
  key.secret.reserve(kKeyScheme.size() + kKeyBodyLength);
  key.secret.append(kKeyScheme);
  // Rejection sampling keeps every character uniform: a byte below 248
  // (4 * 62) maps onto the alphabet evenly; the rest are drawn again.
  std::array<unsigned char, 64> bytes;
  std::size_t used = bytes.size();
  while (key.secret.size() < kKeyScheme.size() + kKeyBodyLength) {
    if (used == bytes.size()) {
      if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) NoRandomness();
      used = 0;
    }
    const unsigned char byte = bytes[used++];
    if (byte < 248) key.secret.push_back(kBase62[byte % 62]);
  }
  OPENSSL_cleanse(bytes.data(), bytes.size());
  key.prefix = key.secret.substr(0, kPrefixLength);
  key.digest_hex = KeyDigest(key.secret);
  return key;
}

std::string KeyDigest(std::string_view secret) {
  // Every authenticated request digests its key. OpenSSL 3 looks the
  // algorithm up again (locks, property queries) each time it is named by
  // EVP_sha256() and allocates a context per EVP_Digest: fetch it once per
  // process and keep one context per thread, which makes this ~10x cheaper.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                                     &EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (sha256 == nullptr || context == nullptr || EVP_DigestInit_ex2(context.get(), sha256, nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), secret.data(), secret.size()) != 1 ||
      EVP_DigestFinal_ex(context.get(), digest, &size) != 1) {
    // Only on allocation failure inside OpenSSL; an empty digest matches no key.
    return {};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(static_cast<std::size_t>(size) * 2, '0');
  for (unsigned int i = 0; i < size; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return hex;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

core::Result<std::string> HashPassword(std::string_view password) {
  if (password.empty()) {
    return core::Error::InvalidRequest("the password is empty", "password");
  }
  if (!SodiumReady()) {
    return core::Error::Internal("governance: libsodium failed to initialise");
  }
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    // libsodium fails here only when it cannot allocate the memory limit.
    return core::Error::Unavailable("governance: not enough memory to hash a password");
  }
  return std::string(hash);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES || !SodiumReady()) return false;
  const std::string terminated(hash);  // libsodium reads a C string
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

}  // namespace strata::governance
