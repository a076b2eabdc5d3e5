#include "loadgen/request.h"

#include <gtest/gtest.h>

namespace strata::loadgen {
namespace {

HttpUrl Parse(std::string_view text) {
  std::string error;
  const std::optional<HttpUrl> url = ParseHttpUrl(text, &error);
  EXPECT_TRUE(url.has_value()) << text << ": " << error;
  return url.value_or(HttpUrl{});
}

bool Rejects(std::string_view text) {
  std::string error;
  return !ParseHttpUrl(text, &error).has_value() && !error.empty();
}

TEST(ParseHttpUrlTest, SplitsHostPortAndTarget) {
  const HttpUrl url = Parse("http://127.0.0.1:4300/v1/chat/completions?x=1");
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, "4300");
  EXPECT_EQ(url.target, "/v1/chat/completions?x=1");
  EXPECT_EQ(Parse("HTTP://example.test").port, "80");
  EXPECT_EQ(Parse("http://example.test").target, "/");
  EXPECT_EQ(Parse("http://example.test?q").target, "/?q");
  const HttpUrl v6 = Parse("http://[::1]:8080/v1");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, "8080");
}

TEST(ParseHttpUrlTest, RejectsWhatItCannotServe) {
  EXPECT_TRUE(Rejects("https://example.test/"));
  EXPECT_TRUE(Rejects("example.test:80"));
  EXPECT_TRUE(Rejects("http://:80/"));
  EXPECT_TRUE(Rejects("http://host:99999/"));
  EXPECT_TRUE(Rejects("http://host:8x/"));
  EXPECT_TRUE(Rejects("http://user@host/"));
  EXPECT_TRUE(Rejects("http://[::1/"));
}

TEST(SerializeRequestTest, WritesAKeepAliveRequestWithLengthAndJsonType) {
  RequestSpec spec;
  spec.url = Parse("http://127.0.0.1:4300/v1/chat/completions");
  spec.headers = {"authorization: Bearer k"};
  spec.body = R"({"model":"m"})";
  EXPECT_EQ(SerializeRequest(spec),
            "POST /v1/chat/completions HTTP/1.1\r\n"
            "Host: 127.0.0.1:4300\r\n"
            "authorization: Bearer k\r\n"
            "Content-Type: application/json\r\n"
            "Content-Length: 13\r\n"
            "\r\n"
            R"({"model":"m"})");
}

TEST(SerializeRequestTest, KeepsTheCallersContentTypeAndHost) {
  RequestSpec spec;
  spec.method = "GET";
  spec.url = Parse("http://[::1]/v1/models");
  EXPECT_EQ(SerializeRequest(spec), "GET /v1/models HTTP/1.1\r\nHost: [::1]\r\n\r\n");
  spec.method = "POST";
  spec.headers = {"Content-Type: text/plain", "host: other"};
  spec.body = "hi";
  EXPECT_EQ(SerializeRequest(spec),
            "POST /v1/models HTTP/1.1\r\nContent-Type: text/plain\r\nhost: other\r\nContent-Length: 2\r\n\r\nhi");
}

}  // namespace
}  // namespace strata::loadgen
