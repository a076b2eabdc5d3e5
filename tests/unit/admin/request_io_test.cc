#include "admin/request_io.h"

#include <gtest/gtest.h>

namespace strata::admin {
namespace {

http::Request WithTarget(std::string target) {
  http::Request request;
  request.target(target);
  return request;
}

http::Request WithBody(std::string body) {
  http::Request request;
  request.body() = std::move(body);
  return request;
}

TEST(QueryParamTest, FindsDecodedValuesAndOnlyWholeNames) {
  const http::Request request = WithTarget("/x?limit=5&team_id=team%5F1&model=gpt+4o&flag&limits=9");
  EXPECT_EQ(QueryParam(request, "limit"), "5");
  EXPECT_EQ(QueryParam(request, "team_id"), "team_1");
  EXPECT_EQ(QueryParam(request, "model"), "gpt 4o");
  EXPECT_EQ(QueryParam(request, "flag"), "");
  EXPECT_EQ(QueryParam(request, "lim"), std::nullopt);
  EXPECT_EQ(QueryParam(WithTarget("/x"), "limit"), std::nullopt);
  EXPECT_EQ(QueryParam(WithTarget("/x?a=%zz%4"), "a"), "%zz%4");  // broken escapes are kept
}

TEST(PageParamsTest, DefaultsAndBounds) {
  EXPECT_EQ(ReadPageParams(WithTarget("/x"))->limit, 50);
  EXPECT_EQ(ReadPageParams(WithTarget("/x?limit=500&after=ten_9"))->after, "ten_9");
  for (const char* bad : {"/x?limit=0", "/x?limit=501", "/x?limit=ten", "/x?limit=5x", "/x?limit="}) {
    core::Result<PageParams> page = ReadPageParams(WithTarget(bad));
    ASSERT_FALSE(page) << bad;
    EXPECT_EQ(page.error().param(), "limit");
  }
}

TEST(BodyTest, TypedFieldsNameTheFieldThatIsWrong) {
  core::Result<Body> body = Body::Parse(WithBody(R"({"name":"acme","count":3,"ratio":0.5,"on":true,"tags":["a"]})"));
  ASSERT_TRUE(body);
  EXPECT_EQ(*body->RequiredString("name"), "acme");
  EXPECT_EQ(**body->OptionalInteger("count", 0, 10), 3);
  EXPECT_EQ(**body->OptionalNumber("ratio", 0, 1), 0.5);
  EXPECT_EQ(**body->OptionalBool("on"), true);
  EXPECT_EQ((**body->OptionalStringList("tags")).size(), 1u);
  EXPECT_TRUE(body->Finish());

  core::Result<Body> wrong = Body::Parse(WithBody(R"({"count":11,"name":"","tags":[1]})"));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->OptionalInteger("count", 0, 10).error().param(), "count");
  EXPECT_EQ(wrong->RequiredString("name").error().param(), "name");
  EXPECT_EQ(wrong->OptionalStringList("tags").error().param(), "tags");
}

TEST(BodyTest, RefusesNonObjectsAndUnknownFields) {
  EXPECT_FALSE(Body::Parse(WithBody("[]")));
  EXPECT_FALSE(Body::Parse(WithBody("{\"a\":")));
  core::Result<Body> body = Body::Parse(WithBody(R"({"name":"x","colour":"red"})"));
  ASSERT_TRUE(body);
  ASSERT_TRUE(body->RequiredString("name"));
  core::Status finished = body->Finish();
  ASSERT_FALSE(finished);
  EXPECT_EQ(finished.error().param(), "colour");
}

TEST(CheckNameTest, LowercaseDigitsAndDashes) {
  EXPECT_TRUE(CheckName("name", "acme-2"));
  for (const char* bad : {"", "-acme", "Acme", "ac me", "ac_me"}) EXPECT_FALSE(CheckName("name", bad)) << bad;
  EXPECT_FALSE(CheckName("name", std::string(65, 'a')));
}

}  // namespace
}  // namespace strata::admin
