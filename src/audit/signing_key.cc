#include "audit/signing_key.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "audit/digest.h"

namespace strata::audit {
namespace {

void RequireSodium() {
  static const bool ready = sodium_init() >= 0;  // thread-safe once
  // Without libsodium no key can be made or checked: the impossible (STYLE.md).
  if (!ready) std::abort();
}

// A string whose bytes are wiped when it goes out of scope.
struct WipedString {
  std::string bytes;
  ~WipedString() { sodium_memzero(bytes.data(), bytes.size()); }
};

core::Error FileError(const std::string& what, const std::string& path, int error) {
  return core::Error::InvalidRequest("audit key file " + path + ": " + what + ": " + std::strerror(error));
}

}  // namespace

bool SignatureValid(const PublicKey& public_key, std::string_view message, const Signature& signature) {
  RequireSodium();
  return crypto_sign_verify_detached(signature.data(), reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), public_key.data()) == 0;
}

SigningKey SigningKey::Generate() {
  RequireSodium();
  SigningKey key;
  crypto_sign_keypair(key.public_key_.data(), key.secret_.data());
  return key;
}

core::Result<SigningKey> SigningKey::FromSeed(std::string_view seed) {
  if (seed.size() != crypto_sign_SEEDBYTES) {
    return core::Error::InvalidRequest("audit: an Ed25519 seed is 32 bytes");
  }
  RequireSodium();
  SigningKey key;
  crypto_sign_seed_keypair(key.public_key_.data(), key.secret_.data(),
                           reinterpret_cast<const unsigned char*>(seed.data()));
  return key;
}

SigningKey::SigningKey(SigningKey&& other) noexcept : secret_(other.secret_), public_key_(other.public_key_) {
  sodium_memzero(other.secret_.data(), other.secret_.size());
}

SigningKey& SigningKey::operator=(SigningKey&& other) noexcept {
  if (this != &other) {
    secret_ = other.secret_;
    public_key_ = other.public_key_;
    sodium_memzero(other.secret_.data(), other.secret_.size());
  }
  return *this;
}

SigningKey::~SigningKey() { sodium_memzero(secret_.data(), secret_.size()); }

Signature SigningKey::Sign(std::string_view message) const {
  Signature signature{};
  crypto_sign_detached(signature.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), secret_.data());
  return signature;
}

core::Status SaveNewKeyFile(const SigningKey& key, const std::string& path) {
  // libsodium's secret key starts with the 32-byte seed.
  WipedString line{Base64Encode(std::string_view(reinterpret_cast<const char*>(key.secret_.data()), 32)) + "\n"};
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return FileError("cannot create it", path, errno);
  std::size_t written = 0;
  while (written < line.bytes.size()) {
    const ssize_t n = ::write(fd, line.bytes.data() + written, line.bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = errno;
      ::close(fd);
      ::unlink(path.c_str());
      return FileError("cannot write it", path, error);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return FileError("cannot sync it", path, errno);
  return {};
}

core::Result<SigningKey> LoadKeyFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return FileError("cannot open it", path, errno);
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    const int error = errno;
    ::close(fd);
    return FileError("cannot stat it", path, error);
  }
  if ((info.st_mode & 077) != 0) {
    ::close(fd);
    return core::Error::InvalidRequest("audit key file " + path +
                                       ": group or others have access to it; chmod 600 it");
  }
  WipedString content;
  content.bytes.resize(128);  // a seed line is 45 bytes; anything longer is not a key file
  std::size_t size = 0;
  for (;;) {
    const ssize_t n = ::read(fd, content.bytes.data() + size, content.bytes.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return FileError("cannot read it", path, error);
    }
    if (n == 0 || size + static_cast<std::size_t>(n) == content.bytes.size()) {
      size += static_cast<std::size_t>(n);
      break;
    }
    size += static_cast<std::size_t>(n);
  }
  ::close(fd);
  std::string_view text(content.bytes.data(), size);
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  std::optional<std::string> decoded = Base64Decode(text);
  WipedString seed{decoded ? std::move(*decoded) : std::string()};
  if (seed.bytes.size() != 32) {
    return core::Error::InvalidRequest("audit key file " + path + ": not one base64 Ed25519 seed (32 bytes)");
  }
  return SigningKey::FromSeed(seed.bytes);
}

}  // namespace strata::audit
