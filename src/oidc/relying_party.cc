#include "oidc/relying_party.h"

#include <array>
#include <utility>
#include <variant>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "oidc/base64url.h"

namespace strata::oidc {
namespace {

namespace json = boost::json;
namespace beast_http = boost::beast::http;

constexpr std::size_t kRandomBytes = 32;
constexpr std::size_t kMaxCodeBytes = 4096;

core::Error Refused(std::string message) {
  return {core::ErrorCode::kUnauthenticated, "sign-in refused: " + std::move(message)};
}

// 32 bytes from OpenSSL's CSPRNG, base64url (43 characters).
core::Result<std::string> RandomToken() {
  std::array<unsigned char, kRandomBytes> bytes{};
  if (RAND_bytes(bytes.data(), int(bytes.size())) != 1) {
    return core::Error::Internal("the system random generator failed");
  }
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

core::Result<PendingLogin> NewPendingLogin(SystemClock::time_point now) {
  PendingLogin pending;
  pending.created_at = now;
  for (std::string* value : {&pending.state, &pending.nonce, &pending.code_verifier}) {
    core::Result<std::string> random = RandomToken();
    if (!random) return random.error();
    *value = std::move(*random);
  }
  return pending;
}

// An OAuth error code from the query or a JSON answer, reduced to the
// characters such codes use, so a hostile value cannot smuggle text into
// messages and logs.
std::string SafeCode(std::string_view code) {
  std::string out;
  for (const char c : code.substr(0, 64)) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.') {
      out += c;
    }
  }
  return out.empty() ? "unspecified" : out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 && HexValue(text[i + 2]) >= 0) {
      out += char(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

std::string FormEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[(static_cast<unsigned char>(c) >> 4) & 0xf];
      out += kHex[static_cast<unsigned char>(c) & 0xf];
    }
  }
  return out;
}

std::string CodeChallenge(std::string_view verifier) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(verifier.data(), verifier.size(), digest, &length, EVP_sha256(), nullptr);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

Callback ParseCallback(std::string_view target) {
  if (const std::size_t question = target.find('?'); question != std::string_view::npos) {
    target.remove_prefix(question + 1);
  } else if (target.starts_with('/')) {
    target = {};  // a path without a query
  }
  if (const std::size_t hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  Callback callback;
  while (!target.empty()) {
    const std::size_t amp = target.find('&');
    const std::string_view pair = target.substr(0, amp);
    target.remove_prefix(amp == std::string_view::npos ? target.size() : amp + 1);
    const std::size_t eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    const std::string value = eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1));
    // A repeated parameter keeps its first value (RFC 6749 §3.1 forbids repeats).
    if (name == "code" && callback.code.empty()) callback.code = value;
    if (name == "state" && callback.state.empty()) callback.state = value;
    if (name == "error" && callback.error.empty()) callback.error = value;
    if (name == "error_description" && callback.error_description.empty()) callback.error_description = value;
  }
  return callback;
}

RelyingParty::RelyingParty(OidcOptions options, std::shared_ptr<JwksCache> keys)
    : options_(std::move(options)), keys_(std::move(keys)) {}

ClaimChecks RelyingParty::Checks(std::optional<std::string> nonce) const {
  ClaimChecks checks;
  checks.issuer = options_.issuer;
  checks.client_id = options_.client_id;
  checks.leeway = options_.leeway;
  checks.nonce = std::move(nonce);
  checks.groups_claim = options_.roles.groups_claim;
  return checks;
}

asio::awaitable<core::Result<LoginStart>> RelyingParty::BeginLogin(http::Client& client, SystemClock::time_point now) {
  core::Result<ProviderMetadata> metadata = co_await keys_->Metadata(client);
  if (!metadata) co_return metadata.error();
  core::Result<PendingLogin> pending = NewPendingLogin(now);
  if (!pending) co_return pending.error();
  LoginStart start;
  start.pending = std::move(*pending);

  std::string& url = start.authorization_url;
  url = metadata->authorization_endpoint;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "response_type=code";
  url += "&client_id=" + FormEncode(options_.client_id);
  url += "&redirect_uri=" + FormEncode(options_.redirect_uri);
  url += "&scope=" + FormEncode(options_.scopes);
  url += "&state=" + start.pending.state;  // base64url: nothing to encode
  url += "&nonce=" + start.pending.nonce;
  url += "&code_challenge=" + CodeChallenge(start.pending.code_verifier);
  url += "&code_challenge_method=S256";
  co_return start;
}

asio::awaitable<core::Result<IdentityClaims>> RelyingParty::FinishLogin(PendingLogin pending, Callback callback,
                                                                        http::Client& client,
                                                                        SystemClock::time_point now) {
  if (!callback.error.empty()) co_return Refused("the issuer reported " + SafeCode(callback.error));
  if (pending.state.empty() || !ConstantTimeEquals(callback.state, pending.state)) {
    co_return Refused("the state does not match the pending login");
  }
  if (now - pending.created_at > options_.login_timeout || now < pending.created_at - options_.leeway) {
    co_return Refused("the login took longer than " + std::to_string(options_.login_timeout.count()) + " s");
  }
  if (callback.code.empty() || callback.code.size() > kMaxCodeBytes) co_return Refused("no valid authorization code");

  core::Result<ProviderMetadata> metadata = co_await keys_->Metadata(client);
  if (!metadata) co_return metadata.error();

  http::ClientRequest request;
  request.method = beast_http::verb::post;
  request.url = metadata->token_endpoint;
  request.headers.set(beast_http::field::content_type, "application/x-www-form-urlencoded");
  request.headers.set(beast_http::field::accept, "application/json");
  request.body = "grant_type=authorization_code&code=" + FormEncode(callback.code) +
                 "&redirect_uri=" + FormEncode(options_.redirect_uri) +
                 "&code_verifier=" + FormEncode(pending.code_verifier);
  if (options_.client_secret.empty()) {
    request.body += "&client_id=" + FormEncode(options_.client_id);  // public client
  } else if (options_.client_auth == ClientAuth::kClientSecretPost) {
    request.body += "&client_id=" + FormEncode(options_.client_id) + "&client_secret=" + FormEncode(options_.client_secret);
  } else {
    // RFC 6749 §2.3.1: both parts form-encoded before base64.
    request.headers.set(beast_http::field::authorization,
                        "Basic " + Base64Encode(FormEncode(options_.client_id) + ":" + FormEncode(options_.client_secret)));
  }

  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer deadline(co_await asio::this_coro::executor, options_.jwks.fetch_timeout);
  std::variant<core::Result<http::ClientResponse>, std::monostate> outcome =
      co_await (client.Send(std::move(request)) || deadline.async_wait(asio::use_awaitable));
  if (outcome.index() == 1) {
    co_return core::Error::UpstreamTimeout("the issuer's token endpoint did not answer within " +
                                           std::to_string(options_.jwks.fetch_timeout.count()) + " ms");
  }
  core::Result<http::ClientResponse>& response = std::get<0>(outcome);
  if (!response) co_return response.error();
  if (response->body.size() > options_.jwks.max_document_bytes) {
    co_return core::Error::UpstreamRejected("the issuer's token response is too large");
  }
  boost::system::error_code ec;
  json::value body = json::parse(response->body, ec);
  const json::object* object = ec ? nullptr : body.if_object();
  if (response->status != 200) {
    std::string code = "HTTP " + std::to_string(response->status);
    if (object != nullptr) {
      if (const json::value* error = object->if_contains("error"); error && error->is_string()) {
        code = SafeCode(error->get_string());
      }
    }
    if (response->status == 400 || response->status == 401) {
      co_return Refused("the issuer refused the authorization code (" + code + ")");
    }
    if (response->status >= 500) co_return core::Error::UpstreamUnavailable("the issuer's token endpoint failed (" + code + ")");
    co_return core::Error::UpstreamRejected("the issuer's token endpoint answered " + code);
  }
  const json::value* id_token = object != nullptr ? object->if_contains("id_token") : nullptr;
  if (id_token == nullptr || !id_token->is_string()) {
    co_return core::Error::UpstreamRejected("the issuer's token response has no id_token (is \"openid\" in the scopes?)");
  }
  co_return co_await VerifyIdToken(std::string(id_token->get_string()), std::move(pending.nonce), client, now);
}

asio::awaitable<core::Result<IdentityClaims>> RelyingParty::VerifyIdToken(std::string token,
                                                                          std::optional<std::string> nonce,
                                                                          http::Client& client,
                                                                          SystemClock::time_point now) {
  // The kid is needed before the keys are: parse once here (cheap), and
  // again, fully checked, in oidc::VerifyIdToken.
  core::Result<Jwt> jwt = ParseJwt(token);
  if (!jwt) co_return jwt.error();
  core::Result<std::vector<PublicKey>> keys = co_await keys_->KeysFor(jwt->kid, client);
  if (!keys) co_return keys.error();
  co_return oidc::VerifyIdToken(token, *keys, Checks(std::move(nonce)), now);
}

}  // namespace strata::oidc
