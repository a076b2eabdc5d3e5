#include "oidc/jwks_cache.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <atomic>
#include <mutex>
#include <optional>
#include <utility>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include "http/url.h"
#include "observability/log.h"

namespace strata::oidc {
namespace {

namespace json = boost::json;
namespace beast_http = boost::beast::http;
using SteadyClock = JwksCache::SteadyClock;
using observability::Level;
using observability::Log;

// What one successful refresh produced. Immutable once published.
struct Snapshot {
  ProviderMetadata metadata;
  SteadyClock::time_point metadata_expires;
  std::vector<PublicKey> keys;
  SteadyClock::time_point keys_expires;

  bool HasKid(std::string_view kid) const {
    return std::any_of(keys.begin(), keys.end(), [&](const PublicKey& key) { return key.kid() == kid; });
  }
};

// One fetch in flight and the callers waiting for its outcome. A waiter
// parks on a timer of its own executor; Finish() posts a cancel of that timer
// to that executor, which wakes the waiter on its own thread.
//
// Lifetimes across threads: a waiter stays registered until its coroutine
// ends, however it ends (woken, cancelled, or its frame destroyed with its
// io_context), and Finish() posts while holding the same mutex. So every
// executor Finish() posts to belongs to a waiter that still exists, hence to
// an io_context not yet destroyed. The posted handler holds the timer weakly:
// it runs on the waiter's own thread, where the frame is either alive or gone.
struct Flight {
  struct Waiter {
    const void* id;
    asio::any_io_executor executor;
    std::weak_ptr<asio::steady_timer> timer;
  };

  std::mutex mutex;
  bool done = false;
  core::Status outcome;
  std::vector<Waiter> waiters;

  void Finish(core::Status status) {
    std::lock_guard lock(mutex);
    if (done) return;
    done = true;
    outcome = std::move(status);
    for (Waiter& waiter : waiters) {
      asio::post(waiter.executor, [timer = waiter.timer] {
        if (std::shared_ptr<asio::steady_timer> alive = timer.lock()) alive->cancel();
      });
    }
    waiters.clear();
  }

  // Removes the waiter `id` (if Finish() has not already) when it goes away.
  class Registration {
   public:
    Registration(Flight& flight, const void* id) : flight_(flight), id_(id) {}
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;
    ~Registration() {
      std::lock_guard lock(flight_.mutex);
      std::erase_if(flight_.waiters, [this](const Waiter& waiter) { return waiter.id == id_; });
    }

   private:
    Flight& flight_;
    const void* id_;
  };
};

std::string StringMember(const json::object& object, std::string_view name) {
  const json::value* value = object.if_contains(name);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : std::string();
}

}  // namespace

std::chrono::seconds CacheLifetime(std::string_view cache_control, std::chrono::seconds min_ttl,
                                   std::chrono::seconds max_ttl) {
  std::optional<long long> max_age;
  bool no_cache = false;
  while (!cache_control.empty()) {
    const std::size_t comma = cache_control.find(',');
    std::string_view directive = cache_control.substr(0, comma);
    cache_control.remove_prefix(comma == std::string_view::npos ? cache_control.size() : comma + 1);
    while (!directive.empty() && (directive.front() == ' ' || directive.front() == '\t')) directive.remove_prefix(1);
    while (!directive.empty() && (directive.back() == ' ' || directive.back() == '\t')) directive.remove_suffix(1);
    std::string lower(directive);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (lower == "no-cache" || lower == "no-store") {
      no_cache = true;
    } else if (lower.starts_with("max-age=")) {
      std::string_view digits = std::string_view(lower).substr(8);
      if (digits.size() >= 2 && digits.front() == '"' && digits.back() == '"') digits = digits.substr(1, digits.size() - 2);
      if (digits.empty() || digits.size() > 12 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
      max_age = std::stoll(std::string(digits));
    }
  }
  if (no_cache) return min_ttl;
  if (!max_age) return max_ttl;
  return std::clamp(std::chrono::seconds(*max_age), min_ttl, max_ttl);
}

class JwksCache::Impl : public std::enable_shared_from_this<JwksCache::Impl> {
 public:
  Impl(std::string issuer, JwksOptions options, Now now)
      : issuer_(std::move(issuer)), options_(std::move(options)), now_(std::move(now)) {
    if (!now_) now_ = [] { return SteadyClock::now(); };
  }

  // Returns the snapshot to use, refreshing first when `want` says the
  // current one will not do (and the rate limit allows). Null only when no
  // refresh ever succeeded; `error` then says why.
  template <class Want>
  asio::awaitable<std::shared_ptr<const Snapshot>> Get(Want want, http::Client& client, core::Error& error) {
    std::shared_ptr<const Snapshot> snapshot = Current();
    if (snapshot && !want(*snapshot, now_())) co_return snapshot;

    std::shared_ptr<Flight> flight;
    bool start = false;
    {
      std::lock_guard lock(mutex_);
      if (flight_) {
        flight = flight_;
      } else if (last_start_ && now_() - *last_start_ < options_.refetch_interval) {
        ++held_back_;
      } else {
        flight = flight_ = std::make_shared<Flight>();
        last_start_ = now_();
        start = true;
      }
    }
    if (!flight) {
      snapshot = Current();
      if (!snapshot) {
        std::lock_guard lock(mutex_);
        error = core::Error::UpstreamUnavailable(
            "the issuer's keys are not available (last fetch failed: " + last_error_ + "); next try within " +
            std::to_string(options_.refetch_interval.count()) + " s");
      }
      co_return snapshot;
    }
    if (start) {
      // Detached, so that this caller giving up does not abort the fetch that
      // others wait for; `self` keeps the cache state alive until it ends.
      // (Each piece in its own statement: g++ 12 miscompiles captures in an
      // expression that also co_awaits.)
      const asio::any_io_executor executor = co_await asio::this_coro::executor;
      std::shared_ptr<Impl> self = shared_from_this();
      auto on_exit = [self, flight](std::exception_ptr escaped) {
        if (escaped) self->Publish(flight, nullptr, core::Error::Internal("the JWKS refresh failed unexpectedly"));
      };
      asio::co_spawn(executor, Refresh(self, flight, client), std::move(on_exit));
    }
    core::Status outcome = co_await Wait(flight);
    snapshot = Current();
    if (!snapshot) error = outcome ? core::Error::Internal("JWKS refresh succeeded without keys") : outcome.error();
    co_return snapshot;
  }

  std::shared_ptr<const Snapshot> Current() const {
    std::lock_guard lock(mutex_);
    return snapshot_;
  }

  JwksCache::Stats stats() const {
    std::lock_guard lock(mutex_);
    return {discovery_fetches_, jwks_fetches_, failed_refreshes_, held_back_};
  }

 private:
  static asio::awaitable<core::Status> Wait(std::shared_ptr<Flight> flight) {
    const asio::any_io_executor executor = co_await asio::this_coro::executor;
    auto timer = std::make_shared<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
    {
      std::lock_guard lock(flight->mutex);
      if (flight->done) co_return flight->outcome;
      flight->waiters.push_back({timer.get(), executor, timer});
    }
    const Flight::Registration registration(*flight, timer.get());
    co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    std::lock_guard lock(flight->mutex);
    if (flight->done) co_return flight->outcome;
    co_return core::Error::Unavailable("waiting for the issuer's keys was cancelled");
  }

  // One fetch: the discovery document when not held or expired, then the JWKS.
  static asio::awaitable<void> Refresh(std::shared_ptr<Impl> self, std::shared_ptr<Flight> flight,
                                       http::Client& client) {
    // Whatever ends this coroutine, its frame destroyed with its io_context
    // included, the flight is finished: waiters never wait for nothing.
    struct Outcome {
      Outcome(std::shared_ptr<Impl> s, std::shared_ptr<Flight> f) : self(std::move(s)), flight(std::move(f)) {}
      std::shared_ptr<Impl> self;
      std::shared_ptr<Flight> flight;
      std::shared_ptr<const Snapshot> snapshot;
      core::Status status = core::Error::Unavailable("the JWKS refresh was abandoned");
      ~Outcome() { self->Publish(flight, std::move(snapshot), std::move(status)); }
    };
    Outcome outcome(self, flight);

    const std::shared_ptr<const Snapshot> previous = self->Current();
    auto next = std::make_shared<Snapshot>();
    if (previous && self->now_() < previous->metadata_expires) {
      next->metadata = previous->metadata;
      next->metadata_expires = previous->metadata_expires;
    } else {
      outcome.status = co_await self->FetchMetadata(client, *next);
      if (!outcome.status) co_return;
    }
    outcome.status = co_await self->FetchKeys(client, *next);
    if (outcome.status) outcome.snapshot = std::move(next);
  }

  void Publish(const std::shared_ptr<Flight>& flight, std::shared_ptr<const Snapshot> snapshot, core::Status status) {
    {
      std::lock_guard lock(mutex_);
      if (flight_ == flight) flight_.reset();
      if (snapshot) {
        snapshot_ = std::move(snapshot);
      } else if (!status) {
        ++failed_refreshes_;
        last_error_ = status.error().message();
      }
    }
    if (!status) {
      Log(Level::kWarn, "oidc: fetching the issuer's keys failed",
          {{"issuer", std::string_view(issuer_)}, {"error", std::string_view(status.error().message())}});
    }
    flight->Finish(std::move(status));
  }

  // GET `url`, bounded by fetch_timeout, with a 200 JSON object answer.
  asio::awaitable<core::Result<std::pair<json::object, std::string>>> FetchJson(http::Client& client,
                                                                                std::string url,
                                                                                std::string_view what) {
    using namespace asio::experimental::awaitable_operators;
    http::ClientRequest request;
    request.url = url;
    request.headers.set(beast_http::field::accept, "application/json");
    asio::steady_timer deadline(co_await asio::this_coro::executor, options_.fetch_timeout);
    std::variant<core::Result<http::ClientResponse>, std::monostate> outcome =
        co_await (client.Send(std::move(request)) || deadline.async_wait(asio::use_awaitable));
    if (outcome.index() == 1) {
      co_return core::Error::UpstreamTimeout("the issuer's " + std::string(what) + " did not arrive within " +
                                             std::to_string(options_.fetch_timeout.count()) + " ms");
    }
    core::Result<http::ClientResponse>& response = std::get<0>(outcome);
    if (!response) co_return response.error();
    if (response->status != 200) {
      co_return core::Error::UpstreamUnavailable("the issuer's " + std::string(what) + " answered HTTP " +
                                                 std::to_string(response->status));
    }
    if (response->body.size() > options_.max_document_bytes) {
      co_return core::Error::UpstreamRejected("the issuer's " + std::string(what) + " is larger than " +
                                              std::to_string(options_.max_document_bytes) + " bytes");
    }
    boost::system::error_code ec;
    json::value value = json::parse(response->body, ec);
    if (ec || !value.is_object()) {
      co_return core::Error::UpstreamRejected("the issuer's " + std::string(what) + " is not a JSON object");
    }
    std::string cache_control(response->headers[beast_http::field::cache_control]);
    co_return std::make_pair(std::move(value.as_object()), std::move(cache_control));
  }

  asio::awaitable<core::Status> FetchMetadata(http::Client& client, Snapshot& next) {
    std::string url = issuer_;
    while (!url.empty() && url.back() == '/') url.pop_back();
    url += "/.well-known/openid-configuration";
    {
      std::lock_guard lock(mutex_);
      ++discovery_fetches_;
    }
    auto document = co_await FetchJson(client, std::move(url), "discovery document");
    if (!document) co_return document.error();
    const json::object& doc = document->first;
    ProviderMetadata metadata;
    // Discovery §4.3: the document must name the issuer we asked, exactly;
    // otherwise another issuer could be substituted for ours.
    metadata.issuer = StringMember(doc, "issuer");
    if (metadata.issuer != issuer_) {
      co_return core::Error::UpstreamRejected("the discovery document names another issuer than " + issuer_);
    }
    metadata.authorization_endpoint = StringMember(doc, "authorization_endpoint");
    metadata.token_endpoint = StringMember(doc, "token_endpoint");
    metadata.jwks_uri = StringMember(doc, "jwks_uri");
    metadata.userinfo_endpoint = StringMember(doc, "userinfo_endpoint");
    metadata.end_session_endpoint = StringMember(doc, "end_session_endpoint");
    if (const json::value* methods = doc.if_contains("code_challenge_methods_supported"); methods && methods->is_array()) {
      for (const json::value& method : methods->get_array()) {
        if (method.is_string()) metadata.code_challenge_methods_supported.emplace_back(method.get_string());
      }
    }
    const bool https = issuer_.starts_with("https://");
    const std::array<std::pair<std::string_view, const std::string*>, 3> endpoints = {{
        {"authorization_endpoint", &metadata.authorization_endpoint},
        {"token_endpoint", &metadata.token_endpoint},
        {"jwks_uri", &metadata.jwks_uri},
    }};
    for (const auto& [name, value] : endpoints) {
      core::Result<http::Url> url = http::Url::Parse(*value);
      if (!url) co_return core::Error::UpstreamRejected("the discovery document has no valid " + std::string(name));
      if (https && !url->tls()) {
        co_return core::Error::UpstreamRejected("the discovery document's " + std::string(name) + " is not https");
      }
    }
    next.metadata = std::move(metadata);
    next.metadata_expires = now_() + CacheLifetime(document->second, options_.min_ttl, options_.max_ttl);
    co_return core::Status{};
  }

  asio::awaitable<core::Status> FetchKeys(http::Client& client, Snapshot& next) {
    {
      std::lock_guard lock(mutex_);
      ++jwks_fetches_;
    }
    auto document = co_await FetchJson(client, next.metadata.jwks_uri, "JWKS");
    if (!document) co_return document.error();
    const json::value* keys = document->first.if_contains("keys");
    if (keys == nullptr || !keys->is_array()) co_return core::Error::UpstreamRejected("the issuer's JWKS has no \"keys\" array");
    std::size_t skipped = 0;
    for (const json::value& jwk : keys->get_array()) {
      if (next.keys.size() == options_.max_keys) break;
      core::Result<PublicKey> key = jwk.is_object() ? PublicKey::FromJwk(jwk.get_object())
                                                    : core::Result<PublicKey>(core::Error::InvalidRequest("not an object"));
      if (key) {
        next.keys.push_back(std::move(*key));
      } else {
        ++skipped;  // an encryption key, an unsupported type: not ours to use
        Log(Level::kDebug, "oidc: JWKS key skipped", {{"issuer", std::string_view(issuer_)},
                                                     {"reason", std::string_view(key.error().message())}});
      }
    }
    if (next.keys.empty()) {
      co_return core::Error::UpstreamRejected("the issuer's JWKS has no usable signing key (" + std::to_string(skipped) +
                                              " skipped)");
    }
    next.keys_expires = now_() + CacheLifetime(document->second, options_.min_ttl, options_.max_ttl);
    co_return core::Status{};
  }

  const std::string issuer_;
  const JwksOptions options_;
  Now now_;

  mutable std::mutex mutex_;  // guards everything below
  std::shared_ptr<const Snapshot> snapshot_;
  std::shared_ptr<Flight> flight_;
  std::optional<SteadyClock::time_point> last_start_;
  std::string last_error_ = "none yet";
  std::uint64_t discovery_fetches_ = 0;
  std::uint64_t jwks_fetches_ = 0;
  std::uint64_t failed_refreshes_ = 0;
  std::uint64_t held_back_ = 0;
};

JwksCache::JwksCache(std::string issuer, JwksOptions options, Now now)
    : impl_(std::make_shared<Impl>(std::move(issuer), std::move(options), std::move(now))) {}

JwksCache::~JwksCache() = default;

asio::awaitable<core::Result<ProviderMetadata>> JwksCache::Metadata(http::Client& client) {
  core::Error error;
  std::shared_ptr<const Snapshot> snapshot = co_await impl_->Get(
      [](const Snapshot& s, SteadyClock::time_point now) { return now >= s.metadata_expires || now >= s.keys_expires; },
      client, error);
  if (!snapshot) co_return error;
  co_return snapshot->metadata;
}

asio::awaitable<core::Result<std::vector<PublicKey>>> JwksCache::KeysFor(std::string kid, http::Client& client) {
  core::Error error;
  std::shared_ptr<const Snapshot> snapshot = co_await impl_->Get(
      [&kid](const Snapshot& s, SteadyClock::time_point now) {
        return now >= s.keys_expires || now >= s.metadata_expires || (!kid.empty() && !s.HasKid(kid));
      },
      client, error);
  if (!snapshot) co_return error;
  if (!kid.empty() && !snapshot->HasKid(kid)) {
    co_return core::Error(core::ErrorCode::kUnauthenticated,
                          "ID token refused: the issuer publishes no key with its \"kid\"");
  }
  co_return snapshot->keys;
}

JwksCache::Stats JwksCache::stats() const { return impl_->stats(); }

}  // namespace strata::oidc
