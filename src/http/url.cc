#include "http/url.h"

#include <algorithm>
#include <charconv>

#include <boost/url/parse.hpp>
#include <boost/url/scheme.hpp>
#include <boost/url/url_view.hpp>

namespace strata::http {
namespace {

// Error messages reach logs and, as 5xx bodies, clients; some vendors take
// the API key in the query (Gemini's ?key=), so the query never goes in.
core::Error Invalid(std::string_view text, std::string_view why) {
  std::string shown(text.substr(0, text.find('?')));
  if (shown.size() < text.size()) {
    shown += "?...";
  }
  return core::Error::InvalidRequest("invalid upstream URL '" + shown + "': " + std::string(why));
}

// Decoded host names end up in the Host header and in SNI: anything beyond
// the DNS alphabet (a percent-encoded CR LF, say) must not get that far.
bool IsDnsName(std::string_view host) {
  return std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
  });
}

}  // namespace

std::string Url::Authority() const {
  const std::uint16_t default_port = tls() ? 443 : 80;
  std::string authority = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != default_port) {
    authority += ":" + std::to_string(port);
  }
  return authority;
}

std::string Url::HostPort() const {
  std::string host_port = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return host_port + ":" + std::to_string(port);
}

core::Result<Url> Url::Parse(std::string_view text) {
  boost::system::result<boost::urls::url_view> parsed = boost::urls::parse_uri(text);
  if (!parsed) {
    return Invalid(text, parsed.error().message());
  }
  const boost::urls::url_view& view = *parsed;

  Url url;
  switch (view.scheme_id()) {
    case boost::urls::scheme::http: url.scheme = "http"; break;
    case boost::urls::scheme::https: url.scheme = "https"; break;
    default: return Invalid(text, "the scheme must be http or https");
  }
  if (view.has_userinfo()) {
    return Invalid(text, "user info is not supported; send credentials in headers");
  }

  switch (view.host_type()) {
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::ipv6:
      url.host = view.host_address();
      url.host_is_ip = true;
      break;
    case boost::urls::host_type::name:
      url.host = view.host_address();
      if (url.host.empty() || !IsDnsName(url.host)) {
        return Invalid(text, "the host is not a valid DNS name");
      }
      break;
    default: return Invalid(text, "the URL has no usable host");
  }

  url.port = url.tls() ? 443 : 80;
  if (view.has_port() && !view.port().empty()) {
    const std::string_view digits = view.port();
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size() || value == 0 || value > 65535) {
      return Invalid(text, "the port must be between 1 and 65535");
    }
    url.port = static_cast<std::uint16_t>(value);
  }

  url.target = view.encoded_target();
  if (url.target.empty() || url.target.front() != '/') {
    url.target.insert(0, "/");
  }
  return url;
}

}  // namespace strata::http
