#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace strata::http {

// An absolute upstream URL, split into what a client needs to connect and to
// write the request line. Only http and https are accepted.
struct Url {
  std::string scheme;      // "http" or "https", lower case
  std::string host;        // name or IP address; no brackets around IPv6, percent-decoded
  std::uint16_t port = 0;  // explicit port, else 80 (http) or 443 (https)
  std::string target;      // path and query as written ("/v1/chat?x=1"); "/" when empty
  bool host_is_ip = false; // `host` is an IPv4 or IPv6 literal, not a DNS name (no SNI then)

  bool tls() const { return scheme == "https"; }

  // The Host header value: "host", or "host:port" when the port is not the
  // scheme's default; IPv6 addresses in brackets.
  std::string Authority() const;
  // "host:port" (IPv6 in brackets): for pool keys and error messages.
  std::string HostPort() const;

  // Parses `text` (RFC 3986). Fails with kInvalidRequest, message saying why,
  // when the URL is not absolute, its scheme is not http or https, its host is
  // missing or holds characters a DNS name cannot, its port is 0 or above
  // 65535, or it carries user info (credentials belong in headers). The
  // message quotes the URL without its query, which may hold a key. A
  // fragment is dropped.
  static core::Result<Url> Parse(std::string_view text);
};

}  // namespace strata::http
