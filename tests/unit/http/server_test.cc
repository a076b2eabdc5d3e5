#include "http/server.h"

#include <atomic>
#include <future>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "http/client.h"
#include "support/raw_client.h"

namespace strata::http {
namespace {

using namespace std::chrono_literals;
using testing::RawClient;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> Sleep(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(kUseTuple);
}

Response Text(std::string body, unsigned version = 11) {
  Response response(beast_http::status::ok, version);
  response.set(beast_http::field::content_type, "text/plain");
  response.body() = std::move(body);
  return response;
}

// State the test handlers share with the test body.
struct Probe {
  std::atomic<bool> client_gone{false};
  std::promise<void> gone_seen;
  std::atomic<int> slow_started{0};
  std::atomic<std::uint16_t> port{0};
};

Router TestRouter(std::shared_ptr<Probe> probe) {
  Router router;
  router.Add(beast_http::verb::get, "/hello",
             [](const Request& request, Responder& responder) -> asio::awaitable<void> {
               co_await responder.Send(Text("hello", request.version()));
             });
  router.Add(beast_http::verb::post, "/echo",
             [](const Request& request, Responder& responder) -> asio::awaitable<void> {
               co_await responder.Send(Text(request.body(), request.version()));
             });
  router.Add(beast_http::verb::get, "/items/{id}",
             [](const Request& request, Responder& responder) -> asio::awaitable<void> {
               co_await responder.Send(Text(std::string(responder.PathParam("id")), request.version()));
             });
  router.Add(beast_http::verb::get, "/slow",
             [probe](const Request& request, Responder& responder) -> asio::awaitable<void> {
               ++probe->slow_started;
               co_await Sleep(400ms);
               co_await responder.Send(Text("slow done", request.version()));
             });
  router.Add(beast_http::verb::get, "/stream",
             [](const Request& request, Responder& responder) -> asio::awaitable<void> {
               co_await responder.StartEvents(Response(beast_http::status::ok, request.version()));
               for (int i = 0; i < 3; ++i) {
                 co_await responder.SendEvent("{\"n\":" + std::to_string(i) + "}");
                 co_await Sleep(20ms);
               }
               co_await responder.SendEvent("line one\nline two", "multi");
               co_await responder.FinishEvents();
             });
  router.Add(beast_http::verb::get, "/stream-until-gone",
             [probe](const Request& request, Responder& responder) -> asio::awaitable<void> {
               co_await responder.StartEvents(Response(beast_http::status::ok, request.version()));
               co_await responder.SendEvent("first");
               asio::steady_timer wait(co_await asio::this_coro::executor, 10s);
               responder.OnClientGone([&wait, probe] {
                 probe->client_gone = true;
                 wait.cancel();
               });
               if (!responder.ClientGone()) co_await wait.async_wait(kUseTuple);  // a stand-in for a slow upstream
               if (probe->client_gone) probe->gone_seen.set_value();
             });
  router.Add(beast_http::verb::get, "/proxy",
             [probe](const Request& request, Responder& responder) -> asio::awaitable<void> {
               ClientRequest upstream;
               upstream.url = "http://127.0.0.1:" + std::to_string(probe->port.load()) + "/hello";
               Client& client = WorkerClient();
               core::Result<ClientResponse> answer = co_await client.Send(std::move(upstream));
               std::string body = answer ? answer->body : answer.error().message();
               body += " idle=" + std::to_string(client.idle_connections());
               co_await responder.Send(Text(std::move(body), request.version()));
             });
  router.Add(beast_http::verb::get, "/wait-until-gone",
             [probe](const Request&, Responder& responder) -> asio::awaitable<void> {
               responder.WatchClient();
               asio::steady_timer wait(co_await asio::this_coro::executor, 10s);
               responder.OnClientGone([&wait] { wait.cancel(); });
               if (!responder.ClientGone()) co_await wait.async_wait(kUseTuple);
               if (responder.ClientGone()) probe->gone_seen.set_value();
             });
  router.Add(beast_http::verb::get, "/throw",
             [](const Request&, Responder&) -> asio::awaitable<void> {
               throw std::runtime_error("handler bug");
               co_return;
             });
  router.Add(beast_http::verb::get, "/silent", [](const Request&, Responder&) -> asio::awaitable<void> { co_return; });
  return router;
}

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    if (options.workers == 0) options.workers = 2;
    server_ = std::make_unique<Server>(options, TestRouter(probe_));
    core::Result<std::uint16_t> port = server_->Start();
    ASSERT_TRUE(port) << port.error().message();
    port_ = *port;
    probe_->port = port_;
  }

  void TearDown() override {
    if (server_) {
      server_->Stop();
      server_->Wait();
    }
  }

  std::shared_ptr<Probe> probe_ = std::make_shared<Probe>();
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
};

TEST_F(ServerTest, AnswersARouteAndEchoesTheClientRequestId) {
  StartServer();
  RawClient client(port_);
  client.Send("GET /hello HTTP/1.1\r\nHost: x\r\nx-request-id: abc-123\r\n\r\n");
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200);
  EXPECT_EQ(response->body(), "hello");
  EXPECT_EQ((*response)["x-request-id"], "abc-123");
}

TEST_F(ServerTest, GeneratesARequestIdWhenTheClientsIsMissingOrUnsafe) {
  StartServer();
  RawClient client(port_);
  client.Send("GET /hello HTTP/1.1\r\nHost: x\r\nx-request-id: bad id with spaces\r\n\r\n");
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  const std::string id((*response)["x-request-id"]);
  EXPECT_EQ(id.size(), 32u);
  EXPECT_NE(id, "bad id with spaces");
}

TEST_F(ServerTest, UnknownPathIsA404InTheJsonErrorEnvelope) {
  StartServer();
  auto response = testing::Fetch(port_, "GET", "/nope");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 404);
  auto body = boost::json::parse(response->body());
  EXPECT_EQ(body.at("error").at("type"), "not_found_error");
  EXPECT_FALSE(body.at("error").at("message").as_string().empty());
}

TEST_F(ServerTest, WrongMethodIsA405) {
  StartServer();
  auto response = testing::Fetch(port_, "POST", "/hello", "{}");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 405);
}

TEST_F(ServerTest, PathParametersReachTheHandler) {
  StartServer();
  auto response = testing::Fetch(port_, "GET", "/items/gpt-4o?x=1");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body(), "gpt-4o");
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer();
  RawClient client(port_);
  for (int i = 0; i < 3; ++i) {
    client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n" + std::to_string(i));
    auto response = client.ReadResponse();
    ASSERT_TRUE(response) << "request " << i;
    EXPECT_EQ(response->body(), std::to_string(i));
  }
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  RawClient client(port_);
  std::string burst;
  for (int i = 0; i < 5; ++i) {
    burst += "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nr" + std::to_string(i);
  }
  client.Send(burst);
  for (int i = 0; i < 5; ++i) {
    auto response = client.ReadResponse();
    ASSERT_TRUE(response) << "response " << i;
    EXPECT_EQ(response->body(), "r" + std::to_string(i));
  }
}

TEST_F(ServerTest, BodyOverTheLimitIsRefusedWith413BeforeItIsRead) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options);
  RawClient client(port_);
  client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + std::string(2048, 'a'));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 413);
  EXPECT_EQ(boost::json::parse(response->body()).at("error").at("code"), "payload_too_large");
  EXPECT_TRUE(client.ClosedByServer());
}

TEST_F(ServerTest, ChunkedBodyOverTheLimitIsRefusedWith413) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options);
  RawClient client(port_);
  std::string request = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) request += "200\r\n" + std::string(512, 'b') + "\r\n";
  client.Send(request);
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 413);
}

TEST_F(ServerTest, OversizedHeadersAreRefusedWith431) {
  ServerOptions options;
  options.max_header_bytes = 1024;
  StartServer(options);
  RawClient client(port_);
  client.Send("GET /hello HTTP/1.1\r\nHost: x\r\nx-big: " + std::string(4096, 'h') + "\r\n\r\n");
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 431);
}

TEST_F(ServerTest, MalformedRequestLineIsA400ThenClose) {
  StartServer();
  RawClient client(port_);
  client.Send("GARBAGE\x01\x02 not http\r\n\r\n");
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 400);
  EXPECT_TRUE(client.ClosedByServer());
}

TEST_F(ServerTest, SlowlorisGetsA408WhenTheHeadDoesNotArriveInTime) {
  ServerOptions options;
  options.header_timeout = 300ms;
  StartServer(options);
  RawClient client(port_);
  client.Send("GET /hello HTTP/1.1\r\nHost: x\r\n");
  std::this_thread::sleep_for(150ms);
  client.Send("x-drip: 1\r\n");  // still dripping, never finishing
  auto response = client.ReadResponse(3s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 408);
  EXPECT_TRUE(client.ClosedByServer());
}

TEST_F(ServerTest, SlowBodyGetsA408) {
  ServerOptions options;
  options.body_timeout = 300ms;
  StartServer(options);
  RawClient client(port_);
  client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
  auto response = client.ReadResponse(3s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 408);
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  ServerOptions options;
  options.idle_timeout = 200ms;
  StartServer(options);
  RawClient client(port_);
  client.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(client.ReadResponse());
  EXPECT_TRUE(client.ClosedByServer(3s));
}

TEST_F(ServerTest, ConnectionsBeyondTheMaximumGetA503) {
  ServerOptions options;
  options.max_connections = 2;
  StartServer(options);
  RawClient first(port_);
  RawClient second(port_);
  first.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  second.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(first.ReadResponse());
  ASSERT_TRUE(second.ReadResponse());
  RawClient third(port_);
  auto refused = third.ReadResponse();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result_int(), 503);
}

TEST_F(ServerTest, HandlersCallUpstreamsThroughTheirWorkersPooledClient) {
  ServerOptions options;
  options.workers = 1;
  StartServer(options);
  RawClient client(port_);
  for (int i = 0; i < 3; ++i) {
    client.Send("GET /proxy HTTP/1.1\r\nHost: x\r\n\r\n");
    auto response = client.ReadResponse();
    ASSERT_TRUE(response);
    // The upstream answered, and its connection went back to the worker's pool.
    EXPECT_EQ(response->body(), "hello idle=1") << "request " << i;
  }
}

TEST_F(ServerTest, HandlerExceptionBecomesA500AndTheServerKeepsServing) {
  StartServer();
  auto failed = testing::Fetch(port_, "GET", "/throw");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->result_int(), 500);
  EXPECT_EQ(boost::json::parse(failed->body()).at("error").at("type"), "api_error");
  auto silent = testing::Fetch(port_, "GET", "/silent");
  ASSERT_TRUE(silent);
  EXPECT_EQ(silent->result_int(), 500);
  auto ok = testing::Fetch(port_, "GET", "/hello");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->result_int(), 200);
}

TEST_F(ServerTest, ExpectContinueGetsA100BeforeTheBody) {
  StartServer();
  RawClient client(port_);
  client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
  char interim[25] = {};
  boost::asio::read(client.socket(), boost::asio::buffer(interim, 25));
  EXPECT_EQ(std::string(interim, 25), "HTTP/1.1 100 Continue\r\n\r\n");
  client.Send("ping");
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body(), "ping");
}

TEST_F(ServerTest, EventStreamIsChunkedWithOneEventPerDataBlock) {
  StartServer();
  RawClient client(port_);
  client.Send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ((*response)[beast_http::field::content_type], "text/event-stream");
  EXPECT_EQ((*response)[beast_http::field::transfer_encoding], "chunked");
  EXPECT_EQ(response->body(),
            "data: {\"n\":0}\n\ndata: {\"n\":1}\n\ndata: {\"n\":2}\n\n"
            "event: multi\ndata: line one\ndata: line two\n\n");
  // The connection is still usable after the stream.
  client.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  auto next = client.ReadResponse();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body(), "hello");
}

TEST_F(ServerTest, ClientLeavingAStreamIsNoticedWhileTheHandlerWaits) {
  StartServer();
  auto gone = probe_->gone_seen.get_future();
  {
    RawClient client(port_);
    client.Send("GET /stream-until-gone HTTP/1.1\r\nHost: x\r\n\r\n");
    char head[64];
    client.socket().read_some(boost::asio::buffer(head));  // the head and first event are out
  }  // the client disconnects while the handler waits on its 10 s "upstream"
  ASSERT_EQ(gone.wait_for(3s), std::future_status::ready);
  EXPECT_TRUE(probe_->client_gone);
}

TEST_F(ServerTest, AWatchedNonStreamedRequestNoticesTheClientLeaving) {
  StartServer();
  auto gone = probe_->gone_seen.get_future();
  {
    RawClient client(port_);
    client.Send("GET /wait-until-gone HTTP/1.1\r\nHost: x\r\n\r\n");
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(gone.wait_for(3s), std::future_status::ready);
}

TEST_F(ServerTest, GracefulStopLetsInFlightRequestsFinish) {
  StartServer();
  std::future<std::optional<Response>> in_flight = std::async(std::launch::async, [this] {
    auto response = testing::Fetch(port_, "GET", "/slow");
    return response ? std::optional<Response>(std::move(*response)) : std::nullopt;
  });
  while (probe_->slow_started == 0) std::this_thread::sleep_for(5ms);
  server_->Stop();
  auto response = in_flight.get();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200);
  EXPECT_EQ(response->body(), "slow done");
  EXPECT_FALSE(response->keep_alive());  // told to go away
  server_->Wait();
  EXPECT_THROW(RawClient client(port_), boost::system::system_error);  // no longer accepting
}

TEST_F(ServerTest, GracePeriodEndsStreamsThatDoNotFinish) {
  ServerOptions options;
  options.shutdown_grace = 200ms;
  StartServer(options);
  RawClient client(port_);
  client.Send("GET /stream-until-gone HTTP/1.1\r\nHost: x\r\n\r\n");
  char head[64];
  client.socket().read_some(boost::asio::buffer(head));
  const auto started = std::chrono::steady_clock::now();
  server_->Stop();
  server_->Wait();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_TRUE(client.ClosedByServer(1s));
}

}  // namespace
}  // namespace strata::http
