#include "gateway/stages/identify_stage.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace strata::gateway {
namespace {

std::string Sha256(std::string_view text) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

std::string_view PresentedKey(const http::Request& request) {
  const std::string_view authorization = request[boost::beast::http::field::authorization];
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() > kBearer.size() && authorization.substr(0, kBearer.size()) == kBearer) {
    return authorization.substr(kBearer.size());
  }
  return request["x-api-key"];
}

}  // namespace

IdentifyStage::IdentifyStage(const std::vector<std::string>& api_keys) {
  for (const std::string& key : api_keys) key_digests_.push_back(Sha256(key));
}

boost::asio::awaitable<StageOutcome> IdentifyStage::OnRequest(core::Exchange& exchange,
                                                              const http::Request& request) {
  if (key_digests_.empty()) co_return Continue{};
  const std::string_view key = PresentedKey(request);
  if (key.empty()) {
    co_return core::Error(core::ErrorCode::kUnauthenticated,
                          "missing API key: send it as 'Authorization: Bearer <key>' or 'x-api-key'");
  }
  // Comparing digests in constant time: how far a guess matched never shows in the timing.
  const std::string digest = Sha256(key);
  for (std::size_t i = 0; i < key_digests_.size(); ++i) {
    if (CRYPTO_memcmp(digest.data(), key_digests_[i].data(), digest.size()) == 0) {
      exchange.principal.key_id = "static-key-" + std::to_string(i + 1);
      exchange.principal.authenticated = true;
      co_return Continue{};
    }
  }
  co_return core::Error(core::ErrorCode::kUnauthenticated, "invalid API key");
}

}  // namespace strata::gateway
