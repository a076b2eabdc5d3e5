#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

namespace strata::testing {

using std::chrono::milliseconds;
using UpstreamClock = std::chrono::steady_clock;

// What the upstream does for one request on a connection: optionally read the
// request, then write some bytes (each after its own delay), then go on.
struct UpstreamReply {
  enum class Then {
    kNextReply,  // serve the connection's next reply
    kClose,      // FIN
    kReset,      // RST (SO_LINGER 0)
    kHang,       // keep the connection open, answer nothing, until the client leaves
  };
  struct Write {
    milliseconds delay{0};  // before this write
    std::string bytes;
  };

  bool read_request = true;
  std::vector<Write> writes;
  milliseconds then_after{0};  // pause before `then`
  Then then = Then::kNextReply;

  // A complete response with Content-Length; keep-alive unless `close`, in
  // which case it says "Connection: close" and closes after.
  static UpstreamReply Respond(int status, std::string body, bool close = false);
  static UpstreamReply Ok(std::string body) { return Respond(200, std::move(body)); }
  // Respond(200, body) after `delay`.
  static UpstreamReply Delayed(milliseconds delay, std::string body);
  // A chunked 200: the head at once, then each chunk (one write each) after
  // `interval`, the last chunk sent together with the terminating 0-chunk.
  static UpstreamReply Chunked(std::vector<std::string> chunks, milliseconds interval);
  // Reads the request, then resets the connection without a byte of answer.
  static UpstreamReply ResetBeforeHead();
  // Reads the request, then closes (FIN) without answering: what a client sees
  // when its request crossed the server's close of an idle connection.
  static UpstreamReply CloseBeforeHead();
  // A head announcing 100 bytes, 10 of them, then FIN.
  static UpstreamReply CloseMidBody();
  // Bytes that are not HTTP, then FIN.
  static UpstreamReply Garbage();
  // Reads the request and never answers.
  static UpstreamReply Hang();
  // Without waiting for a request, closes the connection after `delay`: a
  // server whose keep-alive timeout ran out.
  static UpstreamReply CloseIdle(milliseconds delay);
};

// The plan for one accepted connection.
struct ConnectionScript {
  std::vector<UpstreamReply> replies;
  // After the last reply (when it says kNextReply): serve it again for every
  // further request, rather than hang.
  bool repeat_last = false;
  // TLS upstreams only: false accepts TCP but never answers the ClientHello.
  bool tls_handshake = true;
};

// A throwaway PKI made with the `openssl` command line in a temp dir that is
// deleted with this object: a CA, a leaf for localhost and 127.0.0.1, and a
// leaf for wrong.example (host name mismatch tests). Create() returns nullopt
// if the openssl tool is missing or fails.
class TestCertificates {
 public:
  static std::optional<TestCertificates> Create();
  TestCertificates(TestCertificates&& other) noexcept : dir_(std::exchange(other.dir_, {})) {}
  TestCertificates& operator=(TestCertificates&& other) noexcept {
    std::swap(dir_, other.dir_);  // our old dir, if any, goes when `other` does
    return *this;
  }
  ~TestCertificates();

  std::string ca_file() const { return dir_ + "/ca.pem"; }
  std::string cert_file() const { return dir_ + "/localhost.pem"; }
  std::string key_file() const { return dir_ + "/localhost.key"; }
  std::string wrong_host_cert_file() const { return dir_ + "/wrong.pem"; }
  std::string wrong_host_key_file() const { return dir_ + "/wrong.key"; }

 private:
  explicit TestCertificates(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

// A scripted HTTP/1.1 upstream on 127.0.0.1, port chosen by the kernel,
// served by raw Asio (not Beast, so it can misbehave freely) on its own
// thread. Each accepted connection takes the next script given to Expect();
// when none is queued it answers every request with 200 "ok", keep-alive.
// Thread-safe: tests call it while the client runs on another thread.
class TestUpstream {
 public:
  struct Tls {
    std::string cert_file;
    std::string key_file;
  };

  explicit TestUpstream(std::optional<Tls> tls = std::nullopt);
  ~TestUpstream();
  TestUpstream(const TestUpstream&) = delete;
  TestUpstream& operator=(const TestUpstream&) = delete;

  void Expect(ConnectionScript script);
  // Shorthand: one connection serving `replies` in order.
  void Expect(std::vector<UpstreamReply> replies);

  std::uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port><path>" (https with TLS).
  std::string Url(const std::string& path = "/") const;

  // Connections accepted so far.
  int accepted() const { return accepted_.load(); }
  // Every request read so far, head and body as received, in order.
  std::vector<std::string> requests() const;
  // When each write of a reply finished, in order, across connections.
  std::vector<UpstreamClock::time_point> write_times() const;

 private:
  boost::asio::awaitable<void> AcceptLoop();
  boost::asio::awaitable<void> Session(boost::asio::ip::tcp::socket socket, ConnectionScript script);
  template <class Stream>
  boost::asio::awaitable<void> Serve(Stream& stream, boost::asio::ip::tcp::socket& raw, ConnectionScript script);
  template <class Stream>
  boost::asio::awaitable<bool> ReadRequest(Stream& stream, std::string& buffer);
  ConnectionScript NextScript();

  // Declared first so it is destroyed last: coroutine frames that io_ still
  // holds own SSL streams made from it.
  std::unique_ptr<boost::asio::ssl::context> tls_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  mutable std::mutex mutex_;  // guards the three below
  std::deque<ConnectionScript> scripts_;
  std::vector<std::string> requests_;
  std::vector<UpstreamClock::time_point> write_times_;
  std::thread thread_;
};

}  // namespace strata::testing
