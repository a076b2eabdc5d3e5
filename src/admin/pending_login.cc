#include "admin/pending_login.h"

#include <array>
#include <memory>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "oidc/base64url.h"

namespace strata::admin {
namespace {

namespace json = boost::json;

constexpr std::string_view kKeyLabel = "strata oidc pending login v1";
constexpr int kIvBytes = 12;
constexpr int kTagBytes = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

std::array<unsigned char, 32> DeriveKey(std::string_view handle) {
  std::array<unsigned char, 32> key{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), handle.data(), static_cast<int>(handle.size()),
       reinterpret_cast<const unsigned char*>(kKeyLabel.data()), kKeyLabel.size(), key.data(), &length);
  return key;
}

core::Error Unreadable() {
  return core::Error(core::ErrorCode::kUnauthenticated, "sign-in refused: the pending login cannot be read");
}

std::int64_t ToMs(oidc::SystemClock::time_point time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

}  // namespace

core::Result<std::string> SealLogin(std::string_view handle, const LoginInProgress& login) {
  const std::string plain = json::serialize(json::object{{"s", login.pending.state},
                                                         {"n", login.pending.nonce},
                                                         {"v", login.pending.code_verifier},
                                                         {"t", ToMs(login.pending.created_at)},
                                                         {"r", login.return_to}});
  const std::array<unsigned char, 32> key = DeriveKey(handle);
  std::string out(kIvBytes + plain.size() + kTagBytes, '\0');
  auto* iv = reinterpret_cast<unsigned char*>(out.data());
  if (RAND_bytes(iv, kIvBytes) != 1) return core::Error::Internal("the system random generator failed");
  CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int length = 0;
  auto* cipher = iv + kIvBytes;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), iv) != 1 ||
      EVP_EncryptUpdate(ctx.get(), cipher, &length, reinterpret_cast<const unsigned char*>(plain.data()),
                        static_cast<int>(plain.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), cipher + length, &length) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, cipher + plain.size()) != 1) {
    return core::Error::Internal("cannot seal the pending login");
  }
  return oidc::Base64UrlEncode(out);
}

core::Result<LoginInProgress> OpenLogin(std::string_view handle, std::string_view sealed) {
  const std::optional<std::string> bytes = oidc::Base64UrlDecode(sealed);
  if (!bytes || bytes->size() < kIvBytes + kTagBytes) return Unreadable();
  const auto* iv = reinterpret_cast<const unsigned char*>(bytes->data());
  const std::size_t cipher_size = bytes->size() - kIvBytes - kTagBytes;
  const unsigned char* cipher = iv + kIvBytes;
  std::array<unsigned char, kTagBytes> tag{};
  std::copy_n(cipher + cipher_size, kTagBytes, tag.begin());
  const std::array<unsigned char, 32> key = DeriveKey(handle);
  std::string plain(cipher_size, '\0');
  CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int length = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), iv) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &length, cipher,
                        static_cast<int>(cipher_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + length, &length) != 1) {
    return Unreadable();
  }
  boost::system::error_code ec;
  const json::value value = json::parse(plain, ec);
  const json::object* object = ec ? nullptr : value.if_object();
  if (object == nullptr) return Unreadable();
  const auto text = [&](std::string_view name) -> std::string {
    const json::value* field = object->if_contains(name);
    return field != nullptr && field->is_string() ? std::string(field->get_string()) : std::string();
  };
  const json::value* created = object->if_contains("t");
  if (created == nullptr || !created->is_int64()) return Unreadable();
  LoginInProgress login;
  login.pending.state = text("s");
  login.pending.nonce = text("n");
  login.pending.code_verifier = text("v");
  login.pending.created_at = oidc::SystemClock::time_point(std::chrono::milliseconds(created->get_int64()));
  login.return_to = text("r");
  return login;
}

bool IsLocalPath(std::string_view path) {
  if (path.empty() || path.size() > 512 || path.front() != '/') return false;
  if (path.size() > 1 && (path[1] == '/' || path[1] == '\\')) return false;
  for (const char c : path) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '\\') return false;
  }
  return true;
}

}  // namespace strata::admin
