#pragma once

// A Redis client over Asio C++20 coroutines, one per io thread, as http::Client
// is (docs/REDIS.md). RESP2, no pipelining: each connection carries one
// command at a time, and a Client keeps a small pool of them.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/result.h"
#include "redis/resp.h"

namespace strata::redis {

namespace asio = boost::asio;
using std::chrono::milliseconds;

// Where a Redis server is, from a URL:
//   redis://[[user]:password@]host[:port][/db]
// host is a name, an IPv4 address or a bracketed IPv6 address; port defaults
// to 6379, db to 0. user and password are percent-decoded; with a password
// the client sends AUTH (AUTH user password when a user is given, for Redis 6
// ACLs), with a db other than 0 it sends SELECT. rediss:// (TLS) and unix
// sockets are not supported.
struct Endpoint {
  std::string host;
  std::uint16_t port = 6379;
  std::string user;
  std::string password;
  int db = 0;

  // "host:port", for messages (never the password).
  std::string Where() const;
};

// Errors: kInvalidRequest naming what is wrong ("redis URL: ...").
core::Result<Endpoint> ParseUrl(std::string_view url);

// How a Client connects and how long it waits.
struct ClientOptions {
  std::string url = "redis://127.0.0.1:6379";
  // DNS, TCP, AUTH and SELECT together, for one new connection.
  milliseconds connect_timeout{500};
  // One call from start to reply: waiting for a free connection, connecting
  // (capped by connect_timeout as well), writing the command and reading its
  // whole reply. A command that runs out of it fails with kUnavailable and its
  // connection is closed (the reply may still come, and would be misread).
  milliseconds command_timeout{250};
  // Connections one Client opens at most; calls beyond them wait for one.
  std::size_t max_connections = 8;
  // After a failed connect or a timeout, calls fail at once (kUnavailable) for
  // this long rather than each waiting out its own timeout on a server that
  // is down. 0: no pause.
  milliseconds reconnect_backoff{100};
  ReplyLimits limits;
};

// A Lua script, with its SHA-1 computed once, for EvalSha. Cheap to copy
// (shared, immutable).
class Script {
 public:
  explicit Script(std::string source);
  const std::string& source() const { return data_->source; }
  const std::string& sha1() const { return data_->sha1; }  // 40 lowercase hex digits

 private:
  struct Data {
    std::string source;
    std::string sha1;
  };
  std::shared_ptr<const Data> data_;
};

namespace internal {
class ClientImpl;
}

// Redis connections for one io thread. Not thread-safe: every call, and the
// coroutines it returns, must run on `executor`'s thread. Calls may overlap
// (many coroutines on the thread); each takes an idle connection, opens one
// (up to max_connections), or waits for one to be released.
//
// Connections: opened on demand (TCP_NODELAY, then AUTH and SELECT from the
// URL), kept open between calls, checked (non-blocking peek) before reuse, and
// dropped after any transport error, timeout or malformed reply, so the next
// call reconnects: a Redis restart costs the calls in flight at that moment,
// not the ones after it. A call that fails on a reused connection because the
// server had closed it, before any byte of a reply came back, is sent once
// more on a new connection (the server never read it: it closes only between
// commands). Nothing else is retried.
//
// Errors are core::Error values, never exceptions:
//   kUnavailable    Redis cannot be reached, closed the connection, timed out,
//                   sent a malformed reply, is in the backoff pause after such
//                   a failure, or answered LOADING, BUSY, MASTERDOWN or
//                   READONLY (it is there but cannot serve now);
//   kInternal       any other error reply, with Redis's message ("ERR unknown
//                   command ..."), AUTH refused included; and every call when
//                   the URL in the options does not parse (a configuration
//                   mistake: check it at startup with ParseUrl).
// An error inside an array reply (e.g. from EXEC) is an element, not an error.
//
// The Client may be destroyed while calls are in flight (its io_context
// shutting down): its state lives until the last call's frame is gone.
class Client {
 public:
  Client(asio::any_io_executor executor, ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends one command, e.g. {"SET", "k", "v"}, and returns its reply.
  asio::awaitable<core::Result<Reply>> Command(std::vector<std::string> args);

  // EVALSHA script.sha1 numkeys keys... args...; when Redis does not know the
  // script (NOSCRIPT: a restart, a failover, SCRIPT FLUSH), the same call as
  // EVAL with the source, which also loads it for the next EVALSHA.
  asio::awaitable<core::Result<Reply>> EvalSha(Script script, std::vector<std::string> keys,
                                              std::vector<std::string> args);

  // Open connections, idle or in use (tests, metrics).
  std::size_t open_connections() const;
  std::size_t idle_connections() const;

 private:
  std::shared_ptr<internal::ClientImpl> impl_;
};

// Hands out one Client per io_context, created on first use with `options`:
// the per-worker pools of docs/REDIS.md. Thread-safe. Each Client is owned by
// its io_context (an Asio service) and destroyed with it, so a Client& stays
// valid for as long as the io_context lives, even past the ClientPool.
// Precondition: each io_context is run by one thread (Strata's model).
class ClientPool {
 public:
  explicit ClientPool(ClientOptions options);
  ~ClientPool();
  ClientPool(const ClientPool&) = delete;
  ClientPool& operator=(const ClientPool&) = delete;

  // The Client of the io_context behind `executor`. Call on that io_context's thread.
  Client& For(const asio::any_io_executor& executor);

  const ClientOptions& options() const { return options_; }

 private:
  ClientOptions options_;
  std::uint64_t id_;  // never reused: tells this pool's Clients from another's
};

}  // namespace strata::redis
