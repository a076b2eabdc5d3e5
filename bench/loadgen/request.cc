#include "loadgen/request.h"

#include <algorithm>
#include <cctype>

namespace strata::loadgen {
namespace {

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         });
}

}  // namespace

std::optional<HttpUrl> ParseHttpUrl(std::string_view url, std::string* error) {
  constexpr std::string_view kScheme = "http://";
  if (!StartsWithNoCase(url, kScheme)) {
    *error = "only http:// URLs are supported";
    return std::nullopt;
  }
  url.remove_prefix(kScheme.size());
  const std::size_t path_at = url.find_first_of("/?");
  std::string_view authority = url.substr(0, path_at);
  HttpUrl parsed;
  const std::string_view target = path_at == std::string_view::npos ? std::string_view() : url.substr(path_at);
  if (target.empty() || target.front() == '?') {
    parsed.target = "/";
  }
  parsed.target.append(target);
  if (authority.find('@') != std::string_view::npos) {
    *error = "user info in the URL is not supported";
    return std::nullopt;
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {  // [::1]:8080
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      *error = "unterminated IPv6 address";
      return std::nullopt;
    }
    parsed.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        *error = "unexpected text after the IPv6 address";
        return std::nullopt;
      }
      port = rest.substr(1);
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    parsed.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
    }
  }
  if (parsed.host.empty()) {
    *error = "the URL has no host";
    return std::nullopt;
  }
  if (port.empty()) {
    port = "80";
  }
  if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoi(std::string(port)) > 65535) {
    *error = "bad port '" + std::string(port) + "'";
    return std::nullopt;
  }
  parsed.port = std::string(port);
  return parsed;
}

std::string SerializeRequest(const RequestSpec& spec) {
  std::string out;
  out.reserve(256 + spec.body.size());
  out.append(spec.method).append(" ").append(spec.url.target).append(" HTTP/1.1\r\n");
  bool has_host = false;
  bool has_content_type = false;
  for (const std::string& header : spec.headers) {
    has_host = has_host || StartsWithNoCase(header, "host:");
    has_content_type = has_content_type || StartsWithNoCase(header, "content-type:");
  }
  if (!has_host) {
    const bool ipv6 = spec.url.host.find(':') != std::string::npos;
    out.append("Host: ").append(ipv6 ? "[" : "").append(spec.url.host).append(ipv6 ? "]" : "");
    if (spec.url.port != "80") {
      out.append(":").append(spec.url.port);
    }
    out.append("\r\n");
  }
  for (const std::string& header : spec.headers) {
    out.append(header).append("\r\n");
  }
  const bool sends_body = !spec.body.empty() || spec.method == "POST" || spec.method == "PUT" || spec.method == "PATCH";
  if (sends_body) {
    if (!has_content_type && !spec.body.empty()) {
      out.append("Content-Type: application/json\r\n");
    }
    out.append("Content-Length: ").append(std::to_string(spec.body.size())).append("\r\n");
  }
  out.append("\r\n").append(spec.body);
  return out;
}

}  // namespace strata::loadgen
