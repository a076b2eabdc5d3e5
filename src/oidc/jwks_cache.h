#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/result.h"
#include "http/client.h"
#include "oidc/jose.h"
#include "oidc/options.h"

namespace strata::oidc {

namespace asio = boost::asio;

// The parts of the issuer's discovery document (OpenID Connect Discovery
// 1.0 §3) that sign-in uses.
struct ProviderMetadata {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string jwks_uri;
  std::string userinfo_endpoint;     // empty when not published
  std::string end_session_endpoint;  // RP-initiated logout; empty when not published
  std::vector<std::string> code_challenge_methods_supported;
};

// The issuer's discovery document and signing keys, fetched over HTTP and
// cached. Thread-safe: one instance serves every worker thread; each call
// fetches, when it must, with the caller's own Client (http::WorkerClient()
// in a handler). Must outlive the calls made on it.
//
// Caching. The keys are kept for the JWKS response's Cache-Control max-age,
// clamped to [options.min_ttl, options.max_ttl] (max_ttl when absent or
// "no-cache"/"no-store": min_ttl); the discovery document likewise. Expired
// entries are refreshed on the next call that needs them.
//
// Rotation. A token naming a kid we do not hold triggers a refetch of the
// JWKS, since the issuer may have rotated its keys. Refetches of any kind
// start at most once per options.refetch_interval, successful or not, so a
// flood of tokens with forged kids, or an issuer that is down, costs the
// issuer one request per interval. While refetching is held back, or fails,
// the keys last fetched stay in use.
//
// Coalescing. At most one fetch is in flight; every caller that needs it,
// on any thread, waits for that one. The fetch runs detached on the executor
// of the caller that started it, so a caller that gives up (cancellation)
// does not abort it for the others; that caller's Client must outlive it
// (a worker's Client does). Waiting assumes each caller's executor runs its
// handlers one at a time (an io_context per thread, as http::Server runs).
//
// Errors: kUpstreamUnavailable when no keys were ever fetched and the issuer
// cannot be reached or is being held back; kUpstreamRejected when its answer
// is malformed (bad JSON, wrong issuer, no usable key, too large);
// kUnauthenticated from KeysFor when no key has the token's kid even after
// the refetch allowed.
class JwksCache {
 public:
  using SteadyClock = std::chrono::steady_clock;
  using Now = std::function<SteadyClock::time_point()>;

  // `issuer` exactly as configured (and as the "iss" of its tokens). `now`
  // defaults to SteadyClock::now (tests pass a fake).
  JwksCache(std::string issuer, JwksOptions options, Now now = {});
  ~JwksCache();
  JwksCache(const JwksCache&) = delete;
  JwksCache& operator=(const JwksCache&) = delete;

  // The discovery document, fetched if not held or expired.
  asio::awaitable<core::Result<ProviderMetadata>> Metadata(http::Client& client);

  // The keys a token signed under `kid` may be verified with: the whole
  // current key set when `kid` is empty or one of its keys has that kid
  // (refetching first when `kid` is unknown, within the rate limit above).
  asio::awaitable<core::Result<std::vector<PublicKey>>> KeysFor(std::string kid, http::Client& client);

  struct Stats {
    std::uint64_t discovery_fetches = 0;  // requests sent for the discovery document
    std::uint64_t jwks_fetches = 0;       // requests sent for the JWKS
    std::uint64_t failed_refreshes = 0;
    std::uint64_t held_back = 0;          // refreshes wanted but refused by refetch_interval
  };
  Stats stats() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

// The max-age a Cache-Control value grants, clamped to [min_ttl, max_ttl];
// max_ttl when it states none, min_ttl for "no-cache" or "no-store".
std::chrono::seconds CacheLifetime(std::string_view cache_control, std::chrono::seconds min_ttl,
                                   std::chrono::seconds max_ttl);

}  // namespace strata::oidc
