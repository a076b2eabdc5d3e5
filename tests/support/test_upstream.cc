#include "support/test_upstream.h"

#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace strata::testing {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

std::string Head(int status, std::string_view extra_headers) {
  const char* reason = status == 200 ? "OK" : "Status";
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n" + std::string(extra_headers) + "\r\n";
}

std::string Chunk(std::string_view data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + std::string(data) + "\r\n";
}

std::size_t ContentLength(std::string_view head) {
  std::string lower(head);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  const std::size_t at = lower.find("\r\ncontent-length:");
  if (at == std::string::npos) {
    return 0;
  }
  return std::strtoull(lower.c_str() + at + 17, nullptr, 10);
}

asio::awaitable<void> Sleep(milliseconds delay) {
  if (delay <= milliseconds::zero()) {
    co_return;
  }
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(delay);
  co_await timer.async_wait(kUseTuple);
}

// Reads and discards until the peer goes away (or the upstream stops).
template <class Stream>
asio::awaitable<void> DrainUntilClosed(Stream& stream) {
  char sink[4096];
  for (;;) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kUseTuple);
    if (ec) {
      co_return;
    }
  }
}

bool Run(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()) == 0; }

}  // namespace

UpstreamReply UpstreamReply::Respond(int status, std::string body, bool close) {
  std::string headers = "Content-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  if (close) {
    headers += "Connection: close\r\n";
  }
  UpstreamReply reply;
  reply.writes.push_back(Write{milliseconds(0), Head(status, headers) + body});
  reply.then = close ? Then::kClose : Then::kNextReply;
  return reply;
}

UpstreamReply UpstreamReply::Delayed(milliseconds delay, std::string body) {
  UpstreamReply reply = Respond(200, std::move(body));
  reply.writes.front().delay = delay;
  return reply;
}

UpstreamReply UpstreamReply::Chunked(std::vector<std::string> chunks, milliseconds interval) {
  UpstreamReply reply;
  reply.writes.push_back(Write{milliseconds(0), Head(200, "Content-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n")});
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    std::string bytes = Chunk(chunks[i]);
    if (i + 1 == chunks.size()) {
      bytes += "0\r\n\r\n";
    }
    reply.writes.push_back(Write{i == 0 ? milliseconds(0) : interval, std::move(bytes)});
  }
  if (chunks.empty()) {
    reply.writes.push_back(Write{milliseconds(0), "0\r\n\r\n"});
  }
  return reply;
}

UpstreamReply UpstreamReply::ResetBeforeHead() {
  UpstreamReply reply;
  reply.then = Then::kReset;
  return reply;
}

UpstreamReply UpstreamReply::CloseBeforeHead() {
  UpstreamReply reply;
  reply.then = Then::kClose;
  return reply;
}

UpstreamReply UpstreamReply::CloseMidBody() {
  UpstreamReply reply;
  reply.writes.push_back(Write{milliseconds(0), Head(200, "Content-Length: 100\r\n") + "0123456789"});
  reply.then = Then::kClose;
  return reply;
}

UpstreamReply UpstreamReply::Garbage() {
  UpstreamReply reply;
  reply.writes.push_back(Write{milliseconds(0), "SSH-2.0-OpenSSH_9.2\r\nthis is not HTTP\r\n\r\n"});
  reply.then = Then::kClose;
  return reply;
}

UpstreamReply UpstreamReply::Hang() {
  UpstreamReply reply;
  reply.then = Then::kHang;
  return reply;
}

UpstreamReply UpstreamReply::CloseIdle(milliseconds delay) {
  UpstreamReply reply;
  reply.read_request = false;
  reply.then_after = delay;
  reply.then = Then::kClose;
  return reply;
}

std::optional<TestCertificates> TestCertificates::Create() {
  char pattern[] = "/tmp/strata-test-pki-XXXXXX";
  if (mkdtemp(pattern) == nullptr) {
    return std::nullopt;
  }
  TestCertificates certificates{std::string(pattern)};
  const std::string dir = certificates.dir_;
  {
    std::ofstream ca(dir + "/ca.cnf");
    ca << "[req]\ndistinguished_name = dn\nprompt = no\nx509_extensions = v3_ca\n"
          "[dn]\nCN = Strata Test CA\n"
          "[v3_ca]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n"
          "subjectKeyIdentifier = hash\n";
  }
  const std::string key_options = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  if (!Run("openssl req -x509 -config " + dir + "/ca.cnf" + key_options + " -days 2 -keyout " + dir +
           "/ca.key -out " + dir + "/ca.pem")) {
    return std::nullopt;
  }
  const auto make_leaf = [&](const std::string& name, const std::string& alt_names) {
    {
      std::ofstream ext(dir + "/" + name + ".ext");
      ext << "basicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\n"
             "extendedKeyUsage = serverAuth\nsubjectAltName = "
          << alt_names << "\n";
    }
    const std::string base = dir + "/" + name;
    return Run("openssl req -new" + key_options + " -subj /CN=" + name + " -keyout " + base + ".key -out " +
               base + ".csr") &&
           Run("openssl x509 -req -in " + base + ".csr -CA " + dir + "/ca.pem -CAkey " + dir +
               "/ca.key -CAcreateserial -days 2 -extfile " + base + ".ext -out " + base + ".pem");
  };
  if (!make_leaf("localhost", "DNS:localhost,IP:127.0.0.1") || !make_leaf("wrong", "DNS:wrong.example")) {
    return std::nullopt;
  }
  return certificates;
}

TestCertificates::~TestCertificates() {
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

TestUpstream::TestUpstream(std::optional<Tls> tls) : acceptor_(io_) {
  if (tls) {
    tls_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    tls_->use_certificate_chain_file(tls->cert_file);
    tls_->use_private_key_file(tls->key_file, asio::ssl::context::pem);
  }
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_, AcceptLoop(), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

TestUpstream::~TestUpstream() {
  io_.stop();
  thread_.join();
}

void TestUpstream::Expect(ConnectionScript script) {
  std::lock_guard lock(mutex_);
  scripts_.push_back(std::move(script));
}

void TestUpstream::Expect(std::vector<UpstreamReply> replies) {
  ConnectionScript script;
  script.replies = std::move(replies);
  Expect(std::move(script));
}

std::string TestUpstream::Url(const std::string& path) const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<std::string> TestUpstream::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<UpstreamClock::time_point> TestUpstream::write_times() const {
  std::lock_guard lock(mutex_);
  return write_times_;
}

ConnectionScript TestUpstream::NextScript() {
  std::lock_guard lock(mutex_);
  if (scripts_.empty()) {
    ConnectionScript fallback;
    fallback.replies.push_back(UpstreamReply::Ok("ok"));
    fallback.repeat_last = true;
    return fallback;
  }
  ConnectionScript script = std::move(scripts_.front());
  scripts_.pop_front();
  return script;
}

asio::awaitable<void> TestUpstream::AcceptLoop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(kUseTuple);
    if (ec) {
      co_return;
    }
    ++accepted_;
    asio::co_spawn(io_, Session(std::move(socket), NextScript()), asio::detached);
  }
}

asio::awaitable<void> TestUpstream::Session(tcp::socket socket, ConnectionScript script) {
  if (!tls_) {
    co_await Serve(socket, socket, std::move(script));
    co_return;
  }
  asio::ssl::stream<tcp::socket> stream(std::move(socket), *tls_);
  if (!script.tls_handshake) {
    co_await DrainUntilClosed(stream.next_layer());
    co_return;
  }
  auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kUseTuple);
  if (ec) {
    co_return;
  }
  co_await Serve(stream, stream.next_layer(), std::move(script));
}

template <class Stream>
asio::awaitable<bool> TestUpstream::ReadRequest(Stream& stream, std::string& buffer) {
  auto [ec, head_size] = co_await asio::async_read_until(stream, asio::dynamic_buffer(buffer), "\r\n\r\n", kUseTuple);
  if (ec) {
    co_return false;
  }
  const std::size_t total = head_size + ContentLength(std::string_view(buffer).substr(0, head_size));
  if (buffer.size() < total) {
    auto [body_ec, n] = co_await asio::async_read(stream, asio::dynamic_buffer(buffer),
                                                  asio::transfer_exactly(total - buffer.size()), kUseTuple);
    if (body_ec) {
      co_return false;
    }
  }
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(buffer.substr(0, total));
  }
  buffer.erase(0, total);
  co_return true;
}

template <class Stream>
asio::awaitable<void> TestUpstream::Serve(Stream& stream, tcp::socket& raw, ConnectionScript script) {
  std::string buffer;
  for (std::size_t i = 0;; ++i) {
    if (script.replies.empty() || (i >= script.replies.size() && !script.repeat_last)) {
      co_await DrainUntilClosed(stream);
      co_return;
    }
    const UpstreamReply& reply = script.replies[std::min(i, script.replies.size() - 1)];
    if (reply.read_request && !co_await ReadRequest(stream, buffer)) {
      co_return;
    }
    for (const UpstreamReply::Write& write : reply.writes) {
      co_await Sleep(write.delay);
      auto [ec, n] = co_await asio::async_write(stream, asio::buffer(write.bytes), kUseTuple);
      if (ec) {
        co_return;
      }
      std::lock_guard lock(mutex_);
      write_times_.push_back(UpstreamClock::now());
    }
    co_await Sleep(reply.then_after);
    boost::system::error_code ignored;
    switch (reply.then) {
      case UpstreamReply::Then::kNextReply: break;
      case UpstreamReply::Then::kClose:
        raw.shutdown(tcp::socket::shutdown_send, ignored);
        raw.close(ignored);
        co_return;
      case UpstreamReply::Then::kReset:
        raw.set_option(asio::socket_base::linger(true, 0), ignored);
        raw.close(ignored);
        co_return;
      case UpstreamReply::Then::kHang: co_await DrainUntilClosed(stream); co_return;
    }
  }
}

}  // namespace strata::testing
