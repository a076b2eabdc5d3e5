#include "http/internal/wire.h"

#include <sstream>

#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <gtest/gtest.h>

namespace strata::http::internal {
namespace {

// Beast's own serializer is the reference: what we put on the wire must be
// byte for byte what it would have written.
template <class Message>
std::string BeastWire(const Message& message) {
  std::ostringstream out;
  out << message;
  return out.str();
}

TEST(WireHead, ResponseMatchesBeast) {
  beast_http::response<beast_http::string_body> response(beast_http::status::too_many_requests, 11);
  response.set(beast_http::field::content_type, "application/json");
  response.set("x-ratelimit-remaining-requests", "0");
  response.insert("set-cookie", "a=1");
  response.insert("set-cookie", "b=2");  // repeated fields stay separate lines, in order
  response.body() = R"({"error":{}})";
  response.keep_alive(true);
  response.prepare_payload();
  EXPECT_EQ(WireHead(response.base()) + response.body(), BeastWire(response));
}

TEST(WireHead, ResponseWithCustomReasonAndHttp10) {
  beast_http::response<beast_http::string_body> response(beast_http::status::ok, 10);
  response.reason("Fine");
  response.keep_alive(false);
  response.prepare_payload();
  EXPECT_EQ(WireHead(response.base()), BeastWire(response));
  EXPECT_TRUE(WireHead(response.base()).starts_with("HTTP/1.0 200 Fine\r\n"));
}

TEST(WireHead, RequestMatchesBeast) {
  beast_http::request<beast_http::string_body> request(beast_http::verb::post, "/v1/chat/completions?x=1", 11);
  request.set(beast_http::field::host, "api.example.com");
  request.set(beast_http::field::authorization, "Bearer k");
  request.body() = R"({"model":"m"})";
  request.prepare_payload();
  EXPECT_EQ(WireHead(request.base()) + request.body(), BeastWire(request));
}

}  // namespace
}  // namespace strata::http::internal
