#include "http/client.h"

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/run_coroutine.h"
#include "support/test_upstream.h"

namespace strata::http {
namespace {

using std::chrono::milliseconds;
using testing::ConnectionScript;
using testing::TestCertificates;
using testing::TestUpstream;
using testing::UpstreamClock;
using testing::UpstreamReply;
using ::testing::HasSubstr;

// ---- named coroutines the tests drive (they take the Client by reference:
// ---- it lives in the test body, which outlives every RunCoroutine call) ----

asio::awaitable<core::Result<ClientResponse>> Get(Client& client, std::string url) {
  ClientRequest request;
  request.url = std::move(url);
  co_return co_await client.Send(std::move(request));
}

struct Piece {
  std::string bytes;
  UpstreamClock::time_point arrived;
};

// Opens `url` and reads the body to its end, noting when each piece came.
asio::awaitable<core::Result<std::vector<Piece>>> ReadAll(Client& client, std::string url) {
  ClientRequest request;
  request.url = std::move(url);
  core::Result<ClientStream> stream = co_await client.Open(std::move(request));
  if (!stream) {
    co_return stream.error();
  }
  std::vector<Piece> pieces;
  for (;;) {
    core::Result<std::string> piece = co_await stream->Read();
    if (!piece) {
      co_return piece.error();
    }
    if (piece->empty()) {
      break;
    }
    Piece arrived;
    arrived.bytes = std::move(*piece);
    arrived.arrived = UpstreamClock::now();
    pieces.push_back(std::move(arrived));
  }
  co_return pieces;
}

// Opens `url`, reads one piece, then reads once more and returns that result
// (the first piece is discarded).
asio::awaitable<core::Result<std::string>> ReadSecondPiece(Client& client, std::string url) {
  ClientRequest request;
  request.url = std::move(url);
  core::Result<ClientStream> stream = co_await client.Open(std::move(request));
  if (!stream) {
    co_return stream.error();
  }
  core::Result<std::string> first = co_await stream->Read();
  if (!first) {
    co_return first.error();
  }
  co_return co_await stream->Read();
}

// Opens `url`, reads one piece and drops the stream with the body unfinished.
asio::awaitable<core::Result<std::string>> ReadFirstPieceAndDrop(Client& client, std::string url) {
  ClientRequest request;
  request.url = std::move(url);
  core::Result<ClientStream> stream = co_await client.Open(std::move(request));
  if (!stream) {
    co_return stream.error();
  }
  co_return co_await stream->Read();
}

// Two streams open at once, each then read to its end.
asio::awaitable<core::Result<std::string>> TwoStreamsAtOnce(Client& client, std::string url) {
  ClientRequest first_request;
  first_request.url = url;
  ClientRequest second_request;
  second_request.url = url;
  core::Result<ClientStream> first = co_await client.Open(std::move(first_request));
  core::Result<ClientStream> second = co_await client.Open(std::move(second_request));
  if (!first || !second) {
    co_return core::Error::Internal("open failed");
  }
  std::string bodies;
  for (ClientStream* stream : {&*first, &*second}) {
    for (;;) {
      core::Result<std::string> piece = co_await stream->Read();
      if (!piece) {
        co_return piece.error();
      }
      if (piece->empty()) {
        break;
      }
      bodies += *piece;
    }
  }
  co_return bodies;
}

std::string ErrorText(const core::Error& error) {
  return std::string(error.CodeName()) + ": " + error.message();
}

class ClientTest : public ::testing::Test {
 protected:
  // Short deadlines so failures are quick; tests that expect a timeout set
  // their own, much shorter one.
  static ClientOptions FastOptions() {
    ClientOptions options;
    options.connect_timeout = milliseconds(2'000);
    options.first_byte_timeout = milliseconds(2'000);
    options.idle_timeout = milliseconds(2'000);
    return options;
  }

  template <class T>
  T Run(asio::awaitable<T> task) {
    return testing::RunCoroutine(io_, std::move(task));
  }

  asio::io_context io_;
  TestUpstream upstream_;
};

TEST_F(ClientTest, ReusesAKeepAliveConnection) {
  upstream_.Expect({UpstreamReply::Ok("one"), UpstreamReply::Ok("two")});
  Client client(io_.get_executor(), FastOptions());

  const core::Result<ClientResponse> first = Run(Get(client, upstream_.Url()));
  ASSERT_TRUE(first) << ErrorText(first.error());
  EXPECT_EQ(client.idle_connections(), 1u);
  const core::Result<ClientResponse> second = Run(Get(client, upstream_.Url()));
  ASSERT_TRUE(second) << ErrorText(second.error());

  EXPECT_EQ(first->status, 200u);
  EXPECT_EQ(first->body, "one");
  EXPECT_EQ(second->body, "two");
  EXPECT_EQ(upstream_.accepted(), 1);
}

TEST_F(ClientTest, DoesNotReuseAConnectionTheServerClosesAfterTheResponse) {
  upstream_.Expect({UpstreamReply::Respond(200, "one", /*close=*/true)});
  upstream_.Expect({UpstreamReply::Ok("two")});
  Client client(io_.get_executor(), FastOptions());

  const core::Result<ClientResponse> first = Run(Get(client, upstream_.Url()));
  ASSERT_TRUE(first) << ErrorText(first.error());
  EXPECT_EQ(client.idle_connections(), 0u);
  const core::Result<ClientResponse> second = Run(Get(client, upstream_.Url()));
  ASSERT_TRUE(second) << ErrorText(second.error());

  EXPECT_EQ(second->body, "two");
  EXPECT_EQ(upstream_.accepted(), 2);
}

asio::awaitable<core::Result<ClientResponse>> PostJson(Client& client, std::string url) {
  ClientRequest request;
  request.method = beast_http::verb::post;
  request.url = std::move(url);
  request.headers.set(beast_http::field::content_type, "application/json");
  request.headers.set("x-api-key", "secret");
  request.body = R"({"a":1})";
  co_return co_await client.Send(std::move(request));
}

TEST_F(ClientTest, SendsTheMethodTargetHeadersAndBody) {
  upstream_.Expect({UpstreamReply::Respond(404, "nope")});
  Client client(io_.get_executor(), FastOptions());

  const core::Result<ClientResponse> response = Run(PostJson(client, upstream_.Url("/v1/chat?x=1")));
  ASSERT_TRUE(response) << ErrorText(response.error());
  EXPECT_EQ(response->status, 404u);  // an HTTP error status is a response, not an error
  EXPECT_EQ(response->headers[beast_http::field::content_type], "text/plain");
  EXPECT_EQ(response->body, "nope");

  const std::vector<std::string> requests = upstream_.requests();
  ASSERT_EQ(requests.size(), 1u);
  const std::string& sent = requests[0];
  EXPECT_TRUE(sent.starts_with("POST /v1/chat?x=1 HTTP/1.1\r\n")) << sent;
  EXPECT_THAT(sent, HasSubstr("Host: 127.0.0.1:" + std::to_string(upstream_.port()) + "\r\n"));
  EXPECT_THAT(sent, HasSubstr("Content-Type: application/json\r\n"));
  EXPECT_THAT(sent, HasSubstr("x-api-key: secret\r\n"));
  EXPECT_THAT(sent, HasSubstr("Content-Length: 7\r\n"));
  EXPECT_TRUE(sent.ends_with("\r\n\r\n{\"a\":1}")) << sent;
}

TEST_F(ClientTest, StreamsChunksAsTheyArrive) {
  upstream_.Expect({UpstreamReply::Chunked({"one", "two", "three"}, milliseconds(150)), UpstreamReply::Ok("next")});
  Client client(io_.get_executor(), FastOptions());

  const core::Result<std::vector<Piece>> pieces = Run(ReadAll(client, upstream_.Url()));
  ASSERT_TRUE(pieces) << ErrorText(pieces.error());
  std::string body;
  for (const Piece& piece : *pieces) {
    body += piece.bytes;
  }
  EXPECT_EQ(body, "onetwothree");
  ASSERT_GE(pieces->size(), 2u);
  // The first piece was in our hands before the upstream even sent the last.
  const std::vector<UpstreamClock::time_point> writes = upstream_.write_times();
  ASSERT_FALSE(writes.empty());
  EXPECT_LT(pieces->front().arrived, writes.back());

  // Read to its end, the stream gave its connection back.
  EXPECT_EQ(client.idle_connections(), 1u);
  const core::Result<ClientResponse> next = Run(Get(client, upstream_.Url()));
  ASSERT_TRUE(next) << ErrorText(next.error());
  EXPECT_EQ(next->body, "next");
  EXPECT_EQ(upstream_.accepted(), 1);
}

TEST_F(ClientTest, SendReadsAWholeChunkedBody) {
  upstream_.Expect({UpstreamReply::Chunked({"one", "two", "three"}, milliseconds(10))});
  Client client(io_.get_executor(), FastOptions());

  const core::Result<ClientResponse> response = Run(Get(client, upstream_.Url()));
  ASSERT_TRUE(response) << ErrorText(response.error());
  EXPECT_EQ(response->body, "onetwothree");
}

TEST_F(ClientTest, SendRefusesABodyOverTheLimit) {
  upstream_.Expect({UpstreamReply::Ok("0123456789abcdef")});
  upstream_.Expect({UpstreamReply::Chunked({"0123456789", "abcdef"}, milliseconds(10))});
  ClientOptions options = FastOptions();
  options.max_response_bytes = 10;
  Client client(io_.get_executor(), options);

  const core::Result<ClientResponse> sized = Run(Get(client, upstream_.Url()));
  ASSERT_FALSE(sized);
  EXPECT_EQ(sized.error().code(), core::ErrorCode::kUpstreamRejected) << ErrorText(sized.error());
  EXPECT_THAT(sized.error().message(), HasSubstr("too large"));

  const core::Result<ClientResponse> chunked = Run(Get(client, upstream_.Url()));
  ASSERT_FALSE(chunked);
  EXPECT_EQ(chunked.error().code(), core::ErrorCode::kUpstreamRejected) << ErrorText(chunked.error());
}

TEST_F(ClientTest, TimesOutConnectingWhenTheListenQueueIsFull) {
  // A listener whose accept queue is full drops further SYNs, so connect()
  // hangs: the closest loopback gets to an unreachable host.
  asio::io_context other;
  asio::ip::tcp::acceptor full(other);
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  full.open(endpoint.protocol());
  full.bind(endpoint);
  full.listen(0);
  asio::ip::tcp::socket filler(other);
  // Completes in the kernel and is never accepted. Asynchronous, so that a
  // kernel whose queue holds nothing at all cannot hang the test here.
  filler.async_connect(full.local_endpoint(), [](boost::system::error_code) {});
  other.run_for(milliseconds(200));

  ClientOptions options = FastOptions();
  options.connect_timeout = milliseconds(200);
  Client client(io_.get_executor(), options);
  const std::string where = "127.0.0.1:" + std::to_string(full.local_endpoint().port());

  const auto start = std::chrono::steady_clock::now();
  const core::Result<ClientResponse> response = Run(Get(client, "http://" + where + "/"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), core::ErrorCode::kUpstreamTimeout) << ErrorText(response.error());
  EXPECT_EQ(response.error().message(), "connecting to " + where + ": timed out after 200 ms");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST_F(ClientTest, TimesOutWaitingForTheResponseHead) {
  upstream_.Expect({UpstreamReply::Hang()});
  ClientOptions options = FastOptions();
  options.first_byte_timeout = milliseconds(200);
  Client client(io_.get_executor(), options);

  const auto start = std::chrono::steady_clock::now();
  const core::Result<ClientResponse> response = Run(Get(client, upstream_.Url()));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), core::ErrorCode::kUpstreamTimeout) << ErrorText(response.error());
  EXPECT_THAT(response.error().message(), HasSubstr("waiting for the response from 127.0.0.1:"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(upstream_.accepted(), 1);  // a timeout is not retried
}

TEST_F(ClientTest, TimesOutWhenAStreamGoesIdle) {
  upstream_.Expect({UpstreamReply::Chunked({"first", "much later"}, milliseconds(5'000))});
  ClientOptions options = FastOptions();
  options.idle_timeout = milliseconds(200);
  Client client(io_.get_executor(), options);

  const auto start = std::chrono::steady_clock::now();
  const core::Result<std::string> second = Run(ReadSecondPiece(client, upstream_.Url()));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), core::ErrorCode::kUpstreamTimeout) << ErrorText(second.error());
  EXPECT_THAT(second.error().message(), HasSubstr("reading the response body from 127.0.0.1:"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(client.idle_connections(), 0u);
}

TEST_F(ClientTest, ResetBeforeTheHeadIsUnavailable) {
  upstream_.Expect({UpstreamReply::ResetBeforeHead()});
  Client client(io_.get_executor(), FastOptions());

  const core::Result<ClientResponse> response = Run(Get(client, upstream_.Url()));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), core::ErrorCode::kUpstreamUnavailable) << ErrorText(response.error());
  EXPECT_THAT(response.error().message(), HasSubstr("waiting for the response from 127.0.0.1:"));
  EXPECT_EQ(upstream_.accepted(), 1);  // a fresh connection is never retried
}

TEST_F(ClientTest, ConnectionRefusedIsUnavailableAndSaysWhere) {
  asio::io_context other;
  asio::ip::tcp::acceptor closed(other, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const std::string where = "127.0.0.1:" + std::to_string(closed.local_endpoint().port());
  closed.close();
  Client client(io_.get_executor(), FastOptions());

  const core::Result<ClientResponse> response = Run(Get(client, "http://" + where + "/v1/models"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), core::ErrorCode::kUpstreamUnavailable);
  EXPECT_EQ(response.error().message(), "connecting to " + where + ": Connection refused");
}

TEST_F(ClientTest, GarbageInsteadOfHttpIsRejected) {
  upstream_.Expect({UpstreamReply::Garbage()});
  Client client(io_.get_executor(), FastOptions());

  const core::Result<ClientResponse> response = Run(Get(client, upstream_.Url()));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), core::ErrorCode::kUpstreamRejected) << ErrorText(response.error());
  EXPECT_THAT(response.error().message(), HasSubstr("malformed HTTP response"));
}

TEST_F(ClientTest, CloseMidBodyIsUnavailable) {
  upstream_.Expect({UpstreamReply::CloseMidBody()});
  Client client(io_.get_executor(), FastOptions());

  const core::Result<ClientResponse> response = Run(Get(client, upstream_.Url()));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), core::ErrorCode::kUpstreamUnavailable) << ErrorText(response.error());
  EXPECT_THAT(response.error().message(), HasSubstr("reading the response body"));
  EXPECT_EQ(client.idle_connections(), 0u);
}

TEST_F(ClientTest, RetriesOnceWhenThePooledConnectionWasClosedUnderTheRequest) {
  // The server takes the second request and closes without a word: the race
  // between a request and a server closing its idle keep-alive connection.
  upstream_.Expect({UpstreamReply::Ok("one"), UpstreamReply::CloseBeforeHead()});
  upstream_.Expect({UpstreamReply::Ok("two")});
  Client client(io_.get_executor(), FastOptions());

  ASSERT_TRUE(Run(Get(client, upstream_.Url())));
  const core::Result<ClientResponse> second = Run(Get(client, upstream_.Url()));
  ASSERT_TRUE(second) << ErrorText(second.error());
  EXPECT_EQ(second->body, "two");
  EXPECT_EQ(upstream_.accepted(), 2);
  EXPECT_EQ(upstream_.requests().size(), 3u);
}

TEST_F(ClientTest, RetriesOnlyOnce) {
  upstream_.Expect({UpstreamReply::Ok("one"), UpstreamReply::CloseBeforeHead()});
  upstream_.Expect({UpstreamReply::CloseBeforeHead()});
  Client client(io_.get_executor(), FastOptions());

  ASSERT_TRUE(Run(Get(client, upstream_.Url())));
  const core::Result<ClientResponse> second = Run(Get(client, upstream_.Url()));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), core::ErrorCode::kUpstreamUnavailable) << ErrorText(second.error());
  EXPECT_THAT(second.error().message(), HasSubstr("the server closed the connection"));
  EXPECT_EQ(upstream_.accepted(), 2);
}

TEST_F(ClientTest, ReplacesAPooledConnectionTheServerClosedWhileIdle) {
  upstream_.Expect({UpstreamReply::Ok("one"), UpstreamReply::CloseIdle(milliseconds(0))});
  upstream_.Expect({UpstreamReply::Ok("two")});
  Client client(io_.get_executor(), FastOptions());

  ASSERT_TRUE(Run(Get(client, upstream_.Url())));
  std::this_thread::sleep_for(milliseconds(100));  // let the FIN arrive
  const core::Result<ClientResponse> second = Run(Get(client, upstream_.Url()));
  ASSERT_TRUE(second) << ErrorText(second.error());
  EXPECT_EQ(second->body, "two");
  EXPECT_EQ(upstream_.accepted(), 2);
  EXPECT_EQ(upstream_.requests().size(), 2u);  // found dead before use: nothing was sent on it
}

TEST_F(ClientTest, ClosesPooledConnectionsIdleLongerThanTheTtl) {
  ClientOptions options = FastOptions();
  options.pool_idle_ttl = milliseconds(50);
  Client client(io_.get_executor(), options);

  ASSERT_TRUE(Run(Get(client, upstream_.Url())));
  EXPECT_EQ(client.idle_connections(), 1u);
  std::this_thread::sleep_for(milliseconds(120));
  ASSERT_TRUE(Run(Get(client, upstream_.Url())));
  EXPECT_EQ(upstream_.accepted(), 2);
}

TEST_F(ClientTest, KeepsAtMostMaxIdlePerHost) {
  ClientOptions options = FastOptions();
  options.max_idle_per_host = 1;
  Client client(io_.get_executor(), options);

  const core::Result<std::string> bodies = Run(TwoStreamsAtOnce(client, upstream_.Url()));
  ASSERT_TRUE(bodies) << ErrorText(bodies.error());
  EXPECT_EQ(*bodies, "okok");
  EXPECT_EQ(upstream_.accepted(), 2);
  EXPECT_EQ(client.idle_connections(), 1u);
}

TEST_F(ClientTest, AStreamDroppedEarlyClosesItsConnection) {
  upstream_.Expect({UpstreamReply::Chunked({"first", "second"}, milliseconds(100)), UpstreamReply::Ok("never")});
  upstream_.Expect({UpstreamReply::Ok("fresh")});
  Client client(io_.get_executor(), FastOptions());

  const core::Result<std::string> first = Run(ReadFirstPieceAndDrop(client, upstream_.Url()));
  ASSERT_TRUE(first) << ErrorText(first.error());
  EXPECT_EQ(*first, "first");
  EXPECT_EQ(client.idle_connections(), 0u);

  const core::Result<ClientResponse> next = Run(Get(client, upstream_.Url()));
  ASSERT_TRUE(next) << ErrorText(next.error());
  EXPECT_EQ(next->body, "fresh");
  EXPECT_EQ(upstream_.accepted(), 2);
}

asio::awaitable<core::Result<ClientResponse>> SendRequest(Client& client, ClientRequest request) {
  co_return co_await client.Send(std::move(request));
}

TEST_F(ClientTest, SkipsInformationalResponses) {
  UpstreamReply early_hints = UpstreamReply::Ok("final");
  early_hints.writes.insert(early_hints.writes.begin(),
                            UpstreamReply::Write{milliseconds(0), "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"});
  upstream_.Expect({early_hints});
  Client client(io_.get_executor(), FastOptions());

  const core::Result<ClientResponse> response = Run(Get(client, upstream_.Url()));
  ASSERT_TRUE(response) << ErrorText(response.error());
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->body, "final");
}

TEST_F(ClientTest, ReadsNoBodyForHeadAndKeepsTheConnection) {
  UpstreamReply head_only;
  head_only.writes.push_back(UpstreamReply::Write{milliseconds(0), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"});
  upstream_.Expect({head_only, UpstreamReply::Ok("after")});
  Client client(io_.get_executor(), FastOptions());

  ClientRequest head;
  head.method = beast_http::verb::head;
  head.url = upstream_.Url();
  const core::Result<ClientResponse> response = Run(SendRequest(client, std::move(head)));
  ASSERT_TRUE(response) << ErrorText(response.error());
  EXPECT_EQ(response->headers[beast_http::field::content_length], "5");
  EXPECT_EQ(response->body, "");
  const core::Result<ClientResponse> after = Run(Get(client, upstream_.Url()));
  ASSERT_TRUE(after) << ErrorText(after.error());
  EXPECT_EQ(after->body, "after");
  EXPECT_EQ(upstream_.accepted(), 1);
}

TEST_F(ClientTest, DoesNotPoolAConnectionTheRequestAskedToClose) {
  Client client(io_.get_executor(), FastOptions());

  ClientRequest request;
  request.url = upstream_.Url();
  request.headers.set(beast_http::field::connection, "close");
  const core::Result<ClientResponse> response = Run(SendRequest(client, std::move(request)));
  ASSERT_TRUE(response) << ErrorText(response.error());
  EXPECT_EQ(client.idle_connections(), 0u);
}

TEST_F(ClientTest, RejectsAUrlItCannotCall) {
  Client client(io_.get_executor(), FastOptions());
  const core::Result<ClientResponse> response = Run(Get(client, "ftp://127.0.0.1/"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), core::ErrorCode::kInternal);
  EXPECT_THAT(response.error().message(), HasSubstr("ftp://127.0.0.1/"));
}

// ---- TLS ----

class ClientTlsTest : public ClientTest {
 protected:
  static void SetUpTestSuite() { certificates_ = TestCertificates::Create(); }
  static void TearDownTestSuite() { certificates_.reset(); }

  void SetUp() override {
    if (!certificates_) {
      GTEST_SKIP() << "the openssl command line tool is not available";
    }
  }

  static TestUpstream::Tls GoodCertificate() {
    return {certificates_->cert_file(), certificates_->key_file()};
  }

  static inline std::optional<TestCertificates> certificates_;
};

TEST_F(ClientTlsTest, ConnectsWithTheCaFileAndReusesTheConnection) {
  TestUpstream upstream(GoodCertificate());
  upstream.Expect({UpstreamReply::Ok("one"), UpstreamReply::Ok("two")});
  ClientOptions options = FastOptions();
  options.ca_file = certificates_->ca_file();
  Client client(io_.get_executor(), options);

  const core::Result<ClientResponse> first = Run(Get(client, upstream.Url()));
  ASSERT_TRUE(first) << ErrorText(first.error());
  const core::Result<ClientResponse> second = Run(Get(client, upstream.Url()));
  ASSERT_TRUE(second) << ErrorText(second.error());
  EXPECT_EQ(first->body, "one");
  EXPECT_EQ(second->body, "two");
  EXPECT_EQ(upstream.accepted(), 1);
}

TEST_F(ClientTlsTest, VerifiesAHostNameWithSni) {
  TestUpstream upstream(GoodCertificate());
  ClientOptions options = FastOptions();
  options.ca_file = certificates_->ca_file();
  Client client(io_.get_executor(), options);

  const std::string url = "https://localhost:" + std::to_string(upstream.port()) + "/";
  const core::Result<ClientResponse> response = Run(Get(client, url));
  ASSERT_TRUE(response) << ErrorText(response.error());
  EXPECT_EQ(response->body, "ok");
}

TEST_F(ClientTlsTest, RefusesACertificateFromAnUnknownCa) {
  TestUpstream upstream(GoodCertificate());
  Client client(io_.get_executor(), FastOptions());

  const core::Result<ClientResponse> response = Run(Get(client, upstream.Url()));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), core::ErrorCode::kUpstreamUnavailable) << ErrorText(response.error());
  EXPECT_THAT(response.error().message(), HasSubstr("TLS handshake with 127.0.0.1:"));
  EXPECT_THAT(response.error().message(), HasSubstr("certificate"));
}

TEST_F(ClientTlsTest, RefusesACertificateForAnotherHost) {
  TestUpstream upstream(
      TestUpstream::Tls{certificates_->wrong_host_cert_file(), certificates_->wrong_host_key_file()});
  ClientOptions options = FastOptions();
  options.ca_file = certificates_->ca_file();
  Client client(io_.get_executor(), options);

  const core::Result<ClientResponse> response = Run(Get(client, upstream.Url()));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), core::ErrorCode::kUpstreamUnavailable) << ErrorText(response.error());
  EXPECT_THAT(response.error().message(), HasSubstr("certificate"));
  EXPECT_THAT(response.error().message(), HasSubstr("hostname mismatch"));
}

TEST_F(ClientTlsTest, AcceptsAnyCertificateWhenVerificationIsOff) {
  TestUpstream upstream(
      TestUpstream::Tls{certificates_->wrong_host_cert_file(), certificates_->wrong_host_key_file()});
  ClientOptions options = FastOptions();
  options.verify_tls = false;
  Client client(io_.get_executor(), options);

  const core::Result<ClientResponse> response = Run(Get(client, upstream.Url()));
  ASSERT_TRUE(response) << ErrorText(response.error());
}

TEST_F(ClientTlsTest, TimesOutWhenTheHandshakeStalls) {
  TestUpstream upstream(GoodCertificate());
  ConnectionScript silent;
  silent.tls_handshake = false;
  upstream.Expect(silent);
  ClientOptions options = FastOptions();
  options.ca_file = certificates_->ca_file();
  options.connect_timeout = milliseconds(200);
  Client client(io_.get_executor(), options);

  const core::Result<ClientResponse> response = Run(Get(client, upstream.Url()));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), core::ErrorCode::kUpstreamTimeout) << ErrorText(response.error());
  EXPECT_THAT(response.error().message(), HasSubstr("TLS handshake with 127.0.0.1:"));
}

TEST_F(ClientTlsTest, AnUnreadableCaFileFailsEveryHttpsCall) {
  ClientOptions options = FastOptions();
  options.ca_file = "/nonexistent/ca.pem";
  Client client(io_.get_executor(), options);

  const core::Result<ClientResponse> response = Run(Get(client, "https://127.0.0.1:1/"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), core::ErrorCode::kInternal);
  EXPECT_THAT(response.error().message(), HasSubstr("/nonexistent/ca.pem"));
}

}  // namespace
}  // namespace strata::http
