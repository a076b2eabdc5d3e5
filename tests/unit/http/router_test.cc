#include <gtest/gtest.h>

#include "http/server.h"

namespace strata::http {
namespace {

Handler Named(int* called, int id) {
  return [called, id](const Request&, Responder&) -> asio::awaitable<void> {
    *called = id;
    co_return;
  };
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router_.Add(beast_http::verb::get, "/v1/models", Named(&called_, 1));
    router_.Add(beast_http::verb::get, "/v1/models/{id}", Named(&called_, 2));
    router_.Add(beast_http::verb::post, "/v1/chat/completions", Named(&called_, 3));
  }
  Router router_;
  int called_ = 0;
};

TEST_F(RouterTest, MatchesLiteralPathsAndReportsThePattern) {
  Router::Match match = router_.Find(beast_http::verb::get, "/v1/models");
  ASSERT_NE(match.handler, nullptr);
  EXPECT_EQ(match.pattern, "/v1/models");
}

TEST_F(RouterTest, PlaceholdersCaptureOneSegment) {
  Router::Match match = router_.Find(beast_http::verb::get, "/v1/models/gpt-4o");
  ASSERT_NE(match.handler, nullptr);
  EXPECT_EQ(match.pattern, "/v1/models/{id}");
  ASSERT_EQ(match.params.size(), 1u);
  EXPECT_EQ(match.params[0].first, "id");
  EXPECT_EQ(match.params[0].second, "gpt-4o");
}

TEST_F(RouterTest, PlaceholdersDoNotMatchEmptyOrSeveralSegments) {
  EXPECT_EQ(router_.Find(beast_http::verb::get, "/v1/models/").handler, nullptr);
  EXPECT_EQ(router_.Find(beast_http::verb::get, "/v1/models/a/b").handler, nullptr);
}

TEST_F(RouterTest, QueryStringIsIgnoredForMatching) {
  EXPECT_NE(router_.Find(beast_http::verb::get, "/v1/models?limit=2").handler, nullptr);
}

TEST_F(RouterTest, KnownPathWithAnotherMethodIsMethodNotAllowed) {
  Router::Match match = router_.Find(beast_http::verb::get, "/v1/chat/completions");
  EXPECT_EQ(match.handler, nullptr);
  EXPECT_TRUE(match.method_not_allowed);
}

TEST_F(RouterTest, UnknownOrRelativeTargetsMatchNothing) {
  EXPECT_FALSE(router_.Find(beast_http::verb::get, "/v2/models").method_not_allowed);
  EXPECT_EQ(router_.Find(beast_http::verb::get, "/v2/models").handler, nullptr);
  EXPECT_EQ(router_.Find(beast_http::verb::get, "v1/models").handler, nullptr);
  EXPECT_EQ(router_.Find(beast_http::verb::get, "").handler, nullptr);
  EXPECT_EQ(router_.Find(beast_http::verb::get, "*").handler, nullptr);
}

}  // namespace
}  // namespace strata::http
