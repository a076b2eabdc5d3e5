#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::loadgen {

// An http:// URL split for connecting and for the request line. HTTPS is not
// supported: the generator measures the gateway, not TLS.
struct HttpUrl {
  std::string host;    // as written, without brackets for IPv6
  std::string port;    // "80" when absent
  std::string target;  // path and query, "/" when absent
};

// Parses "http://host[:port][/path][?query]"; nullopt (with `error` set) otherwise.
std::optional<HttpUrl> ParseHttpUrl(std::string_view url, std::string* error);

// What every request of a run sends.
struct RequestSpec {
  std::string method = "POST";
  HttpUrl url;
  std::vector<std::string> headers;  // "name: value", as given
  std::string body;
};

// The bytes of one HTTP/1.1 request, built once and written as-is for every
// request of the run: request line, Host (unless a header gives one), the
// given headers, Content-Type
// application/json when a body is sent and no header names one, and
// Content-Length. Keep-alive is HTTP/1.1's default.
std::string SerializeRequest(const RequestSpec& spec);

}  // namespace strata::loadgen
