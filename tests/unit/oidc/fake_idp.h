// A fake OpenID Connect issuer for tests: a real http::Server on a loopback
// port serving the discovery document, the JWKS and a token endpoint that
// checks what a real issuer checks (the code, its redirect_uri, PKCE, the
// client's credentials) and signs ID tokens with test keys. Counts requests
// per endpoint, so tests can prove what the cache fetched.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <openssl/evp.h>

#include "http/server.h"
#include "oidc/base64url.h"
#include "oidc/relying_party.h"
#include "test_keys.h"

namespace strata::oidc::test {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;

// The test's own decoder, independent of the code under test.
inline std::string UrlDecode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size()) {
      out += char(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// name → value of a query string or form body ("a=1&b=2").
inline std::map<std::string, std::string> ParseForm(std::string_view text) {
  std::map<std::string, std::string> form;
  while (!text.empty()) {
    const std::size_t amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    const std::size_t eq = pair.find('=');
    form.emplace(UrlDecode(pair.substr(0, eq)), eq == std::string_view::npos ? "" : UrlDecode(pair.substr(eq + 1)));
    text.remove_prefix(amp == std::string_view::npos ? text.size() : amp + 1);
  }
  return form;
}

// RFC 7636's S256, computed here with OpenSSL directly.
inline std::string S256(std::string_view verifier) {
  unsigned char digest[32];
  unsigned int length = 0;
  EVP_Digest(verifier.data(), verifier.size(), digest, &length, EVP_sha256(), nullptr);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

inline std::string DecodeStdBase64(std::string_view text) {
  std::string out(text.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), int(text.size()));
  if (n < 0) return {};
  out.resize(std::size_t(n));
  while (!text.empty() && text.back() == '=') {  // EVP_DecodeBlock keeps the padding's zero bytes
    text.remove_suffix(1);
    out.pop_back();
  }
  return out;
}

class FakeIdp {
 public:
  FakeIdp() {
    http::Router router;
    router.Add(beast_http::verb::get, "/.well-known/openid-configuration",
               [this](const http::Request& request, http::Responder& responder) { return Discovery(request, responder); });
    router.Add(beast_http::verb::get, "/jwks",
               [this](const http::Request& request, http::Responder& responder) { return Jwks(request, responder); });
    router.Add(beast_http::verb::post, "/token",
               [this](const http::Request& request, http::Responder& responder) { return Token(request, responder); });
    keys_ = {Rsa()};
    signing_key_ = Rsa();
    http::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.workers = 1;
    options.shutdown_grace = std::chrono::milliseconds(200);
    server_ = std::make_unique<http::Server>(options, std::move(router));
    const core::Result<std::uint16_t> port = server_->Start();
    if (!port) throw std::runtime_error("fake IdP: " + port.error().message());
    issuer_ = "http://127.0.0.1:" + std::to_string(*port);
  }
  ~FakeIdp() {
    server_->Stop();
    server_->Wait();
  }

  const std::string& issuer() const { return issuer_; }

  // ---- what the issuer publishes and does (thread-safe) ----
  void SetKeys(std::vector<TestKey> keys, Algorithm signing_alg = Algorithm::kRS256) {
    std::lock_guard lock(mutex_);
    signing_key_ = keys.front();
    signing_alg_ = signing_alg;
    keys_ = std::move(keys);
  }
  void SetExtraJwks(boost::json::array extra) { std::lock_guard lock(mutex_); extra_jwks_ = std::move(extra); }
  void SetJwksCacheControl(std::string value) { std::lock_guard lock(mutex_); jwks_cache_control_ = std::move(value); }
  void SetJwksStatus(unsigned status) { std::lock_guard lock(mutex_); jwks_status_ = status; }
  void SetJwksDelay(std::chrono::milliseconds delay) { std::lock_guard lock(mutex_); jwks_delay_ = delay; }
  void SetDiscoveryIssuer(std::string issuer) { std::lock_guard lock(mutex_); discovery_issuer_ = std::move(issuer); }
  void SetTokenStatus(unsigned status) { std::lock_guard lock(mutex_); token_status_ = status; }
  // The client registration the token endpoint checks. Empty secret: public client.
  void ExpectClient(std::string client_id, std::string secret) {
    std::lock_guard lock(mutex_);
    client_id_ = std::move(client_id);
    client_secret_ = std::move(secret);
  }
  // Claims added to (or replacing those of) the next ID tokens.
  void PatchClaims(boost::json::object patch) { std::lock_guard lock(mutex_); claims_patch_ = std::move(patch); }

  // The user signs in at `authorization_url`: the issuer checks the request,
  // remembers the code's nonce and PKCE challenge, and redirects back.
  Callback Authorize(const std::string& authorization_url) {
    const std::size_t question = authorization_url.find('?');
    std::map<std::string, std::string> query = ParseForm(std::string_view(authorization_url).substr(question + 1));
    std::lock_guard lock(mutex_);
    Callback callback;
    callback.state = query["state"];
    if (query["response_type"] != "code" || query["client_id"] != client_id_ ||
        query["code_challenge_method"] != "S256" || query["code_challenge"].empty()) {
      callback.error = "invalid_request";
      return callback;
    }
    callback.code = "code-" + std::to_string(++codes_issued_);
    codes_[callback.code] = Grant{query["redirect_uri"], query["code_challenge"], query["nonce"], false};
    return callback;
  }

  // ---- what it saw ----
  int discovery_requests() const { return discovery_requests_.load(); }
  int jwks_requests() const { return jwks_requests_.load(); }
  int token_requests() const { return token_requests_.load(); }
  int pkce_failures() const { return pkce_failures_.load(); }
  std::string last_client_auth() const { std::lock_guard lock(mutex_); return last_client_auth_; }

 private:
  struct Grant {
    std::string redirect_uri;
    std::string challenge;
    std::string nonce;
    bool used = false;
  };

  static asio::awaitable<void> Send(http::Responder& responder, unsigned status, const boost::json::object& body,
                                    std::string cache_control = {}) {
    http::Response response(static_cast<beast_http::status>(status), 11);
    response.set(beast_http::field::content_type, "application/json");
    if (!cache_control.empty()) response.set(beast_http::field::cache_control, cache_control);
    response.body() = boost::json::serialize(body);
    co_await responder.Send(std::move(response));
  }

  static boost::json::object OAuthError(std::string_view code) { return {{"error", code}}; }

  asio::awaitable<void> Discovery(const http::Request&, http::Responder& responder) {
    ++discovery_requests_;
    boost::json::object doc;
    {
      std::lock_guard lock(mutex_);
      doc["issuer"] = discovery_issuer_.empty() ? issuer_ : discovery_issuer_;
    }
    doc["authorization_endpoint"] = issuer_ + "/authorize";
    doc["token_endpoint"] = issuer_ + "/token";
    doc["jwks_uri"] = issuer_ + "/jwks";
    doc["response_types_supported"] = boost::json::array{"code"};
    doc["code_challenge_methods_supported"] = boost::json::array{"S256"};
    co_await Send(responder, 200, doc);
  }

  asio::awaitable<void> Jwks(const http::Request&, http::Responder& responder) {
    ++jwks_requests_;
    boost::json::array keys;
    unsigned status = 200;
    std::string cache_control;
    std::chrono::milliseconds delay{0};
    {
      std::lock_guard lock(mutex_);
      for (const TestKey& key : keys_) keys.push_back(Jwk(key));
      for (const boost::json::value& extra : extra_jwks_) keys.push_back(extra);
      status = jwks_status_;
      cache_control = jwks_cache_control_;
      delay = jwks_delay_;
    }
    if (delay.count() > 0) {
      asio::steady_timer timer(co_await asio::this_coro::executor, delay);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (status != 200) {
      co_await Send(responder, status, OAuthError("server_error"));
      co_return;
    }
    boost::json::object body;
    body["keys"] = std::move(keys);
    co_await Send(responder, 200, body, cache_control);
  }

  asio::awaitable<void> Token(const http::Request& request, http::Responder& responder) {
    ++token_requests_;
    std::map<std::string, std::string> form = ParseForm(request.body());
    unsigned status = 200;
    boost::json::object answer;
    {
      std::lock_guard lock(mutex_);
      status = Redeem(request, form, answer);
    }
    co_await Send(responder, status, answer);
  }

  // Under mutex_. Fills `answer`, returns the status.
  unsigned Redeem(const http::Request& request, std::map<std::string, std::string>& form, boost::json::object& answer) {
    if (token_status_ != 200) {
      answer = OAuthError("temporarily_unavailable");
      return token_status_;
    }
    if (form["grant_type"] != "authorization_code") {
      answer = OAuthError("unsupported_grant_type");
      return 400;
    }
    // Client authentication (RFC 6749 §2.3.1).
    std::string client_id;
    std::string secret;
    const std::string_view authorization = request[beast_http::field::authorization];
    if (authorization.starts_with("Basic ")) {
      const std::string credentials = DecodeStdBase64(authorization.substr(6));
      const std::size_t colon = credentials.find(':');
      client_id = UrlDecode(credentials.substr(0, colon));
      secret = colon == std::string::npos ? "" : UrlDecode(credentials.substr(colon + 1));
      last_client_auth_ = "basic";
      if (form.count("client_secret") != 0) last_client_auth_ = "both";  // RFC 6749: one method only
    } else {
      last_client_auth_ = form.count("client_secret") != 0 ? "post" : "none";
      client_id = form["client_id"];
      secret = form["client_secret"];
    }
    if (client_id != client_id_ || secret != client_secret_) {
      answer = OAuthError("invalid_client");
      return 401;
    }
    auto grant = codes_.find(form["code"]);
    if (grant == codes_.end() || grant->second.used) {
      answer = OAuthError("invalid_grant");
      return 400;
    }
    grant->second.used = true;  // a code is redeemed once
    if (form["redirect_uri"] != grant->second.redirect_uri) {
      answer = OAuthError("invalid_grant");
      return 400;
    }
    if (S256(form["code_verifier"]) != grant->second.challenge) {
      ++pkce_failures_;
      answer = OAuthError("invalid_grant");
      return 400;
    }
    boost::json::object claims = Claims(issuer_, client_id_, std::chrono::system_clock::now(), grant->second.nonce);
    for (const auto& [name, value] : claims_patch_) claims[name] = value;
    answer["access_token"] = "opaque-access-token";
    answer["token_type"] = "Bearer";
    answer["expires_in"] = 300;
    answer["id_token"] = MakeToken(signing_key_, signing_alg_, claims);
    return 200;
  }

  std::unique_ptr<http::Server> server_;
  std::string issuer_;
  std::atomic<int> discovery_requests_{0};
  std::atomic<int> jwks_requests_{0};
  std::atomic<int> token_requests_{0};
  std::atomic<int> pkce_failures_{0};

  mutable std::mutex mutex_;  // guards everything below
  std::vector<TestKey> keys_;
  TestKey signing_key_;
  Algorithm signing_alg_ = Algorithm::kRS256;
  boost::json::array extra_jwks_;
  std::string jwks_cache_control_;
  unsigned jwks_status_ = 200;
  std::chrono::milliseconds jwks_delay_{0};
  std::string discovery_issuer_;
  unsigned token_status_ = 200;
  std::string client_id_ = "strata-console";
  std::string client_secret_ = "console-secret";
  boost::json::object claims_patch_;
  std::map<std::string, Grant> codes_;
  int codes_issued_ = 0;
  std::string last_client_auth_;
};

}  // namespace strata::oidc::test
