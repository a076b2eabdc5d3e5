#include "http/url.h"

#include <gtest/gtest.h>

namespace strata::http {
namespace {

TEST(UrlTest, SplitsAnHttpsUrlAndDefaultsThePort) {
  const core::Result<Url> url = Url::Parse("https://api.openai.com/v1/chat/completions?x=1#frag");
  ASSERT_TRUE(url) << url.error().message();
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->host, "api.openai.com");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->target, "/v1/chat/completions?x=1");
  EXPECT_TRUE(url->tls());
  EXPECT_FALSE(url->host_is_ip);
  EXPECT_EQ(url->Authority(), "api.openai.com");
  EXPECT_EQ(url->HostPort(), "api.openai.com:443");
}

TEST(UrlTest, KeepsAnExplicitPortInTheAuthority) {
  const core::Result<Url> url = Url::Parse("HTTP://127.0.0.1:8080");
  ASSERT_TRUE(url) << url.error().message();
  EXPECT_EQ(url->scheme, "http");
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->target, "/");
  EXPECT_TRUE(url->host_is_ip);
  EXPECT_EQ(url->Authority(), "127.0.0.1:8080");
}

TEST(UrlTest, DropsTheDefaultPortFromTheAuthority) {
  const core::Result<Url> url = Url::Parse("http://example.com:80/a");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->Authority(), "example.com");
}

TEST(UrlTest, BracketsIpv6Hosts) {
  const core::Result<Url> url = Url::Parse("http://[::1]:9000/x");
  ASSERT_TRUE(url) << url.error().message();
  EXPECT_EQ(url->host, "::1");
  EXPECT_TRUE(url->host_is_ip);
  EXPECT_EQ(url->Authority(), "[::1]:9000");
  EXPECT_EQ(url->HostPort(), "[::1]:9000");
}

TEST(UrlTest, PutsASlashBeforeABareQuery) {
  const core::Result<Url> url = Url::Parse("http://example.com?q=1");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->target, "/?q=1");
}

TEST(UrlTest, RejectsWhatTheClientCannotCall) {
  for (const char* text : {"ftp://example.com/", "example.com/v1", "/v1/chat", "http://", "http://:80/",
                           "http://example.com:0/", "http://example.com:65536/", "http://user:pw@example.com/",
                           "http://exa%0d%0ample.com/", "not a url"}) {
    const core::Result<Url> url = Url::Parse(text);
    ASSERT_FALSE(url) << text;
    EXPECT_EQ(url.error().code(), core::ErrorCode::kInvalidRequest) << text;
    EXPECT_NE(url.error().message().find(text), std::string::npos) << url.error().message();
  }
}

TEST(UrlTest, KeepsTheQueryOutOfErrorMessages) {
  const core::Result<Url> url = Url::Parse("ftp://example.com/v1?key=secret");
  ASSERT_FALSE(url);
  EXPECT_EQ(url.error().message().find("secret"), std::string::npos) << url.error().message();
  EXPECT_NE(url.error().message().find("ftp://example.com/v1"), std::string::npos) << url.error().message();
}

}  // namespace
}  // namespace strata::http
