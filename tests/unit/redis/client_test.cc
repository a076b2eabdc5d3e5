#include "redis/client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "redis_server.h"
#include "support/run_coroutine.h"

namespace strata::redis {
namespace {

using std::chrono::milliseconds;
using strata::testing::RunCoroutine;
using testing::RedisServer;

#define REQUIRE_REDIS(server)                                           \
  if (!testing::RedisServerInstalled()) {                               \
    GTEST_SKIP() << "redis-server is not installed";                    \
  }                                                                     \
  ASSERT_TRUE((server).started()) << "redis-server did not start"

ClientOptions OptionsFor(const std::string& url) {
  ClientOptions options;
  options.url = url;
  options.connect_timeout = milliseconds(1000);
  options.command_timeout = milliseconds(1000);
  return options;
}

core::Result<Reply> Call(asio::io_context& io, Client& client, std::vector<std::string> args) {
  return RunCoroutine(io, client.Command(std::move(args)));
}

// Calls PING until it answers or `patience` runs out.
bool PingsWithin(asio::io_context& io, Client& client, milliseconds patience) {
  const auto until = std::chrono::steady_clock::now() + patience;
  while (std::chrono::steady_clock::now() < until) {
    if (Call(io, client, {"PING"})) {
      return true;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

TEST(RedisUrlTest, ParsesHostPortCredentialsAndDatabase) {
  core::Result<Endpoint> plain = ParseUrl("redis://cache.internal");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->host, "cache.internal");
  EXPECT_EQ(plain->port, 6379);
  EXPECT_EQ(plain->db, 0);
  EXPECT_TRUE(plain->password.empty());

  core::Result<Endpoint> full = ParseUrl("redis://:p%40ss:word@10.0.0.5:6380/3");
  ASSERT_TRUE(full);
  EXPECT_EQ(full->host, "10.0.0.5");
  EXPECT_EQ(full->port, 6380);
  EXPECT_EQ(full->user, "");
  EXPECT_EQ(full->password, "p@ss:word");
  EXPECT_EQ(full->db, 3);
  EXPECT_EQ(full->Where(), "10.0.0.5:6380");

  core::Result<Endpoint> acl = ParseUrl("redis://gateway:secret@[::1]:7000/");
  ASSERT_TRUE(acl);
  EXPECT_EQ(acl->host, "::1");
  EXPECT_EQ(acl->user, "gateway");
  EXPECT_EQ(acl->password, "secret");
  EXPECT_EQ(acl->Where(), "[::1]:7000");
}

TEST(RedisUrlTest, RefusesWhatItCannotServe) {
  for (const char* url : {"http://host", "rediss://host", "redis://", "redis://host:0", "redis://host:70000",
                          "redis://host:", "redis://host/x", "redis://host/-1", "redis://pass@host",
                          "redis://:%zz@host", "redis://host?db=1", "redis://[::1"}) {
    core::Result<Endpoint> endpoint = ParseUrl(url);
    ASSERT_FALSE(endpoint) << url;
    EXPECT_EQ(endpoint.error().code(), core::ErrorCode::kInvalidRequest) << url;
  }
}

TEST(RedisClientTest, RoundTripsCommands) {
  RedisServer server;
  REQUIRE_REDIS(server);
  asio::io_context io;
  Client client(io.get_executor(), OptionsFor(server.url()));

  EXPECT_EQ(*Call(io, client, {"PING"}), Reply::Status("PONG"));
  const std::string binary("a\r\nb\0c", 6);
  EXPECT_EQ(*Call(io, client, {"SET", "k", binary}), Reply::Status("OK"));
  EXPECT_EQ(*Call(io, client, {"GET", "k"}), Reply::Bulk(binary));
  EXPECT_EQ(*Call(io, client, {"GET", "missing"}), Reply::Nil());
  EXPECT_EQ(*Call(io, client, {"INCRBY", "n", "-5"}), Reply::Integer(-5));
  EXPECT_EQ(*Call(io, client, {"RPUSH", "list", "x", "", "z"}), Reply::Integer(3));
  EXPECT_EQ(*Call(io, client, {"LRANGE", "list", "0", "-1"}),
            Reply::Array({Reply::Bulk("x"), Reply::Bulk(""), Reply::Bulk("z")}));
  EXPECT_EQ(*Call(io, client, {"MGET", "k", "missing"}), Reply::Array({Reply::Bulk(binary), Reply::Nil()}));

  const std::string large(1 << 20, 'L');  // many reads and writes
  EXPECT_TRUE(Call(io, client, {"SET", "large", large}));
  EXPECT_EQ(*Call(io, client, {"GET", "large"}), Reply::Bulk(large));
  EXPECT_EQ(client.open_connections(), 1u);  // one at a time: one connection, reused
}

TEST(RedisClientTest, AnErrorReplyIsInternalWithRedisMessage) {
  RedisServer server;
  REQUIRE_REDIS(server);
  asio::io_context io;
  Client client(io.get_executor(), OptionsFor(server.url()));

  core::Result<Reply> reply = Call(io, client, {"NOSUCHCOMMAND", "x"});
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code(), core::ErrorCode::kInternal);
  EXPECT_NE(reply.error().message().find("ERR unknown command"), std::string::npos) << reply.error().message();
  // The connection is still good.
  EXPECT_TRUE(Call(io, client, {"PING"}));
  EXPECT_EQ(client.open_connections(), 1u);
}

TEST(RedisClientTest, OverlappingCallsShareAFewConnections) {
  RedisServer server;
  REQUIRE_REDIS(server);
  asio::io_context io;
  ClientOptions options = OptionsFor(server.url());
  options.max_connections = 4;
  Client client(io.get_executor(), options);

  std::vector<std::future<core::Result<Reply>>> calls;
  for (int i = 0; i < 200; ++i) {
    calls.push_back(asio::co_spawn(io, client.Command({"INCR", "counter"}), asio::use_future));
  }
  io.run();
  for (auto& call : calls) {
    EXPECT_TRUE(call.get());
  }
  EXPECT_EQ(client.open_connections(), 4u);
  EXPECT_EQ(client.idle_connections(), 4u);
  EXPECT_EQ(*Call(io, client, {"GET", "counter"}), Reply::Bulk("200"));
}

TEST(RedisClientTest, AuthenticatesWithThePasswordInTheUrl) {
  RedisServer server("s3cret");
  REQUIRE_REDIS(server);
  asio::io_context io;

  Client client(io.get_executor(), OptionsFor(server.url()));
  EXPECT_EQ(*Call(io, client, {"SET", "k", "v"}), Reply::Status("OK"));

  // No password: Redis refuses the command.
  Client anonymous(io.get_executor(), OptionsFor("redis://127.0.0.1:" + std::to_string(server.port())));
  core::Result<Reply> refused = Call(io, anonymous, {"GET", "k"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), core::ErrorCode::kInternal);
  EXPECT_NE(refused.error().message().find("NOAUTH"), std::string::npos) << refused.error().message();

  // A wrong one: AUTH fails at connect.
  Client wrong(io.get_executor(), OptionsFor("redis://:nope@127.0.0.1:" + std::to_string(server.port())));
  core::Result<Reply> denied = Call(io, wrong, {"GET", "k"});
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code(), core::ErrorCode::kInternal);
  EXPECT_NE(denied.error().message().find("authenticating"), std::string::npos) << denied.error().message();
  EXPECT_EQ(denied.error().message().find("nope"), std::string::npos) << "the password leaked into the message";
}

TEST(RedisClientTest, SelectsTheDatabaseInTheUrl) {
  RedisServer server;
  REQUIRE_REDIS(server);
  asio::io_context io;
  Client db2(io.get_executor(), OptionsFor(server.url() + "/2"));
  Client db0(io.get_executor(), OptionsFor(server.url()));

  EXPECT_TRUE(Call(io, db2, {"SET", "where", "two"}));
  EXPECT_EQ(*Call(io, db0, {"GET", "where"}), Reply::Nil());
  EXPECT_EQ(*Call(io, db2, {"GET", "where"}), Reply::Bulk("two"));
}

TEST(RedisClientTest, EvalShaLoadsTheScriptAgainAfterAFlush) {
  RedisServer server;
  REQUIRE_REDIS(server);
  asio::io_context io;
  Client client(io.get_executor(), OptionsFor(server.url()));
  const Script script("return {KEYS[1], ARGV[1], redis.call('INCR', KEYS[1])}");

  auto call = [&] { return RunCoroutine(io, client.EvalSha(script, {"n"}, {"arg"})); };
  const Reply first = Reply::Array({Reply::Bulk("n"), Reply::Bulk("arg"), Reply::Integer(1)});
  EXPECT_EQ(*call(), first);  // NOSCRIPT on a fresh server, then EVAL
  EXPECT_EQ(*Call(io, client, {"SCRIPT", "EXISTS", script.sha1()}), Reply::Array({Reply::Integer(1)}));
  EXPECT_EQ(call()->elements[2], Reply::Integer(2));

  EXPECT_TRUE(Call(io, client, {"SCRIPT", "FLUSH"}));
  EXPECT_EQ(*Call(io, client, {"SCRIPT", "EXISTS", script.sha1()}), Reply::Array({Reply::Integer(0)}));
  EXPECT_EQ(call()->elements[2], Reply::Integer(3));
  EXPECT_EQ(*Call(io, client, {"SCRIPT", "EXISTS", script.sha1()}), Reply::Array({Reply::Integer(1)}));

  // A script error is an error, with Redis's message.
  core::Result<Reply> failed = RunCoroutine(io, client.EvalSha(Script("return redis.call('NOPE')"), {}, {}));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), core::ErrorCode::kInternal);
}

TEST(RedisClientTest, ReconnectsAfterTheServerRestarts) {
  RedisServer server;
  REQUIRE_REDIS(server);
  asio::io_context io;
  ClientOptions options = OptionsFor(server.url());
  options.reconnect_backoff = milliseconds(50);
  Client client(io.get_executor(), options);
  ASSERT_TRUE(Call(io, client, {"SET", "k", "v"}));

  server.Stop();
  core::Result<Reply> down = Call(io, client, {"PING"});
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code(), core::ErrorCode::kUnavailable) << down.error().message();

  ASSERT_TRUE(server.Start());
  EXPECT_TRUE(PingsWithin(io, client, milliseconds(5000)));
  EXPECT_EQ(*Call(io, client, {"GET", "k"}), Reply::Nil());  // a new, empty server
}

TEST(RedisClientTest, ARestartBetweenCallsCostsNoCall) {
  RedisServer server;
  REQUIRE_REDIS(server);
  asio::io_context io;
  Client client(io.get_executor(), OptionsFor(server.url()));
  ASSERT_TRUE(Call(io, client, {"PING"}));
  ASSERT_EQ(client.idle_connections(), 1u);

  server.Stop();
  ASSERT_TRUE(server.Start());
  // The pooled connection is dead; the call notices and uses a new one.
  EXPECT_TRUE(Call(io, client, {"PING"}));
}

TEST(RedisClientTest, TimesOutWhenTheServerStopsAnswering) {
  RedisServer server;
  REQUIRE_REDIS(server);
  asio::io_context io;
  ClientOptions options = OptionsFor(server.url());
  options.command_timeout = milliseconds(200);
  options.reconnect_backoff = milliseconds(100);
  Client client(io.get_executor(), options);
  ASSERT_TRUE(Call(io, client, {"PING"}));

  server.Pause();
  const auto start = std::chrono::steady_clock::now();
  core::Result<Reply> stuck = Call(io, client, {"PING"});
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(stuck);
  EXPECT_EQ(stuck.error().code(), core::ErrorCode::kUnavailable);
  EXPECT_NE(stuck.error().message().find("timed out"), std::string::npos) << stuck.error().message();
  EXPECT_GE(waited, milliseconds(190));
  EXPECT_LT(waited, milliseconds(2000));

  // Inside the backoff pause a call fails at once, without waiting.
  const auto again = std::chrono::steady_clock::now();
  core::Result<Reply> paused = Call(io, client, {"PING"});
  ASSERT_FALSE(paused);
  EXPECT_EQ(paused.error().code(), core::ErrorCode::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - again, milliseconds(100));

  server.Resume();
  EXPECT_TRUE(PingsWithin(io, client, milliseconds(5000)));
}

TEST(RedisClientTest, NothingListeningIsUnavailable) {
  asio::io_context io;
  ClientOptions options = OptionsFor("redis://127.0.0.1:" + std::to_string(testing::FreePort()));
  Client client(io.get_executor(), options);
  core::Result<Reply> reply = Call(io, client, {"PING"});
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code(), core::ErrorCode::kUnavailable);
  EXPECT_NE(reply.error().message().find("connecting to redis at 127.0.0.1:"), std::string::npos)
      << reply.error().message();
  EXPECT_EQ(client.open_connections(), 0u);
}

TEST(RedisClientTest, ABadUrlFailsEveryCall) {
  asio::io_context io;
  Client client(io.get_executor(), OptionsFor("memcached://x"));
  core::Result<Reply> reply = Call(io, client, {"PING"});
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code(), core::ErrorCode::kInternal);
}

// A server that answers every connection with `answer`, then waits for the
// client to close. Serves until destroyed.
class FakeServer {
 public:
  explicit FakeServer(std::string answer) : answer_(std::move(answer)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    ::listen(listener_, 16);
    socklen_t length = sizeof(address);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] {
      for (;;) {
        const int fd = ::accept(listener_, nullptr, nullptr);
        if (fd < 0) {
          return;
        }
        char buffer[4096];
        if (::read(fd, buffer, sizeof(buffer)) > 0) {
          (void)!::write(fd, answer_.data(), answer_.size());
        }
        while (::read(fd, buffer, sizeof(buffer)) > 0) {
        }
        ::close(fd);
      }
    });
  }
  ~FakeServer() {
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
  }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

 private:
  std::string answer_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

TEST(RedisClientTest, AHostileReplyIsRefusedAndItsConnectionDropped) {
  FakeServer server("$99999999999\r\n");
  asio::io_context io;
  Client client(io.get_executor(), OptionsFor(server.url()));
  core::Result<Reply> reply = Call(io, client, {"GET", "k"});
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code(), core::ErrorCode::kUnavailable);
  EXPECT_NE(reply.error().message().find("malformed"), std::string::npos) << reply.error().message();
  EXPECT_EQ(client.open_connections(), 0u);
}

TEST(RedisClientTest, ExtraBytesAfterAReplyDropTheConnection) {
  FakeServer server("+OK\r\n+SURPRISE\r\n");
  asio::io_context io;
  Client client(io.get_executor(), OptionsFor(server.url()));
  EXPECT_EQ(*Call(io, client, {"PING"}), Reply::Status("OK"));
  EXPECT_EQ(client.open_connections(), 0u);
}

TEST(RedisClientPoolTest, OneClientPerIoContext) {
  ClientPool pool(ClientOptions{});
  ClientPool other(ClientOptions{});
  asio::io_context first;
  asio::io_context second;
  Client& a = pool.For(first.get_executor());
  EXPECT_EQ(&a, &pool.For(first.get_executor()));
  EXPECT_NE(&a, &pool.For(second.get_executor()));
  EXPECT_NE(&a, &other.For(first.get_executor()));
}

TEST(RedisClientPoolTest, ClientsWorkFromTheirOwnThreads) {
  RedisServer server;
  REQUIRE_REDIS(server);
  ClientPool pool(OptionsFor(server.url()));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&pool] {
      asio::io_context io;
      Client& client = pool.For(io.get_executor());
      for (int i = 0; i < 50; ++i) {
        ASSERT_TRUE(Call(io, client, {"INCR", "shared"}));
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  asio::io_context io;
  EXPECT_EQ(*Call(io, pool.For(io.get_executor()), {"GET", "shared"}), Reply::Bulk("200"));
}

}  // namespace
}  // namespace strata::redis
