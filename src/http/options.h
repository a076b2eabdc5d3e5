#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace strata::http {

using std::chrono::milliseconds;

// TLS for the listener. Both files empty: plain HTTP.
struct ServerTlsOptions {
  std::string cert_file;  // PEM certificate chain
  std::string key_file;   // PEM private key

  bool enabled() const { return !cert_file.empty(); }
};

// The HTTP edge. Every field has the default a production server should run with.
struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 4100;          // 0: the kernel picks one (tests)
  unsigned workers = 0;               // io threads; 0: one per core
  std::size_t max_body_bytes = 16 * 1024 * 1024;  // larger bodies get 413
  std::size_t max_header_bytes = 16 * 1024;       // larger request heads get 431
  milliseconds header_timeout{10'000};  // the whole request head must arrive within this, or 408
  milliseconds body_timeout{60'000};    // the body must arrive within this once the head is in, or 408
  milliseconds idle_timeout{75'000};    // a keep-alive connection idle this long is closed
  std::size_t max_connections = 20'000;  // beyond this, new connections are closed at once
  milliseconds shutdown_grace{30'000};  // in-flight requests and streams get this long to finish
  ServerTlsOptions tls;
};

// Upstream calls (providers, mock-llm). One pool per worker per (scheme, host, port).
struct ClientOptions {
  milliseconds connect_timeout{5'000};     // DNS, TCP connect and TLS handshake, together
  milliseconds first_byte_timeout{60'000}; // request sent → response head received
  milliseconds idle_timeout{60'000};       // gap between two body reads of a streamed response
  std::size_t max_idle_per_host = 64;      // pooled keep-alive connections kept per host
  milliseconds pool_idle_ttl{30'000};      // pooled connections unused this long are closed
  std::string ca_file;                     // extra CA bundle (PEM) trusted besides the system's
  bool verify_tls = true;                  // never false in production
  std::size_t max_response_bytes = 64 * 1024 * 1024;  // Client::Send fails (502) beyond; streams are not capped
};

}  // namespace strata::http
